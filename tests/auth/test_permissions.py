"""role_required and safe_next, tested on their own."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.auth.permissions import role_required, safe_next


@pytest.mark.parametrize(
    "target",
    ["/", "/petitions/42", "/tasks?filter=mine&page=2", "/admin/bodies#list"],
)
def test_safe_next_keeps_a_path_on_this_site(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "petitions/42",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\tevil",
        "/\r\nSet-Cookie: x=1",
    ],
)
def test_safe_next_refuses_anything_that_could_leave_the_site(target: str | None) -> None:
    assert safe_next(target) is None


def test_role_required_refuses_an_unknown_role_when_the_view_is_declared() -> None:
    with pytest.raises(ValueError):
        role_required("superuser")


def test_role_required_needs_at_least_one_role() -> None:
    with pytest.raises(ValueError):
        role_required()


def test_staff_roles_are_every_role_but_citizen() -> None:
    assert [role for role in Role if not role.is_staff] == [Role.CITIZEN]
