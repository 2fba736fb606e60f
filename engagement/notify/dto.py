"""Frozen data for the notification pages."""

from __future__ import annotations

from dataclasses import dataclass

from engagement.core.paging import Page


@dataclass(frozen=True)
class NotificationRow:
    """One notification as the list shows it."""

    id: int
    category: str
    title: str
    body: str
    link: str
    at: str
    unread: bool


@dataclass(frozen=True)
class NotificationPage(Page):
    """A page of one's notifications, newest first."""

    rows: list[NotificationRow]
    unread: int


@dataclass(frozen=True)
class PreferenceRow:
    """One's choice for one category of messages."""

    category: str
    label: str
    mode: str
    has_email: bool


@dataclass(frozen=True)
class DeliveryReport:
    """What one run of the mail job did."""

    sent: int
    retried: int
    failed: int


@dataclass(frozen=True)
class OutboxRow:
    """One outbox message as the admin page lists it."""

    id: int
    recipient: str
    channel: str
    kind: str
    subject: str
    title: str
    status: str
    attempts: int
    next_attempt: str
    last_error: str
    created: str
    sent: str


@dataclass(frozen=True)
class OutboxPage(Page):
    """A page of the outbox, newest first."""

    rows: list[OutboxRow]
    pending: int
    failed: int
    smtp_configured: bool
    #: E-mails held after a restore, waiting for an admin to send or discard them.
    held: int = 0
