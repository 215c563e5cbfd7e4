"""The board's user model, custom from the first migration so that it can grow."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from projects.markdown import RenderedMarkdown
from projects.validators import OneLineCharField, validate_link

NEVER_DELETED = (
    "Accounts are never deleted: their comments, claims and outputs stay with their name. "
    "Deactivate the account instead (untick “Active”)."
)


class UserQuerySet(models.QuerySet):
    """People, who are deactivated, never deleted."""

    def delete(self):
        """Refused, for every row: raises ProtectedError."""
        raise ProtectedError(NEVER_DELETED, set(self))

    delete.queryset_only = True

    def deactivate(self) -> int:
        """Switch these accounts off: they can no longer sign in, and all they wrote stays.
        Returns how many were active. Never raises."""
        return self.filter(is_active=True).update(is_active=False)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, create_superuser), over ``UserQuerySet``."""


class User(RenderedMarkdown, AbstractUser):
    """A researcher or curator. Profile fields live here rather than in a side table.

    Never deleted, by any screen or code: ``delete`` raises ProtectedError, and so does
    deleting a queryset of users. An account that must stop is deactivated.
    """

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

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        """The name shown for this person: see ``public_name``."""
        return self.public_name

    def get_absolute_url(self) -> str:
        """The person's public page."""
        return reverse("accounts:person-detail", args=[self.username])

    def delete(self, *args, **kwargs):
        """Refused: raises ProtectedError. Deactivate the account instead."""
        raise ProtectedError(NEVER_DELETED, {self})

    @property
    def public_name(self) -> str:
        """The name shown next to a person's work: display name, else username."""
        return self.display_name or self.username
