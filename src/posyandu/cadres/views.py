"""Kader pages: the registry and its counts, a kader's skills and pins, the
assessment form, the pin certificate, skill coverage, trainings and credits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import Area, Level, tree
from posyandu.cadres import selectors, services
from posyandu.cadres.forms import (
    AssessmentForm,
    KaderForm,
    ParticipantForm,
    PostingForm,
    RegisterKaderForm,
    ResultForm,
    StopForm,
    TrainingForm,
)
from posyandu.cadres.models import Kader, KaderPosting, TrainingParticipant
from posyandu.core.ui import add_service_errors, query_text
from posyandu.policy.cadres import PIN_RULE, TRAINING_RULE
from posyandu.policy.posyandu_aktif import AKTIF_SCHEDULE

HEALTH_WORKER_ROLES = (*PUSKESMAS_ROLES, Role.DINKES)


def _user(scope: Scope) -> User:
    if scope.user is None:
        raise PermissionDenied
    return scope.user


def _area_choices(scope: Scope) -> list[Area]:
    root = scope.home_area()
    if root is None:
        return []
    return [
        a
        for a in tree(root, scope.posyandu_ids).areas
        if a.level in (Level.KOTA, Level.KECAMATAN, Level.PUSKESMAS, Level.POSYANDU)
    ]


# --- registry ------------------------------------------------------------------------


@login_required
def kader_list(request: HttpRequest) -> HttpResponse:
    """The kader of an area with their pins, and the count per Posyandu against the
    minimum of the Posyandu-aktif rule in force."""
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    q = query_text(request.GET.get("q"))
    kader = selectors.kader_in_area(scope, area).select_related("posyandu").order_by("name", "pk")
    if q:
        kader = kader.filter(Q(name__icontains=q) | Q(phone__icontains=q))
    page = Paginator(kader, 50).get_page(request.GET.get("hal"))
    profiles = selectors.profiles(k.pk for k in page.object_list)
    roles = dict(
        KaderPosting.objects.filter(kader__in=page.object_list, ended_on__isnull=True).values_list(
            "kader_id", "role"
        )
    )
    min_kader = AKTIF_SCHEDULE.in_force(timezone.localdate()).min_kader
    counts = selectors.kader_per_posyandu(scope, area)
    return render(
        request,
        "cadres/list.html",
        {
            "area": area,
            "areas": _area_choices(scope),
            "q": q,
            "page": page,
            "rows": [(k, profiles[k.pk], roles.get(k.pk, "")) for k in page.object_list],
            "counts": counts,
            "short": [c for c in counts if c.kader < min_kader],
            "min_kader": min_kader,
            "total": sum(c.kader for c in counts),
            "may_register": scope.may(Capability.POSYANDU_MANAGE),
            "eligible": selectors.eligible_kader(scope, area)
            if scope.may(Capability.KADER_ASSESS)
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kader_new(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    scope.require(Capability.POSYANDU_MANAGE)
    form = RegisterKaderForm(
        request.POST or None,
        posyandu=scope.writable_posyandu(Capability.POSYANDU_MANAGE),
        accounts=_free_accounts(scope),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kader = services.register_kader(
                user=_user(scope),
                data=services.KaderData(
                    name=data["name"],
                    sex=data["sex"],
                    nik=data["nik"],
                    phone=data["phone"],
                    birth_date=data["birth_date"],
                    account=data["account"],
                ),
                posting=_posting(data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s terdaftar sebagai kader.") % {"name": kader.name})
            return redirect("cadres:detail", pk=kader.pk)
    return render(request, "cadres/form.html", {"form": form, "title": _("Daftarkan kader")})


def _free_accounts(scope: Scope, kader: Kader | None = None) -> QuerySet[User]:
    """Kader logins of the user's Posyandu not linked to another kader yet."""
    mine = Q(kader=kader) if kader is not None else Q(pk__in=[])
    return User.objects.filter(
        Q(kader__isnull=True) | mine,
        role=Role.KADER,
        posyandu__in=scope.writable_posyandu(Capability.POSYANDU_MANAGE),
    ).order_by("username")


def _posting(data: dict[str, Any]) -> services.PostingData:
    return services.PostingData(
        posyandu=data["posyandu"],
        role=data["role"],
        sk_number=data["sk_number"],
        sk_date=data["sk_date"],
        started_on=data["started_on"],
        incentive_eligible=data["incentive_eligible"],
    )


@login_required
def kader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    kader = selectors.kader_get(scope, pk)
    profile = selectors.profiles([kader.pk])[kader.pk]
    states = {
        s.skill_id: s
        for s in kader.skill_states.select_related("assessment__assessor", "assessment__puskesmas")
    }
    skills = selectors.active_skills()
    packages = [
        (
            standing,
            [(s, states.get(s.pk)) for s in skills if s.package == standing.package],
        )
        for standing in profile.packages
    ]
    trainings = selectors.trainings_of_kader([kader.pk]).get(kader.pk, [])
    return render(
        request,
        "cadres/detail.html",
        {
            "kader": kader,
            "profile": profile,
            "packages": packages,
            "postings": kader.postings.select_related("posyandu").order_by("-started_on"),
            "pins": kader.pins.select_related("puskesmas").order_by("awarded_on"),
            "trainings": trainings,
            "assessments": kader.assessments.select_related("skill", "assessor")[:30],
            "may_manage": scope.may_write(Capability.POSYANDU_MANAGE, kader.posyandu_id),
            "may_assess": scope.may_write(Capability.KADER_ASSESS, kader.posyandu_id),
            "rule": PIN_RULE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kader_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    kader = selectors.kader_get(scope, pk)
    scope.require_write(Capability.POSYANDU_MANAGE, kader.posyandu_id)
    initial = {
        "name": kader.name,
        "sex": kader.sex,
        "nik": kader.nik,
        "phone": kader.phone,
        "birth_date": kader.birth_date,
        "account": kader.user_id,
    }
    form = KaderForm(request.POST or None, initial=initial, accounts=_free_accounts(scope, kader))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_kader(
                user=_user(scope),
                kader=kader,
                version=_version(request, kader),
                data=services.KaderData(
                    name=data["name"],
                    sex=data["sex"],
                    nik=data["nik"],
                    phone=data["phone"],
                    birth_date=data["birth_date"],
                    account=data["account"],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Data kader disimpan."))
            return redirect("cadres:detail", pk=kader.pk)
    return render(
        request,
        "cadres/form.html",
        {"form": form, "title": _("Ubah data kader"), "kader": kader, "version": kader.version},
    )


def _version(request: HttpRequest, kader: Kader) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() else kader.version


@login_required
@require_http_methods(["GET", "POST"])
def kader_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the kader to another Posyandu or role (a new SK), or record that they stopped."""
    scope = Scope.of(request.user)
    kader = selectors.kader_get(scope, pk)
    scope.require_write(Capability.POSYANDU_MANAGE, kader.posyandu_id)
    stopping = request.POST.get("action") == "stop"
    move_form = PostingForm(
        None if stopping else (request.POST or None),
        posyandu=scope.writable_posyandu(Capability.POSYANDU_MANAGE),
        initial={"posyandu": kader.posyandu_id, "started_on": timezone.localdate()},
    )
    stop_form = StopForm(request.POST if stopping else None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        form = stop_form if stopping else move_form
        if form.is_valid():
            try:
                if stopping:
                    services.stop_kader(user=_user(scope), kader=kader, on=form.cleaned_data["on"])
                else:
                    services.move_kader(
                        user=_user(scope), kader=kader, posting=_posting(form.cleaned_data)
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Penugasan kader disimpan."))
                return redirect("cadres:detail", pk=kader.pk)
    return render(
        request,
        "cadres/move.html",
        {"kader": kader, "move_form": move_form, "stop_form": stop_form},
    )


# --- skills and pins -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def kader_assess(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    kader = selectors.kader_get(scope, pk)
    scope.require_write(Capability.KADER_ASSESS, kader.posyandu_id)
    skills = selectors.active_skills()
    form = AssessmentForm(
        request.POST or None,
        skills=skills,
        initial={"assessed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.record_assessments(
                assessor=_user(scope),
                kader=kader,
                assessed_on=form.cleaned_data["assessed_on"],
                method=form.cleaned_data["method"],
                results=form.results(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d hasil uji disimpan (%(ok)d kompeten).")
                % {"n": len(made), "ok": sum(1 for a in made if a.competent)},
            )
            return redirect("cadres:detail", pk=kader.pk)
    profile = selectors.profiles([kader.pk])[kader.pk]
    current = dict(kader.skill_states.values_list("skill_id", "competent"))
    groups: dict[str, list[Any]] = {}
    for skill, field in form.skill_rows():
        groups.setdefault(skill.get_package_display(), []).append(
            (skill, field, current.get(skill.pk))
        )
    return render(
        request,
        "cadres/assess.html",
        {"kader": kader, "form": form, "groups": groups, "profile": profile},
    )


@login_required
@require_POST
def kader_award(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    kader = selectors.kader_get(scope, pk)
    scope.require_write(Capability.KADER_ASSESS, kader.posyandu_id)
    try:
        award = services.award_pin(user=_user(scope), kader=kader, awarded_on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cadres:detail", pk=kader.pk)
    messages.success(
        request,
        _("Pin %(level)s diberikan kepada %(name)s.")
        % {"level": award.get_level_display(), "name": kader.name},
    )
    return redirect("cadres:detail", pk=kader.pk)


@login_required
def pin_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The A4 certificate of a pin, to print."""
    scope = Scope.of(request.user)
    award = selectors.pin_for(scope, pk)
    profile = selectors.profiles([award.kader_id], on=award.awarded_on)[award.kader_id]
    return render(
        request,
        "cadres/certificate.html",
        {"award": award, "kader": award.kader, "profile": profile, "rule": PIN_RULE},
    )


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """How many kader are competent in each skill, in an area and per Posyandu."""
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    # rows_in answers 404 for an area the user sees nothing of.
    scope.rows_in(area)
    by_skill, rows = selectors.coverage(scope, area)
    return render(
        request,
        "cadres/coverage.html",
        {
            "area": area,
            "areas": _area_choices(scope),
            "by_skill": by_skill,
            "rows": [(r, [r.per_skill.get(c.skill.pk, 0) for c in by_skill]) for r in rows],
            "skills": [c.skill for c in by_skill],
        },
    )


# --- trainings -------------------------------------------------------------------------


def _hide_from_kader(scope: Scope) -> None:
    # Trainings and credits are the health workers' pages; a kader sees their own
    # trainings on their profile.
    if not scope.is_system_wide and scope.role not in HEALTH_WORKER_ROLES:
        raise Http404


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    trainings = list(selectors.trainings_for(scope).select_related("puskesmas")[:100])
    return render(
        request,
        "cadres/trainings.html",
        {
            "trainings": [
                (t, selectors.training_jpl(t), t.participants.count()) for t in trainings
            ],
            "may_manage": scope.may(Capability.TRAININGS_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    scope.require(Capability.TRAININGS_MANAGE)
    form = TrainingForm(request.POST or None, puskesmas=scope.puskesmas())
    kota = scope.kota().order_by("code").first()
    if request.method == "POST" and form.is_valid() and kota is not None:
        data = form.cleaned_data
        try:
            training = services.create_training(
                user=_user(scope),
                data=services.TrainingData(
                    kind=data["kind"],
                    title=data["title"],
                    batch=data["batch"],
                    kota=data["puskesmas"].kota if data["puskesmas"] else kota,
                    puskesmas=data["puskesmas"],
                    venue=data["venue"],
                    facilitators=data["facilitators"].splitlines(),
                    skill_ids=[s.pk for s in data["skills"]],
                    days=data["days"],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Pelatihan dibuat."))
            return redirect("cadres:training", pk=training.pk)
    return render(request, "cadres/form.html", {"form": form, "title": _("Pelatihan baru")})


def _participant_form(scope: Scope, data: Any = None) -> ParticipantForm:
    return ParticipantForm(
        data,
        kader=selectors.kader_for(scope).filter(is_active=True).order_by("name"),
        users=User.objects.filter(
            Q(puskesmas__in=scope.puskesmas()) | Q(kota__in=scope.kota()),
            role__in=HEALTH_WORKER_ROLES,
            is_active=True,
        ).order_by("username"),
    )


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A training's days and participants, each with hours attended; a warning for
    everyone who missed hours (no cut in lesson hours)."""
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    training = selectors.training_for(scope, pk)
    participants = list(
        training.participants.select_related("kader__posyandu", "user__puskesmas").order_by(
            "is_mentor", "kader__name", "user__username"
        )
    )
    hours = selectors.participant_hours(p.pk for p in participants)
    rows = [(p, hours[p.pk]) for p in participants]
    may_manage = scope.may(Capability.TRAININGS_MANAGE)
    return render(
        request,
        "cadres/training.html",
        {
            "training": training,
            "days": list(training.days.all()),
            "jpl": selectors.training_jpl(training),
            "rows": rows,
            "missed": [(p, h) for p, h in rows if h.missed > TRAINING_RULE.max_missed_jpl],
            "skills": list(training.skills.all()),
            "to_confirm": sum(
                1
                for p in participants
                if p.kader is not None
                and p.completed
                and not p.skills_confirmed_on
                and scope.may_write(Capability.KADER_ASSESS, p.kader.posyandu_id)
            ),
            "may_manage": may_manage,
            "may_assess": scope.may(Capability.KADER_ASSESS),
            "participant_form": _participant_form(scope) if may_manage else None,
            "mentors": sum(1 for p in participants if p.is_mentor),
            "readable": scope.posyandu_ids,
        },
    )


@login_required
@require_POST
def training_participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    training = selectors.training_for(scope, pk)
    scope.require(Capability.TRAININGS_MANAGE)
    form = _participant_form(scope, request.POST)
    if form.is_valid():
        try:
            services.add_participant(
                user=_user(scope),
                training=training,
                kader=form.cleaned_data["kader"],
                health_worker=form.cleaned_data["user"],
                is_mentor=form.cleaned_data["is_mentor"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Peserta ditambahkan."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cadres:training", pk=training.pk)


@login_required
@require_http_methods(["GET", "POST"])
def training_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's hours per day and test scores."""
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    participant = (
        TrainingParticipant.objects.select_related("training", "kader", "user")
        .filter(pk=pk, training__in=selectors.trainings_for(scope))
        .first()
    )
    if participant is None:
        raise Http404
    scope.require(Capability.TRAININGS_MANAGE)
    days = list(participant.training.days.all())
    attended = dict(participant.attendance.values_list("day_id", "jpl_attended"))
    form = ResultForm(
        request.POST or None,
        days=days,
        initial={
            "pre_test": participant.pre_test,
            "post_test": participant.post_test,
            **{f"day_{d.pk}": attended.get(d.pk, 0) for d in days},
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_training_result(
                user=_user(scope),
                participant=participant,
                jpl_by_day=form.jpl_by_day(),
                pre_test=form.cleaned_data["pre_test"],
                post_test=form.cleaned_data["post_test"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Hasil peserta disimpan."))
            return redirect("cadres:training", pk=participant.training_id)
    return render(
        request,
        "cadres/form.html",
        {"form": form, "title": str(participant), "back": participant.training},
    )


@login_required
def training_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The A4 certificate of a participant who completed a training."""
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    participant = (
        TrainingParticipant.objects.select_related("training__kota", "kader__posyandu", "user")
        .filter(pk=pk, training__in=selectors.trainings_for(scope), completed=True)
        .first()
    )
    if participant is None:
        raise Http404
    hours = selectors.participant_hours([participant.pk])[participant.pk]
    return render(
        request,
        "cadres/training_certificate.html",
        {"participant": participant, "training": participant.training, "hours": hours},
    )


@login_required
@require_POST
def training_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """An assessor confirms the training's skills for the kader of their area who completed it."""
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    training = selectors.training_for(scope, pk)
    scope.require(Capability.KADER_ASSESS)
    try:
        n = services.confirm_training_skills(
            assessor=_user(scope), training=training, confirmed_on=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Keterampilan pelatihan dicatat untuk %(n)d kader.") % {"n": n})
    return redirect("cadres:training", pk=training.pk)


@login_required
def credits(request: HttpRequest) -> HttpResponse:
    """The lesson hours (JPL) each health worker of the area earned in trainings completed."""
    scope = Scope.of(request.user)
    _hide_from_kader(scope)
    users = list(
        User.objects.filter(
            Q(puskesmas__in=scope.puskesmas()) | Q(kota__in=scope.kota())
            if not scope.is_system_wide
            else Q(),
            role__in=HEALTH_WORKER_ROLES,
            is_active=True,
        )
        .select_related("puskesmas")
        .order_by("puskesmas__code", "username")
    )
    earned = selectors.credits_of(users)
    return render(
        request,
        "cadres/credits.html",
        {"rows": [(u, earned.get(u.pk, 0)) for u in users]},
    )
