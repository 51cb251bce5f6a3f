"""The Posyandu-aktif rule, the strata rule set and the targets, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from posyandu.policy.posyandu_aktif import (
    AKTIF_ILP_2022,
    AKTIF_SCHEDULE,
    BALITA_STAGE,
    ELDERLY_STAGE,
    LIFE_STAGES,
    MADYA,
    MANDIRI,
    NO_CORE_SERVICE,
    NOT_OPEN_THIS_MONTH,
    PRATAMA,
    PREGNANT_STAGE,
    PRODUCTIVE_AGE_STAGE,
    PURNAMA,
    SCHOOL_AGE_STAGE,
    STRATA_2011,
    STRATA_LOW_DS,
    STRATA_LOW_HEALTH_FUND,
    STRATA_NO_EXTRA_PROGRAMME,
    STRATA_NOT_RECORDED,
    STRATA_SCHEDULE,
    STRATA_TOO_FEW_KADER_ON_DUTY,
    STRATA_TOO_FEW_OPENINGS,
    TOO_FEW_KADER,
    TOO_FEW_OPENINGS,
    AktifRule,
    StrataInputs,
)

RULE = AKTIF_ILP_2022


def test_a_posyandu_open_8_months_serving_balita_with_5_kader_is_aktif() -> None:
    assert RULE.year_reasons(months_open=8, stages_served={BALITA_STAGE}, kader=5) == []


def test_open_only_7_months_is_too_few_openings() -> None:
    assert RULE.year_reasons(months_open=7, stages_served={BALITA_STAGE}, kader=5) == [
        TOO_FEW_OPENINGS
    ]


def test_pregnant_women_alone_or_adolescents_alone_are_enough() -> None:
    assert RULE.year_reasons(months_open=12, stages_served={PREGNANT_STAGE}, kader=6) == []
    assert RULE.year_reasons(months_open=12, stages_served={SCHOOL_AGE_STAGE}, kader=6) == []


def test_serving_only_adults_and_elderly_is_no_core_service() -> None:
    served = {PRODUCTIVE_AGE_STAGE, ELDERLY_STAGE}
    assert RULE.year_reasons(months_open=12, stages_served=served, kader=6) == [NO_CORE_SERVICE]


def test_four_kader_is_too_few_kader() -> None:
    assert RULE.year_reasons(months_open=12, stages_served={BALITA_STAGE}, kader=4) == [
        TOO_FEW_KADER
    ]


def test_every_failing_condition_is_named_in_order() -> None:
    assert RULE.year_reasons(months_open=3, stages_served=set(), kader=0) == [
        TOO_FEW_OPENINGS,
        NO_CORE_SERVICE,
        TOO_FEW_KADER,
    ]


def test_a_month_without_an_opening_day_has_that_one_reason() -> None:
    assert RULE.month_reasons(opened=False, stages_served=set(), kader=9) == [NOT_OPEN_THIS_MONTH]
    assert RULE.month_reasons(opened=True, stages_served={ELDERLY_STAGE}, kader=4) == [
        NO_CORE_SERVICE,
        TOO_FEW_KADER,
    ]
    assert RULE.month_reasons(opened=True, stages_served={BALITA_STAGE}, kader=5) == []


def test_the_numbers_are_configurable() -> None:
    """A version with a 15-kader minimum (Permendagri 13/2024, if confirmed)."""
    stricter = AktifRule(
        version_id="test-15",
        start_date=dt.date(2025, 1, 1),
        source="test",
        min_openings_per_year=12,
        core_life_stages=frozenset({BALITA_STAGE, PREGNANT_STAGE}),
        min_core_stages_served=2,
        min_kader=15,
    )
    assert stricter.year_reasons(months_open=11, stages_served={BALITA_STAGE}, kader=14) == [
        TOO_FEW_OPENINGS,
        NO_CORE_SERVICE,
        TOO_FEW_KADER,
    ]
    assert (
        stricter.year_reasons(
            months_open=12, stages_served={BALITA_STAGE, PREGNANT_STAGE}, kader=15
        )
        == []
    )


def test_a_rule_naming_an_unknown_life_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown life stages"):
        AktifRule(
            version_id="bad",
            start_date=dt.date(2025, 1, 1),
            source="test",
            min_openings_per_year=8,
            core_life_stages=frozenset({"kucing"}),
            min_core_stages_served=1,
            min_kader=5,
        )


def test_the_rule_in_force_is_the_ilp_rule_from_2022_and_none_before() -> None:
    assert AKTIF_SCHEDULE.in_force(dt.date(2024, 1, 1)) is AKTIF_ILP_2022
    with pytest.raises(ValueError):
        AKTIF_SCHEDULE.in_force(dt.date(2021, 12, 31))
    assert STRATA_SCHEDULE.in_force(dt.date(2024, 1, 1)) is STRATA_2011


# --- strata --------------------------------------------------------------------


def full(**changes: object) -> StrataInputs:
    values: dict[str, object] = {
        "openings": 12,
        "mean_kader_on_duty": 5.0,
        "ds_ratio": 0.5,
        "kia_coverage": 0.5,
        "kb_coverage": 0.5,
        "immunisation_coverage": 0.5,
        "extra_programmes": True,
        "health_fund_coverage": 0.5,
    }
    values.update(changes)
    return StrataInputs(**values)  # type: ignore[arg-type]


def test_every_condition_at_its_threshold_is_mandiri() -> None:
    result = STRATA_2011.classify(full())
    assert (result.stratum, result.reasons_not_higher) == (MANDIRI, [])


def test_a_health_fund_under_half_is_purnama() -> None:
    result = STRATA_2011.classify(full(health_fund_coverage=0.49))
    assert (result.stratum, result.reasons_not_higher) == (PURNAMA, [STRATA_LOW_HEALTH_FUND])


def test_low_ds_or_no_extra_programme_is_madya() -> None:
    result = STRATA_2011.classify(full(ds_ratio=0.49, extra_programmes=False))
    assert (result.stratum, result.reasons_not_higher) == (
        MADYA,
        [STRATA_LOW_DS, STRATA_NO_EXTRA_PROGRAMME],
    )


def test_seven_openings_or_kader_under_five_on_duty_is_pratama() -> None:
    result = STRATA_2011.classify(full(openings=7, mean_kader_on_duty=4.9))
    assert (result.stratum, result.reasons_not_higher) == (
        PRATAMA,
        [STRATA_TOO_FEW_OPENINGS, STRATA_TOO_FEW_KADER_ON_DUTY],
    )


def test_a_figure_not_recorded_stops_the_climb_and_says_which() -> None:
    """The app records openings, kader on duty and D/S; not KIA, KB, immunisation."""
    result = STRATA_2011.classify(StrataInputs(openings=12, mean_kader_on_duty=6.0, ds_ratio=0.8))
    assert result.stratum == MADYA
    assert result.reasons_not_higher == [
        f"{STRATA_NOT_RECORDED}:kia",
        f"{STRATA_NOT_RECORDED}:kb",
        f"{STRATA_NOT_RECORDED}:immunisation",
        f"{STRATA_NOT_RECORDED}:extra_programmes",
    ]
    assert STRATA_2011.classify(
        StrataInputs(openings=12, mean_kader_on_duty=None, ds_ratio=None)
    ).reasons_not_higher == [f"{STRATA_NOT_RECORDED}:kader_on_duty"]


def test_the_recorded_life_stages_are_the_policy_codes_in_order() -> None:
    from posyandu.cadres.models import LifeStage

    assert tuple(LifeStage.values) == LIFE_STAGES
