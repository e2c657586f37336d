"""Production: no defaults for secrets; SECRET_KEY and DATABASE_URL come from the environment."""

DEBUG = False
SECRET_KEY = None
SESSION_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
