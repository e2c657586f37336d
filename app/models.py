"""Every package's models, imported once: Alembic and ``create_all`` see one complete metadata."""

from app.audit import models as audit_models
from app.auth import models as auth_models
from app.calendar import models as calendar_models
from app.db import Base
from app.engine import models as engine_models
from app.org import models as org_models
from app.petitions import models as petitions_models

__all__ = ["Base", "audit_models", "auth_models", "calendar_models", "engine_models", "org_models", "petitions_models"]
