"""The /admin/holidays pages: administrators only; list by year, add, rename, remove, seed, and
the working-days preview that shows what a deadline will be."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.calendar import TUNISIA_FIXED_HOLIDAYS, Holiday, holiday_cache

LoginAs = Callable[..., User]
INDEPENDENCE_DAY = date(2026, 3, 20)  # a Friday
GET_PATHS = [
    "/admin/holidays",
    "/admin/holidays/new",
    "/admin/holidays/2026-03-20/edit",
    "/admin/holidays/2026-03-20/remove",
]
NAMES = {"name_ar": "عيد الفطر", "name_fr": "Aïd el-Fitr", "name_en": "Eid al-Fitr"}
POSTS = [
    ("/admin/holidays/new", {"day": "2026-03-21", **NAMES}),
    ("/admin/holidays/2026-03-20/edit", NAMES),
    ("/admin/holidays/2026-03-20/remove", {}),
    ("/admin/holidays/seed", {"year": "2027"}),
]
NON_ADMIN_ROLES = ["citizen", "relations_agent", "body_agent", "coordinator"]
IN_JUNE_2026 = time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc), tick=False)


def add_holiday(session: Session, day: date, name_en: str = "A holiday", **names: str) -> Holiday:
    """Inserted directly, not through the service under test (the cache fixture resets it)."""
    holiday = Holiday(
        day=day,
        name_en=name_en,
        name_fr=names.get("name_fr", "Un jour férié"),
        name_ar=names.get("name_ar", "عطلة"),
    )
    session.add(holiday)
    session.commit()
    return holiday


def holidays_in_database(session: Session) -> list[tuple[date, str, str, str]]:
    session.expire_all()
    return [
        (h.day, h.name_ar, h.name_fr, h.name_en)
        for h in session.scalars(select(Holiday).order_by(Holiday.day))
    ]


def csrf_token_of(page: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, "the page has no CSRF token"
    return found.group(1).decode()


@pytest.fixture
def independence_day(session: Session) -> Holiday:
    return add_holiday(
        session,
        INDEPENDENCE_DAY,
        "Independence Day",
        name_fr="Fête de l'indépendance",
        name_ar="عيد الاستقلال",
    )


@pytest.fixture
def admin(login_as: LoginAs) -> User:
    return login_as("admin")


@pytest.mark.usefixtures("independence_day")
class TestAccess:
    @pytest.mark.parametrize("path", GET_PATHS)
    def test_anonymous_visitor_is_sent_to_login(self, client: FlaskClient, path: str) -> None:
        response = client.get(path)

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")

    @pytest.mark.parametrize(("path", "data"), POSTS)
    def test_anonymous_post_is_sent_to_login_and_changes_nothing(
        self, client: FlaskClient, session: Session, path: str, data: dict[str, str]
    ) -> None:
        before = holidays_in_database(session)

        response = client.post(path, data=data)

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
        assert holidays_in_database(session) == before

    @pytest.mark.parametrize("role", NON_ADMIN_ROLES)
    @pytest.mark.parametrize("path", GET_PATHS)
    def test_other_roles_get_403(
        self, client: FlaskClient, login_as: LoginAs, role: str, path: str
    ) -> None:
        login_as(role)

        assert client.get(path).status_code == 403

    @pytest.mark.parametrize("role", NON_ADMIN_ROLES)
    @pytest.mark.parametrize(("path", "data"), POSTS)
    def test_other_roles_post_gets_403_and_changes_nothing(
        self,
        client: FlaskClient,
        session: Session,
        login_as: LoginAs,
        role: str,
        path: str,
        data: dict[str, str],
    ) -> None:
        login_as(role)
        before = holidays_in_database(session)

        assert client.post(path, data=data).status_code == 403
        assert holidays_in_database(session) == before

    @pytest.mark.parametrize("path", GET_PATHS)
    def test_admin_opens_every_page(self, client: FlaskClient, admin: User, path: str) -> None:
        assert client.get(path).status_code == 200

    @pytest.mark.parametrize(
        "path", ["/admin/holidays/2026-03-21/edit", "/admin/holidays/not-a-date/remove"]
    )
    def test_unknown_or_malformed_day_is_404(
        self, client: FlaskClient, admin: User, path: str
    ) -> None:
        assert client.get(path).status_code == 404
        assert client.post(path, data=NAMES).status_code == 404

    def test_seed_is_post_only(self, client: FlaskClient, admin: User) -> None:
        assert client.get("/admin/holidays/seed").status_code == 405


class TestList:
    def test_list_shows_this_year_by_default_with_names_in_three_languages(
        self, client: FlaskClient, session: Session, login_as: LoginAs, independence_day: Holiday
    ) -> None:
        add_holiday(session, date(2027, 1, 1), "New Year's Day 2027")

        with IN_JUNE_2026:  # logged in inside: a session signed "in the future" is refused
            login_as("admin")
            page = client.get("/admin/holidays").get_data(as_text=True)

        assert "Public holidays in 2026" in page
        assert 'datetime="2026-03-20"' in page
        assert all(
            name in page
            for name in ("Independence Day", "Fête de l&#39;indépendance", "عيد الاستقلال")
        )
        assert "New Year&#39;s Day 2027" not in page
        assert '<option value="2027">' in page  # the year selector offers years that have holidays

    def test_list_shows_the_year_asked_for(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        add_holiday(session, date(2027, 1, 1), "New Year's Day 2027")

        page = client.get("/admin/holidays?year=2027").get_data(as_text=True)

        assert "New Year&#39;s Day 2027" in page
        assert "Independence Day" not in page
        assert '<option value="2027" selected>' in page

    @pytest.mark.parametrize("year", ["0", "abc", "99999", "-5"])
    def test_an_implausible_year_falls_back_to_this_year(
        self, client: FlaskClient, login_as: LoginAs, year: str
    ) -> None:
        with IN_JUNE_2026:
            login_as("admin")
            response = client.get(f"/admin/holidays?year={year}")

        assert response.status_code == 200
        assert "Public holidays in 2026" in response.get_data(as_text=True)

    def test_a_holiday_on_a_weekend_is_marked_as_changing_no_deadline(
        self, client: FlaskClient, session: Session, admin: User
    ) -> None:
        add_holiday(session, date(2026, 7, 25), "Republic Day")  # a Saturday

        page = client.get("/admin/holidays?year=2026").get_data(as_text=True)

        assert "Weekend: changes no deadline" in page


class TestAdd:
    def test_admin_adds_a_holiday_and_returns_to_its_year(
        self, client: FlaskClient, session: Session, admin: User
    ) -> None:
        response = client.post("/admin/holidays/new", data={"day": "2027-03-20", **NAMES})

        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/holidays?year=2027"
        assert holidays_in_database(session) == [
            (date(2027, 3, 20), "عيد الفطر", "Aïd el-Fitr", "Eid al-Fitr")
        ]
        assert "was added as a holiday" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )

    def test_add_form_links_each_error_to_its_field(
        self, client: FlaskClient, session: Session, admin: User
    ) -> None:
        response = client.post("/admin/holidays/new", data={"day": "2026-02-30", **NAMES})
        page = response.get_data(as_text=True)

        assert response.status_code == 200
        assert "Not a valid date value." in page
        assert 'id="day-error"' in page
        assert re.search(
            r'<input[^>]*aria-describedby="day-hint day-error"[^>]*aria-invalid="true"[^>]*id="day"',
            page,
        )
        assert '<label for="day">' in page
        assert holidays_in_database(session) == []

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"day": "", **NAMES}, "day", "This field is required."),
            ({"day": "1850-01-01", **NAMES}, "day", "Give a date between 1900 and 2200."),
            ({"day": "2026-09-01", **NAMES, "name_ar": ""}, "name_ar", "This field is required."),
            (
                {"day": "2026-09-01", **NAMES, "name_fr": "   "},
                "name_fr",
                "This field is required.",
            ),
            (
                {"day": "2026-09-01", **NAMES, "name_en": "x" * 201},
                "name_en",
                "longer than 200 characters",
            ),
        ],
    )
    def test_invalid_input_is_shown_on_its_field_and_nothing_is_saved(
        self,
        client: FlaskClient,
        session: Session,
        admin: User,
        data: dict[str, str],
        field: str,
        message: str,
    ) -> None:
        response = client.post("/admin/holidays/new", data=data)
        page = response.get_data(as_text=True)

        assert response.status_code == 200
        error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.DOTALL)
        assert error is not None and message in error.group(1)
        assert re.search(
            rf'<input[^>]*aria-describedby="[^"]*{field}-error"[^>]*id="{field}"', page
        )
        assert holidays_in_database(session) == []

    def test_a_duplicate_date_is_refused_with_a_clear_message(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        before = holidays_in_database(session)

        response = client.post("/admin/holidays/new", data={"day": "2026-03-20", **NAMES})
        page = response.get_data(as_text=True)

        assert response.status_code == 200
        assert "March 20, 2026 is already a holiday (Independence Day): rename it instead." in page
        assert 'aria-describedby="day-hint day-error"' in page
        assert holidays_in_database(session) == before


class TestRename:
    def test_admin_renames_a_holiday_and_its_date_stays(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        form = client.get("/admin/holidays/2026-03-20/edit").get_data(as_text=True)
        assert 'value="Independence Day"' in form

        response = client.post("/admin/holidays/2026-03-20/edit", data=NAMES)

        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/holidays?year=2026"
        assert holidays_in_database(session) == [
            (INDEPENDENCE_DAY, "عيد الفطر", "Aïd el-Fitr", "Eid al-Fitr")
        ]

    def test_an_empty_name_is_refused_and_the_names_stay(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        before = holidays_in_database(session)

        response = client.post("/admin/holidays/2026-03-20/edit", data={**NAMES, "name_en": ""})

        assert response.status_code == 200
        assert 'id="name_en-error"' in response.get_data(as_text=True)
        assert holidays_in_database(session) == before


class TestRemove:
    def test_get_asks_for_confirmation_and_removes_nothing(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        page = client.get("/admin/holidays/2026-03-20/remove").get_data(as_text=True)

        assert "Independence Day" in page
        assert re.search(r'<form method="post" action="/admin/holidays/2026-03-20/remove">', page)
        assert "Remove the holiday" in page
        assert len(holidays_in_database(session)) == 1

    def test_admin_removes_a_holiday(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        response = client.post("/admin/holidays/2026-03-20/remove")

        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/holidays?year=2026"
        assert holidays_in_database(session) == []

    def test_remove_needs_the_csrf_token_of_the_confirmation_page(
        self,
        app: Flask,
        client: FlaskClient,
        session: Session,
        admin: User,
        independence_day: Holiday,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

        refused = client.post("/admin/holidays/2026-03-20/remove")
        assert refused.status_code == 400
        assert len(holidays_in_database(session)) == 1

        token = csrf_token_of(client.get("/admin/holidays/2026-03-20/remove").get_data())
        accepted = client.post("/admin/holidays/2026-03-20/remove", data={"csrf_token": token})
        assert accepted.status_code == 302
        assert holidays_in_database(session) == []


class TestSeed:
    def test_admin_adds_tunisias_fixed_holidays_for_a_year(
        self, client: FlaskClient, session: Session, admin: User
    ) -> None:
        response = client.post("/admin/holidays/seed", data={"year": "2027"})

        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/holidays?year=2027"
        assert [row[0] for row in holidays_in_database(session)] == [
            date(2027, month, day) for month, day, *_ in TUNISIA_FIXED_HOLIDAYS
        ]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "8 fixed holidays were added for 2027." in page

    def test_seeding_again_keeps_existing_holidays_and_says_so(
        self, client: FlaskClient, session: Session, admin: User, independence_day: Holiday
    ) -> None:
        client.post("/admin/holidays/seed", data={"year": "2026"})
        assert "7 fixed holidays were added for 2026." in client.get(
            "/admin/holidays?year=2026"
        ).get_data(as_text=True)

        client.post("/admin/holidays/seed", data={"year": "2026"})

        page = client.get("/admin/holidays?year=2026").get_data(as_text=True)
        assert "All of Tunisia&#39;s fixed holidays for 2026 were already there." in page
        rows = holidays_in_database(session)
        assert len(rows) == 8
        assert (
            INDEPENDENCE_DAY,
            "عيد الاستقلال",
            "Fête de l'indépendance",
            "Independence Day",
        ) in rows

    def test_list_offers_the_seed_button_for_the_year_shown(
        self, client: FlaskClient, admin: User
    ) -> None:
        page = client.get("/admin/holidays?year=2031").get_data(as_text=True)

        assert re.search(
            r'<form method="post" class="seed-form" action="/admin/holidays/seed">', page
        )
        assert '<input id="year" name="year" type="hidden" value="2031">' in page
        assert "Add Tunisia's fixed holidays for 2031" in page

    @pytest.mark.parametrize("data", [{"year": "1800"}, {"year": "next"}, {}])
    def test_an_implausible_year_adds_nothing(
        self, client: FlaskClient, session: Session, admin: User, data: dict[str, str]
    ) -> None:
        response = client.post("/admin/holidays/seed", data=data, follow_redirects=True)

        assert "Choose a year between 1900 and 2200." in response.get_data(as_text=True)
        assert holidays_in_database(session) == []


def preview(client: FlaskClient, days: str, start: str) -> str:
    return client.get(f"/admin/holidays?year=2026&days={days}&start={start}").get_data(as_text=True)


def result_of(page: str) -> str | None:
    found = re.search(
        r'<p role="status" class="working-days-result">.*?<time datetime="([\d-]+)">',
        page,
        re.DOTALL,
    )
    return found.group(1) if found else None


class TestWorkingDaysPreview:
    def test_preview_skips_weekends_and_holidays(
        self, client: FlaskClient, admin: User, independence_day: Holiday
    ) -> None:
        # Thursday 19 March + 1: Friday 20 is Independence Day, then the weekend.
        page = preview(client, "1", "2026-03-19")

        assert result_of(page) == "2026-03-23"
        assert "1 working day after Thursday, March 19, 2026:" in page
        assert "Monday, March 23, 2026" in page

    def test_no_preview_until_asked(self, client: FlaskClient, admin: User) -> None:
        page = client.get("/admin/holidays").get_data(as_text=True)

        assert result_of(page) is None
        assert '<label for="days">' in page and '<label for="start">' in page

    @pytest.mark.parametrize(
        ("days", "start", "field"),
        [
            ("-1", "2026-03-19", "days"),
            ("lots", "2026-03-19", "days"),
            ("99999", "2026-03-19", "days"),
            ("5", "2026-13-01", "start"),
            ("5", "", "start"),
        ],
    )
    def test_invalid_input_shows_an_error_and_no_result(
        self, client: FlaskClient, admin: User, days: str, start: str, field: str
    ) -> None:
        page = preview(client, days, start)

        assert result_of(page) is None
        assert f'id="{field}-error"' in page
        assert re.search(rf'<input[^>]*aria-describedby="{field}-error"[^>]*id="{field}"', page)

    def test_holiday_changes_apply_to_deadlines_computed_afterwards(
        self, app: Flask, client: FlaskClient, admin: User
    ) -> None:
        """The preview reads the app's holiday cache, as deadlines in workflow steps do: adding
        or removing a holiday must not wait for the cache to expire."""
        assert result_of(preview(client, "1", "2026-03-19")) == "2026-03-20"
        with app.app_context():
            assert INDEPENDENCE_DAY not in holiday_cache().get().days  # loaded, so cached

        client.post("/admin/holidays/new", data={"day": "2026-03-20", **NAMES})

        assert result_of(preview(client, "1", "2026-03-19")) == "2026-03-23"
        with app.app_context():
            assert INDEPENDENCE_DAY in holiday_cache().get().days

        client.post("/admin/holidays/2026-03-20/remove")

        assert result_of(preview(client, "1", "2026-03-19")) == "2026-03-20"

    def test_seeding_applies_to_deadlines_computed_afterwards(
        self, client: FlaskClient, admin: User
    ) -> None:
        assert result_of(preview(client, "1", "2026-03-19")) == "2026-03-20"

        client.post("/admin/holidays/seed", data={"year": "2026"})

        assert result_of(preview(client, "1", "2026-03-19")) == "2026-03-23"
