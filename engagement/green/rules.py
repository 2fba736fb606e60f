"""Pure rules of green-office campaigns: no database, no clock, no Reflex.

Dates here are local calendar dates (the organisation's zone); the service converts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from engagement.core.errors import Invalid

#: The stored-file purpose of activity photos (the /files route asks green who may see one).
PHOTO_PURPOSE = "green.photo"
#: The largest impact figure one activity may claim (kg, sheets, kWh, plants, hours).
MAX_IMPACT = 1_000_000

#: An activity's verification status.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

LIMIT_PERIODS = ("day", "week", "month", "campaign")
PERIOD_LABELS = {"day": "a day", "week": "a week", "month": "a month", "campaign": "in this campaign"}
MAX_BACKDATE_DAYS = 60
MAX_PARTICIPANTS = 50
REJECT_REASON_MIN = 5
MAX_ROSTER_DAYS = 370


@dataclass(frozen=True)
class ActionSpec:
    """A catalogue entry: what a template campaign offers."""

    name: str
    points: int
    impact_unit: str = ""
    photo_required: bool = False
    limit_count: int = 1
    limit_period: str = "day"


#: Defaults for a "green, clean, beautiful office" campaign.
GREEN_OFFICE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("Weekly workplace cleaning", 3, "", True, 1, "week"),
    ActionSpec("Waste sorting at source", 2, "kg", False, 1, "day"),
    ActionSpec("Caring for office plants", 1, "plants", False, 1, "day"),
    ActionSpec("Saving paper (double-sided, e-documents)", 1, "sheets", False, 1, "day"),
    ActionSpec("Switching off power after hours", 1, "kWh", False, 1, "day"),
    ActionSpec("Planting a tree", 5, "plants", True, 2, "month"),
)

#: Defaults for a volunteer campaign such as "Green Summer" (Mùa hè xanh).
VOLUNTEER_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("Volunteer hours in the community", 4, "hours", True, 1, "day"),
    ActionSpec("Cleaning a public space", 3, "kg", True, 1, "week"),
    ActionSpec("Blood donation", 10, "", True, 1, "campaign"),
)

TEMPLATES: dict[str, tuple[ActionSpec, ...]] = {"green": GREEN_OFFICE_ACTIONS, "volunteer": VOLUNTEER_ACTIONS}

#: The office self-assessment checklist (key, question). Each scored 0 (no), 1 (partly), 2 (yes).
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("plants", "Green plants in every room, cared for"),
    ("desks", "Tidy desks and corridors, documents filed"),
    ("signage", "Signage, name plates and notice boards in order"),
    ("waste", "Waste sorted at source, bins labelled"),
    ("energy", "Lights, air conditioning and computers off when not in use"),
    ("paper", "Paper saved: e-documents and double-sided printing"),
)
CHECKLIST_MAX = 2


def check_campaign(*, name: str, starts_on: date | None, ends_on: date | None, kind: str,
                   backdate_days: int) -> None:
    """Validate a new campaign.

    Raises:
        Invalid: missing name, dates out of order, unknown kind, or a back-dating window
            outside 0..60 days.
    """
    fields: dict[str, str] = {}
    if not name.strip():
        fields["name"] = "Enter the campaign's name."
    if starts_on is None or ends_on is None:
        fields["dates"] = "Enter the start and end dates."
    elif ends_on < starts_on:
        fields["dates"] = "The end date is before the start date."
    if kind not in TEMPLATES:
        fields["kind"] = "Choose a green-office or a volunteer campaign."
    if not 0 <= backdate_days <= MAX_BACKDATE_DAYS:
        fields["backdate_days"] = f"Back-dating must be between 0 and {MAX_BACKDATE_DAYS} days."
    if fields:
        raise Invalid(" ".join(fields.values()), fields)


def check_activity_date(*, occurred_on: date, today: date, starts_on: date, ends_on: date,
                        backdate_days: int) -> None:
    """An activity's date must be inside the campaign and the back-dating window.

    Raises:
        Invalid: in the future, older than the window, or outside the campaign dates.
    """
    if occurred_on > today:
        raise Invalid("The date is in the future. Log an activity on or after the day you did it.",
                      {"occurred_on": "In the future"})
    if occurred_on < today - timedelta(days=backdate_days):
        raise Invalid(f"Activities can be logged up to {backdate_days} day(s) after the day. "
                      "Ask your union officer if you missed it.", {"occurred_on": "Too long ago"})
    if occurred_on < starts_on or occurred_on > ends_on:
        raise Invalid(f"The campaign runs from {starts_on:%d/%m/%Y} to {ends_on:%d/%m/%Y}; "
                      "this date is outside it.", {"occurred_on": "Outside the campaign"})


def takes_part(paths: Sequence[str], unit_path: str) -> bool:
    """Whether a unit at ``unit_path`` is in (or below) one of the participating units."""
    return any(unit_path.startswith(p) for p in paths)


def period_bounds(period: str, day: date, *, starts_on: date, ends_on: date) -> tuple[date, date]:
    """The first and last day of the limit period that contains ``day``."""
    if period == "day":
        return day, day
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    return starts_on, ends_on


def check_limit(*, action_name: str, limit_count: int, limit_period: str, already: int,
                who: str = "You") -> None:
    """Refuse one more activity when ``already`` (pending or approved) reaches the limit.

    Raises:
        Invalid: the limit is reached.
    """
    if limit_count > 0 and already >= limit_count:
        times = "once" if limit_count == 1 else f"{limit_count} times"
        raise Invalid(f"{who} already logged “{action_name}” {times} {PERIOD_LABELS[limit_period]}, "
                      "the most this campaign allows.")


def check_reject_reason(reason: str) -> str:
    """The trimmed reason, or Invalid when too short for the member to act on."""
    text = reason.strip()
    if len(text) < REJECT_REASON_MIN:
        raise Invalid("Write a reason the member can act on (at least a few words).",
                      {"reason": "Too short"})
    return text


def roster_dates(*, starts_on: date, ends_on: date, weekday: int, every_weeks: int) -> list[date]:
    """Every ``every_weeks``-th ``weekday`` (0 = Monday) from ``starts_on`` to ``ends_on``.

    Raises:
        Invalid: bad weekday, interval, or range.
    """
    if not 0 <= weekday <= 6:
        raise Invalid("Choose a day of the week.")
    if not 1 <= every_weeks <= 8:
        raise Invalid("Repeat every 1 to 8 weeks.")
    if ends_on < starts_on:
        raise Invalid("The end date is before the start date.")
    if (ends_on - starts_on).days > MAX_ROSTER_DAYS:
        raise Invalid("A roster covers at most a year; create another one for the next year.")
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    out = []
    day = first
    while day <= ends_on:
        out.append(day)
        day += timedelta(weeks=every_weeks)
    return out


def assign_round_robin(people: Sequence[int], dates: Sequence[date], per_slot: int) -> list[tuple[date, int]]:
    """Assign ``per_slot`` people to each date in turn, so duties are shared evenly.

    Raises:
        Invalid: nobody to assign, or a slot size outside 1..the number of people.
    """
    if not people:
        raise Invalid("This branch has no active members to put on the roster.")
    if not 1 <= per_slot <= min(len(people), 20):
        raise Invalid(f"Put between 1 and {min(len(people), 20)} people on each date.")
    out: list[tuple[date, int]] = []
    cursor = 0
    for day in dates:
        for _ in range(per_slot):
            out.append((day, people[cursor % len(people)]))
            cursor += 1
    return out


def assessment_score(answers: dict[str, int]) -> int:
    """The checklist score as a percent of the maximum.

    Raises:
        Invalid: a criterion missing or scored outside 0..2.
    """
    total = 0
    for key, question in CHECKLIST:
        value = answers.get(key)
        if value is None or not 0 <= value <= CHECKLIST_MAX:
            raise Invalid(f"Answer “{question}” (no, partly or yes).", {key: "Answer this"})
        total += value
    return round(100 * total / (CHECKLIST_MAX * len(CHECKLIST)))


def percent(value: float, target: float) -> int:
    """Progress towards a target in whole percent, capped at 100 (0 when no target)."""
    if target <= 0:
        return 0
    return min(100, int(100 * value / target))


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a date."""
    return day.year, (day.month - 1) // 3 + 1
