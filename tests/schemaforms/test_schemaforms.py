"""Form fields from JSON Schemas, and typed data back from submitted forms."""

from werkzeug.datastructures import MultiDict

from app import schemaforms

SCHEMA = {
    "type": "object",
    "required": ["subject", "decision"],
    "properties": {
        "subject": {"type": "string", "maxLength": 200, "title": "Subject",
                    "x-title": {"ar": "الموضوع", "fr": "Objet"}},
        "description": {"type": "string", "maxLength": 5000},
        "decision": {"type": "string", "enum": ["accept", "reject"],
                     "x-enumTitles": {"accept": {"fr": "Accepter"}}},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "urgent": {"type": "boolean"},
        "when": {"type": "string", "format": "date"},
        "target_body": {"type": "string", "maxLength": 100},
        "computed": {"type": "string", "readOnly": True},
    },
}


def test_fields_follow_the_schema_with_widgets_labels_and_required_marks():
    fields = {f.name: f for f in schemaforms.fields(SCHEMA, "fr", {"target_body": [("bcrc", "BCRC")]})}
    assert "computed" not in fields
    assert (fields["subject"].label, fields["subject"].widget, fields["subject"].required) == ("Objet", "text", True)
    assert fields["description"].widget == "textarea"
    assert fields["decision"].widget == "radio"
    assert fields["decision"].options == [("accept", "Accepter"), ("reject", "Reject")]
    assert (fields["rating"].widget, fields["rating"].minimum, fields["rating"].step) == ("number", 1, "1")
    assert fields["urgent"].widget == "checkbox" and fields["when"].widget == "date"
    assert fields["target_body"].widget == "select" and fields["target_body"].options == [("bcrc", "BCRC")]


def test_arabic_labels_come_from_x_title():
    assert schemaforms.fields(SCHEMA, "ar")[0].label == "الموضوع"


def test_parse_types_values_and_leaves_out_empty_optional_fields():
    form = MultiDict({"subject": "  ماء  ", "description": "", "rating": "4", "urgent": "on",
                      "decision": "accept", "computed": "injected"})
    assert schemaforms.parse(SCHEMA, form) == {
        "subject": "ماء", "rating": 4, "urgent": True, "decision": "accept",
    }


def test_parse_keeps_a_non_number_as_text_for_the_validator_to_reject():
    assert schemaforms.parse(SCHEMA, MultiDict({"rating": "five"}))["rating"] == "five"
