from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.petitions.models import Petition, Status
from app.routing.model import ClassifierKind, RoutingModel
from app.routing.models import RoutingModelVersion
from app.routing.services import RoutingService


class TestWithoutModel:
    def test_every_suggestion_is_empty_when_no_model_was_trained(self, routing: RoutingService,
                                                                answered: list[Petition]) -> None:
        assert routing.suggest_bodies("انقطاع الماء") == []
        assert routing.similar_answers("coupure d'eau", "complaint") == []
        assert routing.duplicates(answered[0]) == []

    def test_training_stores_nothing_when_no_petition_was_answered(self, routing: RoutingService) -> None:
        assert routing.train() is None
        assert routing.versions() == []


class TestTraining:
    def test_training_stores_a_new_version_and_audits_it(self, routing: RoutingService, session: Session,
                                                        answered: list[Petition]) -> None:
        first = routing.train()
        second = routing.train(ClassifierKind.CENTROID)
        session.commit()
        assert first is not None and second is not None
        assert (first.version, second.version) == (1, 2)
        assert first.training_size == len(answered) and first.public_size == len(answered)
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("routing:model:trained") == 2

    def test_stored_blob_loads_back_into_the_same_model(self, routing: RoutingService,
                                                       answered: list[Petition]) -> None:
        row = routing.train()
        assert row is not None
        model = RoutingModel.from_bytes(row.blob)
        assert model.bodies == ["gov-sfax", "min-education", "mun-sfax"]
        assert model.body_scores("coupure d'eau")[0].key == "gov-sfax"

    def test_label_is_the_body_that_answered_after_transfers(
        self, routing: RoutingService, make_petition: Callable[..., Petition], answered: list[Petition]
    ) -> None:
        # First sent to the BCRC, transferred: competent_body is where it was finally answered.
        make_petition("Facture fiscale erronée", "Erreur sur la taxe municipale", "mun-sfax", current_office="bcrc")
        row = routing.train()
        assert row is not None
        assert "bcrc" not in RoutingModel.from_bytes(row.blob).bodies

    def test_unanswered_and_corruption_petitions_are_not_learned(
        self, routing: RoutingService, make_petition: Callable[..., Petition], answered: list[Petition]
    ) -> None:
        make_petition("Rien", "Pas encore répondu", "min-finance", answered_at=None, answer=None, status=Status.UNDER_REVIEW)
        make_petition("رشوة", "طلب مني رشوة", "anti-corruption-unit", type="corruption")
        row = routing.train()
        assert row is not None
        assert row.training_size == len(answered)


class TestSuggestions:
    def test_top_three_bodies_come_with_scores_best_first(self, routing: RoutingService, session: Session,
                                                          answered: list[Petition]) -> None:
        routing.train()
        session.commit()
        suggestions = routing.suggest_bodies("الماء مقطوع في الحي منذ يومين")
        assert [s.key for s in suggestions][0] == "gov-sfax"
        assert len(suggestions) == 3
        assert suggestions[0].score >= suggestions[1].score >= suggestions[2].score

    def test_a_newer_version_replaces_the_cached_model(self, routing: RoutingService, session: Session,
                                                       make_petition: Callable[..., Petition],
                                                       answered: list[Petition]) -> None:
        routing.train()
        session.commit()
        assert "min-finance" not in [s.key for s in routing.suggest_bodies("impôt", limit=10)]
        make_petition("Remboursement d'impôt", "Mon remboursement d'impôt sur le revenu tarde", "min-finance")
        routing.train()
        session.commit()
        assert "min-finance" in [s.key for s in routing.suggest_bodies("impôt", limit=10)]


class TestSimilarAnswers:
    def test_similar_published_answers_are_found_across_spellings(self, routing: RoutingService,
                                                                   answered: list[Petition]) -> None:
        routing.train()
        found = routing.similar_answers("انقطاع الماء الصالح للشرب في حي الزهور", "complaint")
        assert found and found[0].tracking_number == answered[0].tracking_number

    def test_answers_no_longer_public_are_never_shown_even_if_the_model_knows_them(
        self, routing: RoutingService, session: Session, answered: list[Petition]
    ) -> None:
        routing.train()
        answered[0].answer_public = False
        session.commit()
        numbers = {a.tracking_number for a in routing.similar_answers("انقطاع الماء الصالح للشرب", "complaint")}
        assert answered[0].tracking_number not in numbers

    def test_unpublished_unanswered_and_corruption_petitions_are_never_indexed(
        self, routing: RoutingService, session: Session, make_petition: Callable[..., Petition],
        answered: list[Petition],
    ) -> None:
        text = "Fuite d'eau sur le compteur de la SONEDE"
        hidden = [
            make_petition(text, text, "gov-sfax", answer_public=False),
            make_petition(text, text, "gov-sfax", status=Status.IN_PROGRESS, answer=None, answered_at=None),
            make_petition(text, text, "anti-corruption-unit", type="corruption"),
        ]
        row = routing.train()
        assert row is not None and row.public_size == len(answered)
        shown = {a.tracking_number for a in routing.similar_answers(text, "complaint")}
        shown |= {a.tracking_number for a in routing.similar_answers(text, "corruption")}
        assert not shown & {p.tracking_number for p in hidden}


class TestDuplicates:
    def test_same_subject_from_anyone_is_a_likely_duplicate(
        self, routing: RoutingService, make_petition: Callable[..., Petition], answered: list[Petition]
    ) -> None:
        routing.train()
        again = make_petition("انقطاع الماء الصالح للشرب", "الماء مقطوع في حي الزهور منذ ثلاثة أيام والصوناد لا تجيب",
                              "gov-sfax", status=Status.UNDER_REVIEW)
        found = routing.duplicates(again)
        assert found and found[0].petition.id == answered[0].id
        assert all(d.petition.id != again.id for d in found)

    def test_unrelated_petitions_are_not_duplicates(
        self, routing: RoutingService, make_petition: Callable[..., Petition], answered: list[Petition]
    ) -> None:
        routing.train()
        other = make_petition("Demande d'extrait de naissance", "Je voudrais un extrait de naissance pour mon fils",
                              "mun-sfax", status=Status.UNDER_REVIEW)
        assert routing.duplicates(other) == []


def test_versions_are_listed_newest_first(routing: RoutingService, session: Session, answered: list[Petition]) -> None:
    routing.train()
    routing.train()
    session.commit()
    assert [v.version for v in routing.versions()] == [2, 1]
    assert session.scalar(select(RoutingModelVersion.kind)) == "svm"
