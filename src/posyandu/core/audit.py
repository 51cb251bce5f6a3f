"""Write audit records; the request (IP, user agent) comes from the middleware."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from posyandu.core.models import AuditAction, AuditLog

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "posyandu_current_request", default=None
)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
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
        kota_id=kota_id_of(obj),
    )
