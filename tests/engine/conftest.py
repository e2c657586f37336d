"""Engine fixtures: an EngineService and a deploy helper over the tiny diagrams in tests/engine/data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.types import VersionInfo

from tests.engine.diagrams import read_diagram


@pytest.fixture
def engine(session: Session, runtime: Runtime) -> EngineService:
    return EngineService(session, runtime)


@pytest.fixture
def deploy(engine: EngineService, session: Session) -> Callable[[str], VersionInfo]:
    def deploy_file(name: str) -> VersionInfo:
        info = engine.deploy(read_diagram(name), name, "tester")
        session.commit()
        return info

    return deploy_file
