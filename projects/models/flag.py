"""Flags: any researcher asks curators to look at a comment."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.validators import OneLineCharField


class Flag(models.Model):
    """A researcher's request that curators look at a comment; resolved when a curator acts."""

    comment = models.ForeignKey("projects.Comment", on_delete=models.PROTECT, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flags"
    )
    reason = OneLineCharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "flagged_by"], name="flag_once_per_researcher"
            )
        ]

    def __str__(self) -> str:
        return f"Flag on comment {self.comment_id} by {self.flagged_by}"
