"""Pure rules of green-office campaigns: no database, no clock, no Reflex.

Dates here are local calendar dates (the organisation's zone); the service converts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from engagement.core import limits, workdays
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg, N_n

#: The stored-file purpose of activity photos (the /files route asks green who may see one).
PHOTO_PURPOSE = "green.photo"
#: The largest impact figure one activity may claim (kg, sheets, kWh, plants, hours).
MAX_IMPACT = 1_000_000

#: An activity's verification status.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

#: The labels of the statuses (pages show them with ``t_match``).
STATUS_LABELS: dict[str, Msg] = {PENDING: N_("Awaiting approval"), APPROVED: N_("Approved"), REJECTED: N_("Rejected")}

#: The kinds of campaign, each with its template of default actions (``TEMPLATES``).
KIND_LABELS: dict[str, Msg] = {"green": N_("Green office"), "volunteer": N_("Volunteer")}

#: What an action's impact is counted in: the stored code and how it reads.
IMPACT_UNITS: dict[str, Msg] = {"kg": N_("kg"), "sheets": N_("sheets"), "kWh": N_("kWh"),
                                "plants": N_("plants"), "hours": N_("hours")}

LIMIT_PERIODS = ("day", "week", "month", "campaign")
MAX_BACKDATE_DAYS = 60
MAX_PARTICIPANTS = 50
REJECT_REASON_MIN = 5
MAX_ROSTER_DAYS = 370


@dataclass(frozen=True)
class ActionSpec:
    """A catalogue entry: what a template campaign offers."""

    name: Msg  # rendered in the organisation's language when a campaign is created
    points: int
    impact_unit: str = ""
    photo_required: bool = False
    limit_count: int = 1
    limit_period: str = "day"


#: Defaults for a "green, clean, beautiful office" campaign.
GREEN_OFFICE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(N_("Weekly workplace cleaning"), 3, "", True, 1, "week"),
    ActionSpec(N_("Waste sorting at source"), 2, "kg", False, 1, "day"),
    ActionSpec(N_("Caring for office plants"), 1, "plants", False, 1, "day"),
    ActionSpec(N_("Saving paper (double-sided, e-documents)"), 1, "sheets", False, 1, "day"),
    ActionSpec(N_("Switching off power after hours"), 1, "kWh", False, 1, "day"),
    ActionSpec(N_("Planting a tree"), 5, "plants", True, 2, "month"),
)

#: Defaults for a volunteer campaign such as "Green Summer" (Mùa hè xanh).
VOLUNTEER_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(N_("Volunteer hours in the community"), 4, "hours", True, 1, "day"),
    ActionSpec(N_("Cleaning a public space"), 3, "kg", True, 1, "week"),
    ActionSpec(N_("Blood donation"), 10, "", True, 1, "campaign"),
)

TEMPLATES: dict[str, tuple[ActionSpec, ...]] = {"green": GREEN_OFFICE_ACTIONS, "volunteer": VOLUNTEER_ACTIONS}

#: The office self-assessment checklist (key, question). Each scored 0 (no), 1 (partly), 2 (yes).
CHECKLIST: tuple[tuple[str, Msg], ...] = (
    ("plants", N_("Green plants in every room, cared for")),
    ("desks", N_("Tidy desks and corridors, documents filed")),
    ("signage", N_("Signage, name plates and notice boards in order")),
    ("waste", N_("Waste sorted at source, bins labelled")),
    ("energy", N_("Lights, air conditioning and computers off when not in use")),
    ("paper", N_("Paper saved: e-documents and double-sided printing")),
)
CHECKLIST_MAX = 2


def check_campaign(*, name: str, starts_on: date | None, ends_on: date | None, kind: str,
                   backdate_days: int) -> None:
    """Validate a new campaign.

    Raises:
        Invalid: missing name, dates out of order, unknown kind, or a back-dating window
            outside 0..60 days.
    """
    fields: dict[str, str | Msg] = {}
    if not name.strip():
        fields["name"] = N_("Enter the campaign's name.")
    if starts_on is None or ends_on is None:
        fields["dates"] = N_("Enter the start and end dates.")
    elif ends_on < starts_on:
        fields["dates"] = N_("The end date is before the start date.")
    if kind not in TEMPLATES:
        fields["kind"] = N_("Choose a green-office or a volunteer campaign.")
    if not 0 <= backdate_days <= MAX_BACKDATE_DAYS:
        fields["backdate_days"] = N_("Back-dating must be between 0 and {n} days.", n=MAX_BACKDATE_DAYS)
    if len(fields) == 1:
        raise Invalid(next(iter(fields.values())), fields)
    if fields:
        raise Invalid("{first} Check the other fields of the campaign too.", fields,
                      first=next(iter(fields.values())))


def check_activity_date(*, occurred_on: date, today: date, starts_on: date, ends_on: date,
                        backdate_days: int) -> None:
    """An activity's date must be inside the campaign and the back-dating window.

    Raises:
        Invalid: in the future, older than the window, or outside the campaign dates.
    """
    if occurred_on > today:
        raise Invalid("The date is in the future. Log an activity on or after the day you did it.",
                      {"occurred_on": N_("In the future")})
    if occurred_on < today - timedelta(days=backdate_days):
        raise Invalid("Activities can be logged up to {days} day(s) after the day. "
                      "Ask your union officer if you missed it.", {"occurred_on": N_("Too long ago")},
                      days=backdate_days)
    if occurred_on < starts_on or occurred_on > ends_on:
        # dd/mm/yyyy in every language (core.formats.day; rules may not import it: it reads the clock's zone).
        raise Invalid("The campaign runs from {first} to {last}; this date is outside it.",
                      {"occurred_on": N_("Outside the campaign")},
                      first=starts_on.strftime("%d/%m/%Y"), last=ends_on.strftime("%d/%m/%Y"))


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


def limit_text(limit_count: int, limit_period: str) -> Msg:
    """How often an action may be logged: "once a day", "3 times a week", "no limit"."""
    if limit_count <= 0:
        return N_("no limit")
    if limit_period == "day":
        return N_n("once a day", "{n} times a day", limit_count)
    if limit_period == "week":
        return N_n("once a week", "{n} times a week", limit_count)
    if limit_period == "month":
        return N_n("once a month", "{n} times a month", limit_count)
    return N_n("once in this campaign", "{n} times in this campaign", limit_count)


def check_limit(*, action_name: str, limit_count: int, limit_period: str, already: int,
                who: str | None = None) -> None:
    """Refuse one more activity when ``already`` (pending or approved) reaches the limit.

    Args:
        who: the colleague's name when the limit is theirs; None when it is the actor's own.

    Raises:
        Invalid: the limit is reached.
    """
    if limit_count > 0 and already >= limit_count:
        times = limit_text(limit_count, limit_period)
        if who is None:
            raise Invalid("You already logged “{action}” {times}, the most this campaign allows.",
                          action=action_name, times=times)
        raise Invalid("{name} already logged “{action}” {times}, the most this campaign allows.",
                      name=who, action=action_name, times=times)


def check_reject_reason(reason: str) -> str:
    """The trimmed reason, or Invalid when too short for the member to act on."""
    text = limits.within(reason.strip(), limit=REJECT_REASON_MAX, what=N_("reason"), field="reason")
    if len(text) < REJECT_REASON_MIN:
        raise Invalid("Write a reason the member can act on (at least a few words).",
                      {"reason": N_("Too short")})
    return text


REJECT_REASON_MAX, NOTE_MAX = 500, 1000
#: Longer is refused, never cut (``core.limits``); the pages show the same limits as counters.
CAMPAIGN_NAME_MAX, CAMPAIGN_DESCRIPTION_MAX, ROSTER_TITLE_MAX, ASSESSMENT_NOTE_MAX = 200, 2000, 200, 1000


def may_undo_decision(*, status: str, decided_at: datetime | None, now: datetime, tz: tzinfo) -> bool:
    """An approval or a rejection can be undone on the day it was made (the organisation's
    calendar day): a slip of the finger is put right at once; later, the decision stands (an
    approval found wrong is revoked with ``reject_activity``)."""
    if status not in (APPROVED, REJECTED) or decided_at is None:
        return False
    return decided_at.astimezone(tz).date() == now.astimezone(tz).date()


def check_undo_reason(reason: str | None) -> str:
    """Why a decision is undone: kept in the audit and told to the member; at least a few words.

    Raises:
        Invalid: too short, or longer than ``REJECT_REASON_MAX``.
    """
    text = limits.clean_line(reason, limit=REJECT_REASON_MAX, what=N_("reason"), field="reason")
    if len(text) < REJECT_REASON_MIN:
        raise Invalid("Say why the decision is undone (at least a few words); it is kept with the activity.",
                      {"reason": N_("Too short")})
    return text


def campaign_texts(name: str | None, description: str | None) -> tuple[str, str]:
    """A campaign's name (one line, spaces collapsed) and description (trimmed), within their limits.

    Raises:
        Invalid: the name or the description longer than its limit, naming it.
    """
    return (limits.clean_line(name, limit=CAMPAIGN_NAME_MAX, what=N_("campaign name"), field="name"),
            limits.within((description or "").strip(), limit=CAMPAIGN_DESCRIPTION_MAX,
                          what=N_("campaign description"), field="description"))


def check_note(note: str | None) -> str:
    """An activity's note, trimmed; longer than ``NOTE_MAX`` is refused, never cut."""
    return limits.within((note or "").strip(), limit=NOTE_MAX, what=N_("note"), field="note")


def roster_dates(*, starts_on: date, ends_on: date, weekday: int, every_weeks: int,
                 holidays: Iterable[date] = ()) -> list[date]:
    """Every ``every_weeks``-th ``weekday`` (0 = Monday) from ``starts_on`` to ``ends_on`` that is a
    working day: weekends and the organisation's ``holidays`` are skipped (``core.workdays``).

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
    off = frozenset(holidays)
    while day <= ends_on:
        if workdays.is_working_day(day, off):
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
        raise Invalid("Put between 1 and {n} people on each date.", n=min(len(people), 20))
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
            raise Invalid("Answer “{question}” (no, partly or yes).", {key: N_("Answer this")}, question=question)
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
