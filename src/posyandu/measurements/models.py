"""Posyandu opening days and the monthly visit of each child."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu
from posyandu.children.models import Child


class PosyanduSession(models.Model):
    """One opening day (hari buka) of a Posyandu; the weighing table of that day."""

    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("tanggal"))
    notes = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hari buka posyandu")
        verbose_name_plural = _("hari buka posyandu")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["posyandu", "date"], name="one_session_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.posyandu} {self.date:%d/%m/%Y}"

    @property
    def audit_kota_id(self) -> int:
        return self.posyandu.audit_kota_id


class Position(models.TextChoices):
    LYING = "l", _("Terlentang (panjang badan)")
    STANDING = "h", _("Berdiri (tinggi badan)")


class Kpsp(models.TextChoices):
    APPROPRIATE = "sesuai", _("Sesuai")
    DOUBTFUL = "meragukan", _("Meragukan")
    DEVIATION = "penyimpangan", _("Penyimpangan")


class WeightGain(models.TextChoices):
    NAIK = "N", _("N (naik)")
    TIDAK_NAIK = "T", _("T (tidak naik)")
    TIDAK_DITIMBANG_BULAN_LALU = "O", _("O (bulan lalu tidak ditimbang)")
    BARU = "B", _("B (baru)")


class Visit(models.Model):
    """A child's measurement at a Posyandu: at most one per child per month."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="visits")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="visits")
    session = models.ForeignKey(
        PosyanduSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    measured_on = models.DateField(_("tanggal pengukuran"))
    period = models.DateField(_("bulan"), help_text="First day of the month of measured_on.")
    age_days = models.PositiveIntegerField(_("umur (hari)"))

    weight_kg = models.DecimalField(
        _("berat badan (kg)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("panjang/tinggi badan (cm)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    position = models.CharField(_("cara ukur"), max_length=1, choices=Position.choices, blank=True)
    head_cm = models.DecimalField(
        _("lingkar kepala (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    muac_cm = models.DecimalField(
        _("LiLA (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    oedema = models.BooleanField(_("edema"), default=False)
    vitamin_a = models.BooleanField(_("vitamin A"), default=False)
    pmt_received = models.BooleanField(_("PMT diterima"), default=False)
    pmt_kg = models.DecimalField(
        _("PMT diterima (kg)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    kpsp = models.CharField(_("KPSP"), max_length=12, choices=Kpsp.choices, blank=True)

    # Derived by the growth engine on every write (never typed in).
    height_adj_cm = models.FloatField(null=True, blank=True)
    z_wfa = models.FloatField(_("ZS BB/U"), null=True, blank=True)
    z_lhfa = models.FloatField(_("ZS PB/U atau TB/U"), null=True, blank=True)
    z_wflh = models.FloatField(_("ZS BB/PB atau BB/TB"), null=True, blank=True)
    z_bfa = models.FloatField(_("ZS IMT/U"), null=True, blank=True)
    z_hcfa = models.FloatField(_("ZS LK/U"), null=True, blank=True)
    z_acfa = models.FloatField(_("ZS LiLA/U"), null=True, blank=True)
    flag_wfa = models.BooleanField(default=False)
    flag_lhfa = models.BooleanField(default=False)
    flag_wflh = models.BooleanField(default=False)
    flag_bfa = models.BooleanField(default=False)
    flag_hcfa = models.BooleanField(default=False)
    flag_acfa = models.BooleanField(default=False)
    cat_wfa = models.CharField(_("BB/U"), max_length=24, blank=True)
    cat_lhfa = models.CharField(_("PB/U atau TB/U"), max_length=24, blank=True)
    cat_wflh = models.CharField(_("BB/PB atau BB/TB"), max_length=24, blank=True)
    cat_bfa = models.CharField(_("IMT/U"), max_length=24, blank=True)
    weight_gain = models.CharField(
        _("naik berat badan"), max_length=1, choices=WeightGain.choices, blank=True
    )
    weight_gain_g = models.IntegerField(_("kenaikan (gram)"), null=True, blank=True)
    kbm_g = models.PositiveIntegerField(_("KBM (gram)"), null=True, blank=True)
    is_2t = models.BooleanField(_("2T"), default=False)
    is_bgm = models.BooleanField(_("BGM"), default=False)
    warnings = models.JSONField(default=list, blank=True)
    warnings_confirmed = models.BooleanField(_("nilai sudah dikonfirmasi"), default=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kunjungan")
        verbose_name_plural = _("kunjungan")
        ordering = ["child", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "period"], name="one_visit_per_child_per_month"
            )
        ]
        indexes = [
            models.Index(fields=["posyandu", "period"]),
            # The lists behind a prevalence number, most severe first, page by page.
            models.Index(fields=["period", "z_lhfa"], name="visit_period_z_lhfa"),
            models.Index(fields=["period", "z_wfa"], name="visit_period_z_wfa"),
            models.Index(fields=["period", "z_wflh"], name="visit_period_z_wflh"),
        ]

    def __str__(self) -> str:
        return f"{self.child.name} {self.measured_on:%d/%m/%Y}"

    @property
    def audit_kota_id(self) -> int:
        return self.posyandu.audit_kota_id
