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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from posyandu.accounts.models import Role
from posyandu.accounts.scope import Capability, Scope
from posyandu.administration.forms import AreaCsvForm, PolicyChoiceForm
from posyandu.areas.importer import import_areas
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.core.models import AuditLog, PolicyChoice, PolicyKey
from posyandu.core.policy_in_force import SCHEDULES, PoliciesInForce
from posyandu.core.services import choose_policy
from posyandu.core.ui import add_service_errors, query_text
from posyandu.measurements.services import recompute_weight_gain


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its work on."""
    scope = Scope.of(request.user)
    if scope.role == Role.KADER and scope.user is not None and scope.user.posyandu_id:
        return redirect("measurements:posyandu_detail", pk=scope.user.posyandu_id)
    return redirect("measurements:posyandu_list")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.AUDIT_READ)
    entries = AuditLog.objects.select_related("user")
    if not scope.is_system_wide:
        entries = entries.filter(kota__in=scope.kota())
    object_type = query_text(request.GET.get("jenis"), max_length=50)
    if object_type:
        entries = entries.filter(object_type=object_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    named = [
        int(e.object_id)
        for e in page.object_list
        if e.object_type == Child._meta.label_lower
        and e.object_id.isascii()
        and e.object_id.isdigit()
    ]
    audit.shown(Child.objects.filter(pk__in=named).select_related("posyandu"))
    return render(
        request, "administration/audit_log.html", {"page": page, "object_type": object_type}
    )


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
