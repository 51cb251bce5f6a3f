"""The audit log (house rule 6): who did what to personal data, when, from where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("buat")
    UPDATE = "update", _("ubah")
    DELETE = "delete", _("hapus")
    EXPORT = "export", _("ekspor")
    IMPORT = "import", _("impor")
    VIEW = "view", _("lihat")
    REFUSE = "refuse", _("ditolak")


class AuditLog(models.Model):
    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    username = models.CharField(_("pengguna"), max_length=150, blank=True)
    action = models.CharField(_("aksi"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("jenis data"), max_length=50)
    object_id = models.CharField(_("id data"), max_length=40, blank=True)
    object_repr = models.CharField(_("data"), max_length=200, blank=True)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    # The kota of the record's Posyandu, so a Dinkes sees only its own city's trail.
    kota = models.ForeignKey(
        "areas.Kota", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("log audit")
        verbose_name_plural = _("log audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.object_repr}"


class PolicyKey(models.TextChoices):
    """The rules an administrator may switch, each a schedule in :mod:`posyandu.policy`."""

    KBM = "kbm", _("Tabel KBM (kenaikan berat badan minimal)")
    TWO_T = "two_t", _("Aturan 2T (tidak naik berturut-turut)")


class PolicyChoice(models.Model):
    """A version of a rule chosen by an administrator, in force from a date.

    Rows are never changed or deleted: a later choice supersedes an earlier
    one from its own date, so the trail of who chose what, when, stays whole.
    Visits are judged by the version in force on their own date.
    """

    policy = models.CharField(_("aturan"), max_length=20, choices=PolicyKey.choices)
    version_id = models.CharField(_("versi"), max_length=40)
    in_force_from = models.DateField(_("berlaku sejak"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_by_name = models.CharField(_("dipilih oleh"), max_length=150, blank=True)
    chosen_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("pilihan aturan")
        verbose_name_plural = _("pilihan aturan")
        ordering = ["policy", "in_force_from", "chosen_at", "id"]

    def __str__(self) -> str:
        return f"{self.policy} {self.version_id} ≥ {self.in_force_from:%d/%m/%Y}"
