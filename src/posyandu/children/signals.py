"""Signals from the registry to the apps built on it (which the registry may not import)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.dispatch import Signal

# Sent inside the transaction of a registry edit that changed the child's
# birth date or sex, with ``child`` and ``user``: everything derived from
# age and sex (z-scores, categories, N/T) must be computed again.
child_identity_changed = Signal()


# --- watchers of every registry and visit write ------------------------------------
#
# Derived tables built above the registry (the monthly aggregates) must follow
# every write to a child in the write's own transaction. A watcher is called
# before the write with the child's id (None for a child about to be
# registered) and returns the function to call after it, with the child's id.


ChildWatcher = Callable[[int | None], Callable[[int], None]]
_watchers: list[ChildWatcher] = []


def watch_child_writes(watcher: ChildWatcher) -> None:
    """Register ``watcher`` (once; apps do it in ``ready()``)."""
    if watcher not in _watchers:
        _watchers.append(watcher)


@dataclass
class ChildWrite:
    """The write in progress; set ``child_id`` once a new child is saved."""

    child_id: int | None


@contextmanager
def child_write(child_id: int | None) -> Iterator[ChildWrite]:
    """Wrap a write to one child (its registry data or its visits), inside the
    write's transaction. On an exception nothing is called after it: the
    transaction is rolled back anyway."""
    write = ChildWrite(child_id)
    after = [watcher(child_id) for watcher in list(_watchers)]
    yield write
    if write.child_id is None:
        raise RuntimeError("child_write: the new child's id was never set")
    for finish in after:
        finish(write.child_id)


# Sent after N/T/O/B and 2T were recomputed in bulk (a rule change), with
# ``child_ids`` (None: every child): derived tables rebuild those children.
visits_recomputed = Signal()
