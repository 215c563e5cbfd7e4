"""An agenda at a glance: one cell per live project, and how many stand where."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.template.defaultfilters import pluralize

from projects.models.project import Project, ProjectStanding

# How a count reads in a sentence ("1 completed but still open"), where it differs from the
# standing's label in lower case.
_WORDS = {ProjectStanding.COMPLETED: "completed but still open"}

# The order of a progress sentence: work under way and its results first, untouched ideas last.
_SENTENCE_ORDER = [
    ProjectStanding.IN_PROGRESS,
    ProjectStanding.STALE,
    ProjectStanding.COMPLETED,
    ProjectStanding.PARTLY_ADDRESSED,
    ProjectStanding.ADDRESSED,
    ProjectStanding.RETIRED,
    ProjectStanding.UNCLAIMED,
]


@dataclass(frozen=True)
class StandingCount:
    """How many of an agenda's projects stand one way: a line of the legend."""

    standing: ProjectStanding
    count: int

    @property
    def value(self) -> str:
        """The standing's value, which names its CSS class (``standing-<value>``)."""
        return self.standing.value

    @property
    def label(self) -> str:
        """The standing in words, as a legend names it ("Completed, still open")."""
        return self.standing.label

    @property
    def words(self) -> str:
        """The count in a sentence: "3 in progress", "1 completed but still open"."""
        return f"{self.count} {_WORDS.get(self.standing, self.standing.label.lower())}"


@dataclass(frozen=True)
class Glance:
    """An agenda's live projects in source order, each with its ``standing`` annotated
    (``ProjectQuerySet.for_glance``), and the counts its legend and summary show."""

    cells: list[Project]

    @classmethod
    def of(cls, projects: Iterable[Project]) -> Glance:
        """The glance of these projects (rows of ``for_glance`` or ``for_list``)."""
        return cls(cells=list(projects))

    @cached_property
    def _counts(self) -> Counter:
        return Counter(project.standing for project in self.cells)

    @property
    def legend(self) -> list[StandingCount]:
        """Every standing, in its natural order, with how many projects stand so (maybe 0)."""
        return [StandingCount(standing, self._counts[standing]) for standing in ProjectStanding]

    @property
    def present(self) -> list[StandingCount]:
        """The standings some project is in, in the order a progress sentence reads them."""
        return [
            StandingCount(standing, self._counts[standing])
            for standing in _SENTENCE_ORDER
            if self._counts[standing]
        ]

    @property
    def total(self) -> str:
        """How many projects, in words: "26 projects", "1 project"."""
        count = len(self.cells)
        return f"{count} project{pluralize(count)}"

    @property
    def summary(self) -> str:
        """Progress in words and numbers: "26 projects: 3 in progress, 1 addressed, 22
        unclaimed", or "No projects yet"."""
        if not self.cells:
            return "No projects yet"
        return f"{self.total}: {', '.join(entry.words for entry in self.present)}"
