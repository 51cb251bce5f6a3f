"""NIK (Nomor Induk Kependudukan) shape checks. Warnings, never blocks.

A NIK is 16 digits: 6-digit region code (province, kabupaten/kota,
kecamatan), the birth date as DDMMYY with 40 added to the day for women, and
a 4-digit serial. Many infants have no NIK yet, so a blank NIK is fine.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _


def normalise_nik(raw: str) -> str:
    """Digits only: kader type NIKs with spaces or dots, spreadsheets add '."""
    return "".join(ch for ch in (raw or "") if ch in "0123456789*")


def nik_warnings(
    nik: str, *, birth_date: dt.date | None, sex: int | None, kota_code: str | None = None
) -> list[str]:
    """Why ``nik`` looks wrong for this child (empty list = looks right)."""
    if not nik:
        return []
    if len(nik) != 16 or not nik.isdigit():
        return [_("NIK harus 16 angka (sekarang %(n)d karakter).") % {"n": len(nik)}]
    warnings: list[str] = []
    if kota_code:
        region = kota_code.replace(".", "")[:4]
        if len(region) == 4 and nik[:4] != region:
            warnings.append(
                _(
                    "Kode wilayah NIK (%(nik)s) bukan kode kota ini (%(kota)s): "
                    "mungkin lahir di luar kota."
                )
                % {"nik": nik[:4], "kota": region}
            )
    day = int(nik[6:8])
    month = int(nik[8:10])
    year2 = int(nik[10:12])
    nik_female = day > 40
    if nik_female:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        warnings.append(_("Tanggal lahir dalam NIK tidak mungkin (%(d)s).") % {"d": nik[6:12]})
        return warnings
    if sex is not None and (sex == 2) != nik_female:
        warnings.append(
            _("Jenis kelamin tidak cocok dengan NIK (hari lahir %(d)s berarti %(s)s).")
            % {"d": nik[6:8], "s": _("perempuan") if nik_female else _("laki-laki")}
        )
    if birth_date is not None and (
        birth_date.day != day or birth_date.month != month or birth_date.year % 100 != year2
    ):
        warnings.append(
            _("Tanggal lahir tidak cocok dengan NIK (NIK: %(nik)s, data: %(data)s).")
            % {"nik": f"{day:02d}/{month:02d}/{year2:02d}", "data": birth_date.strftime("%d/%m/%y")}
        )
    return warnings
