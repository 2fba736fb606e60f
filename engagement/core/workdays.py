"""Working days: weekends and the organisation's public holidays, one rule for every feature.

Moved here from commendations (the nominations' 20-working-day appraisal deadline) so that any
feature, whatever its layer, counts working days the same way: commendations re-exports
``add_working_days`` and ``HOLIDAYS``; spot checks (supervision) draw visits on working days and
give people N working days to respond. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

# Vietnamese public holidays that fall on working days, 2025-2027 (Labour Code 2019 Art. 112 as
# amended in 2025, with the Prime Minister's yearly plans for Tết and the swapped days). The
# 2025 and 2026 days follow the published plans; 2027 is computed from the rules (Tết = the
# lunar new year on 6 February 2027; Hùng Kings' day = 10th of the 3rd lunar month) and must be
# checked against that year's plan when it is published. Weekends need not be listed. A table
# officers can edit should replace this list (it is data, not code).
HOLIDAYS: frozenset[date] = frozenset({
    # 2025: New Year; Tết Ất Tỵ (27 Jan - 31 Jan, Sat 25 Jan to Sun 2 Feb off); Hùng Kings;
    # 30 April, 1 May and the swapped Friday 2 May; National Day (1-2 September).
    date(2025, 1, 1),
    date(2025, 1, 27), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31),
    date(2025, 4, 7), date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2),
    date(2025, 9, 1), date(2025, 9, 2),
    # 2026: New Year; Tết Bính Ngọ (Sat 14 Feb to Sun 22 Feb off); Hùng Kings (Sun 26 April,
    # taken on Mon 27 April); 30 April and 1 May; National Day (1-2 September).
    date(2026, 1, 1),
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20),
    date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1),
    date(2026, 9, 1), date(2026, 9, 2),
    # 2027 (to be confirmed): New Year; Tết Đinh Mùi (4-10 February on working days); Hùng Kings
    # (Fri 16 April); 30 April; 1 May (a Saturday, taken on Mon 3 May); National Day (2-3 September).
    date(2027, 1, 1),
    date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10),
    date(2027, 4, 16), date(2027, 4, 30), date(2027, 5, 3),
    date(2027, 9, 2), date(2027, 9, 3),
})


def is_working_day(day: date, holidays: Iterable[date] = HOLIDAYS) -> bool:
    """Monday to Friday and not one of ``holidays``."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The day ``days`` working days after ``start`` (Saturdays, Sundays and ``holidays`` skipped)."""
    off = set(holidays)
    day, left = start, days
    while left > 0:
        day = date.fromordinal(day.toordinal() + 1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def working_days_between(first: date, last: date, holidays: Iterable[date] = HOLIDAYS) -> list[date]:
    """Every working day from ``first`` to ``last`` inclusive, in order."""
    off = set(holidays)
    out: list[date] = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in off:
            out.append(day)
        day += timedelta(days=1)
    return out
