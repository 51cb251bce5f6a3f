"""The 25 basic kader skills in their 5 packages (Kemenkes 2024 curriculum, short
labels; the order within a package is not official)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CURRICULUM = "Kemenkes 2024"

SKILLS = {
    "A": [
        "Paket layanan Posyandu untuk seluruh siklus hidup",
        "Pencatatan dan pelaporan",
        "Kunjungan rumah",
        "Komunikasi efektif",
    ],
    "B": [
        "Buku KIA bagian anak",
        "ASI eksklusif dan MP-ASI kaya protein hewani",
        "Penimbangan dan pengukuran panjang/tinggi badan, lingkar kepala dan lingkar lengan",
        "Menjelaskan hasil penimbangan dan pengukuran (normal/kurang) serta tindak lanjutnya",
        "Stimulasi perkembangan, vitamin A dan obat cacing",
        "Imunisasi rutin lengkap dan penyakit yang dapat dicegah dengan imunisasi",
        "Tanda bahaya pada bayi dan balita",
    ],
    "C": [
        "Buku KIA bagian ibu",
        "Pemeriksaan kehamilan dan nifas",
        "Isi Piringku untuk ibu hamil dan menyusui",
        "Tablet tambah darah (TTD) setiap hari selama hamil",
        "Pemantauan berat badan, lingkar lengan dan tekanan darah pada grafik Buku KIA",
        "Tanda bahaya kehamilan dan nifas",
    ],
    "D": [
        "Gizi seimbang, aktivitas fisik dan pemeriksaan kesehatan usia sekolah dan remaja",
        "Bahaya merokok, NAPZA dan kehamilan remaja",
        "Pencegahan anemia (TTD, skrining Hb remaja putri)",
    ],
    "E": [
        "Penyuluhan hidup sehat (Germas)",
        "Penyakit yang sering terjadi (obesitas, hipertensi, diabetes, stroke, kanker, PPOK, "
        "TBC, kesehatan jiwa, geriatri)",
        "Deteksi dini dengan lingkar perut dan tekanan darah",
        "Deteksi dini dengan kuesioner (PPOK/PUMA, TBC, kesehatan jiwa, geriatri, diabetes)",
        "Keluarga berencana",
    ],
}


def seed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Skill = apps.get_model("cadres", "Skill")
    Skill.objects.bulk_create(
        Skill(
            package=package,
            code=f"{package}{number}",
            label=label,
            order=number,
            curriculum=CURRICULUM,
        )
        for package, labels in SKILLS.items()
        for number, label in enumerate(labels, start=1)
    )


def unseed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("cadres", "Skill").objects.filter(curriculum=CURRICULUM).delete()


class Migration(migrations.Migration):
    dependencies = [("cadres", "0003_skills_pins_trainings")]

    operations = [migrations.RunPython(seed, unseed)]
