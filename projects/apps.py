from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectsConfig(AppConfig):
    """The domain: agendas, their projects, and what researchers do with them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"

    def ready(self) -> None:
        """Register the system checks and the lookups safe from any number, refuse to start
        on a rate limit that does not parse (every process of the app server sets Django up
        through here), and have every database connection bump the content version after
        its writes (projects.page_cache)."""
        from django.conf import settings
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from projects import checks, lookups  # noqa: F401
        from projects.page_cache import migration_ends, migration_starts, track_writes
        from projects.ratelimits import check_table

        check_table(settings.RATE_LIMITS)
        connection_created.connect(track_writes, dispatch_uid="projects.page_cache")
        pre_migrate.connect(migration_starts, dispatch_uid="projects.page_cache")
        post_migrate.connect(migration_ends, dispatch_uid="projects.page_cache")


class BoardAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the board's own site with review queues."""

    default = False  # only when named in INSTALLED_APPS; "projects" means ProjectsConfig
    default_site = "projects.admin_site.BoardAdminSite"
