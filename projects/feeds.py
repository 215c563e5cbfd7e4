"""Atom feeds of public activity: the whole board, one agenda, one project, one tag.

Every feed tells the same events as the activity page (``Event.objects.for_feed()``), in
the same words, newest first and at most ``FEED_ENTRIES`` of them, in one query for the
events (and one for the agenda, project or tag), however many entries there are.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed, get_tag_uri
from django.utils.html import escape
from django.views.decorators.http import require_safe

from projects.models import Agenda, Event, Project, Tag
from projects.querysets import EventQuerySet

FEED_ENTRIES = 50


# Feed readers ask with HEAD as well as GET; nothing else is answered.
@method_decorator(require_safe, name="__call__")
class ActivityFeed(Feed):
    """What every activity feed shares: Atom, the latest public events, one entry each."""

    feed_type = Atom1Feed

    def events(self, obj) -> EventQuerySet:
        """The events this feed tells, newest first (each subclass narrows ``for_feed``)."""
        raise NotImplementedError

    def items(self, obj) -> list[Event]:
        """The latest ``FEED_ENTRIES`` events."""
        return list(self.events(obj)[:FEED_ENTRIES])

    def author_name(self) -> str:
        """The board, as the feed's author (each entry names its own actor)."""
        return settings.SITE_NAME

    def item_title(self, event: Event) -> str:
        """One plain sentence: "Ada claimed “Title of project”"."""
        return event.headline

    def item_description(self, event: Event) -> str | None:
        """The comment's text, the output's title or the note, as escaped HTML: Atom says a
        summary is HTML, and nothing a user wrote may become markup in a reader."""
        return escape(event.summary) or None

    def item_link(self, event: Event) -> str:
        """The project page, at the comment or output, else at its history."""
        return event.get_absolute_url()

    def item_guid(self, event: Event) -> str:
        """A tag URI of the event itself: stable whatever host, slug or title it is read at."""
        return get_tag_uri(f"{settings.SITE_URL.rstrip('/')}/events/{event.pk}", event.created_at)

    def item_pubdate(self, event: Event):
        """When it happened."""
        return event.created_at

    def item_updateddate(self, event: Event):
        """When it happened (an event never changes)."""
        return event.created_at

    def item_author_name(self, event: Event) -> str:
        """Who did it, by public name (never an email address)."""
        return event.actor_name


class SiteFeed(ActivityFeed):
    """Everything that happens on the board."""

    def title(self) -> str:
        """The board's name."""
        return f"{settings.SITE_NAME}: recent activity"

    def subtitle(self) -> str:
        """What the feed tells."""
        return "Claims, discussion, outputs and status changes across every agenda."

    def link(self) -> str:
        """The activity page."""
        return reverse("projects:activity")

    def events(self, obj) -> EventQuerySet:
        """Every public event of a live project."""
        return Event.objects.for_feed()


class AgendaFeed(ActivityFeed):
    """What happens to the projects of one agenda."""

    def get_object(self, request: HttpRequest, slug: str) -> Agenda:
        """The agenda, or 404."""
        return get_object_or_404(Agenda, slug=slug)

    def title(self, agenda: Agenda) -> str:
        """The agenda's title."""
        return f"{agenda.title} · {settings.SITE_NAME}"

    def subtitle(self, agenda: Agenda) -> str:
        """What the feed tells."""
        return f"Claims, discussion, outputs and status changes on the projects of {agenda}."

    def link(self, agenda: Agenda) -> str:
        """The agenda's page."""
        return agenda.get_absolute_url()

    def events(self, agenda: Agenda) -> EventQuerySet:
        """The public events of the agenda's live projects."""
        return Event.objects.for_feed().filter(project__agenda=agenda)


class MergedAway(Exception):
    """A project feed was asked for a duplicate merged into ``kept``."""

    def __init__(self, kept: Project) -> None:
        super().__init__(kept.slug)
        self.kept = kept


class ProjectFeed(ActivityFeed):
    """One project's history; a merged duplicate's feed redirects to the kept project's."""

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """The feed, or a permanent redirect to the feed of the project a duplicate went into."""
        try:
            return super().__call__(request, *args, **kwargs)
        except MergedAway as merged:
            return redirect("projects:feed-project", merged.kept.slug, permanent=True)

    def get_object(self, request: HttpRequest, slug: str) -> Project:
        """The public project, or 404 (an unpublished proposal too). Raises MergedAway."""
        project = get_object_or_404(
            Project.objects.public().select_related("merged_into"), slug=slug
        )
        if project.merged_into_id:
            raise MergedAway(project.merged_into)
        return project

    def title(self, project: Project) -> str:
        """The project's title."""
        return f"{project.title} · {settings.SITE_NAME}"

    def subtitle(self, project: Project) -> str:
        """What the feed tells."""
        return f"Claims, discussion, outputs and status changes on item {project.number}."

    def link(self, project: Project) -> str:
        """The project page's history."""
        return f"{project.get_absolute_url()}#history"

    def events(self, project: Project) -> EventQuerySet:
        """The project's public events."""
        return Event.objects.for_feed().filter(project=project)


class TagFeed(ActivityFeed):
    """What happens to the projects with one tag."""

    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        """The tag, or 404."""
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag: Tag) -> str:
        """The tag's name."""
        return f"Projects tagged “{tag.name}” · {settings.SITE_NAME}"

    def subtitle(self, tag: Tag) -> str:
        """What the feed tells."""
        return f"Claims, discussion, outputs and status changes on projects tagged “{tag}”."

    def link(self, tag: Tag) -> str:
        """The tag's page: its projects."""
        return reverse("projects:tag-detail", args=[tag.slug])

    def events(self, tag: Tag) -> EventQuerySet:
        """The public events of the live projects with the tag."""
        return Event.objects.for_feed().filter(project__tags=tag)
