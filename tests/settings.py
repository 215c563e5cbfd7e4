"""The real settings, with test values for what only a deploy sets (its secret key, TLS)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-deployed")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from agenda_site.settings import *  # noqa: E402, F403

# Tests render pages without running collectstatic first, so no manifest to look up.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hashing passwords slowly is a security feature that tests do not need.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files straight from the app folders, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The live server of the browser tests speaks plain HTTP, where Chromium refuses to be handed
# a __Host- cookie; tests/test_security_headers.py checks the production names in a process
# of their own.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
# Tests that start app servers on one Redis give them a key prefix of their run's own.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("TEST_CACHE_KEY_PREFIX", "")  # noqa: F405
# One UPDATE after each write transaction is not what most tests count; the page cache's
# tests (tests/test_page_cache.py) and the app servers they start turn it back on.
TRACK_CONTENT_VERSION = os.environ.get("TRACK_CONTENT_VERSION") == "1"
