from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.models import Kelurahan, Posyandu
from posyandu.children import selectors, services
from posyandu.children.forms import ChildEditForm, ChildRegisterForm, StatusForm, TransferForm
from posyandu.children.models import Child
from posyandu.children.nik import nik_warnings
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import add_service_errors, query_id, query_text

PAGE_SIZE = 25

LIST_ORDERS: dict[str, tuple[str, ...]] = {
    "nama": ("name", "pk"),
    "umur": ("-birth_date", "name", "pk"),
    "posyandu": ("posyandu__name", "name", "pk"),
    "baru": ("-created_at", "-pk"),
}
"""``?urut=`` of the child list: by name, youngest first, by Posyandu, newest
registration first."""


def list_order_choices() -> list[tuple[str, str]]:
    return [
        ("nama", _("Nama")),
        ("umur", _("Termuda dulu")),
        ("posyandu", _("Posyandu")),
        ("baru", _("Baru didaftarkan")),
    ]


def _warn_about_nik(request: HttpRequest, child: Child) -> None:
    kota_code = child.posyandu.kelurahan.kecamatan.kota.code
    for warning in nik_warnings(
        child.nik, birth_date=child.birth_date, sex=child.sex, kota_code=kota_code
    ):
        messages.warning(request, warning)
    for warning in nik_warnings(child.mother_nik, birth_date=None, sex=None):
        messages.warning(request, _("NIK ibu: %s") % warning)


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    query = query_text(request.GET.get("q"))
    # Grouped by Puskesmas in the filter: a city has over a hundred Posyandu.
    in_scope = scope.posyandu().select_related("puskesmas").order_by("puskesmas__name", "name")
    posyandu_id = query_id(request.GET.get("posyandu"))
    if posyandu_id is not None and not scope.may_read_posyandu(posyandu_id):
        posyandu_id = None
    order = request.GET.get("urut", "")
    if order not in LIST_ORDERS:
        order = "nama"
    children = selectors.search_children(scope, query, posyandu_id=posyandu_id).order_by(
        *LIST_ORDERS[order]
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(page.object_list)
    params = QueryDict(mutable=True)
    if query:
        params["q"] = query
    if posyandu_id:
        params["posyandu"] = str(posyandu_id)
    filters = params.urlencode()
    if order != "nama":
        params["urut"] = order
    return render(
        request,
        "children/list.html",
        {
            "page": page,
            "query": query,
            "posyandu_choices": in_scope,
            "posyandu_id": posyandu_id,
            "params": params.urlencode(),
            "filters": filters,
            "urut": order,
            "orders": list_order_choices(),
        },
    )


def _duplicates(scope: Scope, form: ChildRegisterForm) -> tuple[list[Child], list[dict[str, Any]]]:
    """Likely existing children: the ones the user may see, and a notice for
    each one outside the user's area that says neither who nor where."""
    data = form.cleaned_data
    nik = data.get("nik") or ""
    found = list(
        selectors.possible_duplicates(
            nik=nik,
            name=data.get("name") or "",
            birth_date=data.get("birth_date"),
            mother_name=data.get("mother_name") or "",
        ).select_related("posyandu__kelurahan__kecamatan")
    )
    visible_ids = set(
        selectors.children_for(scope)
        .filter(pk__in=[c.pk for c in found])
        .values_list("pk", flat=True)
    )
    visible = [c for c in found if c.pk in visible_ids]
    audit.shown(visible)
    hidden: list[dict[str, Any]] = []
    for child in found:
        if child.pk in visible_ids:
            continue
        same_nik = bool(nik) and child.nik == nik
        # Naming the Posyandu would let anyone holding a NIK find where a child
        # lives; the notice stays vague and the probe is left in the audit
        # trail for the child's Puskesmas and Dinkes.
        audit.record(
            user=scope.user,
            action=AuditAction.VIEW,
            obj=child,
            changes={"duplicate_check": "nik" if same_nik else "name"},
        )
        notice = {"same_nik": same_nik}
        if notice not in hidden:
            hidden.append(notice)
    return visible, hidden


@login_required
def child_new(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    scope.require(Capability.REGISTRY_WRITE)
    posyandu_qs = (
        scope.writable_posyandu(Capability.REGISTRY_WRITE)
        .select_related("kelurahan")
        .order_by("name")
    )
    fixed = scope.role == Role.KADER
    form_kwargs: dict[str, Any] = {
        "posyandu": posyandu_qs,
        "fixed_posyandu": fixed,
        "kelurahan": scope.kelurahan().order_by("name"),
    }
    duplicates: list[Child] = []
    hidden_duplicates: list[dict[str, Any]] = []
    if request.method == "POST":
        form = ChildRegisterForm(request.POST, **form_kwargs)
        if form.is_valid():
            # A retried or double-tapped form: the child it created, not a duplicate warning.
            created = selectors.child_registered_by_form(scope, form.cleaned_data["client_token"])
            if created is not None:
                return redirect("measurements:child", pk=created.pk)
            duplicates, hidden_duplicates = _duplicates(scope, form)
            if (duplicates or hidden_duplicates) and not form.cleaned_data["confirm_different"]:
                form.add_error(
                    "confirm_different",
                    _(
                        "Mungkin anak ini sudah terdaftar. Periksa daftar di atas; jika memang "
                        "anak yang berbeda, centang kotak ini lalu simpan lagi."
                    ),
                )
            else:
                try:
                    child = services.register_child(
                        user=_user(scope),
                        posyandu=form.cleaned_data["posyandu"],
                        data=form.child_data(),
                        client_token=form.cleaned_data["client_token"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("%(name)s sudah terdaftar.") % {"name": child.name})
                    _warn_about_nik(request, child)
                    return redirect("measurements:child", pk=child.pk)
    else:
        initial: dict[str, Any] = {"client_token": uuid.uuid4()}
        requested = query_id(request.GET.get("posyandu"))
        chosen: Posyandu | None = None
        if requested is not None:
            chosen = posyandu_qs.filter(pk=requested).first()
        if chosen is None and fixed:
            chosen = posyandu_qs.first()
        if chosen is not None:
            initial["posyandu"] = chosen.pk
        form = ChildRegisterForm(initial=initial, **form_kwargs)
    return render(
        request,
        "children/register.html",
        {"form": form, "duplicates": duplicates, "hidden_duplicates": hidden_duplicates},
    )


def _stored_values(stored: Child, typed: services.ChildData) -> list[tuple[str, Any, bool]]:
    """What is in the database now, each value marked when it differs from the typed one."""
    rows = []
    for name in services.EDITABLE_FIELDS:
        field: Any = stored._meta.get_field(name)
        value: Any = getattr(stored, name)
        typed_value = getattr(typed, name)
        differs = typed_value is not None and (typed_value or "") != (value or "")
        if name == "sex":
            value = stored.get_sex_display()
        elif name == "has_kia_book":
            value = _("ya") if value else _("tidak")
        rows.append((str(field.verbose_name), value, differs))
    return rows


def _user(scope: Scope) -> User:
    """The signed-in user of a scope that passed a write check."""
    if scope.user is None:
        raise PermissionDenied
    return scope.user


def _edit_kelurahan(scope: Scope, child: Child) -> Any:
    return Kelurahan.objects.filter(
        pk__in=scope.kelurahan().values("pk")
    ) | Kelurahan.objects.filter(pk=child.kelurahan_id)


@login_required
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = selectors.child_for_write(scope, pk, Capability.REGISTRY_WRITE)
    kelurahan = _edit_kelurahan(scope, child).order_by("name").distinct()
    stale: Child | None = None
    stored: list[tuple[str, Any, bool]] = []
    if request.method == "POST":
        form = ChildEditForm(request.POST, instance=child, kelurahan=kelurahan)
        if form.is_valid():
            try:
                saved = services.update_child(
                    user=_user(scope),
                    child=child,
                    version=form.cleaned_data["version"],
                    data=form.child_data(),
                )
            except services.StaleEdit:
                stale = Child.objects.select_related("kelurahan").get(pk=pk)
                stored = _stored_values(stale, form.child_data())
                # The next save knowingly replaces what is stored now.
                data = request.POST.copy()
                data["version"] = str(stale.version)
                form = ChildEditForm(data, instance=Child.objects.get(pk=pk), kelurahan=kelurahan)
                form.is_valid()
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Data %(name)s disimpan.") % {"name": saved.name})
                _warn_about_nik(request, saved)
                return redirect("measurements:child", pk=saved.pk)
    else:
        form = ChildEditForm(
            instance=child, initial={"version": child.version}, kelurahan=kelurahan
        )
    child.refresh_from_db()
    return render(
        request,
        "children/edit.html",
        {
            "form": form,
            "child": child,
            "stale": stale,
            "stored": stored,
            "nik_warnings": nik_warnings(
                child.nik,
                birth_date=child.birth_date,
                sex=child.sex,
                kota_code=child.posyandu.kelurahan.kecamatan.kota.code,
            ),
        },
    )


def _stale_message(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Data anak ini baru saja diubah orang lain; perubahan Anda belum disimpan. "
            "Periksa data sekarang, lalu simpan lagi bila masih perlu."
        ),
    )


@login_required
def child_status(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = selectors.child_for_write(scope, pk, Capability.REGISTRY_WRITE)
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                child = services.set_status(
                    user=_user(scope),
                    child=child,
                    version=form.cleaned_data["version"],
                    status=form.cleaned_data["status"],
                    on=form.cleaned_data["on"],
                )
            except services.StaleEdit:
                _stale_message(request)
                return redirect("children:status", pk=child.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Status %(name)s sekarang: %(status)s.")
                    % {"name": child.name, "status": child.get_status_display()},
                )
                return redirect("measurements:child", pk=child.pk)
    else:
        form = StatusForm(
            initial={"status": child.status, "on": child.status_date, "version": child.version}
        )
    return render(request, "children/status.html", {"form": form, "child": child})


def _transfer_targets(child: Child) -> Any:
    kota_id = child.posyandu.kelurahan.kecamatan.kota_id
    return (
        Posyandu.objects.filter(kelurahan__kecamatan__kota_id=kota_id, is_active=True)
        .exclude(pk=child.posyandu_id)
        .select_related("kelurahan")
        .order_by("name")
    )


@login_required
def child_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    child = selectors.child_for_write(scope, pk, Capability.REGISTRY_TRANSFER)
    targets = _transfer_targets(child)
    if request.method == "POST":
        form = TransferForm(request.POST, targets=targets)
        if form.is_valid():
            try:
                transfer = services.transfer_child(
                    user=_user(scope),
                    child=child,
                    version=form.cleaned_data["version"],
                    to_posyandu=form.cleaned_data["to_posyandu"],
                    on=form.cleaned_data["on"],
                    reason=form.cleaned_data["reason"],
                )
            except services.StaleEdit:
                _stale_message(request)
                return redirect("children:transfer", pk=child.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s dipindahkan ke %(to)s.")
                    % {"name": child.name, "to": transfer.to_posyandu.name},
                )
                if scope.may_read_posyandu(transfer.to_posyandu_id):
                    return redirect("measurements:child", pk=child.pk)
                return redirect("measurements:posyandu_detail", pk=transfer.from_posyandu_id)
    else:
        form = TransferForm(targets=targets, initial={"version": child.version})
    return render(
        request,
        "children/transfer.html",
        {
            "form": form,
            "child": child,
            "transfers": child.transfers.select_related("from_posyandu", "to_posyandu", "by"),
        },
    )
