"""Users, each with one role bound to one area."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Kota, Posyandu, Puskesmas


class Role(models.TextChoices):
    KADER = "kader", _("Kader")
    BIDAN = "bidan", _("Bidan")
    TENAGA_GIZI = "tenaga_gizi", _("Tenaga gizi")
    PUSKESMAS = "puskesmas", _("Admin Puskesmas")
    DINKES = "dinkes", _("Dinas Kesehatan")
    ADMIN = "admin", _("Administrator")


PUSKESMAS_ROLES = frozenset({Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS})


class User(AbstractUser):
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.KADER)
    posyandu = models.ForeignKey(
        Posyandu, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    kota = models.ForeignKey(
        Kota, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # Set when someone else chose the password (a new login, a reset): the
    # owner picks their own at the next login. False by default, so accounts
    # made before this field, by createsuperuser or by the demo keep working.
    must_change_password = models.BooleanField(_("harus mengganti sandi"), default=False)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def clean(self) -> None:
        super().clean()
        needed = {
            Role.KADER: ("posyandu", self.posyandu_id),
            Role.BIDAN: ("puskesmas", self.puskesmas_id),
            Role.TENAGA_GIZI: ("puskesmas", self.puskesmas_id),
            Role.PUSKESMAS: ("puskesmas", self.puskesmas_id),
            Role.DINKES: ("kota", self.kota_id),
        }
        if self.role in needed:
            field, value = needed[Role(self.role)]
            if value is None:
                raise ValidationError({field: _("Peran ini harus terikat pada wilayahnya.")})

    def keep_only_role_area(self) -> None:
        """Empty the area fields the role does not use (a kader made bidan keeps no
        Posyandu). An administrator may keep a kota: reports open on it."""
        if self.role != Role.KADER:
            self.posyandu = None
        if self.role not in PUSKESMAS_ROLES:
            self.puskesmas = None
        if self.role not in (Role.DINKES, Role.ADMIN):
            self.kota = None

    @property
    def area_label(self) -> str:
        area = self.area
        return str(area) if area is not None else str(_("Seluruh sistem"))

    @property
    def area(self) -> Kota | Posyandu | Puskesmas | None:
        """The area the role is bound to (None for an administrator)."""
        return {
            Role.KADER: self.posyandu,
            Role.BIDAN: self.puskesmas,
            Role.TENAGA_GIZI: self.puskesmas,
            Role.PUSKESMAS: self.puskesmas,
            Role.DINKES: self.kota,
        }.get(Role(self.role))

    @property
    def audit_kota_id(self) -> int | None:
        """The kota of the user's area, so a Dinkes sees its own city's account changes."""
        if self.role == Role.KADER and self.posyandu is not None:
            return self.posyandu.audit_kota_id
        if self.role in PUSKESMAS_ROLES and self.puskesmas is not None:
            return int(self.puskesmas.kota_id)
        if self.role == Role.DINKES and self.kota_id is not None:
            return int(self.kota_id)
        return None

    @property
    def capabilities(self) -> frozenset[str]:
        """What this user may change, as capability names (for templates)."""
        from posyandu.accounts.scope import CAPABILITIES, Scope

        role = Scope.of(self).role
        return frozenset(str(c) for c in CAPABILITIES[role]) if role is not None else frozenset()
