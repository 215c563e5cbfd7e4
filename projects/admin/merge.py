"""Merging a duplicate project in the admin: choose the kept project by its title, see what
will move, then confirm. Only the confirming POST calls ``services.project_merge``."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django import forms
from django.db import transaction

from projects import services
from projects.models import Claim, Output, Project

# Which field of the merge form each of services.project_merge's refusals is about.
MERGE_ERROR_FIELDS = {"self": "kept", "kept_not_open": "kept", "reason": "reason"}


class MergeForm(forms.Form):
    """Merge this project into the one to keep, chosen by its agenda, number and title."""

    required_css_class = "required"

    kept = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        label="Project to keep",
        empty_label="Choose the project to keep",
        help_text="Open projects, grouped by agenda. Type a project's number to jump to it.",
        error_messages={"required": "Choose the project this one merges into."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in both projects' histories.",
        error_messages={"required": "Give a reason: it is kept in both histories."},
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        """The choice of every live open project but ``project``, grouped by agenda."""
        super().__init__(*args, **kwargs)
        kept = self.fields["kept"]
        kept.queryset = (
            Project.objects.live()
            .open()
            .exclude(pk=project.pk)
            .select_related("agenda")
            .order_by("agenda__title", "agenda_id", "number")
        )
        # A select that works without JavaScript: agendas as groups, "12. Title" as options
        # (typing the number jumps to it), in one query however many projects there are.
        kept.choices = [
            ("", kept.empty_label),
            *(
                (agenda.title, [(p.pk, f"{p.number}. {p.title}") for p in projects])
                for agenda, projects in groupby(kept.queryset, key=lambda p: p.agenda)
            ),
        ]

    def add_merge_error(self, error) -> None:
        """Show a refusal of services.project_merge at the field it is about."""
        self.add_error(MERGE_ERROR_FIELDS.get(getattr(error, "code", None)), error)


@dataclass
class MergePreview:
    """What merging ``duplicate`` into ``kept`` moves, releases and leaves behind."""

    duplicate: Project
    kept: Project
    moves: dict[str, int] = field(default_factory=dict)
    interests_joined: int = 0
    already_watching: int = 0
    released: list[str] = field(default_factory=list)
    staying: list[tuple[str, str]] = field(default_factory=list)


class _DryRun(Exception):
    """Carries a preview out of the transaction that it rolls back."""

    def __init__(self, preview: MergePreview) -> None:
        super().__init__("merge preview")
        self.preview = preview


def merge_preview(*, duplicate: Project, kept: Project, by, reason: str) -> MergePreview:
    """What ``services.project_merge`` would do, found by running it and rolling it back, so
    that the preview never disagrees with the merge. Raises ValidationError as the merge does."""
    before = {
        "claims": set(duplicate.claims.values_list("pk", flat=True)),
        "comments": set(duplicate.comments.values_list("pk", flat=True)),
        "outputs": set(duplicate.outputs.values_list("pk", flat=True)),
        "interests": set(duplicate.interests.values_list("pk", flat=True)),
        "watchers": set(duplicate.watches.values_list("pk", flat=True)),
    }
    active = set(duplicate.claims.active().values_list("pk", flat=True))
    try:
        with transaction.atomic():
            services.project_merge(duplicate=duplicate, kept=kept, by=by, reason=reason)
            preview = MergePreview(duplicate=duplicate, kept=kept)
            for name, related in (
                ("claims", kept.claims),
                ("comments", kept.comments),
                ("outputs", kept.outputs),
                ("interests", kept.interests),
                ("watchers", kept.watches),
            ):
                preview.moves[name] = related.filter(pk__in=before[name]).count()
            # Interests and watches already on the kept project absorb the duplicate's.
            preview.interests_joined = len(before["interests"]) - preview.moves["interests"]
            preview.already_watching = len(before["watchers"]) - preview.moves["watchers"]
            preview.released = [
                claim.researcher.public_name
                for claim in Claim.objects.filter(pk__in=active, state=Claim.State.RELEASED)
                .select_related("researcher")
                .order_by("researcher__username")
            ]
            preview.staying = list(
                Output.objects.filter(pk__in=before["outputs"], project=duplicate)
                .order_by("title")
                .values_list("title", "url")
            )
            raise _DryRun(preview)  # rolls the merge back
    except _DryRun as dry_run:
        return dry_run.preview
