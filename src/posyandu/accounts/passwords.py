"""First passwords: chosen by the app for a new login or a reset, read out or
printed, and changed by their owner at the next login."""

from __future__ import annotations

import secrets
from typing import Final

PASSWORD_WORDS: Final = (
    "mangga",
    "pelangi",
    "rambutan",
    "durian",
    "kelapa",
    "pisang",
    "nanas",
    "jambu",
    "salak",
    "manggis",
    "pepaya",
    "semangka",
    "melon",
    "sawo",
    "duku",
    "belimbing",
    "bintang",
    "bulan",
    "matahari",
    "awan",
    "hujan",
    "angin",
    "ombak",
    "pantai",
    "karang",
    "perahu",
    "layar",
    "jangkar",
    "camar",
    "elang",
    "merpati",
    "kakatua",
    "harimau",
    "gajah",
    "kancil",
    "rusa",
    "penyu",
    "lumba",
    "pesut",
    "bekantan",
    "kopi",
    "teh",
    "gula",
    "garam",
    "lada",
    "kayu",
    "batu",
    "emas",
    "perak",
    "intan",
)


def readable_password() -> str:
    """Two words and four digits, e.g. ``durian-camar-4821``: easy to read out and
    to type on a phone (about 25 million choices; the login locks after a few
    wrong guesses and the owner replaces it at once)."""
    choose = secrets.SystemRandom().choice
    return f"{choose(PASSWORD_WORDS)}-{choose(PASSWORD_WORDS)}-{secrets.randbelow(10_000):04d}"
