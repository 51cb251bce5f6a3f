"""Versions of a rule in force from dates, and an administrator's choices among them.

A rule (the KBM table, the 2T run length) has shipped versions, each in force
from its own start date. An administrator may choose one of them from a date
(recorded in the database with who chose it); the choice holds from that date
until a later choice or a newer shipped version. Visits are judged by the
version in force on their own date, so a change never rewrites the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar


class Versioned(Protocol):
    @property
    def version_id(self) -> str: ...

    @property
    def start_date(self) -> date: ...

    @property
    def source(self) -> str: ...


V = TypeVar("V", bound=Versioned)


@dataclass(frozen=True)
class Choice:
    """A version chosen by an administrator, in force from ``in_force_from``."""

    version_id: str
    in_force_from: date


@dataclass(frozen=True)
class Schedule(Generic[V]):
    """The shipped versions of one rule (``key`` names it in stored choices)."""

    key: str
    versions: tuple[V, ...]

    def __post_init__(self) -> None:
        ids = [v.version_id for v in self.versions]
        if not ids or len(set(ids)) != len(ids):
            raise ValueError(f"{self.key}: versions must be non-empty with unique ids")

    def version(self, version_id: str) -> V:
        """The version ``version_id``; ValueError naming the known ids."""
        for version in self.versions:
            if version.version_id == version_id:
                return version
        known = sorted(v.version_id for v in self.versions)
        raise ValueError(f"unknown {self.key} version {version_id!r}; expected one of {known}")

    def timeline(self, choices: Sequence[Choice] = ()) -> list[tuple[date, V]]:
        """(from date, version) in date order; each entry holds until the next.

        On the same date a choice comes after (so overrides) a shipped version.
        """
        shipped = [(v.start_date, 0, v) for v in self.versions]
        chosen = [(c.in_force_from, 1, self.version(c.version_id)) for c in choices]
        ordered = sorted(shipped + chosen, key=lambda entry: (entry[0], entry[1]))
        return [(start, version) for start, _rank, version in ordered]

    def in_force(self, on: date, choices: Sequence[Choice] = ()) -> V:
        """The version in force on ``on``; ValueError before the first one."""
        current: V | None = None
        for start, version in self.timeline(choices):
            if start > on:
                break
            current = version
        if current is None:
            raise ValueError(f"no {self.key} version in force on {on.isoformat()}")
        return current
