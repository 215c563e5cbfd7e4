"""What every page's template may read about notifications: the header's unread count."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.models import Notification
from projects import page_cache


def unread_notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: how many notifications the signed-in person has not read
    (0 for a visitor).

    Lazy: only when a template reads it for a signed-in person (the site header does; the
    admin, feeds and htmx fragments do not); then one query, or none when the shared cache
    holds the count at the current content version (``page_cache.for_reader``).
    """

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return page_cache.for_reader(
            request,
            "unread-notifications",
            lambda: Notification.objects.filter(recipient=user).unread().count(),
        )

    return {"unread_notifications": SimpleLazyObject(count)}
