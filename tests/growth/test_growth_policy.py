"""The policy configuration: versioned, sourced, and checked when built."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from posyandu import policy
from posyandu.policy import KBM_SCHEDULE, Choice
from posyandu.policy.growth import (
    BGM_RULE,
    KBM_VERSIONS,
    PERMENKES_2_2020,
    TWO_T_RULE,
    Category,
    IndicatorCategories,
    KbmBand,
    KbmVersion,
    kbm_version,
)


def test_every_kbm_version_names_its_source_and_start_date() -> None:
    for version_id, version in KBM_VERSIONS.items():
        assert version.version_id == version_id
        assert version.source
        assert isinstance(version.start_date, date)
        assert version.last_month == 60


def test_kbm_grams_by_month_read_from_the_bands() -> None:
    assert kbm_version("kms-2008").grams_for_month(7) == 400
    assert kbm_version("kia-2023").grams_for_month(7) == 300
    assert kbm_version("kia-2023").grams_for_month(0) is None


def test_the_newer_kbm_table_applies_from_2023() -> None:
    assert KBM_SCHEDULE.in_force(date(2022, 12, 31)).version_id == "kms-2008"
    assert KBM_SCHEDULE.in_force(date(2024, 6, 1)).version_id == "kia-2023"
    with pytest.raises(ValueError, match="no kbm version in force"):
        KBM_SCHEDULE.in_force(date(2000, 1, 1))


def test_an_administrators_choice_holds_from_its_date_until_a_later_one() -> None:
    choices = [
        Choice("kms-2008", date(2025, 1, 1)),
        Choice("kia-2023", date(2026, 1, 1)),
    ]
    assert KBM_SCHEDULE.in_force(date(2024, 12, 31), choices).version_id == "kia-2023"
    assert KBM_SCHEDULE.in_force(date(2025, 1, 1), choices).version_id == "kms-2008"
    assert KBM_SCHEDULE.in_force(date(2025, 12, 31), choices).version_id == "kms-2008"
    assert KBM_SCHEDULE.in_force(date(2026, 1, 1), choices).version_id == "kia-2023"


def test_a_choice_of_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kbm version"):
        KBM_SCHEDULE.in_force(date(2025, 1, 1), [Choice("kms-1999", date(2025, 1, 1))])


def test_policy_objects_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        BGM_RULE.wfa_z_below = -2.0  # type: ignore[misc]


def test_a_kbm_table_with_a_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="without gaps"):
        KbmVersion("bad", date(2024, 1, 1), "test", (KbmBand(1, 5, 800), KbmBand(7, 60, 200)))


def test_categories_whose_bounds_do_not_rise_are_refused() -> None:
    with pytest.raises(ValueError, match="rise"):
        IndicatorCategories(
            "wfa",
            "BB/U",
            "Weight-for-age",
            (Category("a", 1.0, True, "A", "A"), Category("b", -1.0, True, "B", "B")),
        )


def test_the_regulation_and_kms_rules_are_sourced() -> None:
    assert "Nomor 2 Tahun 2020" in PERMENKES_2_2020.source
    assert [c.indicator for c in PERMENKES_2_2020.indicators] == ["wfa", "lhfa", "wflh", "bfa"]
    assert BGM_RULE.wfa_z_below == -3.0
    assert TWO_T_RULE.consecutive_months == 2
    assert policy.REPORT_CUTOFFS.stunted_lhfa_below == -2.0


def test_visit_plausibility_warnings_are_sourced_project_choices() -> None:
    rules = policy.VISIT_PLAUSIBILITY
    assert "Project choice" in rules.source
    # Nine months, as WHO's anthro package: 9 × 30.4375 days, rounded up.
    assert rules.standing_min_age_days == 274
    assert 0 < rules.max_loss_fraction < 1
