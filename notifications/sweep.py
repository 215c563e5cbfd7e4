"""The periodic work of the board, in one idempotent pass (``manage.py sweep``).

Each step is safe to run at any frequency and by two sweeps at once: what it sends is
keyed in the outbox, so news goes out once, and rows it changes are locked or updated
conditionally.
"""

import logging
from collections.abc import Callable

from notifications.digests import digests_send_due
from notifications.outbox import deliver_due
from projects import freshness

logger = logging.getLogger(__name__)

# (name, step): each step returns how many things it did, for the command's report.
STEPS: list[tuple[str, Callable[[], int]]] = [
    ("target dates reminded of", freshness.remind_target_dates),
    ("stale claims reminded", freshness.remind_stale_claims),
    ("quiet claims turned dormant", freshness.make_quiet_claims_dormant),
    ("digests queued", digests_send_due),
    ("emails sent from the outbox", deliver_due),
]


def sweep() -> dict[str, int]:
    """Run every step once; what each did. A step that fails is logged and counted as
    -1, and the others still run (the next sweep tries it again)."""
    done = {}
    for name, step in STEPS:
        try:
            done[name] = step()
        except Exception:  # one step's trouble (a locked SQLite file, a bug) stops no other
            logger.exception("The sweep's step %r failed", name)
            done[name] = -1
    return done
