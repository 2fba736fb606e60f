"""Pure rules of the points ledger: sources, criteria, periods, caps and ranking.

No database, no clock: every function takes what it needs and is unit-tested.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg


class Source(StrEnum):
    """What earned the points. Every ledger entry names one."""

    COMMITMENT = "commitment"
    RECOGNITION = "recognition"
    GREEN = "green"
    COMMENDATION = "commendation"
    CITIZEN = "citizen"
    MANUAL = "manual"
    INSPECTION = "inspection"


#: How each source reads (rendered in the reader's language where it is shown).
SOURCE_LABELS: dict[Source, Msg] = {
    Source.COMMITMENT: N_("Commitment signed on time"),
    Source.RECOGNITION: N_("Recognition received"),
    Source.GREEN: N_("Green activity approved"),
    Source.COMMENDATION: N_("Commendation awarded"),
    Source.CITIZEN: N_("Citizen rating"),
    Source.MANUAL: N_("Adjustment by an officer"),
    Source.INSPECTION: N_("Spot-check compliance"),
}


@dataclass(frozen=True)
class Criterion:
    """How one source scores: points per unit of quantity, and a monthly cap per person."""

    weight: int
    monthly_cap: int | None = None


#: The movement's defaults, used for a year the officer has not configured.
DEFAULT_CRITERIA: dict[Source, Criterion] = {
    Source.COMMITMENT: Criterion(weight=10),
    Source.RECOGNITION: Criterion(weight=2, monthly_cap=20),
    Source.GREEN: Criterion(weight=1, monthly_cap=100),
    Source.COMMENDATION: Criterion(weight=50),
    Source.CITIZEN: Criterion(weight=1, monthly_cap=10),
    Source.MANUAL: Criterion(weight=1),
    # A recorded spot check credits its unit ``weight x compliance`` (10 for a clean visit); a
    # negative weight instead deducts ``|weight| x the share of failed items`` (supervision.rules).
    Source.INSPECTION: Criterion(weight=10),
}

#: Sources whose weight may be negative (a penalty): the lowest weight of each.
MIN_WEIGHTS: dict[Source, int] = {Source.INSPECTION: -1000}

MAX_WEIGHT = 1000
MAX_CAP = 100_000
MAX_ADJUSTMENT = 1000
#: A reason kept with a ledger entry (an adjustment, a reversal) and a criteria version's note;
#: longer is refused, never cut (``core.limits``).
REASON_MAX = NOTE_MAX = 500


def _whole_number(text: str, low: int, high: int, *, errors: dict[str, Msg], field: str,
                  not_whole: Msg, out_of_range: Msg) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``, or None with ``errors[field]`` set to
    ``not_whole`` or ``out_of_range``."""
    try:
        value = int(text.strip())
    except ValueError:
        errors[field] = not_whole
        return None
    if not low <= value <= high:
        errors[field] = out_of_range
        return None
    return value


def check_criteria(raw: dict[str, tuple[object, object]]) -> dict[Source, Criterion]:
    """Validate an officer's criteria form: ``{source: (weight, cap or "")}``.

    Raises:
        Invalid: a weight or cap that is not a whole number in range, naming the source.
    """
    result: dict[Source, Criterion] = {}
    errors: dict[str, Msg] = {}
    for source in Source:
        weight_raw, cap_raw = raw.get(source.value, ("", ""))
        label = SOURCE_LABELS[source]
        low = MIN_WEIGHTS.get(source, 0)
        weight = _whole_number(
            str(weight_raw), low, MAX_WEIGHT, errors=errors, field=f"weight_{source.value}",
            not_whole=N_("{source}: the weight must be a whole number (0 to {max}).", source=label, max=MAX_WEIGHT)
            if low == 0 else N_("{source}: the weight must be a whole number ({min} to {max}).", source=label,
                                min=low, max=MAX_WEIGHT),
            out_of_range=N_("{source}: the weight must be between 0 and {max}.", source=label, max=MAX_WEIGHT)
            if low == 0 else N_("{source}: the weight must be between {min} and {max}.", source=label, min=low,
                                max=MAX_WEIGHT))
        if weight is None:
            continue
        cap_text = "" if cap_raw is None else str(cap_raw).strip()
        cap: int | None = None
        if cap_text:
            cap = _whole_number(
                cap_text, 1, MAX_CAP, errors=errors, field=f"cap_{source.value}",
                not_whole=N_("{source}: the monthly cap must be a whole number, or empty for none.", source=label),
                out_of_range=N_("{source}: the monthly cap must be between 1 and {max}.", source=label, max=MAX_CAP))
            if cap is None:
                continue
        result[source] = Criterion(weight=weight, monthly_cap=cap)
    if errors:
        raise Invalid("Some criteria need correcting.", fields=errors)
    return result


def decode_criteria(text: str) -> dict[Source, Criterion]:
    """Stored JSON back to criteria (a source missing from an old version uses the default)."""
    raw = json.loads(text)
    out = dict(DEFAULT_CRITERIA)
    for source in Source:
        item = raw.get(source.value)
        if item is not None:
            out[source] = Criterion(weight=int(item["weight"]), monthly_cap=item.get("monthly_cap"))
    return out


def points_for(criterion: Criterion, quantity: float, earned_this_month: int) -> int:
    """Points one event earns: quantity x weight, rounded, limited by what the cap leaves.

    ``earned_this_month`` is what the person already has from this source this month.
    Negative quantities are not scoring events (reversals go through ``reverse``).
    """
    if quantity <= 0 or criterion.weight == 0:
        return 0
    if criterion.weight < 0:
        return round(quantity * criterion.weight)  # a penalty (``MIN_WEIGHTS``): no cap applies
    raw = round(quantity * criterion.weight)
    if criterion.monthly_cap is None:
        return raw
    return max(0, min(raw, criterion.monthly_cap - earned_this_month))


# Periods ------------------------------------------------------------------------------

class PeriodKind(StrEnum):
    """The leaderboard periods with stored totals."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def month_key(day: date) -> str:
    """``2026-03``."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    """``2026-Q1``."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def year_key(day: date) -> str:
    """``2026``."""
    return f"{day.year:04d}"


def period_keys(day: date) -> tuple[str, str, str]:
    """The month, quarter and year an event on ``day`` counts in."""
    return month_key(day), quarter_key(day), year_key(day)


def period_key(kind: PeriodKind, day: date) -> str:
    """The key of the period of ``kind`` that contains ``day``."""
    return {PeriodKind.MONTH: month_key, PeriodKind.QUARTER: quarter_key, PeriodKind.YEAR: year_key}[kind](day)


def previous_period(key: str) -> str:
    """The period before ``key`` (same kind): 2026-01 -> 2025-12, 2026-Q1 -> 2025-Q4."""
    kind, first, _last = parse_period(key)
    if kind is PeriodKind.YEAR:
        return year_key(date(first.year - 1, 1, 1))
    if kind is PeriodKind.QUARTER:
        month = first.month - 3
        year = first.year
        if month < 1:
            month += 12
            year -= 1
        return quarter_key(date(year, month, 1))
    month = first.month - 1
    year = first.year
    if month < 1:
        month, year = 12, year - 1
    return month_key(date(year, month, 1))


def parse_period(key: str) -> tuple[PeriodKind, date, date]:
    """Kind, first day and last day of a period key.

    Raises:
        Invalid: not a period key.
    """
    text = (key or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31)
        if len(text) == 7 and text[4:6] == "-Q" and text[6] in "1234":
            year, quarter = int(text[:4]), int(text[6])
            first = date(year, 3 * quarter - 2, 1)
            return PeriodKind.QUARTER, first, _month_end(date(year, 3 * quarter, 1))
        if len(text) == 7 and text[4] == "-":
            first = date(int(text[:4]), int(text[5:]), 1)
            return PeriodKind.MONTH, first, _month_end(first)
    except ValueError:
        pass
    raise Invalid("Choose a period: a month (2026-03), a quarter (2026-Q1) or a year (2026).")


def _month_end(first: date) -> date:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def period_label(key: str) -> Msg:
    """How a period key reads: "2026-03", "2026-Q4", "2026" in English (the keys themselves),
    "Tháng 3/2026", "Quý 4/2026", "Năm 2026" in Vietnamese.

    A month has two message ids, so that a translation can drop the leading zero of the key
    ("2026-03" -> "Tháng 3/2026", as ``core.formats.month_label`` writes a month).

    Raises:
        Invalid: not a period key.
    """
    kind, first, _last = parse_period(key)
    if kind is PeriodKind.YEAR:
        # TRANSLATORS: a year as a leaderboard period (English shows the key, 2026).
        return N_("{period_year}", period_year=first.year)
    if kind is PeriodKind.QUARTER:
        # TRANSLATORS: a quarter as a leaderboard period (English shows the key, 2026-Q4).
        return N_("{period_year}-Q{quarter}", period_year=first.year, quarter=(first.month - 1) // 3 + 1)
    if first.month < 10:
        # TRANSLATORS: a month 1-9 as a leaderboard period (English shows the key, 2026-03).
        return N_("{period_year}-0{period_month}", period_year=first.year, period_month=first.month)
    # TRANSLATORS: a month 10-12 as a leaderboard period (English shows the key, 2026-12).
    return N_("{period_year}-{period_month}", period_year=first.year, period_month=first.month)


def range_label(first_month: str, last_month: str) -> Msg:
    """A custom range of months: "2026-01 to 2026-04", "Tháng 1/2026 – Tháng 4/2026"."""
    return N_("{first_month} to {last_month}", first_month=period_label(first_month),
              last_month=period_label(last_month))


def period_options(kind: str, day: date) -> list[tuple[str, str]]:
    """Recent periods of a kind as (key, label in the current language), newest first: the
    24 months, 8 quarters or 3 years up to the one containing ``day``."""
    if kind == PeriodKind.YEAR:
        return [(str(day.year - i), period_label(str(day.year - i)).render()) for i in range(3)]
    out: list[tuple[str, str]] = []
    y, m = day.year, day.month
    seen: set[str] = set()
    for _ in range(24):
        key = month_key(date(y, m, 1)) if kind == PeriodKind.MONTH else quarter_key(date(y, m, 1))
        if key not in seen:
            seen.add(key)
            out.append((key, period_label(key).render()))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[:24] if kind == PeriodKind.MONTH else out[:8]


def month_range(start: str, end: str) -> list[str]:
    """The month keys from ``start`` to ``end`` inclusive (a custom range).

    Raises:
        Invalid: not months, end before start, or longer than 36 months.
    """
    kind_a, first_a, _ = parse_period(start)
    kind_b, first_b, _ = parse_period(end)
    if kind_a is not PeriodKind.MONTH or kind_b is not PeriodKind.MONTH:
        raise Invalid("A custom range runs from one month to another, e.g. 2025-09 to 2026-08.")
    if first_b < first_a:
        raise Invalid("The range ends before it starts; swap the two months.")
    count = (first_b.year - first_a.year) * 12 + first_b.month - first_a.month + 1
    if count > 36:
        raise Invalid("A custom range can cover at most 36 months.")
    return [month_key(date(first_a.year + (first_a.month - 1 + i) // 12, (first_a.month - 1 + i) % 12 + 1, 1))
            for i in range(count)]


def compress_months(months: Sequence[str]) -> list[str]:
    """Cover consecutive months with the fewest stored periods (whole years, then quarters).

    ``["2025-10", "2025-11", "2025-12", "2026-01"]`` -> ``["2025-Q4", "2026-01"]``.
    """
    wanted = set(months)
    out: list[str] = []
    done: set[str] = set()
    for m in months:
        if m in done:
            continue
        year = m[:4]
        year_months = {f"{year}-{i:02d}" for i in range(1, 13)}
        if year_months <= wanted:
            out.append(year)
            done |= year_months
            continue
        quarter = (int(m[5:]) - 1) // 3 + 1
        q_months = {f"{year}-{i:02d}" for i in range(3 * quarter - 2, 3 * quarter + 1)}
        if q_months <= wanted:
            out.append(f"{year}-Q{quarter}")
            done |= q_months
            continue
        out.append(m)
        done.add(m)
    return out


# Ranking --------------------------------------------------------------------------------

T = TypeVar("T")


#: The leaderboards (key -> title, rendered in the reader's language where it is shown).
BOARDS: dict[str, Msg] = {"units": N_("Units: total points"), "units_per_member": N_("Units: points per member"),
                          "people": N_("Individuals")}


def competition_ranks(scores: Iterable[float]) -> list[int]:
    """Ranks for scores already sorted best first: equal scores share a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    previous: float | None = None
    for index, score in enumerate(scores):
        if previous is None or score != previous:
            ranks.append(index + 1)
        else:
            ranks.append(ranks[-1])
        previous = score
    return ranks


def per_member(points: int, members: int) -> float:
    """Points per member, so small and large units compare fairly (0 for an empty unit)."""
    return round(points / members, 2) if members > 0 else 0.0


def rank_change(current: int, previous: int | None) -> int | None:
    """Places gained since the previous period (positive = moved up); None if unranked before."""
    return None if previous is None else previous - current
