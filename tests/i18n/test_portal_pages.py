"""The citizen portal and the tasklist in Arabic and French: labels, status names, server-side
validation messages, task names, and the citizen's own text shown exactly as written."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.i18n.conftest import EASTERN_DIGITS
from tests.petitions.conftest import submit

DESCRIPTION = "انقطع الماء منذ يوم الاثنين في المنزه 6.\nL'eau est coupée depuis lundi — 3 jours."
# 2026 months of the timeline in ar_TN: the dates are today's, whatever the month.
TUNISIAN_MONTHS = "جانفي|فيفري|مارس|أفريل|ماي|جوان|جويلية|أوت|سبتمبر|أكتوبر|نوفمبر|ديسمبر"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_citizen_follows_a_complaint_in_arabic(person: Callable[..., Any]) -> None:
    _, citizen = person("citizen", preferred_language="ar")
    number = submit(citizen, subject="ماء مقطوع — eau coupée", description=DESCRIPTION)

    page = citizen.get(f"/petitions/{number}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    text = _text(page)
    assert "رقم المتابعة" in text and "قيد الدراسة" in text  # "Under review"
    assert "تلقّاها المكتب المركزي للعلاقات مع المواطن" in text  # the timeline's first step
    assert re.search(rf"\d{{1,2}} ({TUNISIAN_MONTHS}) \d{{4}}، \d\d:\d\d", text)
    assert DESCRIPTION.replace("'", "&#39;") in page  # stored and shown exactly
    assert not EASTERN_DIGITS.search(page)

    mine = _text(citizen.get("/petitions/mine").get_data(as_text=True))
    assert "عرائضي" in mine and "شكوى" in mine and "قيد الدراسة" in mine


def test_tracking_page_shows_french_status_names(person: Callable[..., Any], client: FlaskClient) -> None:
    user, citizen = person("citizen")
    number = submit(citizen)
    page = client.post(
        "/track?lang=fr", data={"tracking_number": number, "email": user.email}
    ).get_data(as_text=True)
    text = _text(page)
    assert "Numéro de suivi" in text and "En cours d'examen" in text.replace("&#39;", "'")
    assert "Reçue par Bureau central des relations avec le citoyen" in text.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("language", "required", "too_long"),
    [
        ("ar", "هذه الخانة إجبارية.", "الحدّ الأقصى لعدد الأحرف هو 200."),
        ("fr", "Ce champ est obligatoire.", "Utilisez au plus 200 caractères."),
        ("en", "This field is required.", "Use at most 200 characters."),
    ],
)
def test_form_errors_from_the_schema_are_in_the_readers_language(
    person: Callable[..., Any], language: str, required: str, too_long: str
) -> None:
    _, citizen = person("citizen", preferred_language=language)
    response = citizen.post("/petitions/new/complaint", data={"subject": "x" * 201, "description": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert required in page and too_long in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "لا تُقبل إلا ملفات PDF وJPEG وPNG."),
        ("fr", "Seuls les fichiers PDF, JPEG et PNG sont acceptés."),
    ],
)
def test_upload_refusals_are_in_the_readers_language(
    person: Callable[..., Any], language: str, message: str
) -> None:
    _, citizen = person("citizen", preferred_language=language)
    data = {"subject": "Eau", "description": "Coupée", "attachments": (io.BytesIO(b"MZ\x90"), "x.exe")}
    response = citizen.post("/petitions/new/complaint", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_tasklist_and_task_page_in_arabic(
    person: Callable[..., Any], petition_of: Callable[[str], Any], open_task: Callable[..., str]
) -> None:
    _, citizen = person("citizen")
    number = submit(citizen, subject="انقطاع الماء", description=DESCRIPTION, location="المنزه 6")
    _, agent = person("relations_agent", "bcrc", preferred_language="ar")

    tasks = agent.get("/tasks/?q=الماء").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in tasks
    text = _text(tasks)
    assert number in text and "تكييف العريضة" in text and "شكوى" in text  # task name, type
    assert "مهمة مفتوحة واحدة" in text  # plural form "one" of "%(num)d open tasks"
    assert number not in agent.get("/tasks/?q=الكهرباء").get_data(as_text=True)

    page = agent.get(f"/tasks/{open_task(petition_of(number), 'qualify')}").get_data(as_text=True)
    text = _text(page)
    assert "<h1>تكييف العريضة" in page and "قبول وإحالة إلى الهيكل المختص" in text
    assert "المكان" in text and "المنزه 6" in text  # the citizen's answers, labelled in Arabic
    assert not EASTERN_DIGITS.search(page)

    response = agent.post(f"/tasks/{open_task(petition_of(number), 'qualify')}/complete", data={})
    assert response.status_code == 400 and "هذه الخانة إجبارية." in response.get_data(as_text=True)


def test_password_reset_mail_is_in_the_accounts_language(
    person: Callable[..., Any], client: FlaskClient, outbox: list[Any]
) -> None:
    user, _ = person("citizen", preferred_language="ar")
    client.post("/password/forgot?lang=fr", data={"email": user.email})
    assert [message.subject for message in outbox] == ["إعادة تعيين كلمة العبور على منصّة ePeople"]
    assert outbox[0].body.startswith(f"مرحبا {user.full_name}،")
