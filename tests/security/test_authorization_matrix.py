"""Every route of the app × every kind of person, with real objects in the URLs.

``RULES`` has one line per endpoint; a route added without a line fails
``test_every_route_has_a_rule``. Outcomes: ``ok`` (GET: 200; POST: anything but a refusal or a
server error), ``login`` (302 to the login page), ``redirect`` (302 elsewhere), or a status.
Refusals are 403 for a wrong role and 404 for somebody else's object (no IDOR: existence is
not revealed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.security.conftest import BODY_X, PEOPLE, World

ROLES = list(PEOPLE)
CITIZENS = {"citizen_a", "citizen_b"}
STAFF = set(ROLES) - CITIZENS - {"anonymous"}


def rule(default: Any, **by_role: Any) -> dict[str, Any]:
    return {role: by_role.get(role, default) for role in ROLES}


PUBLIC = rule("ok")
ADMIN = rule(403, anonymous="login", admin="ok")
STAFF_ONLY = rule("ok", anonymous="login", citizen_a=403, citizen_b=403)
# The open task is the qualification at body X's relations office.
TASK = rule(404, anonymous="login", citizen_a=403, citizen_b=403, relations_x="ok", admin="ok")
OWNER = rule(404, anonymous="login", citizen_a="ok")
SIGNED_IN = rule("ok", anonymous="login")
ANONYMOUS_ONLY = rule("redirect", anonymous="ok")
CITIZEN_ONLY = rule(403, anonymous="login", citizen_a="ok", citizen_b="ok")
# Staff of a body the petition is routed to (current office: body X) and administrators.
ATTACHMENT = rule("ok", anonymous=404, citizen_b=404, relations_y=404)

Values = Callable[[World], dict[str, Any]]
NONE: Values = lambda w: {}  # noqa: E731
PETITION: Values = lambda w: {"tracking_number": w.petition.tracking_number}  # noqa: E731
TASK_ID: Values = lambda w: {"task_id": w.task_id}  # noqa: E731
PROCESS: Values = lambda w: {"process_id": "petition"}  # noqa: E731
VERSION: Values = lambda w: {"process_id": "petition", "version": 1}  # noqa: E731
INSTANCE: Values = lambda w: {"instance_id": w.petition.instance_id}  # noqa: E731
BODY: Values = lambda w: {"code": BODY_X}  # noqa: E731
DAY: Values = lambda w: {"day": w.holiday}  # noqa: E731
FMT: Values = lambda w: {"fmt": "json"}  # noqa: E731

# endpoint: (URL values, expected outcome per role) — one line each, the rule in the name.
RULES: dict[str, tuple[Values, dict[str, Any]]] = {
    "static": (lambda w: {"filename": "css/app.css"}, PUBLIC),
    # citizen portal
    "petitions.home": (NONE, PUBLIC),
    "petitions.submit": (NONE, PUBLIC),
    "petitions.submit_form": (lambda w: {"petition_type": "complaint"}, CITIZEN_ONLY),
    "petitions.mine": (NONE, SIGNED_IN),
    "petitions.claim": (NONE, CITIZEN_ONLY),
    "petitions.detail": (PETITION, OWNER),
    "petitions.reply": (PETITION, rule(404, citizen_a="ok")),  # anonymous: only with a receipt in session
    "petitions.rate": (PETITION, OWNER),
    "petitions.attachment": (lambda w: {**PETITION(w), "attachment_id": w.attachment_id}, ATTACHMENT),
    "petitions.track": (NONE, PUBLIC),
    "petitions.receipt_status": (NONE, PUBLIC),
    # assisted intake: relations offices register for citizens; the receipt stays with the
    # office that registered it (body X)
    "petitions.intake": (NONE, rule(403, anonymous="login", relations_x="ok", relations_y="ok")),
    "petitions.intake_form": (
        lambda w: {"petition_type": "complaint"}, rule(403, anonymous="login", relations_x="ok", relations_y="ok"),
    ),
    "petitions.intake_receipt": (
        lambda w: {"tracking_number": w.extra["intake_number"]},
        rule(404, anonymous="login", citizen_a=403, citizen_b=403, admin=403, relations_x="ok", agent_x="ok",
             coordinator_x="ok"),
    ),
    # routing assistant: the world's petition is not answered, so its answer page is nobody's
    "routing.similar": (NONE, PUBLIC),
    "routing.answer": (PETITION, rule(404)),
    # accounts
    "auth.register": (NONE, ANONYMOUS_ONLY),
    "auth.login": (NONE, ANONYMOUS_ONLY),
    "auth.logout": (NONE, rule("redirect")),
    # e-ID sign-in is off unless OIDC_ISSUER is set (tests/auth/test_oidc.py switches it on)
    "auth.oidc_start": (NONE, rule(404)),
    "auth.oidc_callback": (NONE, rule(404)),
    "auth.forgot_password": (NONE, PUBLIC),
    "auth.reset_password": (lambda w: {"token": "forged.token"}, rule(400)),
    "auth.my_data": (NONE, SIGNED_IN),
    "auth.my_data_json": (NONE, SIGNED_IN),
    "auth.close_account": (NONE, CITIZEN_ONLY),  # staff accounts are closed by an administrator
    "auth.list_staff": (NONE, ADMIN),
    "auth.create_staff": (NONE, ADMIN),
    "auth.merge_accounts": (NONE, ADMIN),
    # staff tasklist
    "tasks.index": (NONE, STAFF_ONLY),
    "tasks.detail": (TASK_ID, TASK),
    "tasks.complete": (TASK_ID, TASK),
    "tasks.claim": (TASK_ID, TASK),
    "tasks.unclaim": (TASK_ID, {**TASK, "relations_x": 403}),  # only who claimed it (or an admin)
    "tasks.reassign": (TASK_ID, TASK),
    "tasks.comment": (TASK_ID, TASK),
    # administration
    "admin_home.index": (NONE, ADMIN),
    "org.list_bodies": (NONE, ADMIN),
    "org.create_body": (NONE, ADMIN),
    "org.edit_body": (BODY, ADMIN),
    "org.deactivate_body": (BODY, ADMIN),
    "org.activate_body": (BODY, ADMIN),
    "calendar.list_holidays": (NONE, ADMIN),
    "calendar.add_holiday": (NONE, ADMIN),
    "calendar.rename_holiday": (DAY, ADMIN),
    "calendar.remove_holiday": (DAY, ADMIN),
    "calendar.seed_holidays": (NONE, ADMIN),
    "api_admin.list_clients": (NONE, ADMIN),
    "api_admin.create_client": (NONE, ADMIN),
    "api_admin.revoke_client": (lambda w: {"client_id": w.api_client_id}, ADMIN),
    "admin.static": (lambda w: {"filename": "build/editor.css"}, PUBLIC),
    "admin.processes": (NONE, ADMIN),
    "admin.version": (VERSION, ADMIN),
    "admin.version_xml": (VERSION, ADMIN),
    "admin.draft_xml": (PROCESS, rule(403, anonymous="login", admin=404)),  # no draft saved yet
    "admin.editor": (PROCESS, ADMIN),
    "admin.blank_xml": (NONE, ADMIN),
    "admin.diff": (PROCESS, ADMIN),
    "admin.validate": (NONE, ADMIN),
    "admin.save_draft": (NONE, ADMIN),
    "admin.deploy": (NONE, ADMIN),
    "admin.import_bpmn": (NONE, ADMIN),
    "admin.migrate": (PROCESS, rule(403, anonymous="login", admin=400)),  # only one version deployed
    "admin.migrate_run": (PROCESS, ADMIN),
    "admin.retry": (INSTANCE, ADMIN),
    "admin.suspend": (INSTANCE, ADMIN),
    "admin.resume": (INSTANCE, ADMIN),
    "admin.forms": (NONE, ADMIN),
    "admin.forms_json": (NONE, ADMIN),
    "admin.form_new": (NONE, rule(403, anonymous="login", admin="redirect")),
    "admin.form_edit": (lambda w: {"name": "qualify.json"}, ADMIN),
    # statistics and open data: public, except the staff view
    "stats.index": (NONE, PUBLIC),
    "stats.staff": (NONE, STAFF_ONLY),
    "stats.data_json": (NONE, PUBLIC),
    "stats.data_csv": (NONE, PUBLIC),
    "stats.petitions": (NONE, PUBLIC),
    "stats.static": (lambda w: {"filename": "stats.css"}, PUBLIC),
    # machine API: no sessions, no roles; the same answer whoever is signed in
    "api.openapi": (NONE, PUBLIC),
    "api.petition_types": (NONE, PUBLIC),
    "api.petition_status": (PETITION, rule(400)),  # without the e-mail
    "api.services": (FMT, PUBLIC),
    "api.service_definition": (lambda w: {"service_code": "complaint", "fmt": "json"}, PUBLIC),
    "api.list_requests": (FMT, PUBLIC),
    "api.get_request": (lambda w: {"service_request_id": w.petition.tracking_number, "fmt": "json"}, PUBLIC),
    "api.create_request": (FMT, rule(403)),  # no API key
    "api.unknown_endpoint": (lambda w: {"unknown": "nothing.json"}, rule(404)),
}


def _endpoints(app: Flask) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules()}


def test_every_route_has_a_rule(app: Flask) -> None:
    """A new route without a line in RULES fails here, so nobody forgets to decide who may use it."""
    assert _endpoints(app) == set(RULES)


def _outcome(response: Any) -> Any:
    if response.status_code in (301, 302, 303):
        return "login" if "/login" in response.headers["Location"] else "redirect"
    return response.status_code


def _url(app: Flask, endpoint: str, values: dict[str, Any]) -> tuple[str, set[str]]:
    rules = [r for r in app.url_map.iter_rules(endpoint) if set(r.arguments) <= set(values)]
    chosen = max(rules, key=lambda r: len(r.arguments))
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values), set(chosen.methods or ()) - {"HEAD", "OPTIONS"}


def _check(response: Any, expected: Any, method: str, who: str, url: str) -> None:
    response.get_data()  # consume streamed bodies (CSV exports, files), then release them
    response.close()
    got = _outcome(response)
    where = f"{method} {url} as {who}: got {response.status_code} {response.headers.get('Location', '')}"
    assert response.status_code < 500, where
    if expected == "ok" and method == "GET":
        assert got == 200, where
    elif expected == "ok":
        assert got not in ("login", 403, 404), where
    else:
        assert got == expected, where


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_route_answers_each_person_as_its_rule_says(app: Flask, world: World, endpoint: str) -> None:
    values, expected = RULES[endpoint]
    url, methods = _url(app, endpoint, values(world))
    # Refusals first: a POST by an allowed person may change the objects the others try.
    order = sorted(ROLES, key=lambda who: expected[who] == "ok")
    for who in order:
        client = world.clients[who]
        if "GET" in methods:
            _check(client.get(url), expected[who], "GET", who, url)
        refused = expected[who] in ("login", 403, 404)
        if "POST" in methods and (refused or "GET" not in methods):
            _check(client.post(url, data=_form(endpoint, world, who)), expected[who], "POST", who, url)


def _form(endpoint: str, world: World, who: str) -> dict[str, Any]:
    """An empty form, except where an allowed person needs one field to get past the refusals."""
    if endpoint == "tasks.reassign" and who in world.users:
        return {"user_id": world.users["relations_x"].id}
    return {}
