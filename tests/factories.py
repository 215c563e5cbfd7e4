"""Factories for the domain's models, with traits for the states tests need."""

import datetime
import time

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from projects.models import Agenda, Claim, Comment, Output, Project, Tag
from projects.search import refresh_search_vector

# The secret of the authenticator app that ``UserFactory(two_factor=True)`` sets up, from
# which ``totp_code`` computes the codes the app would show.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app with ``secret`` shows at ``at``, or now: in
    the last two seconds of a code's 30, after waiting for the next one, so that the code
    is still good when the server reads it (it allows no drift)."""
    if at is None:
        if (left := 30 - time.time() % 30) < 2:
            time.sleep(left + 0.05)
        at = time.time()
    return format_hotp_value(hotp_value(secret, int(at) // 30))


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-up researcher; ``curator=True`` makes a staff curator."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"researcher{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    class Params:
        curator = factory.Trait(is_staff=True)

    @factory.post_generation
    def _curators_group(user, create, extracted, **kwargs):
        """Curators are staff in the Curators group (made by a migration), not superusers."""
        if create and user.is_staff and not user.is_superuser:
            user.groups.add(Group.objects.get(name="Curators"))

    @factory.post_generation
    def two_factor(user, create, extracted, **kwargs):
        """``UserFactory(two_factor=True)``: ready to sign in with a second factor, as staff
        must for the admin: a verified address and an authenticator app (``TOTP_SECRET``)."""
        if create and extracted:
            set_up_two_factor(user)


def set_up_two_factor(user: User) -> None:
    """Give ``user`` a verified primary address and the authenticator app of ``TOTP_SECRET``,
    unless they have them already."""
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    if not user.authenticator_set.filter(type="totp").exists():
        TOTP.activate(user, TOTP_SECRET)


def sign_in_with_two_factor(client: Client, user: User) -> None:
    """Sign ``client`` in as ``user`` the way the site's sign-in does for an account with an
    authenticator app (password, then code), as staff must be for the admin; the app is set
    up first if the user has none. tests/test_staff_mfa.py goes through the real pages."""
    set_up_two_factor(user)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, method="password", username=user.username)
    totp = user.authenticator_set.get(type="totp")
    record_authentication(request, user, method="mfa", type="totp", id=totp.pk)
    request.session.save()


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


class AgendaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agenda

    title = factory.Sequence(lambda n: f"Open problems, volume {n}")
    slug = factory.LazyAttribute(lambda agenda: slugify(agenda.title))
    source_url = "https://example.org/open-problems"


class ProjectFactory(factory.django.DjangoModelFactory):
    """An open project; ``proposed=True`` or ``retired=True`` for other states."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    agenda = factory.SubFactory(AgendaFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"A paper about question {n}")
    slug = factory.LazyAttribute(lambda project: slugify(project.title)[:80])
    description = factory.LazyAttribute(lambda project: f"{project.title}, in ML terms.")
    kind = Project.Kind.PAPER

    class Params:
        proposed = factory.Trait(status=Project.Status.PROPOSED)
        retired = factory.Trait(status=Project.Status.RETIRED)

    @factory.post_generation
    def tags(project, create, extracted, **kwargs):
        """``ProjectFactory(tags=[...])`` tags the project."""
        if create and extracted:
            project.tags.set(extracted)

    @factory.post_generation
    def _searchable(project, create, extracted, **kwargs):
        """Indexed for search, as the domain's first event for a project would index it."""
        if create:
            refresh_search_vector(project.pk)


class ClaimFactory(factory.django.DjangoModelFactory):
    """An active claim; made directly, for tests that set the scene rather than test claiming."""

    class Meta:
        model = Claim

    project = factory.SubFactory(ProjectFactory)
    researcher = factory.SubFactory(UserFactory)
    plan = "Read the literature, then write a first draft."


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(UserFactory)
    body = "What exactly counts as *done* here?"

    @factory.post_generation
    def _searchable(comment, create, extracted, **kwargs):
        """Its project's search vector reads it, as after ``Project.add_comment``."""
        if create:
            refresh_search_vector(comment.project_id)


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Output
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    submitted_by = factory.SubFactory(UserFactory)
    url = factory.Sequence(lambda n: f"https://example.org/results/{n}")
    title = factory.Sequence(lambda n: f"Result {n}")
    kind = Output.Kind.BLOG_POST

    class Params:
        accepted = factory.Trait(review=Output.Review.ACCEPTED)

    @factory.post_generation
    def _searchable(output, create, extracted, **kwargs):
        """Its project's search vector reads its title, as after ``Project.link_output``."""
        if create:
            refresh_search_vector(output.project_id)


def projects_of_every_standing(agenda: Agenda, *, first_number: int = 1) -> dict[str, Project]:
    """One live project of ``agenda`` in each ``Project.Standing``, numbered in the order of
    the standings from ``first_number``, keyed by standing value. The stale one's claim has
    been silent for a year (past CLAIM_STALE_DAYS).
    """
    standing = Project.Standing
    made = {
        value: ProjectFactory(agenda=agenda, number=first_number + i, slug=f"{agenda.slug}-{value}")
        for i, value in enumerate(standing.values)
    }
    ClaimFactory(project=made[standing.IN_PROGRESS])
    silent = timezone.now() - datetime.timedelta(days=365)
    ClaimFactory(project=made[standing.STALE], last_activity_at=silent)
    ClaimFactory(project=made[standing.COMPLETED], state=Claim.State.COMPLETED)
    OutputFactory(project=made[standing.PARTLY_ADDRESSED], accepted=True)
    for value, status in [
        (standing.ADDRESSED, Project.Status.ADDRESSED),
        (standing.RETIRED, Project.Status.RETIRED),
    ]:
        made[value].status = status
        made[value].save(update_fields=["status"])
    return made
