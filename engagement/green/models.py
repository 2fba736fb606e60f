"""Tables of the green-office feature: campaigns, actions, activities, rosters, self-assessments.

Schema and constraints only. Nothing of record is deleted: an activity is pending, then
approved or rejected (with the reason kept); a later reversal of an approval is a new
decision on the same row, recorded in the audit log and in the points ledger.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class Campaign(SQLModel, table=True):
    """A green-office or volunteer campaign over a date range."""

    __tablename__ = "green_campaign"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    kind: str = Field(default="green", max_length=20)  # "green" | "volunteer"
    starts_on: date
    ends_on: date
    backdate_days: int = Field(default=7)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class CampaignUnit(SQLModel, table=True):
    """A unit (with its sub-units) taking part in a campaign, and its target."""

    __tablename__ = "green_campaign_unit"

    campaign_id: int = Field(foreign_key="green_campaign.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    target_points: int = Field(default=0)  # 0 = no points target
    target_rate: int = Field(default=0)  # participation target, percent of members; 0 = none


class Action(SQLModel, table=True):
    """One thing a member can do in a campaign, with its points and limits."""

    __tablename__ = "green_action"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="green_campaign.id", index=True)
    name: str = Field(max_length=200)
    points: int = Field(default=1)
    impact_unit: str = Field(default="", max_length=20)  # "kg", "sheets", "kWh", "plants", "hours"
    photo_required: bool = Field(default=False)
    limit_count: int = Field(default=0)  # 0 = no limit
    limit_period: str = Field(default="day", max_length=10)  # day | week | month | campaign
    is_active: bool = Field(default=True)


class Activity(SQLModel, table=True):
    """A logged activity; it counts only once approved."""

    __tablename__ = "green_activity"
    __table_args__ = (
        sa.Index("ix_green_activity_queue", "status", "branch_id"),
        sa.Index("ix_green_activity_campaign_status", "campaign_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="green_campaign.id")
    action_id: int = Field(foreign_key="green_action.id", index=True)
    logged_by_person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the logger's unit at the time
    branch_id: int | None = Field(default=None, foreign_key="branch.id")  # who verifies
    occurred_on: date
    note: str = Field(default="", max_length=1000)
    impact_amount: float | None = Field(default=None)
    photo_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    status: str = Field(default="pending", max_length=10)  # pending | approved | rejected
    decided_by_account_id: int | None = Field(default=None)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reject_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ActivityParticipant(SQLModel, table=True):
    """A person credited by an activity (the logger and any colleagues with them)."""

    __tablename__ = "green_activity_participant"

    activity_id: int = Field(foreign_key="green_activity.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)  # their unit at the time


class Roster(SQLModel, table=True):
    """A recurring duty (e.g. weekly cleaning) of a branch."""

    __tablename__ = "green_roster"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    title: str = Field(max_length=200)
    weekday: int  # 0 = Monday
    every_weeks: int = Field(default=1)
    per_slot: int = Field(default=2)
    starts_on: date
    ends_on: date
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class RosterDuty(SQLModel, table=True):
    """One person on duty on one date of a roster."""

    __tablename__ = "green_roster_duty"

    roster_id: int = Field(foreign_key="green_roster.id", primary_key=True)
    on_date: date = Field(primary_key=True, index=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class SelfAssessment(SQLModel, table=True):
    """A unit head's quarterly checklist of the green, clean, beautiful office."""

    __tablename__ = "green_self_assessment"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", "quarter", name="uq_green_assessment_quarter"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    quarter: int
    answers: str = Field(default="{}", sa_type=sa.Text)  # JSON: criterion key -> 0..2
    score: int  # percent
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
