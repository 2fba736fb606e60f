"""Appraisal-deadline reminders (issue 15): received nominations the officers must appraise.

A received dossier must be appraised within ``nominations.APPRAISAL_DAYS`` working days (Decree
152/2025, Art. 48). The officer who received it (or, when that account no longer processes
nominations, every emulation officer) is told once when the deadline comes within
``nominations.REMINDER_DAYS`` working days, and once each working day after it has passed,
until the dossier is appraised or returned. What makes a reminder go out once is the outbox
key (kind, nomination, period): a rerun, a crash mid-run or two runs at once repeat nobody.
Nothing goes out on weekends, holidays or in quiet hours; the next run in the window catches up.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from engagement.commendations import nominations
from engagement.core import formats, i18n, routes
from engagement.core.db import unit_of_work
from engagement.core.i18n import _
from engagement.jobs import rules
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service

DUE_KIND = "nomination.due"
OVERDUE_KIND = "nomination.overdue"


def remind_appraisals(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Remind the officers holding received nominations whose appraisal deadline is near or past.

    Returns:
        How many messages were written (one per officer, nomination and occasion).
    """
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    today = local.date()
    written = 0
    with unit_of_work(engine) as session:
        due = nominations.due_soon(session, today)
        langs = notify_queries.languages(session, sorted({pid for row in due for pid in row.holder_ids}))
        for row in due:
            # Near: once per deadline (a re-received dossier has a new one). Past: once a day.
            kind, period = ((OVERDUE_KIND, today.isoformat()) if row.overdue
                            else (DUE_KIND, row.due_on.isoformat()))
            for pid in row.holder_ids:
                with i18n.using(langs.get(pid, "")):
                    if row.overdue:
                        title = _("Appraisal overdue: {title} proposed by {unit} (due {day})",
                                  title=row.title, unit=row.unit_name, day=formats.day(row.due_on))
                        body = _("The dossier proposing {title} from {unit} was due for appraisal on {day}. "
                                 "Appraise it, or return it with the reason, as soon as you can.",
                                 title=row.title, unit=row.unit_name, day=formats.day(row.due_on))
                    else:
                        title = _("Appraisal due by {day}: {title} proposed by {unit}",
                                  title=row.title, unit=row.unit_name, day=formats.day(row.due_on))
                        body = _("The dossier proposing {title} from {unit} must be appraised by {day} "
                                 "({days} working days from receipt).", title=row.title, unit=row.unit_name,
                                 day=formats.day(row.due_on), days=nominations.APPRAISAL_DAYS)
                written += notify_service.notify(
                    session, person_id=pid, category="commendations", kind=kind,
                    subject_ref=f"nomination:{row.nomination_id}", period=period, title=title, body=body,
                    link=routes.nomination(row.nomination_id), now=now)
    return written
