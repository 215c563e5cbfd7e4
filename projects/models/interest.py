"""Personal signals on a project: interest ("I want this done") and watching."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.validators import OneLineCharField


class Interest(models.Model):
    """A researcher wants this project done, and may say how they could help."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="interests"
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interests"
    )
    # No limit here: merging two projects joins one researcher's notes on both, whole (the
    # form limits what is typed).
    note = OneLineCharField("how I could help", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "researcher"], name="interest_once_per_researcher"
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher} wants {self.project_id} done"


class Watch(models.Model):
    """A researcher follows a project's activity."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="watches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="watches"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "watches"
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="watch_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.project_id}"
