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
ChildrenWatcher = Callable[[list[int]], Callable[[list[int]], None]]
"""The same for a write to many children at once (an import): called with the
ids of the existing children before, and with every child's id after."""
_watchers: list[ChildWatcher] = []
_many: dict[ChildWatcher, ChildrenWatcher] = {}


def watch_child_writes(watcher: ChildWatcher, *, many: ChildrenWatcher | None = None) -> None:
    """Register ``watcher`` (once; apps do it in ``ready()``), and ``many``, its
    faster form for writes to many children (else ``watcher`` runs per child)."""
    if watcher not in _watchers:
        _watchers.append(watcher)
    if many is not None:
        _many[watcher] = many


def _one_by_one(watcher: ChildWatcher, child_ids: list[int]) -> Callable[[list[int]], None]:
    before = {child_id: watcher(child_id) for child_id in child_ids}

    def after(written: list[int]) -> None:
        for child_id in written:
            (before.get(child_id) or watcher(None))(child_id)

    return after


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


@dataclass
class ChildrenWrite:
    """A write to many children in progress; set ``child_ids`` to every child written."""

    child_ids: list[int]


@contextmanager
def children_write(child_ids: list[int]) -> Iterator[ChildrenWrite]:
    """Wrap a write to many children (``child_ids``: those that exist before it),
    inside the write's transaction, like :func:`child_write`."""
    write = ChildrenWrite(list(child_ids))
    after = [
        _many[watcher](list(child_ids)) if watcher in _many else _one_by_one(watcher, child_ids)
        for watcher in list(_watchers)
    ]
    yield write
    for finish in after:
        finish(list(write.child_ids))


# Sent after N/T/O/B and 2T were recomputed in bulk (a rule change), with
# ``child_ids`` (None: every child): derived tables rebuild those children.
visits_recomputed = Signal()
