"""Attachments are checked by content and stored under random names."""

import io
import os

import pytest

from app.petitions.uploads import UploadRejected, UploadStore

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
