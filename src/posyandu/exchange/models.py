"""An e-PPGBM file uploaded on the web: checked (a dry run), then imported on confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    CHECKING = "checking", _("sedang diperiksa")
    CHECKED = "checked", _("siap diimpor")
    REJECTED = "rejected", _("ada baris salah")
    UNUSABLE = "unusable", _("berkas tidak dapat dipakai")
    IMPORTING = "importing", _("sedang diimpor")
    IMPORTED = "imported", _("sudah diimpor")
    FAILED = "failed", _("gagal")


class ImportJob(models.Model):
    """One uploaded file and what became of it. The file itself is kept only
    until it is imported or rejected (it holds children's personal data)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("nama berkas"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.CHECKING
    )
    message = models.CharField(max_length=300, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    bad_lines = models.JSONField(default=list, blank=True)
    """[[line, reason], ...] of the latest check (at most ``SHOWN_BAD_LINES``)."""
    notes = models.JSONField(default=list, blank=True)
    """[[line, note], ...] of the good lines: NIK warnings, values not used (at most
    ``SHOWN_NOTES``)."""
    new_children = models.JSONField(default=list, blank=True)
    """[[name, birth date, Posyandu], ...] of the children the import creates, in
    file order (at most ``SHOWN_NEW_CHILDREN``; ``counts`` has how many)."""
    report = models.TextField(blank=True)
    """The report CSV of the latest check or import (line, outcome, child_id, reason)."""
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("impor e-PPGBM")
        verbose_name_plural = _("impor e-PPGBM")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (JobStatus.CHECKING, JobStatus.IMPORTING)
