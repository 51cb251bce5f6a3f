"""Reads of users, within the requesting user's scope."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.db.models import Model, Q, QuerySet, Sum

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.accounts.scope import Scope
from posyandu.areas.models import Kota, Posyandu, Puskesmas


def users_in_area(scope: Scope) -> QuerySet[User]:
    """The users of the scope's area: of its Posyandu, its Puskesmas and (Dinkes) its kota.

    A kader belongs to their Posyandu (and so to its Puskesmas); bidan, tenaga
    gizi and Puskesmas admins to their Puskesmas; a Dinkes user to their kota.
    Administrators belong to no area: only an administrator sees them.
    """
    users = User.objects.all()
    if scope.user is None:
        return users.none()
    if scope.is_system_wide:
        return users
    area = Q(role=Role.KADER, posyandu__in=scope.posyandu()) | Q(
        role__in=PUSKESMAS_ROLES, puskesmas__in=scope.puskesmas()
    )
    if scope.role == Role.DINKES and scope.user.kota_id:
        area |= Q(role=Role.DINKES, kota_id=scope.user.kota_id)
    return users.filter(area, is_superuser=False)


def failed_logins(user: User) -> int:
    """Failed logins counted against ``user``'s username, from every address."""
    found = AccessAttempt.objects.filter(username=user.get_username()).aggregate(
        failures=Sum("failures_since_start")
    )
    return int(found["failures"] or 0)


def users_with_failed_logins(scope: Scope) -> list[tuple[User, int]]:
    """The users of the area with failed logins on record, most failures first
    (those at the limit are locked out): for the Puskesmas' unlock page."""
    failures = dict(
        AccessAttempt.objects.values("username")
        .annotate(n=Sum("failures_since_start"))
        .values_list("username", "n")
    )
    if not failures:
        return []
    users = users_in_area(scope).filter(username__in=list(failures)).order_by("username")
    found = [(user, int(failures[user.username] or 0)) for user in users]
    return sorted(found, key=lambda pair: -pair[1])


def manageable_users(scope: Scope) -> QuerySet[User]:
    """The users whose logins ``scope``'s user manages: those of its area with a role
    it may assign (a Puskesmas: its kader, bidan and tenaga gizi). Anything else,
    another Puskesmas's users among them, is out of reach (404)."""
    roles = scope.assignable_roles()
    if not roles:
        return User.objects.none()
    return (
        users_in_area(scope)
        .filter(role__in=[str(r) for r in roles])
        .select_related("posyandu", "puskesmas", "kota")
    )


def area_choices(scope: Scope, role: Role) -> QuerySet[Model] | None:
    """Where a new login of ``role`` may be bound, within the manager's area: a
    kader's Posyandu, a bidan's / tenaga gizi's / Puskesmas admin's Puskesmas, a
    Dinkes user's kota; None for an administrator (bound to no area)."""
    if role == Role.KADER:
        return scope.posyandu().filter(is_active=True).order_by("name")
    if role in PUSKESMAS_ROLES:
        return scope.puskesmas().order_by("name")
    if role == Role.DINKES:
        return scope.kota().order_by("name")
    return None


def area_by_code(scope: Scope, role: Role, code: str) -> Posyandu | Puskesmas | Kota | None:
    """The area of ``role`` with this code within the manager's area, or None."""
    choices = area_choices(scope, role)
    if choices is None:
        return None
    found = choices.filter(code=code).first()
    assert found is None or isinstance(found, Posyandu | Puskesmas | Kota)
    return found
