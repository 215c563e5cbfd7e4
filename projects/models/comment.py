"""Discussion on a project: markdown comments with one level of replies."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from projects.markdown import RenderedMarkdown
from projects.markdown.mentions import mentioned_names
from projects.models.event import Event
from projects.querysets import CommentQuerySet


class Comment(RenderedMarkdown):
    """A comment or a reply. Never hard-deleted from the site: deleting leaves a placeholder."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)
    is_scope = models.BooleanField(
        "about scope", default=False, help_text="About what this project should cover."
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()
    markdown_fields = {"body": "body_html"}

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", "Can hide and unhide comments")]
        indexes = [models.Index(fields=["project", "created_at"], name="comment_project_idx")]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author} on {self.project_id}"

    def get_absolute_url(self) -> str:
        """Its permalink, which finds the discussion page that holds it however many came
        after it."""
        return reverse("projects:comment-permalink", args=[self.pk])

    def quote(self) -> str:
        """Its text as a markdown quote (``> `` lines), then a link back to it under its
        author's name, ready to write below."""
        quoted = "\n".join(f"> {line}".rstrip() for line in self.body.splitlines())
        name = self.author.public_name.replace("\\", "\\\\")
        for char in "[]*_`<>":
            name = name.replace(char, "\\" + char)  # the name is shown as written
        return f"{quoted}\n\n[{name} wrote]({self.get_absolute_url()})\n\n"

    def discussion_page(self) -> int:
        """The page of its project's discussion that shows it: its thread's, counted from
        the latest threads (page 1). One query (two for a reply)."""
        thread = self.parent or self
        newer = Comment.objects.filter(project_id=self.project_id).threads().newer_than(thread)
        return newer.count() // settings.DISCUSSION_THREADS_PER_PAGE + 1

    def page_url(self) -> str:
        """Where it shows: its project's page at the discussion page that holds it."""
        return self.project.discussion_url(self.discussion_page(), anchor=f"comment-{self.pk}")

    @property
    def is_deleted(self) -> bool:
        """Whether its author deleted it (a placeholder stays)."""
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        """Whether a curator hid it from everyone but curators."""
        return self.hidden_at is not None

    @property
    def is_shown(self) -> bool:
        """Neither deleted nor hidden: people read it, reply to it and act on it."""
        return not (self.is_deleted or self.is_hidden)

    def _check_live(self) -> None:
        """Raises ValidationError(code="deleted") for a deleted comment."""
        if self.is_deleted:
            raise ValidationError("This comment was deleted.", code="deleted")

    @transaction.atomic
    def edit(self, *, body: str, is_scope: bool | None = None) -> Comment:
        """Live comment -> new body, marked as edited; the text it replaces is kept as a
        ``CommentVersion`` for curators, and only the people the edit newly mentions are
        told of it. Raises ValidationError(code="deleted")."""
        self._check_live()
        # The row as stored, locked: two edits at once each keep the text they replace.
        stored = Comment.objects.select_for_update().get(pk=self.pk)
        now = timezone.now()
        new_scope = stored.is_scope if is_scope is None else is_scope
        if (body, new_scope) != (stored.body, stored.is_scope):
            CommentVersion.objects.create(
                comment=self,
                body=stored.body,
                is_scope=stored.is_scope,
                written_at=stored.edited_at or stored.created_at,
                replaced_at=now,
            )
        self.body = body
        fields = ["body", "edited_at"]
        if is_scope is not None:
            self.is_scope = is_scope
            fields.append("is_scope")
        self.edited_at = now
        self.save(update_fields=fields)
        Event.record(
            project=self.project,
            actor=self.author,
            kind=Event.Kind.COMMENT_EDITED,
            comment=self,
            mentioned=mentioned_names(self.body_html) - mentioned_names(stored.body_html),
        )
        return self

    def body_at(self, moment: datetime.datetime, versions: list[CommentVersion]) -> str:
        """The text as it read at ``moment`` (when a flag was raised): the earliest of
        ``versions`` (this comment's, oldest first) replaced after it, else today's text."""
        later = (v for v in versions if v.replaced_at > moment)
        return next(later, self).body

    @transaction.atomic
    def delete_by_author(self) -> Comment:
        """Live comment -> placeholder; its replies stay. Raises ValidationError(code="deleted")."""
        self._check_live()
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])
        Event.record(
            project=self.project, actor=self.author, kind=Event.Kind.COMMENT_DELETED, comment=self
        )
        return self

    @transaction.atomic
    def flag(self, *, by, reason: str = ""):
        """Ask curators to look at this comment (once per researcher).

        Raises ValidationError(code="own"|"not_shown"|"flagged").
        """
        from projects.models.flag import Flag

        if self.author_id == by.pk:
            raise ValidationError("You cannot flag your own comment.", code="own")
        if not self.is_shown:
            raise ValidationError("This comment is no longer shown.", code="not_shown")
        flag, created = Flag.objects.get_or_create(
            comment=self, flagged_by=by, defaults={"reason": reason}
        )
        if not created:
            raise ValidationError("You have already flagged this comment.", code="flagged")
        Event.record(project=self.project, actor=by, kind=Event.Kind.COMMENT_FLAGGED, comment=self)
        return flag

    @transaction.atomic
    def dismiss_flags(self, *, by) -> bool:
        """Open flags -> dealt with, the comment still shown; recorded for curators only.

        Returns whether there were open flags. Never raises.
        """
        if not self.resolve_flags(by=by):
            return False
        Event.record(project=self.project, actor=by, kind=Event.Kind.FLAGS_DISMISSED, comment=self)
        return True

    def resolve_flags(self, *, by) -> int:
        """Mark the open flags on this comment as dealt with; returns how many. Never raises."""
        return self.flags.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=by
        )

    @transaction.atomic
    def hide(self, *, by) -> Comment:
        """Shown -> hidden by a curator, flags resolved. Raises ValidationError(code="hidden")."""
        if self.is_hidden:
            raise ValidationError("This comment is already hidden.", code="hidden")
        self.hidden_at, self.hidden_by = timezone.now(), by
        self.save(update_fields=["hidden_at", "hidden_by"])
        self.resolve_flags(by=by)
        Event.record(project=self.project, actor=by, kind=Event.Kind.COMMENT_HIDDEN, comment=self)
        return self

    @transaction.atomic
    def unhide(self, *, by) -> Comment:
        """Hidden -> shown again. Raises ValidationError(code="not_hidden")."""
        if not self.is_hidden:
            raise ValidationError("This comment is not hidden.", code="not_hidden")
        self.hidden_at, self.hidden_by = None, None
        self.save(update_fields=["hidden_at", "hidden_by"])
        Event.record(project=self.project, actor=by, kind=Event.Kind.COMMENT_UNHIDDEN, comment=self)
        return self


class CommentVersion(models.Model):
    """A text a comment had before its author edited it, kept for curators: a flagged
    comment cannot be edited clean before they look. Written by ``Comment.edit`` alone."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="versions")
    body = models.TextField()
    is_scope = models.BooleanField("about scope")
    written_at = models.DateTimeField(help_text="When this text was posted or last edited.")
    replaced_at = models.DateTimeField(default=timezone.now, help_text="When an edit replaced it.")

    class Meta:
        ordering = ["replaced_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} as it read until {self.replaced_at:%Y-%m-%d %H:%M}"
