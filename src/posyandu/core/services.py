"""Writes of the core app: an administrator's choice of a rule version."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from posyandu.core import audit
from posyandu.core.models import AuditAction, PolicyChoice, PolicyKey
from posyandu.core.policy_in_force import SCHEDULES
from posyandu.core.ui import check_date


@transaction.atomic
def choose_policy(
    *,
    user: AbstractBaseUser,
    policy: PolicyKey | str,
    version_id: str,
    in_force_from: dt.date,
    note: str = "",
) -> PolicyChoice:
    """Record that ``version_id`` of ``policy`` is in force from ``in_force_from``.

    The caller recomputes what the rule derives (N/T/2T of visits from that
    date) in the same transaction.
    """
    key = PolicyKey(policy)
    try:
        SCHEDULES[key].version(version_id)
    except ValueError:
        raise ValidationError({"version_id": _("Versi aturan ini tidak dikenal.")}) from None
    check_date(in_force_from, field="in_force_from", future_message="", allow_future=True)
    choice = PolicyChoice(
        policy=key,
        version_id=version_id,
        in_force_from=in_force_from,
        note=note,
        chosen_by_id=user.pk,
        chosen_by_name=user.get_username(),
    )
    choice.full_clean()
    choice.save()
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=choice,
        changes={
            "policy": key.value,
            "version_id": version_id,
            "in_force_from": str(in_force_from),
        },
    )
    return choice
