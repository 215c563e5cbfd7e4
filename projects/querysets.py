"""The read vocabulary of the domain: QuerySets named after what a page needs."""

from django.db import models


class AgendaQuerySet(models.QuerySet):
    """Reads of agendas."""

    def for_detail(self) -> "AgendaQuerySet":
        """An agenda page: the agenda with its tags in one extra query."""
        return self.prefetch_related("tags")

    def with_project_counts(self) -> "AgendaQuerySet":
        """Annotate ``project_count`` (every project, whatever its status)."""
        return self.annotate(project_count=models.Count("projects"))


class ProjectQuerySet(models.QuerySet):
    """Reads of projects."""

    def public(self) -> "ProjectQuerySet":
        """Projects a visitor may see: everything but proposals awaiting a curator."""
        return self.exclude(status=self.model.Status.PROPOSED)

    def in_agenda_order(self) -> "ProjectQuerySet":
        """Agenda by agenda, each in its source numbering."""
        return self.order_by("agenda_id", "number")

    def for_list(self) -> "ProjectQuerySet":
        """A list of projects: each row shows its agenda, so join it rather than ask per row."""
        return self.select_related("agenda").in_agenda_order()

    def for_detail(self) -> "ProjectQuerySet":
        """A project page: its agenda joined, its tags prefetched."""
        return self.select_related("agenda").prefetch_related("tags")
