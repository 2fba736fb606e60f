"""Tables of notifications: in-app notices, the outbox (every channel) and preferences.

One row per (recipient, kind, subject[, period]), so notifying is idempotent.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class Notification(SQLModel, table=True):
    """Something a person should see in the app; ``read_at`` is set when they have seen it."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("recipient_id", "kind", "subject_ref", name="uq_notification_subject"),
        sa.Index("ix_notification_recipient_created", "recipient_id", "created_at"),
        sa.Index("ix_notification_recipient_unread", "recipient_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="person.id")
    category: str = Field(max_length=40)
    kind: str = Field(max_length=60)
    subject_ref: str = Field(max_length=80)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """One message to one person on one channel, written BEFORE it is sent.

    The unique key (recipient, channel, kind, subject, period) is what makes every job
    idempotent: a restart, a retry or a second scheduler finds the row and writes no second
    message. Delivery is at least once: a crash between the mail server's acceptance and the
    "sent" mark sends again, with the same ``Message-ID`` (built from this key), so the
    receiver drops the duplicate. ``status`` moves pending -> sending (claimed) -> sent, or
    back to pending with ``next_attempt_at`` pushed out (exponential back-off), or failed after
    the last try. After a restore, e-mails that were waiting are ``held`` until an admin
    releases them (pending again) or discards them (``discarded``). Without an SMTP host
    e-mails simply stay pending: nothing is lost.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("recipient_id", "channel", "kind", "subject_ref", "period",
                            name="uq_outbox_key"),
        sa.Index("ix_outbox_due", "channel", "status", "next_attempt_at"),
        sa.Index("ix_outbox_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="person.id")
    channel: str = Field(max_length=10)
    category: str = Field(max_length=40)
    kind: str = Field(max_length=60)
    subject_ref: str = Field(max_length=80)
    period: str = Field(default="", max_length=40)
    to_address: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=4000)
    link: str = Field(default="", max_length=300)
    status: str = Field(default="pending", max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotifyPreference(SQLModel, table=True):
    """How one person wants one category of messages: in-app only, e-mail too, or off."""

    __tablename__ = "notify_preference"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "category", name="uq_notify_preference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    category: str = Field(max_length=40)
    mode: str = Field(max_length=10)
    updated_at: datetime = Field(sa_type=UTCDateTime)
