from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectsConfig(AppConfig):
    """The domain: agendas, their projects, and what researchers do with them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"

    def ready(self) -> None:
        # Registers the system checks, and the lookups safe from any number.
        from projects import checks, lookups  # noqa: F401


class BoardAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the board's own site with review queues."""

    default = False  # only when named in INSTALLED_APPS; "projects" means ProjectsConfig
    default_site = "projects.admin_site.BoardAdminSite"
