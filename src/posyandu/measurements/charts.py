"""WHO growth charts as inline SVG, drawn on the server (no JavaScript).

Each chart has the −3…+3 SD lines from :mod:`posyandu.growth.curves`, the
KMS colour bands between them (green around the median, yellow towards the
extremes, red beyond −3 SD) and the child's points. Lengths are the adjusted
``height_adj_cm`` (standing under 2 years +0.7 cm, lying from 2 years
−0.7 cm), the value the z-scores were computed on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from posyandu.core.ui import decimal_comma
from posyandu.growth.curves import SD_LINE_Z, sd_lines
from posyandu.measurements.assessment import is_measured_lying
from posyandu.measurements.models import Visit
from posyandu.policy import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAYS

# Text size in SVG user units. On a 360 px phone the chart gets about 305 px
# (page and card padding), so a 400-unit-wide chart draws 14 units as 10.7 px:
# the smallest size a kader reads at arm's length (it was 6 px at 640 units).
CHART_WIDTH = 400
CHART_HEIGHT = 320
FONT_SIZE = 14.0
POINT_RADIUS = 6.0

# KMS colours. Bands are (z from, z to, fill); ±inf reaches the chart edge.
GREEN_DARK = "#bfe3b4"
GREEN = "#dcf0d5"
YELLOW = "#fff1b3"
RED = "#fbe1de"
_WEIGHT_BANDS = (
    (-math.inf, -3.0, RED),
    (-3.0, -2.0, YELLOW),
    (-2.0, -1.0, GREEN),
    (-1.0, 1.0, GREEN_DARK),
    (1.0, 2.0, GREEN),
    (2.0, 3.0, YELLOW),
)
# Tall is not a problem (Permenkes: normal up to +3 SD), so no warning colour above.
_LENGTH_BANDS = (
    (-math.inf, -3.0, RED),
    (-3.0, -2.0, YELLOW),
    (-2.0, -1.0, GREEN),
    (-1.0, 1.0, GREEN_DARK),
    (1.0, 3.0, GREEN),
)
_HEAD_BANDS = (
    (-math.inf, -3.0, RED),
    (-3.0, -2.0, YELLOW),
    (-2.0, -1.0, GREEN),
    (-1.0, 1.0, GREEN_DARK),
    (1.0, 2.0, GREEN),
    (2.0, 3.0, YELLOW),
    (3.0, math.inf, RED),
)
_LINE_STYLE = {
    -3.0: ("#b3261e", 1.6),
    -2.0: ("#d08a00", 1.3),
    -1.0: ("#6aa35b", 0.8),
    0.0: ("#1f6e35", 2.0),
    1.0: ("#6aa35b", 0.8),
    2.0: ("#d08a00", 1.3),
    3.0: ("#b3261e", 1.6),
}


@dataclass(frozen=True)
class ChartSpec:
    indicator: str  # the WHO table: wfa, lhfa, wfl, wfh, hcfa
    title: str
    x_label: str
    y_label: str
    by_age: bool
    bands: tuple[tuple[float, float, str], ...]


def chart_specs() -> dict[str, ChartSpec]:
    age = _("Umur (bulan)")
    return {
        "wfa": ChartSpec(
            "wfa", _("Berat badan menurut umur (BB/U)"), age, _("Berat (kg)"), True, _WEIGHT_BANDS
        ),
        "lhfa": ChartSpec(
            "lhfa",
            _("Panjang/tinggi badan menurut umur (PB/U, TB/U)"),
            age,
            _("Panjang/tinggi (cm)"),
            True,
            _LENGTH_BANDS,
        ),
        "wfl": ChartSpec(
            "wfl",
            _("Berat badan menurut panjang badan (BB/PB, 0–2 tahun)"),
            _("Panjang badan (cm)"),
            _("Berat (kg)"),
            False,
            _WEIGHT_BANDS,
        ),
        "wfh": ChartSpec(
            "wfh",
            _("Berat badan menurut tinggi badan (BB/TB, 2–5 tahun)"),
            _("Tinggi badan (cm)"),
            _("Berat (kg)"),
            False,
            _WEIGHT_BANDS,
        ),
        "hcfa": ChartSpec(
            "hcfa",
            _("Lingkar kepala menurut umur (LK/U)"),
            age,
            _("Lingkar kepala (cm)"),
            True,
            _HEAD_BANDS,
        ),
    }


@dataclass(frozen=True)
class Point:
    x: float  # months for age charts, cm for length charts
    y: float
    note: str


@dataclass
class Chart:
    spec: ChartSpec
    sex: int
    points: list[Point]
    x_min: float
    x_max: float
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    margin: tuple[int, int, int, int] = (12, 30, 42, 56)  # top, right, bottom, left
    font_size: float = FONT_SIZE
    y_min: float = field(init=False)
    y_max: float = field(init=False)
    lines: dict[float, tuple[np.ndarray, np.ndarray]] = field(init=False)

    def __post_init__(self) -> None:
        x_values = _sample_x(self.spec, self.x_min, self.x_max)
        table_x = x_values * DAYS_PER_MONTH if self.spec.by_age else x_values
        raw = sd_lines(self.spec.indicator, self.sex, table_x)
        self.lines = {}
        for z in SD_LINE_Z:
            ys = np.asarray(raw[z], dtype=np.float64)
            keep = ~np.isnan(ys)
            self.lines[z] = (x_values[keep], ys[keep])
        lows = [float(np.nanmin(self.lines[-3.0][1]))] + [p.y for p in self.points]
        highs = [float(np.nanmax(self.lines[3.0][1]))] + [p.y for p in self.points]
        step = _nice_step(max(highs) - min(lows))
        self.y_min = max(0.0, math.floor(min(lows) / step) * step)
        self.y_max = math.ceil(max(highs) / step) * step

    # Pixel mapping; the y axis grows upwards.
    def px(self, x: float) -> float:
        top, right, bottom, left = self.margin
        span = self.width - left - right
        return left + (x - self.x_min) / (self.x_max - self.x_min) * span

    def py(self, y: float) -> float:
        top, right, bottom, left = self.margin
        span = self.height - top - bottom
        return self.height - bottom - (y - self.y_min) / (self.y_max - self.y_min) * span

    def visible_points(self) -> list[Point]:
        return [
            p
            for p in self.points
            if self.x_min <= p.x <= self.x_max and self.y_min <= p.y <= self.y_max
        ]

    def svg(self) -> SafeString:
        return mark_safe("".join(self._svg_parts()))

    def _svg_parts(self) -> Iterable[str]:
        top, right, bottom, left = self.margin
        w, h = self.width, self.height
        title = escape(self.spec.title)
        yield (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
            f'class="growth-chart" data-indicator="{self.spec.indicator}" role="img" '
            f'aria-label="{title}"><title>{title}</title>'
        )
        yield from self._bands()
        # One font size for every label, set once on the group around them.
        yield f'<g font-size="{self.font_size:g}" fill="#1d2a33">'
        yield from self._grid()
        for z in SD_LINE_Z:
            xs, ys = self.lines[z]
            colour, width = _LINE_STYLE[z]
            dash = ' stroke-dasharray="4 3"' if abs(z) == 1.0 else ""
            yield (
                f'<polyline class="sd-line" data-z="{z:g}" fill="none" stroke="{colour}" '
                f'stroke-width="{width}"{dash} points="{self._path(xs, ys)}"/>'
            )
        yield from self._sd_labels()
        yield (
            f'<rect x="{left}" y="{top}" width="{w - left - right}" '
            f'height="{h - top - bottom}" fill="none" stroke="#55636b" stroke-width="1"/>'
        )
        yield (
            f'<text x="{left + (w - left - right) / 2:.1f}" y="{h - 5}" '
            f'text-anchor="middle">{escape(self.spec.x_label)}</text>'
        )
        yield (
            f'<text transform="translate({self.font_size:g} '
            f'{top + (h - top - bottom) / 2:.1f}) rotate(-90)" '
            f'text-anchor="middle">{escape(self.spec.y_label)}</text>'
        )
        yield "</g>"
        yield from self._child()
        yield "</svg>"

    def _sd_labels(self) -> Iterable[str]:
        """−3…+3 at the right end of each line, nudged apart where lines crowd
        (length-for-age lines end about one label height apart)."""
        top, _right, bottom, _left = self.margin
        ends = [(z, self.lines[z]) for z in SD_LINE_Z if len(self.lines[z][0])]
        if not ends:
            return
        gap = self.font_size * 0.85
        half = self.font_size * 0.35  # baseline below the line's end: centred on it
        ys = [self.py(float(line[1][-1])) + half for _z, line in ends]  # from −3 upwards
        for i in range(1, len(ys)):
            ys[i] = min(ys[i], ys[i - 1] - gap)
        ys[-1] = max(ys[-1], top + self.font_size * 0.8)
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = max(ys[i], ys[i + 1] + gap)
        for (z, (xs, _ys)), y in zip(ends, ys, strict=True):
            colour = _LINE_STYLE[z][0]
            label = "0" if z == 0 else f"{z:+g}".replace("-", "−")
            yield (
                f'<text x="{self.px(float(xs[-1])) + 3:.1f}" y="{y:.1f}" '
                f'fill="{colour}">{label}</text>'
            )

    def _path(self, xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray) -> str:
        return " ".join(
            f"{self.px(float(x)):.1f},{self.py(float(y)):.1f}" for x, y in zip(xs, ys, strict=True)
        )

    def _edge(self, z: float) -> tuple[np.ndarray, np.ndarray]:
        """The line at ``z``, or the chart's floor/ceiling for ±infinity."""
        xs = self.lines[0.0][0]
        if z == -math.inf:
            return xs, np.full(len(xs), self.y_min)
        if z == math.inf:
            return xs, np.full(len(xs), self.y_max)
        return self.lines[z]

    def _bands(self) -> Iterable[str]:
        """Paint from the top band down, each filling from its upper line to
        the floor: the next band covers the part below, and every line is
        written once instead of twice."""
        floor = self.py(self.y_min)
        for _z_low, z_high, fill in reversed(self.spec.bands):
            xs, ys = self._edge(z_high)
            if not len(xs):
                continue
            ys = np.clip(ys, self.y_min, self.y_max)
            corners = (
                f"{self.px(float(xs[-1])):.1f},{floor:.1f} {self.px(float(xs[0])):.1f},{floor:.1f}"
            )
            yield f'<polygon class="band" fill="{fill}" points="{self._path(xs, ys)} {corners}"/>'

    def _grid(self) -> Iterable[str]:
        top, right, bottom, left = self.margin
        x_step, x_label_every = _x_ticks(self.spec, self.x_max - self.x_min)
        x = math.ceil(self.x_min / x_step) * x_step
        while x <= self.x_max + 1e-9:
            px = self.px(x)
            labelled = abs(x / x_label_every - round(x / x_label_every)) < 1e-9
            stroke = "#9aa7b0" if labelled else "#d6dde2"
            yield (
                f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{self.height - bottom}" '
                f'stroke="{stroke}" stroke-width="0.5"/>'
            )
            if labelled:
                yield (
                    f'<text x="{px:.1f}" y="{self.height - bottom + self.font_size + 2:g}" '
                    f'text-anchor="middle">{_num(x)}</text>'
                )
            x += x_step
        y_step = _nice_step(self.y_max - self.y_min)
        y = self.y_min
        while y <= self.y_max + 1e-9:
            py = self.py(y)
            yield (
                f'<line x1="{left}" y1="{py:.1f}" x2="{self.width - right}" y2="{py:.1f}" '
                f'stroke="#9aa7b0" stroke-width="0.5"/>'
                f'<text x="{left - 4}" y="{py + self.font_size * 0.35:.1f}" '
                f'text-anchor="end">{_num(y)}</text>'
            )
            y += y_step

    def _child(self) -> Iterable[str]:
        points = self.visible_points()
        if len(points) > 1:
            yield (
                '<polyline class="child-line" fill="none" stroke="#1d2a33" stroke-width="2" '
                f'points="{self._path([p.x for p in points], [p.y for p in points])}"/>'
            )
        for p in points:
            yield (
                f'<circle class="child-point" cx="{self.px(p.x):.1f}" cy="{self.py(p.y):.1f}" '
                f'r="{POINT_RADIUS:g}" fill="#1d2a33" stroke="#fff" stroke-width="2">'
                f"<title>{escape(p.note)}</title></circle>"
            )


def _num(value: float) -> str:
    return decimal_comma(f"{value:g}")


def _nice_step(span: float) -> float:
    """A 1/2/5 × 10^n step giving about 8–12 grid lines over ``span``."""
    raw = max(span, 1e-6) / 10
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _x_ticks(spec: ChartSpec, span: float) -> tuple[float, float]:
    """(grid step, label every) in months or cm."""
    if spec.by_age:
        return (1.0, 3.0) if span <= 24 else (2.0, 6.0)
    # A label every 5 cm would touch its neighbour ("100" is 2 label heights wide).
    return (1.0, 10.0) if span > 40 else (1.0, 5.0)


def _sample_x(spec: ChartSpec, x_min: float, x_max: float) -> np.ndarray:
    if not spec.by_age:
        return np.arange(x_min, x_max + 0.001, 1.0)
    # Curves bend sharply in the first months: sample weekly there, monthly
    # later (straight segments between months are within a pixel), which
    # keeps the page light on a slow connection.
    months = np.concatenate(
        [np.arange(0.0, 3.0, 0.25), np.arange(3.0, 12.0, 0.5), np.arange(12.0, 61.0, 1.0)]
    )
    months = np.union1d(months[months <= x_max], [x_max])
    if spec.indicator == "lhfa" and x_min * DAYS_PER_MONTH < LENGTH_HEIGHT_SWITCH_DAYS:
        # Length (lying) turns into height (standing) at the switch: draw the step.
        step_months = (
            np.array([LENGTH_HEIGHT_SWITCH_DAYS - 1, LENGTH_HEIGHT_SWITCH_DAYS]) / DAYS_PER_MONTH
        )
        months = np.union1d(months, step_months[step_months <= x_max])
    return months[(months >= x_min) & (months <= x_max)]


def _kg(visit: Visit) -> str:
    return _num(float(visit.weight_kg)) if visit.weight_kg is not None else ""


def _date(visit: Visit) -> str:
    return visit.measured_on.strftime("%d/%m/%Y")


def chart_legend() -> list[tuple[str, str]]:
    """(fill, text) of each colour band, each range named with both of its signs:
    "2…3 SD" read as a weight above +2 SD or below −2 SD, or as either."""
    return [
        (GREEN_DARK, _("antara −1 SD dan +1 SD")),
        (
            GREEN,
            _(
                "antara −2 SD dan −1 SD; di atas +1 SD sampai +2 SD (berat) "
                "atau sampai +3 SD (panjang/tinggi)"
            ),
        ),
        (YELLOW, _("antara −3 SD dan −2 SD; untuk berat juga antara +2 SD dan +3 SD")),
        (RED, _("di bawah −3 SD (garis merah); lingkar kepala juga di atas +3 SD")),
    ]


def child_charts(*, sex: int, age_days_now: int, visits: Sequence[Visit]) -> list[Chart]:
    """The charts of a child's page: BB/U, PB/U-TB/U, BB/PB and/or BB/TB, LK/U.

    BB/PB holds the visits under 731 days and BB/TB those from 731 days; a
    child with visits on both sides of 2 years gets both charts. LK/U only
    when the head was measured at least once: most Posyandu never measure it,
    and an empty chart costs a phone about 12 KB for nothing.
    """
    specs = chart_specs()
    oldest_days = max([age_days_now, *(v.age_days for v in visits)])
    age_end = 24.0 if oldest_days <= 24 * DAYS_PER_MONTH else 60.0

    def months(v: Visit) -> float:
        return v.age_days / DAYS_PER_MONTH

    wfa = [
        Point(months(v), float(v.weight_kg), f"{_date(v)}: {_kg(v)} kg")
        for v in visits
        if v.weight_kg is not None
    ]
    lhfa = [
        Point(months(v), v.height_adj_cm, f"{_date(v)}: {_num(round(v.height_adj_cm, 1))} cm")
        for v in visits
        if v.height_adj_cm is not None
    ]
    wflh = [
        (
            v,
            Point(
                v.height_adj_cm,
                float(v.weight_kg),
                f"{_date(v)}: {_kg(v)} kg, {_num(round(v.height_adj_cm, 1))} cm",
            ),
        )
        for v in visits
        if v.weight_kg is not None and v.height_adj_cm is not None
    ]
    hcfa = [
        Point(months(v), float(v.head_cm), f"{_date(v)}: {_num(float(v.head_cm))} cm")
        for v in visits
        if v.head_cm is not None
    ]
    wfl = [p for v, p in wflh if is_measured_lying(v.age_days)]
    wfh = [p for v, p in wflh if not is_measured_lying(v.age_days)]

    charts = [
        Chart(specs["wfa"], sex, wfa, 0.0, age_end),
        Chart(specs["lhfa"], sex, lhfa, 0.0, age_end),
    ]
    show_wfl = bool(wfl) or (not wfh and is_measured_lying(age_days_now))
    show_wfh = bool(wfh) or (not wfl and not is_measured_lying(age_days_now))
    if show_wfl:
        charts.append(Chart(specs["wfl"], sex, wfl, 45.0, 110.0))
    if show_wfh:
        charts.append(Chart(specs["wfh"], sex, wfh, 65.0, 120.0))
    if hcfa:
        charts.append(Chart(specs["hcfa"], sex, hcfa, 0.0, age_end))
    return charts


def weight_for_age_chart(*, sex: int, age_days_now: int, visits: Sequence[Visit]) -> Chart:
    """The KMS card's chart: weight-for-age only, large."""
    oldest_days = max([age_days_now, *(v.age_days for v in visits)])
    age_end = 24.0 if oldest_days <= 24 * DAYS_PER_MONTH else 60.0
    points = [
        Point(v.age_days / DAYS_PER_MONTH, float(v.weight_kg), f"{_date(v)}: {_kg(v)} kg")
        for v in visits
        if v.weight_kg is not None
    ]
    # Printed on A4 the card is about 700 px wide: the chart prints at about its own size.
    return Chart(chart_specs()["wfa"], sex, points, 0.0, age_end, width=700, height=480)
