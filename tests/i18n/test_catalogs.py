"""The message catalogs: every message the code and templates ask for has a German translation, the documents a
French and Spanish one, placeholders survive translation, and the compiled .mo files match their .po sources."""

from __future__ import annotations

import fnmatch
import os
import re
from functools import cache

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from portal.config import ROOT
from portal.foundations.i18n import LANGUAGES

TRANSLATIONS = ROOT / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2), "lazy_counted": (1, 2)}
# What a customer receives or opens from an e-mail: the PDF, the e-mail, the download page (and its frame).
DOCUMENT_SOURCES = (
    "templates/pdf/",
    "templates/delivery/",
    "templates/_macros/statement.html",
    "templates/base.html",
    "portal/delivery/",
    "portal/documents/",
)


def ignored_dirs() -> list[str]:
    """The directory patterns `make translations` tells pybabel to skip (the Makefile's BABEL_IGNORE_DIRS)."""
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^BABEL_IGNORE_DIRS\s*=\s*(.+)$", makefile, re.M).group(1).split()


def _walked(dirpath: str) -> bool:
    # As pybabel's --ignore-dirs: a directory whose own name matches a pattern is skipped.
    return not any(fnmatch.fnmatch(os.path.basename(dirpath), pattern) for pattern in ignored_dirs())


@cache
def extracted() -> dict[object, set[str]]:
    """Every message id in the project (as `make translations` extracts it) with the files asking for it."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[object, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_walked
    ):
        key = message if isinstance(message, str) else tuple(message[:2])
        found.setdefault(key, set()).add(filename)
    return found


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def translated(language: str) -> dict[object, object]:
    """Message id → translation, for the entries that are translated and not fuzzy."""
    result = {}
    for message in catalog(language):
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            result[message.id] = message.string
    return result


def test_the_project_asks_for_messages_from_its_pages_documents_and_forms():
    sources = {source for sources in extracted().values() for source in sources}
    for expected in (
        "templates/customer/dashboard.html",
        "templates/pdf/invoice.html",
        "portal/customer/forms.py",
        # Directories whose names start with "_" too (pybabel skips them unless told otherwise).
        "templates/_macros/statement.html",
    ):
        assert expected in sources


def test_every_message_has_a_german_translation():
    german = translated("de")
    missing = sorted(str(key) for key in extracted() if key not in german)
    assert missing == [], "run `make translations` and translate these in translations/de/LC_MESSAGES/messages.po"


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_documents_are_translated(language):
    have = translated(language)
    wanted = [key for key, files in extracted().items() if any(f.startswith(DOCUMENT_SOURCES) for f in files)]
    assert len(wanted) > 40
    assert sorted(str(key) for key in wanted if key not in have) == []


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_translations_keep_their_placeholders(language):
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog(language).check() if errors]
    assert problems == []
    # Message templates of e-mails use {placeholders}, which gettext's checks do not know.
    for message in catalog(language):
        if message.string and isinstance(message.id, str) and "{" in message.id:
            assert sorted(_braces(message.string)) == sorted(_braces(message.id)), message.id


def _braces(text: str) -> list[str]:
    return re.findall(r"\{[a-z_]+\}", text)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_the_compiled_catalog_is_not_stale(language):
    """The .mo the app loads says what the .po says (`make translations` compiles them; both are committed)."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = {_plain(message.id): _plain(message.string) for message in read_mo(mo) if message.id}
    # An untranslated plural is compiled as the English forms (the .po leaves its msgstr empty).
    compiled = {key: value for key, value in compiled.items() if not _english_fallback(key, value)}
    assert compiled == translated(language)


def _plain(value):
    # read_mo gives the forms of a plural as lists, read_po as tuples.
    return tuple(value) if isinstance(value, list) else value


def _english_fallback(key, value) -> bool:
    return isinstance(key, tuple) and value[0] == key[0] and all(form == key[1] for form in value[1:])
