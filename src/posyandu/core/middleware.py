from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from posyandu.core.audit import current_request


class AuditContextMiddleware:
    """Make the current request visible to audit records written by services."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
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
