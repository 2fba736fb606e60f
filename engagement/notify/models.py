"""In-app notifications: one row per (recipient, kind, subject), so notifying is idempotent.

Issue 7 adds e-mail, preferences and digests on top of this table.
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
