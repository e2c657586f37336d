"""Personal data of petitions is kept only as long as needed: blanking it, now or when it expires.

A petition's record (type, dates, bodies, status, the administration's answer) stays for
statistics and for the administration's own history; what identifies or was written by the
citizen goes: subject, description, type-specific details, contact e-mail, the reporter's
identity, the rating comment, the citizen's replies in the timeline, the attachments (rows
and files), and the same texts in the workflow's history (``PetitionService.forget``). Two paths use it: a citizen closing their account (``app.auth.privacy``) and the
retention rule below, ``RETENTION_YEARS`` after a petition was closed.

Files are removed only after the commit: a failed commit must not leave rows pointing at files
that are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import Action
from app.audit.service import AuditLog
from app.db import utcnow
from app.petitions.models import Petition, Status
from app.petitions.uploads import UploadStore

if TYPE_CHECKING:  # the petitions service imports this module
    from app.petitions.services import PetitionService

REMOVED = "[removed]"
# Timeline entries whose text was written by the citizen.
CITIZEN_TEXT_KINDS = frozenset({"information_provided"})
# In a workflow's data, the start form's fields are the citizen's, except the body it is routed
# to; their reply to a request for information and their survey comment are theirs too.
ROUTING_FIELDS = frozenset({"target_body"})
CITIZEN_WORKFLOW_FIELDS = frozenset({"reply", "comment"})
FINAL_STATUSES = [status.value for status in Status if status.is_final]


@dataclass
class Blanked:
    """What a purge touched: petitions' tracking numbers, and attachment files to delete."""

    tracking_numbers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def remove_files(self, uploads: UploadStore) -> None:
        for stored_name in self.files:
            uploads.remove(stored_name)


def blank_personal_data(petition: Petition, blanked: Blanked) -> None:
    """Blank ``petition`` in place (the caller commits) and note its files in ``blanked``."""
    blanked.tracking_numbers.append(petition.tracking_number or str(petition.id))
    blanked.files.extend(attachment.stored_name for attachment in petition.attachments)
    petition.attachments.clear()  # delete-orphan: the rows go with the flush
    petition.subject = REMOVED
    petition.description = REMOVED
    petition.details = "{}"
    petition.citizen_id = None
    petition.contact_email = None
    petition.contact_name = None
    petition.contact_phone = None
    petition.postal_address = None
    petition.national_id = None
    petition.reporter_identity = None
    petition.rating_comment = None
    for entry in petition.timeline:
        if entry.kind in CITIZEN_TEXT_KINDS and entry.text:
            entry.text = REMOVED


def expiry_cutoff(now: datetime, years: int) -> datetime:
    """``now`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


class RetentionService:
    """Finds closed petitions older than the retention period and blanks them (their workflow
    history too), audited."""

    def __init__(self, session: Session, petitions: PetitionService, years: int) -> None:
        self.session = session
        self.petitions = petitions
        self.years = years

    def due(self, now: datetime | None = None) -> list[Petition]:
        """Petitions closed before the cutoff whose personal data is still there."""
        cutoff = expiry_cutoff(now or utcnow(), self.years)
        query = (
            select(Petition)
            .where(
                Petition.status.in_(FINAL_STATUSES),
                Petition.closed_at.is_not(None),
                Petition.closed_at < cutoff,
                Petition.subject != REMOVED,
            )
            .order_by(Petition.id)
        )
        return list(self.session.scalars(query))

    def purge(self, now: datetime | None = None, *, dry_run: bool = False) -> list[str]:
        """Blank every due petition, one audit event each, and commit; return their numbers.

        Idempotent: a blanked petition is no longer due. ``dry_run`` only lists them.
        """
        due = self.due(now)
        if dry_run:
            return [p.tracking_number or str(p.id) for p in due]
        blanked = Blanked()
        log = AuditLog(self.session)
        for petition in due:
            self.petitions.forget(petition, blanked, actor="retention")
            log.record(
                Action.PERSONAL_DATA_PURGED, target=f"petition:{petition.tracking_number}",
                details={"reason": "retention", "years": self.years}, actor="retention",
            )
        self.session.commit()
        blanked.remove_files(self.petitions.uploads)
        return blanked.tracking_numbers
