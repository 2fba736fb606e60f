"""Pure rules of notifications: channels from preferences, outbox statuses, back-off.

No database, no clock: every function takes the facts and the time it needs.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum

from engagement.core.i18n import N_, Msg


class Mode(StrEnum):
    """How a person wants a category of messages."""

    IN_APP = "in_app"
    EMAIL = "email"
    OFF = "off"


#: The label of each mode (``Msg``: rendered in the reader's language).
MODE_LABELS: dict[Mode, Msg] = {
    Mode.IN_APP: N_("In the app only"),
    Mode.EMAIL: N_("In the app and by e-mail"),
    Mode.OFF: N_("Off"),
}

#: The categories a person can set, with their labels (order is the page's order).
CATEGORIES: dict[str, Msg] = {
    "commitments": N_("Commitments (reminders to sign)"),
    "recognition": N_("Recognition and citizens' thanks"),
    "green": N_("Green office"),
    "commendations": N_("Commendations"),
    "supervision": N_("Spot checks (findings and corrective actions)"),
    "digests": N_("Digests (work waiting for me, my week, my units' month)"),
}

#: Used when a person has not chosen.
DEFAULT_MODE = Mode.IN_APP

IN_APP = "in_app"
EMAIL = "email"

#: Outbox statuses.
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
#: After a restore: e-mails that were waiting in the backup wait for an admin (they may have
#: gone out after the backup was taken); released ones go back to pending.
HELD = "held"
#: A held e-mail the admin chose not to send.
DISCARDED = "discarded"


def message_id(key: tuple[object, ...], *, mail_from: str) -> str:
    """The ``Message-ID`` of the e-mail with outbox ``key`` (recipient, channel, kind, subject, period).

    Built from the key alone, so every delivery of one message (a retry, a re-send after a
    crash between the server's acceptance and the "sent" mark, a re-queue after a restore)
    carries the same id, and receiving servers and clients drop the duplicate. The domain is
    the sender's.
    """
    digest = hashlib.sha256("\x1f".join(str(part) for part in key).encode()).hexdigest()[:40]
    domain = mail_from.rpartition("@")[2].strip(" <>") or "localhost"
    return f"<{digest}.outbox@{domain}>"


def channels(mode: Mode | str | None, *, mandatory: bool, has_email: bool) -> tuple[str, ...]:
    """The channels a message goes on for a person's chosen mode.

    Args:
        mode: the person's choice for the message's category (None: the default).
        mandatory: a notice the person must get whatever they chose (still in-app at least).
        has_email: whether the person has an e-mail address on record.

    Returns:
        ``()`` (nothing), ``("in_app",)`` or ``("in_app", "email")``.
    """
    chosen = Mode(mode) if mode else DEFAULT_MODE
    if chosen is Mode.OFF:
        return (IN_APP,) if mandatory else ()
    if chosen is Mode.EMAIL and has_email:
        return (IN_APP, EMAIL)
    return (IN_APP,)


def backoff(attempts: int, *, base_seconds: int = 60, cap_seconds: int = 6 * 3600) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (1, 2, 4, 8... minutes, capped)."""
    exponent = max(0, attempts - 1)
    return timedelta(seconds=min(cap_seconds, base_seconds * (2 ** min(exponent, 30))))


def give_up(attempts: int, *, max_attempts: int) -> bool:
    """Whether a message that failed ``attempts`` times is failed for good."""
    return attempts >= max_attempts
