"""A login whose password someone else chose (new, or reset) changes it before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode


class ForcePasswordChangeMiddleware:
    """Send a user with ``must_change_password`` to the password form from any page.

    The first password was read out or printed: until its owner replaces it,
    whoever saw the paper could use it. Only the password form, logging out,
    the language switch and static files stay open; an htmx request is told to
    load the form as a whole page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            form = reverse("accounts:password_change")
            open_paths = {form, reverse("accounts:logout"), reverse("set_language")}
            static = bool(settings.STATIC_URL) and request.path.startswith(str(settings.STATIC_URL))
            if request.path not in open_paths and not static:
                target = form
                if request.method == "GET":
                    target = f"{form}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return HttpResponseRedirect(target)
        return self.get_response(request)
