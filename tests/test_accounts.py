"""Accounts through django-allauth's real flows, profiles, and a researcher's page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/\S+/)", message.body).group(1)


def verified(user: User) -> User:
    """The user with a verified primary address, as after following the sign-up mail."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_sign_up_verify_the_email_then_sign_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.org",
            "username": "ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(username="ada")
    assert "_auth_user_id" not in client.session  # not signed in before verifying

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]
    confirm = link_in(mail.outbox[0])
    assert client.get(confirm).status_code == 200  # a page with a button: no change on GET
    client.post(confirm)

    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_sign_up_mail_names_the_site_from_settings_not_the_host(client, settings):
    settings.SITE_NAME = "Alignment Reading Group"

    client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.org",
            "username": "ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_HOST="127.0.0.1",
    )

    body = mail.outbox[0].body
    assert body.startswith("Hello from Alignment Reading Group!")
    assert "Thank you for using Alignment Reading Group!" in body
    assert "from 127.0.0.1" not in body and "using 127.0.0.1" not in body
    assert "http://127.0.0.1/accounts/confirm-email/" in body  # links still use the host


def test_the_mail_subject_and_sender_default_to_the_site_name(client):
    client.post(reverse("account_reset_password"), {"email": UserFactory().email})

    assert mail.outbox[0].subject.startswith("[Research Agenda Board] ")
    assert mail.outbox[0].from_email == "Research Agenda Board <board@localhost>"


def test_an_unverified_account_cannot_sign_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.org",
            "username": "ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    client.logout()

    response = client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response["Location"] == reverse("account_email_verification_sent")


def test_sign_up_errors_are_shown_at_their_fields_and_keep_what_was_typed(client):
    UserFactory(username="ada")

    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "username": "ada", "password1": "short", "password2": "other"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert "A user with that username already exists." in html
    assert 'value="not-an-email"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.count() == 1


def test_signing_in_with_a_next_page_returns_there(client):
    verified(UserFactory(username="ada", password=PASSWORD))
    login = reverse("account_login") + "?next=/projects/propose/"

    form = client.get(login).content.decode()
    response = client.post(
        login, {"login": "ada", "password": PASSWORD, "next": "/projects/propose/"}
    )

    assert '<input type="hidden" name="next" value="/projects/propose/">' in form
    assert response.status_code == 302 and response["Location"] == "/projects/propose/"


# allauth's own rate limits: on, and counted whatever host name or port a request uses.

TOO_MANY_SIGN_INS = "Too many failed attempts to sign in to this account."


@pytest.mark.parametrize("login", ["ada", "ADA@example.org"])
def test_failed_sign_ins_count_per_login_whatever_the_host_name_and_port(client, login):
    """allauth keys them by the site's domain, which without the sites framework is the Host
    header: each allowed name, each port, started a fresh count of five."""
    verified(UserFactory(username="ada", email="ada@example.org", password=PASSWORD))
    url = reverse("account_login")
    hosts = ["localhost", "127.0.0.1:8000", "[::1]:8443", "localhost:80", "127.0.0.1"]
    for host in hosts:
        response = client.post(url, {"login": login, "password": "wrong guess"}, HTTP_HOST=host)
        assert TOO_MANY_SIGN_INS not in response.content.decode()

    # The right password now, from yet another name: the count of five holds.
    response = client.post(url, {"login": login, "password": PASSWORD}, HTTP_HOST="testserver")

    assert TOO_MANY_SIGN_INS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_count_per_address_whatever_the_client_port(client, settings):
    """Behind a proxy, the port it forwards with the address does not make a new one."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    verified(UserFactory(username="ada", password=PASSWORD))
    url = reverse("account_login")
    for n in range(10):  # allauth: 10 failed sign-ins a minute from one address
        forwarded = f"198.51.100.7:{40000 + n}"
        data = {"login": f"someone{n}", "password": "wrong guess"}
        response = client.post(url, data, HTTP_X_FORWARDED_FOR=forwarded)
        assert TOO_MANY_SIGN_INS not in response.content.decode()

    data = {"login": "ada", "password": PASSWORD}
    refused = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.7:41000")
    elsewhere = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.8:41000")

    assert TOO_MANY_SIGN_INS in refused.content.decode()
    assert elsewhere.status_code == 302


def test_allauths_429_is_the_boards_page(client):
    """allauth allows 30 sign-in posts a minute from one address, then answers 429 with the
    view the root URLconf names (handler429): the board's page, in the site's look."""
    url = reverse("account_login")
    data = {"login": "ada", "password": "a secret guess"}
    for _ in range(30):
        assert client.post(url, data).status_code == 200

    response = client.post(url, data)

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Too many in a short time</h1>" in html and 'class="site-header' in html
    assert "Wait a few minutes, then try again." in html
    assert "a secret guess" not in html and "What you sent" not in html


def test_signing_in_from_the_proposal_form_returns_to_it(client):
    verified(UserFactory(username="ada", password=PASSWORD))

    to_login = client.get("/projects/propose/")
    signed_in = client.post(
        to_login["Location"],
        {"login": "ada", "password": PASSWORD, "next": to_login["Location"].split("next=")[1]},
    )

    assert to_login["Location"] == reverse("account_login") + "?next=/projects/propose/"
    assert signed_in["Location"] == "/projects/propose/"


def test_the_headers_sign_in_link_comes_back_to_the_page(client):
    page = client.get(reverse("projects:project-list") + "?q=corrigibility&kind=paper")
    login = client.get(reverse("account_login")).content.decode()

    assert (
        'href="/accounts/login/?next=/%3Fq%3Dcorrigibility%26kind%3Dpaper">Sign in</a>'
        in page.content.decode()
    )
    # Not from an account page: signing in from the login page returns to the board.
    assert '<a href="/accounts/login/">Sign in</a>' in login


def test_sign_up_and_sign_in_speak_in_sentence_case(client):
    signup = client.get(reverse("account_signup")).content.decode()
    login = client.get(reverse("account_login")).content.decode()

    assert "<title>Sign up · " in signup and "<h1>Sign up</h1>" in signup
    assert re.search(r"<button[^>]*>Sign up</button>", signup)
    assert "<title>Sign in · " in login and "<h1>Sign in</h1>" in login
    assert re.search(r"<button[^>]*>Sign in</button>", login)
    assert ">Remember me</label>" in login
    for html in (signup, login):
        assert not re.search(r"Sign Up|Sign In|Signup|Remember Me", html)


def test_other_account_pages_speak_in_sentence_case(client, researcher):
    title_case = re.compile(
        r"Verify Your|Password Reset|Reset My|Change Password|Email Address|"
        r"Make Primary|Re-send|Add Email|Sign Out|Current Password|New Password"
    )
    pages = [reverse("account_email_verification_sent"), reverse("account_reset_password")]
    anonymous = [client.get(url).content.decode() for url in pages]
    client.force_login(researcher)
    signed_in = [
        client.get(reverse(name)).content.decode()
        for name in ("account_email", "account_change_password", "account_logout")
    ]

    assert "<h1>Verify your email address</h1>" in anonymous[0]
    assert "<h1>Change your password</h1>" in signed_in[1]
    for html in anonymous + signed_in:
        assert not title_case.search(html), title_case.search(html)


def test_an_empty_required_field_says_what_to_enter(client):
    login = client.post(reverse("account_login"), {}).content.decode()
    signup = client.post(reverse("account_signup"), {}).content.decode()
    reset = client.post(reverse("account_reset_password"), {}).content.decode()

    assert "Enter your username or email address." in login
    assert "Enter your password." in login
    assert "Enter your email address." in signup and "Choose a username." in signup
    assert "Choose a password." in signup and "Enter the same password again." in signup
    assert "Enter the email address you signed up with." in reset
    for html in (login, signup, reset):
        assert "This field is required." not in html


def test_changing_your_password_with_empty_fields_says_what_to_enter(client, researcher):
    client.force_login(researcher)

    html = client.post(reverse("account_change_password"), {}).content.decode()

    assert "Enter your current password." in html and "Choose a new password." in html
    assert "This field is required." not in html


def test_password_reset_by_email(client):
    user = UserFactory(username="ada", email="ada@example.org")

    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    reset = client.get(link_in(mail.outbox[0]), follow=True)
    form_url = reset.redirect_chain[-1][0]
    client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})

    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_account_pages_use_the_site_layout(client, researcher):
    for name in ("account_login", "account_signup", "account_reset_password"):
        html = client.get(reverse(name)).content.decode()
        assert "Research Agenda Board</a>" in html and "/static/css/site.css" in html
    client.force_login(researcher)
    for name in ("account_email", "account_change_password", "accounts:profile-edit"):
        html = client.get(reverse(name)).content.decode()
        assert 'aria-label="Your account"' in html


def test_editing_your_profile(client, researcher):
    client.force_login(researcher)
    url = reverse("accounts:profile-edit")

    bad = client.post(url, {"display_name": "Ada L.", "website": "javascript:alert(1)"})
    good = client.post(
        url,
        {
            "display_name": "Ada L.",
            "affiliation": "Analytical Engines",
            "website": "https://ada.example.org",
            "bio": "Notes.",
        },
    )

    assert bad.status_code == 400 and 'value="javascript:alert(1)"' in bad.content.decode()
    assert "Enter a valid URL." in bad.content.decode()
    assert good.status_code == 302 and good["Location"] == researcher.get_absolute_url()
    researcher.refresh_from_db()
    assert (researcher.display_name, researcher.affiliation) == ("Ada L.", "Analytical Engines")


def test_a_researchers_page_shows_their_claims_outputs_and_comments(client, researcher):
    active = ClaimFactory(researcher=researcher)
    done = ClaimFactory(researcher=researcher, state="completed")
    OutputFactory(submitted_by=researcher, title="My preprint")
    CommentFactory(author=researcher, body="A *thoughtful* remark")
    deleted = CommentFactory(author=researcher, body="Gone")
    deleted.delete_by_author()

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert active.project.title in html and done.project.title in html
    assert "My preprint" in html and "<em>thoughtful</em>" in html and "Gone" not in html


def test_a_researchers_page_query_count_does_not_grow(client, researcher):
    """Guards per-row project lookups for each claim, output and comment on a person's page."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(researcher.get_absolute_url()).status_code == 200
        return len(queries)

    project = ProjectFactory()
    ClaimFactory(researcher=researcher, project=project)
    OutputFactory(submitted_by=researcher, project=project)
    CommentFactory(author=researcher, project=project)
    few = count()
    for _ in range(10):
        other = ProjectFactory()
        ClaimFactory(researcher=researcher, project=other)
        OutputFactory(submitted_by=researcher, project=other)
        CommentFactory(author=researcher, project=other)
    assert count() == few


def test_unknown_people_are_404(client):
    assert client.get("/people/nobody/").status_code == 404


def test_a_login_longer_than_any_email_address_is_refused_at_the_field(client):
    response = client.post("/accounts/login/", {"login": "x" * 1_000_000, "password": "p"})

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()


@pytest.mark.parametrize("email", ["ada@exa\u200bmple.org", "ada@example.org\u202e"])
def test_an_email_address_with_invisible_characters_is_refused_at_the_field(client, email):
    response = client.post(
        "/accounts/signup/",
        {
            "email": email,
            "username": "ada",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )

    assert "Remove the invisible characters." in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


def test_an_affiliation_is_one_line(client, researcher):
    client.force_login(researcher)

    response = client.post("/accounts/profile/", {"affiliation": "Lab\nSubject: hi"})

    assert response.status_code == 400
    assert "Keep this to one line" in response.content.decode()


@pytest.mark.parametrize(
    "credential", ['{"id": "x", "response": {}}', '{"id": "AA", "rawId": "AA", "response": {}}']
)
def test_a_hand_made_security_key_answer_is_refused_not_a_500(client, researcher, credential):
    client.force_login(researcher)
    client.post(reverse("account_reauthenticate"), {"password": "correct horse battery staple"})
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200

    response = client.post(
        reverse("mfa_add_webauthn"), {"name": "My key", "credential": credential}
    )

    assert response.status_code == 200
    assert "credential" in response.context["form"].errors
    assert not researcher.authenticator_set.filter(type="webauthn").exists()


def test_a_security_keys_name_is_one_line(researcher):
    from accounts.forms import EditWebAuthnForm

    form = EditWebAuthnForm(
        data={"name": "Key\nSubject: hi"},
        instance=researcher.authenticator_set.create(
            type="webauthn", data={"name": "Key", "credential": {}}
        ),
    )

    assert "Keep this to one line" in str(form.errors["name"])
