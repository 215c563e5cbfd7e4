"""Properties of every form a person fills in (projects/forms/, accounts/forms.py,
notifications/forms.py), checked with Hypothesis: any text in any field never makes
``is_valid()`` raise, and a valid form's one-line values hold no line break and no
invisible character.

The text is arbitrary unicode (control characters, NUL, line and paragraph separators,
bidi overrides and zero-width characters included, surrogates not: no request can carry
them), mixed with values each field would take, so that valid forms come up often enough
to test what they keep.
"""

from __future__ import annotations

import datetime
import inspect

import pytest
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accounts.forms
import notifications.forms
import projects.forms
from notifications.models import Preference
from projects.validators import INVISIBLE, LINE_BREAK
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

# Pieces that make text interesting to a one-line field: line breaks of every kind, the
# invisible characters, controls, and words.
PIECES = [
    "word",
    "Ada",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\v",
    "\f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u00ad",
    "\x00",
    "\x07",
    "\x1b",
    "<script>",
    "é",
    "中",
    "🙂",
]
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)

# Addresses a mail server would take, with invisible characters and line breaks in the
# domain, where Django's EmailValidator lets them through (it checks the IDNA form).
ODD_EMAILS = st.tuples(
    st.from_regex(r"\A[a-z]{1,8}\Z"),
    st.lists(st.sampled_from(["ex", "am", ".", "\u200b", "\u202e", "\u00ad", "\ufeff", "\n"])),
).map(lambda parts: f"{parts[0]}@{''.join(parts[1])}example.org")

# What a hand-made security key answer may look like: missing fields, bad base64, garbage
# that decodes, or no object at all.
CREDENTIALS = [
    '{"id": "x", "response": {}}',
    '{"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "A",'
    ' "attestationObject": "AA", "authenticatorData": "AA", "signature": "AA"}}',
    '{"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "e30",'
    ' "attestationObject": "oA", "authenticatorData": "AA", "signature": "AA"}}',
    "{}",
    "[]",
    "null",
    '"x"',
]


@pytest.fixture
def world(db):
    """A researcher with a claim and a comment on a project, and another's comment."""
    ada = UserFactory(username="ada", display_name="Ada")
    project = ProjectFactory()
    claim = ClaimFactory(project=project, researcher=ada)
    comment = CommentFactory(project=project, author=ada)
    other = CommentFactory(project=project)
    key = Authenticator.objects.create(
        user=ada, type=Authenticator.Type.WEBAUTHN, data={"name": "My key", "credential": {}}
    )
    return {
        "ada": ada,
        "project": project,
        "claim": claim,
        "comment": comment,
        "other": other,
        "key": key,
    }


def request_for(user) -> object:
    """A request with a session, as allauth's forms expect."""
    request = RequestFactory().post("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user or AnonymousUser()
    return request


# Each form a person fills in, and how a page builds it (``w``: the world above).
BUILDERS = {
    projects.forms.ClaimForm: lambda w: {"project": w["project"], "researcher": w["ada"]},
    projects.forms.CheckInForm: lambda w: {"claim": w["claim"]},
    projects.forms.ConfirmForm: lambda w: {"claim": w["claim"]},
    projects.forms.ReviveForm: lambda w: {"claim": w["claim"]},
    projects.forms.CompleteForm: lambda w: {"claim": w["claim"]},
    projects.forms.ReleaseForm: lambda w: {"claim": w["claim"]},
    projects.forms.CommentForm: lambda w: {"project": w["project"], "author": w["ada"]},
    projects.forms.ReplyForm: lambda w: {"project": w["project"], "author": w["ada"]},
    projects.forms.CommentEditForm: lambda w: {"comment": w["comment"]},
    projects.forms.FlagForm: lambda w: {"comment": w["other"], "by": w["ada"]},
    projects.forms.InterestForm: lambda w: {"project": w["project"], "user": w["ada"]},
    projects.forms.WatchForm: lambda w: {"project": w["project"], "user": w["ada"]},
    projects.forms.OutputForm: lambda w: {
        "project": w["project"],
        "by": w["ada"],
        "claims": [w["claim"]],
    },
    projects.forms.ProposalForm: lambda w: {"by": w["ada"]},
    accounts.forms.ProfileForm: lambda w: {"instance": w["ada"]},
    accounts.forms.LoginForm: lambda w: {"request": request_for(None)},
    accounts.forms.SignupForm: lambda w: {},
    accounts.forms.AddEmailForm: lambda w: {"user": w["ada"]},
    accounts.forms.ResetPasswordForm: lambda w: {},
    accounts.forms.ResetPasswordKeyForm: lambda w: {"user": w["ada"], "temp_key": "key"},
    accounts.forms.ChangePasswordForm: lambda w: {"user": w["ada"]},
    accounts.forms.SetPasswordForm: lambda w: {"user": w["ada"]},
    accounts.forms.ReauthenticateForm: lambda w: {"user": w["ada"]},
    notifications.forms.PreferenceForm: lambda w: {"preference": Preference.of(w["ada"])},
    accounts.forms.AuthenticateForm: lambda w: {"user": w["ada"]},
    accounts.forms.MFAReauthenticateForm: lambda w: {"user": w["ada"]},
    accounts.forms.ActivateTOTPForm: lambda w: {"user": w["ada"]},
    accounts.forms.AddWebAuthnForm: lambda w: {"user": w["ada"]},
    accounts.forms.EditWebAuthnForm: lambda w: {"instance": w["key"]},
    accounts.forms.AuthenticateWebAuthnForm: lambda w: {"user": w["ada"]},
    accounts.forms.ReauthenticateWebAuthnForm: lambda w: {"user": w["ada"]},
}


def forms_defined_in(*modules) -> set[type]:
    """Every concrete form class the modules define (not the bases they share)."""
    found = set()
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith(
                ("projects.forms", "accounts.forms", "notifications.forms")
            ):
                found.add(cls)
    return found - {projects.forms.ActionForm, projects.forms.ClaimActionForm}


def test_every_form_is_checked():
    defined = forms_defined_in(projects.forms, accounts.forms, notifications.forms)

    assert defined - set(BUILDERS) == set(), "add the new form to BUILDERS"


def fitting(field: forms.Field, name: str, world: dict) -> st.SearchStrategy:
    """Values this field would take from a person who fills it in as meant."""
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.sampled_from(pks or [""])
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from([str(value) for value, _ in field.choices] or [""])
    if isinstance(field, forms.JSONField):  # a security key's answer, as its script posts it
        return st.sampled_from(CREDENTIALS)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.DateField):
        today = timezone.localdate()
        days = st.integers(min_value=0, max_value=400)
        return days.map(lambda d: (today + datetime.timedelta(days=d)).isoformat())
    if isinstance(field, forms.EmailField) or "email" in name:
        return st.one_of(st.from_regex(r"\A[a-z]{1,10}@example\.org\Z"), ODD_EMAILS)
    if "password" in name:
        return st.just(PASSWORD)
    if isinstance(field, forms.URLField) or name in ("url", "website"):
        return st.from_regex(r"\Ahttps://example\.org/[a-z0-9/]{0,20}\Z")
    if name == "username":
        return st.from_regex(r"\A[a-z][a-z0-9_-]{2,20}\Z")
    return ANY_TEXT


def one_line(field: forms.Field) -> bool:
    """Whether the field holds one line of text a person typed (not a password)."""
    widget = field.widget
    return isinstance(widget, forms.TextInput) and not isinstance(
        widget, forms.PasswordInput | forms.HiddenInput
    )


@pytest.mark.parametrize("form_class", list(BUILDERS), ids=lambda cls: cls.__name__)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_in_any_field_never_raises_and_valid_one_line_values_are_one_line(
    world, form_class, data
):
    kwargs = BUILDERS[form_class](world)
    cache.clear()  # allauth's rate limits
    # allauth's forms read the request (its session, for a new authenticator's secret).
    with allauth_context.request_context(kwargs.get("request") or request_for(world["ada"])):
        fields = form_class(**kwargs).fields
        sent = {
            name: data.draw(
                st.one_of(fitting(field, name, world), fitting(field, name, world), ANY_TEXT),
                label=name,
            )
            for name, field in fields.items()
        }
        form = form_class(data=sent, **BUILDERS[form_class](world))
        valid = form.is_valid()

    if valid:
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if one_line(field) and isinstance(value, str):
                assert not LINE_BREAK.search(value), (name, value)
                assert not INVISIBLE.search(value), (name, value)
