"""English is a real second language: the pages switch, and the catalogue is complete.

The catalogue checks need no gettext tools (CI has none): they read the .po
with a small parser, the .mo with the standard library, and find the strings
marked in the source with ``ast`` (Python) and a regex (templates). When one of
them fails, run ``bash scripts/update-translations.sh``, translate the new
entries in src/posyandu/locale/en/LC_MESSAGES/django.po, run the script again
and commit both the .po and the .mo.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChildFactory, kader_of, make_visit

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "posyandu"
LC_MESSAGES = PACKAGE / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """A request in English leaves English active in this thread; undo it."""
    yield
    translation.deactivate()


@pytest.fixture
def kader_client(client, city):
    """A kader of Posyandu Melati, with one child weighed this month."""
    today = timezone.localdate()
    child = ChildFactory(
        name="Ani", birth_date=today - dt.timedelta(days=400), posyandu=city.posyandu_a
    )
    # 7 kg and 68.5 cm at 400 days: BB/U kurang, PB/U pendek, BB/PB gizi baik.
    make_visit(child, today, weight_kg="7.00", height_cm="68.5")
    client.force_login(kader_of(city.posyandu_a))
    client.child = child
    return client


def _switch_to_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def _pages(client, city) -> dict[str, str]:
    urls = {
        "posyandu": reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]),
        "register": reverse("children:new") + f"?posyandu={city.posyandu_a.pk}",
        "child": reverse("measurements:child", args=[client.child.pk]),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


@pytest.mark.django_db
def test_pages_are_indonesian_by_default(kader_client, city):
    pages = _pages(kader_client, city)

    assert '<html lang="id"' in pages["posyandu"]
    assert "Daftarkan anak baru" in pages["posyandu"]
    assert "Belum datang" in pages["posyandu"]
    assert "Buka hari Posyandu hari ini" in pages["posyandu"]
    assert "Register a new child" not in pages["posyandu"]

    assert "Daftarkan anak" in pages["register"]
    assert "Berat lahir (kg)" in pages["register"]
    assert "Tanggal lahir" in pages["register"]
    assert "Birth weight" not in pages["register"]

    assert "BB (kg)" in pages["child"]
    assert "Berat badan kurang" in pages["child"]  # Permenkes label from the engine
    assert "Pendek" in pages["child"]


@pytest.mark.django_db
def test_pages_switch_to_english(kader_client, city):
    _switch_to_english(kader_client)
    pages = _pages(kader_client, city)

    posyandu = pages["posyandu"]
    assert '<html lang="en"' in posyandu
    assert "Register a new child" in posyandu
    assert "Not seen yet" in posyandu
    assert "Posyandu day" in posyandu  # the button that opens today's table
    for indonesian in ("Daftarkan anak baru", "Belum datang", "Buka hari Posyandu"):
        assert indonesian not in posyandu

    register = pages["register"]
    assert "Register a child" in register
    assert "Birth weight (kg)" in register
    assert "Date of birth" in register
    for indonesian in ("Daftarkan anak", "Berat lahir", "Tanggal lahir", "Simpan"):
        assert indonesian not in register

    child = pages["child"]
    assert "Weight (kg)" in child
    assert "Underweight" in child  # growth labels follow the language too
    assert "Stunted" in child
    assert "Weight-for-age (WFA)" in child  # chart title
    for indonesian in ("BB (kg)", "Berat badan kurang", "Grafik pertumbuhan"):
        assert indonesian not in child


# --- the catalogue ---------------------------------------------------------

_FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    return ast.literal_eval(literal)


def _parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: fields (msgid, msgstr[0]...) joined, flags, obsolete."""
    entries: list[dict[str, object]] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        obsolete = False
        current = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#~"):
                obsolete = True
                continue
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
                continue
            if not line or line.startswith("#"):
                continue
            match = _FIELD.match(line)
            if match:
                current = match.group(1)
                fields[current] = _unquote(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
            else:
                raise AssertionError(f"{path.name}: cannot read line {line!r}")
        if "msgid" in fields:
            entries.append({"fields": fields, "flags": flags, "obsolete": obsolete})
    return entries


def _live_entries() -> list[dict[str, object]]:
    return [e for e in _parse_po(PO) if not e["obsolete"] and e["fields"]["msgid"]]


def _key(fields: dict[str, str]) -> str:
    msgid = fields["msgid"]
    return f"{fields['msgctxt']}\x04{msgid}" if "msgctxt" in fields else msgid


def test_every_msgid_is_translated_and_none_is_fuzzy():
    entries = _live_entries()
    assert len(entries) > 300

    untranslated = [
        e["fields"]["msgid"]
        for e in entries
        if not all(v for k, v in e["fields"].items() if k.startswith("msgstr"))
    ]
    fuzzy = [e["fields"]["msgid"] for e in _parse_po(PO) if "fuzzy" in e["flags"]]
    assert untranslated == [], "untranslated msgids in django.po"
    assert fuzzy == [], "fuzzy entries in django.po (check the translation, drop the flag)"


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[-+ #0]*\d*(?:\.\d+)?[sdfrgx%]")
    for entry in _live_entries():
        fields = entry["fields"]
        wanted = set(placeholder.findall(fields["msgid"] + fields.get("msgid_plural", "")))
        for name, value in fields.items():
            if name.startswith("msgstr"):
                assert set(placeholder.findall(value)) <= wanted, (fields["msgid"], value)
                if "msgid_plural" not in fields:
                    assert set(placeholder.findall(value)) == wanted, (fields["msgid"], value)


def test_compiled_mo_matches_the_po():
    """The .mo ships in the repository (CI has no msgfmt): it must not be stale."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in _live_entries():
        fields = entry["fields"]
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if name.startswith("msgstr["):
                    expected[(_key(fields), int(name[7:-1]))] = value
        else:
            expected[_key(fields)] = fields["msgstr"]
    compiled = {k: v for k, v in catalog.items() if k != ""}
    assert compiled == expected, "django.mo is stale: run scripts/update-translations.sh"


_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
_PGETTEXT_NAMES = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _python_msgids(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if name in _GETTEXT_NAMES and args and isinstance(args[0], str):
            found.add(args[0])
        elif (
            name in _PGETTEXT_NAMES and len(args) > 1 and all(isinstance(a, str) for a in args[:2])
        ):
            found.add(f"{args[0]}\x04{args[1]}")
    return found


_TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?[^%]*%\}"""
)
_BLOCK_TAG = re.compile(
    r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)


def _template_msgids(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found: set[str] = set()
    for match in _TRANSLATE_TAG.finditer(text):
        msgid = match.group("msgid")
        context = match.group("context")
        found.add(f"{context}\x04{msgid}" if context else msgid)
    for match in _BLOCK_TAG.finditer(text):
        if "context" in match.group("args"):
            continue  # rare; makemessages still picks it up
        singular = re.split(r"\{%\s*plural\s*%\}", match.group("body"))[0]
        if "trimmed" in match.group("args").split():
            singular = " ".join(line.strip() for line in singular.strip().splitlines())
        singular = singular.replace("%", "%%")
        found.add(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", singular))
    return found


def test_every_marked_string_is_in_the_catalogue():
    """A string marked for translation but missing from the .po stays Indonesian in English.

    Catches a new ``_("...")`` or ``{% translate %}`` that nobody ran makemessages for.
    """
    marked: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for msgid in _python_msgids(path):
            marked.setdefault(msgid, str(path.relative_to(PACKAGE)))
    for path in PACKAGE.rglob("*.html"):
        for msgid in _template_msgids(path):
            marked.setdefault(msgid, str(path.relative_to(PACKAGE)))
    in_po = {_key(entry["fields"]) for entry in _live_entries()}

    missing = {msgid: where for msgid, where in marked.items() if msgid not in in_po}
    assert missing == {}, "run scripts/update-translations.sh and translate the new strings"


@pytest.mark.django_db
def test_a_phone_set_to_english_still_gets_indonesian_until_the_user_switches(client) -> None:
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert "Masuk ke Posyandu" in html
    assert response["Content-Language"] == "id"
