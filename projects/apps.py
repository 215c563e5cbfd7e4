from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """The domain: agendas, their projects, and what researchers do with them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
