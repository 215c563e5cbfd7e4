"""The shapes of the JSON API's answers and query parameters, which its OpenAPI document
describes."""

import datetime
from typing import Literal

from ninja import Field, Schema

from projects.models import Claim, Output, OutputKind, Project, ProjectKind, ProjectStatus

# Page sizes of the API's lists: the default, and the most one request may ask for.
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# Far past any real list, and well inside what every database accepts as an OFFSET.
MAX_OFFSET = 1_000_000

# A visitor never sees an unpublished proposal, so "proposed" is no status of the API.
PublicStatus = Literal[tuple(s for s in ProjectStatus.values if s != ProjectStatus.PROPOSED)]
Kind = Literal[tuple(ProjectKind.values)]
Standing = Literal[tuple(Project.Standing.values)]


class Problem(Schema):
    """What went wrong, in words; for bad query parameters, one entry per parameter."""

    detail: str
    errors: list["ParameterError"] = []


class ParameterError(Schema):
    """One bad query parameter and why."""

    parameter: str
    message: str


Problem.model_rebuild()


class PageParams(Schema):
    """Paging through a list: ``limit`` rows from ``offset``."""

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class ProjectFilters(PageParams):
    """Which projects to list; every filter given must hold."""

    agenda: str | None = Field(None, description="An agenda's slug.")
    status: PublicStatus | None = None
    tag: str | None = Field(None, description="A tag's slug.")
    kind: Kind | None = None
    unclaimed: bool | None = Field(
        None,
        description=(
            "true: open, and nobody holds an active claim on it (the list's “Nobody on it”); "
            "false: open, and somebody does. Addressed and retired projects match neither."
        ),
    )


class StandingCounts(Schema):
    """How many live projects an agenda has, in all and in each standing, as the board's
    lists and the agenda's glance say; the standings add up to the total."""

    total: int
    unclaimed: int = Field(description=Project.Standing.UNCLAIMED.label)
    in_progress: int = Field(description=Project.Standing.IN_PROGRESS.label)
    stale: int = Field(description=Project.Standing.STALE.label)
    completed: int = Field(description=Project.Standing.COMPLETED.label)
    partly_addressed: int = Field(description=Project.Standing.PARTLY_ADDRESSED.label)
    addressed: int = Field(description=Project.Standing.ADDRESSED.label)
    retired: int = Field(description=Project.Standing.RETIRED.label)


class AgendaOut(Schema):
    """A published list of research ideas."""

    slug: str
    title: str
    author: str
    source_url: str = Field(description="Where the agenda was first published, if known.")
    published_on: datetime.date | None
    url: str = Field(description="The agenda's page on the board.")
    counts: StandingCounts


class AgendaDetailOut(AgendaOut):
    """An agenda with its introduction."""

    intro: str = Field(description="Markdown source.")


class TagOut(Schema):
    """A label on projects."""

    slug: str
    name: str


class ProjectCounts(Schema):
    """What can be counted on a project, in public."""

    active_claims: int
    completed_claims: int
    interested: int = Field(description='Researchers who said "I want this done".')
    comments: int = Field(description="Comments shown (not deleted, not hidden).")
    outputs: int = Field(description="Linked outputs, rejected ones left out.")


class ProjectOut(Schema):
    """One project idea of an agenda."""

    slug: str
    number: int = Field(description="The item's number in its agenda.")
    agenda: str = Field(description="The agenda's slug.")
    title: str
    kind: Kind
    status: PublicStatus
    standing: Standing = Field(
        description="Where it stands, as the board's lists say: "
        + "; ".join(f"{choice.value}: {choice.label.lower()}" for choice in Project.Standing)
        + "."
    )
    tags: list[TagOut]
    claim_limit: int | None = Field(
        description="How many researchers may hold it at once; null: any number."
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str = Field(description="The project's page on the board.")
    counts: ProjectCounts


class ResearcherOut(Schema):
    """A researcher as the board shows them: no email address."""

    name: str
    url: str = Field(description="The researcher's page on the board.")


class ClaimOut(Schema):
    """A researcher working (or who worked) on the project."""

    researcher: ResearcherOut
    state: Literal[tuple(Claim.State.values)]
    started_at: datetime.datetime
    last_activity_at: datetime.datetime
    target_date: datetime.date | None
    ended_at: datetime.datetime | None


class OutputOut(Schema):
    """A linked result; rejected ones are never listed."""

    url: str
    title: str
    kind: Literal[tuple(OutputKind.values)]
    addresses: Literal[tuple(Output.Addresses.values)]
    review: Literal[tuple(r for r in Output.Review.values if r != Output.Review.REJECTED)]


class ProjectDetailOut(ProjectOut):
    """A project with its text, its claims and its outputs."""

    description: str = Field(description="Markdown source: the item's own text.")
    summary: str = Field(description='Markdown source, kept by curators: "state of this project".')
    claims: list[ClaimOut]
    outputs: list[OutputOut]


class Page(Schema):
    """A page of a list, with links to its neighbours."""

    count: int = Field(description="Rows in the whole list.")
    limit: int
    offset: int
    next: str | None
    previous: str | None


class AgendaPage(Page):
    """A page of agendas."""

    results: list[AgendaOut]


class ProjectPage(Page):
    """A page of projects."""

    results: list[ProjectOut]
