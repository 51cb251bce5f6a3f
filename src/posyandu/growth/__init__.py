"""The WHO 2006 growth engine: pure numpy, no Django; its numbers come from posyandu.policy."""

from posyandu.growth.classify import (
    classify_codes,
    indicator_name,
    is_overweight,
    is_stunted,
    is_underweight,
    is_wasted,
    label,
)
from posyandu.growth.curves import measurement_at_z, sd_lines
from posyandu.growth.weight_gain import (
    completed_months,
    detect_2t,
    is_bgm,
    kbm_grams,
    weight_gain_series,
    weight_gain_status,
)
from posyandu.growth.zscores import (
    INDICATORS,
    Problem,
    compute_zscores,
    describe_problems,
    months_to_days,
    zscores_for_child,
)

__all__ = [
    "INDICATORS",
    "Problem",
    "classify_codes",
    "completed_months",
    "compute_zscores",
    "describe_problems",
    "detect_2t",
    "indicator_name",
    "is_bgm",
    "is_overweight",
    "is_stunted",
    "is_underweight",
    "is_wasted",
    "kbm_grams",
    "label",
    "measurement_at_z",
    "months_to_days",
    "sd_lines",
    "weight_gain_series",
    "weight_gain_status",
    "zscores_for_child",
]
