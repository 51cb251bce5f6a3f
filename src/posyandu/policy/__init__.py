"""Every policy number and rule set of posyandu, each with its version and source.

Pure data (standard library only): the growth engine and every app read these
objects, and no module elsewhere compares a z-score, an age or a ratio to a
number of its own (``tests/test_policy_literals.py`` fails if one does).

- :mod:`posyandu.policy.growth`: WHO measuring rules, Permenkes 2/2020
  categories and report cut-offs, BGM, 2T, KBM tables, plausibility warnings;
- :mod:`posyandu.policy.programme`: the balita age limit, the D/S target and
  its colours, hard limits of typed values, PMT;
- :mod:`posyandu.policy.exchange`: how imported e-PPGBM files are read;
- :mod:`posyandu.policy.schedule`: versions in force from a date, and the
  administrator's choices among them.

Rules still to come each get a module of their own here: stunting case
classes (``cases``), kader pins and Posyandu-aktif rule sets (``cadres``), and
data-quality thresholds (``quality``).
"""

from posyandu.policy.exchange import EPPGBM_IMPORT, ImportRules
from posyandu.policy.growth import (
    BGM_RULE,
    CATEGORY_STANDARD,
    DAYS_PER_MONTH,
    DEFAULT_KBM_VERSION,
    KBM_SCHEDULE,
    KBM_VERSIONS,
    LENGTH_HEIGHT_SWITCH_DAYS,
    REPORT_CUTOFFS,
    TWO_T_RULE,
    TWO_T_SCHEDULE,
    VISIT_PLAUSIBILITY,
    WHO_MEASURING,
    KbmVersion,
    TwoTRule,
    kbm_version,
)
from posyandu.policy.programme import BALITA, DS_TARGET, HARD_LIMITS, PMT_RULE
from posyandu.policy.schedule import Choice, Schedule

__all__ = [
    "BALITA",
    "BGM_RULE",
    "CATEGORY_STANDARD",
    "DAYS_PER_MONTH",
    "DEFAULT_KBM_VERSION",
    "DS_TARGET",
    "EPPGBM_IMPORT",
    "HARD_LIMITS",
    "KBM_SCHEDULE",
    "KBM_VERSIONS",
    "LENGTH_HEIGHT_SWITCH_DAYS",
    "PMT_RULE",
    "REPORT_CUTOFFS",
    "TWO_T_RULE",
    "TWO_T_SCHEDULE",
    "VISIT_PLAUSIBILITY",
    "WHO_MEASURING",
    "Choice",
    "ImportRules",
    "KbmVersion",
    "Schedule",
    "TwoTRule",
    "kbm_version",
]
