from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectsConfig(AppConfig):
    """The domain: agendas, their projects, and what researchers do with them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"

    def ready(self) -> None:
        """Register the system checks and the lookups safe from any number, and refuse to
        start on a rate limit that does not parse (every process of the app server sets Django
        up through here)."""
        from django.conf import settings

        from projects import checks, lookups  # noqa: F401
        from projects.ratelimits import check_table

        check_table(settings.RATE_LIMITS)


class BoardAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the board's own site with review queues."""

    default = False  # only when named in INSTALLED_APPS; "projects" means ProjectsConfig
    default_site = "projects.admin_site.BoardAdminSite"
