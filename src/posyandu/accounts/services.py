"""Writes to user accounts: typed, atomic, audited."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.db import transaction

from posyandu.accounts.models import User
from posyandu.accounts.selectors import failed_logins
from posyandu.core import audit
from posyandu.core.models import AuditAction


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
