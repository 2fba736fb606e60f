"""Good-model adoption reports due (issue 20): the heads of a unit replicating a model are told
once when the planned period is over and the result is not reported yet.

What makes the reminder go out once is the outbox key (kind, adoption, due date): a rerun, a
crash mid-run or two runs at once repeat nobody. Nothing goes out on weekends, holidays or in
quiet hours; the next run in the window catches up.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from engagement.core.db import unit_of_work
from engagement.good_models import service
from engagement.jobs import rules


def remind_adoption_reports(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Remind unit heads of adoption reports that are due.

    Returns:
        How many notices were written (one per head and adoption).
    """
    if window.sending_time(now, tz) is None:
        return 0
    with unit_of_work(engine) as session:
        return service.remind_due_reports(session, now=now)
