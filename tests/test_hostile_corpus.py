"""The hostile corpus: everything a person can type or put in an address, sent into every
form field and every query parameter of the site and of the admin.

Nothing here lists the fields by hand. Each role (a visitor, a researcher, a curator, an
administrator) walks the site from its front page and the admin from its index, one page
per view (and every page the board's seeds name, such as a project's page in each state of
a claim and the one-click links of a reminder email), and reads the ``<form>`` elements
each page renders, the query parameters of its links and search forms, and the admin's
autocomplete; the API's parameters come from its OpenAPI document. A field added to a
form is covered the day it renders.

Every field gets every class of hostile value at least once: first the whole form at
once, one class at a time, then each field alone with the rest of the form as a person
would fill it in (so that a hostile value meets the domain and the database, and is
stored when it is valid). Every answer must be below 500, no exception may reach the
logs (other than Django's own account of a request it refused with 400), and no page that
shows what was stored, nor any answer that repeats what was sent, may hold live markup.
The summary line at the end of the run says how many values went into how many fields.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.http import Http404
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from notifications.mail import unsubscribe_url
from notifications.models import Notification
from projects.freshness import reminder_token
from projects.models import Claim, Project, Proposal
from projects.services import project_propose
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
    sign_in_with_two_factor,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

# --- The corpus -------------------------------------------------------------------------

# class -> values. A value is text, or bytes for what no UTF-8 text can say (sent as is).
CORPUS: dict[str, list[str | bytes]] = {
    "markup": [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "'><svg onload=alert(1)>",
        "</textarea><script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1)) ![x](data:text/html,<script>alert(1)</script>)",
    ],
    "script-url": [
        "javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
    "broken-url": [
        "https://[",
        "http://[::1/x",
        "https://exa mple.org/",
        "https://example.org:99999999999999999999/",
        "https://xn--/",
        "https://" + "a" * 300 + ".org/",
    ],
    "control": ["bell\x07back\x08esc\x1b[31m", "\x01\x02\x03\x7f", "tab\there\x0bvt\x0cff"],
    "nul": ["before\x00after", "\x00"],
    "crlf": ["one\r\ntwo", "x\r\nSubject: injected\r\nBcc: all@example.org\r\n\r\nbody", "\r"],
    "bidi": ["\u202egnp.exe", "abc\u202edef\u202c", "\u2066isolated\u2069\u061c"],
    "zero-width": ["\u200b", "a\u200bb\ufeffc", "\ufeff\u200b\u200c\u200d\u2060"],
    "odd-text": [
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 🙂 中文 العربية e\u0301\u0301\u0301",
        b"\xff\xfe caf\xe9 \xed\xa0\x80",  # not UTF-8 at all
        "{{ settings.SECRET_KEY }} {% debug %} %s%n {0} ${7*7}",
        "' OR 1=1 -- \"; DROP TABLE projects_project; --",
        "../../../../etc/passwd ..\\..\\windows //evil.example/",
    ],
    "markdown-deep": [
        ">" * 10_000 + " deep",
        "[" * 10_000 + "x",
        "- " * 5_000 + "x",
        "*" * 5_000 + "x" + "*" * 5_000,
        "`" * 3_000 + "x",
        "1. " * 3_000 + "x",
    ],
    # Wrong types: numbers where there should be none, out of range or not numbers; dates
    # that are none; nothing at all.
    "wrong-type": [
        "-1",
        "9" * 400,
        "1e400",
        "2024-02-30",
        "",
        "NaN",
        "1.5",
        "0x10",
        "١٢٣",
        "99999-01-01",
        " ",
        "0",
    ],
    "long-word": ["W" * 2_000],
    # A body of one megabyte (shared by the fields of a form sent whole).
    "one-megabyte": ["hostile " * 131_072],
}
ONE_MEGABYTE = "one-megabyte"

# What a query string can hold beyond a value: the same key twice, PHP-style arrays.
QUERY_SHAPES = ["repeated", "array"]

# Views whose form ends what other forms act on: sent after them.
ENDINGS = ("-delete", "-complete", "-release", "_merge", "_status", "_deactivate_totp")

# Fields a browser fills in by itself, or that only Django reads to check the form.
UNTOUCHED = {"csrfmiddlewaretoken"}
TEXT_TYPES = {"text", "search", "textarea", "url", "email", "password", "tel", "number", "date"}


def value_of(kind: str, index: int) -> str | bytes:
    """One value of a class, turning with ``index`` so that every value gets sent."""
    values = CORPUS[kind]
    return values[index % len(values)]


# --- Reading pages ----------------------------------------------------------------------


@dataclass
class Field:
    """One named control of a form, and what a browser would send for it untouched."""

    name: str
    kind: str  # input type, "textarea", "select", "button"
    value: str = ""
    checked: bool = False
    required: bool = False
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    """A ``<form>`` as a page renders it."""

    page: str
    method: str
    action: str
    htmx: bool
    fields: list[Field] = field(default_factory=list)
    # The button that sends the form here, when a button sends it elsewhere than the form's
    # action (a Preview button's hx-post): its name and value.
    pressed: tuple[str, str] | None = None

    def field_names(self) -> list[str]:
        """The names a hostile value can go into (each once)."""
        return list(dict.fromkeys(f.name for f in self.fields if f.name not in UNTOUCHED))


class Page(HTMLParser):
    """The forms, links and autocomplete endpoints of one HTML page."""

    def __init__(self, url: str, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.autocompletes: list[dict] = []
        self.lookups: list[str] = []  # where a textarea's script looks up people to mention
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if "data-ajax--url" in a:
            self.autocompletes.append(a)
        if "data-mention-lookup" in a:
            self.lookups.append(a["data-mention-lookup"])
        if tag == "form":
            action = a.get("action") or self.url
            self._form = Form(
                page=self.url,
                method=(a.get("method") or "get").lower(),
                action=action,
                htmx="hx-post" in a or "hx-get" in a,
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "image", "reset", "button"}:
                kind = "button"
            form.fields.append(
                Field(name, kind, a.get("value", ""), "checked" in a, "required" in a)
            )
        elif tag == "button" and name:
            form.fields.append(Field(name, "button", a.get("value", "")))
        if tag in {"button", "input"} and (a.get("formaction") or a.get("hx-post")):
            # The same fields, sent elsewhere by this button (a preview of the text).
            self.forms.append(
                Form(
                    page=self.url,
                    method="post",
                    action=a.get("formaction") or a["hx-post"],
                    htmx="hx-post" in a,
                    fields=form.fields,
                    pressed=(name, a.get("value", "")) if name else None,
                )
            )
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", required="required" in a)
            form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select", multiple="multiple" in a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None:
            self._close_option()

    def _close_option(self) -> None:
        option, self._option = self._option, None
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self._select.options.append(value)
        if option["selected"] and (self._select.multiple or not self._select.value):
            self._select.value = value
            self._select.checked = True

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)


class LiveMarkup(HTMLParser):
    """Everything in a page that would run script or load something a person wrote: a
    script that is not one of the site's own, an event handler attribute, a javascript:,
    vbscript: or data: address, an embedded document or image from elsewhere."""

    OWN_SCRIPTS = ("/static/", "/admin/jsi18n/")

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "script" and not (
            a.get("src", "").startswith(self.OWN_SCRIPTS) or a.get("type") == "application/json"
        ):
            self.found.append(f"<script {a}>")
        if tag in {"iframe", "object", "embed", "base", "frame", "frameset", "meta"} and (
            tag != "meta" or "http-equiv" in a
        ):
            self.found.append(f"<{tag} {a}>")
        if tag in {"img", "image", "video", "audio", "source"} and not a.get(
            "src", a.get("href", "")
        ).startswith("/static/"):
            self.found.append(f"<{tag} {a}>")
        for name, value in a.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            # Only an address can hold a script: the rest (a megabyte in a field's value) is
            # not worth reading character by character.
            if name in {"href", "src", "action", "formaction", "xlink:href", "srcdoc"} and (
                "".join(c for c in value if c > " ").lower()
            ).startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)


# --- The board the corpus is sent to --------------------------------------------------


ROLES = ("visitor", "researcher", "curator", "admin")


def signed_in_with_password(client: Client, user) -> None:
    """Sign ``client`` in as ``user``, who has just confirmed their password (as the
    two-factor pages ask before a change)."""
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


@dataclass
class Board:
    """One of everything each role can act on, and the pages that show it."""

    roles: dict[str, Client]
    seeds: dict[str, list[str]]


@pytest.fixture
def board(db) -> Board:
    """A researcher with a claim in each state, comments of their own and others', outputs
    waiting for review, a proposal, notifications; a curator; an administrator."""
    ada = UserFactory(username="ada", display_name="Ada")
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    alan = UserFactory(username="alan")
    grace = UserFactory(username="grace", curator=True)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    tag = TagFactory(name="Interpretability")
    agenda = AgendaFactory(title="Open problems")
    mine = ProjectFactory(agenda=agenda, number=1, slug="mine", tags=[tag])
    theirs = ProjectFactory(agenda=agenda, number=2, slug="theirs", tags=[tag])
    free = ProjectFactory(agenda=agenda, number=3, slug="free")
    ClaimFactory(project=mine, researcher=ada, target_date=timezone.localdate())
    ClaimFactory(project=theirs, researcher=alan)
    silent = timezone.now() - datetime.timedelta(days=365)
    ClaimFactory(project=free, researcher=ada, state=Claim.State.DORMANT, ended_at=silent)
    stale = ProjectFactory(agenda=agenda, number=4, slug="stale")
    reminded = ClaimFactory(
        project=stale, researcher=ada, last_activity_at=silent, stale_reminded_at=silent
    )
    for project in (mine, theirs):
        project.add_comment(author=alan, body="Has anyone tried this?")
        question = project.add_comment(author=alan, body="What counts as done?")
        project.add_comment(author=ada, body="A first answer.", parent=question)
        project.add_comment(author=ada, body="My own note.")
        CommentFactory(project=project, author=grace)
        CommentFactory(project=project, author=alan).hide(by=grace)
        OutputFactory(project=project, submitted_by=ada)
        OutputFactory(project=project, submitted_by=alan, accepted=True)
    project_propose(
        by=alan, agenda=agenda, title="A proposal", description="Text.", kind="paper", note=""
    )
    assert Proposal.objects.exists() and Notification.objects.filter(recipient=ada).exists()
    roles = {role: Client(raise_request_exception=False) for role in ROLES}
    # The researcher and the curator confirmed their password just now (so the two-factor
    # pages ask for no new confirmation); staff signed in with their second factor, as the
    # admin asks.
    signed_in_with_password(roles["researcher"], ada)
    sign_in_with_two_factor(roles["curator"], grace)
    roles["curator"].post(reverse("account_reauthenticate"), {"password": PASSWORD})
    sign_in_with_two_factor(roles["admin"], root)
    project_pages = [p.get_absolute_url() for p in (mine, theirs, free, stale)]
    return Board(
        roles=roles,
        seeds={
            "visitor": [
                "/",
                *project_pages,
                "/accounts/login/",
                "/accounts/signup/",
                "/accounts/password/reset/",
                # The one-click links of a reminder and of a notification email.
                reverse("projects:claim-reminder-link", args=[reminder_token(reminded, "release")]),
                urlsplit(unsubscribe_url(user_id=ada.pk, scope="topic:comments")).path,
            ],
            "researcher": [
                "/",
                *project_pages,
                "/me/",
                "/notifications/",
                "/notifications/settings/",
                "/accounts/profile/",
                "/accounts/email/",
                "/accounts/password/change/",
                "/projects/propose/",
                f"{mine.get_absolute_url()}propose-edit/",
                # Setting up a second factor.
                reverse("mfa_index"),
                reverse("mfa_activate_totp"),
                reverse("mfa_add_webauthn"),
                reverse("account_reauthenticate"),
            ],
            "curator": [
                "/",
                *project_pages,
                # A second factor in use (which the admin asks of staff).
                reverse("mfa_index"),
                reverse("mfa_generate_recovery_codes"),
                reverse("mfa_deactivate_totp"),
                reverse("mfa_reauthenticate"),
            ],
            "admin": ["/admin/"],
        },
    )


# --- Walking the site ---------------------------------------------------------------------

# Addresses no walk follows: leaving the session, deleting, files and feeds (no forms), a
# random redirect, the admin's own script and its links to the site.
SKIP_PREFIXES = (
    "/accounts/logout/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/admin/r/",
    "/feeds/",
    "/api/",
    "/static/",
    "/projects/random/",
)


def view_of(path: str) -> str | None:
    """The name of the view that answers ``path`` (None for no view)."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@dataclass
class Surface:
    """What a walk found: every form, and every query parameter of every view."""

    pages: dict[str, str] = field(default_factory=dict)  # url -> role that saw it
    forms: dict[tuple, tuple[str, Form]] = field(default_factory=dict)  # key -> (role, form)
    # (view, parameter) -> (role, path, the other parameters it is sent with)
    params: dict[tuple, tuple[str, str, tuple]] = field(default_factory=dict)

    def add_params(self, role: str, path: str, names, base: dict | None = None) -> None:
        """Record query parameters of the view at ``path``."""
        view = view_of(path)
        for name in names:
            if view and name not in UNTOUCHED:
                others = tuple((k, v) for k, v in (base or {}).items() if k != name)
                self.params.setdefault((view, name), (role, path, others))


def walk(surface: Surface, role: str, client: Client, seeds: list[str], *, avoid: set[str]):
    """Visit the seeds, then one page per view linked from them (within the seeds' part of
    the site), recording their forms and the query parameters of their links."""
    within = "/admin/" if role == "admin" else "/"
    queue, seen_views, visited = list(seeds), set(), set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        view = view_of(path)
        if url in visited or (
            url not in seeds and (view is None or view in seen_views or path in avoid)
        ):
            continue
        seen_views.add(view)
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        surface.pages.setdefault(url, role)
        page = Page(url, response.content.decode())
        for form in page.forms:
            if form.method == "get":
                surface.add_params(role, urlsplit(form.action).path or path, form.field_names())
                continue
            action = urlsplit(form.action)
            leaves = action.path.startswith(SKIP_PREFIXES) or action.path.endswith("/delete/")
            if leaves and "comment" not in (view_of(action.path) or ""):  # a comment's is soft
                continue
            key = (view_of(action.path), tuple(sorted(form.field_names())))
            surface.forms.setdefault(key, (role, form))
        for auto in page.autocompletes:
            # The admin's autocomplete: JSON for the select that names its model and field.
            base = {
                "term": "",
                "app_label": auto.get("data-app-label", ""),
                "model_name": auto.get("data-model-name", ""),
                "field_name": auto.get("data-field-name", ""),
                "page": "1",
            }
            surface.add_params(role, auto["data-ajax--url"], list(base), base)
        for lookup in page.lookups:
            surface.add_params(role, lookup, ["q"])  # what static/js/mentions.js sends
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc not in ("", "testserver") or not parts.path.startswith(within):
                continue
            if parts.path.startswith(SKIP_PREFIXES) or (role != "admin" and "/admin/" in href):
                continue
            surface.add_params(role, parts.path, [k for k, _ in parse_qsl(parts.query, True)])
            queue.append(parts.path)


# --- Sending ------------------------------------------------------------------------------

# Exceptions Django answers with a 4xx on purpose (and logs as a warning, or for a
# suspicious request as a security event): a refusal, not a failure.
REFUSALS = (BadRequest, SuspiciousOperation, PermissionDenied, Http404)


class Caught(logging.Handler):
    """Every log record that tells of a failure: an error, or any exception but a refusal."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        refused = isinstance(exc, REFUSALS) or record.name.startswith("django.security.")
        if (record.levelno >= logging.ERROR or exc is not None) and not refused:
            self.failures.append(f"{record.name}: {record.getMessage()[:300]} ({exc!r})"[:500])


@dataclass
class Tally:
    """What was sent, and what went wrong."""

    requests: int = 0
    values: int = 0
    fields: set = field(default_factory=set)
    classes: dict = field(default_factory=lambda: defaultdict(set))  # field -> classes it got
    problems: list[str] = field(default_factory=list)

    def check(self, response, label: str) -> None:
        """Below 500, and no live markup in an HTML answer."""
        self.requests += 1
        if response.status_code >= 500:
            where, exc = "", None
            if getattr(response, "exc_info", None):
                exc = response.exc_info[1]
                frames = traceback.extract_tb(response.exc_info[2])
                ours = [f for f in frames if "site-packages" not in f.filename] or frames
                where = " at " + ", from ".join(
                    f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                    for f in (frames[-1], ours[-1])
                )
            self.problems.append(f"{label}: {response.status_code} {exc!r}"[:300] + where)
        if "html" in response.get("Content-Type", "") and not response.streaming:
            found = LiveMarkup(response.content.decode("utf-8", "replace")).found
            if found:
                self.problems.append(f"{label}: live markup {found[:3]}"[:600])

    def sent(self, where: str, kind: str) -> None:
        """Count one hostile value into one field."""
        self.values += 1
        self.fields.add(where)
        self.classes[where].add(kind)


def filler(f: Field, n: int) -> str:
    """What a person would type into an empty field of this kind."""
    name = f.name.lower()
    if f.kind == "url" or "url" in name or "website" in name or "link" in name:
        return f"https://example.org/result/{n}"
    if f.kind == "email" or "email" in name:
        return f"person{n}@example.org"
    if f.kind == "date" or "date" in name:
        return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    if f.kind == "number" or "limit" in name or "number" in name:
        return "1"
    if f.kind == "password" or "password" in name:
        return PASSWORD
    if "username" in name or "slug" in name:
        return f"person-{n}"
    return f"Plain words {n}"


def as_filled(form: Form, n: int) -> list[tuple[str, str | bytes]]:
    """The form as a person would send it: what it shows, required text filled in, the
    first choice of each list chosen, and its first button pressed."""
    pairs, radios, pressed = [], {}, form.pressed is not None
    if form.pressed:
        pairs.append(form.pressed)
    for f in form.fields:
        if f.kind == "button":
            if not pressed:
                pairs.append((f.name, f.value))
                pressed = True
        elif f.kind == "radio":
            radios.setdefault(f.name, f.value)
            if f.checked:
                radios[f.name] = f.value
        elif f.kind == "checkbox":
            if f.checked:
                pairs.append((f.name, f.value or "on"))
        elif f.kind == "file":
            continue
        elif f.kind == "select":
            chosen = f.value or next((o for o in f.options if o), "")
            if chosen or not f.multiple:
                pairs.append((f.name, chosen))
        elif f.kind in TEXT_TYPES and f.required and not f.value.strip():
            pairs.append((f.name, filler(f, n)))
        else:
            pairs.append((f.name, f.value))
    return pairs + list(radios.items())


def post(client: Client, form: Form, pairs: list, files: dict, htmx: bool):
    """POST the pairs as a browser would: urlencoded, or multipart for a form with a file."""
    headers = {"HX-Request": "true"} if htmx else {}
    action = form.action
    if files or any(f.kind == "file" for f in form.fields):
        data = defaultdict(list)
        for name, value in pairs:
            data[name].append(value)
        for name, value in files.items():
            content = value if isinstance(value, bytes) else value.encode()
            data[name] = SimpleUploadedFile("hostile.md", content, "text/markdown")
        return client.post(action, dict(data), headers=headers)
    body = urlencode(pairs)
    return client.post(
        action, body, content_type="application/x-www-form-urlencoded", headers=headers
    )


def with_value(form: Form, pairs: list, name: str, value) -> tuple[list, dict]:
    """The pairs with every value of ``name`` replaced by ``value`` (a file's content for a
    file field)."""
    kept = [(k, v) for k, v in pairs if k != name]
    if any(f.name == name and f.kind == "file" for f in form.fields):
        return kept, {name: value}
    return [*kept, (name, value)], {}


def query_values(kind: str, name: str, i: int) -> list[tuple[str, str | bytes]]:
    """The query string pairs that send one class of value (or shape) into ``name``."""
    if kind == "repeated":
        return [(name, "1"), (name, "2"), (name, "<script>alert(1)</script>")]
    if kind == "array":
        return [(f"{name}[]", "1"), (f"{name}[0]", "x"), (f"{name}[a][b]", "y"), (name, "[1,2]")]
    if kind == ONE_MEGABYTE:
        kind = "long-word"  # no server takes an address of a megabyte (414 before Django)
    return [(name, value_of(kind, i))]


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture
def pages_of_few(settings, monkeypatch):
    """Lists short enough that the board above has a second page of each (the admin's
    changelists too), and links to it."""
    from notifications import views as notification_views
    from projects.views import activity

    settings.PROJECTS_PER_PAGE = 2
    settings.DISCUSSION_THREADS_PER_PAGE = 3
    monkeypatch.setattr(activity, "PER_PAGE", 3)
    monkeypatch.setattr(notification_views, "PER_PAGE", 1)
    for model_admin in admin.site._registry.values():
        monkeypatch.setattr(model_admin, "list_per_page", 1)


@pytest.fixture
def caught():
    """Every failure the logs tell of while the test runs (Django's logger does not
    propagate to the root logger, so both are watched)."""
    handler = Caught()
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    unhandled: list[str] = []

    def record(sender, request=None, **kwargs) -> None:
        unhandled.append(f"unhandled exception in {request.method} {request.path}")

    got_request_exception.connect(record, weak=False)
    yield handler.failures, unhandled
    got_request_exception.disconnect(record)
    for logger in loggers:
        logger.removeHandler(handler)


class Summary:
    """Lines printed at the end of the run (the count of what the corpus sent)."""

    name = "hostile-corpus-summary"

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for line in self.lines:
            terminalreporter.write_line(line)


def summarize(config: pytest.Config, line: str) -> None:
    """Print ``line`` with the run's summary (and now, for ``-s``)."""
    plugin = config.pluginmanager.get_plugin(Summary.name)
    if plugin is None:
        plugin = Summary()
        config.pluginmanager.register(plugin, Summary.name)
    plugin.lines.append(line)
    print(line)


# --- The test -----------------------------------------------------------------------------


def test_the_hostile_corpus_never_answers_500_nor_renders_live(
    board, pages_of_few, caught, request
):
    from django.core.cache import cache

    from accounts.models import User

    log_failures, unhandled = caught
    surface = Surface()
    # The administrator edits nobody who is signed in here (a hostile "is active" or a
    # password would sign them out).
    signed_in = User.objects.filter(username__in=["ada", "grace", "root"])
    avoid = {f"/admin/accounts/user/{pk}/change/" for pk in signed_in.values_list("pk", flat=True)}
    for role, client in board.roles.items():
        walk(surface, role, client, board.seeds[role], avoid=avoid)
    openapi = board.roles["visitor"].get("/api/openapi.json").json()
    for path, operations in openapi["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query":
                surface.add_params("visitor", path.replace("{slug}", "mine"), [parameter["name"]])

    tally = Tally()
    count = itertools.count()
    kinds = list(CORPUS)
    turn = itertools.cycle(kinds)  # the class each field gets alone, turning over the corpus

    def send(role: str, form: Form, pairs: list, files: dict, label: str, htmx: bool = False):
        cache.clear()  # allauth counts its rate limits there: every request is a first
        client = board.roles[role]
        response = post(client, form, pairs, files, htmx and form.htmx)
        label = f"{role} POST {form.action} {label}"
        tally.check(response, label)
        location = response.get("Location", "") if response.status_code in (302, 303) else ""
        if role != "visitor" and "/login/" in location:
            tally.problems.append(f"{label}: the {role} was signed out")
        if location and "=markup]" in label:
            # The page a person sees next shows what was just stored.
            tally.check(client.get(location.split("#")[0]), f"{label} -> {location}")
        return response

    # Each role's forms, the administrator's last (its changes reach everyone's pages), and
    # of each role's, those that end something (a comment, a claim) after the others.
    for role in board.roles:
        forms = sorted(
            ((key, form) for key, (r, form) in surface.forms.items() if r == role),
            key=lambda item: (item[0][0] or "").endswith(ENDINGS),
        )
        for i, (key, form) in enumerate(forms):
            names = form.field_names()
            # The whole form at once, one class at a time (every other one through htmx):
            # every field meets every class.
            for j, kind in enumerate(kinds if names else []):
                pairs, files = as_filled(form, next(count)), {}
                for k, name in enumerate(names):
                    value = value_of(kind, i + k)
                    if kind == ONE_MEGABYTE:
                        value = value[: 1_000_000 // len(names)]
                    pairs, more = with_value(form, pairs, name, value)
                    files.update(more)
                    tally.sent(f"{key[0]}:{name}", kind)
                send(role, form, pairs, files, f"[all={kind}]", htmx=j % 2 == 1)
            # Each field alone, the rest filled in as a person would, so that the value
            # meets the domain and the database: markup into text (to be stored and shown),
            # and the next class of the corpus.
            for k, name in enumerate(names):
                textual = any(f.name == name and f.kind in TEXT_TYPES for f in form.fields)
                for kind in ["markup", next(turn)] if textual else [next(turn)]:
                    value = value_of(kind, i + k)
                    pairs, files = with_value(form, as_filled(form, next(count)), name, value)
                    tally.sent(f"{key[0]}:{name}", kind)
                    send(role, form, pairs, files, f"[{name}={kind}]", htmx=k % 2 == 1)
            # More fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): 400.
            many = as_filled(form, next(count)) + [(f"f{n}", "x") for n in range(1_001)]
            if send(role, form, many, {}, "[1,001 fields]").status_code != 400:
                tally.problems.append(f"{role} POST {form.action}: 1,001 fields not a 400")

    # Query parameters: each view's all at once, one class (or shape) at a time, then each
    # alone with the next class.
    by_view = defaultdict(list)
    for (view, name), (role, path, base) in surface.params.items():
        by_view[(view, role, path)].append((name, base))

    def get(role: str, path: str, pairs: list, label: str, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        response = board.roles[role].get(f"{path}?{urlencode(pairs)}", headers=headers)
        tally.check(response, f"{role} GET {path} {label}")
        return response

    for i, ((view, role, path), params) in enumerate(by_view.items()):
        for j, kind in enumerate([*kinds, *QUERY_SHAPES]):
            pairs = []
            for name, _ in params:
                pairs += query_values(kind, name, i + j)
                tally.sent(f"{view}?{name}", kind)
            get(role, path, pairs, f"[all={kind}]", htmx=j % 2 == 1)
        for k, (name, base) in enumerate(params):
            kind = next(turn)
            tally.sent(f"{view}?{name}", kind)
            get(role, path, [*base, *query_values(kind, name, i + k)], f"[{name}={kind}]")
        many = "&".join(f"f{n}=x" for n in range(1_001))
        if board.roles[role].get(f"{path}?{many}").status_code != 400:
            tally.problems.append(f"{role} GET {path}: 1,001 query parameters not a 400")

    # What was stored, wherever it shows.
    shown = dict(surface.pages)
    shown.update({p.get_absolute_url(): "visitor" for p in Project.objects.public()})
    shown.update({u.get_absolute_url(): "visitor" for u in User.objects.all()})
    shown.update({"/activity/": "visitor", "/notifications/": "researcher", "/me/": "researcher"})
    for url, role in shown.items():
        tally.check(board.roles[role].get(url), f"{role} GET {url} (stored)")

    fields = len(tally.fields)
    form_fields = sum(1 for f in tally.fields if "?" not in f)
    summarize(
        request.config,
        f"hostile corpus: {tally.values:,} values of {len(kinds)} classes into {fields:,} fields "
        f"({form_fields:,} fields of {len(surface.forms)} forms, {fields - form_fields:,} "
        f"query parameters of {len(by_view)} pages) in {tally.requests:,} requests",
    )
    assert tally.problems == [], f"{len(tally.problems)} problems:\n" + "\n".join(
        sorted(set(tally.problems))[:60]
    )
    assert unhandled == [], "\n".join(unhandled[:20])
    assert log_failures == [], "\n".join(log_failures[:20])
    short = [f for f, got in tally.classes.items() if not set(kinds) <= got]
    assert short == [], "fields that missed a class of the corpus"
