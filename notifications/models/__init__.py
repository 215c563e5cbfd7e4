"""The notifications app's models, one concept a module: the outbox, notifications, and
what each person chooses to hear of."""

from notifications.models.delivery import FIRST_RETRY, LONGEST_WAIT, MAX_ATTEMPTS, Delivery
from notifications.models.notification import Notification, Reason
from notifications.models.preference import (
    ABOUT,
    DEFAULTS,
    DIGESTS,
    FREQUENCIES,
    Frequency,
    Preference,
    Topic,
)

__all__ = [
    "ABOUT",
    "DEFAULTS",
    "DIGESTS",
    "FREQUENCIES",
    "FIRST_RETRY",
    "LONGEST_WAIT",
    "MAX_ATTEMPTS",
    "Delivery",
    "Frequency",
    "Notification",
    "Preference",
    "Reason",
    "Topic",
]
