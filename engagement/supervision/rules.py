"""Pure rules of conduct spot checks: checklists, plans, the random draw of visits, compliance,
repeat failures, deadlines and the reminder stages of overdue corrective actions.

No database, no clock: every function takes the facts, the day and (for the draw) a
``random.Random`` it is given, so tests seed it. Working days come from ``core.workdays``, the
one rule every feature uses (weekends and the organisation's holidays).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from engagement.core import limits, workdays
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg

# --- results ---------------------------------------------------------------------------------

PASS, FAIL, NA = "pass", "fail", "na"
RESULTS = (PASS, FAIL, NA)
RESULT_NAMES: dict[str, Msg] = {PASS: N_("Pass"), FAIL: N_("Fail"), NA: N_("Not applicable")}

PERSON, UNIT = "person", "unit"
SCOPES = (PERSON, UNIT)

SCHEDULED, RECORDED, CANCELLED = "scheduled", "recorded", "cancelled"
VISIT_STATUS_NAMES: dict[str, Msg] = {
    SCHEDULED: N_("Scheduled"), RECORDED: N_("Recorded"), CANCELLED: N_("Cancelled"),
}
OPEN, DONE, VOID = "open", "done", "void"
ACTION_STATUS_NAMES: dict[str, Msg] = {OPEN: N_("Open"), DONE: N_("Done"), VOID: N_("Withdrawn")}

#: The purpose photos of findings are stored under (the /files route asks ``queries.may_see_photo``).
PHOTO_PURPOSE = "supervision.finding"
EVIDENCE_PURPOSE = "supervision.action"

#: A failure of the same item by the same person (or the unit) within this many days is a repeat.
REPEAT_WINDOW_DAYS = 365
#: The draw does not send a team to a unit visited less than this many days before.
MIN_GAP_DAYS = 21
MAX_ITEMS = 40
MAX_VISITS = 200
MAX_DAYS = 60

# --- the default checklist, drawn from the commitment's clauses ---------------------------------

DEFAULT_FAMILY = "kiem-tra-van-hoa-cong-so"
DEFAULT_TITLE = "Phiếu kiểm tra việc thực hiện văn hoá công sở"


@dataclass(frozen=True)
class Item:
    """One checklist item: a stable key, its text and whether it is checked per person or per unit."""

    key: str
    text: str
    scope: str


#: The organisation's record, written in its language (as the commitment's clauses are).
DEFAULT_ITEMS: tuple[Item, ...] = (
    Item("gio-lam-viec", "Đến cơ quan đúng giờ, không về sớm, không bỏ vị trí trong giờ làm việc", PERSON),
    Item("trang-phuc", "Trang phục gọn gàng, lịch sự; đeo thẻ công chức, viên chức khi thi hành công vụ", PERSON),
    Item("4-xin-4-luon", "Thực hiện \"4 xin - 4 luôn\" khi tiếp người dân, doanh nghiệp tại quầy", PERSON),
    Item("khong-hut-thuoc", "Không hút thuốc lá, không sử dụng đồ uống có cồn tại công sở, trong giờ làm việc",
         PERSON),
    Item("viec-rieng", "Không làm việc riêng trong giờ làm việc", PERSON),
    Item("xanh-sach-dep", "Phòng làm việc, bàn làm việc xanh - sạch - đẹp, gọn gàng, ngăn nắp", UNIT),
)


def encode_items(items: Sequence[Item]) -> list[dict[str, str]]:
    """Items as stored (JSON-ready)."""
    return [{"key": i.key, "text": i.text, "scope": i.scope} for i in items]


def decode_items(raw: Iterable[Mapping[str, str]]) -> tuple[Item, ...]:
    """Stored items back to ``Item``."""
    return tuple(Item(key=str(r["key"]), text=str(r["text"]), scope=str(r.get("scope", PERSON))) for r in raw)


def _collapse(text: str) -> str:
    return " ".join(str(text).split())


def build_items(person_lines: Sequence[str], unit_lines: Sequence[str],
                previous: Sequence[Item] = ()) -> tuple[Item, ...]:
    """The items of a new checklist version from an officer's two lists (one item a line).

    An item worded as in the previous version keeps its key, so trends and repeat failures
    follow it across versions; a new wording gets a new key.

    Raises:
        Invalid: no item, too many, one too long, or the same item twice.
    """
    known = {(i.scope, i.text): i.key for i in previous}
    used = {i.key for i in previous}
    counter = 1 + max((int(m.group(1)) for k in used if (m := re.fullmatch(r"muc-(\d+)", k))), default=0)
    items: list[Item] = []
    seen: set[str] = set()
    for scope, lines in ((PERSON, person_lines), (UNIT, unit_lines)):
        for line in lines:
            text = _collapse(line)
            if not text:
                continue
            if len(text) > 300:
                raise Invalid("Item “{item}” is too long (at most 300 characters).", {"items": N_("Too long")},
                              item=text[:40] + "…")
            if text.casefold() in seen:
                raise Invalid("Item “{item}” is listed twice.", {"items": N_("Twice")}, item=text)
            seen.add(text.casefold())
            key = known.get((scope, text))
            if key is None:
                key = f"muc-{counter}"
                counter += 1
            items.append(Item(key=key, text=text, scope=scope))
    if not items:
        raise Invalid("A checklist needs at least one item.", {"items": N_("Required")})
    if len(items) > MAX_ITEMS:
        raise Invalid("A checklist has at most {n} items.", {"items": N_("Too many")}, n=MAX_ITEMS)
    return tuple(items)


# --- plans -----------------------------------------------------------------------------------


#: Longer is refused, never cut (``core.limits``); the pages show the same limits as counters.
TITLE_MAX, PLAN_NAME_MAX, FINDING_NOTE_MAX, VISIT_NOTE_MAX, DONE_NOTE_MAX = 200, 200, 1000, 2000, 1000
REASON_MAX, RESPONSE_MAX = 500, 2000


def finding_note(note: str | None, item: str) -> str:
    """A finding's note, spaces collapsed, within ``FINDING_NOTE_MAX`` (the message names the item).

    Raises:
        Invalid: longer than ``FINDING_NOTE_MAX``.
    """
    return limits.clean_line(note, limit=FINDING_NOTE_MAX, what=N_("note on “{item}”", item=item), field="findings")


def check_plan(*, name: str, starts_on: date, ends_on: date, visits: int, response_days: int,
               action_days: int, units: int) -> None:
    """Validate a plan's fields.

    Raises:
        Invalid: naming the field to correct.
    """
    if not name.strip():
        raise Invalid("Name the plan, e.g. “Kiểm tra văn hoá công sở quý IV/2026”.", {"name": N_("Required")})
    limits.within(" ".join(name.split()), limit=PLAN_NAME_MAX, what=N_("plan's name"), field="name")
    if ends_on < starts_on:
        raise Invalid("The plan ends before it starts.", {"period": N_("Out of order")})
    if not 1 <= visits <= MAX_VISITS:
        raise Invalid("Plan between 1 and {most} visits.", {"visits": N_("Out of range")}, most=MAX_VISITS)
    if not 1 <= response_days <= MAX_DAYS:
        raise Invalid("People get between 1 and {most} working days to explain a finding.",
                      {"response_days": N_("Out of range")}, most=MAX_DAYS)
    if not 1 <= action_days <= MAX_DAYS:
        raise Invalid("A corrective action is due in 1 to {most} working days.",
                      {"action_days": N_("Out of range")}, most=MAX_DAYS)
    if units < 1:
        raise Invalid("Choose at least one unit to visit.", {"units": N_("Required")})


# --- the draw --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitHistory:
    """What the draw knows of a unit: its last visit and its results over the last year."""

    unit_id: int
    last_visit: date | None = None
    checked: int = 0  # items passed or failed in the last year
    failed: int = 0


#: A unit never visited counts as visited this many days ago (the most the recency weight gives).
NEVER_VISITED_DAYS = 180


def unit_weight(history: UnitHistory, day: date) -> float:
    """How strongly the draw favours a unit on ``day``.

    ``1 + days since its last visit / 30 (at most 6: never or half a year ago) + 4 x its failure
    rate over the last year``: a unit not seen for months, or one that failed often, is several
    times likelier than one just visited with a clean record, but no unit is ever left out.
    """
    since = NEVER_VISITED_DAYS if history.last_visit is None else max(0, (day - history.last_visit).days)
    recency = min(since, NEVER_VISITED_DAYS) / 30
    failure = history.failed / history.checked if history.checked else 0.0
    return 1.0 + recency + 4.0 * failure


def draw_visits(rng: random.Random, *, units: Sequence[UnitHistory], days: Sequence[date], count: int,
                min_gap_days: int = MIN_GAP_DAYS) -> list[tuple[int, date]]:
    """Draw ``count`` unannounced visits over ``days`` (the plan's remaining working days).

    Days are drawn uniformly (a day can hold several visits, to different units); on each
    day a unit is drawn with ``unit_weight``, among units not visited within ``min_gap_days``
    before or after (visits of this draw included). When no unit is free on a day, that
    visit is not made: the plan gets fewer visits rather than a repeat too soon.

    Args:
        rng: the source of randomness (seeded in tests; the scheduler passes a fresh one).
        units: the plan's units with their history.
        days: the working days the visits may fall on.
        count: how many visits to draw.
        min_gap_days: the least number of days between two visits to one unit.

    Returns:
        (unit id, day) pairs in date order.
    """
    if not units or not days or count <= 0:
        return []
    pool = sorted(set(days))
    chosen_days = sorted(rng.choice(pool) for _ in range(count))
    visits: dict[int, list[date]] = {u.unit_id: [u.last_visit] if u.last_visit else [] for u in units}
    out: list[tuple[int, date]] = []
    for day in chosen_days:
        free = [u for u in units
                if all(abs((day - seen).days) >= min_gap_days for seen in visits[u.unit_id])]
        if not free:
            continue
        weights = [unit_weight(UnitHistory(u.unit_id, max((d for d in visits[u.unit_id] if d <= day), default=None),
                                           u.checked, u.failed), day) for u in free]
        pick = rng.choices(free, weights=weights, k=1)[0]
        visits[pick.unit_id].append(day)
        out.append((pick.unit_id, day))
    return sorted(out, key=lambda v: (v[1], v[0]))


def draw_days(first: date, last: date, today: date, holidays: Iterable[date] = workdays.HOLIDAYS) -> list[date]:
    """The working days a plan's visits may fall on: from tomorrow (never today: the team must
    be told) to the plan's last day."""
    start = max(first, today + timedelta(days=1))
    return workdays.working_days_between(start, last, holidays)


# --- results ---------------------------------------------------------------------------------


def compliance(results: Iterable[str]) -> int | None:
    """Passed items out of those checked, in percent (rounded); "not applicable" does not count.

    Returns:
        None when nothing was checked.
    """
    passed = failed = 0
    for r in results:
        passed += r == PASS
        failed += r == FAIL
    if passed + failed == 0:
        return None
    return round(100 * passed / (passed + failed))


def is_repeat(day: date, earlier_failures: Iterable[date]) -> bool:
    """Whether a failure on ``day`` repeats one of the same item and subject within a year before."""
    return any(timedelta(0) <= day - d <= timedelta(days=REPEAT_WINDOW_DAYS) and d < day for d in earlier_failures)


def score_quantity(compliance_percent: int, weight: int) -> float:
    """The scoring quantity of a recorded visit: its compliance as a fraction for a positive
    weight (points reward compliance), its non-compliance for a negative one (points are
    deducted for the share of failed items), so a clean visit never costs a unit points."""
    rate = max(0, min(100, compliance_percent)) / 100
    return rate if weight >= 0 else 1 - rate


def respond_by(visited_on: date, days: int, holidays: Iterable[date] = workdays.HOLIDAYS) -> date:
    """The last day a person may explain a finding of ``visited_on``."""
    return workdays.add_working_days(visited_on, days, holidays)


def action_due(visited_on: date, days: int, holidays: Iterable[date] = workdays.HOLIDAYS) -> date:
    """The due date of a corrective action opened at a visit on ``visited_on``."""
    return workdays.add_working_days(visited_on, days, holidays)


def check_text(text: str, *, field: str, least: int = 10, most: int = 2000, what: str | Msg = N_("text")) -> str:
    """A person's explanation, a reason or a note: collapsed, at least ``least`` characters.

    Raises:
        Invalid: too short, or longer than ``most`` (refused, never cut, naming ``what``).
    """
    value = " ".join(str(text or "").split())
    if len(value) < least:
        raise Invalid("Write at least {n} characters, so the reader understands.", {field: N_("Too short")},
                      n=least)
    if len(value) > most:
        raise limits.too_long(what=what, limit=most, typed=len(value), field=field)
    return value


# --- reminders of corrective actions -------------------------------------------------------------

ESCALATE = "escalate"


def action_stage(*, today: date, due_on: date, overdue_max: int = 3,
                 holidays: Iterable[date] = workdays.HOLIDAYS) -> str | None:
    """The reminder an open corrective action is owed today.

    ``due`` on the due day (or the first working day after it); then ``overdue-<k>`` on the k-th
    working day past it, for the first ``overdue_max``; then ``escalate`` (the emulation
    officers hear of it). Nothing before the due day, nor on a day off.
    """
    off = set(holidays)
    if today < due_on or today.weekday() >= 5 or today in off:
        return None
    late = len(workdays.working_days_between(due_on + timedelta(days=1), today, off))
    if late == 0:
        return "due"
    if late <= overdue_max:
        return f"overdue-{late}"
    return ESCALATE
