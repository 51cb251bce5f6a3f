"""Write audit records; the request (IP, user agent) comes from the middleware.

Writes are recorded by the services (:func:`record`). Reads are recorded by
construction: the selectors that hand a child's personal data to a page call
:func:`shown` (and :func:`refused` when they answer 404 or 403), and
:class:`~posyandu.core.middleware.AuditContextMiddleware` writes one row per
request for what was shown (a list names every child on it) and one per
refusal, after the response, for GET and POST only (never HEAD or OPTIONS).
NIKs are stored masked (UU 27/2022 PDP).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest

from posyandu.core.models import AuditAction, AuditLog

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "posyandu_current_request", default=None
)


NIK_FIELDS = frozenset({"nik", "mother_nik"})
"""Fields holding a NIK: the trail keeps their last four digits only."""


def mask_nik(nik: Any) -> Any:
    """``"6474015501240003"`` -> ``"••••••••••••0003"``; other values unchanged."""
    if not isinstance(nik, str) or not nik:
        return nik
    return "•" * max(len(nik) - 4, 0) + nik[-4:]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        # A group of values (an export's filters) stays a group, readable in the log.
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""

    def shown_value(key: str, value: Any) -> Any:
        return mask_nik(value) if key in NIK_FIELDS else _jsonable(value)

    return {
        key: [shown_value(key, before.get(key)), shown_value(key, after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (FKs as ids) for diffing."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: getattr(instance, name) for name in names}


def kota_id_of(obj: models.Model | None) -> int | None:
    """The kota an audited object belongs to: models that belong to one say so
    with an ``audit_kota_id`` property (core knows no area model)."""
    kota_id = getattr(obj, "audit_kota_id", None)
    return int(kota_id) if kota_id is not None else None


def record(
    *,
    user: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    kota_id: int | None = None,
) -> AuditLog:
    request = current_request.get()
    ip = None
    agent = ""
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or None
        agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes={
            k: _jsonable(v) if not isinstance(v, list) else v for k, v in (changes or {}).items()
        },
        ip_address=ip,
        user_agent=agent,
        kota_id=_row_kota_id(kota_id, obj, user if authenticated else None),
    )


def _row_kota_id(kota_id: int | None, obj: models.Model | None, user: Any) -> int | None:
    """The kota a row is filed under: given, else the object's, else the acting user's
    (an export or an import names no single object; without this the city's privacy
    officer would never see them)."""
    if kota_id is not None:
        return kota_id
    return kota_id_of(obj) if kota_id_of(obj) is not None else kota_id_of(user)


# --- reads: what a request showed and what it refused ------------------------------


@dataclass
class _Reads:
    shown: dict[int, models.Model] = field(default_factory=dict)
    export: bool = False
    refused: list[tuple[str, str, int | None]] = field(default_factory=list)


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "posyandu_audit_reads", default=None
)

READ_METHODS = frozenset({"GET", "POST"})
"""HEAD and OPTIONS show nothing to a person: they are not logged."""


def start_reads() -> contextvars.Token[_Reads | None]:
    return _reads.set(_Reads())


def end_reads(token: contextvars.Token[_Reads | None]) -> None:
    _reads.reset(token)


def shown(children: Iterable[models.Model], *, export: bool = False) -> None:
    """Note that this request shows these children's personal data (a page, a
    list, a form, a print: ``export`` for a print or a file)."""
    reads = _reads.get()
    if reads is None:
        return
    for child in children:
        reads.shown.setdefault(int(child.pk), child)
    reads.export = reads.export or export


def refused(*, object_type: str, object_id: str, kota_id: int | None = None) -> None:
    """Note that this request asked for a record it may not see (404) or change (403)."""
    reads = _reads.get()
    if reads is not None:
        reads.refused.append((object_type, object_id[:40], kota_id))


def write_reads(request: HttpRequest, status_code: int) -> None:
    """The audit rows of one request's reads (called by the middleware)."""
    reads = _reads.get()
    user = getattr(request, "user", None)
    if reads is None or request.method not in READ_METHODS:
        return
    if user is None or not user.is_authenticated:
        return
    if reads.shown and status_code < 400:
        children = list(reads.shown.values())
        first = children[0]
        record(
            user=user,
            action=AuditAction.EXPORT if reads.export else AuditAction.VIEW,
            obj=first if len(children) == 1 else None,
            object_type=first._meta.label_lower,
            object_repr="" if len(children) == 1 else f"{len(children)} anak",
            changes={"children": [int(c.pk) for c in children], "path": request.path[:200]},
            kota_id=kota_id_of(first),
        )
    for object_type, object_id, kota_id in reads.refused:
        record(
            user=user,
            action=AuditAction.REFUSE,
            object_type=object_type,
            object_id=object_id,
            changes={"path": request.path[:200], "status": status_code},
            kota_id=kota_id,
        )
