"""The site's URLs plus one that fails, to see the 500 page."""

from django.urls import path

from agenda_site.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urlpatterns, path("broken/", broken)]
# The site's own error handler, which tells a bug (500) from the database away (503).
handler500 = "projects.outages.handler500"
