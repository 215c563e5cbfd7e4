"""The discussion: comments, replies, edits and flags."""

from __future__ import annotations

from django import forms

from projects.forms.base import COMMENT_MAX, NOTE_MAX, ActionForm, markdown_textarea
from projects.models import Comment, Project
from projects.validators import OneLineField


class CommentForm(ActionForm):
    """A new comment in a project's discussion."""

    id_prefix = "comment"

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=markdown_textarea(4, "Markdown is welcome", mentions=True),
        error_messages={"required": "Write something first."},
    )
    is_scope = forms.BooleanField(
        label="This is about what the project should cover (scope)", required=False
    )

    def __init__(self, *args, project: Project, author, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.author = project, author

    def perform(self) -> Comment:
        """Post the comment. Never raises."""
        data = self.cleaned_data
        return self.project.add_comment(
            author=self.author, body=data["body"], is_scope=data["is_scope"]
        )


class ReplyForm(ActionForm):
    """A reply to a top-level comment of the project; ``parent`` names it."""

    id_prefix = "reply"

    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "You can reply only to a top-level comment."},
    )
    body = forms.CharField(
        label="Reply",
        max_length=COMMENT_MAX,
        widget=markdown_textarea(3, mentions=True),
        error_messages={"required": "Write something first."},
    )

    def __init__(self, *args, project: Project, author, parent: Comment | None = None, **kwargs):
        if parent is not None:
            # One reply form per comment on the page: ids and the parent are its own.
            kwargs.setdefault("auto_id", f"reply-{parent.pk}-%s")
            kwargs.setdefault("initial", {"parent": parent.pk})
        super().__init__(*args, **kwargs)
        if parent is None and self.target is not None:
            # A posted reply takes the ids its form has on the page: after bad input, the
            # URL's fragment names its field.
            self.auto_id = f"reply-{self.target}-%s"
        self.project, self.author = project, author
        self.fields["parent"].queryset = project.comments.filter(parent__isnull=True)
        if parent is not None:
            self.fields["body"].label = f"Reply to {parent.author.public_name}"

    @property
    def target(self) -> int | None:
        """The comment replied to, as sent (or as offered, on a fresh form)."""
        raw = self.data.get("parent") if self.is_bound else self.initial.get("parent")
        return int(raw) if str(raw or "").isdigit() and str(raw).isascii() else None

    def perform(self) -> Comment:
        """Post the reply. Raises ValidationError(code="bad_parent"|"parent_deleted")."""
        data = self.cleaned_data
        return self.project.add_comment(
            author=self.author, body=data["body"], parent=data["parent"]
        )


class CommentEditForm(ActionForm):
    """Edit your comment (a reply has no scope mark)."""

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=markdown_textarea(4, mentions=True),
        error_messages={"required": "Write something first, or delete the comment."},
    )
    is_scope = forms.BooleanField(
        label="This is about what the project should cover (scope)", required=False
    )

    def __init__(self, *args, comment: Comment, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"edit-{comment.pk}-%s")  # unique beside the page's forms
        kwargs.setdefault("initial", {"body": comment.body, "is_scope": comment.is_scope})
        super().__init__(*args, **kwargs)
        self.comment = comment
        self.fields["body"].widget.attrs["autofocus"] = True  # Edit puts the cursor in the text
        if comment.parent_id:
            del self.fields["is_scope"]
            self.fields["body"].label = "Reply"

    @property
    def target(self) -> int:
        """The object this form acts on (its target on the page)."""
        return self.comment.pk

    def perform(self) -> Comment:
        """Save the edit. Raises ValidationError(code="deleted")."""
        data = self.cleaned_data
        return self.comment.edit(body=data["body"], is_scope=data.get("is_scope"))


class FlagForm(ActionForm):
    """Ask curators to look at someone else's comment."""

    reason = OneLineField(label="What is wrong? (optional)", required=False, max_length=NOTE_MAX)

    def __init__(self, *args, comment: Comment, by, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"flag-{comment.pk}-%s")
        super().__init__(*args, **kwargs)
        self.comment, self.by = comment, by

    @property
    def target(self) -> int:
        """The object this form acts on (its target on the page)."""
        return self.comment.pk

    def perform(self) -> object:
        """Flag the comment. Raises ValidationError(code="own"|"not_shown"|"flagged")."""
        return self.comment.flag(by=self.by, reason=self.cleaned_data["reason"])
