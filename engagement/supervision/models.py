"""Tables of conduct spot checks (kiểm tra việc thực hiện văn hóa công sở).

Schema and constraints only. Checklists are versioned like commitment templates: a published
version never changes, an edit publishes the next version of the family. Nothing of record is
deleted: a visit is scheduled, then recorded (or cancelled, with the reason); a finding shows
its current result and every officer's correction of it is a row keeping the old and the new
result with the reason; a person's explanation and a unit head's confirmation are new rows;
each step is in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class Checklist(SQLModel, table=True):
    """One published version of a checklist. Never updated: a new version is a new row."""

    __tablename__ = "supervision_checklist"
    __table_args__ = (sa.UniqueConstraint("family", "version", name="uq_supervision_checklist_version"),)

    id: int | None = Field(default=None, primary_key=True)
    family: str = Field(max_length=40, index=True)
    version: int = Field(default=1)
    title: str = Field(max_length=200)
    #: JSON list of ``{"key", "text", "scope"}``; scope "person" (checked per person present) or "unit".
    items_json: str = Field(sa_type=sa.Text)
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: int | None = Field(default=None)  # account id


class Plan(SQLModel, table=True):
    """A period's spot-check plan: which units, how many unannounced visits, who inspects."""

    __tablename__ = "supervision_plan"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    checklist_id: int = Field(foreign_key="supervision_checklist.id", index=True)
    period_kind: str = Field(default="quarter", max_length=10)  # "month" | "quarter"
    starts_on: date
    ends_on: date
    visits_planned: int = Field(default=1)
    #: Working days a person has to explain a finding; a corrective action's working days to be done.
    response_days: int = Field(default=5)
    action_days: int = Field(default=10)
    #: When the scheduler drew the plan's visits (None: not yet). Set once, guarded by an UPDATE.
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None)  # account id


class PlanUnit(SQLModel, table=True):
    """A unit the plan may visit."""

    __tablename__ = "supervision_plan_unit"

    plan_id: int = Field(foreign_key="supervision_plan.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class TeamMember(SQLModel, table=True):
    """A person on a plan's inspection team."""

    __tablename__ = "supervision_team_member"

    plan_id: int = Field(foreign_key="supervision_plan.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    added_at: datetime = Field(sa_type=UTCDateTime)


class Visit(SQLModel, table=True):
    """One visit to one unit: drawn from a plan by the scheduler, or ad hoc by an officer."""

    __tablename__ = "supervision_visit"
    __table_args__ = (sa.Index("ix_supervision_visit_unit_day", "unit_id", "scheduled_on"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int | None = Field(default=None, foreign_key="supervision_plan.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    checklist_id: int = Field(foreign_key="supervision_checklist.id")
    scheduled_on: date
    status: str = Field(default="scheduled", max_length=12)  # scheduled | recorded | cancelled
    #: Working days for explanations and for corrective actions, copied from the plan (or given).
    response_days: int = Field(default=5)
    action_days: int = Field(default=10)
    note: str = Field(default="", max_length=2000)
    cancel_reason: str = Field(default="", max_length=500)
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    #: passed / checked when recorded (percent, items "not applicable" left out); None before.
    compliance: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None)  # account id; None = drawn by the scheduler


class VisitInspector(SQLModel, table=True):
    """Who inspects a visit (the plan's team when it was drawn, or named for an ad-hoc visit)."""

    __tablename__ = "supervision_visit_inspector"

    visit_id: int = Field(foreign_key="supervision_visit.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class Presence(SQLModel, table=True):
    """A person of the unit who was present at the visit."""

    __tablename__ = "supervision_presence"

    visit_id: int = Field(foreign_key="supervision_visit.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class Finding(SQLModel, table=True):
    """One checklist item's result at a visit, for the unit or for one person present."""

    __tablename__ = "supervision_finding"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "item_key", "subject", name="uq_supervision_finding"),
        sa.Index("ix_supervision_finding_unit_item", "unit_id", "item_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="supervision_visit.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    #: "unit" or "p:<person id>": one result per item per subject per visit.
    subject: str = Field(max_length=20)
    item_key: str = Field(max_length=40)
    item_text: str = Field(max_length=300)  # the item as the checklist version worded it
    result: str = Field(max_length=4)  # pass | fail | na
    note: str = Field(default="", max_length=1000)
    photo_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    #: A failure of the same item by the same subject within a year before this one.
    repeat: bool = Field(default=False)
    visited_on: date
    created_at: datetime = Field(sa_type=UTCDateTime)


class Correction(SQLModel, table=True):
    """An officer's correction of a finding's result (the finding row keeps what was recorded)."""

    __tablename__ = "supervision_correction"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="supervision_finding.id", index=True)
    old_result: str = Field(max_length=4)
    new_result: str = Field(max_length=4)
    reason: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None)


class Response(SQLModel, table=True):
    """A person's explanation of a finding about them (a later one adds, never replaces)."""

    __tablename__ = "supervision_response"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="supervision_finding.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Action(SQLModel, table=True):
    """The corrective action a failed item opens, for the person or the unit, with its due date."""

    __tablename__ = "supervision_action"
    __table_args__ = (sa.Index("ix_supervision_action_open", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="supervision_finding.id", unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    unit_path: str = Field(max_length=400)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    due_on: date
    status: str = Field(default="open", max_length=8)  # open | done | void (the finding was corrected)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: int | None = Field(default=None)  # account id
    done_note: str = Field(default="", max_length=1000)
    evidence_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
