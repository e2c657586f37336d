"""The administrators' home page, ``/admin/``: links to each admin area and a few live counts.

Only a landing page: bodies, accounts, holidays and diagrams keep their pages in their own
packages. ``bp`` is registered by ``create_app``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_home", __name__, url_prefix="/admin", template_folder="templates")

# Imported last: the views need ``bp``.
from app.adminhome import views  # noqa: E402,F401
