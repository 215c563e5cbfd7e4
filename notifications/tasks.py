"""Background work: sending what the outbox holds."""

from django_tasks import task

from notifications.models import Delivery


@task()
def deliver(delivery_id: int) -> bool:
    """Send one email of the outbox (see ``Delivery.send_now_or_later``)."""
    return Delivery.send_now_or_later(delivery_id)
