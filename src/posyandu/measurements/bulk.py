"""Many visits at once: derived fields in whole arrays, rows inserted fast.

The demo city and the e-PPGBM import both store tens of thousands of visits.
Saving each through :func:`posyandu.measurements.services.record_visit` would
take minutes; here the same engine functions the service uses (z-scores,
flags, Permenkes categories, BGM, N/T/O/B and 2T by
:func:`posyandu.growth.weight_gain.weight_gain_series`, warnings worded by
:func:`posyandu.measurements.assessment.assess`) run over all rows at once,
so what is stored is what the service would have stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.db import connection, models
from django.utils import timezone

from posyandu.core.policy_in_force import PoliciesInForce
from posyandu.growth import compute_zscores
from posyandu.growth.classify import CLASSIFIED_INDICATORS, classify_codes
from posyandu.growth.weight_gain import is_bgm, weight_gain_series
from posyandu.measurements.assessment import STORED_INDICATORS, assess
from posyandu.policy import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAYS, VISIT_PLAUSIBILITY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]

BATCH: Final = 2000


@dataclass
class VisitRows:
    """Visits as arrays, one element per visit, sorted by child then date.

    ``child`` only groups the rows (an index or a database id): a child's
    rows must be next to each other, earliest first.
    """

    child: IntArray
    sex: IntArray
    birth: DateArray
    measured_on: DateArray
    weight_kg: FloatArray
    height_cm: FloatArray
    position: npt.NDArray[np.str_]
    oedema: BoolArray
    head_cm: FloatArray
    muac_cm: FloatArray

    @property
    def age_days(self) -> IntArray:
        return (self.measured_on - self.birth).astype(np.int64)


def derive(v: VisitRows, policies: PoliciesInForce) -> dict[str, Any]:
    """Every derived Visit field, for all rows at once (arrays, warnings a list)."""
    z = compute_zscores(
        sex=v.sex,
        age_days=v.age_days,
        weight_kg=v.weight_kg,
        height_cm=v.height_cm,
        measure=v.position,
        oedema=v.oedema,
        head_cm=v.head_cm,
        muac_cm=v.muac_cm,
    )
    out: dict[str, Any] = {"height_adj_cm": z["height_adj_cm"]}
    for ind in STORED_INDICATORS:
        out[f"z_{ind}"] = z[f"z_{ind}"]
        out[f"flag_{ind}"] = z[f"flag_{ind}"] == 1.0
    for ind in CLASSIFIED_INDICATORS:
        out[f"cat_{ind}"] = classify_codes(ind, z[f"z_{ind}"])
    out["is_bgm"] = is_bgm(z["z_wfa"])
    series = weight_gain_series(
        child_ids=v.child,
        birth_date=v.birth,
        measured_on=v.measured_on,
        weight_kg=v.weight_kg,
        kbm_version=policies.kbm_version_ids(v.measured_on),
        two_t_months=policies.two_t_months(v.measured_on),
    )
    out.update(
        weight_gain=series.status,
        weight_gain_g=series.gain_g,
        kbm_g=series.kbm_g,
        is_2t=series.is_2t,
    )
    out["warnings"] = warnings(v, out)
    return out


def _num(arr: FloatArray, idx: int | None) -> float | None:
    if idx is None:
        return None
    value = float(arr[idx])
    return None if value != value else value


def warnings(v: VisitRows, d: dict[str, Any]) -> list[list[dict[str, str]]]:
    """The visit service's warnings: found in bulk, worded by ``assess``.

    A cheap, generous test picks the few visits that may warn; only those go
    through the service's own :func:`assess`, which decides and words them.
    """
    k = v.child.shape[0]
    flagged = np.zeros(k, dtype=bool)
    for ind in STORED_INDICATORS:
        flagged |= d[f"flag_{ind}"]
    young = v.age_days < LENGTH_HEIGHT_SWITCH_DAYS
    wrong_position = (young & (v.position == "h")) | (~young & (v.position == "l"))
    has_prev = np.zeros(k, dtype=bool)
    has_prev[1:] = v.child[1:] == v.child[:-1]
    prev_adj = np.full(k, np.nan)
    prev_adj[1:] = d["height_adj_cm"][:-1]
    prev_weight = np.full(k, np.nan)
    prev_weight[1:] = v.weight_kg[:-1]
    prev_date = np.empty(k, dtype="datetime64[D]")
    prev_date[0] = v.measured_on[0] if k else np.datetime64("NaT")
    prev_date[1:] = v.measured_on[:-1]
    rules = VISIT_PLAUSIBILITY
    interval_months = (v.measured_on - prev_date).astype(np.float64) / DAYS_PER_MONTH
    # 5% slack: rounding must never hide a visit that assess() would warn about.
    with np.errstate(invalid="ignore"):
        shrink = has_prev & (d["height_adj_cm"] < prev_adj - 0.95 * rules.max_length_shrink_cm)
        change = v.weight_kg - prev_weight
        jump = has_prev & (
            (change > 0.95 * rules.max_gain_kg_per_month * np.maximum(interval_months, 1.0))
            | (-change > 0.95 * rules.max_loss_fraction * prev_weight)
        )
    candidates = np.nonzero(flagged | wrong_position | shrink | jump)[0]
    result: list[list[dict[str, str]]] = [[] for _ in range(k)]
    for i in candidates.tolist():
        prev = i - 1 if has_prev[i] else None
        assessment = assess(
            sex=int(v.sex[i]),
            birth_date=v.birth[i].astype(object),
            measured_on=v.measured_on[i].astype(object),
            weight_kg=_num(v.weight_kg, i),
            height_cm=_num(v.height_cm, i),
            position=str(v.position[i]),
            oedema=bool(v.oedema[i]),
            head_cm=_num(v.head_cm, i),
            muac_cm=_num(v.muac_cm, i),
            previous_height_adj_cm=_num(d["height_adj_cm"], prev),
            previous_weight_kg=_num(v.weight_kg, prev),
            previous_measured_on=None if prev is None else v.measured_on[prev].astype(object),
        )
        result[i] = [{"code": w.code, "message": w.message} for w in assessment.warnings]
    return result


def derived_columns(d: dict[str, Any], keep: BoolArray | None = None) -> dict[str, list[Any]]:
    """The derived fields as Visit columns in driver form (rows where ``keep``)."""

    def pick(values: Any) -> Any:
        return values if keep is None else values[keep]

    floats = {
        name: [None if x != x else x for x in pick(d[name]).tolist()]
        for name in ("height_adj_cm", *(f"z_{ind}" for ind in STORED_INDICATORS))
    }
    warned = d["warnings"]
    if keep is not None:
        warned = [w for w, k in zip(warned, keep.tolist(), strict=True) if k]
    return {
        "weight_gain": pick(d["weight_gain"]).tolist(),
        "weight_gain_g": [None if x != x else int(x) for x in pick(d["weight_gain_g"]).tolist()],
        "kbm_g": [None if x != x else int(x) for x in pick(d["kbm_g"]).tolist()],
        "is_2t": pick(d["is_2t"]).tolist(),
        "is_bgm": pick(d["is_bgm"]).tolist(),
        **{f"flag_{ind}": pick(d[f"flag_{ind}"]).tolist() for ind in STORED_INDICATORS},
        **{f"cat_{ind}": pick(d[f"cat_{ind}"]).tolist() for ind in CLASSIFIED_INDICATORS},
        "warnings": [json.dumps(w) for w in warned],
        # Values measured before they reached the system: their warnings are a
        # record of what was found, not a question to the kader at the table.
        "warnings_confirmed": [bool(w) for w in warned],
        **floats,
    }


# --- the database driver's forms -------------------------------------------------------


def as_dates(days: npt.ArrayLike) -> list[dt.date]:
    return np.asarray(days, dtype="datetime64[D]").astype(object).tolist()  # type: ignore[no-any-return]


def adapt_dates(days: DateArray) -> list[Any]:
    """Dates as the database driver takes them, adapting each distinct day once."""
    unique, inverse = np.unique(days.astype("datetime64[D]"), return_inverse=True)
    adapted = [connection.ops.adapt_datefield_value(d) for d in as_dates(unique)]
    return [adapted[i] for i in inverse.tolist()]


def adapted_now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def decimals(values: FloatArray, places: int) -> list[Decimal | float | None]:
    """Values for a DecimalField column, NaN as NULL.

    SQLite stores a decimal as a number (NUMERIC affinity) whatever is bound,
    so the rounded float gives the stored value Django's own "8.20" would,
    without a Python adapter call per value; other databases get Decimals.
    """
    rounded = np.round(values, places)
    if connection.vendor == "sqlite":
        return [None if v != v else v for v in rounded.tolist()]
    fmt = f"{{:.{places}f}}"
    return [None if v != v else Decimal(fmt.format(v)) for v in rounded.tolist()]


def batched(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(
    model: type[models.Model], k: int, columns: dict[str, list[Any]], constants: dict[str, Any]
) -> int:
    """Insert many rows fast: COPY on PostgreSQL, ``executemany`` elsewhere.

    ``bulk_create`` builds and prepares one model instance per row: for the
    ~150 000 visits of the full demo that alone took most of a minute. Every
    value here is already in the form the database driver takes, and the
    column list comes from the model, so a field without a value fails loudly.
    """
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.column for f in concrete]
    missing = set(names) - set(columns) - set(constants)
    extra = (set(columns) | set(constants)) - set(names)
    if missing or extra:
        raise RuntimeError(f"{model.__name__}: missing {sorted(missing)}, unknown {sorted(extra)}")
    sources = [
        columns[name] if name in columns else itertools.repeat(constants[name], k) for name in names
    ]
    rows = zip(*sources, strict=False)  # lazily: one batch of tuples at a time
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg's executemany costs a round trip per row, and a
            # multi-row INSERT a slow parse of its thousands of placeholders.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return k
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(names))})"
        while batch := list(itertools.islice(rows, BATCH * 10)):
            cursor.executemany(sql, batch)
    return k
