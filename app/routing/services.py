"""The routing assistant: train a model from past routing, suggest bodies, find similar answers
and likely duplicates.

Labels come from what finally happened, not from the first guess: a petition that was answered
carries in ``competent_body`` the body that drafted the answer, after any transfers. Every
suggestion is re-checked against the database before it is shown, so a model trained before an
answer was unpublished (or a petition merged) never reveals it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.audit.models import Action
from app.audit.service import AuditLog
from app.db import utcnow
from app.petitions.models import Petition, PetitionType, Status
from app.routing.model import ClassifierKind, Example, PublicAnswer, RoutingModel, Scored, train
from app.routing.models import RoutingModelVersion


@dataclass(frozen=True)
class RoutingSettings:
    similar_limit: int
    similar_min_score: float
    duplicate_min_score: float
    duplicate_same_citizen_min_score: float
    duplicate_days: int
    duplicate_candidates: int


@dataclass(frozen=True)
class SimilarAnswer:
    """What a citizen may see of another petition: no name, no contact, no description."""

    tracking_number: str
    subject: str
    score: float


@dataclass(frozen=True)
class Duplicate:
    petition: Petition
    score: float
    same_citizen: bool


@dataclass(frozen=True)
class Qualification:
    """What the office sees while qualifying: bodies to route to, petitions to merge with."""

    suggestions: list[Scored]
    duplicates: list[Duplicate]


def petition_text(petition: Petition) -> str:
    return f"{petition.subject}\n{petition.description}"


def public_answer_clause() -> ColumnElement[bool]:
    """Petitions whose answer anyone may read: closed, answered, published by the office, not a
    corruption report, not merged into another."""
    return and_(
        Petition.answer_public.is_(True), Petition.status == Status.CLOSED, Petition.answer.is_not(None),
        Petition.type != PetitionType.CORRUPTION, Petition.merged_into_id.is_(None),
    )


class ModelCache:
    """One loaded model per process, replaced when a newer version appears in the table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: tuple[tuple[int, datetime], RoutingModel] | None = None

    def get(self, session: Session) -> RoutingModel | None:
        latest = session.execute(
            select(RoutingModelVersion.version, RoutingModelVersion.created_at)
            .order_by(RoutingModelVersion.version.desc()).limit(1)
        ).first()
        if latest is None:
            return None
        # Keyed by creation time too: a restored or rebuilt table may reuse a version number.
        key = (latest.version, latest.created_at)
        with self._lock:
            if self._loaded is None or self._loaded[0] != key:
                blob = session.scalar(select(RoutingModelVersion.blob).where(RoutingModelVersion.version == key[0]))
                self._loaded = (key, RoutingModel.from_bytes(blob))  # type: ignore[arg-type]
            return self._loaded[1]


class RoutingService:
    def __init__(self, session: Session, cache: ModelCache, settings: RoutingSettings) -> None:
        self.session = session
        self.cache = cache
        self.settings = settings

    # Training ---------------------------------------------------------------------------------
    def train(self, kind: ClassifierKind = ClassifierKind.LINEAR_SVM, actor: str = "cli") -> RoutingModelVersion | None:
        """Train and store a new version from the answered petitions; None when none exist yet."""
        answered = self.session.execute(
            select(Petition.subject, Petition.description, Petition.competent_body).where(
                Petition.answered_at.is_not(None), Petition.competent_body.is_not(None),
                Petition.type != PetitionType.CORRUPTION,
            )
        ).all()
        if not answered:
            return None
        examples = [Example(f"{subject}\n{description}", body) for subject, description, body in answered]
        public = [
            PublicAnswer(pid, f"{subject}\n{description}")
            for pid, subject, description in self.session.execute(
                select(Petition.id, Petition.subject, Petition.description).where(public_answer_clause())
            )
        ]
        model = train(examples, public, kind)
        version = (self.session.scalar(select(func.max(RoutingModelVersion.version))) or 0) + 1
        metrics = {"bodies": {body: sum(e.body == body for e in examples) for body in model.bodies}}
        row = RoutingModelVersion(
            version=version, kind=str(model.kind), training_size=len(examples), public_size=len(public),
            metrics=json.dumps(metrics, ensure_ascii=False), blob=model.to_bytes(), created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        AuditLog(self.session).record(
            Action.ROUTING_MODEL_TRAINED, target=f"routing-model:{version}", actor=actor,
            details={"training_size": len(examples), "public_size": len(public), "kind": str(model.kind)},
        )
        return row

    def versions(self, limit: int = 10) -> list[RoutingModelVersion]:
        query = select(RoutingModelVersion).order_by(RoutingModelVersion.version.desc()).limit(limit)
        return list(self.session.scalars(query))

    # Suggestions ------------------------------------------------------------------------------
    def suggest_bodies(self, text: str, limit: int = 3) -> list[Scored]:
        model = self.cache.get(self.session)
        return model.body_scores(text, limit) if model else []

    def similar_answers(self, text: str, petition_type: str | None = None) -> list[SimilarAnswer]:
        """Published answers to petitions like ``text`` (of the same type when given)."""
        model = self.cache.get(self.session)
        if model is None:
            return []
        # Over-fetch: some hits fail the type filter or are no longer public.
        hits = model.similar_public(text, self.settings.similar_limit * 4, self.settings.similar_min_score)
        if not hits:
            return []
        query = select(Petition.id, Petition.tracking_number, Petition.subject).where(
            Petition.id.in_([hit.key for hit in hits]), public_answer_clause()
        )
        if petition_type:
            query = query.where(Petition.type == petition_type)
        rows = {pid: (number, subject) for pid, number, subject in self.session.execute(query)}
        found = [SimilarAnswer(*rows[hit.key], hit.score) for hit in hits if hit.key in rows]
        return found[: self.settings.similar_limit]

    def public_answer(self, tracking_number: str) -> Petition | None:
        return self.session.scalar(
            select(Petition).where(Petition.tracking_number == tracking_number, public_answer_clause())
        )

    def qualification(self, petition: Petition) -> Qualification:
        if petition.type == PetitionType.CORRUPTION:
            return Qualification([], [])
        return Qualification(self.suggest_bodies(petition_text(petition)), self.duplicates(petition))

    def duplicates(self, petition: Petition, limit: int = 5) -> list[Duplicate]:
        """Recent petitions that look like ``petition``: same citizen with a lower bar, anyone's
        above the higher one. Corruption reports are never compared (nor shown)."""
        model = self.cache.get(self.session)
        if model is None or petition.type == PetitionType.CORRUPTION:
            return []
        since = utcnow() - timedelta(days=self.settings.duplicate_days)
        candidates = list(self.session.scalars(
            select(Petition).where(
                Petition.id != petition.id, Petition.created_at >= since,
                Petition.type != PetitionType.CORRUPTION, Petition.merged_into_id.is_(None),
            ).order_by(Petition.created_at.desc()).limit(self.settings.duplicate_candidates)
        ))
        if not candidates:
            return []
        vectors = model.vectors([petition_text(petition)] + [petition_text(c) for c in candidates])
        scores = (vectors[1:] @ vectors[0].T).toarray().ravel()
        found = []
        for index in np.argsort(-scores):
            candidate, score = candidates[index], float(scores[index])
            same = petition.citizen_id is not None and candidate.citizen_id == petition.citizen_id
            bar = self.settings.duplicate_same_citizen_min_score if same else self.settings.duplicate_min_score
            if score >= bar:
                found.append(Duplicate(candidate, round(score, 4), same))
        return found[:limit]
