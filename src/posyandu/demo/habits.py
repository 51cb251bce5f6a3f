"""Who recorded each demo visit, and the poor measuring habits of a few kader.

Every demo Posyandu has :data:`KADER_PER_POSYANDU` kader who record visits (the
first one is the Posyandu's demo login). At :data:`POOR_POSYANDU` Posyandu the
second kader, who there does most of the weighing, has the habits a
data-quality scorecard exists to find: weights rounded to .0 or .5, lengths
rounded to whole centimetres, infants measured standing, and a handful of
values written wrongly (a 1 typed in front of a weight, two digits of a length
swapped). The other kader of those Posyandu measure well, so the scorecard can
tell the kader apart, not only the Posyandu.

Drawn from a random stream of its own: the rest of the city (and its stunting
rate) is the same with or without these habits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from posyandu.accounts.models import Role, User
from posyandu.areas.models import Posyandu
from posyandu.demo import names
from posyandu.policy import (
    HARD_LIMITS,
    LENGTH_HEIGHT_SWITCH_DAYS,
    VISIT_PLAUSIBILITY,
    WHO_MEASURING,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

KADER_PER_POSYANDU: Final = 3
RECORDER_SHARES: Final = (0.5, 0.3, 0.2)
"""Which kader records a visit at an ordinary Posyandu."""
POOR_POSYANDU: Final = 3
POOR_RECORDER_SHARES: Final = (0.3, 0.55, 0.15)
"""At a poor Posyandu the second kader (the poor measurer) records most visits."""
POOR_KADER: Final = 1
STANDING_INFANT_RATE: Final = 0.8
"""Share of the poor kader's infants old enough to stand who are measured standing."""
TYPING_SLIPS: Final = 8
"""Wrongly written values among the poor kader's visits, city-wide."""
SEED_OFFSET: Final = 2


def kader_username(posyandu_name: str, slot: int = 0) -> str:
    """The demo kader's username: the first one is the Posyandu's demo login."""
    base = "kader-" + slugify(posyandu_name.removeprefix("Posyandu "))
    return base if slot == 0 else f"{base}-{slot + 1}"


def create_kader(posyandu: list[Posyandu], seed: int) -> list[list[int]]:
    """The kader users of each Posyandu (no usable password: the demo logins get
    theirs later); their ids per Posyandu, in slot order."""
    rng = np.random.default_rng(seed + SEED_OFFSET)
    unusable = make_password(None)
    users = []
    for where in posyandu:
        for slot in range(KADER_PER_POSYANDU):
            first = names.MOTHERS[int(rng.integers(len(names.MOTHERS)))]
            users.append(
                User(
                    username=kader_username(where.name, slot),
                    password=unusable,
                    role=Role.KADER,
                    posyandu=where,
                    first_name=first,
                    last_name=names.MOTHERS_SECOND[int(rng.integers(len(names.MOTHERS_SECOND)))],
                )
            )
    User.objects.bulk_create(users)
    ids = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    return [
        [ids[kader_username(where.name, slot)] for slot in range(KADER_PER_POSYANDU)]
        for where in posyandu
    ]


@dataclass
class Recorded:
    """What the kader wrote down, and which kader (slot) wrote it."""

    slot: IntArray
    weight_kg: FloatArray
    height_cm: FloatArray
    position: npt.NDArray[np.str_]
    poor_posyandu: IntArray


def record(
    *,
    seed: int,
    posyandu: IntArray,
    n_posyandu: int,
    age_days: IntArray,
    weight_kg: FloatArray,
    height_cm: FloatArray,
    position: npt.NDArray[np.str_],
) -> Recorded:
    """The recorder of each visit, and the values as the poor kader wrote them."""
    rng = np.random.default_rng(seed + SEED_OFFSET + 1)
    poor = rng.choice(n_posyandu, size=POOR_POSYANDU, replace=False)
    at_poor = np.isin(posyandu, poor)
    draw = rng.random(posyandu.shape[0])
    slot = np.where(
        at_poor,
        np.searchsorted(np.cumsum(POOR_RECORDER_SHARES), draw, side="right"),
        np.searchsorted(np.cumsum(RECORDER_SHARES), draw, side="right"),
    ).astype(np.int64)
    slot = np.minimum(slot, KADER_PER_POSYANDU - 1)
    weight, height, pos = weight_kg.copy(), height_cm.copy(), position.copy()
    sloppy = at_poor & (slot == POOR_KADER)
    weight[sloppy] = np.round(weight[sloppy] * 2) / 2
    # Standing is shorter than lying: the board shows the standing height.
    can_stand = (age_days >= VISIT_PLAUSIBILITY.standing_min_age_days) & (
        age_days < LENGTH_HEIGHT_SWITCH_DAYS
    )
    standing = sloppy & can_stand & (pos == "l") & (rng.random(pos.shape[0]) < STANDING_INFANT_RATE)
    height[standing] -= WHO_MEASURING.lying_standing_diff_cm
    pos[standing] = "h"
    height[sloppy] = np.round(height[sloppy])
    slips = rng.choice(
        np.nonzero(sloppy)[0], size=min(TYPING_SLIPS, int(sloppy.sum())), replace=False
    )
    light = slips[weight[slips] < 10][: TYPING_SLIPS // 2]
    weight[light] += 10
    low, high = (float(x) for x in HARD_LIMITS.height_cm)
    for i in np.setdiff1d(slips, light).tolist():
        # Two digits swapped (75 -> 57): still a length the form accepts.
        swapped = float(str(int(height[i]))[::-1])
        if low <= swapped <= high:
            height[i] = swapped
    return Recorded(slot, weight, height, pos, poor.astype(np.int64))
