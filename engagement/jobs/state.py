"""Reflex state of the messages-and-jobs page (system admin): the outbox and the scheduled jobs."""

from __future__ import annotations

import asyncio

import reflex as rx

from engagement.core import clock
from engagement.core.errors import DomainError, Invalid
from engagement.jobs import queries, runner, service
from engagement.jobs.dto import JobRow
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.notify.dto import OutboxRow
from engagement.ui.auth import AuthState, as_int


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
        result = await self._read(notify_queries.outbox, page=self.page, status=self.status)
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
        self.status = status if status in notify_queries.STATUSES else ""
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
            await self._call(notify_service.retry_message, message_id=as_int(message_id, "message"))
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
            sent = await asyncio.to_thread(runner.run_job, job_id, holder=holder, require_lease=False,
                                           raise_busy=True)
        except runner.JobBusy as exc:
            self.notice = ""
            await self._safe()
            return rx.toast.warning(exc.message)
        self.notice = ("The job ran; see its last error below." if sent is None
                       else f"The job ran: {sent} message(s) sent.")
        await self._safe()
        return None


def _lease(session, *, actor, now) -> str:
    return queries.lease_holder(session, now=now) if actor is not None else ""
