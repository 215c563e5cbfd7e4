"""Benchmark data: a board full of agendas, projects and people's work, for the page benchmark.

The page benchmark (``make bench``) migrates a database of its own, calls ``build`` to fill
it, and then drives HTTP load at the site's pages. Pages cost what the data behind them
costs, so the data has the shape a busy board would have:

- ``small``: the seed agenda's 26 projects, imported with the board's own importer as
  ``make run`` does, a dozen people, one *typical* project (50 comments shown, 10 claims,
  10 outputs, interest and watchers), one project with 1,000 comments, and a little
  activity elsewhere;
- ``large``: 10,000 projects over 20 agendas (the one the benchmark asks for holds 500),
  100,000 comments, 20,000 claims, 5,000 outputs, 15,000 interests, 10,000 watches and
  2,000 people, with the same typical and 1,000-comment projects. ``scale`` shrinks every
  count but those two projects' (the tests build it at ``scale=0.01``).

Everything is written with ``bulk_create`` (the large set loads in well under a minute),
and so around the domain's methods; what those methods would also have written is written
here as well, so that the pages see a board that could have been made through the app:

- each markdown source's HTML, each distinct text rendered once with the board's renderer;
- an ``Event`` for every comment, reply, edit, deletion, hiding, flag, claim, check-in,
  completion, release, reminder, dormancy, output, review, interest, watch and status
  change, at the moment it happened (the history, the activity page, the feeds and the
  list's "recent activity" read them);
- claims whose ``last_activity_at`` is their holder's latest event on the project, stale
  ones reminded (``stale_reminded_at``) but not yet due to turn dormant, dormant ones
  reminded before they went quiet; nobody holds more than five active claims, no project
  more than its claim limit, and only open projects have active claims;
- a ``StatusChange`` for every addressed or retired project, an addressed one naming the
  accepted outputs that address it;
- ``Notification`` rows for the benchmark's researcher only (as ``notifications.fanout``
  would have told them of what happened on the projects they follow, and of replies to
  them): other people's notification lists are not filled;
- every project's search vector, computed once at the end (``fill_search_vectors``).

Left out: proposals (so no project is "proposed"), merges, curators' text edits and their
versions, notification preferences (everyone has the defaults) and outgoing email.

Times are spread over the past year or so. The random generator is seeded, so two builds
make the same data (but for the times, which count back from the moment of the build).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from notifications.fanout import ABOUT_YOU, FOLLOWED
from notifications.models import Frequency, Notification, Preference, Reason
from notifications.models.preference import DIGESTS
from projects.markdown import render_markdown
from projects.models import (
    Agenda,
    Claim,
    Comment,
    CommentVersion,
    Event,
    Flag,
    Interest,
    Output,
    OutputKind,
    Project,
    ProjectKind,
    StatusChange,
    StatusChangeOutput,
    Tag,
    Watch,
)
from projects.models.project import unique_slug
from projects.search import fill_search_vectors

SEED_AGENDA = "projects/demo/some-conceptual-alignment-research-projects.md"
SEED = 13
BATCH_SIZE = 2000
# Every generated account signs in with this password (hashed once, shared by all).
PASSWORD = "benchmark-password-13"
RESEARCHER = "bench-researcher"
# The most active claims the data gives anyone, whatever MAX_ACTIVE_CLAIMS allows.
ACTIVE_CAP = 5
# The typical project: what most project pages of a busy board would show.
TYPICAL_THREADS, TYPICAL_REPLIES = 30, 20
TYPICAL_CLAIMS = (
    [Claim.State.ACTIVE] * 4
    + [Claim.State.COMPLETED] * 3
    + [Claim.State.RELEASED] * 2
    + [Claim.State.DORMANT]
)
TYPICAL_REVIEWS = (
    [Output.Review.ACCEPTED] * 4 + [Output.Review.PENDING] * 4 + [Output.Review.REJECTED] * 2
)
BIG_COMMENTS = 1000


@dataclass(frozen=True)
class Counts:
    """How much of everything a data set holds, besides the typical and the big project."""

    users: int
    agendas: int
    projects: int
    comments: int
    claims: int
    outputs: int
    interests: int
    watches: int

    def scaled(self, scale: float) -> Counts:
        """Every count times ``scale``, kept at the least a board of this shape needs."""
        least = Counts(
            users=20, agendas=2, projects=6, comments=0, claims=0, outputs=0, interests=0, watches=0
        )
        return Counts(
            **{
                name: max(getattr(least, name), round(value * scale))
                for name, value in vars(self).items()
            }
        )


# The large set's totals are these plus the typical and the big project's own rows.
LARGE = Counts(
    users=2000,
    agendas=20,
    projects=10_000,
    comments=100_000 - TYPICAL_THREADS - TYPICAL_REPLIES - BIG_COMMENTS,
    claims=20_000 - len(TYPICAL_CLAIMS),
    outputs=5_000 - len(TYPICAL_REVIEWS),
    interests=15_000,
    watches=10_000,
)
# The small set: the seed agenda's projects and a little activity among a dozen people.
SMALL = Counts(
    users=14, agendas=1, projects=26, comments=60, claims=12, outputs=5, interests=15, watches=10
)


def build(size: str, *, scale: float = 1.0) -> dict[str, str]:
    """Fill the current (migrated, otherwise empty) database with the "small" or "large" data
    set; return the facts the benchmark needs, all slugs or words:

    - ``agenda``: an agenda to request (in the large set, one of 500 projects);
    - ``project``: the typical project; ``big_project``: the one with 1,000 comments;
    - ``search``: a word in several projects' titles and descriptions;
    - ``tag``: the tag on the most projects;
    - ``researcher``: the username to sign in as, with ``password``;
    - ``comment_project``: an open project, quiet but for three comments, to post comments to.

    ``scale`` multiplies every count of the large set but the typical and the big project's;
    the small set ignores it. One transaction. Raises ValueError for another size.
    """
    if size not in ("small", "large"):
        raise ValueError(f"No data set is called {size!r}: choose 'small' or 'large'.")
    with transaction.atomic():
        builder = _Builder()
        if size == "small":
            return builder.small()
        return builder.large(LARGE.scaled(scale))


@contextmanager
def _own_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the created and updated times given to these models' rows,
    rather than stamping them with now (``auto_now``, ``auto_now_add``)."""
    fields = [
        (field, field.auto_now, field.auto_now_add)
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    for field, _, _ in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in fields:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


# What the generated texts are made of.

FIRST_NAMES = """Ada Alan Grace Barbara Edsger Donald Frances Claude John Margaret Katherine
    Dorothy Tim Radia Shafi Leslie Judea Yoshua Geoffrey Daphne Stuart Paul Chris Jan Rohin
    Evan Victoria Richard Neel Buck Ajeya Holden Owain Jacob Lauren Rosie Marius""".split()  # noqa: SIM905
LAST_NAMES = """Lovelace Turing Hopper Liskov Dijkstra Knuth Allen Shannon McCarthy Hamilton
    Johnson Vaughan Perlman Goldwasser Lamport Pearl Bengio Hinton Li Koller Russell Olah
    Leike Shah Hubinger Krakovna Ngo Nanda Cotra Evans Steinhardt Campbell Gleave""".split()  # noqa: SIM905
AFFILIATIONS = ["", "", "Independent", "A university lab", "An AI lab", "A research institute"]
BIOS = [
    "",
    "",
    "Working on *interpretability* of small transformers.",
    "Former software engineer, now doing alignment research full time.",
    "PhD student. Interested in **deceptive alignment** and toy models.",
    "I write about forecasting and AI governance; see my blog.",
]
TAG_NAMES = [
    "Interpretability",
    "Deceptive alignment",
    "Theory",
    "Forecasting",
    "Governance",
    "Evaluations",
    "Robustness",
    "Reward modelling",
    "Scalable oversight",
    "Agent foundations",
    "Exercises",
    "Scenarios",
    "Field building",
    "Benchmarks",
    "Formal verification",
]
# How often each tag is drawn: the first is on about one project in five.
TAG_WEIGHTS = [20, 9, 8, 6, 6, 6, 5, 5, 5, 4, 3, 3, 2, 2, 1]
AGENDA_TOPICS = [
    "conceptual alignment",
    "interpretability",
    "AI governance",
    "evaluations",
    "agent foundations",
    "scalable oversight",
    "robustness",
    "forecasting AI",
    "field building",
    "reward learning",
]
AGENDA_AUTHORS = [
    "Richard Ngo",
    "Paul Christiano",
    "Neel Nanda",
    "Ajeya Cotra",
    "Evan Hubinger",
    "",
]
KIND_OPENINGS = {
    ProjectKind.PAPER: "A paper which",
    ProjectKind.BLOG_POST: "A blog post which",
    ProjectKind.LIST: "A list of resources which",
    ProjectKind.SCENARIO: "A scenario which",
    ProjectKind.SKETCH: "A sketch which",
    ProjectKind.EXERCISES: "A set of exercises which",
    ProjectKind.INVESTIGATION: "An investigation which",
    ProjectKind.COMPARISON: "A comparison which",
    ProjectKind.OTHER: "A project which",
}
VERBS = [
    "formalizes",
    "explains",
    "surveys",
    "tests empirically",
    "builds toy examples of",
    "critiques",
    "defines",
    "measures",
    "compares approaches to",
    "maps open questions in",
    "replicates results on",
    "distills",
]
# "gradient" is in one topic of forty, and in no other generated text: the large set's search
# word, in the titles and descriptions of about one project in forty.
TOPICS = [
    "gradient hacking",
    "the inductive biases of SGD",
    "deceptive alignment",
    "goal misgeneralization",
    "implicit planning",
    "implicit value functions",
    "instrumental convergence",
    "debate on weights",
    "reward tampering",
    "situational awareness",
    "power-seeking",
    "corrigibility",
    "eliciting latent knowledge",
    "mechanistic interpretability",
    "superposition",
    "activation steering",
    "sparse autoencoders",
    "model organisms of misalignment",
    "sleeper agents",
    "scheming",
    "sandbagging",
    "AI control protocols",
    "recursive reward modelling",
    "iterated amplification",
    "weak-to-strong generalization",
    "process supervision",
    "specification gaming",
    "distributional shift",
    "adversarial training",
    "red teaming",
    "capability evaluations",
    "compute governance",
    "takeoff speeds",
    "forward pass speed",
    "belief robustness under SGD",
    "CIRL's uncertainty",
    "value learning",
    "embedded agency",
    "logical uncertainty",
    "honesty in language models",
]
SETTINGS = [
    "in toy transformers",
    "in language models",
    "in RL agents",
    "in ML terms",
    "for new researchers",
    "at scale",
    "with worked examples",
    "in a few pages",
    "as a benchmark",
    "for policymakers",
    "using open-weight models",
    "in gridworlds",
    "from first principles",
    "with a public dataset",
]
FOLLOW_UPS = [
    "It should set up concrete examples that others can extend.",
    "The aim is a reference people can point to when the concept comes up.",
    "Ideally it ends with a list of open sub-questions.",
    "A short version would already be useful; a thorough one, more so.",
    "Related work exists, but nothing that puts it in ML language.",
    "It would help to compare at least two framings side by side.",
    "Code and data should be released with it.",
    "The hard part is making the argument rigorous in a small space.",
    "Start from the existing informal discussion and make it precise.",
    "Aim for something a new research engineer could replicate in a week.",
]
SUMMARIES = [
    "",
    "",
    "",
    "Agreed scope: toy settings first; a follow-up can scale up.",
    "Two partial answers exist (see the outputs). Still open: a **formal** definition.",
    "Curators' note: overlaps with a related project; coordinate in the discussion.",
]
COMMENT_OPENINGS = [
    "I'd like to work on this.",
    "Is anyone already on this?",
    "What exactly counts as *done* here?",
    "Here is some related work: [link](https://example.org/related).",
    "I think the scope is too broad.",
    "Strong agree, this would be very useful.",
    "A quick sketch of how I would approach it:",
    "Has this been superseded by recent work?",
    "Some pointers for whoever picks this up:",
    "I tried a small version of this last year.",
    "The signal here may be too weak to matter.",
    "Could this be split into two projects?",
]
COMMENT_MIDDLES = [
    "The toy setting in the original post seems like the right starting point.",
    "A **small** transformer trained on synthetic data would be enough to start.",
    "Measuring this needs a baseline that is not itself contaminated.",
    "The informal argument has a gap where it assumes the optimizer finds the global optimum.",
    "I'd start with the `TransformerLens` tooling and a two-layer model.",
    "Most of the literature frames this in terms of $\\nabla L$ and ignores the data.",
    "One concern: results on small models may not transfer.",
    "There is an older LessWrong thread that covers half of this.",
    "- first, define the terms\n- then, build the toy example\n- finally, write it up",
    "The current framing might be a distraction here.",
    "Happy to review a draft if someone writes one.",
    "> the key points, not phrased as an argument\n\nThis part is the hard one.",
]
COMMENT_ENDINGS = [
    "",
    "",
    "Thoughts?",
    "Happy to chat if useful.",
    "I'll report back in a few weeks.",
    "(Edited for clarity.)",
    "See also the discussion on the agenda's post.",
]
PLANS = [
    "",
    "Read the related work, build the toy example, then write a first draft.",
    "A two-week sprint: week one **experiments**, week two the write-up.",
    "Start with a literature review; share an outline here before drafting.",
    "- replicate the baseline\n- extend it to the new setting\n- write up the results",
    "I'll focus on the formal definitions and leave experiments to others.",
]
PROGRESS_NOTES = [
    "Literature review done; starting on the toy model.",
    "First draft written, looking for reviewers.",
    "Slower than hoped: the baseline did not replicate at first.",
    "Experiments running; results in a week or two.",
    "Outline shared in the discussion.",
]
OUTPUT_TITLES = [
    "A first look at {topic}",
    "{Topic}: definitions and examples",
    "Notes on {topic}",
    "Toy models of {topic}",
    "An empirical study of {topic}",
    "{Topic}, explained",
    "Replicating work on {topic}",
]
OUTPUT_PLACES = {
    OutputKind.PAPER: "https://arxiv.example.org/abs",
    OutputKind.BLOG_POST: "https://blog.example.org/posts",
    OutputKind.CODE: "https://code.example.org/repos",
    OutputKind.DATASET: "https://data.example.org/sets",
    OutputKind.TALK: "https://talks.example.org",
    OutputKind.OTHER: "https://example.org/results",
}
INTEREST_NOTES = ["", "", "", "I could review drafts.", "I could help with experiments."]
STATUS_REASONS = {
    Project.Status.ADDRESSED: "The accepted outputs answer the question as posed.",
    Project.Status.RETIRED: "Superseded by newer work; kept for the record.",
}


@dataclass
class _Plan:
    """A claim in the making: its row, and when it was last heard from as generated so far."""

    claim: Claim
    check_in_at: datetime.datetime | None = None


class _Builder:
    """One build: the random generator, the moment of the build, the rendered texts, and the
    rows made so far that later steps refer to."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.now().replace(microsecond=0)
        self.rendered: dict[str, str] = {}
        self.events: list[Event] = []
        # When each person was last active on each project (comments, interest, watching):
        # what an active claim's last activity must not be older than.
        self.last_seen: dict[tuple[int, int], datetime.datetime] = {}
        self.plans: list[_Plan] = []
        self.comments: list[Comment] = []
        self.claims_by_project: dict[int, list[Claim]] = defaultdict(list)
        self.outputs_by_project: dict[int, list[Output]] = defaultdict(list)

    # Helpers

    def html(self, source: str) -> str:
        """``source`` rendered as the board renders it on save, once per distinct text."""
        if source not in self.rendered:
            self.rendered[source] = render_markdown(source)
        return self.rendered[source]

    def ago(self, days: float) -> datetime.datetime:
        """The moment ``days`` days before the build."""
        return self.now - datetime.timedelta(days=days)

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        """A random moment from ``start`` to ``end`` (``start`` when the span is empty)."""
        span = (end - start).total_seconds()
        if span <= 0:
            return start
        return start + datetime.timedelta(seconds=int(self.rng.uniform(0, span)))

    def event(
        self, project: Project, actor: User | None, kind: str, at: datetime.datetime, **objects
    ) -> Event:
        """An event as ``Event.record`` logs it (its side effects are the builder's job)."""
        note = objects.pop("note", "")
        event = Event(project=project, actor=actor, kind=kind, created_at=at, note=note[:300])
        for name, value in objects.items():
            setattr(event, name, value)
        self.events.append(event)
        return event

    def seen(self, project: Project, user: User, at: datetime.datetime) -> None:
        """Note that ``user`` was active on ``project`` at ``at``."""
        key = (project.pk, user.pk)
        if at > self.last_seen.get(key, at - datetime.timedelta(seconds=1)):
            self.last_seen[key] = at

    def popularity(self, projects: list[Project]) -> list[float]:
        """Cumulative weights for drawing projects: a few draw much, most draw little."""
        return list(accumulate(min(self.rng.paretovariate(1.3), 40.0) for _ in projects))

    # The two sets

    def small(self) -> dict[str, str]:
        """The seed agenda as ``make run`` imports it, and a little activity on it."""
        call_command("import_agenda", str(settings.BASE_DIR / SEED_AGENDA), stdout=StringIO())
        agenda = Agenda.objects.get()
        # Imported a year ago, so that the activity has a past to happen in.
        agenda.created_at = agenda.updated_at = self.ago(380)
        Agenda.objects.filter(pk=agenda.pk).update(
            created_at=agenda.created_at, updated_at=agenda.updated_at
        )
        projects = list(agenda.projects.order_by("number"))
        for project in projects:
            project.agenda = agenda
            project.created_at = project.updated_at = agenda.created_at + datetime.timedelta(
                minutes=project.number
            )
        Project.objects.bulk_update(projects, ["created_at", "updated_at"])
        self.make_users(SMALL.users, curators=2)
        tags = self.make_tags(agendas=[agenda])
        self.tag_projects(projects, tags)
        by_number = {project.number: project for project in projects}
        typical, big, open_one = by_number[2], by_number[1], by_number[6]
        for project, status in [
            (by_number[12], Project.Status.ADDRESSED),
            (by_number[26], Project.Status.RETIRED),
        ]:
            project.status = status
        Project.objects.bulk_update([by_number[12], by_number[26]], ["status"])
        self.populate(projects, SMALL, typical=typical, big=big, spared=[open_one])
        return self.facts(agenda, typical, big, open_one, search="paper", tags=tags)

    def large(self, counts: Counts) -> dict[str, str]:
        """Many agendas of generated projects, and much activity on them."""
        self.make_users(counts.users, curators=5)
        agendas = self.make_agendas(counts.agendas)
        tags = self.make_tags(agendas=agendas)
        projects = self.make_projects(agendas, counts.projects)
        self.tag_projects(projects, tags)
        first = [p for p in projects if p.agenda_id == agendas[0].pk]
        typical, big, open_one = first[1], first[2], first[3]
        self.populate(projects, counts, typical=typical, big=big, spared=[open_one])
        return self.facts(agendas[0], typical, big, open_one, search="gradient", tags=tags)

    def facts(
        self, agenda, typical, big, open_one, *, search: str, tags: list[Tag]
    ) -> dict[str, str]:
        """What the benchmark requests, and as whom."""
        tag = max(tags, key=lambda t: self.tag_counts[t.pk])
        return {
            "agenda": agenda.slug,
            "project": typical.slug,
            "big_project": big.slug,
            "search": search,
            "tag": tag.slug,
            "researcher": self.researcher.username,
            "comment_project": open_one.slug,
            "password": PASSWORD,
        }

    # People, agendas, tags, projects

    def make_users(self, count: int, *, curators: int) -> None:
        """``count`` people: the benchmark's researcher first, then ``curators`` curators (staff
        in the Curators group), then researchers, a few of them deactivated; every one with a
        verified primary email address, as after signing up and confirming it."""
        password = make_password(PASSWORD)
        users = []
        for i in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            username = RESEARCHER if i == 0 else slugify(f"{first}-{last}-{i}")
            bio = self.rng.choice(BIOS)
            joined = self.ago(400 if i <= curators else self.rng.uniform(30, 400))
            users.append(
                User(
                    username=username,
                    email=f"{username}@example.org",
                    password=password,
                    display_name=f"{first} {last}" if self.rng.random() < 0.7 else "",
                    affiliation=self.rng.choice(AFFILIATIONS),
                    bio=bio,
                    bio_html=self.html(bio),
                    date_joined=joined,
                    last_login=self.between(joined, self.now),
                    is_staff=1 <= i <= curators,
                    # A few deactivated accounts, never among the first ten researchers.
                    is_active=i <= curators + 10 or self.rng.random() > 0.02,
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=BATCH_SIZE,
        )
        group = Group.objects.get(name="Curators")
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user_id=u.pk, group_id=group.pk) for u in users[1 : curators + 1]]
        )
        self.researcher = users[0]
        self.curators = users[1 : curators + 1]
        self.people = users[curators + 1 :]
        # Who may take a claim: active researchers (the benchmark's one gets its own).
        self.claimants = [u for u in self.people if u.is_active]
        self.writers = [self.researcher, *users[curators + 1 :], *self.curators]

    def make_agendas(self, count: int) -> list[Agenda]:
        """``count`` agendas, published over the past year or so, the first one oldest."""
        agendas = []
        for i in range(count):
            topic = AGENDA_TOPICS[i % len(AGENDA_TOPICS)]
            title = f"Open problems in {topic}"
            if i >= len(AGENDA_TOPICS):
                title += f", part {i // len(AGENDA_TOPICS) + 1}"
            intro = (
                f"Project ideas in {topic} that we would like someone to pick up. "
                "Claim one below, or discuss it first."
            )
            created = self.ago(400 if i == 0 else self.rng.uniform(60, 400))
            agendas.append(
                Agenda(
                    title=title,
                    slug=slugify(title),
                    author=self.rng.choice(AGENDA_AUTHORS),
                    source_url=f"https://www.example.org/posts/{slugify(title)}",
                    intro=intro,
                    intro_html=self.html(intro),
                    published_on=(created - datetime.timedelta(days=20)).date(),
                    created_at=created,
                    updated_at=created,
                )
            )
        with _own_timestamps(Agenda):
            Agenda.objects.bulk_create(agendas)
        return agendas

    def make_tags(self, *, agendas: list[Agenda]) -> list[Tag]:
        """The tags, each agenda wearing two of them."""
        tags = Tag.objects.bulk_create(
            [Tag(name=name, slug=slugify(name)) for name in TAG_NAMES],
            ignore_conflicts=True,
        )
        tags = list(Tag.objects.filter(slug__in=[t.slug for t in tags]).order_by("pk"))
        Tagging = Agenda.tags.through
        Tagging.objects.bulk_create(
            [
                Tagging(agenda_id=agenda.pk, tag_id=tag.pk)
                for agenda in agendas
                for tag in self.rng.sample(tags, 2)
            ],
            ignore_conflicts=True,
        )
        return tags

    def make_projects(self, agendas: list[Agenda], count: int) -> list[Project]:
        """``count`` projects over the agendas, as if imported with each agenda: the first
        agenda holds an even share, the others more or fewer."""
        share = count // len(agendas)
        weights = [self.rng.uniform(0.5, 1.5) for _ in agendas[1:]]
        rest = count - share
        sizes = [share] + [round(rest * w / sum(weights)) for w in weights]
        sizes[-1] += count - sum(sizes)
        projects, taken, ordinal = [], set(), 0
        for agenda, size in zip(agendas, sizes, strict=True):
            for number in range(1, size + 1):
                ordinal += 1
                kind = self.rng.choice(list(KIND_OPENINGS))
                topic = self.rng.choice(TOPICS)
                title = (
                    f"{KIND_OPENINGS[kind]} {self.rng.choice(VERBS)} {topic} "
                    f"{self.rng.choice(SETTINGS)}"
                )
                description = (
                    f"{title}, in the spirit of [the original post]"
                    f"(https://www.example.org/ideas/{ordinal}). "
                    + " ".join(self.rng.sample(FOLLOW_UPS, 2))
                )
                summary = self.rng.choice(SUMMARIES)
                slug = unique_slug(title, taken)
                taken.add(slug)
                created = agenda.created_at + datetime.timedelta(seconds=number)
                status = self.rng.choices(
                    [Project.Status.OPEN, Project.Status.ADDRESSED, Project.Status.RETIRED],
                    weights=[90, 6, 4],
                )[0]
                projects.append(
                    Project(
                        agenda=agenda,
                        number=number,
                        slug=slug,
                        title=title,
                        description=description,
                        description_html=self.html(description),
                        kind=kind,
                        status=status,
                        claim_limit=self.rng.choices([None, 1, 2, 3], weights=[70, 15, 10, 5])[0],
                        claim_window_days=self.rng.choices(
                            [None, 14, 60, 90], weights=[85, 5, 5, 5]
                        )[0],
                        summary=summary,
                        summary_html=self.html(summary),
                        imported_title=title,
                        imported_description=description,
                        created_at=created,
                        updated_at=created,
                    )
                )
        with _own_timestamps(Project):
            Project.objects.bulk_create(projects, batch_size=BATCH_SIZE)
        return projects

    def tag_projects(self, projects: list[Project], tags: list[Tag]) -> None:
        """One to three tags on most projects, the first tag on about one in five."""
        Tagging = Project.tags.through
        rows, self.tag_counts = [], Counter()
        for project in projects:
            chosen = {
                tag.pk
                for tag in self.rng.choices(tags, weights=TAG_WEIGHTS, k=self.rng.randint(0, 3))
            }
            self.tag_counts.update(chosen)
            rows += [Tagging(project_id=project.pk, tag_id=pk) for pk in chosen]
        Tagging.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    # Activity

    def populate(
        self,
        projects: list[Project],
        counts: Counts,
        *,
        typical: Project,
        big: Project,
        spared: list[Project],
    ) -> None:
        """Claims, comments, outputs, interest, watching and status changes on ``projects``,
        their events, the researcher's notifications and every project's search vector.

        ``typical`` and ``big`` get their fixed shares; ``spared`` stay open and quiet but
        for the odd comment (the benchmark posts to one of them).
        """
        special = {typical.pk, big.pk, *(p.pk for p in spared)}
        for project in [typical, big, *spared]:
            project.status = Project.Status.OPEN
            project.claim_limit = project.claim_window_days = None
        Project.objects.bulk_update(
            [typical, big, *spared], ["status", "claim_limit", "claim_window_days"]
        )
        others = [p for p in projects if p.pk not in special]
        weights = self.popularity(others)

        self.plan_typical_claims(typical, others)
        self.plan_claims(others, weights, counts.claims)
        discussion = self.make_comments(
            typical, top=TYPICAL_THREADS, replies=TYPICAL_REPLIES, tidy=True
        )
        # The researcher opened its discussion, on both sets alike: what of theirs the page
        # shows them (a claim, a watch, comments) decides what is rendered for them.
        discussion[0].author = self.researcher
        big_replies = BIG_COMMENTS * 3 // 10
        self.make_comments(big, top=BIG_COMMENTS - big_replies, replies=big_replies, tidy=True)
        for project in spared:
            self.make_comments(project, top=2, replies=1)
        self.make_other_comments(others, weights, counts.comments - 3 * len(spared))
        self.save_comments()
        self.make_signals(typical, others, weights, counts)
        self.save_claims()
        self.make_typical_outputs(typical)
        self.make_outputs(others, weights, counts.outputs)
        self.make_status_changes(projects)
        Event.objects.bulk_create(self.events, batch_size=BATCH_SIZE)
        self.notify_researcher()
        fill_search_vectors()

    def plan_typical_claims(self, typical: Project, others: list[Project]) -> None:
        """The typical project's ten claims: four active (one the benchmark researcher's), three
        completed, two released, one dormant; and the researcher's other claims."""
        holders = [self.researcher, *self.rng.sample(self.claimants, len(TYPICAL_CLAIMS) - 1)]
        for holder, state in zip(holders, TYPICAL_CLAIMS, strict=True):
            self.plan_claim(typical, holder, state)
        # The researcher holds three active claims in all, and some that ended.
        elsewhere = [p for p in others if p.status == Project.Status.OPEN and not p.claim_limit]
        for project, state in zip(
            self.rng.sample(elsewhere, min(5, len(elsewhere))),
            ["active", "active", "completed", "completed", "released"],
            strict=False,
        ):
            self.plan_claim(project, self.researcher, state)

    def plan_claims(self, projects: list[Project], weights: list[float], count: int) -> None:
        """``count`` claims on ``projects``: about 30% active (only on open projects with room,
        by researchers under the cap), 40% completed, 22% released, 8% dormant."""
        active_of = Counter(plan.claim.researcher_id for plan in self.plans if plan.claim.is_active)
        on_project = Counter(plan.claim.project_id for plan in self.plans if plan.claim.is_active)
        pairs = {
            (plan.claim.project_id, plan.claim.researcher_id)
            for plan in self.plans
            if plan.claim.is_active
        }
        cap = min(ACTIVE_CAP, settings.MAX_ACTIVE_CLAIMS)
        states = [Claim.State.ACTIVE, Claim.State.COMPLETED, Claim.State.RELEASED]
        states.append(Claim.State.DORMANT)
        for project in self.rng.choices(projects, cum_weights=weights, k=count):
            state = self.rng.choices(states, weights=[30, 40, 22, 8])[0]
            holder = self.rng.choice(self.claimants)
            if state == Claim.State.ACTIVE:
                room = project.status == Project.Status.OPEN and not project.limit_reached(
                    on_project[project.pk]
                )
                for _ in range(20):
                    if active_of[holder.pk] < cap and (project.pk, holder.pk) not in pairs:
                        break
                    holder = self.rng.choice(self.claimants)
                else:
                    room = False
                if not room:
                    state = Claim.State.COMPLETED
                else:
                    active_of[holder.pk] += 1
                    on_project[project.pk] += 1
                    pairs.add((project.pk, holder.pk))
            self.plan_claim(project, holder, state)

    def plan_claim(self, project: Project, holder: User, state: str) -> None:
        """A claim of ``holder`` on ``project`` in ``state``, with plausible times (its last
        activity is settled in ``save_claims``, once every other activity is known)."""
        window = datetime.timedelta(days=project.claim_window_days or settings.CLAIM_STALE_DAYS)
        grace = datetime.timedelta(days=settings.CLAIM_GRACE_DAYS)
        floor = max(project.created_at, holder.date_joined) + datetime.timedelta(hours=1)
        quiet = window + grace + datetime.timedelta(days=1)  # the least a dormant claim was
        if state == Claim.State.DORMANT and floor > self.now - quiet - window:
            state = Claim.State.RELEASED  # too young a project to have gone quiet on
        plan = self.rng.choice(PLANS)
        claim = Claim(
            project=project,
            researcher=holder,
            plan=plan,
            plan_html=self.html(plan),
            output_kind=self.rng.choice(["", *OutputKind.values]),
            state=state,
        )
        if state == Claim.State.ACTIVE:
            # Heard from within its window (most), or gone quiet but still in its grace period.
            if self.rng.random() < 0.7:
                silence = self.rng.uniform(0, window.days)
            else:
                silence = self.rng.uniform(window.days + 0.5, window.days + grace.days - 1)
            claim.last_activity_at = max(self.ago(silence), floor + datetime.timedelta(hours=1))
            claim.started_at = self.between(
                max(floor, claim.last_activity_at - datetime.timedelta(days=200)),
                claim.last_activity_at,
            )
            if self.rng.random() < 0.5:
                claim.target_date = (
                    claim.last_activity_at + datetime.timedelta(days=self.rng.randint(-20, 120))
                ).date()
        elif state == Claim.State.DORMANT:
            claim.started_at = self.between(floor, self.now - quiet - window)
            claim.last_activity_at = self.between(claim.started_at, self.now - quiet)
            claim.stale_reminded_at = claim.last_activity_at + window + datetime.timedelta(hours=1)
            claim.ended_at = claim.stale_reminded_at + grace + datetime.timedelta(hours=1)
        else:
            claim.started_at = self.between(floor, self.now - datetime.timedelta(days=2))
            claim.ended_at = self.between(claim.started_at + datetime.timedelta(hours=1), self.now)
            claim.last_activity_at = self.between(claim.started_at, claim.ended_at)
            if state == Claim.State.RELEASED:
                claim.release_reason = self.rng.choice(
                    [r for r in Claim.ReleaseReason.values if r != Claim.ReleaseReason.MERGED]
                )
        checked_in = None
        if self.rng.random() < 0.4 and claim.last_activity_at > claim.started_at:
            claim.progress_note = self.rng.choice(PROGRESS_NOTES)
            checked_in = claim.last_activity_at
        self.plans.append(_Plan(claim=claim, check_in_at=checked_in))

    def make_comments(
        self, project: Project, *, top: int, replies: int, tidy: bool = False
    ) -> list[Comment]:
        """``top`` comments and ``replies`` replies on ``project``, spread over its life; unless
        ``tidy``, a few edited, deleted or hidden (with the flag that led a curator to it)."""
        total = top + replies
        if not total:
            return []
        start = project.created_at + datetime.timedelta(hours=2)
        times = sorted(self.between(start, self.now) for _ in range(total))
        reply_at = set(self.rng.sample(range(1, total), min(replies, total - 1)))
        comments, threads = [], []
        for i, at in enumerate(times):
            body = " ".join(
                filter(
                    None,
                    [
                        self.rng.choice(COMMENT_OPENINGS),
                        self.rng.choice(COMMENT_MIDDLES),
                        self.rng.choice(COMMENT_ENDINGS),
                    ],
                )
            )
            comment = Comment(
                project=project,
                author=self.rng.choice(self.writers),
                body=body,
                body_html=self.html(body),
                is_scope=self.rng.random() < 0.05,
                created_at=at,
                # Replies come while a thread is recent: to one of the latest few.
                parent=self.rng.choice(threads[-8:]) if i in reply_at else None,
            )
            if not tidy:
                roll = self.rng.random()
                if roll < 0.03:
                    comment.edited_at = self.between(at, self.now)
                elif roll < 0.04:
                    comment.deleted_at = self.between(at, self.now)
                elif roll < 0.045:
                    comment.hidden_at = self.between(at, self.now)
                    comment.hidden_by = self.rng.choice(self.curators)
            comments.append(comment)
            if comment.parent is None:
                threads.append(comment)
        self.comments.extend(comments)
        return comments

    def make_other_comments(
        self, projects: list[Project], weights: list[float], count: int
    ) -> None:
        """``count`` comments over ``projects``, most on a few popular ones."""
        per_project = Counter(
            p.pk for p in self.rng.choices(projects, cum_weights=weights, k=count)
        )
        for project in projects:
            n = per_project[project.pk]
            self.make_comments(project, top=n - n * 3 // 10, replies=n * 3 // 10)

    def save_comments(self) -> None:
        """Save the comments (threads first, then the replies that point at them), their
        earlier versions and flags, and the events each step of their life recorded."""
        threads = [c for c in self.comments if c.parent is None]
        Comment.objects.bulk_create(threads, batch_size=BATCH_SIZE)
        replies = [c for c in self.comments if c.parent is not None]
        Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)
        versions, flags = [], []
        kind = Event.Kind
        for c in self.comments:
            self.event(
                c.project,
                c.author,
                kind.REPLIED if c.parent else kind.COMMENTED,
                c.created_at,
                comment=c,
            )
            self.seen(c.project, c.author, c.created_at)
            if c.edited_at:
                versions.append(
                    CommentVersion(
                        comment=c,
                        body="A first version of this comment.",
                        is_scope=c.is_scope,
                        written_at=c.created_at,
                        replaced_at=c.edited_at,
                    )
                )
                self.event(c.project, c.author, kind.COMMENT_EDITED, c.edited_at, comment=c)
                self.seen(c.project, c.author, c.edited_at)
            if c.deleted_at:
                self.event(c.project, c.author, kind.COMMENT_DELETED, c.deleted_at, comment=c)
                self.seen(c.project, c.author, c.deleted_at)
            if c.hidden_at:
                flagger = self.rng.choice([u for u in self.people if u.pk != c.author_id])
                flagged_at = self.between(c.created_at, c.hidden_at)
                flags.append(
                    Flag(
                        comment=c,
                        flagged_by=flagger,
                        reason="Off topic and rude.",
                        created_at=flagged_at,
                        resolved_at=c.hidden_at,
                        resolved_by=c.hidden_by,
                    )
                )
                self.event(c.project, flagger, kind.COMMENT_FLAGGED, flagged_at, comment=c)
                self.seen(c.project, flagger, flagged_at)
                self.event(c.project, c.hidden_by, kind.COMMENT_HIDDEN, c.hidden_at, comment=c)
        CommentVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        Flag.objects.bulk_create(flags)
        self.comments.clear()

    def make_signals(
        self, typical: Project, projects: list[Project], weights: list[float], counts: Counts
    ) -> None:
        """Interest and watching: on the typical project, some of each; elsewhere, the given
        counts, on popular projects more; the researcher watches and wants a few projects
        done. Each with its event."""
        wanted, watched = set(), set()
        people = [u for u in self.people if u.is_active]
        picks = [(typical, u) for u in self.rng.sample(people, min(8, len(people)))]
        picks += [(p, self.researcher) for p in self.rng.sample(projects, min(6, len(projects)))]
        picks += [
            (p, self.rng.choice(people))
            for p in self.rng.choices(projects, cum_weights=weights, k=counts.interests)
        ]
        interests = []
        for project, person in picks:
            if (project.pk, person.pk) in wanted:
                continue
            wanted.add((project.pk, person.pk))
            note = self.rng.choice(INTEREST_NOTES)
            at = self.between(max(project.created_at, person.date_joined), self.now)
            interests.append(Interest(project=project, researcher=person, note=note, created_at=at))
            self.event(project, person, Event.Kind.INTERESTED, at, note=note)
            self.seen(project, person, at)
        Interest.objects.bulk_create(interests, batch_size=BATCH_SIZE)

        picks = [(typical, u) for u in self.rng.sample(people, min(12, len(people)))]
        picks += [(typical, self.researcher)]
        picks += [(p, self.researcher) for p in self.rng.sample(projects, min(10, len(projects)))]
        picks += [
            (p, self.rng.choice(people))
            for p in self.rng.choices(projects, cum_weights=weights, k=counts.watches)
        ]
        watches = []
        for project, person in picks:
            if (project.pk, person.pk) in watched:
                continue
            watched.add((project.pk, person.pk))
            at = self.between(max(project.created_at, person.date_joined), self.now)
            watches.append(Watch(project=project, user=person, created_at=at))
            self.event(project, person, Event.Kind.WATCHED, at)
            self.seen(project, person, at)
        Watch.objects.bulk_create(watches, batch_size=BATCH_SIZE)
        me = self.researcher.pk
        self.watching = {w.project_id: w.created_at for w in watches if w.user_id == me}
        self.wanting = {i.project_id: i.created_at for i in interests if i.researcher_id == me}

    def save_claims(self) -> None:
        """Settle each active claim's last activity (its holder's latest event on the project,
        as ``Event.record`` keeps it), remind the stale ones, save every claim, and record
        their events: claimed, checked in, reminded, completed, released, went dormant."""
        for plan in self.plans:
            claim = plan.claim
            if not claim.is_active:  # its events count on its holder's active claim, if any
                for at in (claim.started_at, plan.check_in_at, claim.ended_at):
                    if at:
                        self.seen(claim.project, claim.researcher, at)
        for plan in self.plans:
            claim = plan.claim
            project = claim.project
            window = datetime.timedelta(days=project.claim_window_days or settings.CLAIM_STALE_DAYS)
            if not claim.is_active:
                continue
            seen = self.last_seen.get((project.pk, claim.researcher_id))
            if seen and seen > claim.last_activity_at:
                claim.last_activity_at = seen
            if claim.last_activity_at + window < self.now:
                reminded = claim.last_activity_at + window + datetime.timedelta(hours=1)
                claim.stale_reminded_at = min(reminded, self.now - datetime.timedelta(minutes=1))
            if claim.target_date and claim.target_date <= self.now.date() + datetime.timedelta(
                days=settings.TARGET_REMINDER_DAYS
            ):
                claim.target_reminded_for = claim.target_date
        Claim.objects.bulk_create([plan.claim for plan in self.plans], batch_size=BATCH_SIZE)
        kind = Event.Kind
        for plan in self.plans:
            claim, project, holder = plan.claim, plan.claim.project, plan.claim.researcher
            self.claims_by_project[project.pk].append(claim)
            self.event(project, holder, kind.CLAIMED, claim.started_at, claim=claim)
            if plan.check_in_at:
                self.event(
                    project,
                    holder,
                    kind.CHECKED_IN,
                    plan.check_in_at,
                    claim=claim,
                    note=claim.progress_note,
                )
            if claim.target_reminded_for:
                soon = datetime.timedelta(days=settings.TARGET_REMINDER_DAYS)
                at = datetime.datetime.combine(
                    claim.target_date - soon, datetime.time(9), tzinfo=datetime.UTC
                )
                if claim.started_at < at < self.now:
                    self.event(project, None, kind.TARGET_REMINDED, at, claim=claim)
            if claim.stale_reminded_at:
                self.event(project, None, kind.CLAIM_REMINDED, claim.stale_reminded_at, claim=claim)
            if claim.state == Claim.State.COMPLETED:
                self.event(project, holder, kind.COMPLETED, claim.ended_at, claim=claim)
            elif claim.state == Claim.State.RELEASED:
                label = Claim.ReleaseReason(claim.release_reason).label
                self.event(project, holder, kind.RELEASED, claim.ended_at, claim=claim, note=label)
            elif claim.state == Claim.State.DORMANT:
                self.event(project, holder, kind.WENT_DORMANT, claim.ended_at, claim=claim)

    def make_typical_outputs(self, typical: Project) -> None:
        """The typical project's ten outputs: four accepted, four pending, two rejected."""
        self.make_outputs([typical], [1.0], len(TYPICAL_REVIEWS), TYPICAL_REVIEWS)

    def make_outputs(
        self,
        projects: list[Project],
        weights: list[float],
        count: int,
        reviews: list[str] | None = None,
    ) -> None:
        """``count`` outputs on ``projects`` (every addressed one gets at least one accepted
        output that fully addresses it), some linked from a completed claim by its holder,
        most reviewed by a curator; each with its events."""
        addressed = [p for p in projects if p.status == Project.Status.ADDRESSED]
        picks = addressed + self.rng.choices(
            projects, cum_weights=weights, k=count - len(addressed)
        )
        active = {
            (c.project_id, c.researcher_id)
            for cs in self.claims_by_project.values()
            for c in cs
            if c.is_active
        }
        outputs, kind = [], Event.Kind
        for i, project in enumerate(picks):
            justifies = i < len(addressed)
            done = [c for c in self.claims_by_project[project.pk] if c.is_completed]
            claim = self.rng.choice(done) if done and self.rng.random() < 0.5 else None
            if claim:
                person = claim.researcher
                at = self.between(claim.started_at, claim.ended_at)
            else:
                person = self.rng.choice(self.people)
                while (project.pk, person.pk) in active:
                    person = self.rng.choice(self.people)
                at = self.between(max(project.created_at, person.date_joined), self.now)
            if justifies:
                review = Output.Review.ACCEPTED
            elif reviews:
                review = reviews[i]
            else:
                review = self.rng.choices(
                    [Output.Review.ACCEPTED, Output.Review.PENDING, Output.Review.REJECTED],
                    weights=[50, 35, 15],
                )[0]
            output_kind = self.rng.choice(OutputKind.values)
            topic = project.title.split(" which ", 1)[-1][:80]
            title = self.rng.choice(OUTPUT_TITLES).format(
                topic=topic, Topic=topic[:1].upper() + topic[1:]
            )
            n = len(self.outputs_by_project[project.pk]) + 1
            output = Output(
                project=project,
                submitted_by=person,
                claim=claim,
                url=f"{OUTPUT_PLACES[output_kind]}/{project.slug}-{n}",
                title=title[:200],
                kind=output_kind,
                addresses=Output.Addresses.FULLY if justifies else Output.Addresses.PARTLY,
                review=review,
                created_at=at,
            )
            if review != Output.Review.PENDING:
                output.reviewed_by = self.rng.choice(self.curators)
                output.reviewed_at = self.between(at, self.now)
            outputs.append(output)
            self.outputs_by_project[project.pk].append(output)
        Output.objects.bulk_create(outputs, batch_size=BATCH_SIZE)
        for output in outputs:
            self.event(
                output.project,
                output.submitted_by,
                kind.OUTPUT_LINKED,
                output.created_at,
                output=output,
            )
            if output.reviewed_at:
                accepted = output.review == Output.Review.ACCEPTED
                self.event(
                    output.project,
                    output.reviewed_by,
                    kind.OUTPUT_ACCEPTED if accepted else kind.OUTPUT_REJECTED,
                    output.reviewed_at,
                    output=output,
                )

    def make_status_changes(self, projects: list[Project]) -> None:
        """A status change for each addressed or retired project, by a curator, with its
        event; an addressed one names its accepted outputs that fully address it, and
        comes after them."""
        changes, named, changed = [], [], []
        for project in projects:
            if project.status == Project.Status.OPEN:
                continue
            justifying = [
                o
                for o in self.outputs_by_project[project.pk]
                if o.is_accepted and o.addresses == Output.Addresses.FULLY
            ]
            after = max([project.created_at, *(o.reviewed_at for o in justifying)])
            at = self.between(after, self.now)
            reason = STATUS_REASONS[project.status]
            change = StatusChange(
                project=project,
                from_status=Project.Status.OPEN,
                to_status=project.status,
                changed_by=self.rng.choice(self.curators),
                changed_at=at,
                reason=reason,
            )
            changes.append(change)
            named += [(change, o) for o in justifying]
            project.updated_at = at
            changed.append(project)
            label = Project.Status(project.status).label
            self.event(
                project, change.changed_by, Event.Kind.STATUS_CHANGED, at, note=f"{label}: {reason}"
            )
        StatusChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        StatusChangeOutput.objects.bulk_create(
            [StatusChangeOutput(statuschange=c, output=o) for c, o in named], batch_size=BATCH_SIZE
        )
        Project.objects.bulk_update(changed, ["updated_at"], batch_size=BATCH_SIZE)

    def notify_researcher(self) -> None:
        """The benchmark researcher's notifications, as ``notifications.fanout`` would have
        made them: what happened on the projects they watch, want done or hold an active
        claim on (after they began to), and the replies to their comments; the older ones
        read, the digests' ones mailed when their digest was due."""
        me = self.researcher
        holds = {
            plan.claim.project_id: plan.claim.started_at
            for plan in self.plans
            if plan.claim.researcher_id == me.pk and plan.claim.is_active
        }
        preference = Preference(user=me)
        notifications = []
        for event in self.events:
            if event.actor_id == me.pk:
                continue
            if event.kind == Event.Kind.REPLIED and event.comment.parent.author_id == me.pk:
                topic, reason = ABOUT_YOU[event.kind]
                notifications.append(self.notification(event, topic, reason, preference))
                continue
            if event.kind not in FOLLOWED:
                continue
            # Told for the first reason that held when it happened, as ``fanout`` chooses.
            reason = next(
                (
                    reason
                    for follows, reason in [
                        (holds, Reason.CLAIM),
                        (self.wanting, Reason.INTEREST),
                        (self.watching, Reason.WATCHING),
                    ]
                    if follows.get(event.project_id, self.now) < event.created_at
                ),
                None,
            )
            if reason is None:
                continue
            notifications.append(self.notification(event, FOLLOWED[event.kind], reason, preference))
        Notification.objects.bulk_create(notifications, batch_size=BATCH_SIZE)

    def notification(self, event: Event, topic: str, reason: str, preference) -> Notification:
        """The researcher's notification of ``event``: read after a day when older than a
        fortnight; mailed at once, or with the digest that was due after it."""
        mail = preference.choice(topic)
        mailed_at = None
        if mail == Frequency.AT_ONCE:
            mailed_at = event.created_at
        elif mail in DIGESTS:
            due = event.created_at + datetime.timedelta(days=1 if mail == Frequency.DAILY else 7)
            mailed_at = due if due < self.now else None
        old = event.created_at < self.ago(14)
        return Notification(
            recipient=self.researcher,
            event=event,
            topic=topic,
            reason=reason,
            mail=mail,
            mailed_at=mailed_at,
            created_at=event.created_at,
            read_at=event.created_at + datetime.timedelta(days=1) if old else None,
        )
