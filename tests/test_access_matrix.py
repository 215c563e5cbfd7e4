"""Every URL pattern of the site × every role × GET, HEAD and POST, plain and htmx, against
one table of expected answers.

``TABLE`` has a row per URL pattern, found by walking the resolver (the site's own pages,
allauth's under /accounts/, the admin under /admin/, the API under /api/): a URL of that
pattern in one small world, and what each role gets for GET and for POST, plain and with
``HX-Request: true``. HEAD must answer as GET does: the same status and headers, no body.
A pattern with no row fails the test that names it: add its row when you add a URL, keyed
by the route that test prints, with the helper that says who the page is for:
``Row(url)`` (anyone; GET 200, POST 405 unless told otherwise), ``members(url, get, post)``
(``participant_required``), ``account(url, get, post)`` (``login_required``, as allauth's
own pages are), ``admin(url, get, post)`` and ``admin_model(...)`` (staff). Anything the
world lacks for the URL (an object, a token) goes into ``World``.

The roles: ``anonymous``; ``unverified`` (signed up, email not verified: allauth's real
login leaves them at "verify your email", never signed in); ``deactivated`` (a former
curator whose account was made inactive while their session lived on: Django's
ModelBackend refuses an inactive user on each request, so they are signed out
everywhere); ``researcher``; ``owner`` (holds the claim, wrote the comment, linked the
output, made the proposal and is the person the URL names); ``curator`` (staff in the
Curators group); ``superuser``.

GET and HEAD never write to the database, nor does a POST that is refused (sent to sign
in, 4xx): the requests' SQL is read, so no table escapes. Each request runs in a
savepoint that is rolled back, with the client's cookies put back after it, so that every
request meets the same world. POSTs carry no fields: whether the real forms do the right
thing with real input, for the four roles that can post, is tests/test_permissions_matrix.py.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.mail import unsubscribe_token
from notifications.models import Delivery
from projects import freshness, services
from projects.models import Claim, Project
from tests.factories import (
    AgendaFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
    sign_in_with_two_factor,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

ROLES = ("anonymous", "unverified", "deactivated", "researcher", "owner", "curator", "superuser")
# Groups of roles, to write the table's answers by.
SIGNED_OUT = ("anonymous", "unverified", "deactivated")
RESEARCHERS = ("researcher", "owner")
STAFF = ("curator", "superuser")
SIGNED_IN = RESEARCHERS + STAFF
NOT_STAFF = SIGNED_OUT + RESEARCHERS
OTHERS = ("researcher", "curator", "superuser")  # signed in, but not the owner

# The answers, as ``answer(response)`` spells them. A redirect names where it goes (with
# "{w.…}" for the world's objects, "{me.…}" for the role's user), but these three:
LOGIN = "302 login"  # to the site's sign-in page, coming back after (?next=)
ADMIN_LOGIN = "302 admin-login"  # to the admin's sign-in page
HX_LOGIN = "204 hx-login"  # htmx is told to go to the sign-in page (HX-Redirect)
# What refuses: nothing may change in the database when one of these is the answer.
REFUSALS = re.compile(r"^(4\d\d|302 login|302 admin-login|204 hx-login)$")


class World:
    """One of everything a URL can name, and the people of the roles."""

    def __init__(self) -> None:
        self.owner = UserFactory(username="ada")
        self.researcher = UserFactory(username="alan")
        self.curator = UserFactory(username="grace", curator=True)
        self.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.deactivated = UserFactory(username="gone", curator=True)
        for user in (self.owner, self.researcher, self.curator, self.superuser, self.deactivated):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        self.unverified = UserFactory(username="newbie")
        self.unverified_address = EmailAddress.objects.create(
            user=self.unverified, email=self.unverified.email, verified=False, primary=True
        )

        self.tag, self.agenda = TagFactory(), AgendaFactory()
        self.project = ProjectFactory(agenda=self.agenda, tags=[self.tag])
        self.project.edit_description(text="What it asks, said better.", by=self.curator)
        self.version = self.project.versions.first()
        self.claim = self.project.claim(researcher=self.owner, plan="Read, then write.")
        self.comment = self.project.add_comment(author=self.owner, body="What counts as done?")
        # A reply tells the owner at once: a notification and an email in the outbox.
        self.project.add_comment(author=self.researcher, parent=self.comment, body="A draft.")
        self.hidden = self.project.add_comment(author=self.owner, body="Off topic.")
        self.hidden.hide(by=self.curator)
        self.output = self.project.link_output(
            by=self.owner, url="https://example.org/draft", title="A draft", kind="paper"
        )
        # The owner's dormant claim on the one project nobody is on ("Surprise me" picks it).
        self.free = ProjectFactory(agenda=self.agenda)
        self.dormant = self.free.claim(researcher=self.owner)
        self.proposal = services.project_propose(
            by=self.owner, agenda=None, title="An idea", description="Do X.", kind="paper"
        )

        # The owner's claim went quiet and was reminded: its one-click links work. Both
        # claims were last heard from weeks ago, which pages say in the same words from one
        # second to the next (a HEAD is compared with its GET, Content-Length included).
        now = timezone.now()
        Claim.objects.filter(pk=self.claim.pk).update(
            last_activity_at=now - datetime.timedelta(days=40),
            stale_reminded_at=now - datetime.timedelta(days=1),
        )
        Claim.objects.filter(pk=self.dormant.pk).update(
            state=Claim.State.DORMANT,
            last_activity_at=now - datetime.timedelta(days=60),
            ended_at=now - datetime.timedelta(days=15),
        )
        self.claim.refresh_from_db()
        self.reminder_token = freshness.reminder_token(self.claim, freshness.LinkAction.CONFIRM)
        self.unsubscribe_token = unsubscribe_token(user_id=self.owner.pk, scope="topic:comments")
        self.confirm_key = EmailConfirmationHMAC(self.unverified_address).key
        token = default_token_generator.make_token(self.owner)
        self.reset_key = f"{user_pk_to_url_str(self.owner)}-{token}"

        self.delivery = Delivery.objects.get()
        self.task = DBTaskResult.objects.create(
            args_kwargs={},
            task_path="notifications.tasks.send",
            backend_name="default",
            run_after=now,
        )
        self.group = Group.objects.get(name="Curators")
        self.project_type = ContentType.objects.get_for_model(Project)


# The table


@dataclass(frozen=True)
class Row:
    """One URL pattern: a URL of it in the world (``str.format``ted with ``w``, the world),
    and each role's answer to GET and POST. An answer is one string for every role, or a
    dict from roles (or tuples of them) to strings. ``hx_get`` and ``hx_post`` are the
    answers to htmx, when they differ; ``hx_login`` says the view tells htmx to go to the
    sign-in page (204) where a plain request is redirected there."""

    url: str
    get: str | dict = "200"
    post: str | dict = "405"
    hx_get: str | dict | None = None
    hx_post: str | dict | None = None
    hx_login: bool = False

    def answers(self, method: str, *, htmx: bool) -> dict[str, str]:
        """Each role's answer to ``method`` ("GET" or "POST"), plain or htmx."""
        plain = self.get if method == "GET" else self.post
        given = (self.hx_get if method == "GET" else self.hx_post) if htmx else None
        answers = by_role(plain if given is None else given)
        if htmx and self.hx_login:
            answers = {role: HX_LOGIN if a == LOGIN else a for role, a in answers.items()}
        return answers


def by_role(answers: str | dict) -> dict[str, str]:
    """Answers spread to each role; every role named exactly once."""
    if isinstance(answers, str):
        return dict.fromkeys(ROLES, answers)
    spread = {}
    for roles, answer in answers.items():
        for role in (roles,) if isinstance(roles, str) else roles:
            assert role in ROLES and role not in spread, f"{role!r} named twice or unknown"
            spread[role] = answer
    assert set(spread) == set(ROLES), f"no answer for {sorted(set(ROLES) - set(spread))}"
    return spread


def members(url: str, get: str | dict, post: str | dict, **kwargs) -> Row:
    """A page or action of the site for people who may take part (``participant_required``):
    the signed out are sent to sign in, htmx told to go there."""
    with_login = {SIGNED_OUT: LOGIN}
    return Row(
        url,
        get={**with_login, SIGNED_IN: get} if isinstance(get, str) else {**with_login, **get},
        post={**with_login, SIGNED_IN: post} if isinstance(post, str) else {**with_login, **post},
        hx_login=True,
        **{k: {SIGNED_OUT: LOGIN, **v} for k, v in kwargs.items()},
    )


def account(url: str, get: str = "200", post: str = "200") -> Row:
    """A page for the signed in (``login_required``): the signed out are sent to sign in."""
    return Row(
        url, get={SIGNED_OUT: LOGIN, SIGNED_IN: get}, post={SIGNED_OUT: LOGIN, SIGNED_IN: post}
    )


def reauthenticate(path: str) -> str:
    """The answer that asks for the password again before /accounts/2fa/``path``."""
    return "302 /accounts/reauthenticate/?next=" + quote(f"/accounts/2fa/{path}", safe="")


def reauthenticated(url: str, route: str | None = None) -> dict[str, Row]:
    """A two-factor page that asks everyone signed in for their password again first. Its
    row is keyed by ``route`` (under accounts/2fa/), or by ``url`` itself."""
    path = url.removeprefix("/accounts/2fa/")
    again = reauthenticate(path)
    return {f"accounts/2fa/{route or path}": account(url, again, again)}


def admin(url: str, get: str | dict = "200", post: str | dict = "200") -> Row:
    """An admin page: for staff, whom ``get``/``post`` answer; the signed out sign in there,
    researchers are refused."""
    spread = {SIGNED_OUT: ADMIN_LOGIN, RESEARCHERS: "403"}
    return Row(
        url,
        get={**spread, STAFF: get} if isinstance(get, str) else {**spread, **get},
        post={**spread, STAFF: post} if isinstance(post, str) else {**spread, **post},
    )


def admin_model(model: str, obj: str, *, curator: str, superuser: str, read_only=False) -> dict:
    """The six URLs Django's admin gives the registered ``model`` ("app/model"), for the
    world's ``obj``. ``curator`` and ``superuser`` say what each may do there ("view add
    change delete"); on a ``read_only`` model's page a POST is refused (changes go through
    the admin's actions and buttons)."""
    may = {"curator": curator.split(), "superuser": superuser.split()}

    def allowed(action: str) -> dict:
        return {role: "200" if action in may[role] else "403" for role in STAFF}

    change_post = {
        role: "405" if read_only else ("200" if "change" in may[role] else "403") for role in STAFF
    }
    base, page = f"/admin/{model}/", f"/admin/{model}/{{w.{obj}.pk}}/"
    route = f"admin/{model}/"
    return {
        route: admin(base, allowed("view"), allowed("view")),
        f"{route}add/": admin(f"{base}add/", allowed("add"), allowed("add")),
        f"{route}<path:object_id>/history/": admin(
            f"{page}history/", allowed("view"), allowed("view")
        ),
        f"{route}<path:object_id>/delete/": admin(
            f"{page}delete/", allowed("delete"), allowed("delete")
        ),
        f"{route}<path:object_id>/change/": admin(f"{page}change/", allowed("view"), change_post),
        # Django's old-style object URL, sent on to the change page.
        f"{route}<path:object_id>/": admin(page, f"302 {page}change/", f"302 {page}change/"),
    }


PROJECT = "/projects/{w.project.slug}/"
CURATING = "view add change"

TABLE: dict[str, Row] = {
    # The board's pages: anyone reads them; they take no POST.
    "": Row("/"),
    "agendas/": Row("/agendas/"),
    "agendas/<slug:slug>/": Row("/agendas/{w.agenda.slug}/"),
    "agendas/<slug:slug>/export.csv": Row("/agendas/{w.agenda.slug}/export.csv"),
    "agendas/<slug:slug>/export.json": Row("/agendas/{w.agenda.slug}/export.json"),
    "tags/<str:tag>/": Row("/tags/{w.tag.slug}/"),
    "activity/": Row("/activity/"),
    "feeds/": Row("/feeds/"),
    "feeds/agendas/<slug:slug>/": Row("/feeds/agendas/{w.agenda.slug}/"),
    "feeds/projects/<slug:slug>/": Row("/feeds/projects/{w.project.slug}/"),
    "feeds/tags/<str:slug>/": Row("/feeds/tags/{w.tag.slug}/"),
    "projects/random/": Row("/projects/random/", get="302 /projects/{w.free.slug}/"),
    "projects/<slug:slug>/": Row(PROJECT),
    "comments/<int:pk>/": Row(
        "/comments/{w.comment.pk}/", get=f"302 {PROJECT}#comment-{{w.comment.pk}}"
    ),
    "^people/(?P<username>[\\w.@+-]+)/$": Row("/people/{w.owner.username}/"),
    "healthz": Row("/healthz"),
    "readyz": Row("/readyz"),
    # Taking part: for people signed in with an active account.
    "projects/propose/": members(
        "/projects/propose/", get="200", post="303 /projects/propose/#proposal-title"
    ),
    "projects/<slug:slug>/propose-edit/": members(
        f"{PROJECT}propose-edit/",
        get="200",
        post=f"303 {PROJECT}propose-edit/#proposal-title",
    ),
    "projects/<slug:slug>/claim/": members(
        f"{PROJECT}claim/",
        get="200",
        # The owner holds a claim already: sent back to the form, which says so.
        post={"owner": f"303 {PROJECT}claim/#claim-form", OTHERS: f"303 {PROJECT}#claim-panel"},
        hx_post={SIGNED_IN: "200"},
    ),
    "projects/<slug:slug>/interest/": members(
        f"{PROJECT}interest/", get="405", post=f"303 {PROJECT}#signals", hx_post={SIGNED_IN: "200"}
    ),
    "projects/<slug:slug>/watch/": members(
        f"{PROJECT}watch/", get="405", post=f"303 {PROJECT}#signals", hx_post={SIGNED_IN: "200"}
    ),
    # An empty comment or output: sent back to the field that needs filling.
    "projects/<slug:slug>/comments/": members(
        f"{PROJECT}comments/",
        get="405",
        post=f"303 {PROJECT}#comment-body",
        hx_post={SIGNED_IN: "200"},
    ),
    "projects/<slug:slug>/outputs/": members(
        f"{PROJECT}outputs/",
        get="405",
        post=f"303 {PROJECT}#output-url",
        hx_post={SIGNED_IN: "200"},
    ),
    # A claim: its holder's alone.
    "claims/<int:pk>/check-in/": members(
        "/claims/{w.claim.pk}/check-in/",
        get="405",
        post={"owner": f"303 {PROJECT}#checkin-note", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    "claims/<int:pk>/still-on-it/": members(
        "/claims/{w.claim.pk}/still-on-it/",
        get="405",
        post={"owner": f"303 {PROJECT}#claim-panel", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    "claims/<int:pk>/complete/": members(
        "/claims/{w.claim.pk}/complete/",
        get="405",
        post={"owner": f"303 {PROJECT}#claim-panel", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    "claims/<int:pk>/release/": members(
        "/claims/{w.claim.pk}/release/",
        get="405",
        post={"owner": f"303 {PROJECT}#release-reason_0", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    "claims/<int:pk>/revive/": members(
        "/claims/{w.dormant.pk}/revive/",
        get="405",
        post={"owner": "303 /projects/{w.free.slug}/#claim-panel", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    # A reminder's one-click link: the signed token is the key, whoever holds it.
    "claims/reminded/<str:token>/": Row(
        "/claims/reminded/{w.reminder_token}/", post=f"303 {PROJECT}#claim-panel"
    ),
    # A comment: its author edits and deletes it; others flag it; curators hide it.
    "comments/<int:pk>/edit/": members(
        "/comments/{w.comment.pk}/edit/",
        get={"owner": "200", OTHERS: "403"},
        post={
            "owner": "303 /comments/{w.comment.pk}/edit/#edit-{w.comment.pk}-body",
            OTHERS: "403",
        },
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    "comments/<int:pk>/delete/": members(
        "/comments/{w.comment.pk}/delete/",
        get="405",
        post={"owner": f"303 {PROJECT}#discussion", OTHERS: "403"},
        hx_post={"owner": "200", OTHERS: "403"},
    ),
    # Reply and Flag fetch their form: htmx gets it, a plain request the page holding it.
    "comments/<int:pk>/reply/": members(
        "/comments/{w.comment.pk}/reply/",
        get=f"303 {PROJECT}?reply={{w.comment.pk}}#reply-{{w.comment.pk}}-body",
        post="405",
        hx_get={SIGNED_IN: "200"},
    ),
    "comments/<int:pk>/flag/": members(
        "/comments/{w.comment.pk}/flag/",
        get={
            "owner": "403",
            OTHERS: f"303 {PROJECT}?flag={{w.comment.pk}}#flag-{{w.comment.pk}}-reason",
        },
        post={"owner": "403", OTHERS: f"303 {PROJECT}#discussion"},
        hx_get={"owner": "403", OTHERS: "200"},
        hx_post={"owner": "403", OTHERS: "200"},
    ),
    "comments/<int:pk>/hide/": members(
        "/comments/{w.comment.pk}/hide/",
        get="405",
        post={RESEARCHERS: "403", STAFF: f"303 {PROJECT}#comment-{{w.comment.pk}}"},
        hx_post={RESEARCHERS: "403", STAFF: "200"},
    ),
    "comments/<int:pk>/unhide/": members(
        "/comments/{w.hidden.pk}/unhide/",
        get="405",
        post={RESEARCHERS: "403", STAFF: f"303 {PROJECT}#comment-{{w.hidden.pk}}"},
        hx_post={RESEARCHERS: "403", STAFF: "200"},
    ),
    # An output: curators review it.
    "outputs/<int:pk>/accept/": members(
        "/outputs/{w.output.pk}/accept/",
        get="405",
        post={RESEARCHERS: "403", STAFF: f"303 {PROJECT}#output-{{w.output.pk}}"},
        hx_post={RESEARCHERS: "403", STAFF: "200"},
    ),
    "outputs/<int:pk>/reject/": members(
        "/outputs/{w.output.pk}/reject/",
        get="405",
        post={RESEARCHERS: "403", STAFF: f"303 {PROJECT}#output-{{w.output.pk}}"},
        hx_post={RESEARCHERS: "403", STAFF: "200"},
    ),
    # Write / Preview: the server renders the text as it would be saved, and stores nothing.
    "preview/": members("/preview/", get="405", post="200"),
    # One's own pages. An empty profile is a valid one (every field is optional).
    "me/": account("/me/", post="405"),
    # The names offered after "@" as one writes: for people who may take part.
    "mentions/people/": members("/mentions/people/?q=re", get="200", post="405"),
    "accounts/profile/": account("/accounts/profile/", post="302 /people/{me.username}/"),
    "notifications/": account("/notifications/", post="405"),
    "notifications/settings/": account("/notifications/settings/", post="400"),
    "notifications/read/": members("/notifications/read/", get="405", post="303 /notifications/"),
    # An email's unsubscribe link: the signed token is the key (RFC 8058: no sign-in).
    "notifications/unsubscribe/<str:token>/": Row(
        "/notifications/unsubscribe/{w.unsubscribe_token}/", post="200"
    ),
    # The open API: GET (and HEAD) only.
    "api/": Row("/api/", get="404"),
    "api/openapi.json": Row("/api/openapi.json"),
    "api/agendas/": Row("/api/agendas/"),
    "api/agendas/<slug>/": Row("/api/agendas/{w.agenda.slug}/"),
    "api/projects/": Row("/api/projects/"),
    "api/projects/<slug>/": Row("/api/projects/{w.project.slug}/"),
    # allauth. Signing in and up is for the signed out; empty forms come back with errors.
    "accounts/login/": Row(
        "/accounts/login/",
        get={SIGNED_OUT: "200", SIGNED_IN: "302 /"},
        post={SIGNED_OUT: "200", SIGNED_IN: "302 /"},
    ),
    "accounts/signup/": Row(
        "/accounts/signup/",
        get={SIGNED_OUT: "200", SIGNED_IN: "302 /"},
        post={SIGNED_OUT: "200", SIGNED_IN: "302 /"},
    ),
    "accounts/logout/": Row(
        "/accounts/logout/", get={SIGNED_OUT: "302 /", SIGNED_IN: "200"}, post="302 /"
    ),
    "accounts/inactive/": Row("/accounts/inactive/"),
    # Confirming a sign-in code, with no sign-in waiting for one: back to signing in.
    "accounts/login/code/confirm/": Row(
        "/accounts/login/code/confirm/",
        get={SIGNED_OUT: "302 /accounts/login/", SIGNED_IN: "302 /"},
        post={SIGNED_OUT: "302 /accounts/login/", SIGNED_IN: "302 /"},
    ),
    "accounts/reauthenticate/": account("/accounts/reauthenticate/"),
    # Confirming it is you by an emailed code: off, as signing in by code is.
    "accounts/reauthenticate/code/": account("/accounts/reauthenticate/code/", "403", "403"),
    "accounts/reauthenticate/code/confirm/": account(
        "/accounts/reauthenticate/code/confirm/", "403", "403"
    ),
    "accounts/email/": account("/accounts/email/", post="302 /accounts/email/"),
    "accounts/password/change/": account("/accounts/password/change/"),
    "accounts/password/set/": account(
        "/accounts/password/set/",
        "302 /accounts/password/change/",
        "302 /accounts/password/change/",
    ),
    "accounts/password/reset/": Row("/accounts/password/reset/", post="200"),
    "accounts/password/reset/done/": Row("/accounts/password/reset/done/"),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Row(
        "/accounts/password/reset/key/{w.reset_key}/", post="200"
    ),
    "accounts/password/reset/key/done/": Row("/accounts/password/reset/key/done/"),
    "accounts/confirm-email/": Row("/accounts/confirm-email/"),
    # The key verifies the address, whoever posts it; the unverified, whose sign-in waited
    # for it, are then signed in, anyone else asked to sign in.
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": Row(
        "/accounts/confirm-email/{w.confirm_key}/",
        post={
            "unverified": "302 /",
            ("anonymous", "deactivated", *SIGNED_IN): "302 /accounts/login/",
        },
    ),
    # Two-factor authentication (allauth's MFA app). The world's staff have an authenticator
    # app and signed in with it; researchers have none. Setting up, removing or changing a
    # factor asks for the password again first (the sessions here signed in long enough ago).
    "accounts/2fa/": account("/accounts/2fa/", post="405"),
    # The sign-in's second step, with no sign-in waiting for it.
    "accounts/2fa/authenticate/": Row(
        "/accounts/2fa/authenticate/",
        get={SIGNED_OUT: "302 /accounts/login/", SIGNED_IN: "302 /"},
        post={SIGNED_OUT: "302 /accounts/login/", SIGNED_IN: "302 /"},
    ),
    "accounts/2fa/reauthenticate/": Row(
        "/accounts/2fa/reauthenticate/",
        get={SIGNED_OUT: LOGIN, RESEARCHERS: "302 /accounts/reauthenticate/", STAFF: "200"},
        post={SIGNED_OUT: LOGIN, RESEARCHERS: "302 /accounts/reauthenticate/", STAFF: "200"},
    ),
    **reauthenticated("/accounts/2fa/totp/activate/"),
    "accounts/2fa/totp/deactivate/": Row(
        "/accounts/2fa/totp/deactivate/",
        get={SIGNED_OUT: LOGIN, RESEARCHERS: "404", STAFF: reauthenticate("totp/deactivate/")},
        post={SIGNED_OUT: LOGIN, RESEARCHERS: "404", STAFF: reauthenticate("totp/deactivate/")},
    ),
    # Nobody here has recovery codes yet.
    "accounts/2fa/recovery-codes/": account("/accounts/2fa/recovery-codes/", "404", "405"),
    **reauthenticated("/accounts/2fa/recovery-codes/generate/"),
    "accounts/2fa/recovery-codes/download/": account(
        "/accounts/2fa/recovery-codes/download/", "404", "404"
    ),
    "accounts/2fa/webauthn/": account("/accounts/2fa/webauthn/", post="405"),
    **reauthenticated("/accounts/2fa/webauthn/add/"),
    # Nobody here has a security key to confirm with: the password instead.
    "accounts/2fa/webauthn/reauthenticate/": account(
        "/accounts/2fa/webauthn/reauthenticate/",
        "302 /accounts/reauthenticate/",
        "302 /accounts/reauthenticate/",
    ),
    **reauthenticated("/accounts/2fa/webauthn/keys/1/remove/", "webauthn/keys/<int:pk>/remove/"),
    **reauthenticated("/accounts/2fa/webauthn/keys/1/edit/", "webauthn/keys/<int:pk>/edit/"),
    # The admin: staff only; curators hold the Curators group's permissions.
    "admin/": admin("/admin/"),
    # No sign-in form of its own: the site's, whose rate limits and second step apply.
    "admin/login/": Row(
        "/admin/login/",
        get={SIGNED_OUT: LOGIN, RESEARCHERS: "403", STAFF: "302 /admin/"},
        post={SIGNED_OUT: LOGIN, RESEARCHERS: "403", STAFF: "302 /admin/"},
    ),
    "admin/logout/": Row(
        "/admin/logout/",
        get={NOT_STAFF: "302 /admin/", STAFF: "405"},
        post={NOT_STAFF: "302 /admin/", STAFF: "200"},
    ),
    # The site's password change, which tells every address of the account.
    "admin/password_change/": admin(
        "/admin/password_change/",
        "302 /accounts/password/change/",
        "302 /accounts/password/change/",
    ),
    "admin/password_change/done/": admin("/admin/password_change/done/", post="405"),
    "admin/autocomplete/": admin("/admin/autocomplete/", get="403", post="405"),
    "admin/jsi18n/": admin("/admin/jsi18n/", post="405"),
    "admin/r/<path:content_type_id>/<path:object_id>/": admin(
        "/admin/r/{w.project_type.pk}/{w.project.pk}/",
        get="302 http://testserver/projects/{w.project.slug}/",
        post="302 http://testserver/projects/{w.project.slug}/",
    ),
    "admin/^(?P<app_label>accounts|auth|django_tasks_database|notifications|projects)/$": admin(
        "/admin/projects/"
    ),
    "admin/(?P<url>.*)$": admin("/admin/no/such/page/", get="404", post="404"),
    **admin_model("auth/group", "group", curator="", superuser="view add change delete"),
    "admin/accounts/user/<id>/password/": admin(
        "/admin/accounts/user/{w.owner.pk}/password/",
        get={"curator": "403", "superuser": "200"},
        post={"curator": "403", "superuser": "200"},
    ),
    # People are deactivated, never deleted: not even a superuser has the delete page.
    **admin_model("accounts/user", "owner", curator="", superuser="view add change"),
    **admin_model("projects/tag", "tag", curator=CURATING, superuser=CURATING),
    **admin_model("projects/agenda", "agenda", curator=CURATING, superuser=CURATING),
    "admin/projects/agenda/import/": admin("/admin/projects/agenda/import/"),
    "admin/projects/agenda/<int:pk>/export/": admin("/admin/projects/agenda/{w.agenda.pk}/export/"),
    **admin_model("projects/project", "project", curator=CURATING, superuser=CURATING),
    # A project's own pages; an empty form is refused at its fields.
    "admin/projects/project/<int:pk>/status/": admin(
        "/admin/projects/project/{w.project.pk}/status/", post="400"
    ),
    "admin/projects/project/<int:pk>/merge/": admin(
        "/admin/projects/project/{w.project.pk}/merge/", post="400"
    ),
    # Restoring the version the text already has changes nothing, and says so.
    "admin/projects/project/<int:pk>/versions/<int:version_pk>/restore/": admin(
        "/admin/projects/project/{w.project.pk}/versions/{w.version.pk}/restore/",
        post="302 /admin/projects/project/{w.project.pk}/change/",
    ),
    **admin_model("projects/output", "output", curator="view", superuser="view", read_only=True),
    "admin/projects/output/<int:pk>/review/": admin(
        "/admin/projects/output/{w.output.pk}/review/", get="405", post="400"
    ),
    **admin_model("projects/comment", "comment", curator="view", superuser="view", read_only=True),
    **admin_model("projects/claim", "claim", curator="view", superuser="view", read_only=True),
    **admin_model(
        "projects/proposal", "proposal", curator="view", superuser="view", read_only=True
    ),
    "admin/projects/proposal/<int:pk>/decide/": admin(
        "/admin/projects/proposal/{w.proposal.pk}/decide/", get="405", post="400"
    ),
    **admin_model("notifications/delivery", "delivery", curator="", superuser="view"),
    **admin_model("django_tasks_database/dbtaskresult", "task", curator="", superuser="view"),
}


# Asking


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL pattern the site answers, each as its route from the root, includes
    walked (the admin's, allauth's, the API's)."""
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        # The admin's app index names its apps in the order their models were registered.
        route = re.sub(
            r"\(\?P<app_label>([^)]*)\)",
            lambda apps: "(?P<app_label>" + "|".join(sorted(apps[1].split("|"))) + ")",
            route,
        )
        if isinstance(pattern, URLResolver):
            routes += url_patterns(pattern, route)
        else:
            routes.append(route)
    return routes


def answer(response) -> str:
    """The answer in the table's words: the status, and where a redirect goes."""
    status = str(response.status_code)
    if response.status_code in (301, 302, 303):
        to = response["Location"]
        if to.startswith("/accounts/login/?next="):
            return LOGIN
        if to.startswith("/admin/login/?next="):
            return ADMIN_LOGIN
        return f"{status} {to}"
    if response.status_code == 204 and response.get("HX-Redirect", "").startswith(
        "/accounts/login/?next="
    ):
        return HX_LOGIN
    return status


@dataclass
class Asked:
    """A response, and the SQL statements that wrote to the database while it was made."""

    response: object
    writes: list[str]


def ask(client: Client, method: str, url: str, *, htmx: bool) -> Asked:
    """``method`` on ``url``, in a savepoint rolled back after it, with the client's cookies
    (its session) put back: each request meets the same world, signed in as before."""
    cookies = copy.deepcopy(client.cookies)
    headers = {"HX-Request": "true"} if htmx else {}
    connection.queries_log.clear()  # a full log would make the capture come back empty
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        response = client.generic(method, url, headers=headers)
        transaction.set_rollback(True)
    client.cookies = cookies
    cache.clear()  # rate limits start afresh, as for a first request
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and '"django_session"' not in q["sql"]  # a session is the visitor's own
    ]
    return Asked(response, writes)


@pytest.fixture
def world(db) -> World:
    """The world every request of a test meets, built once."""
    return World()


def client_as(role: str, world: World) -> Client:
    """A client in ``role``: signed in as its user, or not signed in at all."""
    client = Client(raise_request_exception=False)  # a 500 is an answer to report
    if role == "unverified":
        # allauth's real sign-in: with verification mandatory it sends the link and stops.
        response = client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
        assert response["Location"] == "/accounts/confirm-email/"
    elif role == "deactivated":
        client.force_login(world.deactivated)
        world.deactivated.is_active = False
        world.deactivated.save(update_fields=["is_active"])
    elif role in STAFF:
        # Staff sign in with their second factor, which the admin asks them for.
        sign_in_with_two_factor(client, getattr(world, role))
    elif role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def wrong_answers(client: Client, route: str, row: Row, *, role: str, world: World) -> list[str]:
    """What ``role`` got wrong from ``row``'s URL: GET, HEAD and POST, plain and htmx."""
    url = row.url.format(w=world)
    me = getattr(world, role, None)
    wrong = []
    for htmx in (False, True):
        said = f"{'htmx ' if htmx else ''}{{}} {url} ({route!r})"
        expected = {
            m: row.answers(m, htmx=htmx)[role].format(w=world, me=me) for m in ("GET", "POST")
        }
        expected["HEAD"] = expected["GET"]
        got = {m: ask(client, m, url, htmx=htmx) for m in ("GET", "HEAD", "POST")}
        for method, asked in got.items():
            if answer(asked.response) != expected[method]:
                wrong.append(
                    f"{said.format(method)}: {answer(asked.response)}, not {expected[method]}"
                )
            if asked.writes and (method != "POST" or REFUSALS.match(expected[method])):
                wrong.append(f"{said.format(method)} changed data: {asked.writes[0][:120]}")
        head, get = got["HEAD"].response, got["GET"].response
        if head.content:
            wrong.append(f"{said.format('HEAD')}: a body")
        if without_moments(head.headers) != without_moments(get.headers):
            wrong.append(f"{said.format('HEAD')}: {dict(head.headers)}, GET's {dict(get.headers)}")
    return wrong


def without_moments(headers) -> dict:
    """The headers but those whose value is the moment of the answer, which a second
    request may not share."""
    return {name: value for name, value in headers.items() if name not in {"Expires"}}


# The tests


def test_every_url_pattern_has_a_row_in_the_table():
    patterns = url_patterns()

    missing = [route for route in patterns if route not in TABLE]
    gone = [route for route in TABLE if route not in patterns]

    assert not missing, "URL patterns with no row in TABLE: " + ", ".join(map(repr, missing))
    assert not gone, "rows in TABLE for no URL pattern: " + ", ".join(map(repr, gone))


def test_each_row_answers_for_every_role_every_method_plain_and_htmx():
    for route, row in TABLE.items():
        for method in ("GET", "POST"):
            for htmx in (False, True):
                try:
                    row.answers(method, htmx=htmx)
                except AssertionError as error:
                    pytest.fail(f"{route!r} {method}{' (htmx)' if htmx else ''}: {error}")


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(world, role):
    """Every wrong answer is listed, not only the first."""
    client = client_as(role, world)

    wrong = []
    for route, row in TABLE.items():
        wrong += wrong_answers(client, route, row, role=role, world=world)

    assert not wrong, f"{len(wrong)} wrong answers for {role}:\n" + "\n".join(wrong)
