"""Agendas (published lists of ideas) and the tags on agendas and projects."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from projects.markdown import RenderedMarkdown
from projects.querysets import AgendaQuerySet
from projects.validators import validate_link

if TYPE_CHECKING:
    from projects.glance import Glance


class Tag(models.Model):
    """A label on agendas and projects, such as "interpretability"."""

    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:tag-detail", args=[self.slug])

    @classmethod
    def named(cls, name: str) -> Tag | None:
        """The tag with this name (or this name's slug), made if there is none yet; None for a
        name with no letters or digits."""
        name = " ".join(name.split())[:50]
        slug = slugify(name, allow_unicode=True)
        if not slug:
            return None
        tag = cls.objects.filter(models.Q(name__iexact=name) | models.Q(slug=slug)).first()
        return tag or cls.objects.create(name=name, slug=slug)


class Agenda(RenderedMarkdown):
    """A published list of research ideas, such as a blog post of open problems."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(
        "source URL", max_length=500, blank=True, validators=[validate_link]
    )
    intro = models.TextField(blank=True, help_text="Markdown shown above the agenda's projects.")
    intro_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="agendas")
    published_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaQuerySet.as_manager()
    markdown_fields = {"intro": "intro_html"}

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:agenda-detail", args=[self.slug])

    COMMUNITY_SLUG = "community"

    @classmethod
    def community(cls) -> Agenda:
        """The board's own list, for ideas proposed here rather than imported."""
        agenda, _ = cls.objects.get_or_create(
            slug=cls.COMMUNITY_SLUG,
            defaults={
                "title": "Community proposals",
                "intro": "Project ideas proposed by researchers on this board.",
            },
        )
        return agenda

    @property
    def is_community(self) -> bool:
        """Whether this is the board's own list of proposals (numbered by the board)."""
        return self.slug == self.COMMUNITY_SLUG

    @cached_property
    def glance(self) -> Glance:
        """Its live projects at a glance: a cell and a standing each, and the counts.

        Reads the prefetched ``glance_projects`` (``AgendaQuerySet.with_glance``) when
        present, so that a page asks no query for it; otherwise asks one.
        """
        from projects.glance import Glance

        projects = getattr(self, "glance_projects", None)
        if projects is None:
            projects = self.projects.live().for_glance()
        return Glance.of(projects)

    @property
    def source_host(self) -> str:
        """The host the agenda was published on, for attribution ("lesswrong.com")."""
        host = urlsplit(self.source_url).hostname or ""
        return host.removeprefix("www.")
