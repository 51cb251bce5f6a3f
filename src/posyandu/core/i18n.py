"""Bridge between Django's active language and the growth engine's labels.

:mod:`posyandu.growth` cannot import Django, so its category labels and
indicator names are plain data in two languages (``"id"`` and ``"en"``) rather
than gettext strings. Callers pass :func:`growth_lang` so the labels follow the
language the user picked.
"""

from __future__ import annotations

from typing import Literal

from django.utils import translation


def growth_lang() -> Literal["id", "en"]:
    """``"en"`` when the active language is English, else ``"id"``."""
    return "en" if (translation.get_language() or "").startswith("en") else "id"
