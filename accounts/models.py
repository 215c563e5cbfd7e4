"""The board's user model, custom from the first migration so that it can grow."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from projects.markdown import RenderedMarkdown
from projects.validators import OneLineCharField, validate_link


class User(RenderedMarkdown, AbstractUser):
    """A researcher or curator. Profile fields live here rather than in a side table."""

    display_name = OneLineCharField(
        max_length=100, blank=True, help_text="How your name appears on the board."
    )
    affiliation = OneLineCharField(max_length=150, blank=True)
    website = models.URLField(
        max_length=300,
        blank=True,
        validators=[validate_link],
        help_text="A full address starting with https://",
    )
    bio = models.TextField(
        "short bio", max_length=1000, blank=True, help_text="Markdown is welcome."
    )
    bio_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"bio": "bio_html"}

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        """The name shown for this person: see ``public_name``."""
        return self.public_name

    def get_absolute_url(self) -> str:
        """The person's public page."""
        return reverse("accounts:person-detail", args=[self.username])

    @property
    def public_name(self) -> str:
        """The name shown next to a person's work: display name, else username."""
        return self.display_name or self.username
