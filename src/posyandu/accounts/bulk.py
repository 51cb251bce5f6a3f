"""Logins from a CSV file: every bad line reported with its number, all or nothing.

Columns (header on line 1, comma or semicolon, any order, case ignored)::

    username,first_name,last_name,role,area_code

``role`` is ``kader``, ``bidan``, ``tenaga_gizi``, ``puskesmas``, ``dinkes`` or
``admin``; ``area_code`` the code of the kader's Posyandu, of the Puskesmas of
a bidan, tenaga gizi or Puskesmas admin, of the Dinkes user's kota (empty for
an administrator), always within the uploader's area.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Scope
from posyandu.accounts.selectors import area_by_code
from posyandu.accounts.services import FirstPassword, LoginData, check_login, create_logins
from posyandu.areas.importer import LineError, UnreadableCsv, csv_problem, decode_csv
from posyandu.core import audit
from posyandu.core.models import AuditAction

COLUMNS: Final = ("username", "first_name", "last_name", "role", "area_code")
MAX_LINES: Final = 1000
"""One upload at most: a city's kader (Bontang: 514) fit twice, and each first
password costs one deliberately slow Argon2 hash while the manager waits."""

FIELD_COLUMNS: Final = {
    "username": "username",
    "first_name": "first_name",
    "last_name": "last_name",
    "role": "role",
    "area": "area_code",
    "posyandu": "area_code",
    "puskesmas": "area_code",
    "kota": "area_code",
}


@dataclass
class BulkResult:
    errors: list[LineError] = field(default_factory=list)
    created: list[FirstPassword] = field(default_factory=list)
    lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    # Excel saves CSV with semicolons where the decimal mark is a comma (Indonesia).
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise csv_problem(exc, reader.line_num) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnreadableCsv(
            1,
            _("kolom wajib tidak ada: %(cols)s (kolom yang dibutuhkan: %(all)s)")
            % {"cols": ", ".join(missing), "all": ",".join(COLUMNS)},
        )
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items() if k is not None}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise csv_problem(exc, reader.line_num) from None
    return rows


def _line_errors(line: int, exc: ValidationError) -> list[LineError]:
    found = []
    for name, messages in exc.message_dict.items():
        column = FIELD_COLUMNS.get(name)
        prefix = f"{column}: " if column else ""
        found.append(LineError(line, prefix + " ".join(messages)))
    return found


def import_logins(scope: Scope, data: bytes | str, *, file_name: str = "") -> BulkResult:
    """Check every line, then create every login or none (each audited, and the
    import as a whole)."""
    result = BulkResult()
    try:
        rows = _rows(decode_csv(data))
    except UnreadableCsv as exc:
        result.errors = [LineError(exc.line, exc.message)]
        return result
    result.lines = len(rows)
    if not rows:
        result.errors = [LineError(1, _("tidak ada baris data di bawah judul kolom"))]
        return result
    if len(rows) > MAX_LINES:
        result.errors = [
            LineError(
                rows[MAX_LINES][0],
                _("paling banyak %(n)d login sekali unggah; bagi berkasnya") % {"n": MAX_LINES},
            )
        ]
        return result
    roles = {str(r) for r in Role}
    logins: list[LoginData] = []
    taken: dict[str, int] = {}
    for line, values in rows:
        role_text = values["role"].lower()
        if role_text not in roles:
            result.errors.append(
                LineError(
                    line,
                    _("role: '%(role)s' tidak dikenal (pilih: %(roles)s)")
                    % {"role": values["role"], "roles": ", ".join(sorted(roles))},
                )
            )
            continue
        role = Role(role_text)
        code = values["area_code"]
        area = area_by_code(scope, role, code) if code else None
        if code and area is None and role != Role.ADMIN:
            result.errors.append(
                LineError(
                    line,
                    _("area_code: %(code)s tidak ditemukan di wilayah Anda untuk peran %(role)s")
                    % {"code": code, "role": role.label},
                )
            )
            continue
        login = LoginData(
            username=values["username"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            role=role,
            area=area,
        )
        key = login.username.strip().lower()
        if key in taken:
            result.errors.append(
                LineError(
                    line,
                    _("username: %(u)s sudah ada di baris %(other)d")
                    % {"u": login.username.strip(), "other": taken[key]},
                )
            )
            continue
        try:
            check_login(scope, login)
        except ValidationError as exc:
            result.errors.extend(_line_errors(line, exc))
            continue
        taken[key] = line
        logins.append(login)
    if result.errors:
        return result
    with transaction.atomic():
        result.created = create_logins(scope=scope, logins=logins)
        audit.record(
            user=scope.user,
            action=AuditAction.IMPORT,
            object_type=User._meta.label_lower,
            object_repr=_("%(n)d login dari %(file)s") % {"n": len(logins), "file": file_name},
            changes={"file": file_name[:200], "rows": len(logins)},
        )
    return result
