"""Attachments are checked by content and stored under random names."""

import io
import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.petitions.uploads import UploadRejected, UploadStore, keep_only_if_committed

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_pdf_is_stored_under_a_random_name_with_its_label(tmp_path):
    store = UploadStore(str(tmp_path), 1024)
    stored = store.save(io.BytesIO(PDF), "../../etc/رسالة.pdf")
    assert stored.original_name == "رسالة.pdf"
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert stored.stored_name.endswith(".pdf") and len(stored.stored_name) == 36
    with open(os.path.join(tmp_path, stored.stored_name), "rb") as handle:
        assert handle.read() == PDF


def test_type_comes_from_content_not_from_the_name(tmp_path):
    store = UploadStore(str(tmp_path), 1024)
    assert store.save(io.BytesIO(PNG), "scan.pdf").content_type == "image/png"
    with pytest.raises(UploadRejected, match="Only PDF"):
        store.save(io.BytesIO(b"<script>alert(1)</script>"), "letter.pdf")


def test_empty_and_oversized_files_are_refused(tmp_path):
    store = UploadStore(str(tmp_path), 64)
    with pytest.raises(UploadRejected, match="empty"):
        store.save(io.BytesIO(b""), "a.pdf")
    with pytest.raises(UploadRejected, match="larger"):
        store.save(io.BytesIO(PDF + b"x" * 100), "a.pdf")
    assert os.listdir(tmp_path) == []


def test_stored_names_cannot_escape_the_folder(tmp_path):
    with pytest.raises(UploadRejected):
        UploadStore(str(tmp_path), 64).path("../secret")


@pytest.fixture
def store_in_session(tmp_path, app):
    """Store one PDF in a fresh session's transaction; returns (session, store, file path)."""
    db = app.extensions["db"]
    sessions = []

    def store():
        session = db.sessionmaker()
        sessions.append(session)
        session.execute(text("SELECT 1"))  # the transaction the file belongs to
        uploads = UploadStore(str(tmp_path), 1024)
        stored = uploads.save(io.BytesIO(PDF), "a.pdf")
        keep_only_if_committed(session, uploads, [stored.stored_name])
        return session, uploads.path(stored.stored_name)

    yield store
    for session in sessions:
        session.close()


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_file_whose_transaction_does_not_commit_is_removed(store_in_session, ending):
    session, path = store_in_session()
    assert os.path.exists(path)
    getattr(session, ending)()
    assert not os.path.exists(path)


def test_a_failed_commit_removes_the_file(store_in_session):
    session, path = store_in_session()
    session.add(User(email="x@example.org", full_name=None))  # NOT NULL: the commit fails
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert not os.path.exists(path)


def test_a_committed_file_stays_through_later_rollbacks(store_in_session):
    session, path = store_in_session()
    session.commit()
    session.execute(text("SELECT 1"))
    session.rollback()
    assert os.path.exists(path)
