"""Human names for types, statuses and timeline entries, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TYPES = {
    "complaint": _l("Complaint"),
    "inquiry": _l("Request for information"),
    "guidance": _l("Request for guidance"),
    "suggestion": _l("Suggestion"),
    "corruption": _l("Corruption report"),
}

TYPE_DESCRIPTIONS = {
    "complaint": _l("A public service failed you or treated you unfairly: tell the body concerned."),
    "inquiry": _l("Ask a public body for information about a procedure, a right or a decision."),
    "guidance": _l("Not sure which office handles your case? Ask to be guided to the right one."),
    "suggestion": _l("Propose an improvement to a public service or a procedure."),
    "corruption": _l(
        "Report bribery, abuse of office or misuse of public funds. You may stay anonymous: "
        "a receipt code lets you follow the report."
    ),
}

STATUSES = {
    "received": _l("Received"),
    "under_review": _l("Under review"),
    "information_requested": _l("Information requested from you"),
    "in_progress": _l("Being answered"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected"),
    "abandoned": _l("Closed without your reply"),
}

TIMELINE = {
    "received": _l("Received by"),
    "accepted": _l("Accepted and assigned to"),
    "transferred": _l("Transferred to"),
    "rejected": _l("Rejected as outside the scope of the administration"),
    "information_requested": _l("More information was requested"),
    "information_provided": _l("You provided information"),
    "deadline_extended": _l("The deadline was extended once"),
    "answered": _l("Answered"),
    "rated": _l("You rated the answer"),
    "closed": _l("Closed"),
    "abandoned": _l("Closed: the requested information did not arrive in time"),
    "merged": _l("Closed as a duplicate; followed under petition"),
    "comment": _l("Internal comment"),
    "returned_for_drafting": _l("Answer returned for redrafting"),
    "escalation_note": _l("Coordinator's note"),
}
