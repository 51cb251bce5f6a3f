"""Kader: the volunteers who run each Posyandu, their postings and their presence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu
from posyandu.children.models import Sex
from posyandu.measurements.models import PosyanduSession


class Kader(models.Model):
    """A kader as a person. Most have no login; ``user`` links one when they do."""

    name = models.CharField(_("nama"), max_length=100)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    sex = models.PositiveSmallIntegerField(_("jenis kelamin"), choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kader",
        verbose_name=_("akun"),
    )
    posyandu = models.ForeignKey(
        Posyandu,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kader_set",
        verbose_name=_("posyandu sekarang"),
    )
    # The Posyandu of the open posting, kept beside the history by the services
    # that change postings, so that scoping a kader is one join, not a subquery.
    is_active = models.BooleanField(_("aktif"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kader")
        verbose_name_plural = _("kader")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_kota_id(self) -> int | None:
        return self.posyandu.audit_kota_id if self.posyandu is not None else None


class KaderRole(models.TextChoices):
    KETUA = "ketua", _("Ketua")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    BENDAHARA = "bendahara", _("Bendahara")
    ANGGOTA = "anggota", _("Anggota")


class KaderPosting(models.Model):
    """One period of a kader at one Posyandu under one decree (SK); a move or a stop
    closes it (``ended_on``) and a move opens the next."""

    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="postings")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="kader_postings")
    role = models.CharField(
        _("jabatan"), max_length=20, choices=KaderRole.choices, default=KaderRole.ANGGOTA
    )
    sk_number = models.CharField(_("nomor SK"), max_length=80, blank=True)
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    started_on = models.DateField(_("mulai"))
    ended_on = models.DateField(_("berhenti"), null=True, blank=True)
    incentive_eligible = models.BooleanField(_("berhak insentif"), default=True)

    class Meta:
        verbose_name = _("penugasan kader")
        verbose_name_plural = _("penugasan kader")
        ordering = ["kader", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kader"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_posting_per_kader",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="posting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kader} @ {self.posyandu}"


class SessionAttendance(models.Model):
    """A kader present at a Posyandu opening day."""

    session = models.ForeignKey(
        PosyanduSession, on_delete=models.CASCADE, related_name="kader_attendance"
    )
    kader = models.ForeignKey(Kader, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        verbose_name = _("kehadiran kader")
        verbose_name_plural = _("kehadiran kader")
        constraints = [
            models.UniqueConstraint(fields=["session", "kader"], name="kader_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.kader} — {self.session}"


class LifeStage(models.TextChoices):
    """The life stages a Posyandu day serves (ILP); the codes of posyandu.policy.posyandu_aktif."""

    BALITA = "balita", _("Bayi dan balita")
    IBU_HAMIL = "ibu_hamil", _("Ibu hamil dan menyusui")
    USIA_SEKOLAH_REMAJA = "usia_sekolah_remaja", _("Usia sekolah dan remaja")
    USIA_PRODUKTIF = "usia_produktif", _("Usia produktif")
    LANSIA = "lansia", _("Lansia")


class SessionService(models.Model):
    """A life stage served at a Posyandu day, with how many people were served."""

    session = models.ForeignKey(PosyanduSession, on_delete=models.CASCADE, related_name="services")
    life_stage = models.CharField(_("sasaran layanan"), max_length=24, choices=LifeStage.choices)
    people_served = models.PositiveIntegerField(_("jumlah dilayani"), null=True, blank=True)

    class Meta:
        verbose_name = _("layanan hari buka")
        verbose_name_plural = _("layanan hari buka")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "life_stage"], name="one_service_row_per_stage_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_life_stage_display()}"
