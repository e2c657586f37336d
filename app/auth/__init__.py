"""Accounts and permissions: citizens and staff, Flask-Login, ``role_required``.

``init_app`` sets up password hashing, the login manager (strong session protection), CSRF
protection for every form of the app and the layout's navigation helpers. The blueprint ``bp``
is registered by ``create_app``; the CLI commands join the ``epeople`` group when ``cli`` is
imported below.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import joinedload

from app.auth import navigation, passwords
from app.auth.models import User
from app.db import get_session

bp = Blueprint("auth", __name__, template_folder="templates")


def _load_user(user_id: str) -> User | None:
    """Flask-Login's loader: inactive accounts load as nobody, which ends their sessions.

    Staff requests nearly all read the user's body (the tasklist's and a task's access rule):
    loading it with the user saves them a query."""
    try:
        user = get_session().get(User, int(user_id), options=[joinedload(User.body)])
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


def init_app(app: Flask) -> None:
    passwords.init_app(app)
    navigation.init_app(app)

    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    # "strong": a session cookie replayed from another address or browser is dropped.
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    login_manager.init_app(app)

    # Every POST of the app needs the form's token; a JSON API can opt out with
    # ``app.extensions["csrf"].exempt(blueprint)``.
    CSRFProtect(app)

    # Bodies and accounts go first: demo petitions of later loaders need them.
    app.extensions.setdefault("demo_loaders", []).insert(0, cli.load_demo_people)


# Imported last: they need ``bp``. Importing registers the routes and the CLI commands.
from app.auth import admin_views, cli, oidc_views, views  # noqa: E402,F401
