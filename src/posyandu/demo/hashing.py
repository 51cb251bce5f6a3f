"""Password hashing in worker processes (imports nothing that needs Django's apps).

A spawned worker unpickles these functions by importing this module, so it
must import without the app registry; the initializer then sets Django up.
"""

from __future__ import annotations

import os


def start_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    import django

    django.setup()


def hash_password(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)
