from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Mail and notices the board sends: the outbox, notifications, their settings."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"
