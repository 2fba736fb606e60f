"""Frozen data the scoring reads return to pages and tests.

Numbers stay numbers (tests, sorting, exports); the ``*_text`` fields and the labels are the
same values written for the reader (``core.formats.number``, the reader's language), filled
by the query that builds the row. Codes (``source``, ``board``, ``trend``) let a page pick a
label or a colour in its own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoardRow:
    """One line of a leaderboard."""

    rank: int
    subject_id: int
    name: str
    detail: str
    points: int
    per_member: float = 0.0
    members: int = 0
    #: Places gained since the previous period (negative = lost); None = not ranked before.
    change: int | None = None
    change_text: str = ""
    #: The change as a code for colours: "new", "up", "down", "same"; "" = no previous period.
    trend: str = ""
    points_text: str = ""
    per_member_text: str = ""
    members_text: str = ""


@dataclass(frozen=True)
class Board:
    """A page of a leaderboard."""

    board: str
    title: str
    period_label: str
    rows: list[BoardRow] = field(default_factory=list)
    offset: int = 0
    limit: int = 50
    has_more: bool = False
    note: str = ""


@dataclass(frozen=True)
class SourceTotal:
    """Points from one source."""

    source: str
    label: str
    points: int
    points_text: str = ""


@dataclass(frozen=True)
class EntryRow:
    """One ledger entry as shown in 'why this score'."""

    id: int
    day: str
    source: str
    label: str
    ref: str
    points: int
    person: str
    reason: str
    reversal: bool
    points_text: str = ""


@dataclass(frozen=True)
class Breakdown:
    """Why a person or unit has its score in a period."""

    subject: str
    subject_id: int
    name: str
    period_label: str
    points: int
    by_source: list[SourceTotal] = field(default_factory=list)
    entry_rows: list[EntryRow] = field(default_factory=list)
    entries_visible: bool = False
    entries_total: int = 0
    offset: int = 0
    points_text: str = ""


@dataclass(frozen=True)
class MonthPoint:
    """Points in one month, by source (a chart row)."""

    month: str
    total: int
    by_source: dict[str, int] = field(default_factory=dict)
    #: The month as the reader sees it ("2026-03", "Tháng 3/2026").
    label: str = ""


@dataclass(frozen=True)
class DisplayLink:
    """A lobby-screen link, shown once when created."""

    id: int
    title: str
    token: str


@dataclass(frozen=True)
class DisplayRow:
    """A lobby screen as listed for officers (no token: only its hash is kept)."""

    id: int
    title: str
    board: str
    period_kind: str
    group: str
    created_at: str
    active: bool


@dataclass(frozen=True)
class CriteriaVersion:
    """One published version of a year's criteria."""

    year: int
    version: int
    effective_from: str
    note: str
    rules: dict[str, tuple[int, int | None]]


@dataclass(frozen=True)
class Standing:
    """The home page's ranking card: my points and my top-level unit's place this month."""

    month: str
    my_points: int
    my_year_points: int
    unit_name: str = ""
    unit_rank: int = 0
    unit_count: int = 0
    my_points_text: str = "0"
    my_year_points_text: str = "0"


@dataclass(frozen=True)
class UnitStanding:
    """A unit's subtree points in a period and its place among the units at its level."""

    points: int
    rank: int
    peers: int
    previous_rank: int | None
    members: int
