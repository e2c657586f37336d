"""Administrators merge a citizen's duplicate account into the one they keep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.auth.models import OidcLink, User
from app.petitions.models import Petition, TimelineEntry
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.petitions.conftest import person, submit  # noqa: F401  (fixtures)


def test_admin_merges_a_duplicate_after_confirming(session: Session, person: Any, login_as: Any, client: Any) -> None:
    keep, keep_client = person("citizen", email="amira@example.org", phone=None)
    drop, drop_client = person("citizen", email="amira.b@example.org", phone="+216 20 000 009", national_id="01234567")
    number = submit(drop_client)
    session.add(OidcLink(user_id=drop.id, issuer="https://id.example.tn", subject="tn-1"))
    session.commit()
    admin = login_as("admin")

    summary = client.post("/admin/users/merge", data={"keep": "amira@example.org", "drop": "Amira.B@example.org"})
    page = summary.get_data(as_text=True)
    assert summary.status_code == 200 and 'name="confirm" value="yes"' in page
    session.expire_all()
    assert session.scalar(select(Petition.citizen_id)) == drop.id  # nothing moved before confirming

    done = client.post("/admin/users/merge", data={"keep": keep.email, "drop": drop.email, "confirm": "yes"})
    assert done.status_code == 302
    session.expire_all()
    petition = session.scalars(select(Petition)).one()
    assert petition.citizen_id == keep.id
    assert session.scalar(select(TimelineEntry.actor_id).where(TimelineEntry.kind == "received")) == keep.id
    assert session.scalars(select(OidcLink.user_id)).one() == keep.id
    merged, kept = session.get(User, drop.id), session.get(User, keep.id)
    assert not merged.is_active and merged.email == f"merged-{drop.id}@invalid" and merged.national_id is None
    assert (kept.phone, kept.national_id) == ("+216 20 000 009", "01234567")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.ACCOUNTS_MERGED)).one()
    assert (event.actor_id, event.target) == (admin.id, f"user:{keep.id}")
    assert json.loads(event.details) == {"merged_user": drop.id, "petitions": 1, "oidc_links": 1}

    assert number in keep_client.get("/petitions/mine").get_data(as_text=True)
    assert drop_client.get("/petitions/mine").status_code == 302  # the closed account's session ended
    relogin = drop_client.post("/login", data={"email": "amira.b@example.org", "password": DEFAULT_PASSWORD})
    assert relogin.status_code == 200


@pytest.mark.parametrize("case", ["same", "staff", "unknown", "closed"])
def test_merge_is_refused_for_staff_the_same_or_missing_accounts(
    session: Session, person: Any, login_as: Any, client: Any, case: str
) -> None:
    citizen, _ = person("citizen", email="leila@example.org")
    if case == "same":
        other = citizen.email
    elif case == "staff":
        other = person("relations_agent", "bcrc")[0].email
    elif case == "closed":
        other = make_user(session, is_active=False).email
    else:
        other = "nobody@example.org"
    login_as("admin")
    for data in ({"keep": citizen.email, "drop": other}, {"keep": other, "drop": citizen.email, "confirm": "yes"}):
        response = client.post("/admin/users/merge", data=data)
        assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, citizen.id).is_active
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == Action.ACCOUNTS_MERGED)).all() == []
