"""The JSON Schemas in forms/: valid, titled in Arabic, French and English, bounded."""

from __future__ import annotations

import glob
import json
import os
import re

import pytest
from jsonschema import Draft202012Validator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORMS = sorted(glob.glob(os.path.join(ROOT, "forms", "*.json")))
ARABIC = re.compile(r"[\u0600-\u06FF]")
FRENCH_OR_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def check_translations(value, where):
    assert isinstance(value, dict) and set(value) == {"ar", "fr", "en"}, where
    assert ARABIC.search(value["ar"]), f"{where}: Arabic text expected"
    assert FRENCH_OR_LATIN.search(value["fr"]) and FRENCH_OR_LATIN.search(value["en"]), where


def test_every_form_used_by_the_routes_and_the_start_pages_exists():
    names = {os.path.basename(p) for p in FORMS}
    starts = {f"{t}_start.json" for t in ("complaint", "inquiry", "guidance", "suggestion", "corruption")}
    tasks = {"qualify.json", "examine.json", "draft_answer.json", "validate_answer.json", "report_answer.json",
             "survey.json", "escalation.json"}
    assert starts | tasks <= names


@pytest.mark.parametrize("path", FORMS, ids=os.path.basename)
def test_form_is_a_closed_draft_2020_12_schema(path):
    schema = load(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["required"]) <= set(schema["properties"])
    check_translations(schema["x-title"], os.path.basename(path))


@pytest.mark.parametrize("path", FORMS, ids=os.path.basename)
def test_every_property_is_titled_in_three_languages_and_every_string_is_bounded(path):
    for name, prop in load(path)["properties"].items():
        where = f"{os.path.basename(path)}:{name}"
        assert prop["title"] == prop["x-title"]["en"], where
        check_translations(prop["x-title"], where)
        if "x-description" in prop:
            assert prop["description"] == prop["x-description"]["en"], where
            check_translations(prop["x-description"], where)
        if prop["type"] == "string":
            assert 0 < prop["maxLength"] <= 10000, where
        for value in prop.get("enum", []):
            check_translations(prop["x-enumTitles"][value], f"{where}={value}")
