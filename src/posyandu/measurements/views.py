"""The weighing table on a kader's phone, and the child's page with growth charts.

Views parse, call a service or selector, and render; every object is looked
up through a scoped selector, so an out-of-area URL answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from posyandu.accounts.models import User
from posyandu.accounts.scope import Capability, Scope
from posyandu.children.models import Child
from posyandu.children.selectors import child_for, child_for_write
from posyandu.core import audit
from posyandu.core.ui import add_service_errors, format_date, query_id, query_text
from posyandu.measurements import services
from posyandu.measurements.assessment import (
    Assessment,
)
from posyandu.measurements.charts import chart_legend, child_charts, weight_for_age_chart
from posyandu.measurements.display import (
    PlainResult,
    assessment_result,
    assessment_rows,
    gain_text,
    month_strip,
    saved_message,
    visit_result,
)
from posyandu.measurements.forms import SessionPickForm, VisitForm, new_visit_initial
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.selectors import (
    child_visits,
    session_for,
    session_table,
    sessions_for,
    visit_for,
    visit_for_write,
)


def _pk(raw: str | None) -> int | None:
    """A primary key from a query string; junk is a missing object (404)."""
    if raw in (None, ""):
        return None
    pk = query_id(raw)
    if pk is None:
        raise Http404
    return pk


def _user(scope: Scope) -> User:
    """The signed-in user of a scope that passed a write check."""
    if scope.user is None:
        raise PermissionDenied
    return scope.user


def _age_days(child: Child, on: dt.date) -> int:
    return (on - child.birth_date).days


# --- child page ----------------------------------------------------------


@login_required
def child_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = child_for(scope, pk)
    visits = child_visits(scope, child)
    today = timezone.localdate()
    latest = visits[-1] if visits else None
    charts = child_charts(sex=child.sex, age_days_now=_age_days(child, today), visits=visits)
    return render(
        request,
        "measurements/child.html",
        {
            "child": child,
            "visits": [(v, visit_result(v)) for v in reversed(visits)],
            "latest": latest,
            "latest_result": visit_result(latest) if latest else None,
            "strip": month_strip(child, visits, today),
            "legend": chart_legend(),
            "charts": charts,
            "head_chart": any(c.spec.indicator == "hcfa" for c in charts),
            "today": today,
            "age_days": _age_days(child, today),
        },
    )


@login_required
def child_print(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = child_for(scope, pk)
    visits = child_visits(scope, child)
    today = timezone.localdate()
    audit.shown([child], export=True)
    return render(
        request,
        "measurements/child_print.html",
        {
            "child": child,
            "visits": visits,
            "chart": weight_for_age_chart(
                sex=child.sex, age_days_now=_age_days(child, today), visits=visits
            ),
            "today": today,
        },
    )


# --- sessions ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_pick(request: HttpRequest) -> HttpResponse:
    """Open a Posyandu day (a write) and list the recent ones (a read)."""
    scope = Scope.of(request.user)
    writable = (
        scope.writable_posyandu(Capability.VISITS_WRITE).filter(is_active=True).order_by("name")
    )
    if request.method == "POST":
        scope.require(Capability.VISITS_WRITE)
        form = SessionPickForm(request.POST, posyandu_queryset=writable)
        if form.is_valid():
            try:
                session = services.open_session(
                    user=_user(scope),
                    posyandu=form.cleaned_data["posyandu"],
                    date=form.cleaned_data["date"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("measurements:session", pk=session.pk)
    else:
        initial: dict[str, Any] = {"date": timezone.localdate()}
        own = getattr(request.user, "posyandu_id", None)
        if own:
            initial["posyandu"] = own
        form = SessionPickForm(initial=initial, posyandu_queryset=writable)
    recent = sessions_for(scope).order_by("-date", "posyandu__name")[:10]
    return render(
        request,
        "measurements/session_pick.html",
        {"form": form, "recent": recent, "may_open": scope.may(Capability.VISITS_WRITE)},
    )


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    session = session_for(scope, pk)
    table = session_table(scope, session, query_text(request.GET.get("q")))
    context = {"session": session, "table": table}
    if getattr(request, "htmx", False):
        return render(request, "measurements/session.html#results", context)
    return render(request, "measurements/session.html", context)


# --- visit entry ---------------------------------------------------------


def _visit_context(
    *,
    child: Child,
    form: VisitForm,
    session: PosyanduSession | None,
    assessment: Assessment | None,
    gain: services.GainResult | None,
    needs_confirm: bool,
    visit: Visit | None = None,
    stored: Visit | None = None,
) -> dict[str, Any]:
    on = visit.measured_on if visit is not None else (session.date if session else None)
    period = (on or timezone.localdate()).replace(day=1)
    previous = Visit.objects.filter(child=child, period__lt=period).order_by("-period").first()
    return {
        "child": child,
        "form": form,
        "session": session,
        "previous": previous,
        "visit": visit,
        "stored": stored,
        "needs_confirm": needs_confirm or bool(form.data.get("confirm_warnings")),
        "assessment": assessment,
        "rows": assessment_rows(assessment) if assessment else [],
        "gain": gain,
        "gain_text": gain_text(gain.status, gain.gain_g, gain.kbm_g, gain.is_2t) if gain else "",
        "result": _typed_result(assessment, gain),
        "previous_result": visit_result(previous) if previous else None,
        "today": timezone.localdate(),
    }


def _typed_result(
    assessment: Assessment | None, gain: services.GainResult | None
) -> PlainResult | None:
    if assessment is None:
        return None
    return assessment_result(assessment, gain.status if gain else "", bool(gain and gain.is_2t))


def _gain_preview(
    child: Child, values: services.VisitValues, exclude_pk: int | None
) -> services.GainResult:
    assert values.measured_on is not None
    return services.preview_gain(
        child=child,
        measured_on=values.measured_on,
        weight_kg=values.weight_kg,
        exclude_pk=exclude_pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = child_for_write(scope, pk, Capability.VISITS_WRITE)
    session_pk = _pk(request.GET.get("sesi") or request.POST.get("sesi"))
    session = session_for(scope, session_pk) if session_pk else None
    assessment: Assessment | None = None
    gain = None
    needs_confirm = False
    same_month_visit: Visit | None = None
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            values = form.values()
            if values.measured_on is None and session is not None:
                values = replace(values, measured_on=session.date)
            try:
                visit = services.record_visit(
                    user=_user(scope),
                    child=child,
                    values=values,
                    session=session,
                    client_id=form.cleaned_data["client_id"],
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                )
            except services.NeedsConfirmation as exc:
                assessment, needs_confirm = exc.assessment, True
                gain = _gain_preview(child, values, None)
            except ValidationError as exc:
                add_service_errors(form, exc)
                if values.measured_on is not None:
                    same_month_visit = Visit.objects.filter(
                        child=child, period=values.measured_on.replace(day=1)
                    ).first()
            else:
                messages.success(request, saved_message(visit))
                if session is not None:
                    return redirect("measurements:session", pk=session.pk)
                return redirect("measurements:child", pk=child.pk)
    else:
        on = session.date if session else timezone.localdate()
        form = VisitForm(initial=new_visit_initial(child.birth_date, on))
    context = _visit_context(
        child=child,
        form=form,
        session=session,
        assessment=assessment,
        gain=gain,
        needs_confirm=needs_confirm,
    )
    context["same_month_visit"] = same_month_visit
    return render(request, "measurements/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    visit = visit_for_write(scope, pk)
    child = visit.child
    assessment: Assessment | None = None
    gain = None
    needs_confirm = False
    stored: Visit | None = None
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            values = form.values()
            try:
                updated = services.update_visit(
                    user=_user(scope),
                    visit=visit,
                    version=form.cleaned_data["version"] or 0,
                    values=values,
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                )
            except services.VisitGone:
                return _visit_gone(request, child)
            except services.StaleVisit:
                stored = Visit.objects.get(pk=visit.pk)
                messages.error(
                    request,
                    _(
                        "Kunjungan ini baru saja diubah orang lain. Isian Anda belum disimpan: "
                        "bandingkan dengan nilai tersimpan di bawah, lalu simpan lagi bila "
                        "isian Anda yang benar."
                    ),
                )
                # The kader has now seen the stored values; a second save is a
                # deliberate overwrite, so it carries the stored version.
                data = request.POST.copy()
                data["version"] = str(stored.version)
                form = VisitForm(data)
                form.is_valid()
            except services.NeedsConfirmation as exc:
                assessment, needs_confirm = exc.assessment, True
                gain = _gain_preview(child, values, visit.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, saved_message(updated))
                # A correction opened from the day's table goes back to it.
                if updated.session_id is not None and updated.session_id == _pk(
                    request.GET.get("sesi")
                ):
                    return redirect("measurements:session", pk=updated.session_id)
                return redirect("measurements:child", pk=child.pk)
    else:
        initial: dict[str, Any] = services.VisitValues.of(visit).as_dict()
        initial["version"] = visit.version
        form = VisitForm(initial=initial)
    context = _visit_context(
        child=child,
        form=form,
        session=visit.session,
        assessment=assessment,
        gain=gain,
        needs_confirm=needs_confirm,
        visit=visit,
        stored=stored,
    )
    return render(request, "measurements/visit_form.html", context)


def _visit_gone(request: HttpRequest, child: Child) -> HttpResponse:
    messages.error(
        request,
        _("Kunjungan ini baru saja dihapus orang lain; isian Anda tidak disimpan."),
    )
    return redirect("measurements:child", pk=child.pk)


def _version(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a visit entered by mistake: GET asks, POST with the version deletes."""
    scope = Scope.of(request.user)
    visit = visit_for_write(scope, pk)
    child = visit.child
    status = 200
    if request.method == "POST":
        version = _version(request.POST.get("version"))
        if version is None:
            status = 400
        else:
            try:
                services.delete_visit(user=_user(scope), visit=visit, version=version)
            except services.VisitGone:
                return _visit_gone(request, child)
            except services.StaleVisit:
                visit = visit_for(scope, pk)
                messages.error(
                    request,
                    _(
                        "Kunjungan ini baru saja diubah orang lain, jadi belum dihapus. "
                        "Periksa nilai yang tersimpan sekarang di bawah; bila tetap salah, "
                        "hapus sekali lagi."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Kunjungan %(name)s tanggal %(date)s dihapus.")
                    % {"name": child.name, "date": format_date(visit.measured_on)},
                )
                return redirect("measurements:child", pk=child.pk)
    return render(
        request,
        "measurements/visit_delete.html",
        {"visit": visit, "child": child, "today": timezone.localdate()},
        status=status,
    )


@login_required
@require_POST
def visit_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live assessment under the entry form (an htmx partial)."""
    scope = Scope.of(request.user)
    child = child_for_write(scope, pk, Capability.VISITS_WRITE)
    exclude_pk = _pk(request.GET.get("kunjungan"))
    if exclude_pk is not None:
        edited = visit_for(scope, exclude_pk)
        if edited.child_id != child.pk:
            raise Http404
    form = VisitForm(request.POST)
    form.is_valid()
    typed = form.values()
    problems = [str(e) for errors in form.errors.values() for e in errors]
    assessment = None
    gain = None
    if typed.measured_on is not None:
        checked: services.VisitValues | None = typed
        try:
            services.validate_values(child, typed)
        except ValidationError as exc:
            # Preview what is valid: drop each refused value, keep the rest.
            dropped: dict[str, Any] = {}
            for field, errors in exc.error_dict.items():
                if field in services.VALUE_FIELDS and field != "measured_on":
                    dropped[field] = None
                if field not in form.errors:
                    problems.extend(str(m) for e in errors for m in e.messages)
            checked = None if "measured_on" in exc.error_dict else replace(typed, **dropped)
        if checked is not None and (checked.weight_kg is not None or checked.height_cm is not None):
            assessment = services.preview(child=child, values=checked, exclude_pk=exclude_pk)
            gain = _gain_preview(child, checked, exclude_pk)
    context = {
        "problems": problems,
        "assessment": assessment,
        "rows": assessment_rows(assessment) if assessment else [],
        "gain": gain,
        "gain_text": gain_text(gain.status, gain.gain_g, gain.kbm_g, gain.is_2t) if gain else "",
        "result": _typed_result(assessment, gain),
    }
    return render(request, "measurements/visit_form.html#preview", context)
