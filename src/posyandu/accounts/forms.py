"""The login form and the forms of user management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Model, QuerySet
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


class NewLoginForm(forms.Form):
    """A new login of one role: its name and the one area field that role uses."""

    username = forms.CharField(
        label=_("Nama pengguna (untuk masuk)"),
        max_length=150,
        help_text=_("Huruf, angka dan . - _ saja, tanpa spasi; misalnya siti.melati"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("Nama depan"), max_length=150)
    last_name = forms.CharField(label=_("Nama belakang"), max_length=150, required=False)

    def __init__(
        self, *args: Any, area_label: str, areas: QuerySet[Model] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"] = forms.ModelChoiceField(
                label=area_label,
                queryset=areas,
                empty_label=None if areas.count() == 1 else "—",
            )


MAX_USERS_CSV_BYTES = 1024 * 1024


class UsersCsvForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_USERS_CSV_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 1 MB)."))
        return upload
