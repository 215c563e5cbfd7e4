"""Root URLs: the site's pages, notifications, the admin, the JSON API, and the health and
readiness checks."""

from django.contrib import admin
from django.urls import include, path

from projects import api
from projects.views.pages import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/", api.urls()),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("projects.urls")),
]

# allauth answers its own rate limits (sign-in, sign-up, password reset) with this view.
handler429 = "projects.ratelimits.handler429"
# A database away, found by a middleware (the session, the user), answers 503, not 500.
handler500 = "projects.outages.handler500"
