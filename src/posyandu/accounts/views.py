"""Logging in (always into a fresh session), one's own password, lifting a login
lockout, and the managers' pages for the logins of their area."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from posyandu.accounts.bulk import COLUMNS, MAX_LINES, import_logins
from posyandu.accounts.forms import LoginForm, NewLoginForm, UsersCsvForm
from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Capability, Scope
from posyandu.accounts.selectors import (
    area_choices,
    failed_logins,
    manageable_users,
    users_in_area,
    users_with_failed_logins,
)
from posyandu.accounts.services import (
    FirstPassword,
    LoginData,
    change_own_password,
    create_login,
    reset_password,
    set_active,
    unlock_login,
)
from posyandu.core.audit_display import AuditDescriber
from posyandu.core.models import AuditLog
from posyandu.core.templatetags.ui_tags import thousands
from posyandu.core.ui import add_service_errors, query_text


class LoginView(auth_views.LoginView):
    """Django's login, but never carrying on a session that was already logged in.

    Whoever plants a logged-in session cookie in someone's browser must not
    get their login: the form is shown even to a logged-in browser, and a
    valid POST ends the old session before starting the new one, so the
    session key always changes.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form: Any) -> HttpResponse:
        if self.request.user.is_authenticated:
            logout(self.request)
        return super().form_valid(form)


@login_required
@require_POST
def unlock_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Lift the lockout of a user of one's own area (404 outside it, 403 for field roles)."""
    scope = Scope.of(request.user)
    user = get_object_or_404(users_in_area(scope), pk=pk)
    scope.require(Capability.USERS_MANAGE)
    failures = unlock_login(user=user, by=scope.user)
    messages.success(
        request,
        _("Akun %(username)s dapat masuk lagi (%(n)d percobaan gagal dihapus).")
        % {"username": user.get_username(), "n": failures},
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): it would try to read a plain word as a URL name.
        return HttpResponseRedirect(target)
    return redirect(settings.LOGIN_REDIRECT_URL)


@login_required
def locked_users(request: HttpRequest) -> HttpResponse:
    """The users of one's area with failed logins, each with an unlock button."""
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.USERS_MANAGE)
    return render(
        request,
        "accounts/locked.html",
        {
            "rows": users_with_failed_logins(scope),
            "limit": settings.AXES_FAILURE_LIMIT,
        },
    )


# --- the forced (or chosen) password change ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: without the old one right after a login with a
    first password (just typed), with it otherwise."""
    user = request.user
    assert isinstance(user, User)
    forced = user.must_change_password
    form_class = SetPasswordForm if forced else PasswordChangeForm
    form = form_class(user, request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        try:
            change_own_password(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Sandi baru Anda tersimpan."))
            if url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return HttpResponseRedirect(next_url)
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": forced, "next": next_url},
    )


# --- user management: Puskesmas, Dinkes, administrator ---------------------------------

USERS_PAGE_SIZE = 50


def _manager(request: HttpRequest) -> Scope:
    """The manager's scope; 404 for a role that manages no logins."""
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.USERS_MANAGE)
    return scope


@login_required
def users(request: HttpRequest) -> HttpResponse:
    """The logins the manager looks after, searchable, with their state."""
    scope = _manager(request)
    found = manageable_users(scope).order_by("role", "username")
    q = query_text(request.GET.get("q"))
    if q:
        found = found.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    role = request.GET.get("peran", "")
    if role in scope.assignable_roles():
        found = found.filter(role=role)
    state = request.GET.get("status", "")
    if state == "aktif":
        found = found.filter(is_active=True)
    elif state == "nonaktif":
        found = found.filter(is_active=False)
    page = Paginator(found, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/users.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "state": state,
            "roles": [(str(r), r.label) for r in scope.assignable_roles()],
            "query": query.urlencode(),
        },
    )


AREA_LABELS = {
    Role.KADER: _lazy("Posyandu"),
    Role.BIDAN: _lazy("Puskesmas"),
    Role.TENAGA_GIZI: _lazy("Puskesmas"),
    Role.PUSKESMAS: _lazy("Puskesmas"),
    Role.DINKES: _lazy("Kota/kabupaten"),
}


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    """A new login: first its role, then its name and the one area that role uses.

    The first password is shown once, on a page that prints as an A4 sheet.
    """
    scope = _manager(request)
    roles = scope.assignable_roles()
    raw_role = request.POST.get("peran") or request.GET.get("peran", "")
    role = Role(raw_role) if raw_role in roles else None
    if role is None:
        return render(
            request, "accounts/user_new.html", {"roles": [(str(r), r.label) for r in roles]}
        )
    areas = area_choices(scope, role)
    form = NewLoginForm(
        request.POST or None, area_label=str(AREA_LABELS.get(role, "")), areas=areas
    )
    if request.method == "POST" and form.is_valid():
        data = LoginData(
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            role=role,
            area=form.cleaned_data.get("area"),
        )
        try:
            created = create_login(scope=scope, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _first_passwords(request, [created], title=_("Login baru dibuat"))
    return render(
        request,
        "accounts/user_new.html",
        {"form": form, "role": role, "roles": [(str(r), r.label) for r in roles]},
    )


def _first_passwords(
    request: HttpRequest, created: list[FirstPassword], *, title: str
) -> HttpResponse:
    """The printable list of first passwords, answered to the POST that made them: never
    stored, never reachable again (the page is no-store like every logged-in page)."""
    return render(
        request,
        "accounts/first_passwords.html",
        {"created": created, "title": title, "printed_at": timezone.localtime()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def users_import(request: HttpRequest) -> HttpResponse:
    """Many logins from one CSV: all or nothing, each bad line with its number."""
    scope = _manager(request)
    form = UsersCsvForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_logins(scope, upload.read(), file_name=upload.name)
        if result.ok:
            return _first_passwords(
                request,
                result.created,
                title=_("%(n)s login baru dari %(file)s")
                % {"n": thousands(len(result.created)), "file": upload.name},
            )
    return render(
        request,
        "accounts/users_import.html",
        {
            "form": form,
            "result": result,
            "columns": ",".join(COLUMNS),
            "roles": scope.assignable_roles(),
            "max_lines": MAX_LINES,
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One login: its role and area, its state, the actions, and its history."""
    scope = _manager(request)
    account = get_object_or_404(manageable_users(scope), pk=pk)
    history = list(
        AuditLog.objects.filter(object_type=User._meta.label_lower, object_id=str(account.pk))[:50]
    )
    describer = AuditDescriber(history)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "is_self": scope.user is not None and account.pk == scope.user.pk,
            "failures": failed_logins(account),
            "history": [(entry, describer.changes(entry)) for entry in history],
        },
    )


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new first password for a login of the area (it changes it at the next login)."""
    scope = _manager(request)
    account = get_object_or_404(manageable_users(scope), pk=pk)
    try:
        created = reset_password(scope=scope, user=account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:user_detail", pk=account.pk)
    return _first_passwords(request, [created], title=_("Sandi direset"))


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``aktif=0``) or reactivate (``aktif=1``) a login of the area."""
    scope = _manager(request)
    account = get_object_or_404(manageable_users(scope), pk=pk)
    wanted = request.POST.get("aktif")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest(_("Pilih aktif atau nonaktif."))
    try:
        set_active(scope=scope, user=account, active=wanted == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            (_("Login %(u)s aktif kembali.") if wanted == "1" else _("Login %(u)s dinonaktifkan."))
            % {"u": account.get_username()},
        )
    return redirect("accounts:user_detail", pk=account.pk)
