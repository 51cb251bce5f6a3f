from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from posyandu.core import audit
from posyandu.core.audit import current_request


class AuditContextMiddleware:
    """Make the current request visible to audit records written by services, and
    write the audit rows of what the request showed or refused (see core.audit)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        reads = audit.start_reads()
        try:
            response = self.get_response(request)
            audit.write_reads(request, response.status_code)
            return response
        finally:
            audit.end_reads(reads)
            current_request.reset(token)


class IndonesianFirstMiddleware:
    """Indonesian unless the user chose otherwise with the language switch.

    Many kader phones are set to English; the browser's Accept-Language must
    not switch the UI away from the language the Posyandu works in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """No caching of what a logged-in user sees; a Content-Security-Policy on HTML.

    Any page behind the login may show a child's name or NIK, and a shared
    clinic computer or a proxy must not keep a copy: every response to a
    logged-in user is ``no-store``. Static files keep their long cache
    (whitenoise answers them before this middleware; the path test is for
    ``runserver``). The policy itself is ``settings.CONTENT_SECURITY_POLICY``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        static = bool(settings.STATIC_URL) and request.path.startswith(str(settings.STATIC_URL))
        if user is not None and user.is_authenticated and not static:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
