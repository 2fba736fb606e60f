"""Demo points: a few months of believable scoring events, so the leaderboards have a story."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, select

from engagement.org.models import Person
from engagement.scoring import service
from engagement.scoring.rules import Source


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Record ~4 months of points for the demo people (deterministic: a fixed seed).

    Commitments, recognition and green activities record their own points when their demo
    data is made. These entries stand for the months before the system was introduced
    (their references start with ``demo-history:``, there is no record behind them), so
    the charts and the rank change have a past on a fresh installation.

    Returns:
        ``{"point_entries": n}``.
    """
    rng = random.Random(2026)
    people = session.exec(select(Person.id).where(Person.is_active.is_(True)).order_by(Person.id)).all()
    count = 0
    weighted = [Source.RECOGNITION] * 4 + [Source.CITIZEN] * 2
    for pid in people:
        activity = rng.randint(1, 10)
        for n in range(activity):
            source = rng.choice(weighted)
            when = now - timedelta(days=rng.randint(30, 120), hours=rng.randint(0, 8))
            quantity = rng.randint(1, 3)
            service.record_points(session, person_id=pid, source=source, source_ref=f"demo-history:{pid}:{n}",
                                  occurred_at=when, now=now, quantity=quantity)
            count += 1
    return {"point_entries": count}
