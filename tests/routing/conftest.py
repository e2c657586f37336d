"""Routing fixtures: petitions written straight to the table in the state the test needs (the
workflow that would lead there is tested in tests/petitions and tests/processes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app.db import utcnow
from app.petitions.models import Petition, Status
from app.routing import settings_from
from app.routing.services import RoutingService

# Three bodies, two languages: enough for a classifier to tell them apart.
FIXTURE_PETITIONS = [
    ("انقطاع الماء الصالح للشرب", "انقطع الماء في حي الزهور منذ ثلاثة أيام دون إعلام من الصوناد", "gov-sfax"),
    ("Coupure d'eau potable", "Pas d'eau au robinet depuis lundi à Sakiet Ezzit, la SONEDE ne répond pas", "gov-sfax"),
    ("ضعف ضغط الماء", "ضغط الماء ضعيف جدا في الطوابق العليا بطريق المطار", "gov-sfax"),
    ("Ordures non ramassées", "Les poubelles débordent rue Habib Thameur depuis une semaine", "mun-sfax"),
    ("تراكم الفضلات", "الفضلات المنزلية متراكمة أمام المدرسة ولم تمر شاحنة البلدية", "mun-sfax"),
    ("Nid de poule dangereux", "Un trou profond sur la chaussée avenue de la République, réparez la voirie", "mun-sfax"),
    ("تأخر المنحة الجامعية", "لم أتحصل على المنحة الجامعية لهذه السنة رغم إيداع الملف", "min-education"),
    ("Manque d'enseignant", "Le lycée de Menzel Chaker n'a pas de professeur de mathématiques depuis la rentrée", "min-education"),
    ("نقص الأساتذة بالمدرسة", "تلاميذ السنة الخامسة بلا معلم منذ بداية السنة الدراسية", "min-education"),
]


@pytest.fixture
def make_petition(session: Session) -> Callable[..., Petition]:
    """``make_petition(subject, description, body, **columns)``: an answered, closed petition."""
    counter = iter(range(1, 10_000))

    def make(subject: str, description: str, body: str, **columns: Any) -> Petition:
        number = next(counter)
        fields: dict[str, Any] = {
            "type": "complaint", "subject": subject, "description": description,
            "current_office": body, "competent_body": body, "status": Status.CLOSED,
            "answer": f"Réponse {number}", "answered_at": utcnow(), "closed_at": utcnow(),
            "answer_public": True, "tracking_number": f"TN-2026-{number:06d}",
            **columns,
        }
        petition = Petition(**fields)
        session.add(petition)
        session.commit()
        return petition

    return make


@pytest.fixture
def answered(make_petition: Callable[..., Petition]) -> list[Petition]:
    return [make_petition(*row) for row in FIXTURE_PETITIONS]


@pytest.fixture
def routing(app: Flask, session: Session) -> RoutingService:
    return RoutingService(session, app.extensions["routing"], settings_from(app.config))
