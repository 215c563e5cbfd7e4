"""The site's URLs plus one that fails, to see the 500 page, and one that finds the database
away, to see the 503 page in a browser (tests/test_outages.py makes the outage real)."""

from django.db import OperationalError
from django.urls import path

from agenda_site.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


def database_away(request):
    raise OperationalError("connection to server at 127.0.0.1, port 1 failed: refused")


urlpatterns = [
    *site_urlpatterns,
    path("broken/", broken),
    path("database-away/", database_away),
]
# The site's own error handler, which tells a bug (500) from the database away (503).
handler500 = "projects.outages.handler500"
