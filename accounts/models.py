"""The board's user model, custom from the first migration so that it can grow."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A researcher or curator. Profile fields live here rather than in a side table."""

    display_name = models.CharField(
        max_length=100, blank=True, help_text="How your name appears on the board."
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name shown next to a person's work: display name, else username."""
        return self.display_name or self.username
