"""Forms of the kader pages: registry, move/stop, skill assessment, trainings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from posyandu.accounts.models import User
from posyandu.areas.models import Posyandu, Puskesmas
from posyandu.cadres.models import AssessmentMethod, Kader, KaderRole, Skill, TrainingKind
from posyandu.children.models import Sex
from posyandu.core.ui import DATE_INPUT_FORMATS, DateDMYField, DecimalCommaField


class KaderForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=100)
    sex = forms.TypedChoiceField(
        label=_("Jenis kelamin"), choices=Sex.choices, coerce=int, initial=Sex.FEMALE
    )
    nik = forms.CharField(label=_("NIK"), max_length=30, required=False)
    phone = forms.CharField(label=_("Nomor HP"), max_length=20, required=False)
    birth_date = DateDMYField(label=_("Tanggal lahir"), required=False)
    account = forms.ModelChoiceField(
        label=_("Akun login (jika punya)"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class PostingForm(forms.Form):
    posyandu = forms.ModelChoiceField(label=_("Posyandu"), queryset=Posyandu.objects.none())
    role = forms.ChoiceField(
        label=_("Jabatan"), choices=KaderRole.choices, initial=KaderRole.ANGGOTA
    )
    sk_number = forms.CharField(label=_("Nomor SK"), max_length=80, required=False)
    sk_date = DateDMYField(label=_("Tanggal SK"), required=False)
    started_on = DateDMYField(label=_("Mulai bertugas"))
    incentive_eligible = forms.BooleanField(
        label=_("Berhak insentif"), required=False, initial=True
    )

    def __init__(self, *args: Any, posyandu: Iterable[Posyandu] | Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posyandu"].queryset = posyandu  # type: ignore[attr-defined]


class RegisterKaderForm(KaderForm, PostingForm):
    """A new kader and the posting they start with."""


class StopForm(forms.Form):
    on = DateDMYField(label=_("Berhenti pada"))


class AssessmentForm(forms.Form):
    """One radio per skill: competent, not yet, or not assessed this time."""

    NOT_ASSESSED = ""
    COMPETENT = "1"
    NOT_YET = "0"

    assessed_on = DateDMYField(label=_("Tanggal uji"))
    method = forms.ChoiceField(
        label=_("Metode"), choices=AssessmentMethod.choices, initial=AssessmentMethod.PRACTICE
    )
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skills = skills
        choices = [
            (self.NOT_ASSESSED, _("—")),
            (self.COMPETENT, _("Kompeten")),
            (self.NOT_YET, _("Belum")),
        ]
        for skill in skills:
            self.fields[f"skill_{skill.pk}"] = forms.ChoiceField(
                label=f"{skill.code}. {skill.label}",
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def skill_rows(self) -> list[tuple[Skill, forms.BoundField]]:
        return [(s, self[f"skill_{s.pk}"]) for s in self.skills]

    def results(self) -> dict[int, bool]:
        return {
            skill.pk: self.cleaned_data[f"skill_{skill.pk}"] == self.COMPETENT
            for skill in self.skills
            if self.cleaned_data.get(f"skill_{skill.pk}") not in (None, self.NOT_ASSESSED)
        }


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("Judul"), max_length=150)
    batch = forms.IntegerField(label=_("Angkatan"), min_value=1, initial=1)
    puskesmas = forms.ModelChoiceField(
        label=_("Puskesmas penyelenggara"),
        queryset=Puskesmas.objects.none(),
        required=False,
        empty_label=_("Dinas Kesehatan (seluruh kota)"),
    )
    venue = forms.CharField(label=_("Tempat"), max_length=150, required=False)
    facilitators = forms.CharField(
        label=_("Fasilitator (satu per baris)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    days = forms.CharField(
        label=_("Hari dan JPL (satu hari per baris: DD/MM/YYYY JPL)"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "19/05/2025 8"}),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Keterampilan yang dilatih"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, puskesmas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["puskesmas"].queryset = puskesmas  # type: ignore[attr-defined]

    def clean_days(self) -> list[tuple[dt.date, int]]:
        days = []
        for number, line in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            day = None
            if len(parts) == 2 and parts[1].isascii() and parts[1].isdigit():
                for fmt in DATE_INPUT_FORMATS:
                    try:
                        day = dt.datetime.strptime(parts[0], fmt).date()
                        break
                    except ValueError:
                        continue
            if day is None or not 0 < int(parts[1]) <= 24:
                raise ValidationError(
                    _("Baris %(n)d: tulis tanggal lalu JPL, misalnya 19/05/2025 8.") % {"n": number}
                )
            days.append((day, int(parts[1])))
        if not days:
            raise ValidationError(_("Isi paling sedikit satu hari pelatihan."))
        return days


class ParticipantForm(forms.Form):
    kader = forms.ModelChoiceField(label=_("Kader"), queryset=Kader.objects.none(), required=False)
    user = forms.ModelChoiceField(
        label=_("Tenaga kesehatan"), queryset=User.objects.none(), required=False
    )
    is_mentor = forms.BooleanField(label=_("Pendamping"), required=False)

    def __init__(self, *args: Any, kader: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kader"].queryset = kader  # type: ignore[attr-defined]
        self.fields["user"].queryset = users  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("kader")) == bool(data.get("user")):
            raise ValidationError(_("Pilih satu kader atau satu tenaga kesehatan."))
        return data


class ResultForm(forms.Form):
    """A participant's hours per day and test scores."""

    pre_test = DecimalCommaField(
        label=_("Pre-test"),
        invalid_message=_("Nilai 0 sampai 100."),
        max_digits=4,
        decimal_places=1,
    )
    post_test = DecimalCommaField(
        label=_("Post-test"),
        invalid_message=_("Nilai 0 sampai 100."),
        max_digits=4,
        decimal_places=1,
    )

    def __init__(self, *args: Any, days: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days = days
        for day in days:
            self.fields[f"day_{day.pk}"] = forms.IntegerField(
                label=_("%(date)s (dari %(jpl)d JPL)")
                % {"date": day.date.strftime("%d/%m/%Y"), "jpl": day.jpl},
                min_value=0,
                max_value=day.jpl,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("pre_test", "post_test"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 100:
                self.add_error(name, _("Nilai 0 sampai 100."))
        return data

    def jpl_by_day(self) -> dict[int, int]:
        return {day.pk: self.cleaned_data[f"day_{day.pk}"] for day in self.days}
