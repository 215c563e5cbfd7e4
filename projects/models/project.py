"""Projects: one idea of an agenda, and the rules for claiming, discussing and answering it."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import slugify

from projects.markdown import RenderedMarkdown, markdown_to_text
from projects.markdown.mentions import mentioned_names
from projects.models.agenda import Agenda, Tag
from projects.models.claim import Claim, target_date_is_near
from projects.models.comment import Comment
from projects.models.curation import MAX_CLAIM_LIMIT, MAX_CLAIM_WINDOW_DAYS, ProjectCuration
from projects.models.event import Event
from projects.models.interest import Interest, Watch
from projects.models.output import Output
from projects.querysets import ProjectQuerySet
from projects.search import GinIndexOnPostgreSQL
from projects.validators import OneLineCharField

SLUG_MAX_LENGTH = 60
# Paths under /projects/ that are pages of their own, never a project.
RESERVED_SLUGS = frozenset({"propose", "random"})


def unique_slug(title: str, taken: set[str] | None = None) -> str:
    """A URL slug from a title, cut at a word, with -2, -3, ... if it is taken.

    ``taken`` is the set of slugs to avoid; without it, the database is asked.
    """
    base = slugify(title)
    if len(base) > SLUG_MAX_LENGTH:
        base = base[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    base = base or "project"
    if taken is None:
        taken = set(Project.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken = taken | RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


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


class ProjectStanding(models.TextChoices):
    """Where a project stands for someone looking for work: derived, never stored.

    ``ProjectQuerySet.with_standing`` computes it in SQL, so lists can filter and count by it.
    """

    UNCLAIMED = "unclaimed", "Unclaimed"
    IN_PROGRESS = "in_progress", "In progress"
    STALE = "stale", "Stale"
    COMPLETED = "completed", "Completed, still open"
    PARTLY_ADDRESSED = "partly_addressed", "Partly addressed"
    ADDRESSED = "addressed", "Addressed"
    RETIRED = "retired", "Retired"


class Project(ProjectCuration, RenderedMarkdown):
    """One idea of an agenda, which researchers claim, discuss and answer with outputs.

    What researchers do lives here; what curators do (status, edits, tags, limits) in
    ProjectCuration; flows across several projects or objects in ``projects.services``.
    """

    Kind = ProjectKind
    Status = ProjectStatus
    Standing = ProjectStanding

    agenda = models.ForeignKey(Agenda, on_delete=models.PROTECT, related_name="projects")
    number = models.PositiveIntegerField(help_text="The item's number in its agenda.")
    slug = models.SlugField(max_length=80, unique=True)
    title = OneLineCharField(max_length=200)
    description = models.TextField(help_text="Markdown: the item's own text.")
    description_html = models.TextField(editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    claim_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CLAIM_LIMIT)],
        help_text="Blank: any number of researchers at once. 1: exclusive.",
    )
    claim_window_days = models.PositiveSmallIntegerField(
        "claim window (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CLAIM_WINDOW_DAYS)],
        help_text=(
            "How many days a claim may stay silent before it shows as stale and its holder "
            "is reminded. Blank: the board's default."
        ),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects")
    summary = models.TextField(
        "state of this project",
        blank=True,
        help_text="Markdown, kept by curators: agreed scope, related work, open sub-questions.",
    )
    summary_html = models.TextField(blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
    )
    # What the importer last wrote: a title or description that differs from these was
    # edited by a curator, and a re-import leaves it alone.
    imported_title = models.CharField(max_length=200, blank=True, editable=False)
    imported_description = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Full-text search on PostgreSQL: weighted words of the title, the texts, the shown
    # comments and outputs, kept current by ``projects.search.refresh_search_vector``.
    # Always empty on SQLite, which searches without it.
    search_vector = SearchVectorField(null=True, editable=False)

    # The moves a curator may make, and what each is called.
    TRANSITIONS = {
        (ProjectStatus.PROPOSED, ProjectStatus.OPEN): "approve its proposal",
        (ProjectStatus.OPEN, ProjectStatus.ADDRESSED): "mark addressed",
        (ProjectStatus.OPEN, ProjectStatus.RETIRED): "retire",
        (ProjectStatus.ADDRESSED, ProjectStatus.OPEN): "reopen",
        (ProjectStatus.ADDRESSED, ProjectStatus.RETIRED): "retire",
        (ProjectStatus.RETIRED, ProjectStatus.OPEN): "reopen",
    }

    objects = ProjectQuerySet.as_manager()
    markdown_fields = {"description": "description_html", "summary": "summary_html"}

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
                condition=models.Q(claim_window_days__isnull=True)
                | models.Q(claim_window_days__gte=1),
                name="project_claim_window_positive",
                violation_error_message="A claim window is blank or at least 1 day.",
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
        indexes = [
            models.Index(fields=["status"], name="project_status_idx"),
            GinIndexOnPostgreSQL(fields=["search_vector"], name="project_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:project-detail", args=[self.slug])

    def discussion_url(self, page: int = 1, *, anchor: str = "discussion") -> str:
        """Its page at one page of the discussion (page 1, the latest, needs no query
        string), scrolled to ``anchor``."""
        query = f"?discussion={page}" if page > 1 else ""
        return f"{self.get_absolute_url()}{query}#{anchor}"

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

    @property
    def is_open(self) -> bool:
        """Whether the project takes new claims (comments and outputs are welcome on any
        published project that was not merged away)."""
        return self.status == self.Status.OPEN

    @property
    def is_public(self) -> bool:
        """Whether visitors may see the project: every status but an unpublished proposal."""
        return self.status != self.Status.PROPOSED

    @property
    def is_full(self) -> bool:
        """Whether the project already has as many researchers as its claim limit allows.

        Reads the prefetched ``active_claims`` (``ProjectQuerySet.for_list``/``for_detail``)
        when present, so that a page asks no query for it.
        """
        active = getattr(self, "active_claims", None)
        count = len(active) if active is not None else self.claims.active().count()
        return self.limit_reached(count)

    @property
    def claim_window(self) -> datetime.timedelta:
        """How long a claim here may stay silent before it is stale: the curators' window
        for this project, else CLAIM_STALE_DAYS."""
        return datetime.timedelta(days=self.claim_window_days or settings.CLAIM_STALE_DAYS)

    @property
    def standing_label(self) -> str:
        """The project's standing in words; needs ``with_standing`` (``for_list``)."""
        return self.Standing(self.standing).label

    @property
    def next_target_date(self) -> datetime.date | None:
        """The nearest target date among the active claims (prefetched ``active_claims``)."""
        return min((c.target_date for c in self.active_claims if c.target_date), default=None)

    @property
    def last_claim_activity(self) -> datetime.datetime | None:
        """When anyone holding an active claim was last heard from (prefetched claims)."""
        return max((c.last_activity_at for c in self.active_claims), default=None)

    @property
    def status_change(self):
        """Why a project that is not open is so: its latest status change, else None.

        Reads ``latest_status_changes`` when ``for_detail`` prefetched it.
        """
        if self.is_open:
            return None
        changes = getattr(self, "latest_status_changes", None)
        if changes is None:
            changes = self.status_changes.select_related("changed_by")[:1]
        return next(iter(changes), None)

    def limit_reached(self, active_count: int) -> bool:
        """Whether ``active_count`` active claims fill the project (never, without a limit)."""
        return bool(self.claim_limit) and active_count >= self.claim_limit

    def record_added(self, *, by) -> None:
        """Start the history of a project a curator added by hand."""
        Event.record(project=self, actor=by, kind=Event.Kind.ADDED)

    def lock_for_claim(self, *, researcher) -> Project:
        """This project, locked, once it has room for one more active claim of ``researcher``
        (a new claim, or a dormant one revived); call inside a transaction.

        Raises ValidationError with code "not_open", "already_claimed", "personal_cap" or
        "full". The project's row lock serializes racing claims on it, on any number of
        app servers; the researcher's row lock does the same for their personal cap.
        """
        project = Project.objects.select_for_update().get(pk=self.pk)
        get_user_model().objects.select_for_update().filter(pk=researcher.pk).first()
        if project.status != self.Status.OPEN:
            raise ValidationError("This project is not open for claims.", code="not_open")
        if project.claims.active().filter(researcher=researcher).exists():
            raise ValidationError(
                "You already have an active claim on this project.", code="already_claimed"
            )
        cap = settings.MAX_ACTIVE_CLAIMS
        if Claim.objects.active().filter(researcher=researcher).count() >= cap:
            raise ValidationError(
                f"You already hold {cap} active claims, the most anyone may hold at once. "
                "Complete or release one of them first.",
                code="personal_cap",
            )
        if project.limit_reached(project.claims.active().count()):
            raise ValidationError(
                "This project already has as many researchers as it takes.", code="full"
            )
        return project

    @transaction.atomic
    def claim(
        self,
        *,
        researcher,
        plan: str = "",
        target_date: datetime.date | None = None,
        output_kind: str = "",
    ) -> Claim:
        """Open project -> one more active claim.

        Raises ValidationError with code "not_open", "already_claimed", "personal_cap" or
        "full" (see ``lock_for_claim``, whose row locks serialize racing claims). A target
        date chosen inside the reminder window is not reminded of.
        """
        project = self.lock_for_claim(researcher=researcher)
        try:
            with transaction.atomic():  # a savepoint, so the error leaves the transaction usable
                claim = Claim.objects.create(
                    project=project,
                    researcher=researcher,
                    plan=plan,
                    target_date=target_date,
                    target_reminded_for=target_date if target_date_is_near(target_date) else None,
                    output_kind=output_kind,
                )
        except IntegrityError:
            raise ValidationError(
                "You already have an active claim on this project.", code="already_claimed"
            ) from None
        Event.record(
            project=project,
            actor=researcher,
            kind=Event.Kind.CLAIMED,
            claim=claim,
            mentioned=mentioned_names(claim.plan_html),
        )
        return claim

    @transaction.atomic
    def add_comment(
        self, *, author, body: str, is_scope: bool = False, parent: Comment | None = None
    ) -> Comment:
        """A new comment, or a reply to a top-level comment of this project.

        Raises ValidationError(code="bad_parent") for a reply to a reply or to another
        project's comment, and (code="parent_deleted") for a reply to a deleted comment.
        """
        if parent is not None:
            if parent.project_id != self.pk or parent.parent_id is not None:
                raise ValidationError(
                    "You can reply only to a top-level comment.", code="bad_parent"
                )
            if not parent.is_shown:
                raise ValidationError(
                    "That comment is no longer shown; reply to the discussion instead.",
                    code="parent_deleted",
                )
        comment = Comment.objects.create(
            project=self, author=author, body=body, is_scope=is_scope, parent=parent
        )
        kind = Event.Kind.REPLIED if parent else Event.Kind.COMMENTED
        Event.record(
            project=self,
            actor=author,
            kind=kind,
            comment=comment,
            mentioned=mentioned_names(comment.body_html),
        )
        return comment

    @transaction.atomic
    def link_output(
        self,
        *,
        by,
        url: str,
        title: str,
        kind: str,
        addresses: str = Output.Addresses.PARTLY,
        claim: Claim | None = None,
    ) -> Output:
        """A new output awaiting review.

        Raises ValidationError with code "duplicate" when the URL is already linked here,
        "not_your_claim" for a claim that is not the linker's on this project, or the
        field errors of ``Output.full_clean`` (codes "invalid", "max_length", "required",
        "invalid_choice") for a URL, title, kind or extent the model refuses.
        """
        if claim is not None and (claim.project_id != self.pk or claim.researcher_id != by.pk):
            raise ValidationError(
                "Choose one of your own claims on this project.", code="not_your_claim"
            )
        output = Output(
            project=self,
            submitted_by=by,
            url=url,
            title=title,
            kind=kind,
            addresses=addresses,
            claim=claim,
        )
        output.full_clean(exclude=["project", "submitted_by", "claim"], validate_unique=False)
        try:
            with transaction.atomic():
                output.save()
        except IntegrityError:
            raise ValidationError(
                "This link is already on this project.", code="duplicate"
            ) from None
        Event.record(project=self, actor=by, kind=Event.Kind.OUTPUT_LINKED, output=output)
        return output

    @transaction.atomic
    def set_interest(self, *, researcher, interested: bool, note: str = "") -> Interest | None:
        """Add (or update the note of) the researcher's interest, or withdraw it. Never raises."""
        if not interested:
            deleted, _ = Interest.objects.filter(project=self, researcher=researcher).delete()
            if deleted:
                Event.record(project=self, actor=researcher, kind=Event.Kind.UNINTERESTED)
            return None
        interest, created = Interest.objects.update_or_create(
            project=self, researcher=researcher, defaults={"note": note}
        )
        if created:
            Event.record(project=self, actor=researcher, kind=Event.Kind.INTERESTED, note=note)
        return interest

    @transaction.atomic
    def set_watch(self, *, user, watching: bool) -> None:
        """Start or stop watching this project; doing what is already so changes nothing.

        Never raises.
        """
        if watching:
            _, created = Watch.objects.get_or_create(project=self, user=user)
            if created:
                Event.record(project=self, actor=user, kind=Event.Kind.WATCHED)
        elif Watch.objects.filter(project=self, user=user).delete()[0]:
            Event.record(project=self, actor=user, kind=Event.Kind.UNWATCHED)
