"""Reads of users, within the requesting user's scope."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.db.models import Q, QuerySet, Sum

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.accounts.scope import Scope


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
