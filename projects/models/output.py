"""Outputs: links to results (papers, posts, code) that answer a project."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from projects.models.claim import OutputKind
from projects.models.event import Event
from projects.querysets import OutputQuerySet
from projects.validators import OneLineCharField, validate_link


class Output(models.Model):
    """A link to a result, reviewed by a curator: accepted outputs lead the project page."""

    Kind = OutputKind

    class Addresses(models.TextChoices):
        PARTLY = "partly", "Partly addresses it"
        FULLY = "fully", "Fully addresses it"

    class Review(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="outputs"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outputs"
    )
    claim = models.ForeignKey(
        "projects.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="outputs"
    )
    url = models.URLField("URL", max_length=500, validators=[validate_link])
    title = OneLineCharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OutputKind.choices)
    addresses = models.CharField(max_length=10, choices=Addresses.choices, default=Addresses.PARTLY)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OutputQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("review_output", "Can accept or reject outputs")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "url"],
                name="output_unique_url_per_project",
                violation_error_message="This link is already on this project.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + f"#output-{self.pk}"

    @property
    def is_accepted(self) -> bool:
        """Whether a curator accepted this output."""
        return self.review == self.Review.ACCEPTED

    @property
    def is_rejected(self) -> bool:
        """Whether a curator rejected this output (shown only to its linker and curators)."""
        return self.review == self.Review.REJECTED

    @transaction.atomic
    def _set_review(self, *, by, review: str, kind: str) -> Output:
        """Record a curator's review. Raises ValidationError(code="unchanged")."""
        output = Output.objects.select_for_update().get(pk=self.pk)
        if output.review == review:
            label = self.Review(review).label.lower()
            raise ValidationError(f"This output is already {label}.", code="unchanged")
        output.review, output.reviewed_by, output.reviewed_at = review, by, timezone.now()
        output.save(update_fields=["review", "reviewed_by", "reviewed_at"])
        Event.record(project=output.project, actor=by, kind=kind, output=output)
        return output

    def accept(self, *, by) -> Output:
        """Pending or rejected -> accepted. Raises ValidationError(code="unchanged")."""
        return self._set_review(by=by, review=self.Review.ACCEPTED, kind=Event.Kind.OUTPUT_ACCEPTED)

    def reject(self, *, by) -> Output:
        """Pending or accepted -> rejected. Raises ValidationError(code="unchanged")."""
        return self._set_review(by=by, review=self.Review.REJECTED, kind=Event.Kind.OUTPUT_REJECTED)
