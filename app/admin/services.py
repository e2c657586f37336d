"""Process administration: versions with their running petitions, drafts, validation with
lint, deploy, diff, migration in bulk, and the operations view (counts per task, incidents).

Everything goes through the engine service and migrator; this module adds what the admin
pages need on top (counts, drafts, lint) and writes the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.models import ProcessDraft
from app.audit import Action, audit
from app.db import utcnow
from app.engine.migration import MigrationCheck, Migrator
from app.engine.models import HumanTask, Incident, ProcessInstance, ProcessVersion
from app.engine.service import EngineService
from app.engine.types import Conflict, DiagramError, InvalidDiagram, NotFound, VersionInfo
from app.petitions.models import Petition

PROCESS_ID = re.compile(r'<bpmn:process[^>]*\sid="([^"]+)"')


@dataclass(frozen=True)
class VersionRow:
    info: VersionInfo
    running: int
    incidents: int


@dataclass(frozen=True)
class ProcessSummary:
    process_id: str
    name: str
    versions: list[VersionRow]
    draft_saved_at: datetime | None


@dataclass(frozen=True)
class MigrationResult:
    instance_id: int
    tracking_number: str | None
    moved: bool
    reason: str


class ProcessAdmin:
    def __init__(self, session: Session, engine: EngineService, lint: Any = None) -> None:
        self.session = session
        self.engine = engine
        self.migrator = Migrator(session, engine.runtime)
        self.lint = lint

    # Versions -------------------------------------------------------------------------------
    def processes(self) -> list[ProcessSummary]:
        running = dict(
            self.session.execute(
                select(ProcessInstance.version_id, func.count())
                .where(ProcessInstance.status != "completed")
                .group_by(ProcessInstance.version_id)
            ).all()
        )
        incidents = dict(
            self.session.execute(
                select(ProcessInstance.version_id, func.count(func.distinct(Incident.instance_id)))
                .join(Incident, Incident.instance_id == ProcessInstance.id)
                .where(Incident.resolved_at.is_(None))
                .group_by(ProcessInstance.version_id)
            ).all()
        )
        drafts = dict(self.session.execute(select(ProcessDraft.process_id, ProcessDraft.saved_at)).all())
        grouped: dict[str, list[VersionRow]] = {}
        for info in self.engine.versions():
            grouped.setdefault(info.process_id, []).append(
                VersionRow(info, running.get(info.id, 0), incidents.get(info.id, 0))
            )
        summaries = [
            ProcessSummary(pid, rows[-1].info.name, list(reversed(rows)), drafts.pop(pid, None))
            for pid, rows in sorted(grouped.items())
        ]
        summaries += [ProcessSummary(pid, pid, [], saved) for pid, saved in sorted(drafts.items())]
        return summaries

    def version_xml(self, process_id: str, version: int) -> bytes:
        row = self.session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.version == version)
        )
        if row is None:
            raise NotFound("no such version")
        return row.bpmn_xml

    # Editing --------------------------------------------------------------------------------
    def validate(self, xml: bytes, filename: str) -> list[DiagramError]:
        """Engine validation (XML safety, parse, our checks) plus bpmnlint when available."""
        errors = self.engine.validate(xml, filename)
        if errors or self.lint is None:
            return errors
        return [
            DiagramError(f"{p['message']} ({p['rule']})", filename, None, p.get("element_id"))
            for p in self.lint(xml)
            if p.get("category") == "error"
        ]

    def deploy(self, xml: bytes, filename: str, user_id: int, user_label: str) -> VersionInfo:
        errors = self.validate(xml, filename)
        if errors:
            raise InvalidDiagram(errors)
        info = self.engine.deploy(xml, filename, deployed_by=user_label)
        if info.created:
            self.session.execute(ProcessDraft.__table__.delete().where(ProcessDraft.process_id == info.process_id))
            audit(Action.PROCESS_DEPLOYED, target=f"{info.process_id}:v{info.version}", sha256=info.bpmn_sha256)
        return info

    def save_draft(self, xml: bytes, user_id: int, max_bytes: int) -> ProcessDraft:
        if len(xml) > max_bytes:
            raise InvalidDiagram([DiagramError(f"the draft is larger than {max_bytes} bytes")])
        match = PROCESS_ID.search(xml.decode("utf-8", errors="replace"))
        if match is None:
            raise InvalidDiagram([DiagramError("the draft has no bpmn:process with an id")])
        draft = self.session.get(ProcessDraft, match.group(1)) or ProcessDraft(process_id=match.group(1))
        draft.bpmn_xml, draft.saved_by, draft.saved_at = xml, user_id, utcnow()
        self.session.add(draft)
        audit(Action.PROCESS_DRAFT_SAVED, target=draft.process_id, size=len(xml))
        return draft

    def draft(self, process_id: str) -> ProcessDraft:
        draft = self.session.get(ProcessDraft, process_id)
        if draft is None:
            raise NotFound("no draft")
        return draft

    # Migration ------------------------------------------------------------------------------
    def dry_run(self, from_version_id: int, to_version_id: int) -> list[tuple[MigrationCheck, str | None]]:
        numbers = self._tracking_numbers()
        return [
            (self.migrator.check(instance_id, to_version_id), numbers.get(instance_id))
            for instance_id in self.migrator.running_instances(from_version_id)
        ]

    def migrate_one(self, instance_id: int, to_version_id: int, actor: str) -> MigrationResult:
        """Move one petition in its own transaction; a refusal or failure changes nothing."""
        number = self._tracking_numbers([instance_id]).get(instance_id)
        try:
            self.migrator.migrate(instance_id, to_version_id, actor=actor)
            audit(Action.INSTANCE_MIGRATED, target=number or f"instance:{instance_id}", to_version_id=to_version_id)
            self.session.commit()
        except (Conflict, NotFound) as error:
            self.session.rollback()
            return MigrationResult(instance_id, number, False, str(error))
        return MigrationResult(instance_id, number, True, "moved")

    def _tracking_numbers(self, instance_ids: list[int] | None = None) -> dict[int, str | None]:
        query = select(Petition.instance_id, Petition.tracking_number).where(Petition.instance_id.is_not(None))
        if instance_ids is not None:
            query = query.where(Petition.instance_id.in_(instance_ids))
        return {int(i): n for i, n in self.session.execute(query).all()}

    # Operations -----------------------------------------------------------------------------
    def task_counts(self, version_id: int) -> dict[str, int]:
        """Running petitions per open task of a version (for the overlays on the diagram)."""
        return dict(
            self.session.execute(
                select(HumanTask.task_name, func.count())
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                .where(ProcessInstance.version_id == version_id)
                .group_by(HumanTask.task_name)
            ).all()
        )

    def incidents(self, version_id: int) -> list[tuple[Incident, str | None, str]]:
        rows = self.session.execute(
            select(Incident, Petition.tracking_number, ProcessInstance.status)
            .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
            .outerjoin(Petition, Petition.instance_id == Incident.instance_id)
            .where(ProcessInstance.version_id == version_id, Incident.resolved_at.is_(None))
            .order_by(Incident.id.desc())
        ).all()
        return [(incident, number, status) for incident, number, status in rows]

    def instances(self, version_id: int, limit: int = 200) -> list[tuple[int, str | None, str, datetime]]:
        rows = self.session.execute(
            select(ProcessInstance.id, Petition.tracking_number, ProcessInstance.status, ProcessInstance.updated_at)
            .outerjoin(Petition, Petition.instance_id == ProcessInstance.id)
            .where(ProcessInstance.version_id == version_id, ProcessInstance.status != "completed")
            .order_by(ProcessInstance.id.desc())
            .limit(limit)
        ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def retry(self, instance_id: int, actor: str) -> None:
        self.engine.retry(instance_id, actor=actor)
        audit(Action.INSTANCE_RETRIED, target=f"instance:{instance_id}")

    def suspend(self, instance_id: int, actor: str) -> None:
        self.engine.suspend(instance_id, actor=actor)
        audit(Action.INSTANCE_SUSPENDED, target=f"instance:{instance_id}")

    def resume(self, instance_id: int, actor: str) -> None:
        self.engine.resume(instance_id, actor=actor)
        audit(Action.INSTANCE_RESUMED, target=f"instance:{instance_id}")
