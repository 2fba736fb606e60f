"""Reflex state of the notifications page. Thin: each handler calls one service or query."""

from __future__ import annotations

import functools

import reflex as rx

from engagement.notify import queries, service
from engagement.notify.dto import NotificationRow, PreferenceRow
from engagement.ui.auth import AuthState
from engagement.ui.kit import Paged, as_int, as_text


class NotificationsState(Paged, AuthState):
    """One's notifications, newest first, paged, and how messages reach me."""

    rows: list[NotificationRow] = []
    error: str = ""
    prefs: list[PreferenceRow] = []
    pref_saved: str = ""

    def _show_page(self, result) -> None:
        self.rows = self._paged(result)
        self.unread_notifications = result.unread

    async def _reload(self) -> None:
        self._show_page(await self._read(queries.my_notifications, page=self.page))

    @rx.event
    async def load(self):
        """Page load: the first page and one's message preferences, in one read."""
        self.page = 1
        with self._attempt():
            result, self.prefs = await self._read_each(
                functools.partial(queries.my_notifications, page=1), queries.my_preferences)
            self._show_page(result)

    @rx.event
    async def open_one(self, notification_id: int):
        """Mark a notification read and go where it points (only same-site paths)."""
        link = ""
        with self._attempt() as done:
            link = await self._call(service.mark_read, notification_id=as_int(notification_id))
            await self._reload()
        return rx.redirect(link) if done.ok and link else None

    @rx.event
    async def read_all(self):
        """Mark every notification read."""
        with self._attempt():
            await self._call(service.mark_all_read)
            await self._reload()

    @rx.event
    async def choose(self, category: str, mode: str):
        """Choose how one kind of message reaches me."""
        with self._attempt():
            self.prefs = await self._call(service.set_preference, category=as_text(category, 40),
                                          mode=as_text(mode, 10))
            self.pref_saved = self._t("Saved.")
