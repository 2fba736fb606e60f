"""Scheduled spot-check work (issue 20): drawing plans' unannounced visits, and reminding and
escalating overdue corrective actions.

Both are idempotent. A plan is claimed by an UPDATE that only one run can make
(``supervision.service.draw_plan``), so two schedulers or a rerun never draw it twice. Each
reminder is one message per (recipient, action, stage) through ``notify``'s unique key, so a
rerun the same day writes nothing new; a stage that fell on a day off is sent on the next
working day (the stage is worked out from the number of working days past due).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from engagement.core import workdays
from engagement.core.db import unit_of_work
from engagement.jobs import rules
from engagement.supervision import queries as supervision_queries
from engagement.supervision import rules as supervision_rules
from engagement.supervision import service as supervision_service

log = logging.getLogger(__name__)


def draw_plans(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow,
               rng: random.Random | None = None) -> int:
    """Draw the visits of every plan not yet drawn; returns how many visits were drawn.

    Each plan is drawn in its own transaction. ``rng`` is for tests; the scheduler draws with
    the system's randomness, so nobody can foresee the dates from the code.
    """
    chance = rng or random.SystemRandom()
    today = now.astimezone(tz).date()
    with unit_of_work(engine) as session:
        plan_ids = supervision_queries.plans_to_draw(session, today=today)
    drawn = 0
    for plan_id in plan_ids:
        with unit_of_work(engine) as session:
            drawn += supervision_service.draw_plan(session, plan_id=plan_id, rng=chance, now=now)
    if drawn:
        log.info("spot checks: %s visits drawn for %s plans", drawn, len(plan_ids))
    return drawn


def remind_actions(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow,
                   overdue_max: int = 3) -> int:
    """Remind the people and unit heads of corrective actions due or overdue, and tell the
    officers of those still open after ``overdue_max`` working days; returns messages written.

    Nothing goes out on a day off or in quiet hours (the next run in the window catches up).
    """
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    today = local.date()
    holidays = workdays.HOLIDAYS | window.holidays
    written = 0
    with unit_of_work(engine) as session:
        for action in supervision_queries.open_actions(session):
            stage = supervision_rules.action_stage(today=today, due_on=action.due_on, overdue_max=overdue_max,
                                                   holidays=holidays)
            if stage is not None:
                written += supervision_service.remind_action(session, action=action, stage=stage, now=now)
    return written
