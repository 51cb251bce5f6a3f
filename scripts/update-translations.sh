#!/usr/bin/env bash
# Refresh the English catalogue after UI strings change, then compile it.
#
#   bash scripts/update-translations.sh
#
# Needs GNU gettext (Debian: apt-get install gettext). It rescans the whole
# posyandu package (Python and templates, not migrations), merges new msgids into
# src/posyandu/locale/en/LC_MESSAGES/django.po, and rebuilds django.mo.
# Translate every new (empty or fuzzy) entry in the .po, run this again and
# commit BOTH the .po and the .mo: CI has no gettext, so the compiled .mo ships
# in the repository. tests/core/test_i18n.py fails while any msgid is untranslated.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
python="$root/.venv/bin/python"
[ -x "$python" ] || python=python3

cd src/posyandu
"$python" -m posyandu.manage makemessages \
  --locale en \
  --domain django \
  --extension html,txt,py \
  --ignore 'migrations/*' \
  --ignore '*/migrations/*' \
  --ignore '.venv/*' \
  --ignore 'tests/*' \
  --ignore 'static/*' \
  --ignore '*/static/*' \
  --no-obsolete
"$python" -m posyandu.manage compilemessages --locale en --ignore '.venv/*'

po="locale/en/LC_MESSAGES/django.po"
untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# msgattrib prints the header entry (msgid "") too when it prints anything.
[ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
echo "$po: $untranslated untranslated, $fuzzy fuzzy"
