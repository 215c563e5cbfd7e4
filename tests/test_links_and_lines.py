"""Links are what they look like; one-line fields are one line; usernames are plain ASCII.

Hostile values go through the real forms and views: the message is at the field, nothing
is saved, and nothing answers 500.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from projects.importers import AgendaFormatError, import_agenda
from projects.models import Agenda, Claim, Event, Flag, Interest, Output, Project, Proposal
from projects.validators import OneLineField, link_host, validate_link
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# value -> the message that names what is wrong with it
BAD_LINKS = {
    "https://doi.org@evil.example/": "before the host",
    "https://user:pass@doi.org/": "before the host",
    "https://evil.example\\@doi.org/": "backslash",
    "https://evil.example\\doi.org/": "backslash",
    "https://doi.org:99999/": "port",
    "https://doi.org:0/": "port",
    "https://doi.org:http/": "port",
    "https://doi\u202e.org/": "invisible characters",
    "https://doi.org/\u200b10.1000/1": "invisible characters",
    "https://\u2066doi.org\u2069/": "invisible characters",
    "javascript:alert(1)": "starting with http:// or https://",
    "vbscript:msgbox(1)": "starting with http:// or https://",
    "data:text/html,<script>alert(1)</script>": "starting with http:// or https://",
    "ftp://doi.org/x": "starting with http:// or https://",
    "https://": "starting with http:// or https://",
    "https://[": "starting with http:// or https://",
    "https://[::1/x": "starting with http:// or https://",
}
GOOD_LINKS = ["https://doi.org/10.1000/182", "http://example.org:8080/a?b=c#d"]

# value -> the message it meets in a one-line field
BAD_LINES = {
    "First line\nsecond line": "Keep this to one line",
    "First line\r\nsecond line": "Keep this to one line",
    "First line\u2028second line": "Keep this to one line",
    "\u200b\u200b": "This field cannot be blank.",
    " \u202e \ufeff ": "This field cannot be blank.",
}


def html_after(client, response) -> str:
    """The page that shows a form's errors: the answer itself, or after a plain POST, the
    page it is sent back to (303)."""
    assert response.status_code in (200, 303, 400), response.status_code
    if response.status_code == 303:
        page = client.get(response["Location"].split("#")[0])
        assert page.status_code == 200
        return page.content.decode()
    return response.content.decode()


@pytest.fixture
def ada(client, researcher):
    client.force_login(researcher)
    return researcher


@pytest.fixture
def project():
    return ProjectFactory(title="A question")


# The validator itself: one clear message per case.


@pytest.mark.parametrize("value, message", BAD_LINKS.items(), ids=range(len(BAD_LINKS)))
def test_a_link_that_is_not_what_it_looks_like_is_refused_with_a_message_per_case(value, message):
    with pytest.raises(ValidationError, match=message.replace("\\", "\\\\").replace("(", r"\(")):
        validate_link(value)


@pytest.mark.parametrize("value", GOOD_LINKS)
def test_plain_http_and_https_links_pass(value):
    validate_link(value)


def test_a_links_host_is_where_it_really_leads():
    assert link_host("https://doi.org@evil.example/") == "evil.example"
    assert link_host("https://www.example.org/paper") == "example.org"
    assert link_host("https://[::1") == ""


@pytest.mark.parametrize(
    "value, cleaned", [("\u202eTitle\u200b", "Title"), ("  Plain  ", "Plain"), ("Ωμέγα", "Ωμέγα")]
)
def test_a_one_line_field_strips_invisible_characters_and_spaces(value, cleaned):
    assert OneLineField().clean(value) == cleaned


def test_an_optional_one_line_field_may_be_left_empty_but_not_filled_with_nothing():
    field = OneLineField(required=False)

    assert field.clean("") == ""
    with pytest.raises(ValidationError, match="This field cannot be blank."):
        field.clean("\u200b")


# Links through the real forms.


@pytest.mark.parametrize("value, message", BAD_LINKS.items(), ids=range(len(BAD_LINKS)))
def test_a_hostile_output_link_is_refused_at_the_field_and_nothing_saved(
    client, ada, project, value, message
):
    response = client.post(
        reverse("projects:output-create", args=[project.slug]),
        {"url": value, "title": "A paper", "kind": "paper", "addresses": "fully"},
        HTTP_HX_REQUEST="true",
    )

    html = html_after(client, response)
    assert 'id="output-url_error"' in html or 'aria-invalid="true"' in html
    assert message.replace("<", "&lt;")[:20] in html
    assert not Output.objects.exists() and not Event.objects.filter(kind="output_linked").exists()


@pytest.mark.parametrize("value", list(BAD_LINKS) + ["doi.org@evil.example"])
def test_a_hostile_profile_website_is_refused_and_nothing_saved(client, ada, value):
    response = client.post(
        reverse("accounts:profile-edit"), {"display_name": "Ada L.", "website": value}
    )

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    ada.refresh_from_db()
    assert (ada.display_name, ada.website) == ("", "")


@pytest.mark.parametrize("value", ["https://doi.org@evil.example/", "javascript:alert(1)"])
def test_a_hostile_agenda_source_url_is_refused_in_the_admin(admin_client, value):
    response = admin_client.post(
        reverse("admin:projects_agenda_add"),
        {"title": "Hostile", "slug": "hostile", "source_url": value, "intro": ""},
    )

    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not Agenda.objects.filter(slug="hostile").exists()


@pytest.mark.parametrize("value", ["https://doi.org@evil.example/", "https://e.example\\@doi.org/"])
def test_a_hostile_agenda_source_url_is_refused_by_the_importer(value):
    data = f"---\ntitle: X\nhref: '{value}'\n---\n1. A paper.\n".encode()

    with pytest.raises(AgendaFormatError, match="not an http"):
        import_agenda(data)

    assert not Agenda.objects.exists()


def test_shown_links_name_their_real_host(client):
    project = ProjectFactory(title="Answered")
    OutputFactory(project=project, url="https://doi.org/10.1/x", review="accepted")
    person = UserFactory(username="kim", website="https://www.kim.example/about")

    detail = client.get(project.get_absolute_url()).content.decode()
    listed = client.get("/").content.decode()
    page = client.get(person.get_absolute_url()).content.decode()

    assert '<span class="link-host">(doi.org)</span>' in detail
    assert '<span class="link-host">(doi.org)</span>' in listed
    assert '<span class="link-host">(kim.example)</span>' in page


# One-line fields through the real forms.


def one_line_cases():
    """(url name, how to build its URL and data, the field, what must stay unsaved)."""
    return {
        "proposal title": "title",
        "output title": "title",
        "progress note": "note",
        "closing note": "note",
        "release note": "note",
        "interest note": "note",
        "flag reason": "reason",
        "display name": "display_name",
    }


def post_one_line(client, who, case: str, value: str):
    """Send ``value`` into the one-line field named by ``case``; returns the answer and a
    function that says whether anything was saved."""
    project = ProjectFactory(title="A question")
    if case == "proposal title":
        url = reverse("projects:project-propose")
        data = {"title": value, "description": "Why.", "kind": "paper"}

        def saved():
            return Proposal.objects.exists()

    elif case == "output title":
        url = reverse("projects:output-create", args=[project.slug])
        data = {"url": "https://doi.org/1", "title": value, "kind": "paper", "addresses": "fully"}

        def saved():
            return Output.objects.exists()

    elif case in ("progress note", "closing note", "release note"):
        claim = ClaimFactory(project=project, researcher=who)
        name = {"progress note": "check-in", "closing note": "complete", "release note": "release"}
        url = reverse(f"projects:claim-{name[case]}", args=[claim.pk])
        data = {"note": value, "reason": "gave_up"}

        def saved():
            fresh = Claim.objects.get(pk=claim.pk)
            return fresh.progress_note != "" or not fresh.is_active

    elif case == "interest note":
        url = reverse("projects:project-interest", args=[project.slug])
        data = {"note": value}

        def saved():
            return Interest.objects.exists()

    elif case == "flag reason":
        comment = CommentFactory(project=project)
        url = reverse("projects:comment-flag", args=[comment.pk])
        data = {"reason": value}

        def saved():
            return Flag.objects.exists()

    else:
        url = reverse("accounts:profile-edit")
        data = {"display_name": value}

        def saved():
            return User.objects.get(pk=who.pk).display_name != ""

    return client.post(url, data), saved


@pytest.mark.parametrize("case", one_line_cases())
@pytest.mark.parametrize("value, message", BAD_LINES.items(), ids=range(len(BAD_LINES)))
def test_a_one_line_field_refuses_line_breaks_and_invisible_only_values(
    client, ada, case, value, message
):
    response, saved = post_one_line(client, ada, case, value)

    html = html_after(client, response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not saved()


@pytest.mark.parametrize("case", one_line_cases())
def test_a_one_line_field_keeps_the_words_and_drops_a_right_to_left_override(client, ada, case):
    response, saved = post_one_line(client, ada, case, "\u202eWorks\u200b fine")

    assert response.status_code in (200, 302, 303)
    assert saved()
    stored = [
        *Proposal.objects.values_list("title", flat=True),
        *Output.objects.values_list("title", flat=True),
        *Claim.objects.values_list("progress_note", flat=True),
        *Interest.objects.values_list("note", flat=True),
        *Flag.objects.values_list("reason", flat=True),
        User.objects.get(pk=ada.pk).display_name,
        *Event.objects.values_list("note", flat=True),
    ]
    assert any(text.endswith("Works fine") for text in stored)  # a release: "Gave up: ..."
    assert not any("\u202e" in text or "\u200b" in text for text in stored)


def test_a_project_title_with_a_line_break_is_refused_in_the_admin(admin_client):
    project = ProjectFactory(title="Before")
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"agenda": project.agenda.pk, "tags": [], "title": "Two\nlines"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert Project.objects.get(pk=project.pk).title == "Before"


# Usernames.


@pytest.mark.parametrize(
    "username",
    ["ｒｏｏｔ", "\u0430dmin", "ada lovelace", "ada@home", "ada.l", "ad\u200ba", "adá"],
    ids=["fullwidth", "cyrillic", "space", "at", "dot", "zero-width", "accent"],
)
def test_a_username_outside_ascii_letters_digits_hyphen_and_underscore_cannot_sign_up(
    client, username
):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": username,
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code in (200, 400)
    assert "Use only letters a-z, digits, hyphens" in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_plain_ascii_username_signs_up_and_a_display_name_may_be_any_script(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "ada_l-1",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="ada_l-1")
    client.force_login(user)
    client.post(reverse("accounts:profile-edit"), {"display_name": "Ада Лавлейс"})
    assert User.objects.get(pk=user.pk).display_name == "Ада Лавлейс"
