"""Reflex state of the notifications page. Thin: each handler calls one service or query."""

from __future__ import annotations

import reflex as rx

from engagement.core.errors import DomainError, Invalid
from engagement.notify import queries, service
from engagement.notify.dto import NotificationRow, PreferenceRow
from engagement.ui.auth import AuthState, as_int


class NotificationsState(AuthState):
    """One's notifications, newest first, paged."""

    rows: list[NotificationRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    error: str = ""

    async def _reload(self) -> None:
        result = await self._read(queries.my_notifications, page=self.page)
        self.rows = result.rows
        self.total = result.total
        self.pages = result.pages
        self.unread_notifications = result.unread

    @rx.event
    async def load(self):
        """Page load: the first page."""
        self.page = 1
        try:
            await self._reload()
            self.error = ""
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def next_page(self):
        """Older notifications."""
        if self.page < self.pages:
            self.page += 1
        try:
            await self._reload()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def prev_page(self):
        """Newer notifications."""
        self.page = max(1, self.page - 1)
        try:
            await self._reload()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def open_one(self, notification_id: int):
        """Mark a notification read and go where it points (only same-site paths)."""
        try:
            link = await self._call(service.mark_read, notification_id=as_int(notification_id))
            await self._reload()
        except (DomainError, Invalid) as exc:
            self.error = exc.message
            return None
        return rx.redirect(link) if link else None

    @rx.event
    async def read_all(self):
        """Mark every notification read."""
        try:
            await self._call(service.mark_all_read)
            await self._reload()
        except DomainError as exc:
            self.error = exc.message

    prefs: list[PreferenceRow] = []
    pref_saved: str = ""

    async def _load_prefs(self) -> None:
        self.prefs = await self._read(service.my_preferences)

    @rx.event
    async def load_prefs(self):
        """Page load: one's message preferences."""
        try:
            await self._load_prefs()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def choose(self, category: str, mode: str):
        """Choose how one kind of message reaches me."""
        try:
            self.prefs = await self._call(service.set_preference, category=str(category)[:40],
                                          mode=str(mode)[:10])
            self.pref_saved = "Saved."
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
