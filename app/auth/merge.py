"""Merging two citizen accounts of the same person (registered twice), by an administrator.

Everything the duplicate account did moves to the account kept: its petitions, the timeline
entries and attachments it authored, and its e-ID links; a phone or national ID number the kept
account lacks is taken over. The duplicate is then closed like a closed account (anonymised,
inactive, its sessions end), and the merge is audited with both account ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit.models import Action
from app.audit.service import AuditLog
from app.auth.errors import AuthError
from app.auth.models import OidcLink, Role, User
from app.auth.passwords import Passwords
from app.auth.privacy import anonymise
from app.petitions.models import Attachment, Petition, TimelineEntry


class MergeRefused(AuthError):
    """The two accounts cannot be merged (same account, staff, unknown or closed)."""


@dataclass(frozen=True)
class MergePlan:
    keep: User
    drop: User
    petitions: int
    timeline_entries: int
    attachments: int
    oidc_links: int


# Each row that points at the duplicate account: (table's model, its column naming the user).
MOVED = (
    (Petition, Petition.citizen_id),
    (TimelineEntry, TimelineEntry.actor_id),
    (Attachment, Attachment.uploaded_by),
    (OidcLink, OidcLink.user_id),
)


class AccountMerger:
    def __init__(self, session: Session, passwords: Passwords) -> None:
        self.session = session
        self.passwords = passwords

    def plan(self, keep_email: str, drop_email: str) -> MergePlan:
        """What merging would move; ``MergeRefused`` when it is not allowed."""
        keep, drop = self._citizen(keep_email), self._citizen(drop_email)
        if keep.id == drop.id:
            raise MergeRefused(_l("Choose two different accounts."))
        counts = [
            self.session.scalar(select(func.count()).select_from(model).where(column == drop.id)) or 0
            for model, column in MOVED
        ]
        return MergePlan(keep, drop, *counts)

    def merge(self, keep_email: str, drop_email: str, admin: User) -> MergePlan:
        """Move everything of the duplicate to the kept account and close it; the caller commits."""
        plan = self.plan(keep_email, drop_email)
        keep, drop = plan.keep, plan.drop
        for model, column in MOVED:
            self.session.execute(update(model).where(column == drop.id).values({column.key: keep.id}))
        keep.phone = keep.phone or drop.phone
        keep.national_id = keep.national_id or drop.national_id
        anonymise(drop, f"merged-{drop.id}@invalid", self.passwords)
        AuditLog(self.session).record(
            Action.ACCOUNTS_MERGED, target=f"user:{keep.id}", actor_id=admin.id,
            details={"merged_user": drop.id, "petitions": plan.petitions, "oidc_links": plan.oidc_links},
        )
        return plan

    def _citizen(self, email: str) -> User:
        user = self.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise MergeRefused(_l("No active account has the address %(email)s.", email=email.strip()))
        if user.role is not Role.CITIZEN:
            raise MergeRefused(_l("Only citizen accounts can be merged; %(email)s is a staff account.", email=user.email))
        return user
