"""Load test of the whole deployment (gunicorn, PostgreSQL) under locust: see __main__.py."""
