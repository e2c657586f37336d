"""Defaults shared by every environment. Override any of them with EPEOPLE_<NAME>."""

import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# SQLite in ./instance is the zero set-up default; production points this at PostgreSQL.
DATABASE_URL = "sqlite:///" + os.path.join(BASE_DIR, "instance", "epeople.sqlite3")
SECRET_KEY = None
# Connections each process keeps open to PostgreSQL (at least its gunicorn threads), and how
# many more it may open in a burst (config/gunicorn.py explains the sizing).
DATABASE_POOL_SIZE = 5
DATABASE_MAX_OVERFLOW = 10

PROCESSES_DIR = os.path.join(BASE_DIR, "processes")
FORMS_DIR = os.path.join(BASE_DIR, "forms")

# Uploaded diagrams above this size are refused before parsing (a 50 MB diagram takes ~0.5 GB).
MAX_BPMN_BYTES = 2 * 1024 * 1024

# Sandboxed scripts and conditions: loop iterations and wall-clock seconds per evaluation.
SCRIPT_MAX_STEPS = 100_000
SCRIPT_TIME_LIMIT = 1.0

# Timer worker: how many due timers one claim takes, and how long a claim is held.
TIMER_BATCH_SIZE = 100
TIMER_LEASE_SECONDS = 60
TIMER_POLL_SECONDS = 5.0

# Statistics (app/stats): the worker refreshes the pre-aggregated summary the pages read every
# STATS_REFRESH_SECONDS (the pages say "figures as of" that time). Each refresh redoes the months
# of petitions changed since the previous one, looking back STATS_REFRESH_LOOKBACK_SECONDS more
# for changes whose transaction was still open then (longer than any request or timer step).
STATS_REFRESH_SECONDS = 300.0
STATS_REFRESH_LOOKBACK_SECONDS = 600

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None

# Accounts, mail and languages (app/auth, app/notifications, app/i18n).
# Demo bodies and accounts (bodies.json, users.json) for `flask epeople seed-people`.
DEMO_DIR = os.path.join(BASE_DIR, "config", "demo")
# Where mail goes: "console" (the log), "memory" (tests) or "smtp" (SMTP_* below).
MAIL_BACKEND = "console"
# argon2-cffi PasswordHasher keyword arguments; {} means the library's RFC 9106 defaults.
# Raising them is safe: each hash is upgraded at the owner's next login.
ARGON2_PARAMETERS: dict[str, int] = {}
# A password-reset link works for this many seconds (and only once).
PASSWORD_RESET_MAX_AGE = 3600
BABEL_DEFAULT_LOCALE = "en"
# Times are stored in UTC and shown in the administration's local time (EPEOPLE_BABEL_DEFAULT_TIMEZONE).
BABEL_DEFAULT_TIMEZONE = "Africa/Tunis"

# Petitions (app/petitions): which deployed process runs each type, and attachments.
PETITION_PROCESSES = {
    "complaint": "petition",
    "inquiry": "petition",
    "guidance": "petition",
    "suggestion": "petition",
    "corruption": "corruption_report",
}
UPLOAD_DIR = os.path.join(BASE_DIR, "instance", "uploads")
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5

# Routing deadlines (app/calendar, processes/): the petitions service puts these into the start
# data of every instance; the diagrams read them from there, never hard-code them.
# Working days (Monday-Friday minus holidays) to answer, per petition type.
RESPONSE_WORKING_DAYS = {"complaint": 15, "inquiry": 10, "guidance": 10, "suggestion": 30, "corruption": 30}
# Working days a citizen has to answer a request for information before the petition is abandoned.
INFORMATION_REPLY_WORKING_DAYS = 10
# Calendar days the satisfaction survey stays open after the answer.
SURVEY_DAYS = 7
# Body code of the unit receiving corruption reports (organic law 2017-10), and of the BCRC.
CORRUPTION_UNIT = "anti-corruption-unit"
CENTRAL_OFFICE = "bcrc"
# Seconds a process keeps holiday dates in memory before re-reading them (changes made through
# CalendarService are seen at once by the process that made them).
HOLIDAY_CACHE_SECONDS = 300

# Rate limits (app/security.py, Flask-Limiter). Memory counters are per process: production
# points this at Redis, e.g. redis://127.0.0.1:6379/0, so all workers share them.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "10 per minute"
SUBMIT_RATE_LIMIT = "20 per hour"
# Open311 POSTs, counted per API key: a partner app posts for all its users from one address.
API_SUBMIT_RATE_LIMIT = "600 per hour"
LOOKUP_RATE_LIMIT = "20 per minute"

# Notifications (app/notifications): e-mail and SMS to citizens and staff are written to the
# notifications_outbox table with the step that causes them; `flask epeople worker` delivers them.
# SMTP server for MAIL_BACKEND = "smtp". SMTP_TLS: "none", "starttls" or "ssl" (implicit TLS).
SMTP_HOST = "localhost"
SMTP_PORT = 25
SMTP_TLS = "none"
SMTP_USERNAME = ""
SMTP_PASSWORD = ""
SMTP_TIMEOUT = 30
MAIL_SENDER = "ePeople <no-reply@localhost>"
# Links in messages (mail also leaves from the worker, where no request gives the host).
PUBLIC_URL = "http://127.0.0.1:5000"
# Short SMS (received, answered) to citizens whose account has a phone number; the sender is
# "log" (the log) or "memory" (tests) until a gateway is added (app/notifications/sms.py).
SMS_ENABLED = False
SMS_BACKEND = "log"
# Delivery: messages per claim, seconds a claim is held, and retries with exponential backoff
# (RETRY_SECONDS, doubling, at most RETRY_MAX_SECONDS); after MAX_ATTEMPTS a message is marked
# failed and kept (`flask epeople outbox --retry-failed` queues failed ones again). The defaults
# keep retrying for about 9 hours.
OUTBOX_BATCH_SIZE = 50
OUTBOX_LEASE_SECONDS = 300
OUTBOX_MAX_ATTEMPTS = 15
OUTBOX_RETRY_SECONDS = 60
OUTBOX_RETRY_MAX_SECONDS = 3600
# The day of `flask epeople notify-overdue` (one digest per member of staff and day) is counted here.
NOTIFICATIONS_TIME_ZONE = "Africa/Tunis"

# Open311 GeoReport v2 (app/api, /open311/v2). Requests are public. Descriptions are written by
# citizens and often hold personal details, so they are withheld unless a deployment has the
# citizens' consent to publish them (corruption reports are never listed, whatever this says).
OPEN311_PUBLISH_DESCRIPTIONS = False
# GET requests returns at most this many, newest first; without dates, the last N days.
OPEN311_MAX_REQUESTS = 1000
OPEN311_DEFAULT_DAYS = 90

# Personal data of closed petitions (subject, description, contact, reporter identity,
# attachments) is blanked this many years after closing (`flask epeople purge-personal-data`,
# schedule daily); the anonymous record stays for statistics.
RETENTION_YEARS = 5
# Sent or failed outbox messages (which quote personal data) are deleted after this many days.
OUTBOX_KEEP_DAYS = 30

# Assisted intake (app/petitions/intake.py): a relations-office agent registers petitions for
# their own body's office; agents of bodies of these kinds may register for any body's office
# (the BCRC dispatches, service houses receive walk-ins for every administration).
INTAKE_ANY_OFFICE_KINDS = ["central_office", "service_house"]

# Sign-in with a national e-ID through OpenID Connect (app/auth/oidc.py). Disabled (no button,
# the routes answer 404) while OIDC_ISSUER is empty. The issuer must serve
# /.well-known/openid-configuration; the flow is authorization code + PKCE (S256).
OIDC_ISSUER = ""
OIDC_CLIENT_ID = ""
OIDC_CLIENT_SECRET = ""
# The provider's name on the button "Sign in with <label>" (e.g. "Mobile ID"), shown as is.
OIDC_LABEL = "national e-ID"
OIDC_SCOPE = "openid email profile"
# The claim carrying the national ID number (8 digits), used to find an existing account.
OIDC_NATIONAL_ID_CLAIM = "national_id"
# Seconds to wait for the provider before telling the person it cannot be reached.
OIDC_TIMEOUT = 10

# Routing assistant (app/routing/): suggestions need a trained model (`flask epeople
# routing-train`, or the worker every ROUTING_RETRAIN_SECONDS; 0 turns that off).
ROUTING_RETRAIN_SECONDS = 24 * 3600
ROUTING_SIMILAR_LIMIT = 5
ROUTING_SIMILAR_MIN_SCORE = 0.25
# Duplicates: cosine similarity to petitions of the last ROUTING_DUPLICATE_DAYS (at most
# ROUTING_DUPLICATE_CANDIDATES of them); a lower bar when the same citizen filed both.
ROUTING_DUPLICATE_MIN_SCORE = 0.55
ROUTING_DUPLICATE_SAME_CITIZEN_MIN_SCORE = 0.35
ROUTING_DUPLICATE_DAYS = 90
ROUTING_DUPLICATE_CANDIDATES = 2000
# Whether "publish the answer" is ticked by default when an answer is validated.
ROUTING_PUBLISH_ANSWERS_DEFAULT = False
# The petition diagram routes without qualification when the suggested body scores at least
# this much; 0 keeps every petition for a person to qualify.
ROUTING_AUTO_ROUTE_THRESHOLD = 0.0
SIMILAR_RATE_LIMIT = "60 per minute"
