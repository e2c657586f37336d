"""Test runs: the fixtures set DATABASE_URL to a fresh database for each run."""

TESTING = True
SECRET_KEY = "testing-only-not-secret"
# Tests check CSRF explicitly where it matters; the test client posts without tokens elsewhere.
WTF_CSRF_ENABLED = False
MAIL_BACKEND = "memory"
# Cheap hashing keeps the suite fast; production keeps argon2's defaults.
ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# Tests log in and submit many times from one address; rate-limit tests switch this back on.
RATELIMIT_ENABLED = False
# Texts to citizens are kept in memory too (app.extensions["sms"].outbox).
SMS_BACKEND = "memory"
# The routing model is trained by the tests that need one, not by every `worker --once`.
ROUTING_RETRAIN_SECONDS = 0
