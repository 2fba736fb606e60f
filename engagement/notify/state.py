"""Reflex state of the notifications page. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio

import reflex as rx

from engagement.core import clock
from engagement.core.errors import DomainError, Invalid
from engagement.notify import jobs, queries, service
from engagement.notify.dto import JobRow, NotificationRow, OutboxRow, PreferenceRow
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


class NotifyAdminState(AuthState):
    """The outbox and the scheduled jobs, for the system admin."""

    rows: list[OutboxRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    pending: int = 0
    failed: int = 0
    status: str = ""
    smtp_configured: bool = False
    jobs: list[JobRow] = []
    lease_holder: str = ""
    error: str = ""
    notice: str = ""

    async def _reload(self) -> None:
        result = await self._read(queries.outbox, page=self.page, status=self.status)
        self.rows, self.total, self.pages = result.rows, result.total, result.pages
        self.pending, self.failed = result.pending, result.failed
        self.smtp_configured = result.smtp_configured
        now = clock.now()
        self.jobs = await self._read(queries.jobs_overview, now=now)
        self.lease_holder = await self._read(_lease, now=now)

    async def _safe(self) -> None:
        try:
            await self._reload()
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
            self.rows, self.jobs = [], []

    @rx.event
    async def load(self):
        """Page load: the newest page of the outbox and every job."""
        self.page, self.notice = 1, ""
        await self._safe()

    @rx.event
    async def filter_status(self, status: str):
        """Show one status only ("all" for every one)."""
        self.status = status if status in queries.STATUSES else ""
        self.page = 1
        await self._safe()

    @rx.event
    async def next_page(self):
        """Older messages."""
        self.page = min(self.pages, self.page + 1)
        await self._safe()

    @rx.event
    async def prev_page(self):
        """Newer messages."""
        self.page = max(1, self.page - 1)
        await self._safe()

    @rx.event
    async def retry(self, message_id: int):
        """Queue a failed e-mail again."""
        try:
            await self._call(service.retry_message, message_id=as_int(message_id, "message"))
            self.notice = "The message is queued again; the next mail run sends it."
            await self._reload()
        except (DomainError, Invalid) as exc:
            self.error = exc.message

    @rx.event
    async def run_now(self, job_id: str):
        """Run a job at once in this process."""
        job_id = str(job_id)[:60]
        try:
            holder = await self._call(service.authorise_run, job_id=job_id)
        except DomainError as exc:
            self.error = exc.message
            return None
        try:
            sent = await asyncio.to_thread(jobs.run_job, job_id, holder=holder, require_lease=False,
                                           raise_busy=True)
        except jobs.JobBusy as exc:
            self.notice = ""
            await self._safe()
            return rx.toast.warning(exc.message)
        self.notice = ("The job ran; see its last error below." if sent is None
                       else f"The job ran: {sent} message(s) sent.")
        await self._safe()
        return None


def _lease(session, *, actor, now) -> str:
    return queries.lease_holder(session, now=now) if actor is not None else ""
