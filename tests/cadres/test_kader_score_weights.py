"""The kader-of-the-year score as a pure function of its four components."""

from __future__ import annotations

import datetime as dt

import pytest

from posyandu.policy.posyandu_aktif import KADER_SCORE_2025, KaderScoreWeights
from posyandu.policy.quality import Rating

EQUAL = KaderScoreWeights(
    version_id="test-equal",
    start_date=dt.date(2025, 1, 1),
    source="test",
    attendance=1.0,
    data=1.0,
    skills=1.0,
    home_visits=1.0,
    home_visits_for_full_marks=10,
    quality_by_rating=(1.0, 0.75, 0.5, 0.0),
)


def test_equal_weights_give_the_plain_mean_of_the_components() -> None:
    # (0.5 + 1.0 + 0.2 + 4/10) / 4 = 2.1 / 4 = 0.525
    score = EQUAL.score(attendance=0.5, data=1.0, skills=0.2, home_visit_count=4)
    assert score == pytest.approx(52.5)


def test_home_visits_beyond_full_marks_count_as_full() -> None:
    assert EQUAL.home_visit_component(25) == 1.0
    assert EQUAL.score(attendance=0, data=0, skills=0, home_visit_count=25) == pytest.approx(25.0)


def test_the_default_weights_computed_by_hand() -> None:
    # 0.35*0.9 + 0.30*0.8 + 0.20*(10/25) + 0.15*(6/12) = 0.315 + 0.24 + 0.08 + 0.075 = 0.71
    score = KADER_SCORE_2025.score(attendance=0.9, data=0.8, skills=10 / 25, home_visit_count=6)
    assert score == pytest.approx(71.0)


def test_a_component_outside_zero_to_one_or_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="attendance"):
        EQUAL.score(attendance=1.2, data=0, skills=0, home_visit_count=0)
    with pytest.raises(ValueError, match="weights"):
        KaderScoreWeights(
            version_id="bad",
            start_date=dt.date(2025, 1, 1),
            source="test",
            attendance=0,
            data=0,
            skills=0,
            home_visits=0,
            home_visits_for_full_marks=12,
            quality_by_rating=(1.0, 0.75, 0.5, 0.0),
        )


def test_the_data_part_is_completeness_alone_or_its_mean_with_the_quality_rating() -> None:
    assert KADER_SCORE_2025.data_component(0.8, None) == 0.8
    # Good (1) is worth 0.75: (0.8 + 0.75) / 2 = 0.775; problematic (3) is 0.
    assert KADER_SCORE_2025.data_component(0.8, int(Rating.GOOD)) == pytest.approx(0.775)
    assert KADER_SCORE_2025.data_component(0.8, int(Rating.PROBLEMATIC)) == pytest.approx(0.4)
