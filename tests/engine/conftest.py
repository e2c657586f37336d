"""Engine fixtures: a Runtime over the tiny diagrams and forms in tests/engine/data."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from app.engine.forms import FormRegistry
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.types import VersionInfo

from tests.engine.diagrams import DATA, read_diagram


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    return Runtime(FormRegistry(os.path.join(DATA, "forms")), max_steps=10_000, time_limit=1.0)


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
