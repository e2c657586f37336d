"""Local development: a fixed, public secret is acceptable because nothing real is stored."""

DEBUG = True
SECRET_KEY = "development-only-not-secret"
