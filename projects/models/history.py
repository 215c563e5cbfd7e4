"""What curators change, kept for good: status changes with reasons, and every text version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StatusChange(models.Model):
    """A project's status moved: who, when, why, and (for "addressed") which outputs justify it."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    outputs = models.ManyToManyField(
        "projects.Output", blank=True, related_name="+", through="projects.StatusChangeOutput"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class StatusChangeOutput(models.Model):
    """An output that a status change named as its justification: kept as long as the change,
    so the output cannot be deleted from under it."""

    statuschange = models.ForeignKey(StatusChange, on_delete=models.PROTECT)
    output = models.ForeignKey("projects.Output", on_delete=models.PROTECT)

    class Meta:
        # The table Django made for the many-to-many field before it had a model of its own.
        db_table = "projects_statuschange_outputs"
        unique_together = [("statuschange", "output")]

    def __str__(self) -> str:
        return f"Output {self.output_id} justifies status change {self.statuschange_id}"


class TextVersion(models.Model):
    """One version of a project's description or curator summary; restoring adds a new one."""

    class Field(models.TextChoices):
        DESCRIPTION = "description", "Description"
        SUMMARY = "summary", "State of this project"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="versions"
    )
    field = models.CharField(max_length=20, choices=Field.choices)
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "field", "-created_at"], name="version_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of {self.project_id}, {self.created_at:%Y-%m-%d %H:%M}"
