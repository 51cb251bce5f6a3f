"""The weighing table on a kader's phone, and the child's page with growth charts.

Views parse, call a service or selector, and render; every object is looked
up through a scoped selector, so an out-of-area URL answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from posyandu.accounts.scoping import posyandu_scope
from posyandu.children.models import Child
from posyandu.children.selectors import child_for
from posyandu.core import audit
from posyandu.core.i18n import growth_lang
from posyandu.core.models import AuditAction
from posyandu.growth.classify import indicator_name, label
from posyandu.measurements import services
from posyandu.measurements.assessment import CLASSIFIED, INDICATOR_NAMES, Assessment
from posyandu.measurements.charts import child_charts, weight_for_age_chart
from posyandu.measurements.forms import SessionPickForm, VisitForm, new_visit_initial
from posyandu.measurements.models import PosyanduSession, Visit, WeightGain
from posyandu.measurements.selectors import (
    child_visits,
    session_for,
    session_table,
    sessions_for,
    visit_for,
)

MAX_STRIP_MONTHS = 60


def _pk(raw: str | None) -> int | None:
    """A primary key from a query string; junk is a missing object (404)."""
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _add_service_errors(form: VisitForm | SessionPickForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _age_days(child: Child, on: dt.date) -> int:
    return (on - child.birth_date).days


# --- child page ----------------------------------------------------------


def _month_strip(child: Child, visits: list[Visit], today: dt.date) -> list[dict[str, Any]]:
    """One cell per calendar month from birth (at most the last 60) to this month."""
    by_period = {v.period: v for v in visits}
    first = child.birth_date.replace(day=1)
    months: list[dict[str, Any]] = []
    period = today.replace(day=1)
    while period >= first and len(months) < MAX_STRIP_MONTHS:
        visit = by_period.get(period)
        months.append(
            {
                "period": period,
                "status": visit.weight_gain if visit else "",
                "is_2t": bool(visit and visit.is_2t),
                "visit": visit,
            }
        )
        period = (period - dt.timedelta(days=1)).replace(day=1)
    months.reverse()
    return months


@login_required
def child_page(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for(request.user, pk)
    visits = child_visits(child)
    today = timezone.localdate()
    audit.record(user=request.user, action=AuditAction.VIEW, obj=child)
    latest = visits[-1] if visits else None
    charts = child_charts(sex=child.sex, age_days_now=_age_days(child, today), visits=visits)
    return render(
        request,
        "measurements/child.html",
        {
            "child": child,
            "visits": list(reversed(visits)),
            "latest": latest,
            "strip": _month_strip(child, visits, today),
            "charts": charts,
            "head_chart": any(c.spec.indicator == "hcfa" for c in charts),
            "today": today,
            "age_days": _age_days(child, today),
        },
    )


@login_required
def child_print(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for(request.user, pk)
    visits = child_visits(child)
    today = timezone.localdate()
    audit.record(
        user=request.user, action=AuditAction.VIEW, obj=child, changes={"cetak": [None, "KMS"]}
    )
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
    scope = posyandu_scope(request.user).filter(is_active=True).order_by("name")
    if request.method == "POST":
        form = SessionPickForm(request.POST, posyandu_queryset=scope)
        if form.is_valid():
            try:
                session = services.open_session(
                    user=request.user,
                    posyandu=form.cleaned_data["posyandu"],
                    date=form.cleaned_data["date"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                return redirect("measurements:session", pk=session.pk)
    else:
        initial: dict[str, Any] = {"date": timezone.localdate()}
        own = getattr(request.user, "posyandu_id", None)
        if own:
            initial["posyandu"] = own
        form = SessionPickForm(initial=initial, posyandu_queryset=scope)
    recent = sessions_for(request.user).order_by("-date", "posyandu__name")[:10]
    return render(request, "measurements/session_pick.html", {"form": form, "recent": recent})


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(request.user, pk)
    table = session_table(session, request.GET.get("q", "")[:100])
    context = {"session": session, "table": table}
    if getattr(request, "htmx", False):
        return render(request, "measurements/session.html#results", context)
    return render(request, "measurements/session.html", context)


# --- visit entry ---------------------------------------------------------


def _gain_text(status: str, gain_g: int | None, kbm_g: int | None, is_2t: bool) -> str:
    if not status:
        return ""
    text = str(WeightGain(status).label)
    if gain_g is not None:
        text += " " + _("%(g)+d g, KBM %(k)d g") % {"g": gain_g, "k": kbm_g or 0}
    if is_2t:
        text += " — " + _("2T: rujuk ke Puskesmas")
    return text


def _saved_message(visit: Visit) -> str:
    parts = [
        _("Tersimpan: %(name)s, %(date)s.")
        % {
            "name": visit.child.name,
            "date": visit.measured_on.strftime("%d/%m/%Y"),
        }
    ]
    gain = _gain_text(visit.weight_gain, visit.weight_gain_g, visit.kbm_g, visit.is_2t)
    if gain:
        parts.append(gain + ".")
    cats = []
    lang = growth_lang()
    for ind in CLASSIFIED:
        code = getattr(visit, f"cat_{ind}")
        if code:
            name = indicator_name(ind, lang, age_days=visit.age_days)
            cats.append(f"{name}: {label(ind, code, lang)}")
    if cats:
        parts.append("; ".join(cats) + ".")
    if visit.is_bgm:
        parts.append(_("BGM (di bawah garis merah)."))
    return " ".join(parts)


def _assessment_rows(assessment: Assessment) -> list[dict[str, Any]]:
    labels = assessment.category_labels()
    rows = []
    for ind in ("wfa", "lhfa", "wflh", "bfa", "hcfa", "acfa"):
        z = assessment.z.get(ind)
        if z is None:
            continue
        name = (
            indicator_name(ind, growth_lang(), age_days=assessment.age_days)
            if ind in CLASSIFIED
            else INDICATOR_NAMES[ind]
        )
        rows.append(
            {
                "name": name,
                "z": z,
                "label": labels.get(ind, ""),
                "code": assessment.categories.get(ind, ""),
                "flag": assessment.flags.get(ind, False),
            }
        )
    return rows


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
    return {
        "child": child,
        "form": form,
        "session": session,
        "visit": visit,
        "stored": stored,
        "needs_confirm": needs_confirm or bool(form.data.get("confirm_warnings")),
        "assessment": assessment,
        "rows": _assessment_rows(assessment) if assessment else [],
        "gain": gain,
        "gain_text": _gain_text(gain.status, gain.gain_g, gain.kbm_g, gain.is_2t) if gain else "",
        "today": timezone.localdate(),
    }


def _gain_preview(
    child: Child, values: dict[str, Any], exclude_pk: int | None
) -> services.GainResult:
    return services.preview_gain(
        child=child,
        measured_on=values["measured_on"],
        weight_kg=values.get("weight_kg"),
        exclude_pk=exclude_pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for(request.user, pk)
    session_pk = _pk(request.GET.get("sesi") or request.POST.get("sesi"))
    session = session_for(request.user, session_pk) if session_pk else None
    assessment: Assessment | None = None
    gain = None
    needs_confirm = False
    if request.method == "POST":
        form = VisitForm(request.POST, birth_date=child.birth_date)
        if form.is_valid():
            values = form.values()
            try:
                visit = services.record_visit(
                    user=request.user,
                    child=child,
                    session=session,
                    client_id=form.cleaned_data["client_id"],
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                    **values,
                )
            except services.NeedsConfirmation as exc:
                assessment, needs_confirm = exc.assessment, True
                gain = _gain_preview(child, values, None)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _saved_message(visit))
                if session is not None:
                    return redirect("measurements:session", pk=session.pk)
                return redirect("measurements:child", pk=child.pk)
    else:
        on = session.date if session else timezone.localdate()
        form = VisitForm(
            initial=new_visit_initial(child.birth_date, on), birth_date=child.birth_date
        )
    context = _visit_context(
        child=child,
        form=form,
        session=session,
        assessment=assessment,
        gain=gain,
        needs_confirm=needs_confirm,
    )
    return render(request, "measurements/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    child = visit.child
    assessment: Assessment | None = None
    gain = None
    needs_confirm = False
    stored: Visit | None = None
    if request.method == "POST":
        form = VisitForm(request.POST, birth_date=child.birth_date)
        if form.is_valid():
            values = form.values()
            try:
                updated = services.update_visit(
                    user=request.user,
                    visit=visit,
                    version=form.cleaned_data["version"] or 0,
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                    **values,
                )
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
                form = VisitForm(data, birth_date=child.birth_date)
                form.is_valid()
            except services.NeedsConfirmation as exc:
                assessment, needs_confirm = exc.assessment, True
                gain = _gain_preview(child, values, visit.pk)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _saved_message(updated))
                return redirect("measurements:child", pk=child.pk)
    else:
        initial = {name: getattr(visit, name) for name in services.VALUE_FIELDS}
        initial["version"] = visit.version
        form = VisitForm(initial=initial, birth_date=child.birth_date)
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


def _version(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a visit entered by mistake: GET asks, POST with the version deletes."""
    visit = visit_for(request.user, pk)
    child = visit.child
    status = 200
    if request.method == "POST":
        version = _version(request.POST.get("version"))
        if version is None:
            status = 400
        else:
            try:
                services.delete_visit(user=request.user, visit=visit, version=version)
            except Visit.DoesNotExist:
                raise Http404 from None
            except services.StaleVisit:
                visit = visit_for(request.user, pk)
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
                    % {"name": child.name, "date": visit.measured_on.strftime("%d/%m/%Y")},
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
    child = child_for(request.user, pk)
    exclude_pk = _pk(request.GET.get("kunjungan"))
    if exclude_pk is not None:
        edited = visit_for(request.user, exclude_pk)
        if edited.child_id != child.pk:
            raise Http404
    form = VisitForm(request.POST, birth_date=child.birth_date)
    form.is_valid()
    values = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    problems = [str(e) for errors in form.errors.values() for e in errors]
    assessment = None
    gain = None
    if values.get("measured_on") is not None:
        checked = {k: v for k, v in values.items() if k in services.VALUE_FIELDS}
        try:
            services.validate_values(child, checked)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                checked.pop(field, None)
                if field not in form.errors:
                    problems.extend(str(m) for e in errors for m in e.messages)
        if checked.get("weight_kg") is not None or checked.get("height_cm") is not None:
            if checked.get("height_cm") is not None and not checked.get("position"):
                checked["position"] = ""
            assessment = services.preview(child=child, values=checked, exclude_pk=exclude_pk)
            gain = _gain_preview(child, checked, exclude_pk)
    context = {
        "problems": problems,
        "assessment": assessment,
        "rows": _assessment_rows(assessment) if assessment else [],
        "gain": gain,
        "gain_text": _gain_text(gain.status, gain.gain_g, gain.kbm_g, gain.is_2t) if gain else "",
    }
    return render(request, "measurements/visit_form.html#preview", context)
