"""Logging in (always into a fresh session) and lifting a login lockout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from posyandu.accounts.forms import LoginForm
from posyandu.accounts.scope import Capability, Scope
from posyandu.accounts.selectors import users_in_area, users_with_failed_logins
from posyandu.accounts.services import unlock_login


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
