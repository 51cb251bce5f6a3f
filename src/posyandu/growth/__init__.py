"""The WHO 2006 growth engine: pure numpy, no Django, no project imports."""

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
    "compute_zscores",
    "describe_problems",
    "months_to_days",
    "zscores_for_child",
]
