"""What the spot-check pages and services hand back: small frozen dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from engagement.core.paging import Page


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a checklist version."""

    key: str
    text: str
    scope: str  # person | unit


@dataclass(frozen=True)
class ChecklistRow:
    """One published version of a checklist."""

    id: int
    family: str
    version: int
    title: str
    items: list[ChecklistItem]
    published: str  # the day, as the reader writes dates
    is_latest: bool


@dataclass(frozen=True)
class PlanRow:
    """A plan as the officers' list shows it."""

    id: int
    name: str
    period: str  # e.g. "01/10/2026 – 31/12/2026"
    checklist: str
    visits_planned: int
    visits_drawn: int
    visits_recorded: int
    units: list[str]
    team: list[str]
    drawn: bool
    cancelled: bool


@dataclass(frozen=True)
class VisitRow:
    """A visit in a list (officers: all; a team member: theirs)."""

    id: int
    unit: str
    day: str
    iso_day: str
    status: str
    status_label: str
    plan: str
    team: str
    compliance: str  # "85%" or ""
    may_record: bool = False


@dataclass(frozen=True)
class VisitPage(Page):
    """A page of visits."""

    rows: list[VisitRow] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    """A person of the visited unit at the time, who may be marked present."""

    id: int
    name: str
    position: str


@dataclass(frozen=True)
class VisitSheet:
    """Everything a team member needs to record a visit."""

    id: int
    unit_id: int
    unit: str
    day: str
    status: str
    status_label: str
    checklist: str
    person_items: list[ChecklistItem]
    unit_items: list[ChecklistItem]
    members: list[Member]
    may_record: bool
    refusal: str  # why the reader may not record it ("" when they may)
    findings: list[FindingRow] = field(default_factory=list)
    may_correct: bool = False  # officers correct a recorded result


@dataclass(frozen=True)
class FindingRow:
    """One recorded finding, with what followed it."""

    id: int
    visit_id: int
    day: str
    unit: str
    subject: str  # the person's name, or the unit's
    person_id: int
    item: str
    result: str
    result_label: str
    note: str
    repeat: bool
    photo_url: str
    respond_by: str
    may_respond: bool
    responses: list[str]
    action_id: int
    action_status: str
    action_label: str
    action_due: str
    overdue: bool


@dataclass(frozen=True)
class ActionRow:
    """A corrective action as the unit head's list shows it."""

    id: int
    unit: str
    subject: str
    item: str
    note: str
    day: str
    due: str
    status: str
    status_label: str
    overdue: bool
    repeat: bool
    done_note: str
    evidence_url: str
    may_confirm: bool


@dataclass(frozen=True)
class VisitResult:
    """What recording a visit did."""

    visit_id: int
    compliance: int | None
    findings: int
    failed: int
    actions: int
    repeats: int
    points: int


@dataclass(frozen=True)
class TrendPoint:
    """A month's compliance (for the chart)."""

    month: str
    compliance: int | None
    visits: int


@dataclass(frozen=True)
class UnitTrend:
    """A unit's results over the period."""

    unit_id: int
    unit: str
    visits: int
    checked: int
    passed: int
    failed: int
    compliance: int | None
    open_actions: int
    overdue_actions: int


@dataclass(frozen=True)
class ItemTrend:
    """A checklist item's results over the period."""

    key: str
    item: str
    checked: int
    failed: int
    compliance: int | None
    repeats: int


@dataclass(frozen=True)
class Trends:
    """The trends page: by month, by unit (most in need first), by item (most failed first)."""

    year: int
    months: list[TrendPoint]
    units: list[UnitTrend]
    items: list[ItemTrend]
    #: Compliance of each unit and each item month by month (January to December; "" = not checked).
    unit_months: list[MonthRow] = field(default_factory=list)
    item_months: list[MonthRow] = field(default_factory=list)


@dataclass(frozen=True)
class MonthRow:
    """A unit's or an item's compliance for each month of the year."""

    name: str
    cells: list[str]


@dataclass(frozen=True)
class Hub:
    """The spot-check hub of one reader: their findings, their visits, their units' actions."""

    findings: list[FindingRow]
    visits: list[VisitRow]
    actions: list[ActionRow]
    can_follow: bool
    can_manage: bool
    unit_visits: list[VisitRow] = field(default_factory=list)
