"""The periodic work of the board, in one idempotent pass (``manage.py sweep``).

Each step is safe to run at any frequency and by two sweeps at once: what it sends is
keyed in the outbox, so news goes out once, and rows it changes are locked or updated
conditionally.
"""

from collections.abc import Callable

from notifications.outbox import deliver_due

# (name, step): each step returns how many things it did, for the command's report.
STEPS: list[tuple[str, Callable[[], int]]] = [
    ("emails sent from the outbox", deliver_due),
]


def sweep() -> dict[str, int]:
    """Run every step once; what each did."""
    return {name: step() for name, step in STEPS}
