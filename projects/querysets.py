"""The read vocabulary of the domain: QuerySets named after what a page needs."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.search import search_projects

# How many events a project page's history shows.
HISTORY_LIMIT = 30


def _count(related: models.QuerySet) -> models.Func:
    """How many rows of ``related`` belong to the outer project: a correlated subquery."""
    rows = (
        related.filter(project=models.OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(rows), 0)


def _window() -> models.Expression:
    """Each claim row's window, in SQL: its project's ``claim_window_days``, else
    CLAIM_STALE_DAYS, as a duration."""
    days = Coalesce(
        models.F("project__claim_window_days"),
        models.Value(settings.CLAIM_STALE_DAYS),
        output_field=models.IntegerField(),  # SQLite multiplies a duration by these only
    )
    return models.ExpressionWrapper(
        models.Value(datetime.timedelta(days=1)) * days, output_field=models.DurationField()
    )


def _window_start(now: datetime.datetime) -> models.Expression:
    """The moment before which a claim's last activity makes it stale: ``now`` minus its
    project's window, for each claim row in SQL."""
    return models.ExpressionWrapper(
        models.Value(now, output_field=models.DateTimeField()) - _window(),
        output_field=models.DateTimeField(),
    )


def _stale_from() -> models.Expression:
    """When each claim's current silence made it stale: its last activity plus its
    window. A reminder sent before that moment was for another silence, or another window."""
    return models.ExpressionWrapper(
        models.F("last_activity_at") + _window(), output_field=models.DateTimeField()
    )


def _someone_on_it() -> models.Exists:
    """Whether a project (the outer row) has an active claim: a filter condition."""
    from projects.models import Claim

    return models.Exists(Claim.objects.active().filter(project=models.OuterRef("pk")))


class AgendaQuerySet(models.QuerySet):
    """Reads of agendas."""

    def for_detail(self) -> "AgendaQuerySet":
        """An agenda page: the agenda with its tags and its glance, one extra query each."""
        return self.prefetch_related("tags").with_glance()

    def for_index(self) -> "AgendaQuerySet":
        """The agendas page: every agenda with its glance, the community's proposals last.

        Two queries whatever the number of agendas and projects: the agendas, then all
        their live projects' cells (``with_glance``).
        """
        community_last = models.Case(models.When(slug=self.model.COMMUNITY_SLUG, then=1), default=0)
        return self.with_glance().order_by(community_last, "title", "pk")

    def with_glance(self) -> "AgendaQuerySet":
        """``glance_projects``: each agenda's live projects as ``ProjectQuerySet.for_glance``
        reads them, for ``Agenda.glance``; one query for all the agendas."""
        from projects.models import Project

        return self.prefetch_related(
            models.Prefetch(
                "projects",
                queryset=Project.objects.live().for_glance(),
                to_attr="glance_projects",
            )
        )

    def with_project_counts(self) -> "AgendaQuerySet":
        """Annotate ``project_count`` (every project, whatever its status)."""
        return self.annotate(project_count=models.Count("projects"))


class ProjectQuerySet(models.QuerySet):
    """Reads of projects."""

    def public(self) -> "ProjectQuerySet":
        """Projects a visitor may see: everything but unpublished proposals (pending or
        rejected). Merged duplicates are included: their URLs redirect."""
        return self.exclude(status=self.model.Status.PROPOSED)

    def open(self) -> "ProjectQuerySet":
        """Projects that take claims."""
        return self.filter(status=self.model.Status.OPEN)

    def live(self) -> "ProjectQuerySet":
        """Public projects that were not merged away: the ones people list and act on."""
        return self.public().filter(merged_into__isnull=True)

    def search(self, query: str) -> "ProjectQuerySet":
        """Projects matching ``query`` (web-search syntax: words, "a phrase", or, -word),
        annotated with ``search_rank``, higher for better matches; unordered, so the caller
        orders by ``-search_rank`` for relevance. A blank query (or one of only common
        words) filters nothing and ranks every project 0.

        Full-text search through the stored, indexed vector on PostgreSQL; a word match on
        SQLite. See ``projects.search``.
        """
        return search_projects(self, query)

    def in_agenda_order(self) -> "ProjectQuerySet":
        """Agenda by agenda, each in its source numbering, the community's proposals last."""
        from projects.models import Agenda

        community_last = models.Case(
            models.When(agenda__slug=Agenda.COMMUNITY_SLUG, then=1), default=0
        )
        return self.order_by(community_last, "agenda_id", "number")

    def without_active_claim(self) -> "ProjectQuerySet":
        """Projects nobody is working on now (whatever their status)."""
        return self.filter(~_someone_on_it())

    def with_active_claim(self) -> "ProjectQuerySet":
        """Projects someone is working on now."""
        return self.filter(_someone_on_it())

    def free_to_start(self) -> "ProjectQuerySet":
        """Live open projects with no active claim: where a researcher could start today."""
        return self.live().open().without_active_claim()

    def random_one(self) -> "models.Model | None":
        """One of these projects, chosen at random; None when there is none."""
        return self.order_by("?").first()

    def matching(
        self,
        *,
        agenda: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        kind: str | None = None,
        unclaimed: bool | None = None,
    ) -> "ProjectQuerySet":
        """The projects that meet every criterion given (None: any): an agenda's slug, a
        status, a tag's slug, a kind, and ``unclaimed``: True for open projects nobody holds
        an active claim on (the list's "Nobody on it"), False for open projects somebody
        does; addressed and retired projects are neither."""
        projects = self
        if agenda is not None:
            projects = projects.filter(agenda__slug=agenda)
        if status is not None:
            projects = projects.filter(status=status)
        if tag is not None:
            projects = projects.filter(tags__slug=tag)
        if kind is not None:
            projects = projects.filter(kind=kind)
        if unclaimed is True:
            projects = projects.open().without_active_claim()
        elif unclaimed is False:
            projects = projects.open().with_active_claim()
        return projects

    def for_api(self) -> "ProjectQuerySet":
        """Projects in the JSON API's list: with their agenda, tags, standing and public
        counts (``with_standing``), in agenda order; the tags are one extra query for the
        whole page. The search vector, which the API never shows, stays in the database."""
        return (
            self.select_related("agenda")
            .defer("search_vector")
            .prefetch_related("tags")
            .with_standing()
            .in_agenda_order()
        )

    def for_api_detail(self) -> "ProjectQuerySet":
        """One project in the JSON API: ``for_api`` plus where it was merged into,
        ``claim_list`` (every claim, with its researcher) and ``shown_outputs`` (all but
        rejected ones, leading ones first); one query per kind of thing. Neither the project's
        search vector nor the one of the project it was merged into is read."""
        from projects.models import Claim, Output

        return (
            self.for_api()
            .select_related("merged_into")
            .defer("merged_into__search_vector")
            .prefetch_related(
                models.Prefetch(
                    "claims",
                    queryset=Claim.objects.select_related("researcher"),
                    to_attr="claim_list",
                ),
                models.Prefetch(
                    "outputs", queryset=Output.objects.shown().leading(), to_attr="shown_outputs"
                ),
            )
        )

    def for_list(self) -> "ProjectQuerySet":
        """A list of projects: each row with its agenda, tags, standing and demand, who holds
        it, who completed it, and its accepted outputs.

        ``active_claims`` and ``completed_claims`` (with researchers), ``accepted_outputs``
        and tags are prefetched: one query each for the whole page, never one per row.
        The standing and the counts are annotations (``with_standing``) of the page's query.
        The search vector, which no page shows, stays in the database.
        """
        from projects.models import Claim, Output

        return (
            self.select_related("agenda")
            .defer("search_vector")
            .prefetch_related(
                "tags",
                models.Prefetch(
                    "claims",
                    queryset=Claim.objects.active().select_related("researcher"),
                    to_attr="active_claims",
                ),
                models.Prefetch(
                    "claims",
                    queryset=Claim.objects.completed().select_related("researcher"),
                    to_attr="completed_claims",
                ),
                models.Prefetch(
                    "outputs", queryset=Output.objects.accepted(), to_attr="accepted_outputs"
                ),
            )
            .with_standing()
            .in_agenda_order()
        )

    def for_glance(self) -> "ProjectQuerySet":
        """An agenda at a glance: for each project only what its cell shows (number, title,
        slug) and its ``standing`` (``with_standing``), in source order; one query."""
        return (
            self.only("pk", "agenda_id", "number", "title", "slug")
            .with_standing()
            .order_by("agenda_id", "number", "pk")
        )

    def with_standing(self) -> "ProjectQuerySet":
        """Annotate where each project stands and how much it is wanted, in the one query.

        Counts: ``active_count``, ``fresh_count`` (active claims heard from within their
        project's window, ``ClaimQuerySet.fresh``), ``completed_count``, ``interest_count``,
        ``comment_count`` (shown comments), ``output_count`` (outputs not rejected);
        ``last_activity_at`` (the newest public event, else when the project was added); and
        ``standing``, a ``Project.Standing`` value. Correlated subqueries rather than joins,
        so that no count multiplies another.
        """
        from projects.models import Claim, Comment, Event, Interest, Output

        status, standing = self.model.Status, self.model.Standing
        accepted = Output.objects.accepted().filter(project=models.OuterRef("pk"))
        fully_addressed = models.Exists(accepted.filter(addresses=Output.Addresses.FULLY))
        return self.annotate(
            active_count=_count(Claim.objects.active()),
            fresh_count=_count(Claim.objects.fresh()),
            completed_count=_count(Claim.objects.completed()),
            interest_count=_count(Interest.objects.all()),
            comment_count=_count(Comment.objects.shown()),
            output_count=_count(Output.objects.shown()),
            last_activity_at=Coalesce(
                models.Subquery(
                    Event.objects.public()
                    .filter(project=models.OuterRef("pk"))
                    .order_by("-created_at")
                    .values("created_at")[:1]
                ),
                "created_at",
            ),
        ).annotate(
            standing=models.Case(
                models.When(status=status.RETIRED, then=models.Value(standing.RETIRED)),
                models.When(status=status.ADDRESSED, then=models.Value(standing.ADDRESSED)),
                # An accepted output that fully answers it: addressed, before a curator
                # gets to marking it so.
                models.When(fully_addressed, then=models.Value(standing.ADDRESSED)),
                models.When(fresh_count__gt=0, then=models.Value(standing.IN_PROGRESS)),
                models.When(active_count__gt=0, then=models.Value(standing.STALE)),
                models.When(models.Exists(accepted), then=models.Value(standing.PARTLY_ADDRESSED)),
                models.When(completed_count__gt=0, then=models.Value(standing.COMPLETED)),
                default=models.Value(standing.UNCLAIMED),
                output_field=models.CharField(),
            )
        )

    def for_detail(self, user, discussion_page: int = 1) -> "ProjectQuerySet":
        """A project page, at one page of its discussion: everything it shows, one query per
        kind of thing, whatever its size.

        Its agenda, where it was merged into and its latest status change are joined or
        prefetched; the sections come from ``with_claims``, ``with_outputs``,
        ``with_signals``, ``with_discussion`` and ``with_history``, which the page's htmx
        fragments also use one by one.
        """
        from projects.models import StatusChange

        latest_change = StatusChange.objects.select_related("changed_by").prefetch_related(
            "outputs"
        )[:1]
        return (
            self.select_related("agenda", "merged_into")
            .prefetch_related(
                "tags",
                models.Prefetch(
                    "status_changes", queryset=latest_change, to_attr="latest_status_changes"
                ),
            )
            .with_claims()
            .with_outputs(user)
            .with_signals(user)
            .with_discussion(user, discussion_page)
            .with_history()
        )

    def with_stakes_of(self, user) -> "ProjectQuerySet":
        """Annotated with ``stake_<kind>`` for each kind of thing of ``user``'s own that the
        project page shows them (``projects.views.common.STAKES``: a claim in any state, an
        active claim, an interest, a watch, a comment, a flag, an output). With none of them,
        a reader who is no curator sees the page everyone signed in with no stake sees."""
        from projects.models import Claim, Comment, Flag, Interest, Output, Watch

        here = models.OuterRef("pk")
        held = {
            "claim": Claim.objects.filter(project=here, researcher=user),
            "active_claim": Claim.objects.active().filter(project=here, researcher=user),
            "interest": Interest.objects.filter(project=here, researcher=user),
            "watch": Watch.objects.filter(project=here, user=user),
            "comment": Comment.objects.filter(project=here, author=user),
            "flag": Flag.objects.filter(comment__project=here, flagged_by=user),
            "output": Output.objects.filter(project=here, submitted_by=user),
        }
        return self.annotate(**{f"stake_{kind}": models.Exists(q) for kind, q in held.items()})

    def with_claims(self) -> "ProjectQuerySet":
        """``active_claims`` and ``ended_claims`` (with researchers; ended ones with the
        outputs linked from them, rejected ones left out, in ``shown_outputs``)."""
        from projects.models import Claim, Output

        ended = (
            Claim.objects.ended()
            .select_related("researcher")
            .prefetch_related(
                models.Prefetch("outputs", queryset=Output.objects.shown(), to_attr="shown_outputs")
            )
        )
        return self.prefetch_related(
            models.Prefetch(
                "claims",
                queryset=Claim.objects.active().select_related("researcher"),
                to_attr="active_claims",
            ),
            models.Prefetch("claims", queryset=ended, to_attr="ended_claims"),
        )

    def with_outputs(self, user) -> "ProjectQuerySet":
        """``output_list``: the outputs ``user`` may see, leading ones first; and
        ``my_claims``, the user's claims on the project, which an output may come from."""
        from projects.models import Claim, Output

        mine = (
            Claim.objects.filter(researcher_id=user.pk)
            if user.is_authenticated
            else Claim.objects.none()
        )
        return self.prefetch_related(
            models.Prefetch(
                "outputs",
                queryset=Output.objects.visible_to(user).leading().select_related("submitted_by"),
                to_attr="output_list",
            ),
            models.Prefetch("claims", queryset=mine, to_attr="my_claims"),
        )

    def with_signals(self, user) -> "ProjectQuerySet":
        """``interest_list`` (with researchers), ``watch_count``, and whether ``user`` is
        ``watching``."""
        from projects.models import Interest, Watch

        return self.prefetch_related(
            models.Prefetch(
                "interests",
                queryset=Interest.objects.select_related("researcher"),
                to_attr="interest_list",
            )
        ).annotate(
            watch_count=models.Count("watches", distinct=True),
            watching=models.Exists(
                Watch.objects.filter(project=models.OuterRef("pk"), user_id=user.pk)
            ),
        )

    def with_discussion(self, user, page: int = 1) -> "ProjectQuerySet":
        """One page of the discussion: ``thread_list``, page 1 the latest
        ``DISCUSSION_THREADS_PER_PAGE`` threads, page 2 the ones before, newest first; each
        top-level comment with its ``reply_list`` (oldest first), every comment with its
        author and marked ``flagged_by_me`` when ``user`` flagged it. Annotated with
        ``discussion_page``, ``thread_count`` and ``shown_comment_count``. Two queries,
        whatever the number of comments."""
        from projects.models import Comment, Flag

        comments = Comment.objects.select_related("author").annotate(
            flagged_by_me=models.Exists(
                Flag.objects.filter(comment=models.OuterRef("pk"), flagged_by_id=user.pk)
            )
        )
        size = settings.DISCUSSION_THREADS_PER_PAGE
        threads = (
            comments.threads()
            .newest_first()
            .prefetch_related(models.Prefetch("replies", queryset=comments, to_attr="reply_list"))
        )[(page - 1) * size : page * size]
        return self.prefetch_related(
            models.Prefetch("comments", queryset=threads, to_attr="thread_list")
        ).annotate(
            discussion_page=models.Value(page, output_field=models.IntegerField()),
            thread_count=_count(Comment.objects.threads()),
            shown_comment_count=_count(Comment.objects.shown()),
        )

    def with_history(self) -> "ProjectQuerySet":
        """``recent_events``: the latest public events, with who did them and their output."""
        from projects.models import Event

        events = Event.objects.public().select_related("actor", "output")[:HISTORY_LIMIT]
        return self.prefetch_related(
            models.Prefetch("events", queryset=events, to_attr="recent_events")
        )


class ClaimQuerySet(models.QuerySet):
    """Reads of claims."""

    def active(self) -> "ClaimQuerySet":
        """Claims someone is working on now."""
        return self.filter(state=self.model.State.ACTIVE)

    def ended(self) -> "ClaimQuerySet":
        """Claims no longer active: completed, released or dormant."""
        return self.exclude(state=self.model.State.ACTIVE)

    def completed(self) -> "ClaimQuerySet":
        """Claims their researchers finished."""
        return self.filter(state=self.model.State.COMPLETED)

    def fresh(self) -> "ClaimQuerySet":
        """Active claims heard from within their project's window (``Project.claim_window``)."""
        return self.active().filter(last_activity_at__gte=_window_start(timezone.now()))

    def stale(self) -> "ClaimQuerySet":
        """Active claims silent for longer than their project's window (its curators'
        ``claim_window_days``, else CLAIM_STALE_DAYS): ``Claim.is_stale`` in SQL."""
        return self.active().filter(last_activity_at__lt=_window_start(timezone.now()))

    def reminder_due(self) -> "ClaimQuerySet":
        """Stale claims whose holder has not been reminded of this silence yet (never, or
        only before it turned stale: of an earlier silence, or under another window)."""
        return self.stale().filter(
            models.Q(stale_reminded_at__isnull=True) | models.Q(stale_reminded_at__lt=_stale_from())
        )

    def dormancy_due(self) -> "ClaimQuerySet":
        """Stale claims whose holder was reminded and has stayed silent for
        CLAIM_GRACE_DAYS since: ``Claim.go_dormant`` turns each dormant."""
        grace_ended = timezone.now() - datetime.timedelta(days=settings.CLAIM_GRACE_DAYS)
        return self.stale().filter(
            stale_reminded_at__gte=_stale_from(), stale_reminded_at__lte=grace_ended
        )

    def target_reminder_due(self) -> "ClaimQuerySet":
        """Active claims whose target date is at most TARGET_REMINDER_DAYS away (and not
        past), and whose holder was not yet reminded of that date."""
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=settings.TARGET_REMINDER_DAYS)
        return (
            self.active()
            .filter(target_date__gte=today, target_date__lte=soon)
            .exclude(target_reminded_for=models.F("target_date"))
        )

    def dormant(self) -> "ClaimQuerySet":
        """Claims that went silent past their grace period: kept, no longer counted."""
        return self.filter(state=self.model.State.DORMANT)


class CommentQuerySet(models.QuerySet):
    """Reads of comments."""

    def flagged(self) -> "CommentQuerySet":
        """Comments with flags no curator has dealt with yet."""
        return self.filter(flags__resolved_at__isnull=True, flags__isnull=False).distinct()

    def shown(self) -> "CommentQuerySet":
        """Comments neither deleted nor hidden by a curator."""
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)

    def threads(self) -> "CommentQuerySet":
        """Top-level comments: each starts a thread, its replies below it."""
        return self.filter(parent__isnull=True)

    def newest_first(self) -> "CommentQuerySet":
        """The latest first (ties broken by id, as the page orders them)."""
        return self.order_by("-created_at", "-pk")

    def newer_than(self, comment) -> "CommentQuerySet":
        """Comments posted after ``comment`` in the discussion's order."""
        return self.filter(
            models.Q(created_at__gt=comment.created_at)
            | models.Q(created_at=comment.created_at, pk__gt=comment.pk)
        )


class OutputQuerySet(models.QuerySet):
    """Reads of outputs."""

    def pending(self) -> "OutputQuerySet":
        """Outputs waiting for a curator's review."""
        return self.filter(review=self.model.Review.PENDING)

    def accepted(self) -> "OutputQuerySet":
        """Outputs a curator accepted."""
        return self.filter(review=self.model.Review.ACCEPTED)

    def shown(self) -> "OutputQuerySet":
        """Outputs everyone sees: all but rejected ones."""
        return self.exclude(review=self.model.Review.REJECTED)

    def visible_to(self, user) -> "OutputQuerySet":
        """Accepted and pending outputs for all; rejected ones for their linker and curators."""
        from projects.permissions import can_review_outputs

        if can_review_outputs(user):
            return self
        rejected = models.Q(review=self.model.Review.REJECTED)
        if user.is_authenticated:
            return self.exclude(rejected & ~models.Q(submitted_by=user))
        return self.exclude(rejected)

    def leading(self) -> "OutputQuerySet":
        """Accepted first, fully addressing before partly, then oldest first."""
        review = self.model.Review
        review_rank = models.Case(
            models.When(review=review.ACCEPTED, then=0),
            models.When(review=review.PENDING, then=1),
            default=2,
        )
        return self.order_by(review_rank, models.F("addresses").desc(), "created_at", "pk")


class ProposalQuerySet(models.QuerySet):
    """Reads of proposals."""

    def pending(self) -> "ProposalQuerySet":
        """Proposals waiting for a curator."""
        return self.filter(state=self.model.State.PENDING)


class EventQuerySet(models.QuerySet):
    """Reads of the event log."""

    def public(self) -> "EventQuerySet":
        """Events the project's history shows: all but personal toggles like watching."""
        return self.exclude(kind__in=self.model.PRIVATE_KINDS)

    def for_feed(self) -> "EventQuerySet":
        """What the Atom feeds and the activity page tell: public events of live projects
        (never an unpublished proposal's, nor a merged-away duplicate's), newest first, each
        with its actor, project, comment and output joined in the same query."""
        from projects.models import Project

        return (
            self.public()
            .filter(project__in=Project.objects.live())
            .select_related("actor", "project", "comment", "output")
            .order_by("-created_at", "-pk")
        )
