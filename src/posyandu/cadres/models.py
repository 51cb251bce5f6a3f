"""Kader: the volunteers who run each Posyandu, their postings and their presence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu
from posyandu.children.models import Sex
from posyandu.measurements.models import PosyanduSession
from posyandu.policy.cadres import PinLevel


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


# --- the 25 skills and their assessment ---------------------------------------------


class SkillPackage(models.TextChoices):
    A = "A", _("A. Pengelolaan Posyandu")
    B = "B", _("B. Bayi dan balita")
    C = "C", _("C. Ibu hamil dan menyusui")
    D = "D", _("D. Usia sekolah dan remaja")
    E = "E", _("E. Usia produktif/dewasa dan lansia")


class Skill(models.Model):
    """One of the basic kader skills (reference data, seeded from the curriculum).

    An administrator may reword or retire a skill; ``version`` counts those
    changes, and each assessment keeps the version it assessed.
    """

    package = models.CharField(_("paket"), max_length=1, choices=SkillPackage.choices)
    code = models.CharField(_("kode"), max_length=4, unique=True)
    label = models.CharField(_("keterampilan"), max_length=200)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    curriculum = models.CharField(_("kurikulum"), max_length=60)
    version = models.PositiveIntegerField(_("versi"), default=1)
    is_active = models.BooleanField(
        _("berlaku"), default=True, help_text=_("Keterampilan yang tidak berlaku tidak dihitung.")
    )

    class Meta:
        verbose_name = _("keterampilan dasar kader")
        verbose_name_plural = _("keterampilan dasar kader")
        ordering = ["package", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code}. {self.label}"


class AssessmentMethod(models.TextChoices):
    PRACTICE = "praktik", _("Praktik/demonstrasi")
    OBSERVATION = "observasi", _("Observasi saat hari buka")
    INTERVIEW = "tanya_jawab", _("Tanya jawab")
    WRITTEN = "tes_tulis", _("Tes tertulis")
    TRAINING = "pelatihan", _("Hasil pelatihan")


class SkillAssessment(models.Model):
    """One assessment (uji kompetensi) of one skill of one kader by Puskesmas staff."""

    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="assessments")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="assessments")
    skill_version = models.PositiveIntegerField(_("versi keterampilan"))
    competent = models.BooleanField(_("kompeten"))
    assessed_on = models.DateField(_("tanggal uji"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kader_assessments",
        verbose_name=_("penguji"),
    )
    puskesmas = models.ForeignKey(
        "areas.Puskesmas", on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    method = models.CharField(_("metode"), max_length=20, choices=AssessmentMethod.choices)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    training = models.ForeignKey(
        "Training", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uji kompetensi kader")
        verbose_name_plural = _("uji kompetensi kader")
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kader} {self.skill.code} {self.assessed_on:%d/%m/%Y}"


class KaderSkill(models.Model):
    """A kader's standing in one skill: its latest assessment, kept by the service
    that records assessments so that profiles and coverage are plain counts."""

    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="skill_states")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(SkillAssessment, on_delete=models.CASCADE, related_name="+")
    competent = models.BooleanField()
    assessed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kader", "skill"], name="one_state_per_kader_skill")
        ]

    def __str__(self) -> str:
        return f"{self.kader_id}/{self.skill_id}: {self.competent}"


class Pin(models.TextChoices):
    """The levels of :class:`~posyandu.policy.cadres.PinLevel`, named for people."""

    PURWA = PinLevel.PURWA.value, _("Purwa")
    MADYA = PinLevel.MADYA.value, _("Madya")
    UTAMA = PinLevel.UTAMA.value, _("Utama")


class PinAward(models.Model):
    """A competence pin handed to a kader by the Puskesmas that assessed it."""

    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="pins")
    level = models.CharField(_("tingkat"), max_length=10, choices=Pin.choices)
    awarded_on = models.DateField(_("tanggal"))
    puskesmas = models.ForeignKey(
        "areas.Puskesmas", on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rule_version = models.CharField(_("versi aturan"), max_length=40)
    certificate_number = models.CharField(_("nomor sertifikat"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pin kompetensi")
        verbose_name_plural = _("pin kompetensi")
        ordering = ["kader", "awarded_on"]
        constraints = [models.UniqueConstraint(fields=["kader", "level"], name="one_pin_per_level")]

    def __str__(self) -> str:
        return f"{self.kader} {self.get_level_display()}"

    @property
    def audit_kota_id(self) -> int | None:
        return self.kader.audit_kota_id


# --- trainings -------------------------------------------------------------------------


class TrainingKind(models.TextChoices):
    TOT_BASIC = "tot_dasar", _("ToT keterampilan dasar kader (tenaga kesehatan)")
    KADER = "kader", _("Pelatihan kader")
    DIGITAL_25 = "digital_25", _("Pelatihan digital 25 keterampilan kader")


class Training(models.Model):
    """A training batch (*angkatan*): run by the Dinkes for the city, or by one Puskesmas."""

    kind = models.CharField(_("jenis"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("judul"), max_length=150)
    batch = models.PositiveSmallIntegerField(_("angkatan"), default=1)
    kota = models.ForeignKey("areas.Kota", on_delete=models.PROTECT, related_name="+")
    puskesmas = models.ForeignKey(
        "areas.Puskesmas",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas penyelenggara"),
        help_text=_("Kosong: pelatihan Dinas Kesehatan untuk seluruh kota."),
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    venue = models.CharField(_("tempat"), max_length=150, blank=True)
    facilitators = models.TextField(
        _("fasilitator"), blank=True, help_text=_("Satu nama per baris.")
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="trainings", verbose_name=_("keterampilan yang dilatih")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pelatihan")
        verbose_name_plural = _("pelatihan")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({_('angkatan')} {self.batch})"

    @property
    def facilitator_names(self) -> list[str]:
        return [line.strip() for line in self.facilitators.splitlines() if line.strip()]


class TrainingDay(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("tanggal"))
    jpl = models.PositiveSmallIntegerField(_("JPL"))

    class Meta:
        verbose_name = _("hari pelatihan")
        verbose_name_plural = _("hari pelatihan")
        ordering = ["training", "date"]
        constraints = [
            models.UniqueConstraint(fields=["training", "date"], name="one_training_day_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} ({self.jpl} JPL)"


class TrainingParticipant(models.Model):
    """A kader or a health worker (a user) in a training; mentors are flagged."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    kader = models.ForeignKey(
        Kader, on_delete=models.PROTECT, null=True, blank=True, related_name="trainings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
    )
    is_mentor = models.BooleanField(_("pendamping"), default=False)
    pre_test = models.DecimalField(
        _("pre-test"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    post_test = models.DecimalField(
        _("post-test"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    completed = models.BooleanField(_("lulus"), default=False)
    certificate_number = models.CharField(_("nomor sertifikat"), max_length=40, blank=True)
    skills_confirmed_on = models.DateField(null=True, blank=True)
    skills_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("peserta pelatihan")
        verbose_name_plural = _("peserta pelatihan")
        ordering = ["training", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kader__isnull=True, user__isnull=False)
                | models.Q(kader__isnull=False, user__isnull=True),
                name="participant_is_kader_or_user",
            ),
            models.UniqueConstraint(
                fields=["training", "kader"],
                condition=models.Q(kader__isnull=False),
                name="kader_once_per_training",
            ),
            models.UniqueConstraint(
                fields=["training", "user"],
                condition=models.Q(user__isnull=False),
                name="user_once_per_training",
            ),
        ]

    def __str__(self) -> str:
        if self.kader is not None:
            return self.kader.name
        assert self.user is not None
        return self.user.get_full_name() or self.user.get_username()


class TrainingAttendance(models.Model):
    """The lesson hours a participant attended on one day of the training."""

    participant = models.ForeignKey(
        TrainingParticipant, on_delete=models.CASCADE, related_name="attendance"
    )
    day = models.ForeignKey(TrainingDay, on_delete=models.CASCADE, related_name="attendance")
    jpl_attended = models.PositiveSmallIntegerField(_("JPL hadir"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="attendance_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.day_id}: {self.jpl_attended} JPL"
