"""Reflex state of the messages-and-jobs page (system admin): the outbox and the scheduled jobs."""

from __future__ import annotations

import asyncio
import functools

import reflex as rx

from engagement.core import clock
from engagement.jobs import queries, runner, service
from engagement.jobs.dto import BackupRow, JobRow
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.notify.dto import OutboxRow
from engagement.ui.auth import AuthState
from engagement.ui.kit import Paged, as_int, as_text


class NotifyAdminState(Paged, AuthState):
    """The outbox and the scheduled jobs, for the system admin."""

    rows: list[OutboxRow] = []
    pending: int = 0
    failed: int = 0
    status: str = ""
    smtp_configured: bool = False
    jobs: list[JobRow] = []
    lease_holder: str = ""
    error: str = ""
    notice: str = ""
    held: int = 0
    backups: list[BackupRow] = []
    backup_dir: str = ""
    backup_keep: int = 0

    async def _reload(self) -> None:
        now = clock.now()
        result, self.jobs, self.lease_holder, saved = await self._read_each(
            functools.partial(notify_queries.outbox, page=self.page, status=self.status),
            functools.partial(queries.jobs_overview, now=now),
            functools.partial(queries.lease_holder, now=now),
            queries.backups_overview)
        self.rows = self._paged(result)
        self.pending, self.failed, self.held = result.pending, result.failed, result.held
        self.backups, self.backup_dir, self.backup_keep = saved.rows, saved.directory, saved.keep
        self.smtp_configured = result.smtp_configured

    async def _safe(self) -> None:
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self.rows, self.jobs = [], []

    async def _turn(self) -> None:
        await self._safe()

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
    async def retry(self, message_id: int):
        """Queue a failed e-mail again."""
        with self._attempt():
            await self._call(notify_service.retry_message, message_id=as_int(message_id, "message"))
            self.notice = self._t("The message is queued again; the next mail run sends it.")
            await self._reload()

    @rx.event
    async def settle_held(self, action: str, message_id: int):
        """Send (``release``) or ``discard`` the e-mails held after a restore: one, or all (id 0)."""
        action = as_text(action, 20)
        with self._attempt():
            chosen = None if str(message_id).strip() == "0" else as_int(message_id, "message")
            count = await self._call(notify_service.settle_held, action=action, message_id=chosen)
            self.notice = (self._t("{n} held e-mail(s) queued; the next mail run sends them.", n=count)
                           if action == "release" else self._t("{n} held e-mail(s) discarded.", n=count))
            await self._reload()

    @rx.event
    async def run_now(self, job_id: str):
        """Run a job at once in this process."""
        job_id = as_text(job_id, 60)
        with self._attempt() as allowed:
            holder = await self._call(service.authorise_run, job_id=job_id)
        if not allowed.ok:
            return None
        try:
            sent = await asyncio.to_thread(runner.run_job, job_id, holder=holder, require_lease=False,
                                           raise_busy=True)
        except runner.JobBusy as exc:
            self.notice = ""
            await self._safe()
            return rx.toast.warning(exc.render(self._lang()))
        self.notice = (self._t("The job ran; see its last error below.") if sent is None
                       else self._t("The job ran: {n} message(s) sent.", n=sent))
        await self._safe()
        return None
