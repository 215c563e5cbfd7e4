"""The test settings, serving tests.broken_claims: a claim with no lock, for a race test
that must catch it."""

from tests.settings import *  # noqa: F403

WSGI_APPLICATION = "tests.broken_claims.application"
