"""``posyandu campaign | export | report``: the city's numbers as files, from the shell.

Each command works on the database of the current folder (or ``DATABASE_URL``)
with every area in view (the machine's administrator runs it). Bad arguments
(an unknown area or campaign, a malformed date) exit with status 2 and one
line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TextIO


class CommandProblem(Exception):
    """A bad argument: told in one line, exit status 2."""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    import django

    django.setup()


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandProblem(f"{option} {text!r} is not a date YYYY-MM-DD") from None


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandProblem(f"--month {text!r} is not a month YYYY-MM") from None


def _area(code: str) -> Any:
    from posyandu.areas.hierarchy import UnknownArea, find_area

    try:
        return find_area(code)
    except UnknownArea as exc:
        raise CommandProblem(str(exc)) from None


def _campaign(raw: str) -> Any:
    from posyandu.campaigns.models import Campaign

    campaign = (
        Campaign.objects.filter(pk=int(raw)).first() if raw.isascii() and raw.isdigit() else None
    )
    if campaign is None:
        raise CommandProblem(f"no campaign with id {raw!r}")
    return campaign


@contextmanager
def _output(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdout
        return
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            yield handle
    except OSError as exc:
        raise CommandProblem(f"cannot write {path}: {exc.strerror}") from None


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def campaign_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from posyandu.campaigns.services import open_campaign

    area = _area(args.area)
    starts_on, ends_on = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    try:
        campaign = open_campaign(
            user=None, name=args.name, area=area, starts_on=starts_on, ends_on=ends_on
        )
    except ValidationError as exc:
        raise CommandProblem("; ".join(exc.messages)) from None
    print(
        f"{campaign.name}: {area.name}, {starts_on:%d/%m/%Y}-{ends_on:%d/%m/%Y}, "
        f"{campaign.targets.count()} targets"
    )
    print(f"campaign {campaign.pk}")
    return 0


SASARAN_COLUMNS = [
    "child_id",
    "local_id",
    "nik",
    "name",
    "sex",
    "birth_date",
    "mother_name",
    "posyandu_code",
    "posyandu_name",
    "measured",
    "measured_on",
    "rt",
    "rw",
    "address",
    "phone",
    "home_visit_outcome",
]


def export_sasaran(args: argparse.Namespace) -> int:
    from posyandu.campaigns.selectors import targets_for_export
    from posyandu.core import audit
    from posyandu.core.models import AuditAction

    campaign = _campaign(args.campaign)
    targets = targets_for_export(campaign, not_measured_only=args.not_measured)
    count = 0
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(SASARAN_COLUMNS)
        for t in targets.iterator(chunk_size=5000):
            child = t.child
            writer.writerow(
                [
                    child.pk,
                    child.local_id,
                    child.nik,
                    child.name,
                    child.sex,
                    child.birth_date.isoformat(),
                    child.mother_name,
                    t.posyandu.code,
                    t.posyandu.name,
                    1 if t.measured_on else 0,
                    t.measured_on.isoformat() if t.measured_on else "",
                    child.rt,
                    child.rw,
                    child.address,
                    child.phone,
                    t.outcome,
                ]
            )
            count += 1
    audit.record(
        user=None,
        action=AuditAction.EXPORT,
        obj=campaign,
        changes={"rows": count, "not_measured_only": bool(args.not_measured), "to": args.output},
    )
    print(f"{count} targets written to {args.output}", file=sys.stderr)
    return 0


def export_eppgbm(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from posyandu.accounts.scope import Scope
    from posyandu.exchange.services import export_eppgbm as write_export

    area = _area(args.area)
    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    file_format = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
    if file_format not in ("xlsx", "csv"):
        raise CommandProblem(f"-o {args.output!r}: the file name must end in .xlsx or .csv")
    try:
        out: IO[Any] = (
            open(args.output, "wb")  # noqa: SIM115 - closed below
            if file_format == "xlsx"
            else open(args.output, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
        )
        with out:
            count = write_export(
                user=None,
                scope=Scope.for_command_line(),
                area=area,
                date_from=date_from,
                date_to=date_to,
                file_format="xlsx" if file_format == "xlsx" else "csv",
                out=out,
                mask_nik=args.mask_nik,
            )
    except OSError as exc:
        raise CommandProblem(f"cannot write {args.output}: {exc.strerror}") from None
    except ValidationError as exc:
        raise CommandProblem("; ".join(exc.messages)) from None
    print(f"{count} measurements written to {args.output}", file=sys.stderr)
    return 0


CAMPAIGN_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "target",
    "measured",
    "coverage_pct",
    "stunting_numerator",
    "stunting_denominator",
    "stunting_pct",
    "wasting_numerator",
    "wasting_denominator",
    "underweight_numerator",
    "underweight_denominator",
    "wasting_pct",
    "underweight_pct",
]


def report_campaign(args: argparse.Namespace) -> int:
    from posyandu.accounts.scope import Scope
    from posyandu.campaigns.selectors import results

    campaign = _campaign(args.campaign)
    found, by_area = results(Scope.for_command_line(), campaign)
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(CAMPAIGN_COLUMNS)
        for area in found.areas:
            r = by_area[area]
            writer.writerow(
                [
                    area.code,
                    area.name,
                    area.level,
                    r.count("target"),
                    r.count("measured"),
                    _pct(r.coverage_pct),
                    r.count("stunting_numerator"),
                    r.count("stunting_denominator"),
                    _pct(r.stunting_pct),
                    r.count("wasting_numerator"),
                    r.count("wasting_denominator"),
                    r.count("underweight_numerator"),
                    r.count("underweight_denominator"),
                    _pct(r.wasting_pct),
                    _pct(r.underweight_pct),
                ]
            )
    return 0


SKDN_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "S",
    "K",
    "D",
    "D_prime",
    "N",
    "T",
    "O",
    "B",
    "BGM",
    "two_t",
    "K_S_pct",
    "D_S_pct",
    "D_K_pct",
    "N_D_pct",
    "N_D_prime_pct",
    "BGM_D_pct",
]


def report_skdn(args: argparse.Namespace) -> int:
    from posyandu.accounts.scope import Scope
    from posyandu.reports.selectors import RATIOS, SKDN_FIELDS, skdn

    area = _area(args.area)
    period = _month(args.month)
    _tree, rows = skdn(Scope.for_command_line(), area, period)
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(SKDN_COLUMNS)
        for row in rows:
            writer.writerow(
                [row.area.code, row.area.name, row.area.level]
                + [row.count(name) for name in SKDN_FIELDS]
                + [_pct(row.pct(num, den)) for _name, num, den in RATIOS]
            )
    return 0


def report_posyandu_aktif(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from posyandu.accounts.scope import Scope
    from posyandu.cadres.aktif import CSV_COLUMNS, NoRuleInForce, csv_rows, posyandu_aktif

    area = _area(args.area)
    if not (args.year.isascii() and args.year.isdigit() and len(args.year) == 4):
        raise CommandProblem(f"--year {args.year!r} is not a year YYYY")
    try:
        result = posyandu_aktif(
            Scope.for_command_line(), area, int(args.year), today=timezone.localdate()
        )
    except NoRuleInForce as exc:
        raise CommandProblem(str(exc)) from None
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(result))
    return 0


PREVALENCE_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "sex",
    "age_group",
    "numerator",
    "denominator",
    "prevalence_pct",
    "ci_low_pct",
    "ci_high_pct",
    "level",
    "z_indicator",
    "z_n",
    "z_mean",
    "z_sd",
    "measured",
    "sasaran",
    "coverage_pct",
    "date_from",
    "date_to",
]


def _pct2(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _period(args: argparse.Namespace) -> Any:
    from posyandu.reports.prevalence_selectors import Period

    date_from = _date(args.date_from, "--from")
    date_to = _date(args.date_to, "--to")
    if date_to < date_from:
        raise CommandProblem(f"--to {args.date_to} is before --from {args.date_from}")
    return Period(date_from, date_to)


def report_prevalence(args: argparse.Namespace) -> int:
    from posyandu.accounts.scope import Scope
    from posyandu.areas.hierarchy import BELOW
    from posyandu.policy.prevalence import PREVALENCE
    from posyandu.reports.prevalence import breakdowns
    from posyandu.reports.prevalence_selectors import prevalence_report

    area = _area(args.area)
    period = _period(args)
    root, below = prevalence_report(Scope.for_command_line(), area, period)
    # One level below in the administrative line (a city: its kecamatan), as the
    # issue's contract says; a Puskesmas code lists its Posyandu.
    first_level = BELOW[area.level][0][1] if BELOW[area.level] else None
    below = sorted(
        (row for row in below if row.area.level == first_level), key=lambda row: row.area.code
    )
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(PREVALENCE_COLUMNS)
        for row in [root, *below]:
            for indicator in PREVALENCE.indicators:
                for sex, age_group in breakdowns():
                    estimate = row.prevalence.estimate(indicator, sex, age_group)
                    ci = estimate.ci_pct
                    z = row.prevalence.z_stats(indicator.z, sex, age_group)
                    whole_area = sex == "all" and age_group == "all"
                    writer.writerow(
                        [
                            row.area.code,
                            row.area.name,
                            indicator.code,
                            sex,
                            age_group,
                            estimate.numerator,
                            estimate.denominator,
                            _pct2(estimate.pct),
                            _pct2(ci[0] if ci else None),
                            _pct2(ci[1] if ci else None),
                            row.area.level,
                            indicator.z,
                            z.n,
                            "" if z.mean is None else f"{z.mean:.3f}",
                            "" if z.sd is None else f"{z.sd:.3f}",
                            row.prevalence.total("measured", sex, age_group),
                            row.sasaran if whole_area else "",
                            _pct2(row.coverage_pct) if whole_area else "",
                            period.date_from.isoformat(),
                            period.date_to.isoformat(),
                        ]
                    )
    return 0


def report_kader(args: argparse.Namespace) -> int:
    from posyandu.accounts.scope import Scope
    from posyandu.cadres.commands import CSV_COLUMNS, csv_rows
    from posyandu.core import audit
    from posyandu.core.models import AuditAction

    area = _area(args.area)
    rows = csv_rows(Scope.for_command_line(), area)
    count = 0
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    audit.record(
        user=None,
        action=AuditAction.EXPORT,
        object_type="cadres.kader",
        object_repr=f"{count} kader {area.code}",
        changes={"rows": count, "area": area.code, "to": args.output},
    )
    print(f"{count} kader written to {args.output}", file=sys.stderr)
    return 0


def _run(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        _setup()
        try:
            return handler(args)
        except CommandProblem as exc:
            print(f"posyandu {args.command}: {exc}", file=sys.stderr)
            return 2

    return run


def add_commands(commands: Any) -> None:
    """Add ``campaign``, ``export`` and ``report`` to the ``posyandu`` parser."""
    campaign = commands.add_parser("campaign", help="Operasi Timbang campaigns")
    campaign_sub = campaign.add_subparsers(dest="action", required=True)
    create = campaign_sub.add_parser(
        "create",
        help="open a campaign; its target list is frozen as of --from",
        description="Open an Operasi Timbang over an area (a past window is allowed). "
        "Prints the new campaign's id as the last line: `campaign N`.",
    )
    create.add_argument("--name", required=True)
    create.add_argument(
        "--area", required=True, help="kota, kecamatan, kelurahan, Puskesmas or Posyandu code"
    )
    create.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    create.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    create.set_defaults(handler=_run(campaign_create))

    export = commands.add_parser("export", help="export data as files")
    export_sub = export.add_subparsers(dest="what", required=True)
    sasaran = export_sub.add_parser("sasaran", help="a campaign's target list, one row per child")
    sasaran.add_argument("--campaign", required=True, metavar="ID")
    sasaran.add_argument("--not-measured", action="store_true", help="only those not measured yet")
    sasaran.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="- for stdout")
    sasaran.set_defaults(handler=_run(export_sasaran))
    eppgbm = export_sub.add_parser(
        "eppgbm", help="the e-PPGBM by-name list (one row per measurement) of an area"
    )
    eppgbm.add_argument("--area", required=True, metavar="CODE")
    eppgbm.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    eppgbm.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    eppgbm.add_argument("-o", "--output", required=True, metavar="FILE.xlsx|FILE.csv")
    eppgbm.add_argument("--mask-nik", action="store_true", help="keep only the last 4 NIK digits")
    eppgbm.set_defaults(handler=_run(export_eppgbm))

    report = commands.add_parser("report", help="reports as CSV files")
    report_sub = report.add_subparsers(dest="what", required=True)
    from posyandu.reports.quality_commands import add_data_quality

    add_data_quality(report_sub, _run)
    by_campaign = report_sub.add_parser(
        "campaign", help="coverage and screening results of a campaign, per area"
    )
    by_campaign.add_argument("--campaign", required=True, metavar="ID")
    by_campaign.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    by_campaign.set_defaults(handler=_run(report_campaign))
    by_skdn = report_sub.add_parser("skdn", help="SKDN of an area and every level below it")
    by_skdn.add_argument("--area", required=True, metavar="CODE")
    by_skdn.add_argument("--month", required=True, metavar="YYYY-MM")
    by_skdn.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    by_skdn.set_defaults(handler=_run(report_skdn))
    aktif = report_sub.add_parser(
        "posyandu-aktif", help="each Posyandu of an area aktif or not in a year, and why"
    )
    aktif.add_argument("--area", required=True, metavar="CODE")
    aktif.add_argument("--year", required=True, metavar="YYYY")
    aktif.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    aktif.set_defaults(handler=_run(report_posyandu_aktif))
    prevalence = report_sub.add_parser(
        "prevalence",
        help="stunting, wasting, underweight and overweight with 95%% Wilson intervals, "
        "by sex and WHO age group, of an area and each area one level below it",
    )
    prevalence.add_argument("--area", required=True, metavar="CODE")
    prevalence.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    prevalence.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    prevalence.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    prevalence.set_defaults(handler=_run(report_prevalence))
    by_kader = report_sub.add_parser(
        "kader",
        help="each kader of an area: skills per package, pin, next pin, trainings, JPL",
    )
    by_kader.add_argument("--area", required=True, metavar="CODE")
    by_kader.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    by_kader.set_defaults(handler=_run(report_kader))
