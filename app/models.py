"""Every package's models, imported once: Alembic and ``create_all`` see one complete metadata."""

from app.db import Base
from app.engine import models as engine_models

__all__ = ["Base", "engine_models"]
