"""Frozen data for the notification pages."""

from __future__ import annotations

from dataclasses import dataclass


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
class NotificationPage:
    """A page of one's notifications, newest first."""

    rows: list[NotificationRow]
    total: int
    unread: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.page_size))
