"""Policy choices an administrator makes at run time (stored in the database)."""

from __future__ import annotations

from posyandu.growth.policy import DEFAULT_KBM_VERSION


def current_kbm_version() -> str:
    """The KBM table version in force: the admin's choice, else the newest."""
    from posyandu.core.models import SystemSettings

    chosen = SystemSettings.objects.values_list("kbm_version", flat=True).first()
    return chosen or DEFAULT_KBM_VERSION
