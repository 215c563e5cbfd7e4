"""Proposing a new project, or an edit to one."""

from __future__ import annotations

from django import forms

from projects import services
from projects.forms.base import NOTE_MAX, PLAN_MAX, ActionForm, markdown_textarea, textarea
from projects.models import Agenda, Project, ProjectKind
from projects.validators import OneLineField


class ProposalForm(ActionForm):
    """Propose a new project, or (given ``project``) an edit to one, without the agenda."""

    id_prefix = "proposal"

    title = OneLineField(
        max_length=200,
        help_text="A short title: what should be produced.",
        error_messages={"required": "Give the project a short title."},
    )
    description = forms.CharField(
        max_length=PLAN_MAX,
        widget=markdown_textarea(6, "What the project asks for (markdown)"),
        error_messages={"required": "Describe the project."},
    )
    kind = forms.ChoiceField(
        choices=ProjectKind.choices,
        initial=ProjectKind.PAPER,
        error_messages={"required": "Choose what kind of project it is."},
    )
    agenda = forms.ModelChoiceField(
        queryset=Agenda.objects.all(),
        required=False,
        empty_label="The community list",
        help_text="The agenda it belongs to, or the board's own community list.",
    )
    note = forms.CharField(
        label="Why",
        required=False,
        max_length=NOTE_MAX,
        widget=textarea(2),
        help_text="Optional: a word for the curators.",
    )

    def __init__(self, *args, by, project: Project | None = None, **kwargs) -> None:
        if project is not None:
            kwargs.setdefault(
                "initial",
                {"title": project.title, "description": project.description, "kind": project.kind},
            )
        super().__init__(*args, **kwargs)
        self.by, self.project = by, project
        if project is not None:
            del self.fields["agenda"]

    def perform(self) -> object:
        """Send the proposal. Raises ValidationError(code="unchanged") for an edit that
        changes nothing."""
        data = self.cleaned_data
        text = {
            "title": data["title"],
            "description": data["description"],
            "kind": data["kind"],
            "note": data["note"],
        }
        if self.project is None:
            return services.project_propose(by=self.by, agenda=data["agenda"], **text)
        return services.project_propose_edit(by=self.by, project=self.project, **text)
