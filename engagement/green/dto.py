"""Frozen data passed from green-office services and queries to pages (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CampaignRow:
    """A campaign as listed."""

    id: int
    name: str
    kind: str
    description: str
    starts_on: str
    ends_on: str
    is_open: bool
    takes_part: bool
    backdate_days: int
    ends_iso: str = ""  # for the edit form's date input


@dataclass(frozen=True)
class ActionRow:
    """One action of a campaign's catalogue."""

    id: int
    name: str
    points: int
    impact_unit: str  # the stored code
    photo_required: bool
    limit_text: str  # in the reader's language


@dataclass(frozen=True)
class PersonOption:
    """A colleague who can be credited in a group activity."""

    id: int
    name: str


@dataclass(frozen=True)
class ActivityRow:
    """A logged activity as a member or an officer sees it."""

    id: int
    campaign_name: str
    action_name: str
    occurred_on: str
    logged_by: str
    unit_name: str
    participants: str
    note: str
    impact: str  # amount and unit, in the reader's language
    status: str  # pending | approved | rejected (pages show rules.STATUS_LABELS)
    reject_reason: str
    photo_url: str
    points: int


@dataclass(frozen=True)
class ActivityPage:
    """One page of activities."""

    rows: list[ActivityRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class UnitProgress:
    """A participating unit's standing in a campaign."""

    unit_id: int
    unit_name: str
    members: int
    active_members: int
    points: int
    target_points: int
    percent: int
    rate: int
    target_rate: int
    per_member: str


@dataclass(frozen=True)
class ImpactRow:
    """The total impact of one action."""

    action_name: str
    total: str
    unit: str  # the stored code (kg, sheets, kWh, plants, hours; "" for none)
    activities: int
    unit_label: str = ""  # the unit as it reads in the reader's language


@dataclass(frozen=True)
class GalleryItem:
    """An approved activity's photo."""

    activity_id: int
    photo_url: str
    caption: str


@dataclass(frozen=True)
class DutyRow:
    """A date on a duty roster."""

    on_date: str
    title: str
    branch_name: str
    people: str


@dataclass(frozen=True)
class AssessmentRow:
    """One quarter's self-assessment."""

    unit_name: str
    period: str
    score: int
    filled_at: str


@dataclass(frozen=True)
class BranchOption:
    """A branch an officer keeps a roster for."""

    id: int
    name: str
    members: int


@dataclass(frozen=True)
class DutySlot:
    """One person on one coming date of a roster (for the officer's changes)."""

    value: str  # "roster_id|yyyy-mm-dd|person_id"
    label: str


@dataclass(frozen=True)
class RosterRow:
    """A roster with duties still to come."""

    id: int
    title: str
    coming: int

