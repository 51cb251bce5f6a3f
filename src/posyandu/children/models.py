"""The child registry: every balita of a Posyandu, with their history of moves."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Kelurahan, Posyandu


class Sex(models.IntegerChoices):
    MALE = 1, _("Laki-laki")
    FEMALE = 2, _("Perempuan")


class ChildStatus(models.TextChoices):
    ACTIVE = "aktif", _("Aktif")
    MOVED = "pindah", _("Pindah")
    DIED = "meninggal", _("Meninggal")
    AGED_OUT = "lulus", _("Lulus balita (≥ 60 bulan)")


def new_local_id() -> str:
    # A temporary identifier for infants without a NIK yet; short enough to
    # write on a KIA book.
    return "TMP-" + uuid.uuid4().hex[:10].upper()


class Child(models.Model):
    local_id = models.CharField(
        _("ID lokal"), max_length=20, unique=True, default=new_local_id, editable=False
    )
    name = models.CharField(_("nama anak"), max_length=100)
    sex = models.PositiveSmallIntegerField(_("jenis kelamin"), choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    birth_weight_kg = models.DecimalField(
        _("berat lahir (kg)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    birth_length_cm = models.DecimalField(
        _("panjang lahir (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    mother_name = models.CharField(_("nama ibu"), max_length=100)
    mother_nik = models.CharField(_("NIK ibu"), max_length=16, blank=True)
    father_name = models.CharField(_("nama ayah"), max_length=100, blank=True)
    phone = models.CharField(_("no. HP orang tua"), max_length=20, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="children", verbose_name=_("kelurahan")
    )
    posyandu = models.ForeignKey(
        Posyandu, on_delete=models.PROTECT, related_name="children", verbose_name=_("posyandu")
    )
    has_kia_book = models.BooleanField(_("punya buku KIA"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ChildStatus.choices, default=ChildStatus.ACTIVE
    )
    status_date = models.DateField(_("tanggal status"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The registration form's own id: a retried or double-tapped form returns
    # the child it created instead of registering it twice.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("anak")
        verbose_name_plural = _("anak")
        ordering = ["name", "birth_date"]
        indexes = [
            models.Index(fields=["posyandu", "status"]),
            models.Index(fields=["birth_date", "name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.birth_date:%d/%m/%Y})"

    @property
    def audit_kota_id(self) -> int:
        return self.posyandu.audit_kota_id


class ChildTransfer(models.Model):
    """A move between Posyandu: the visits stay with the child, this keeps the trail."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="transfers")
    from_posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="+")
    to_posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("tanggal pindah"))
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.transferred_on:%d/%m/%Y} {self.from_posyandu_id} -> {self.to_posyandu_id}"
