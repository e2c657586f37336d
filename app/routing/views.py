"""Public side of the routing assistant: similar answered petitions while a citizen types, and
the pages of published answers they link to. Neither ever shows who wrote a petition."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response

from app.db import get_session
from app.i18n import current_language
from app.org.services import BodyService
from app.petitions.models import PetitionType
from app.routing import bp, routing_service
from app.security import rate_limited

MAX_QUERY_CHARS = 2000


@bp.route("/petitions/similar")
@rate_limited("SIMILAR_RATE_LIMIT", methods=("GET",))
def similar() -> Response:
    """JSON for the start form's script: ``{"results": [{"subject", "url", "score"}]}``."""
    text = request.args.get("q", "")[:MAX_QUERY_CHARS]
    petition_type = request.args.get("type", "")
    if petition_type not in PetitionType.__members__.values() or petition_type == PetitionType.CORRUPTION:
        return jsonify(results=[])
    answers = routing_service().similar_answers(text, petition_type)
    return jsonify(results=[
        {"subject": a.subject, "score": a.score,
         "url": url_for("routing.answer", tracking_number=a.tracking_number)}
        for a in answers
    ])


@bp.route("/answers/<tracking_number>")
def answer(tracking_number: str) -> str:
    petition = routing_service().public_answer(tracking_number)
    if petition is None:
        abort(404)
    body = BodyService(get_session()).find_by_code(petition.competent_body or petition.current_office)
    body_name = body.display_name(current_language()) if body else petition.current_office
    return render_template("routing/answer.html", petition=petition, body_name=body_name)
