"""Administrative areas (Kemendagri codes) and the health facilities in them."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

kemendagri_code = RegexValidator(
    r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$",
    _("Kode Kemendagri berbentuk 64.74, 64.74.01 atau 64.74.01.1001."),
)


class Kota(models.Model):
    code = models.CharField(_("kode"), max_length=5, unique=True, validators=[kemendagri_code])
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("kota/kabupaten")
        verbose_name_plural = _("kota/kabupaten")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Kecamatan(models.Model):
    kota = models.ForeignKey(Kota, on_delete=models.PROTECT, related_name="kecamatan_set")
    code = models.CharField(_("kode"), max_length=8, unique=True, validators=[kemendagri_code])
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    code = models.CharField(_("kode"), max_length=13, unique=True, validators=[kemendagri_code])
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Puskesmas(models.Model):
    kota = models.ForeignKey(Kota, on_delete=models.PROTECT, related_name="puskesmas_set")
    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kelurahan = models.ManyToManyField(
        Kelurahan, related_name="puskesmas_set", verbose_name=_("wilayah kerja"), blank=True
    )

    class Meta:
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Posyandu(models.Model):
    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="posyandu_set")
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, related_name="posyandu_set")
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    is_active = models.BooleanField(_("masih beroperasi"), default=True)

    class Meta:
        verbose_name = _("posyandu")
        verbose_name_plural = _("posyandu")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_kota_id(self) -> int:
        """The kota of this Posyandu, so a Dinkes sees only its own city's audit trail."""
        return int(self.kelurahan.kecamatan.kota_id)
