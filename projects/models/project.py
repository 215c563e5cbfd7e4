"""Projects: one idea of an agenda, and the rules for claiming, discussing and answering it."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from projects.markdown import markdown_to_text, render_markdown, with_rendered_field
from projects.models.agenda import Agenda, Tag
from projects.models.claim import Claim
from projects.models.comment import Comment
from projects.models.event import Event
from projects.models.history import StatusChange, TextVersion
from projects.models.interest import Interest, Watch
from projects.models.output import Output
from projects.querysets import ProjectQuerySet

SLUG_MAX_LENGTH = 60
# Paths under /projects/ that are pages of their own, never a project.
RESERVED_SLUGS = frozenset({"propose"})


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
        self.summary_html = render_markdown(self.summary)
        update_fields = with_rendered_field(
            kwargs.get("update_fields"), "description", "description_html"
        )
        kwargs["update_fields"] = with_rendered_field(update_fields, "summary", "summary_html")
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

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

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
        if project.claim_limit and project.claims.active().count() >= project.claim_limit:
            raise ValidationError(
                "This project already has as many researchers as it takes.", code="full"
            )
        try:
            with transaction.atomic():  # a savepoint, so the error leaves the transaction usable
                claim = Claim.objects.create(
                    project=project,
                    researcher=researcher,
                    plan=plan,
                    target_date=target_date,
                    output_kind=output_kind,
                )
        except IntegrityError:
            raise ValidationError(
                "You already have an active claim on this project.", code="already_claimed"
            ) from None
        Event.record(project=project, actor=researcher, kind=Event.Kind.CLAIMED, claim=claim)
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
            if parent.is_deleted or parent.is_hidden:
                raise ValidationError(
                    "That comment is no longer shown; reply to the discussion instead.",
                    code="parent_deleted",
                )
        comment = Comment.objects.create(
            project=self, author=author, body=body, is_scope=is_scope, parent=parent
        )
        kind = Event.Kind.REPLIED if parent else Event.Kind.COMMENTED
        Event.record(project=self, actor=author, kind=kind, comment=comment)
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
        or "not_your_claim" for a claim that is not the linker's on this project.
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
        """Add (or update the note of) the researcher's interest, or withdraw it."""
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
        """Start or stop watching this project; doing what is already so changes nothing."""
        if watching:
            _, created = Watch.objects.get_or_create(project=self, user=user)
            if created:
                Event.record(project=self, actor=user, kind=Event.Kind.WATCHED)
        elif Watch.objects.filter(project=self, user=user).delete()[0]:
            Event.record(project=self, actor=user, kind=Event.Kind.UNWATCHED)

    # The moves a curator may make, and what each is called.
    TRANSITIONS = {
        (ProjectStatus.PROPOSED, ProjectStatus.OPEN): "approve its proposal",
        (ProjectStatus.OPEN, ProjectStatus.ADDRESSED): "mark addressed",
        (ProjectStatus.OPEN, ProjectStatus.RETIRED): "retire",
        (ProjectStatus.ADDRESSED, ProjectStatus.OPEN): "reopen",
        (ProjectStatus.ADDRESSED, ProjectStatus.RETIRED): "retire",
        (ProjectStatus.RETIRED, ProjectStatus.OPEN): "reopen",
    }

    @transaction.atomic
    def change_status(
        self, *, to: str, by, reason: str, outputs=(), approving: bool = False
    ) -> StatusChange:
        """Move the project to another status, recording who, when and why.

        "addressed" must name accepted outputs of this project that justify it. A proposed
        project leaves "proposed" only when its proposal is approved (``approving``), and a
        merged duplicate never changes again. Raises ValidationError with code "reason",
        "merged", "proposal", "transition" or "outputs".
        """
        if not reason.strip():
            raise ValidationError(
                "Give a reason: it is kept in the project's history.", code="reason"
            )
        project = Project.objects.select_for_update().get(pk=self.pk)
        if project.merged_into_id:
            raise ValidationError("This project was merged into another.", code="merged")
        if project.status == self.Status.PROPOSED and not approving:
            raise ValidationError(
                "A proposed project is published by approving its proposal.", code="proposal"
            )
        if (project.status, to) not in self.TRANSITIONS:
            raise ValidationError(
                f"A {project.get_status_display().lower()} project cannot become "
                f"{ProjectStatus(to).label.lower()}.",
                code="transition",
            )
        outputs = list(outputs)
        if to == self.Status.ADDRESSED and (
            not outputs
            or any(o.project_id != self.pk or o.review != Output.Review.ACCEPTED for o in outputs)
        ):
            raise ValidationError(
                "Name the accepted outputs of this project that address it.", code="outputs"
            )
        change = StatusChange.objects.create(
            project=project, from_status=project.status, to_status=to, changed_by=by, reason=reason
        )
        change.outputs.set(outputs)
        project.status = self.status = to
        project.save(update_fields=["status", "updated_at"])
        Event.record(
            project=project,
            actor=by,
            kind=Event.Kind.STATUS_CHANGED,
            note=f"{ProjectStatus(to).label}: {reason}",
        )
        return change

    def mark_addressed(self, *, by, reason: str, outputs) -> StatusChange:
        """Open -> addressed, naming the accepted outputs that justify it."""
        return self.change_status(to=self.Status.ADDRESSED, by=by, reason=reason, outputs=outputs)

    def retire(self, *, by, reason: str) -> StatusChange:
        """Open or addressed -> retired (superseded or withdrawn)."""
        return self.change_status(to=self.Status.RETIRED, by=by, reason=reason)

    def reopen(self, *, by, reason: str) -> StatusChange:
        """Addressed or retired -> open."""
        return self.change_status(to=self.Status.OPEN, by=by, reason=reason)

    TEXT_FIELDS = ("description", "summary")

    @transaction.atomic
    def revise(self, *, by, note: str = "", **changes) -> list[str]:
        """Change the title, kind, description or summary; each text change is kept as a version.

        The first recorded edit of a text also keeps the text it replaces, so that every
        earlier version survives. Returns the names of the fields that changed.
        """
        project = Project.objects.select_for_update().get(pk=self.pk)
        changed = [name for name, value in changes.items() if getattr(project, name) != value]
        if not changed:
            return []
        for name in changed:
            if name in self.TEXT_FIELDS:
                if not project.versions.filter(field=name).exists():
                    TextVersion.objects.create(
                        project=project,
                        field=name,
                        text=getattr(project, name),
                        note="Before the first edit",
                    )
                TextVersion.objects.create(
                    project=project, field=name, text=changes[name], created_by=by, note=note[:200]
                )
            setattr(project, name, changes[name])
            setattr(self, name, changes[name])
        project.save(update_fields=[*changed, "updated_at"])
        self.description_html, self.summary_html = project.description_html, project.summary_html
        labels = ", ".join(project._meta.get_field(name).verbose_name for name in changed)
        Event.record(
            project=project, actor=by, kind=Event.Kind.TEXT_EDITED, note=f"{labels}. {note}".strip()
        )
        return changed

    def restore_version(self, version: TextVersion, *, by) -> list[str]:
        """Make an earlier version current again, as a new version; no version is removed."""
        if version.project_id != self.pk:
            raise ValidationError("That version belongs to another project.", code="other_project")
        when = version.created_at.strftime("%d %b %Y %H:%M")
        return self.revise(
            by=by, note=f"Restored the version of {when}", **{version.field: version.text}
        )

    @classmethod
    @transaction.atomic
    def propose(
        cls, *, by, agenda: Agenda, title: str, description: str, kind: str, note: str = ""
    ):
        """A researcher's new project: created as "proposed", numbered last in its agenda,
        with a Proposal for curators to review."""
        from projects.models.proposal import Proposal

        Agenda.objects.select_for_update().filter(pk=agenda.pk).first()  # serializes numbering
        last = agenda.projects.aggregate(last=models.Max("number"))["last"] or 0
        project = cls.objects.create(
            agenda=agenda,
            number=last + 1,
            slug=unique_slug(title),
            title=title,
            description=description,
            kind=kind,
            status=cls.Status.PROPOSED,
        )
        proposal = Proposal.objects.create(
            kind=Proposal.Kind.NEW,
            proposer=by,
            project=project,
            title=title,
            description=description,
            project_kind=kind,
            note=note,
        )
        Event.record(project=project, actor=by, kind=Event.Kind.PROPOSED, note=note)
        return proposal

    @transaction.atomic
    def propose_edit(self, *, by, title: str, description: str, kind: str, note: str = ""):
        """A researcher's suggested edit, for curators to review as a diff.

        Raises ValidationError(code="unchanged") when it changes nothing.
        """
        from projects.models.proposal import Proposal

        if (title, description, kind) == (self.title, self.description, self.kind):
            raise ValidationError("Your edit changes nothing yet.", code="unchanged")
        proposal = Proposal.objects.create(
            kind=Proposal.Kind.EDIT,
            proposer=by,
            project=self,
            title=title,
            description=description,
            project_kind=kind,
            note=note,
        )
        Event.record(project=self, actor=by, kind=Event.Kind.EDIT_PROPOSED, note=note)
        return proposal

    @transaction.atomic
    def merge_into(self, kept: Project, *, by, reason: str) -> None:
        """Merge this duplicate into ``kept``: its claims, comments, outputs, interests and
        watchers move there; this project is retired and its URL redirects to ``kept``.

        Nothing is lost: a researcher with an active claim on both keeps one active claim
        and the other is released ("merged"); an output already linked to ``kept`` stays on
        this project; an interest or watch already on ``kept`` absorbs this one (notes
        are joined). Raises ValidationError(code="self"|"merged"|"reason").
        """
        if kept.pk == self.pk:
            raise ValidationError("A project cannot be merged into itself.", code="self")
        if self.Status.PROPOSED in (self.status, kept.status):
            raise ValidationError(
                "Decide the proposal first: only published projects are merged.", code="proposed"
            )
        if not reason.strip():
            raise ValidationError("Give a reason: it is kept in both histories.", code="reason")
        first, second = sorted([self.pk, kept.pk])  # lock in a fixed order: no deadlock
        locked = {
            p.pk: p for p in Project.objects.select_for_update().filter(pk__in=[first, second])
        }
        duplicate, kept = locked[self.pk], locked[kept.pk]
        if duplicate.merged_into_id or kept.merged_into_id:
            raise ValidationError("One of these projects was already merged.", code="merged")
        if kept.status != self.Status.OPEN:
            raise ValidationError(
                "Merge into an open project: its claims stay active there.", code="kept_not_open"
            )

        kept_active = set(kept.claims.active().values_list("researcher_id", flat=True))
        duplicate.claims.active().filter(researcher_id__in=kept_active).update(
            state=Claim.State.RELEASED,
            release_reason=Claim.ReleaseReason.OTHER,
            progress_note="Released when this project was merged into a duplicate.",
            ended_at=timezone.now(),
        )
        duplicate.claims.update(project=kept)
        duplicate.comments.update(project=kept)
        kept_urls = set(kept.outputs.values_list("url", flat=True))
        duplicate.outputs.exclude(url__in=kept_urls).update(project=kept)
        for interest in duplicate.interests.all():
            existing = kept.interests.filter(researcher_id=interest.researcher_id).first()
            if existing is None:
                Interest.objects.filter(pk=interest.pk).update(project=kept)
            else:
                notes = " / ".join(n for n in (existing.note, interest.note) if n)[:300]
                Interest.objects.filter(pk=existing.pk).update(note=notes)
                interest.delete()
        kept_watchers = set(kept.watches.values_list("user_id", flat=True))
        duplicate.watches.exclude(user_id__in=kept_watchers).update(project=kept)
        duplicate.watches.filter(user_id__in=kept_watchers).delete()

        if duplicate.status != self.Status.RETIRED:
            StatusChange.objects.create(
                project=duplicate,
                from_status=duplicate.status,
                to_status=self.Status.RETIRED,
                changed_by=by,
                reason=f"Merged into “{kept.title}”: {reason}",
            )
        duplicate.status, duplicate.merged_into = self.Status.RETIRED, kept
        duplicate.save(update_fields=["status", "merged_into", "updated_at"])
        self.status, self.merged_into = duplicate.status, kept
        note = f"Merged “{duplicate.title}” into “{kept.title}”: {reason}"
        for project, other in ((kept, duplicate), (duplicate, kept)):
            Event.record(
                project=project, actor=by, kind=Event.Kind.MERGED, note=note, other_project=other
            )
