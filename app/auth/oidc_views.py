"""The two steps of e-ID sign-in: off to the provider, and back with a code."""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from app.auth import bp, oidc
from app.auth.navigation import landing_url
from app.auth.passwords import passwords
from app.auth.views import start_session
from app.db import get_session
from app.security import rate_limited

# Anything the provider or the network can throw at us: the person gets a message, not a 500.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError)


def _back_to_login(message: str) -> Response:
    flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/eid")
@rate_limited("LOGIN_RATE_LIMIT", methods=("GET",))
def oidc_start() -> Response:
    if not oidc.enabled():
        abort(404)
    try:
        response: Response = oidc.client().authorize_redirect(url_for("auth.oidc_callback", _external=True))
    except PROVIDER_ERRORS:
        current_app.logger.warning("e-ID provider unreachable", exc_info=True)
        return _back_to_login(_("The e-ID service cannot be reached now. Try again later, or log in with your password."))
    return response


@bp.route("/login/eid/callback")
@rate_limited("LOGIN_RATE_LIMIT", methods=("GET",))
def oidc_callback() -> Response:
    if not oidc.enabled():
        abort(404)
    try:
        token = oidc.client().authorize_access_token()
        claims = token.get("userinfo")
        if not claims:  # no id_token: nothing says who this is
            raise ValueError("the provider returned no id_token")
        service = oidc.OidcAccounts(get_session(), passwords(), current_app.config["OIDC_NATIONAL_ID_CLAIM"])
        user = service.sign_in(oidc.issuer(), dict(claims))
        get_session().commit()
    except MismatchingStateError:
        return _back_to_login(_("This sign-in did not start here or has expired. Please try again."))
    except oidc.OidcRefused as error:
        get_session().rollback()
        return _back_to_login(str(error))
    except PROVIDER_ERRORS:
        get_session().rollback()
        current_app.logger.warning("e-ID sign-in failed", exc_info=True)
        return _back_to_login(_("Sign-in with the e-ID did not succeed. Try again, or log in with your password."))
    start_session(user)
    flash(_("You are logged in."), "success")
    return redirect(landing_url(user))
