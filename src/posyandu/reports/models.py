"""Monthly aggregates per Posyandu: the numbers every report reads (DESIGN rule 9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu

COUNT_FIELDS = (
    "s",
    "k",
    "d",
    "d_prime",
    "n",
    "t",
    "o",
    "b",
    "bgm",
    "two_t",
    "measured",
    "measured_lhfa",
    "stunted",
    "severely_stunted",
    "measured_wflh",
    "wasted",
    "severely_wasted",
    "overweight",
    "measured_wfa",
    "underweight",
    "severely_underweight",
    "flagged",
)
"""Every count of a row, in report order."""


class MonthlyAggregate(models.Model):
    """One Posyandu's month: SKDN and the counts behind prevalence.

    S and K count the balita who lived at this Posyandu that month (by their
    transfer dates) and were still there (moved or died later); D and the
    measurement counts count the visits made at this Posyandu that month.
    Kept up to date in the transaction of every write to a child or a visit;
    ``posyandu manage rebuild_aggregates`` rebuilds them from the registry.
    """

    posyandu = models.ForeignKey(Posyandu, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("bulan"))
    s = models.IntegerField(default=0)
    k = models.IntegerField(default=0)
    d = models.IntegerField(default=0)
    d_prime = models.IntegerField(default=0)
    n = models.IntegerField(default=0)
    t = models.IntegerField(default=0)
    o = models.IntegerField(default=0)
    b = models.IntegerField(default=0)
    bgm = models.IntegerField(default=0)
    two_t = models.IntegerField(default=0)
    measured = models.IntegerField(default=0)
    measured_lhfa = models.IntegerField(default=0)
    stunted = models.IntegerField(default=0)
    severely_stunted = models.IntegerField(default=0)
    measured_wflh = models.IntegerField(default=0)
    wasted = models.IntegerField(default=0)
    severely_wasted = models.IntegerField(default=0)
    overweight = models.IntegerField(default=0)
    measured_wfa = models.IntegerField(default=0)
    underweight = models.IntegerField(default=0)
    severely_underweight = models.IntegerField(default=0)
    flagged = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("agregat bulanan")
        verbose_name_plural = _("agregat bulanan")
        constraints = [
            models.UniqueConstraint(fields=["posyandu", "period"], name="one_aggregate_per_month")
        ]
        indexes = [models.Index(fields=["period", "posyandu"])]

    def __str__(self) -> str:
        return f"{self.posyandu_id} {self.period:%Y-%m}"

    def counts(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNT_FIELDS}


class PrevalenceCell(models.Model):
    """One Posyandu's month for one sex and WHO age group: what its children's
    measurements add to a prevalence (:mod:`posyandu.reports.prevalence`).

    Kept with the monthly aggregates, in the same transaction of every write;
    one visit per child per month, so a month's cells count each child once.
    """

    posyandu = models.ForeignKey(Posyandu, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("bulan"))
    sex = models.PositiveSmallIntegerField()
    age_group = models.CharField(max_length=5)
    measured = models.IntegerField(default=0)
    lhfa_counted = models.IntegerField(default=0)
    stunted = models.IntegerField(default=0)
    severely_stunted = models.IntegerField(default=0)
    wflh_counted = models.IntegerField(default=0)
    wasted = models.IntegerField(default=0)
    severely_wasted = models.IntegerField(default=0)
    overweight = models.IntegerField(default=0)
    wfa_counted = models.IntegerField(default=0)
    underweight = models.IntegerField(default=0)
    severely_underweight = models.IntegerField(default=0)
    lhfa_wflh_counted = models.IntegerField(default=0)
    stunted_and_wasted = models.IntegerField(default=0)
    zn_lhfa = models.IntegerField(default=0)
    z1_lhfa = models.BigIntegerField(default=0)
    z2_lhfa = models.BigIntegerField(default=0)
    zn_wfa = models.IntegerField(default=0)
    z1_wfa = models.BigIntegerField(default=0)
    z2_wfa = models.BigIntegerField(default=0)
    zn_wflh = models.IntegerField(default=0)
    z1_wflh = models.BigIntegerField(default=0)
    z2_wflh = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sel prevalensi")
        verbose_name_plural = _("sel prevalensi")
        constraints = [
            models.UniqueConstraint(
                fields=["posyandu", "period", "sex", "age_group"], name="one_prevalence_cell"
            )
        ]
        indexes = [models.Index(fields=["period", "posyandu"])]

    def __str__(self) -> str:
        return f"{self.posyandu_id} {self.period:%Y-%m} {self.sex} {self.age_group}"
