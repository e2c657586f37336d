"""BodyService: creating, editing, deactivating and seeding public bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.org.models import Body, BodyKind
from app.org.services import (
    BodyData,
    BodyNotFound,
    BodyService,
    DuplicateBodyCode,
    InvalidBody,
)
from tests.factories import make_body

DEMO_BODIES = Path(__file__).resolve().parents[2] / "config" / "demo" / "bodies.json"


def health(**overrides: str) -> BodyData:
    fields = {
        "code": "min-health",
        "kind": "ministry",
        "name_en": "Ministry of Health",
        "name_fr": "Ministère de la Santé",
        "name_ar": "وزارة الصحة",
    }
    fields.update(overrides)
    return BodyData(**fields)


@pytest.fixture
def service(session: Session) -> BodyService:
    return BodyService(session)


class TestCreateAndUpdate:
    def test_create_stores_the_three_names_and_a_lower_case_code(
        self, service: BodyService, session: Session
    ) -> None:
        body = service.create(health(code="  Min-Health "))

        session.expire_all()
        stored = service.get_by_code("min-health")
        assert stored.id == body.id
        assert (stored.kind, stored.is_active) == (BodyKind.MINISTRY, True)
        assert stored.display_name("ar") == "وزارة الصحة"
        assert stored.display_name("fr_TN") == "Ministère de la Santé"
        assert stored.display_name("en") == "Ministry of Health"

    def test_display_name_falls_back_to_english_for_other_languages(self, session: Session) -> None:
        assert make_body(session, name_en="Ministry 1").display_name("de") == "Ministry 1"

    def test_create_refuses_a_code_already_used(self, service: BodyService) -> None:
        service.create(health())

        with pytest.raises(DuplicateBodyCode):
            service.create(health(name_en="Another"))

    @pytest.mark.parametrize(
        "code", ["Min Health", "min--health", "-health", "santé", "x" * 65, ""]
    )
    def test_create_refuses_a_code_that_is_not_a_slug(
        self, service: BodyService, code: str
    ) -> None:
        with pytest.raises(InvalidBody):
            service.create(health(code=code))

    @pytest.mark.parametrize("field", ["name_en", "name_fr", "name_ar"])
    def test_create_refuses_an_empty_name_in_any_language(
        self, service: BodyService, field: str
    ) -> None:
        with pytest.raises(InvalidBody):
            service.create(health(**{field: "   "}))

    def test_create_refuses_an_unknown_kind(self, service: BodyService) -> None:
        with pytest.raises(InvalidBody):
            service.create(health(kind="parliament"))

    def test_create_links_a_unit_to_its_parent(self, service: BodyService) -> None:
        ministry = service.create(health())

        unit = service.create(
            health(code="min-health-hospitals", kind="agency", parent_code="min-health")
        )

        assert unit.parent is ministry
        assert ministry.children == [unit]

    def test_update_refuses_to_make_a_body_its_own_ancestor(self, service: BodyService) -> None:
        ministry = service.create(health())
        service.create(health(code="unit", kind="agency", parent_code="min-health"))

        with pytest.raises(InvalidBody):
            service.update(ministry, health(parent_code="unit"))

    def test_refused_update_leaves_the_body_unchanged(
        self, service: BodyService, session: Session
    ) -> None:
        body = service.create(health())

        with pytest.raises(InvalidBody):
            service.update(body, health(name_en="Renamed", name_ar=""))

        session.expire_all()
        assert service.get_by_code("min-health").name_en == "Ministry of Health"

    def test_update_may_rename_the_code_but_not_onto_another_body(
        self, service: BodyService
    ) -> None:
        body = service.create(health())
        service.create(health(code="min-education", name_en="Ministry of Education"))

        with pytest.raises(DuplicateBodyCode):
            service.update(body, health(code="min-education"))
        service.update(body, health(code="min-sante"))

        assert service.get_by_code("min-sante").id == body.id

    def test_get_by_code_raises_when_unknown(self, service: BodyService) -> None:
        with pytest.raises(BodyNotFound):
            service.get_by_code("nowhere")


class TestList:
    def test_list_puts_the_central_office_first_then_kinds_in_order(
        self, service: BodyService, session: Session
    ) -> None:
        make_body(session, code="mun-a", kind=BodyKind.MUNICIPALITY)
        make_body(session, code="agency-a", kind=BodyKind.AGENCY)
        make_body(session, code="min-b")
        make_body(session, code="min-a")
        make_body(session, code="bcrc", kind=BodyKind.CENTRAL_OFFICE)

        codes = [body.code for body in service.list()]

        assert codes == ["bcrc", "min-a", "min-b", "mun-a", "agency-a"]


class TestDeactivate:
    def test_deactivated_body_leaves_the_default_list_but_stays_in_the_admin_list(
        self, service: BodyService, session: Session
    ) -> None:
        kept, gone = make_body(session, code="kept"), make_body(session, code="gone")

        service.deactivate(gone)

        assert [body.code for body in service.list()] == [kept.code]
        assert {body.code for body in service.list(include_inactive=True)} == {"kept", "gone"}
        assert service.get_by_code("gone").is_active is False


class TestSeed:
    def test_seed_is_idempotent(self, service: BodyService, session: Session) -> None:
        created = service.seed(DEMO_BODIES)
        again = service.seed(DEMO_BODIES)

        assert created >= 8
        assert again == 0
        assert session.scalar(select(func.count()).select_from(Body)) == created

    def test_seed_keeps_an_administrators_rename(self, service: BodyService) -> None:
        service.seed(DEMO_BODIES)
        body = service.get_by_code("min-health")
        service.update(body, health(name_en="Ministry of Public Health"))

        service.seed(DEMO_BODIES)

        assert service.get_by_code("min-health").name_en == "Ministry of Public Health"

    def test_seed_has_the_bodies_the_demo_needs_with_names_in_3_languages(
        self, service: BodyService
    ) -> None:
        service.seed(DEMO_BODIES)
        bodies = service.list()
        kinds = [body.kind for body in bodies]

        assert service.central_office().code == "bcrc"
        assert kinds.count(BodyKind.MINISTRY) >= 3
        assert kinds.count(BodyKind.GOVERNORATE) >= 2
        assert kinds.count(BodyKind.MUNICIPALITY) >= 1
        assert service.get_by_code("anti-corruption-unit").parent == service.central_office()
        for body in bodies:
            assert body.name_en and body.name_fr and body.name_ar
            assert any("\u0600" <= char <= "\u06ff" for char in body.name_ar), body.code
            assert body.name_fr != body.name_en, body.code
        assert service.get_by_code("min-education").name_fr == "Ministère de l'Éducation"
        assert service.get_by_code("gov-sfax").name_ar == "ولاية صفاقس"
