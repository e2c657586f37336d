"""Every package's models, imported once: Alembic and ``create_all`` see one complete metadata."""

from app.api import models as api_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.calendar import models as calendar_models
from app.db import Base
from app.engine import models as engine_models
from app.notifications import models as notifications_models
from app.org import models as org_models
from app.petitions import models as petitions_models
from app.routing import models as routing_models
from app.stats import models as stats_models

__all__ = ["Base", "api_models", "audit_models", "auth_models", "calendar_models", "engine_models", "notifications_models", "org_models", "petitions_models", "routing_models", "stats_models"]
