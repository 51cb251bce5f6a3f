"""Operasi Timbang: a city-wide weighing campaign and its frozen target list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.hierarchy import Level
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child
from posyandu.measurements.models import Visit


class Campaign(models.Model):
    """A window of days in which every balita of an area is to be weighed and measured."""

    name = models.CharField(_("nama"), max_length=120)
    area_level = models.CharField(
        _("tingkat wilayah"), max_length=12, choices=[(lv.value, lv.value) for lv in Level]
    )
    area_id = models.PositiveIntegerField(_("id wilayah"))
    area_code = models.CharField(_("kode wilayah"), max_length=30)
    area_name = models.CharField(_("wilayah"), max_length=100)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("operasi timbang")
        verbose_name_plural = _("operasi timbang")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"


SCREENING = (
    "lhfa_counted",
    "stunted",
    "wflh_counted",
    "wasted",
    "wfa_counted",
    "underweight",
)
"""What a target's latest measurement in the window says, WHO's way
(:func:`posyandu.growth.classify.screening`): a flagged z-score is left out of
its indicator; oedema counts as wasted and underweight."""

COUNTED = ("target", "measured", *SCREENING)
"""The counts of a :class:`CampaignCount` row: each target adds 1 to ``target``,
1 to ``measured`` once it has a visit in the window, and its screening."""


class HomeVisitOutcome(models.TextChoices):
    MEASURED_HOME = "diukur", _("Diukur di rumah")
    MOVED = "pindah", _("Pindah")
    DIED = "meninggal", _("Meninggal")
    REFUSED = "menolak", _("Menolak")
    NOT_FOUND = "tidak_ditemukan", _("Tidak ditemukan")


class CampaignTarget(models.Model):
    """One child of the frozen target list (*sasaran*), fixed when the campaign opens:
    where it lived on the start date stays its Posyandu for this campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="campaign_targets")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="+")
    measured_on = models.DateField(_("diukur"), null=True, blank=True)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """The latest visit in the window: the measurement the results read."""
    # That measurement's screening (SCREENING), kept with the target so that the
    # per-Posyandu counts (CampaignCount) follow each change of it.
    lhfa_counted = models.BooleanField(default=False)
    stunted = models.BooleanField(default=False)
    wflh_counted = models.BooleanField(default=False)
    wasted = models.BooleanField(default=False)
    wfa_counted = models.BooleanField(default=False)
    underweight = models.BooleanField(default=False)
    outcome = models.CharField(
        _("hasil kunjungan rumah"), max_length=20, choices=HomeVisitOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("tanggal kunjungan rumah"), null=True, blank=True)
    outcome_note = models.CharField(_("catatan"), max_length=200, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sasaran operasi timbang")
        verbose_name_plural = _("sasaran operasi timbang")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "child"], name="one_target_per_child")
        ]
        indexes = [models.Index(fields=["campaign", "posyandu", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.child_id}"

    @property
    def audit_kota_id(self) -> int:
        return self.posyandu.audit_kota_id


class CampaignCount(models.Model):
    """One Posyandu's share of a campaign, summed from its targets: how many, how
    many measured, and what their latest measurements in the window screen.

    The coverage and results pages of a city of a million children read these
    (10,000 rows, not a million targets). Kept up to date in the transaction of
    every write that changes a target (see :mod:`posyandu.campaigns.counts`);
    ``posyandu manage rebuild_campaign_counts`` recounts them from the targets.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="counts")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.CASCADE, related_name="+")
    target = models.IntegerField(default=0)
    measured = models.IntegerField(default=0)
    lhfa_counted = models.IntegerField(default=0)
    stunted = models.IntegerField(default=0)
    wflh_counted = models.IntegerField(default=0)
    wasted = models.IntegerField(default=0)
    wfa_counted = models.IntegerField(default=0)
    underweight = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("jumlah operasi timbang per Posyandu")
        verbose_name_plural = _("jumlah operasi timbang per Posyandu")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "posyandu"], name="one_count_per_campaign_posyandu"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.posyandu_id}"

    def counts(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNTED}
