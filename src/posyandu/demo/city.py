"""The shape of the demo city: Kota Bontang's real areas, invented facilities.

Kecamatan and kelurahan names follow DOMAIN.md ("Bontang, for demo data");
the kelurahan codes are numbered in that order, not copied from Kemendagri.
Puskesmas and Posyandu names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

KOTA_CODE: Final = "64.74"
KOTA_NAME: Final = "Kota Bontang (demo)"
"""The "(demo)" marks the synthetic city on every page, and tells ``posyandu demo``
its own data from a real Kota Bontang database."""


@dataclass(frozen=True)
class KelurahanSpec:
    name: str
    posyandu_count: int


@dataclass(frozen=True)
class KecamatanSpec:
    code: str
    name: str
    kelurahan: tuple[KelurahanSpec, ...]


KECAMATAN: Final = (
    KecamatanSpec(
        "64.74.01",
        "Bontang Utara",
        (
            KelurahanSpec("Bontang Kuala", 9),
            KelurahanSpec("Bontang Baru", 10),
            KelurahanSpec("Lok Tuan", 11),
            KelurahanSpec("Guntung", 8),
            KelurahanSpec("Gunung Elai", 7),
            KelurahanSpec("Api-Api", 9),
        ),
    ),
    KecamatanSpec(
        "64.74.02",
        "Bontang Selatan",
        (
            KelurahanSpec("Tanjung Laut", 10),
            KelurahanSpec("Berbas Tengah", 8),
            KelurahanSpec("Berbas Pantai", 7),
            KelurahanSpec("Satimpo", 6),
            KelurahanSpec("Bontang Lestari", 7),
            KelurahanSpec("Tanjung Laut Indah", 9),
        ),
    ),
    KecamatanSpec(
        "64.74.03",
        "Bontang Barat",
        (
            KelurahanSpec("Belimbing", 8),
            KelurahanSpec("Gunung Telihan", 8),
            KelurahanSpec("Kanaan", 7),
        ),
    ),
)


def kelurahan_code(kecamatan_code: str, number: int) -> str:
    """``64.74.01`` and 1 → ``64.74.01.1001`` (the 10xx series of kelurahan)."""
    return f"{kecamatan_code}.{1000 + number}"


# Puskesmas → the kelurahan of its working area (wilayah kerja).
PUSKESMAS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("P6474011", "Puskesmas Bontang Utara I", ("Bontang Kuala", "Bontang Baru", "Gunung Elai")),
    ("P6474012", "Puskesmas Bontang Utara II", ("Lok Tuan", "Guntung", "Api-Api")),
    (
        "P6474021",
        "Puskesmas Bontang Selatan I",
        ("Tanjung Laut", "Tanjung Laut Indah", "Berbas Tengah"),
    ),
    ("P6474022", "Puskesmas Bontang Selatan II", ("Berbas Pantai", "Satimpo")),
    ("P6474023", "Puskesmas Bontang Lestari", ("Bontang Lestari",)),
    ("P6474031", "Puskesmas Bontang Barat", ("Belimbing", "Gunung Telihan", "Kanaan")),
)

POSYANDU_TOTAL: Final = sum(k.posyandu_count for kec in KECAMATAN for k in kec.kelurahan)
KELURAHAN_TOTAL: Final = sum(len(kec.kelurahan) for kec in KECAMATAN)

FLOWERS: Final = (
    "Melati",
    "Mawar",
    "Anggrek",
    "Kenanga",
    "Cempaka",
    "Dahlia",
    "Flamboyan",
    "Kamboja",
    "Seroja",
    "Teratai",
    "Tulip",
    "Sakura",
    "Bougenville",
    "Lavender",
    "Aster",
    "Kemuning",
    "Asoka",
    "Lily",
    "Nusa Indah",
    "Matahari",
)
