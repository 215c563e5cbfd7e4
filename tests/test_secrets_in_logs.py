"""No secret in the logs: the keys of password reset and email verification links (and the
board's own tokens in URLs) never reach the app's logs, the app server's access log started
as the README says (``manage.py serve``: granian), or the development server's, through the
real flows."""

import io
import logging
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects.logs import REDACTED, redact
from tests.conftest import BASE_DIR
from tests.factories import UserFactory

PASSWORD = "a long and unusual passphrase"
NEW_PASSWORD = "another long passphrase"


# What is redacted


@pytest.mark.parametrize(
    "line, logged",
    [
        (
            '"GET /accounts/confirm-email/MQ:1tXyz:abc_-d/ HTTP/1.1" 200',
            '"GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 200',
        ),
        (
            '"https://board.example.org/accounts/confirm-email/MQ:1tX:ab/"',
            '"https://board.example.org/accounts/confirm-email/[redacted]/"',
        ),
        (
            "Not Found: /accounts/password/reset/key/1-c3x2ab-0123abcd/more/",
            "Not Found: /accounts/password/reset/key/[redacted]/more/",
        ),
        (
            "/accounts/password/reset/key/1-set-password/",
            "/accounts/password/reset/key/1-set-password/",
        ),
        ("/accounts/confirm-email/ HTTP/1.1", "/accounts/confirm-email/ HTTP/1.1"),
        (
            "/accounts/login/?next=%2Faccounts%2Fconfirm-email%2FMQ%3A1tX%3Aab%2F&x=1",
            "/accounts/login/?next=%2Faccounts%2Fconfirm-email%2F[redacted]%2F&x=1",
        ),
        ("/notifications/unsubscribe/eyJ1Ijo:1t:sig/", "/notifications/unsubscribe/[redacted]/"),
        ("/claims/reminded/eyJjIjo:1t:sig/", "/claims/reminded/[redacted]/"),
        ("/projects/confirm-email-design/", "/projects/confirm-email-design/"),
    ],
    ids=[
        "verification",
        "referer",
        "reset-key",
        "reset-form-keeps-its-path",
        "verification-sent-page",
        "in-a-query-string",
        "unsubscribe",
        "reminder",
        "a-project-slug",
    ],
)
def test_what_is_redacted(line, logged):
    assert redact(line) == logged


# The app's logs (settings.LOGGING), through the handler it configures


@pytest.fixture
def app_log():
    """What the app's log handler (stdout, as configured by settings.LOGGING) writes, caught
    on its way out."""
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "stdout")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def link_in(message, path_start: str) -> str:
    return re.search(rf"http://testserver({re.escape(path_start)}\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_the_apps_logs_leave_out_a_verification_key(client, app_log):
    client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.org",
            "username": "ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    confirm = link_in(mail.outbox[0], "/accounts/confirm-email/")
    key = confirm.split("/")[-2]

    refused = Client(enforce_csrf_checks=True).post(confirm)  # a form whose cookie expired
    missing = client.get(confirm + "nothing/")

    assert (refused.status_code, missing.status_code) == (403, 404)
    log = app_log.getvalue()
    assert key not in log
    assert f"Forbidden (CSRF cookie not set.): /accounts/confirm-email/{REDACTED}/" in log
    assert f"Not Found: /accounts/confirm-email/{REDACTED}/nothing/" in log


@pytest.mark.django_db
def test_the_apps_logs_leave_out_a_password_reset_key(client, app_log):
    UserFactory(username="ada", email="ada@example.org")
    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    reset = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    key = reset.split("/")[-2].split("-", 1)[1]

    refused = Client(enforce_csrf_checks=True).post(reset)

    assert refused.status_code == 403
    log = app_log.getvalue()
    assert key not in log
    assert f"Forbidden (CSRF cookie not set.): /accounts/password/reset/key/{REDACTED}/" in log


def test_a_traceback_loses_its_secrets_too(app_log):
    path = "/accounts/confirm-email/MQ:1tXyz:secretkey/"
    try:
        raise ValueError(f"could not render {path}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", path)

    log = app_log.getvalue()
    assert "secretkey" not in log
    assert f"ValueError: could not render /accounts/confirm-email/{REDACTED}/" in log


# Real servers: the app server as the README says, the development server as `make run` starts it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def readme_serve_command() -> list[str]:
    """The serve command of the README's deploy steps, as words."""
    readme = (BASE_DIR / "README.md").read_text()
    return shlex.split(re.search(r"`(python manage\.py serve [^`]+)`", readme).group(1))


@pytest.fixture
def database_url(tmp_path) -> str:
    """A database another process can use: the test database on PostgreSQL, a copy of the
    (in-memory) test database in a file on SQLite."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    connection.ensure_connection()
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


class Server:
    """A server in its own process, its logs (stdout and stderr) kept in a file, and its
    mail written to files in a folder."""

    def __init__(self, command: list[str], env: dict, port: int, folder: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.mail_folder = folder / "mail"
        self.mail_folder.mkdir()
        self.log_file = folder / "server.log"
        env = {**env, "PATH": "/usr/bin:/bin", "EMAIL_URL": f"filemail:///{self.mail_folder}"}
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"the server did not start:\n{self.logs()}") from None
                time.sleep(0.2)

    def mail_links(self, path_start: str) -> list[str]:
        """The paths starting with ``path_start`` in every mail sent so far."""
        text = "".join(p.read_text() for p in sorted(self.mail_folder.iterdir()))
        return re.findall(rf"{re.escape(self.url)}({re.escape(path_start)}\S+/)", text)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)

    def logs(self) -> str:
        return self.log_file.read_text()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies (whatever their Secure flag), forms' CSRF token,
    and no following of redirects."""

    opener = urllib.request.build_opener(NoRedirect)

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None, referer: str = "") -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if referer:
            headers["Referer"] = self.server.url + referer
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.server.url + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, response.headers.get("Location", ""), response.read().decode()

    def submit(self, path: str, data: dict) -> tuple[int, str, str]:
        """Open the form at ``path`` and post it with ``data`` and its CSRF token."""
        page = self.request(path)[2]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **data})


def serve_as_the_readme_says(port: int, database_url: str, folder: Path) -> Server:
    """The README's serve command on ``port``, started at once: the test database is
    migrated already, nothing here needs the task worker or the sweep, and mail goes to
    files (which the system checks refuse with DEBUG off)."""
    words = readme_serve_command()
    assert words[:3] == ["python", "manage.py", "serve"], words
    words[words.index("--host") + 1], words[words.index("--port") + 1] = "127.0.0.1", str(port)
    command = [sys.executable, *words[1:], "--skip-prepare", "--no-background", "--skip-checks"]
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url}
    return Server(command, env, port, folder)


def development_server(port: int, database_url: str, folder: Path) -> Server:
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return Server(command, {"DEBUG": "true", "DATABASE_URL": database_url}, port, folder)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "start, shows_referer",
    [(serve_as_the_readme_says, True), (development_server, False)],
    ids=["serve", "runserver"],
)
def test_the_servers_logs_leave_out_the_keys_of_real_links(
    start, shows_referer, database_url, tmp_path
):
    server = start(free_port(), database_url, tmp_path)
    try:
        # Sign up, and follow the verification link as a browser would, styles and all.
        ada = Browser(server)
        status, _, _ = ada.submit(
            "/accounts/signup/",
            {
                "email": "ada@example.org",
                "username": "ada",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert status == 302
        (confirm,) = server.mail_links("/accounts/confirm-email/")
        assert ada.request(confirm)[0] == 200
        assert ada.request("/static/css/site.css", referer=confirm)[0] == 200
        assert ada.submit(confirm, {})[0] == 302
        assert Browser(server).request(confirm, {})[0] == 403  # no CSRF cookie: logged
        assert ada.request(confirm + "nothing/")[0] == 404  # logged

        # Reset the password by the emailed link.
        someone = Browser(server)
        assert someone.submit("/accounts/password/reset/", {"email": "ada@example.org"})[0] == 302
        (reset,) = server.mail_links("/accounts/password/reset/key/")
        status, form, _ = someone.request(reset)
        assert status == 302 and form.endswith("-set-password/")
        done = someone.submit(form, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert done[0] == 302
        assert Browser(server).request(reset, {})[0] == 403  # logged
    finally:
        server.stop()

    logs = server.logs()
    confirm_key = confirm.split("/")[-2]
    reset_key = reset.split("/")[-2].split("-", 1)[1]
    assert confirm_key not in logs and reset_key not in logs, logs
    # The requests were logged, without their keys.
    assert f"GET /accounts/confirm-email/{REDACTED}/ HTTP/1.1" in logs, logs
    assert f"POST /accounts/confirm-email/{REDACTED}/ HTTP/1.1" in logs
    assert f"GET /accounts/password/reset/key/{REDACTED}/ HTTP/1.1" in logs
    assert f"{form} HTTP/1.1" in logs  # the form's own address holds no key
    assert f"Forbidden (CSRF cookie not set.): /accounts/confirm-email/{REDACTED}/" in logs
    assert f"Forbidden (CSRF cookie not set.): /accounts/password/reset/key/{REDACTED}/" in logs
    assert f"Not Found: /accounts/confirm-email/{REDACTED}/nothing/" in logs
    if shows_referer:  # the app server's access log has the Referer; the development server's not
        assert f'"{server.url}/accounts/confirm-email/{REDACTED}/"' in logs
