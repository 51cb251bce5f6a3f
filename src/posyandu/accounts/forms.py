"""The login form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than any account's, with
    a plain message for a wrong login.

    Django only sets the widget's maxlength; without the validator a 10,000
    character name reached authentication and the lockout table (255
    characters on PostgreSQL), which answered a server error. Django's own
    Indonesian message repeats "nama pengguna" ("Masukkan nama pengguna nama
    pengguna dan sandi yang benar").
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau sandi salah. Perhatikan huruf besar dan kecil pada sandi."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(self.username_field.max_length or 150))
