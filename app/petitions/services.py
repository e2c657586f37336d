"""Submitting petitions and keeping their public record in step with the routing diagram.

The diagram decides the route; after every step this service reads what happened (the task
that was completed and its data, what the instance waits for now) and turns it into what
citizens see: the status, the responsible office, the deadline, the answer and a timeline.
Contract with the diagrams (``processes/README.md``): the start data keys below, task data
keys ``decision`` / ``reason`` / ``competent_body`` / ``question`` / ``answer`` /
``extension_reason`` / ``rating`` / ``comment``, the message ``citizen_reply`` and ``outcome``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.engine.service import EngineService
from app.engine.types import InstanceInfo, InvalidTaskData, NotFound, TaskInfo
from app.notifications import notify_timeline
from app.org.models import Body
from app.petitions.contacts import Intake, contact_matches
from app.petitions.models import Attachment, Channel, Petition, PetitionType, Status, TimelineEntry
from app.petitions.retention import CITIZEN_WORKFLOW_FIELDS, REMOVED, ROUTING_FIELDS, Blanked, blank_personal_data
from app.petitions.uploads import StoredFile, UploadRejected, UploadStore, keep_only_if_committed

# Start-form fields kept in their own columns; the rest go to ``details``. A corruption
# report's text is ``facts``; its reporter contact is confidential (``reporter_identity``).
COLUMN_FIELDS = {"subject", "description", "facts", "target_body", "reporter_contact", "anonymous"}
# Open tasks that mean "the office is reviewing it" (otherwise: "being answered").
REVIEW_TASKS = {"qualify", "examine"}
# Tasks whose completion publishes the answer.
ANSWER_TASKS = {"answer_report"}
CITIZEN_LANE = "citizen"
COORDINATOR_LANE = "coordinator"


@dataclass(frozen=True)
class PetitionSettings:
    process_ids: dict[str, str]
    response_working_days: dict[str, int]
    reply_working_days: int
    survey_days: int
    central_office: str
    corruption_unit: str
    receipt_key: bytes
    auto_route_threshold: float = 0.0


@dataclass(frozen=True)
class UploadedFile:
    stream: IO[bytes]
    filename: str


@dataclass(frozen=True)
class Submission:
    petition: Petition
    receipt_code: str | None  # shown once to an anonymous reporter, never stored


def start_form_name(petition_type: str) -> str:
    return f"{petition_type}_start.json"


def _parse_due(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def receipt_hash(code: str, key: bytes) -> str:
    """Receipt codes are stored keyed-hashed: a leaked table does not allow offline guessing."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def format_receipt(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


_PREFETCHED = "petitions by instance"  # in Session.info, for sync_instance


def prefetch_petitions(session: Session, instance_ids: list[int]) -> None:
    """Read the petitions of a batch of instances in one query (the timer worker's batch) for
    the ``sync_instance`` calls that follow; each is used once."""
    petitions = session.scalars(select(Petition).where(Petition.instance_id.in_(instance_ids)))
    session.info.setdefault(_PREFETCHED, {}).update((p.instance_id, p) for p in petitions)


class PetitionService:
    def __init__(
        self, session: Session, engine: EngineService, uploads: UploadStore, settings: PetitionSettings
    ) -> None:
        self.session = session
        self.engine = engine
        self.uploads = uploads
        self.settings = settings

    # Submitting ------------------------------------------------------------------------------
    def submit(
        self,
        petition_type: str,
        data: dict[str, Any],
        files: list[UploadedFile],
        *,
        citizen_id: int | None,
        contact_email: str | None,
        reporter_identity: str | None = None,
        channel: Channel = Channel.WEB,
        intake: Intake | None = None,
    ) -> Submission:
        """Check, store and start a petition in the caller's transaction.

        Raises ``InvalidTaskData`` (field → message) for bad form data, bad files or an unknown
        body; nothing is stored then, and files already written are removed. On the web a
        petition needs an account (except a corruption report); through other channels (an
        agent at a counter, the Open311 API) a contact e-mail is enough, and with ``intake``
        (an agent registering it) the contact the agent took down.
        """
        kind = PetitionType(petition_type)
        errors = self.engine.runtime.forms.errors(start_form_name(kind), data)
        target = data.get("target_body") or None
        if target and self._active_body(target) is None:
            errors["target_body"] = gettext("Choose a public body from the list.")
        if errors:
            raise InvalidTaskData(errors)
        if kind is PetitionType.CORRUPTION:
            # A reporter may stay anonymous even when signed in: the report is then not linked
            # to the account, and only the receipt code leads to it.
            anonymous = citizen_id is None or bool(data.get("anonymous"))
            if anonymous:
                citizen_id, contact_email = None, None
            reporter_identity = reporter_identity or data.get("reporter_contact") or None
        elif citizen_id is None and (channel is Channel.WEB or not (contact_email or intake)):
            raise InvalidTaskData({"": gettext("Log in to submit this kind of petition.")})
        else:
            anonymous = False

        with self._stored(files) as stored:
            petition = self._create(kind, data, target, citizen_id, contact_email, anonymous, reporter_identity)
            petition.channel = channel
            if intake is not None:
                intake.apply(petition)
            actor_id = intake.registered_by_id if intake is not None else citizen_id
            receipt = None
            if anonymous:
                receipt = "".join(secrets.choice("0123456789") for _ in range(16))
                petition.receipt_hash = receipt_hash(receipt, self.settings.receipt_key)
            for file in stored:
                petition.attachments.append(Attachment(**file.__dict__, uploaded_by=actor_id))
            self._log(petition, "received", body=petition.current_office, actor_id=actor_id)
            # The engine reads none of the petition's rows: its tracking number and timeline
            # wait for the flush below, where one UPDATE also stores what the start decided.
            with self.session.no_autoflush:
                info = self.engine.start(
                    self.settings.process_ids[kind], self._start_data(petition, data),
                    actor=f"user:{actor_id}" if actor_id else "anonymous",
                )
            petition.instance_id = info.id
            if info.data.get("auto_routed"):
                self._log(petition, "accepted", body=info.data.get("competent_body"))
            self._apply(petition, info)
            self.session.flush()
        return Submission(petition, receipt)

    def _create(
        self, kind: PetitionType, data: dict[str, Any], target: str | None, citizen_id: int | None,
        contact_email: str | None, anonymous: bool, reporter_identity: str | None,
    ) -> Petition:
        office = (
            self.settings.corruption_unit if kind is PetitionType.CORRUPTION
            else target or self.settings.central_office
        )
        details = {k: v for k, v in data.items() if k not in COLUMN_FIELDS}
        petition = Petition(
            type=kind, subject=data["subject"], description=data.get("description") or data.get("facts", ""),
            details=json.dumps(details, ensure_ascii=False, default=str), citizen_id=citizen_id,
            contact_email=contact_email, anonymous=anonymous, reporter_identity=reporter_identity,
            target_body=target, current_office=office, status=Status.RECEIVED,
            # Known empty: appending to them then needs no SELECT of the new petition's rows.
            timeline=[], attachments=[],
        )
        self.session.add(petition)
        self.session.flush()
        petition.tracking_number = f"TN-{petition.created_at.year}-{petition.id:06d}"
        return petition

    def _start_data(self, petition: Petition, data: dict[str, Any]) -> dict[str, Any]:
        return {
            **data,
            "petition_id": petition.id,
            "petition_type": petition.type,
            "subject": petition.subject,
            "description": data.get("description", ""),
            "target_body": petition.target_body,
            "routing_office": petition.current_office,
            "response_days": self.settings.response_working_days[petition.type],
            "reply_days": self.settings.reply_working_days,
            "survey_days": self.settings.survey_days,
            "corruption_unit": self.settings.corruption_unit,
            "citizen_id": petition.citizen_id,
            "auto_route_threshold": self.settings.auto_route_threshold,
        }

    @contextmanager
    def _stored(self, files: list[UploadedFile]) -> Iterator[list[StoredFile]]:
        """Store the files for the work in the ``with`` block; they stay on disk only if the
        transaction commits, so a refused petition or a failed commit leaves no file behind."""
        stored = self._store_files(files)
        keep_only_if_committed(self.session, self.uploads, [file.stored_name for file in stored])
        yield stored

    def _store_files(self, files: list[UploadedFile]) -> list[StoredFile]:
        stored: list[StoredFile] = []
        try:
            for file in files:
                stored.append(self.uploads.save(file.stream, file.filename))
        except UploadRejected as error:
            for done in stored:
                self.uploads.remove(done.stored_name)
            raise InvalidTaskData({"attachments": str(error)}) from None
        return stored

    def _active_body(self, code: str) -> Body | None:
        return self.session.scalar(select(Body).where(Body.code == code, Body.is_active.is_(True)))

    # Steps -----------------------------------------------------------------------------------
    def complete_task(self, petition: Petition, task: TaskInfo, data: dict[str, Any], actor_id: int) -> InstanceInfo:
        """Complete a staff (or survey) task and record what it means for the citizen."""
        if data.get("competent_body") and self._active_body(data["competent_body"]) is None:
            raise InvalidTaskData({"competent_body": gettext("Choose a public body from the list.")})
        kept = self._kept_petition(petition, data) if data.get("decision") == "duplicate" else None
        info = self.engine.complete_task(task.id, data, actor=f"user:{actor_id}")
        if kept is not None:
            petition.merged_into = kept
        self._record_task(petition, task, data, actor_id)
        self._apply(petition, info)
        return info

    def _kept_petition(self, petition: Petition, data: dict[str, Any]) -> Petition:
        """The petition a duplicate is merged into: another one, still on record, not a corruption
        report (whose existence must not leak), not itself merged."""
        number = str(data.get("duplicate_of") or "").strip().upper()
        kept = self.session.scalar(select(Petition).where(Petition.tracking_number == number)) if number else None
        if (kept is None or kept.id == petition.id or kept.type == PetitionType.CORRUPTION
                or kept.merged_into_id is not None):
            raise InvalidTaskData({"duplicate_of": gettext("Give the tracking number of another petition to keep.")})
        return kept

    def reply(self, petition: Petition, text: str, files: list[UploadedFile], actor_id: int | None) -> InstanceInfo:
        """The citizen answers a request for information; the route resumes where it asked."""
        if petition.instance_id is None or petition.status != Status.INFORMATION_REQUESTED:
            raise InvalidTaskData({"": gettext("No information is requested for this petition now.")})
        text = text.strip()
        if not text or len(text) > 5000:
            message = gettext("Write your answer (at most %(count)d characters).", count=5000)
            raise InvalidTaskData({"text": message})
        with self._stored(files) as stored:
            for file in stored:
                petition.attachments.append(Attachment(**file.__dict__, uploaded_by=actor_id))
            info = self.engine.send_message(
                petition.instance_id, "citizen_reply",
                {"text": text, "attachments": [f.original_name for f in stored]},
                actor=f"user:{actor_id}" if actor_id else "anonymous",
            )
            self._log(petition, "information_provided", text=text, actor_id=actor_id)
            petition.open_question = None
            self._apply(petition, info)
            self.session.flush()
        return info

    def survey_task(self, petition: Petition) -> TaskInfo | None:
        if petition.instance_id is None:
            return None
        info = self.engine.instance(petition.instance_id)
        return next((t for t in info.ready_tasks if t.lane == CITIZEN_LANE), None)

    def comment(self, petition: Petition, text: str, actor_id: int) -> None:
        """An internal note for staff; never shown to the citizen."""
        text = text.strip()
        if not text or len(text) > 5000:
            message = gettext("Write a comment of at most %(count)d characters.", count=5000)
            raise InvalidTaskData({"comment": message})
        self._log(petition, "comment", text=text, actor_id=actor_id, public=False)
        petition.updated_at = utcnow()

    def _record_task(self, petition: Petition, task: TaskInfo, data: dict[str, Any], actor_id: int) -> None:
        decision = data.get("decision")
        reason = data.get("reason")
        if decision == "transfer":
            self._log(petition, "transferred", body=data.get("competent_body"), text=reason, actor_id=actor_id)
        elif decision == "reject":
            self._log(petition, "rejected", text=reason, actor_id=actor_id)
        elif decision == "accept" and task.name in REVIEW_TASKS:
            self._log(petition, "accepted", body=data.get("competent_body") or petition.current_office,
                      actor_id=actor_id)
        elif decision == "request_info":
            self._log(petition, "information_requested", text=data.get("question"), actor_id=actor_id)
            petition.open_question = data.get("question")
        elif decision == "return":
            self._log(petition, "returned_for_drafting", text=reason, actor_id=actor_id, public=False)
        if data.get("extension_reason") and petition.extension_reason is None:
            petition.extension_reason = data["extension_reason"]
            self._log(petition, "deadline_extended", text=data["extension_reason"], actor_id=actor_id)
        if data.get("answer") and task.lane != CITIZEN_LANE:
            petition.answer = data["answer"]
        if decision == "approve" or task.name in ANSWER_TASKS:
            petition.answered_at = utcnow()
            # Corruption reports stay confidential whatever the form says.
            petition.answer_public = bool(data.get("publish")) and petition.type != PetitionType.CORRUPTION
            self._log(petition, "answered", text=petition.answer, actor_id=actor_id)
        if task.lane == CITIZEN_LANE and data.get("rating"):
            petition.rating = int(data["rating"])
            petition.rating_comment = data.get("comment")
            self._log(petition, "rated", text=str(petition.rating), actor_id=actor_id)
        if task.lane == COORDINATOR_LANE:
            self._log(petition, "escalation_note", text=data.get("note"), actor_id=actor_id, public=False)

    def sync_instance(self, info: InstanceInfo) -> None:
        """Bring the petition of an instance up to date after a step nobody asked for (a timer)."""
        petition = self.session.info.get(_PREFETCHED, {}).pop(info.id, None) or self.session.scalar(
            select(Petition).where(Petition.instance_id == info.id)
        )
        if petition is not None:
            self._apply(petition, info)

    def _apply(self, petition: Petition, info: InstanceInfo) -> None:
        """Derive the public status, office and deadline from where the instance stands now."""
        data = info.data
        petition.current_office = data.get("routing_office") or petition.current_office
        petition.competent_body = data.get("competent_body") or petition.competent_body
        petition.updated_at = utcnow()
        # Coordinators' follow-up tasks run beside the main one and do not change the status.
        staff_tasks = [t for t in info.ready_tasks if t.lane not in (CITIZEN_LANE, COORDINATOR_LANE)]
        dues = [t.due_at for t in staff_tasks if t.due_at is not None]
        petition.response_due_at = _parse_due(data.get("response_due")) or (min(dues) if dues else None)
        if info.status == "completed":
            outcome = data.get("outcome", "closed")
            status = {"rejected": Status.REJECTED, "abandoned": Status.ABANDONED}.get(outcome, Status.CLOSED)
            if petition.status != status:
                petition.closed_at = utcnow()
                if status is Status.ABANDONED:
                    self._log(petition, "abandoned")
                elif outcome == "duplicate" and petition.merged_into is not None:
                    self._log(petition, "merged", text=petition.merged_into.tracking_number)
                elif status is Status.CLOSED:
                    self._log(petition, "closed")
            petition.status = status
            petition.open_question = None
        elif "citizen_reply" in info.waiting_messages:
            petition.status = Status.INFORMATION_REQUESTED
        elif any(t.lane == CITIZEN_LANE for t in info.ready_tasks):
            petition.status = Status.ANSWERED
        elif any(t.name not in REVIEW_TASKS for t in staff_tasks):
            petition.status = Status.IN_PROGRESS
        elif staff_tasks:
            petition.status = Status.UNDER_REVIEW

    def _log(
        self, petition: Petition, kind: str, *, body: str | None = None, text: str | None = None,
        actor_id: int | None = None, public: bool = True,
    ) -> None:
        entry = TimelineEntry(kind=kind, body=body, text=text, actor_id=actor_id, public=public, created_at=utcnow())
        petition.timeline.append(entry)
        if public:
            notify_timeline(self.session, petition, entry)  # queued in this transaction

    # Reading ---------------------------------------------------------------------------------
    def by_tracking_number(self, tracking_number: str) -> Petition:
        petition = self.session.scalar(
            select(Petition).where(Petition.tracking_number == tracking_number.strip().upper())
        )
        if petition is None:
            raise NotFound("no such petition")
        return petition

    def lookup(self, tracking_number: str, contact: str) -> Petition | None:
        """Public status lookup: both the number and the contact given at submission (e-mail,
        or the phone an agent took down) must match."""
        petition = self.session.scalar(
            select(Petition).where(Petition.tracking_number == tracking_number.strip().upper())
        )
        if petition is None or not contact_matches(petition, contact):
            return None
        return petition

    def by_receipt(self, code: str) -> Petition | None:
        return self.session.scalar(
            select(Petition).where(Petition.receipt_hash == receipt_hash(code, self.settings.receipt_key))
        )

    def forget(self, petition: Petition, blanked: Blanked, actor: str) -> None:
        """Blank what the citizen wrote, in the petition's record and in its workflow's history
        (the start data, replies and comments every past task kept); the caller commits."""
        blank_personal_data(petition, blanked)
        if petition.instance_id is None:
            return
        start_form = self.engine.runtime.forms.schema(start_form_name(petition.type))
        fields = (frozenset(start_form["properties"]) - ROUTING_FIELDS) | CITIZEN_WORKFLOW_FIELDS
        self.engine.redact(petition.instance_id, fields, REMOVED, actor=actor)

    def of_citizen(self, citizen_id: int) -> list[Petition]:
        return list(
            self.session.scalars(
                select(Petition).where(Petition.citizen_id == citizen_id).order_by(Petition.created_at.desc())
            )
        )

    def public_timeline(self, petition: Petition) -> list[TimelineEntry]:
        return [entry for entry in petition.timeline if entry.public]

    def deadline_passed(self, petition: Petition, now: datetime | None = None) -> bool:
        due = petition.response_due_at
        return bool(due and not Status(petition.status).is_final and due < (now or utcnow()))
