"""Human names for channels (types come from ``app.petitions.labels``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNELS = {
    "web": _l("Website"),
    "counter": _l("Counter"),
    "phone": _l("Telephone"),
    "letter": _l("Letter"),
    "email": _l("E-mail"),
    "open311": _l("Open311 applications"),
}
