"""The message catalogs (app/translations/) are complete, correct and up to date.

English is the source language; Arabic and French must translate every message, with nothing
left fuzzy, and the template must hold exactly what the sources say today. When a test here
fails, run ``make translations`` (re-extracts and merges), translate what is new in
``app/translations/{ar,fr}/LC_MESSAGES/messages.po``, then ``make install`` to compile.
"""

from __future__ import annotations

import gettext
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("ar", "fr")
FORMS = ROOT / "forms"
FORM_LANGUAGES = ("ar", "fr", "en")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _po(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalog if message.id}


def _label(msgid: object) -> str:
    return msgid if isinstance(msgid, str) else " | ".join(msgid)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(TEMPLATE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(template: Catalog, language: str) -> None:
    catalog = _read(_po(language), language)
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None:
            problems.append(f"missing: {_label(message.id)}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {_label(message.id)}")
        elif not translated.string or (
            not isinstance(translated.string, str) and not all(translated.string)
        ):
            problems.append(f"untranslated: {_label(message.id)}")
    assert problems == [], f"{language}: {len(problems)} problems\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_holds_exactly_the_messages_of_the_template(template: Catalog, language: str) -> None:
    catalog = _read(_po(language), language)
    assert not catalog.fuzzy, f"{language}: the catalog header is marked fuzzy"
    extra = _ids(catalog) - _ids(template)
    missing = _ids(template) - _ids(catalog)
    assert (sorted(map(_label, missing)), sorted(map(_label, extra))) == ([], []), (
        "run `make translations`"
    )


def test_template_is_up_to_date_with_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extract again (as `make translations` does, with babel.cfg) and compare the messages."""
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", "babel.cfg", "-o", str(fresh), "."]
    )
    now, committed = _ids(_read(fresh)), _ids(_read(TEMPLATE))
    new = sorted(map(_label, now - committed))
    gone = sorted(map(_label, committed - now))
    assert (new, gone) == ([], []), (
        "app/translations/messages.pot is out of date: run `make translations` and translate "
        f"the new messages.\nnew in the sources: {new}\nno longer in the sources: {gone}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_use_only_the_placeholders_of_their_message(language: str) -> None:
    catalog = _read(_po(language), language)
    errors = [
        f"{_label(message.id)}: {'; '.join(map(str, found))}" for message, found in catalog.check()
    ]
    assert errors == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder_of_a_singular_message(language: str) -> None:
    """Babel allows a translation to drop a placeholder; ours never do, outside plural forms
    (where Arabic writes «مهمتان» for 2 without the number)."""
    catalog = _read(_po(language), language)
    dropped = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or "%(" not in message.id:
            continue
        names = set(_placeholders(message.id))
        if not names <= set(_placeholders(message.string)):
            dropped.append(message.id)
    assert dropped == []


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\((\w+)\)", text)


def test_arabic_plural_forms_follow_the_cldr_categories() -> None:
    """Form 0 zero, 1 one, 2 two, 3 few (3-10), 4 many (11-99), 5 other (100-102...): the
    translations are written in that order."""
    catalog = _read(_po("ar"), "ar")
    plural = gettext.c2py(catalog.plural_expr)
    assert catalog.num_plurals == 6
    assert [plural(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111, 1000)] == [
        0, 1, 2, 3, 3, 4, 4, 5, 5, 3, 4, 5,
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_up_to_date(language: str) -> None:
    """The .mo the app reads is compiled from the current .po (`make install` does it)."""
    po_path = _po(language)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing: run `make install`"
    compiled = io.BytesIO()
    write_mo(compiled, _read(po_path, language))
    assert mo_path.read_bytes() == compiled.getvalue(), f"{mo_path} is stale: run `make install`"


@pytest.mark.parametrize("form", sorted(FORMS.glob("*.json")), ids=lambda path: path.name)
def test_every_form_label_has_arabic_french_and_english(form: Path) -> None:
    """The JSON Schema forms carry their own translations (x-title, x-description,
    x-enumTitles), rendered by app/schemaforms."""
    schema = json.loads(form.read_text(encoding="utf-8"))
    missing = []

    def check(spec: dict[str, object], where: str, key: str) -> None:
        texts = spec.get(f"x-{key}")
        if spec.get(key) is None and texts is None and key == "description":
            return
        if not isinstance(texts, dict) or not all(texts.get(lang) for lang in FORM_LANGUAGES):
            missing.append(f"{where}: x-{key}")

    check(schema, "(form)", "title")
    check(schema, "(form)", "description")
    for name, spec in schema.get("properties", {}).items():
        if spec.get("readOnly"):
            continue
        check(spec, name, "title")
        check(spec, name, "description")
        titles = spec.get("x-enumTitles", {})
        for value in spec.get("enum", []):
            if not all(titles.get(str(value), {}).get(lang) for lang in FORM_LANGUAGES):
                missing.append(f"{name}: x-enumTitles[{value}]")
        for choice in spec.get("oneOf", []):
            if "const" in choice:
                check(choice, f"{name}={choice['const']}", "title")
    assert missing == []
