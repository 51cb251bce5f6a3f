"""Which version of each switchable rule applies on a date: shipped schedule + choices.

:mod:`posyandu.policy` ships each rule's versions with their start dates; an
administrator's :class:`~posyandu.core.models.PolicyChoice` rows switch to
another version from a date. This is the one place that combines the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from posyandu.core.models import PolicyChoice, PolicyKey
from posyandu.policy import KBM_SCHEDULE, TWO_T_SCHEDULE, Choice, KbmVersion, Schedule, TwoTRule

Dates = Sequence[dt.date] | npt.NDArray[np.datetime64]
"""One date per row: a list of dates or a datetime64 array."""

SCHEDULES: dict[str, Schedule[Any]] = {
    PolicyKey.KBM: KBM_SCHEDULE,
    PolicyKey.TWO_T: TWO_T_SCHEDULE,
}


def _timeline_arrays(
    schedule: Schedule[Any], choices: Sequence[Choice]
) -> tuple[npt.NDArray[np.datetime64], list[Any]]:
    timeline = schedule.timeline(choices)
    starts = np.array([start for start, _v in timeline], dtype="datetime64[D]")
    return starts, [version for _s, version in timeline]


@dataclass(frozen=True)
class PoliciesInForce:
    """The stored choices, loaded once; answers for one date or many at once."""

    choices: dict[str, tuple[Choice, ...]]

    @classmethod
    def load(cls) -> PoliciesInForce:
        found: dict[str, list[Choice]] = {key: [] for key in SCHEDULES}
        for policy, version_id, since in PolicyChoice.objects.values_list(
            "policy", "version_id", "in_force_from"
        ):
            if policy in found:
                found[policy].append(Choice(version_id=version_id, in_force_from=since))
        return cls({key: tuple(values) for key, values in found.items()})

    def _versions_on(self, key: str, dates: Dates) -> list[Any]:
        starts, versions = _timeline_arrays(SCHEDULES[key], self.choices.get(key, ()))
        days = np.asarray(dates, dtype="datetime64[D]")
        index = np.searchsorted(starts, days, side="right") - 1
        if days.size and int(index.min()) < 0:
            first = np.datetime_as_string(days[index < 0][0])
            raise ValueError(f"no {key} rule in force on {first}")
        return [versions[i] for i in index.tolist()]

    def kbm_on(self, on: dt.date) -> KbmVersion:
        version: KbmVersion = self._versions_on(PolicyKey.KBM, [on])[0]
        return version

    def two_t_on(self, on: dt.date) -> TwoTRule:
        rule: TwoTRule = self._versions_on(PolicyKey.TWO_T, [on])[0]
        return rule

    def kbm_version_ids(self, dates: Dates) -> list[str]:
        """The KBM table id in force on each date (for the engine's per-row rules)."""
        return [v.version_id for v in self._versions_on(PolicyKey.KBM, dates)]

    def two_t_months(self, dates: Dates) -> list[int]:
        """The 2T run length in force on each date."""
        return [r.consecutive_months for r in self._versions_on(PolicyKey.TWO_T, dates)]
