"""The points ledger (append-only) and the totals kept beside it in the same transaction."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class PointEntry(SQLModel, table=True):
    """One scoring event, or the reversal of one. Never updated, never deleted."""

    __tablename__ = "point_entry"
    __table_args__ = (
        sa.Index("ix_point_entry_person_day", "person_id", "day"),
        sa.Index("ix_point_entry_unit_day", "unit_id", "day"),
        sa.Index("ix_point_entry_source_ref", "source", "source_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: ``source|source_ref|p:<person>|credit`` (or ``u:<unit>``, ``reversal``): recording twice is a no-op.
    entry_key: str = Field(max_length=200, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    #: The unit at that time: the person's unit on the day, or the unit credited itself.
    unit_id: int = Field(foreign_key="unit.id")
    #: The unit's path when recorded; its ancestors' subtree totals include this entry.
    unit_path: str = Field(max_length=400)
    source: str = Field(max_length=20)
    source_ref: str = Field(max_length=120)
    points: int
    #: The day it happened, in the organisation's time zone (decides the period).
    day: date
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    criteria_id: int | None = Field(default=None, foreign_key="scoring_criteria.id")
    reverses_id: int | None = Field(default=None, foreign_key="point_entry.id")
    reason: str = Field(default="", max_length=500)
    actor_account_id: int | None = Field(default=None)


class PersonPoints(SQLModel, table=True):
    """A person's total for one period (``2026-03``, ``2026-Q1``, ``2026``)."""

    __tablename__ = "person_points"
    __table_args__ = (sa.Index("ix_person_points_rank", "period", "points", "person_id"),)

    period: str = Field(max_length=8, primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    points: int = 0


class PersonSourcePoints(SQLModel, table=True):
    """A person's total per source per month: caps, 'why this score' and charts read it."""

    __tablename__ = "person_source_points"

    month: str = Field(max_length=7, primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    source: str = Field(max_length=20, primary_key=True)
    points: int = 0


class UnitPoints(SQLModel, table=True):
    """A unit's totals for one period: its own (entries of the unit or its members at the
    time) and its subtree's (itself and every unit below it when the entry was recorded)."""

    __tablename__ = "unit_points"
    __table_args__ = (sa.Index("ix_unit_points_rank", "period", "total_points", "unit_id"),)

    period: str = Field(max_length=8, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    own_points: int = 0
    total_points: int = 0


class UnitSourcePoints(SQLModel, table=True):
    """A unit's own total per source per month (the subtree is summed when read)."""

    __tablename__ = "unit_source_points"

    month: str = Field(max_length=7, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    source: str = Field(max_length=20, primary_key=True)
    points: int = 0


class ScoringCriteria(SQLModel, table=True):
    """One version of a year's criteria. Versions are never edited: a change adds one,
    effective from a month, so past periods keep the rules they were scored with."""

    __tablename__ = "scoring_criteria"
    __table_args__ = (sa.UniqueConstraint("year", "version", name="uq_scoring_criteria_year_version"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    version: int
    effective_from: date
    #: JSON ``{source: {"weight": int, "monthly_cap": int | null}}``.
    rules: str = Field(sa_type=sa.Text)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class ScoringOptions(SQLModel, table=True):
    """Organisation-wide switches (a single row, id 1)."""

    __tablename__ = "scoring_options"

    id: int = Field(default=1, primary_key=True)
    individual_boards: bool = True
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_account_id: int | None = Field(default=None)


class ScoreDisplay(SQLModel, table=True):
    """A read-only leaderboard for a lobby screen, reached by an unguessable link."""

    __tablename__ = "score_display"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    board: str = Field(max_length=20)  # "units" | "units_per_member" | "people"
    period_kind: str = Field(max_length=10)  # the current month / quarter / year when shown
    group_id: int | None = Field(default=None, foreign_key="unit_group.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
