from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People who use the board: researchers and curators."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
