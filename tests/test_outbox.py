"""The outbox: mail written with the change it reports, sent once, retried when the mail
server is away."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import MAX_ATTEMPTS, Delivery
from notifications.outbox import deliver_due, queue_email

pytestmark = pytest.mark.django_db

DOWN = "tests.mail_backends.DownBackend"


def queue(key: str = "news:1"):
    return queue_email(
        key=key,
        to="ada@example.org",
        subject="Something\r\nhappened",
        template="notifications/email/test.txt",
        context={"what": "a test"},
    )


@pytest.fixture(autouse=True)
def template(settings, tmp_path):
    (tmp_path / "notifications" / "email").mkdir(parents=True)
    (tmp_path / "notifications" / "email" / "test.txt").write_text("News: {{ what }}.\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_a_committed_change_sends_its_email_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("] Something happened")  # one line, always
    assert mail.outbox[0].body == "News: a test.\n"
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert deliver_due() == 0 and len(mail.outbox) == 1


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the change fails after queueing its email")
        except RuntimeError:
            pass

    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_the_same_news_is_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert queue("news:2") is not None
        assert queue("news:2") is None

    assert len(mail.outbox) == 1


def test_with_the_mail_server_down_the_change_succeeds_and_the_mail_goes_out_later(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        queue()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()  # backs off

    assert deliver_due() == 0  # not due yet: nothing tried
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == 0  # due, but the server is still away
    assert Delivery.objects.get().attempts == 2
    wait = Delivery.objects.get().next_attempt_at - timezone.now()
    assert datetime.timedelta(minutes=1) < wait <= datetime.timedelta(minutes=2)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(next_attempt_at=timezone.now())
    call_command("sweep", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert Delivery.objects.get().state == Delivery.State.SENT
    call_command("sweep", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_after_many_failures_the_outbox_gives_up_and_keeps_the_reason(settings):
    settings.EMAIL_BACKEND = DOWN
    queue()
    for _ in range(MAX_ATTEMPTS):
        Delivery.objects.update(next_attempt_at=timezone.now())
        deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == MAX_ATTEMPTS


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_and_two_sweeps_at_once_send_each_email_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    for n in range(12):
        queue(f"news:{n}")  # autocommit: the tasks ran at once and sent them...
    Delivery.objects.update(  # ...so queue them again
        state=Delivery.State.PENDING, sent_at=None, next_attempt_at=timezone.now()
    )
    mail.outbox.clear()
    start = threading.Barrier(4)

    def worker(run) -> None:
        start.wait()
        try:
            run()
        finally:
            connection.close()

    def each_one() -> None:
        for pk in Delivery.objects.order_by("?").values_list("pk", flat=True):
            Delivery.send_now_or_later(pk)

    threads = [
        threading.Thread(target=worker, args=(run,))
        for run in (each_one, each_one, deliver_due, deliver_due)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 12  # twelve emails, none twice
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_production_the_database_queue_holds_the_task_until_a_worker_runs_it(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        queue("news:queued")

    assert mail.outbox == []  # committed, queued, not yet sent
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_an_administrator_can_try_a_failed_email_again(admin_client, settings):
    from django.urls import reverse

    settings.EMAIL_BACKEND = DOWN
    queue()
    Delivery.objects.update(state=Delivery.State.FAILED, attempts=MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    admin_client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "try_again", "_selected_action": [Delivery.objects.get().pk]},
    )

    assert Delivery.objects.get().state == Delivery.State.SENT and len(mail.outbox) == 1


def test_a_failing_step_of_the_sweep_stops_no_other(monkeypatch, settings):
    from notifications import sweep as sweeping

    def broken() -> int:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(sweeping, "STEPS", [("broken", broken), *sweeping.STEPS])
    settings.EMAIL_BACKEND = DOWN
    queue()
    Delivery.objects.update(next_attempt_at=timezone.now())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    done = sweeping.sweep()

    assert done["broken"] == -1 and done["emails sent from the outbox"] == 1
