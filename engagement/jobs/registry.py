"""The table of scheduled jobs: each job's id, label, schedule and the function it runs.

Each function reads its settings and calls one job module (reminders, nudges, digests,
cleanup) or notify's mail delivery; the runner (``runner.py``) runs them under locks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from engagement.jobs import cleanup, digests, nudges, reminders, rules
from engagement.notify import service as notify_service
from engagement.notify.mail import sender_from_settings
from engagement.settings import get_settings

log = logging.getLogger(__name__)


def _deliver_email(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    report = notify_service.deliver_email(
        engine, sender=sender_from_settings(settings), now=now, worker=holder,
        max_attempts=settings.mail_max_attempts, public_url=settings.public_url)
    return report.sent


def window_from_settings() -> rules.SendingWindow:
    """Quiet hours and holidays from the settings (bad values fail the run with a clear error)."""
    settings = get_settings()
    start, _, end = settings.quiet_hours.partition("-")
    return rules.SendingWindow(quiet_start=rules.parse_clock(start), quiet_end=rules.parse_clock(end),
                               holidays=rules.parse_holidays(settings.holidays))


def _remind_commitments(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    return reminders.remind_commitments(engine, now=now, tz=settings.tz,
                                        policy=rules.parse_policy(settings.commitment_reminders),
                                        window=window_from_settings())


def _remind_duties(*, engine: Engine, now: datetime, holder: str) -> int:
    return reminders.remind_duties(engine, now=now, tz=get_settings().tz, window=window_from_settings())


def _approval_digests(*, engine: Engine, now: datetime, holder: str) -> int:
    return digests.send_approval_digests(engine, now=now, tz=get_settings().tz,
                                         window=window_from_settings())


def _weekly_digests(*, engine: Engine, now: datetime, holder: str) -> int:
    return digests.send_weekly_digests(engine, now=now, tz=get_settings().tz, window=window_from_settings())


def _monthly_digests(*, engine: Engine, now: datetime, holder: str) -> int:
    return digests.send_monthly_digests(engine, now=now, tz=get_settings().tz, window=window_from_settings())


def _nudge_allowances(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    return nudges.nudge_allowances(engine, now=now, tz=settings.tz, days=settings.allowance_nudge_days,
                                   window=window_from_settings())


def _nudge_idle_green(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    return nudges.nudge_idle_green(engine, now=now, tz=settings.tz, idle_days=settings.green_idle_days,
                                   closing_days=settings.green_closing_days, window=window_from_settings())


def _nudge_closing_green(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    return nudges.nudge_closing_green(engine, now=now, tz=settings.tz, days_before=settings.green_closing_days,
                                      window=window_from_settings())


def _cleanup(*, engine: Engine, now: datetime, holder: str) -> int:
    report = cleanup.cleanup(engine, now=now, retention_days=get_settings().outbox_retention_days)
    log.info("cleanup deleted %s outbox rows, %s read notices, %s job runs",
             report.outbox, report.notifications, report.job_runs)
    return report.total


@dataclass(frozen=True)
class Job:
    """A scheduled job: explicit id, a cron schedule in the org's time zone, a function."""

    id: str
    label: str
    schedule: str
    cron: dict[str, str]
    func: Callable[..., int] = field(compare=False)

    def trigger(self) -> CronTrigger:
        """The job's trigger in the organisation's time zone."""
        return CronTrigger(timezone=get_settings().tz, **self.cron)


#: Every job, by id. Features' reminder jobs are added here.
JOBS: dict[str, Job] = {
    "deliver-email": Job(id="deliver-email", label="Send queued e-mails",
                         schedule="Every minute", cron={"minute": "*"}, func=_deliver_email),
    "commitment-reminders": Job(
        id="commitment-reminders", label="Commitment reminders",
        schedule="Hourly at :10, working days outside quiet hours",
        cron={"minute": "10"}, func=_remind_commitments),
    "green-duty-reminders": Job(
        id="green-duty-reminders", label="Green-office duty reminders",
        schedule="Hourly at :20, the working day before each duty",
        cron={"minute": "20"}, func=_remind_duties),
    "approval-digests": Job(
        id="approval-digests", label="Daily digest of approval queues",
        schedule="Hourly at :30; once a working day per approver, only when something waits",
        cron={"minute": "30"}, func=_approval_digests),
    "weekly-digests": Job(
        id="weekly-digests", label="Weekly digest for staff (recognition received, my points)",
        schedule="Hourly at :35; last week's, on the first working day of the week, only when it held something",
        cron={"minute": "35"}, func=_weekly_digests),
    "monthly-digests": Job(
        id="monthly-digests", label="Monthly review for unit heads (completion, activity, ranking)",
        schedule="Hourly at :45; last month's, on the first working day of the month (until the 10th)",
        cron={"minute": "45"}, func=_monthly_digests),
    "allowance-nudges": Job(
        id="allowance-nudges", label="Unused recognition allowance",
        schedule="Hourly at :40, in the last working days of the month (once a month per person)",
        cron={"minute": "40"}, func=_nudge_allowances),
    "green-idle-nudges": Job(
        id="green-idle-nudges", label="Green campaigns: no activity for a while",
        schedule="Hourly at :50, working days; at most once per idle period per campaign",
        cron={"minute": "50"}, func=_nudge_idle_green),
    "green-closing-nudges": Job(
        id="green-closing-nudges", label="Green campaigns closing soon",
        schedule="Hourly at :55, a few working days before a campaign closes (once per campaign)",
        cron={"minute": "55"}, func=_nudge_closing_green),
    "notify-cleanup": Job(
        id="notify-cleanup", label="Delete old messages and job runs",
        schedule="Daily at 02:40; rows deleted are counted as messages",
        cron={"hour": "2", "minute": "40"}, func=_cleanup),
}


