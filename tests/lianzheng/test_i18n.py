"""The English catalogue is complete and compiled: every message of the code and templates has a translation (none
fuzzy, none empty), and the committed .mo holds the same translations as the .po."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _entries(text: str):
    """(flags, msgid, msgstrs) of each active entry of a .po file (obsolete ``#~`` entries skipped)."""
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        msgstrs = [value for name, value in parts.items() if name.startswith("msgstr")]
        yield flags, parts["msgid"], msgstrs


def test_every_message_has_an_english_translation():
    entries = [e for e in _entries((LOCALE / "django.po").read_text(encoding="utf-8")) if e[1]]
    assert len(entries) > 500
    fuzzy = [msgid for flags, msgid, _s in entries if "fuzzy" in flags]
    empty = [msgid for _f, msgid, msgstrs in entries if not all(msgstrs)]
    assert not fuzzy, fuzzy
    assert not empty, empty


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for _flags, msgid, msgstrs in _entries((LOCALE / "django.po").read_text(encoding="utf-8")):
        if not msgid or len(msgstrs) != 1 or "\\" in msgid:
            continue
        assert compiled.gettext(msgid) == msgstrs[0], msgid
