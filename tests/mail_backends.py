"""Mail backends for tests: a mail server that is away."""

import time

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """A mail server that cannot be reached: every send raises, as SMTP would."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


class SlowBackend(locmem.EmailBackend):
    """Django's in-memory backend, slow enough for racing workers to overlap."""

    def send_messages(self, messages):
        time.sleep(0.02)
        return super().send_messages(messages)
