"""Operasi Timbang pages: the list, opening a campaign, live coverage with a
drill-down, the not-yet-measured list for home visits, and the results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from posyandu.accounts.models import User
from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import LEVEL_ORDER, Level, UnknownArea, area_by_key, tree
from posyandu.campaigns import selectors, services
from posyandu.campaigns.forms import CampaignForm, OutcomeForm
from posyandu.campaigns.models import CampaignTarget
from posyandu.core.ui import add_service_errors


def _user(scope: Scope) -> User:
    if scope.user is None:
        raise PermissionDenied
    return scope.user


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    campaigns = list(selectors.campaigns_for(scope).order_by("-starts_on", "-id")[:50])
    rows = list(zip(campaigns, selectors.overview_of_campaigns(scope, campaigns), strict=True))
    return render(
        request,
        "campaigns/list.html",
        {"rows": rows, "may_open": scope.may(Capability.CAMPAIGNS_MANAGE)},
    )


def _area_choices(scope: Scope) -> list[tuple[str, str]]:
    root = scope.home_area()
    if root is None:
        raise Http404
    found = tree(root, scope.posyandu_ids)
    return [
        (a.key, f"{a.name} ({a.level})")
        for a in found.areas
        if a.level in (Level.KOTA, Level.KECAMATAN, Level.KELURAHAN, Level.PUSKESMAS)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    scope.require(Capability.CAMPAIGNS_MANAGE)
    choices = _area_choices(scope)
    form = CampaignForm(request.POST or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        area = area_by_key(form.cleaned_data["area"])
        try:
            campaign = services.open_campaign(
                user=_user(scope),
                name=form.cleaned_data["name"],
                area=area,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s dibuka: %(n)d anak sasaran.")
                % {"name": campaign.name, "n": campaign.targets.count()},
            )
            return redirect("campaigns:detail", pk=campaign.pk)
    if not form.is_bound:
        today = timezone.localdate()
        form.initial = {"area": choices[0][0] if choices else "", "starts_on": today}
    return render(request, "campaigns/new.html", {"form": form})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage of the campaign's area (or ``?wilayah=`` inside it) and the areas
    one level below, worst first, with the results beside the previous campaign."""
    scope = Scope.of(request.user)
    campaign = selectors.campaign_for(scope, pk)
    root_area = selectors.campaign_area(campaign)
    area = root_area
    if request.GET.get("wilayah"):
        try:
            area = area_by_key(request.GET["wilayah"])
        except UnknownArea:
            raise Http404 from None
    root_result, below = selectors.overview(scope, campaign, area)
    # Each level together (kecamatan, then Puskesmas), the lowest coverage first.
    below.sort(
        key=lambda r: (LEVEL_ORDER.index(r.area.level), r.coverage_pct is None, r.coverage_pct or 0)
    )
    previous = selectors.previous_campaign(campaign)
    previous_result = None
    if previous is not None:
        try:
            previous_result, _below = selectors.overview(scope, previous, area)
        except Http404:
            previous_result = None
    today = timezone.localdate()
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "area": area,
            "is_root": area == root_area,
            "root_result": root_result,
            "below": below,
            "previous": previous,
            "previous_result": previous_result,
            "running": campaign.starts_on <= today <= campaign.ends_on,
            "over": today > campaign.ends_on,
        },
    )


@login_required
def not_measured(request: HttpRequest, pk: int, posyandu_pk: int) -> HttpResponse:
    """The sweeping list of one Posyandu, printable on A4; outcomes recorded per child."""
    scope = Scope.of(request.user)
    campaign = selectors.campaign_for(scope, pk)
    targets = selectors.not_measured(scope, campaign, posyandu_pk)
    posyandu_area = area_by_key(f"{Level.POSYANDU}:{posyandu_pk}")
    last_visits = _last_visits([t.child_id for t in targets])
    return render(
        request,
        "campaigns/not_measured.html",
        {
            "campaign": campaign,
            "posyandu": posyandu_area,
            "rows": [(t, last_visits.get(t.child_id)) for t in targets],
            "outcome_form": OutcomeForm(initial={"on": timezone.localdate()}),
            "may_record": scope.may_write(Capability.VISITS_WRITE, posyandu_pk),
        },
    )


def _last_visits(child_ids: list[int]) -> dict[int, Any]:
    from posyandu.measurements.models import Visit

    latest: dict[int, Any] = {}
    for visit in Visit.objects.filter(child_id__in=child_ids).order_by("child_id", "measured_on"):
        latest[visit.child_id] = visit
    return latest


@login_required
@require_POST
def record_outcome(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    campaign = selectors.campaign_for(scope, pk)
    target = get_object_or_404(
        CampaignTarget.objects.select_related("child"), pk=target_pk, campaign=campaign
    )
    scope.require_write(Capability.VISITS_WRITE, target.posyandu_id)
    form = OutcomeForm(request.POST)
    back = redirect("campaigns:not_measured", pk=campaign.pk, posyandu_pk=target.posyandu_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    try:
        services.record_outcome(
            user=_user(scope),
            target=target,
            outcome=form.cleaned_data["outcome"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s: %(outcome)s dicatat.")
            % {"name": target.child.name, "outcome": target.get_outcome_display() or ""},
        )
    return back
