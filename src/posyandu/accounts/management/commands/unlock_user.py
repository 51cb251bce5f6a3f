"""``posyandu manage unlock_user USERNAME``: lift a login lockout before it expires."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posyandu.accounts.models import User
from posyandu.accounts.services import unlock_login


class Command(BaseCommand):
    help = (
        "Forget the failed logins of USERNAME (from every address), so that the user "
        "can log in again at once. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        failures = unlock_login(user=user, by=None)
        self.stdout.write(
            self.style.SUCCESS(f"{username} may log in again ({failures} failed login(s) cleared).")
        )
