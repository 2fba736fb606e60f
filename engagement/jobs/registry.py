"""The table of scheduled jobs: each job's id, label, schedule and the function it runs.

Each function reads its settings and calls one job module (reminders, nudges, digests,
cleanup) or notify's mail delivery; the runner (``runner.py``) runs them under locks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from engagement.core.i18n import N_, Msg
from engagement.jobs import appraisals, backups, cleanup, digests, nudges, reminders, rules
from engagement.jobs import good_models as good_model_jobs
from engagement.jobs import supervision as supervision_jobs
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


def _windowed(module: ModuleType, name: str, **extra: str) -> Callable[..., int]:
    """A job that calls ``module.name(engine, now=, tz=, window=, **settings)``.

    ``extra`` maps an argument to the setting that gives it. The function is looked up at
    run time, so a test that replaces it is honoured.
    """

    def run(*, engine: Engine, now: datetime, holder: str) -> int:
        settings = get_settings()
        return getattr(module, name)(engine, now=now, tz=settings.tz, window=window_from_settings(),
                                     **{arg: getattr(settings, key) for arg, key in extra.items()})

    return run


def _daily_backup(*, engine: Engine, now: datetime, holder: str) -> int:
    settings = get_settings()
    backups.run_daily_backup(engine, now=now, directory=settings.backup_dir, keep=settings.backup_keep)
    return 0


def _chain_heads(*, engine: Engine, now: datetime, holder: str) -> int:
    from engagement.jobs import chains

    return chains.publish_heads(engine, now=now)


def _cleanup(*, engine: Engine, now: datetime, holder: str) -> int:
    report = cleanup.cleanup(engine, now=now, retention_days=get_settings().outbox_retention_days)
    log.info("cleanup deleted %s outbox rows, %s read notices, %s job runs",
             report.outbox, report.notifications, report.job_runs)
    return report.total


@dataclass(frozen=True)
class Job:
    """A scheduled job: explicit id, a cron schedule in the org's time zone, a function.

    ``label`` and ``schedule`` are messages (``N_``), rendered in the reader's language.
    """

    id: str
    label: Msg
    schedule: Msg
    cron: dict[str, str]
    func: Callable[..., int] = field(compare=False)

    def trigger(self) -> CronTrigger:
        """The job's trigger in the organisation's time zone."""
        return CronTrigger(timezone=get_settings().tz, **self.cron)


#: Every job, by id: (id, label, schedule as people read it, cron fields, function).
JOBS: dict[str, Job] = {job.id: job for job in (
    Job("deliver-email", N_("Send queued e-mails"), N_("Every minute"), {"minute": "*"}, _deliver_email),
    Job("commitment-reminders", N_("Commitment reminders"), N_("Hourly at :10, working days outside quiet hours"),
        {"minute": "10"}, _remind_commitments),
    Job("green-duty-reminders", N_("Green-office duty reminders"),
        N_("Hourly at :20, the working day before each duty"),
        {"minute": "20"}, _windowed(reminders, "remind_duties")),
    Job("approval-digests", N_("Daily digest of approval queues"),
        N_("Hourly at :30; once a working day per approver, only when something waits"),
        {"minute": "30"}, _windowed(digests, "send_approval_digests")),
    Job("weekly-digests", N_("Weekly digest for staff (recognition received, my points)"),
        N_("Hourly at :35; last week's, on the first working day of the week, only when it held something"),
        {"minute": "35"}, _windowed(digests, "send_weekly_digests")),
    Job("monthly-digests", N_("Monthly review for unit heads (completion, activity, ranking)"),
        N_("Hourly at :45; last month's, on the first working day of the month (until the 10th)"),
        {"minute": "45"}, _windowed(digests, "send_monthly_digests")),
    Job("allowance-nudges", N_("Unused recognition allowance"),
        N_("Hourly at :40, in the last working days of the month (once a month per person)"),
        {"minute": "40"}, _windowed(nudges, "nudge_allowances", days="allowance_nudge_days")),
    Job("green-idle-nudges", N_("Green campaigns: no activity for a while"),
        N_("Hourly at :50, working days; at most once per idle period per campaign"),
        {"minute": "50"}, _windowed(nudges, "nudge_idle_green", idle_days="green_idle_days",
                                    closing_days="green_closing_days")),
    Job("green-closing-nudges", N_("Green campaigns closing soon"),
        N_("Hourly at :55, a few working days before a campaign closes (once per campaign)"),
        {"minute": "55"}, _windowed(nudges, "nudge_closing_green", days_before="green_closing_days")),
    Job("appraisal-reminders", N_("Commendation dossiers due for appraisal"),
        N_("Hourly at :15, working days; once when the deadline is near, then each day it is past"),
        {"minute": "15"}, _windowed(appraisals, "remind_appraisals")),
    Job("good-model-reports", N_("Good models: adoption results due"),
        N_("Daily at 09:25, working days; once per adoption when its planned period is over"),
        {"hour": "9", "minute": "25"}, _windowed(good_model_jobs, "remind_adoption_reports")),
    Job("spot-check-draws", N_("Spot checks: draw the plans' unannounced visits"),
        N_("Hourly at :05; once per plan, the team is told each visit's date"),
        {"minute": "5"}, _windowed(supervision_jobs, "draw_plans")),
    Job("corrective-action-reminders", N_("Spot checks: corrective actions due and overdue"),
        N_("Hourly at :25, working days; once per action and stage, escalated to officers when long overdue"),
        {"minute": "25"}, _windowed(supervision_jobs, "remind_actions")),
    Job("notify-cleanup", N_("Delete old messages and job runs"),
        N_("Daily at 02:40; rows deleted are counted as messages"),
        {"hour": "2", "minute": "40"}, _cleanup),
    Job(backups.JOB_ID, N_("Back up the database"),
        N_("Daily at 02:10, online; the newest ENGAGEMENT_BACKUP_KEEP backups are kept"),
        {"hour": "2", "minute": "10"}, _daily_backup),
    Job("chain-heads", N_("Publish the sealed heads of the signature and decision chains"),
        N_("Hourly at :15, in the audit log, only when a chain grew; counted as messages"),
        {"minute": "15"}, _chain_heads),
)}
