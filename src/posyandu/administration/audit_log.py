"""The audit trail as a privacy officer reads it: who, when, which child, what
changed in words, from where; filtered by who, child, date range and action.

Rows are those of the reader's kota (an administrator: all). A child is named
(and linked to its page) only when it is in the reader's area; the words for
fields and values come from :mod:`posyandu.core.audit_display`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.children.models import Child
from posyandu.core.audit_display import AuditDescriber, Change, child_ids_named, object_label
from posyandu.core.models import AuditAction, AuditLog

CHILD_TYPE = Child._meta.label_lower
USER_TYPE = User._meta.label_lower
MAX_CHILDREN_MATCHED = 50
"""A child-name filter matching more children than this asks for a longer name."""


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    child_name: str = ""
    child_id: int | None = None
    action: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters in force, for the export's own audit row."""
        values = {
            "username": self.username,
            "child_name": self.child_name,
            "child_id": str(self.child_id or ""),
            "action": self.action,
            "object_type": self.object_type,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class NamedChild:
    pk: int
    name: str | None
    """None when the child is outside the reader's area (not named)."""


@dataclass
class AuditRow:
    entry: AuditLog
    action: str
    object_label: str
    object_text: str
    children: list[NamedChild] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    user_pk: int | None = None
    """The account the row is about, when the reader manages it (linked)."""

    @property
    def changes_text(self) -> str:
        return "; ".join(str(c) for c in self.changes)

    @property
    def children_text(self) -> str:
        return "; ".join(c.name or _("anak di luar wilayah Anda") for c in self.children)


def entries_in_scope(scope: Scope) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.all()
    if not scope.is_system_wide:
        entries = entries.filter(kota__in=scope.kota())
    return entries


def _child_models() -> list[type[models.Model]]:
    """Models whose rows belong to one child (a visit, a campaign target...)."""
    found = []
    for model in apps.get_models():
        try:
            child_field = model._meta.get_field("child")
        except Exception:  # noqa: BLE001 - FieldDoesNotExist; the model simply has none
            continue
        if isinstance(child_field, models.ForeignKey) and child_field.related_model is Child:
            found.append(model)
    return found


def matched_children(scope: Scope, filters: AuditFilters) -> list[int] | None:
    """The children the filters name, within the reader's area (None: no child filter)."""
    if filters.child_id is None and not filters.child_name:
        return None
    children = Child.objects.filter(posyandu__in=scope.posyandu())
    if filters.child_id is not None:
        children = children.filter(pk=filters.child_id)
    if filters.child_name:
        children = children.filter(name__icontains=filters.child_name)
    return list(children.order_by("pk").values_list("pk", flat=True)[: MAX_CHILDREN_MATCHED + 1])


def filtered(scope: Scope, filters: AuditFilters) -> QuerySet[AuditLog]:
    entries = entries_in_scope(scope)
    if filters.username:
        entries = entries.filter(username__icontains=filters.username)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.date_from:
        entries = entries.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(at__date__lte=filters.date_to)
    children = matched_children(scope, filters)
    if children is not None:
        entries = with_shown_children(entries).filter(
            _about_children(children[:MAX_CHILDREN_MATCHED])
        )
    return entries


def _about_children(child_ids: Sequence[int]) -> Q:
    """Rows about these children: the child itself, one of its visits (or other
    per-child rows), or a page that showed it among others."""
    if not child_ids:
        return Q(pk__in=[])
    about = Q(object_type=CHILD_TYPE, object_id__in=[str(pk) for pk in child_ids])
    for model in _child_models():
        own = model._default_manager.filter(child__in=child_ids).values_list("pk", flat=True)
        about |= Q(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in own])
    # The list of children a page showed is a JSON array ("[3, 17, 42]"): a regular
    # expression on its text finds an id as a whole number, on SQLite and PostgreSQL.
    ids = "|".join(str(pk) for pk in child_ids)
    about |= Q(shown_children__regex=rf"[\[ ,]({ids})[\],]")
    return about


def with_shown_children(entries: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
    return entries.annotate(shown_children=KeyTextTransform("children", "changes"))


def describe(scope: Scope, entries: Sequence[AuditLog], *, manageable: set[int]) -> list[AuditRow]:
    """The rows of one page (or one export), children and referenced names looked up in bulk."""
    describer = AuditDescriber(entries)
    per_model: dict[str, set[str]] = defaultdict(set)
    child_models = {m._meta.label_lower: m for m in _child_models()}
    for entry in entries:
        if entry.object_type in child_models and entry.object_id.isdigit():
            per_model[entry.object_type].add(entry.object_id)
    owner: dict[tuple[str, str], int] = {}
    for label, ids in per_model.items():
        for pk, child_id in (
            child_models[label]._default_manager.filter(pk__in=ids).values_list("pk", "child_id")
        ):
            owner[(label, str(pk))] = child_id
    named: dict[AuditLog, list[int]] = {}
    for entry in entries:
        child_ids = child_ids_named(entry, CHILD_TYPE)
        if (entry.object_type, entry.object_id) in owner:
            child_ids.append(owner[(entry.object_type, entry.object_id)])
        named[entry] = list(dict.fromkeys(child_ids))
    all_ids = {pk for ids in named.values() for pk in ids}
    visible = dict(
        Child.objects.filter(pk__in=all_ids, posyandu__in=scope.posyandu()).values_list(
            "pk", "name"
        )
    )
    rows = []
    for entry in entries:
        children = [NamedChild(pk, visible.get(pk)) for pk in named[entry]]
        hidden = any(c.name is None for c in children)
        rows.append(
            AuditRow(
                entry=entry,
                action=str(AuditAction(entry.action).label) if entry.action in AuditAction else "",
                object_label=object_label(entry.object_type),
                object_text="" if hidden else entry.object_repr,
                children=children,
                changes=describer.changes(entry),
                user_pk=(
                    int(entry.object_id)
                    if entry.object_type == USER_TYPE
                    and entry.object_id.isdigit()
                    and int(entry.object_id) in manageable
                    else None
                ),
            )
        )
    return rows


CSV_COLUMNS = (
    "waktu",
    "pengguna",
    "aksi",
    "data",
    "anak",
    "perubahan",
    "alamat_ip",
    "perangkat",
)


def write_csv(rows: Sequence[AuditRow]) -> bytes:
    """``;``-separated UTF-8 with a BOM, as an Indonesian Windows Excel opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        entry = row.entry
        writer.writerow(
            [
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.username,
                row.action,
                " ".join(p for p in (row.object_label, row.object_text) if p),
                row.children_text,
                row.changes_text,
                entry.ip_address or "",
                entry.user_agent,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def filters_from(data: dict[str, Any]) -> AuditFilters:
    """Filters from a valid :class:`~posyandu.administration.forms.AuditFilterForm`."""
    return AuditFilters(
        username=data.get("pengguna") or "",
        child_name=data.get("anak") or "",
        child_id=data.get("anak_id"),
        action=data.get("aksi") or "",
        object_type=data.get("jenis") or "",
        date_from=data.get("dari"),
        date_to=data.get("sampai"),
    )
