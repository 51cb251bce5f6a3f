"""Writes to user accounts: typed, atomic, audited.

A manager (Puskesmas, Dinkes, administrator) creates logins, resets their
passwords and deactivates them, only for users of its area with a role it may
assign (:data:`~posyandu.accounts.scope.ASSIGNABLE_ROLES`); the checks live
here, so the form, the CSV import and any later caller share them. Passwords
are never written to the audit trail, only that one was set and by whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.accounts.passwords import readable_password
from posyandu.accounts.scope import Scope
from posyandu.accounts.selectors import area_choices, failed_logins, manageable_users
from posyandu.areas.models import Kota, Posyandu, Puskesmas
from posyandu.core import audit
from posyandu.core.models import AuditAction

AUDITED_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "role",
    "posyandu_id",
    "puskesmas_id",
    "kota_id",
    "is_active",
    "must_change_password",
]


class PasswordEvent:
    """What the trail says about a password (never the password itself)."""

    FIRST = "first"
    RESET = "reset"
    CHANGED = "changed"


@dataclass(frozen=True)
class LoginData:
    """A login to create: its role and the one area that role is bound to."""

    username: str
    first_name: str
    last_name: str
    role: Role
    area: Posyandu | Puskesmas | Kota | None


@dataclass(frozen=True)
class FirstPassword:
    """A login and the password the app chose for it, shown once to the manager."""

    user: User
    password: str


@transaction.atomic
def unlock_login(*, user: User, by: User | None) -> int:
    """Forget the failed logins of ``user`` (any address); return how many there were.

    ``by`` is the user who asked (None from the command line); audited.
    """
    failures = failed_logins(user)
    axes_reset(username=user.get_username())
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"failed_logins": [failures, 0]},
    )
    return failures


def check_login(scope: Scope, data: LoginData, *, taken: set[str] | None = None) -> User:
    """The unsaved user ``data`` describes, or ``ValidationError`` naming the fields.

    ``taken`` holds lower-cased usernames already claimed (by earlier lines of
    one file); names differing only in case are refused too, since a kader
    typing "Siti" for "siti" would not get in.
    """
    errors: dict[str, list[str]] = {}
    username = data.username.strip()
    if data.role not in scope.assignable_roles():
        errors["role"] = [_("Anda tidak dapat membuat login dengan peran ini.")]
    else:
        choices = area_choices(scope, data.role)
        if choices is None:
            if data.area is not None:
                errors["area"] = [_("Administrator tidak terikat pada wilayah.")]
        elif data.area is None or not choices.filter(pk=data.area.pk).exists():
            errors["area"] = [_wrong_area_message(data.role)]
    if not data.first_name.strip():
        errors["first_name"] = [_("Nama depan wajib diisi.")]
    if username and (
        username.lower() in (taken or set())
        or User.objects.filter(username__iexact=username).exists()
    ):
        errors["username"] = [_("Nama pengguna %(u)s sudah dipakai.") % {"u": username}]
    user = User(
        username=username,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        role=data.role,
    )
    if not errors:
        _bind(user, data.role, data.area)
    try:
        # The model's own check (role bound to its area) only once the area is known good.
        if errors:
            user.clean_fields(exclude=["password"])
        else:
            user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors[field] = messages
    if errors:
        raise ValidationError(errors)
    return user


def _wrong_area_message(role: Role) -> str:
    if role == Role.KADER:
        return _("Pilih Posyandu di wilayah Anda.")
    if role in PUSKESMAS_ROLES:
        return _("Pilih Puskesmas di wilayah Anda.")
    return _("Pilih kota di wilayah Anda.")


def _bind(user: User, role: Role, area: Posyandu | Puskesmas | Kota | None) -> None:
    """Bind ``user`` to ``area`` through the one field its role uses; the others stay empty."""
    user.posyandu = area if isinstance(area, Posyandu) else None
    user.puskesmas = area if isinstance(area, Puskesmas) else None
    user.kota = area if isinstance(area, Kota) else None
    user.keep_only_role_area()
    user.is_staff = user.is_superuser = role == Role.ADMIN


@transaction.atomic
def create_logins(*, scope: Scope, logins: Sequence[LoginData]) -> list[FirstPassword]:
    """Create every login or none (``ValidationError`` from the first bad one), each
    with a first password its owner must replace at the first login; audited."""
    taken: set[str] = set()
    users = []
    for data in logins:
        user = check_login(scope, data, taken=taken)
        taken.add(user.username.lower())
        users.append(user)
    created = []
    for user in users:
        password = readable_password()
        user.set_password(password)
        user.must_change_password = True
        user.save()
        audit.record(
            user=scope.user,
            action=AuditAction.CREATE,
            obj=user,
            changes={
                **audit.diff({}, audit.snapshot(user, AUDITED_FIELDS)),
                "password": PasswordEvent.FIRST,
            },
        )
        created.append(FirstPassword(user=user, password=password))
    return created


def create_login(*, scope: Scope, data: LoginData) -> FirstPassword:
    return create_logins(scope=scope, logins=[data])[0]


def _managed(scope: Scope, user: User) -> User:
    """``user`` locked for the change, or ``ValidationError`` when out of the manager's reach
    (views look the user up in :func:`manageable_users` first and answer 404)."""
    locked = manageable_users(scope).select_for_update(of=("self",)).filter(pk=user.pk).first()
    if locked is None:
        raise ValidationError(_("Pengguna ini tidak di wilayah Anda."))
    return locked


@transaction.atomic
def reset_password(*, scope: Scope, user: User) -> FirstPassword:
    """Give ``user`` a new first password (changed at the next login) and lift any
    login lockout; audited, without the password."""
    locked = _managed(scope, user)
    if scope.user is not None and locked.pk == scope.user.pk:
        raise ValidationError(_("Ganti sandi Anda sendiri lewat menu Ganti sandi."))
    before = audit.snapshot(locked, AUDITED_FIELDS)
    failures = failed_logins(locked)
    password = readable_password()
    locked.set_password(password)
    locked.must_change_password = True
    locked.save(update_fields=["password", "must_change_password"])
    axes_reset(username=locked.get_username())
    changes: dict[str, object] = {
        **audit.diff(before, audit.snapshot(locked, AUDITED_FIELDS)),
        "password": PasswordEvent.RESET,
    }
    if failures:
        changes["failed_logins"] = [failures, 0]
    audit.record(user=scope.user, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return FirstPassword(user=locked, password=password)


@transaction.atomic
def set_active(*, scope: Scope, user: User, active: bool) -> User:
    """Deactivate a login (it can no longer log in; its sessions end at their next
    request) or reactivate it; audited. Nobody deactivates themselves."""
    locked = _managed(scope, user)
    if not active and scope.user is not None and locked.pk == scope.user.pk:
        raise ValidationError(_("Anda tidak dapat menonaktifkan login Anda sendiri."))
    if locked.is_active == active:
        return locked
    before = audit.snapshot(locked, AUDITED_FIELDS)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit.record(
        user=scope.user,
        action=AuditAction.UPDATE,
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, AUDITED_FIELDS)),
    )
    return locked


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> None:
    """The owner sets their password (at the forced change or any time); it must
    pass the password rules and differ from the one it replaces; audited."""
    if user.check_password(new_password):
        raise ValidationError(
            {"new_password1": _("Sandi baru harus berbeda dari sandi yang sekarang.")}
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    before = audit.snapshot(user, AUDITED_FIELDS)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=user,
        changes={
            **audit.diff(before, audit.snapshot(user, AUDITED_FIELDS)),
            "password": PasswordEvent.CHANGED,
        },
    )
