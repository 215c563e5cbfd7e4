"""Root URLs: the site's pages, notifications, the admin, the JSON API, and the health check."""

from django.contrib import admin
from django.urls import include, path

from projects import api
from projects.views.pages import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls()),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("projects.urls")),
]

# allauth answers its own rate limits (sign-in, sign-up, password reset) with this view.
handler429 = "projects.ratelimits.handler429"
