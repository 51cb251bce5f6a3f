"""One rule, one place: no app module repeats a policy number of posyandu.policy.

The policy module holds every cut-off, age limit, target and table with its
source; app code reads those objects. This test reads the source of every
module and template outside ``posyandu/policy`` and fails on the literals a
maintainer changing a rule would miss: the WHO switch and age limits, the
days of a month, a z-score compared to a number, a D/S colour band, a hard
limit typed in as a Decimal.
"""

from __future__ import annotations

import re
from pathlib import Path

import posyandu

PACKAGE = Path(posyandu.__file__).parent

FORBIDDEN = {
    "the length/height switch (731 days)": re.compile(r"(?<![\d.])(730|731)(?![\d.])"),
    "WHO's age limit or the balita limit in days": re.compile(
        r"(?<![\d.])(1856|1857|1818|1826)(?![\d.])"
    ),
    "the balita limit as 5 years of 366 days": re.compile(r"5\s*\*\s*366|366\s*\*\s*5"),
    "WHO's days per month": re.compile(r"30\.4375"),
    "a z-score compared to a number": re.compile(
        r"\bz(_\w+)?(\[[^\]]*\])?[\)\]]*\s*[<>]=?\s*[-+]?\d"
    ),
    "a D/S colour band": re.compile(r"d_over_s\s*[<>]=?\s*0?\.\d"),
    "a hard limit typed in": re.compile(r"Decimal\(\"\d+(\.\d+)?\"\)"),
}

# The policy data itself, and generated files, may hold the numbers.
ALLOWED = ("policy/", "migrations/", "growth/data/", "locale/")
# WHO's algorithm inside the engine: the restricted method works on the ±3 SD
# curves of the standard itself, which no ministry can change.
ALGORITHM = {"a z-score compared to a number": ("growth/zscores.py", "growth/curves.py")}


def _sources() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]
    return [
        f for f in files if not any(part in f.relative_to(PACKAGE).as_posix() for part in ALLOWED)
    ]


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Lines of code, without comments and docstring prose (which may cite a rule)."""
    lines = []
    in_docstring = False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if path.suffix == ".py":
            quotes = stripped.count('"""')
            if in_docstring or stripped.startswith('"""'):
                if quotes == 1:
                    in_docstring = not in_docstring
                continue
            line = line.split("#", 1)[0]
        lines.append((number, line))
    return lines


def test_no_app_module_holds_a_policy_literal() -> None:
    found = []
    for path in _sources():
        for number, line in _code_lines(path):
            for what, pattern in FORBIDDEN.items():
                if path.relative_to(PACKAGE).as_posix() in ALGORITHM.get(what, ()):
                    continue
                if pattern.search(line):
                    found.append(f"{path.relative_to(PACKAGE)}:{number}: {what}: {line.strip()}")
    assert not found, "Use posyandu.policy instead:\n" + "\n".join(found)


def test_the_check_catches_each_kind_of_literal() -> None:
    samples = {
        "the length/height switch (731 days)": "if age_days < 731:",
        "WHO's age limit or the balita limit in days": "BALITA_MAX_AGE_DAYS = 1856",
        "the balita limit as 5 years of 366 days": "MAX = 5 * 366",
        "WHO's days per month": "months = days / 30.4375",
        "a z-score compared to a number": 'visit.is_bgm = z["wfa"] < -3',
        "a D/S colour band": "{% if c.d_over_s >= 0.8 %}",
        "a hard limit typed in": '"weight_kg": (Decimal("0.5"), Decimal("40")),',
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    assert not FORBIDDEN["a z-score compared to a number"].search("zoom < 3")
