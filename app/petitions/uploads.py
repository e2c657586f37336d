"""Attachment files: type checked by content, stored outside the static folder under random names.

The name a citizen gave a file is kept only as a label; on disk a file is a random token, so
nothing the user controls reaches a path, and files are served only through a view that checks
who is asking (with ``Content-Disposition: attachment``).

A file is written before the rows that point at it; ``keep_only_if_committed`` removes it again
when that transaction ends without a commit (refused data, a failed commit, a request that
raised), so the folder never fills with files nothing refers to.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

# session.info key: (store, stored name) of files written in the session's open transaction.
_UNCOMMITTED = "uncommitted_uploads"

# Magic numbers of the accepted types: (prefix, MIME type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadRejected(ValueError):
    """The file is empty, too large or of a type we do not accept."""


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str] | None:
    for prefix, content_type, extension in SIGNATURES:
        if head.startswith(prefix):
            return content_type, extension
    return None


class UploadStore:
    def __init__(self, folder: str, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def save(self, stream: IO[bytes], original_name: str) -> StoredFile:
        """Check and store one file; raise ``UploadRejected`` with a message for the user."""
        data = stream.read(self.max_bytes + 1)
        if not data:
            raise UploadRejected(gettext("The file is empty."))
        if len(data) > self.max_bytes:
            limit = self.max_bytes / (1024 * 1024)
            raise UploadRejected(gettext("The file is larger than %(size)s MB.", size=f"{limit:g}"))
        kind = sniff(data[:16])
        if kind is None:
            raise UploadRejected(gettext("Only PDF, JPEG and PNG files are accepted."))
        content_type, extension = kind
        os.makedirs(self.folder, exist_ok=True)
        stored_name = f"{secrets.token_hex(16)}.{extension}"
        with open(self.path(stored_name), "xb") as handle:
            handle.write(data)
        label = os.path.basename(original_name.replace("\\", "/"))[:200] or f"attachment.{extension}"
        return StoredFile(label, stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())

    def path(self, stored_name: str) -> str:
        if os.path.basename(stored_name) != stored_name or stored_name.startswith("."):
            raise UploadRejected("invalid stored name")
        return os.path.join(self.folder, stored_name)

    def remove(self, stored_name: str) -> None:
        try:
            os.remove(self.path(stored_name))
        except FileNotFoundError:
            pass


def keep_only_if_committed(session: Session, store: UploadStore, stored_names: list[str]) -> None:
    """Remove these files when ``session``'s current transaction ends without committing."""
    session.info.setdefault(_UNCOMMITTED, []).extend((store, name) for name in stored_names)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # savepoints end inside the transaction that counts
        for store, name in session.info.pop(_UNCOMMITTED, []):
            store.remove(name)
