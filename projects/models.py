"""Agendas, the projects they list, and the tags on both."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from projects.markdown import markdown_to_text, render_markdown
from projects.querysets import AgendaQuerySet, ProjectQuerySet


def _with_rendered(update_fields, source: str, rendered: str):
    """Widen ``update_fields`` so that a rendered HTML field is saved with its source."""
    if update_fields is not None and source in update_fields:
        return {*update_fields, rendered}
    return update_fields


class Tag(models.Model):
    """A label on agendas and projects, such as "interpretability"."""

    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agenda(models.Model):
    """A published list of research ideas, such as a blog post of open problems."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField("source URL", max_length=500, blank=True)
    intro = models.TextField(blank=True, help_text="Markdown shown above the agenda's projects.")
    intro_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="agendas")
    published_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Save, rendering the intro's HTML whenever the intro is written."""
        self.intro_html = render_markdown(self.intro)
        kwargs["update_fields"] = _with_rendered(kwargs.get("update_fields"), "intro", "intro_html")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:agenda-detail", args=[self.slug])

    @property
    def source_host(self) -> str:
        """The host the agenda was published on, for attribution ("lesswrong.com")."""
        host = urlsplit(self.source_url).hostname or ""
        return host.removeprefix("www.")


class ProjectKind(models.TextChoices):
    """What a project asks for: the shape of the output."""

    PAPER = "paper", "Paper"
    BLOG_POST = "blog_post", "Blog post"
    LIST = "list", "List"
    SCENARIO = "scenario", "Scenario"
    SKETCH = "sketch", "Sketch"
    EXERCISES = "exercises", "Exercises"
    INVESTIGATION = "investigation", "Investigation"
    COMPARISON = "comparison", "Comparison"
    OTHER = "other", "Other"


class ProjectStatus(models.TextChoices):
    """Where a project stands. "Claimed" is not a status: it is derived from active claims."""

    PROPOSED = "proposed", "Proposed"
    OPEN = "open", "Open"
    ADDRESSED = "addressed", "Addressed"
    RETIRED = "retired", "Retired"


class Project(models.Model):
    """One idea of an agenda, which researchers claim, discuss and answer with outputs."""

    Kind = ProjectKind
    Status = ProjectStatus

    agenda = models.ForeignKey(Agenda, on_delete=models.PROTECT, related_name="projects")
    number = models.PositiveIntegerField(help_text="The item's number in its agenda.")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="Markdown: the item's own text.")
    description_html = models.TextField(editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    claim_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Blank: any number of researchers at once. 1: exclusive.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects")
    # What the importer last wrote: a title or description that differs from these was
    # edited by a curator, and a re-import leaves it alone.
    imported_title = models.CharField(max_length=200, blank=True, editable=False)
    imported_description = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agenda", "number"],
                name="project_unique_number_in_agenda",
                violation_error_message="This agenda already has a project with that number.",
            ),
            models.CheckConstraint(
                condition=models.Q(claim_limit__isnull=True) | models.Q(claim_limit__gte=1),
                name="project_claim_limit_positive",
                violation_error_message="A claim limit is blank or at least 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProjectStatus.values),
                name="project_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ProjectKind.values),
                name="project_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="project_status_idx")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def save(self, *args, **kwargs) -> None:
        """Save, rendering the description's HTML whenever the description is written."""
        self.description_html = render_markdown(self.description)
        kwargs["update_fields"] = _with_rendered(
            kwargs.get("update_fields"), "description", "description_html"
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:project-detail", args=[self.slug])

    @property
    def source_item_url(self) -> str:
        """The original item: the agenda's page, scrolled to the item's opening words.

        A text fragment (``#:~:text=``) makes browsers that support it jump to and
        highlight the item; others just open the page.
        """
        if not self.agenda.source_url:
            return ""
        opening = " ".join(
            markdown_to_text(self.imported_description or self.description).split()[:6]
        )
        return f"{self.agenda.source_url}#:~:text={quote(opening, safe='')}"
