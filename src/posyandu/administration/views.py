"""The health office's administration pages: home, audit trail, area import, rules.

They cut across the apps (the audit trail names children, a rule change
recomputes visits), so they sit above them in the layers.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from posyandu.accounts.models import Role
from posyandu.accounts.scope import Capability, Scope
from posyandu.accounts.selectors import manageable_users
from posyandu.administration import audit_log
from posyandu.administration.forms import AreaCsvForm, AuditFilterForm, PolicyChoiceForm
from posyandu.areas.importer import import_areas
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.core.models import AuditAction, AuditLog, PolicyChoice, PolicyKey
from posyandu.core.policy_in_force import SCHEDULES, PoliciesInForce
from posyandu.core.services import choose_policy
from posyandu.core.templatetags.ui_tags import thousands
from posyandu.core.ui import add_service_errors
from posyandu.measurements.services import recompute_weight_gain

AUDIT_PAGE_SIZE = 50
MAX_AUDIT_EXPORT_ROWS = 50_000
"""One export file at most: the file is built in memory (about 10 MB at this size)
so that its own audit row can name every child in it; a wider one asks for a
narrower date range."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its work on."""
    scope = Scope.of(request.user)
    if scope.role == Role.KADER and scope.user is not None and scope.user.posyandu_id:
        return redirect("measurements:posyandu_detail", pk=scope.user.posyandu_id)
    return redirect("measurements:posyandu_list")


def _audit_query(request: HttpRequest) -> tuple[Scope, AuditFilterForm, QuerySet[AuditLog]]:
    """The reader's scope (404 for roles without the audit log), the filter form and
    the entries it selects (none while the form has errors)."""
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.AUDIT_READ)
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return scope, form, AuditLog.objects.none()
    filters = audit_log.filters_from(form.cleaned_data if request.GET else {})
    return (
        scope,
        form,
        audit_log.filtered(scope, filters).select_related(
            "user", "user__posyandu", "user__puskesmas", "user__kota"
        ),
    )


def _manageable_ids(scope: Scope, entries: list[AuditLog]) -> set[int]:
    ids = [
        int(e.object_id)
        for e in entries
        if e.object_type == audit_log.USER_TYPE and e.object_id.isascii() and e.object_id.isdigit()
    ]
    return set(manageable_users(scope).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def audit_log_page(request: HttpRequest) -> HttpResponse:
    """The trail of the reader's kota, newest first, 50 a page, with filters."""
    scope, form, entries = _audit_query(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    rows = audit_log.describe(scope, shown, manageable=_manageable_ids(scope, shown))
    named = {c.pk for row in rows for c in row.children if c.name is not None}
    audit.shown(Child.objects.filter(pk__in=named).select_related("posyandu"))
    query = request.GET.copy()
    query.pop("page", None)
    all_children = query.copy()
    all_children.pop("anak_id", None)
    return render(
        request,
        "administration/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "query_all_children": all_children.urlencode(),
            "child_filter": form.child_id,
            "max_export": MAX_AUDIT_EXPORT_ROWS,
        },
    )


@login_required
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV; the export is itself a row of the trail, naming the
    filters, the number of rows and the children it names."""
    scope, form, entries = _audit_query(request)
    count = entries.count()
    if count > MAX_AUDIT_EXPORT_ROWS:
        messages.error(
            request,
            _(
                "%(n)s baris terlalu banyak untuk satu berkas (paling banyak %(max)s): "
                "persempit tanggal atau saringan lain."
            )
            % {"n": thousands(count), "max": thousands(MAX_AUDIT_EXPORT_ROWS)},
        )
        return redirect(f"{reverse('administration:audit')}?{request.GET.urlencode()}")
    chosen = list(entries)
    rows = audit_log.describe(scope, chosen, manageable=set())
    named = sorted({c.pk for row in rows for c in row.children if c.name is not None})
    data = audit_log.write_csv(rows)
    filters = audit_log.filters_from(form.cleaned_data if request.GET else {})
    audit.record(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type=AuditLog._meta.label_lower,
        object_repr=_("Log audit, %(n)s baris") % {"n": thousands(len(rows))},
        changes={"rows": len(rows), "filters": filters.as_dict(), "children": named},
    )
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="log-audit-{stamp}.csv"'
    return response


@login_required
def import_areas_view(request: HttpRequest) -> HttpResponse:
    """Admin-only upload of the same CSV as ``manage.py import_areas``."""
    Scope.of(request.user).hide_unless(Capability.AREAS_IMPORT)
    report = None
    if request.method == "POST":
        form = AreaCsvForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            report = import_areas(form.cleaned_data["file"].read(), dry_run=dry_run)
            if report.ok and not dry_run:
                messages.success(request, _("Impor berhasil: %s") % report.summary())
            elif report.ok:
                messages.info(request, _("Berkas benar, belum disimpan: %s") % report.summary())
            else:
                messages.error(
                    request,
                    _("%(n)d baris bermasalah; tidak ada yang disimpan.")
                    % {"n": len(report.errors)},
                )
    else:
        form = AreaCsvForm()
    return render(request, "administration/area_import.html", {"form": form, "report": report})


def _version_choices(key: str) -> list[tuple[str, str]]:
    return [(v.version_id, f"{v.version_id} — {v.source}") for v in SCHEDULES[key].versions]


@login_required
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest) -> HttpResponse:
    """The rules in force (KBM table, 2T), their history, and a new choice from a date.

    A choice applies to visits from its date on; the N/T and 2T of those
    visits are recomputed in the same transaction, earlier visits stay as
    they were judged.
    """
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.POLICY_MANAGE)
    key = request.POST.get("policy") or request.GET.get("aturan") or PolicyKey.KBM
    if key not in SCHEDULES:
        key = PolicyKey.KBM
    form = PolicyChoiceForm(request.POST or None, versions=_version_choices(key))
    if request.method == "POST" and form.is_valid() and scope.user is not None:
        try:
            with transaction.atomic():
                choice = choose_policy(
                    user=scope.user,
                    policy=key,
                    version_id=form.cleaned_data["version_id"],
                    in_force_from=form.cleaned_data["in_force_from"],
                    note=form.cleaned_data["note"],
                )
                changed = recompute_weight_gain(since=choice.in_force_from)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Aturan %(v)s berlaku sejak %(d)s; %(n)d kunjungan dihitung ulang.")
                % {
                    "v": choice.version_id,
                    "d": choice.in_force_from.strftime("%d/%m/%Y"),
                    "n": changed,
                },
            )
            return redirect(f"{request.path}?aturan={key}")
    in_force = PoliciesInForce.load()
    rules = [
        {
            "key": policy_key,
            "label": PolicyKey(policy_key).label,
            "timeline": SCHEDULES[policy_key].timeline(in_force.choices[policy_key]),
        }
        for policy_key in SCHEDULES
    ]
    return render(
        request,
        "administration/policy.html",
        {
            "form": form,
            "policy": key,
            "policy_label": PolicyKey(key).label,
            "rules": rules,
            "history": PolicyChoice.objects.order_by("-chosen_at", "-id")[:50],
        },
    )
