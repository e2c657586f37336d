"""Public bodies (ministries, governorates, municipalities, agencies) and their admin pages.

A body is also its own relations office: see ``app.org.models``. ``bp`` serves
``/admin/bodies`` and is registered by ``create_app``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/admin/bodies", template_folder="templates")

# Imported last: the views need ``bp``.
from app.org import views  # noqa: E402,F401
