"""Tables of the register of good models (mô hình hay, cách làm hiệu quả) and their adoptions.

Schema and constraints only. Nothing is deleted: a model is proposed, then returned (with the
reason kept; the unit may send it again) or recognised, then published; an adoption is started,
then reported. Every move is in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class GoodModel(SQLModel, table=True):
    """A model a unit proposes: what it changed, the evidence, and where it stands."""

    __tablename__ = "good_model"
    __table_args__ = (
        sa.UniqueConstraint("year", "title_key", name="uq_good_model_title"),
        sa.Index("ix_good_model_status_year", "status", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    title_key: str = Field(max_length=200)  # folded (no accents, lower case), for duplicates
    search_key: str = Field(default="", sa_type=sa.Text)  # folded title, summary and unit, for search
    year: int
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the proposing unit
    field: str = Field(max_length=20)  # rules.FIELDS
    summary: str = Field(sa_type=sa.Text)  # what it changed
    evidence: str = Field(default="", sa_type=sa.Text)
    status: str = Field(default="proposed", max_length=12)  # proposed | returned | recognised | published
    return_reason: str = Field(default="", max_length=1000)
    decision_ref: str = Field(default="", max_length=120)
    decided_on: date | None = Field(default=None)
    initiative_id: int | None = Field(default=None, foreign_key="commend_initiative.id")
    award_id: int | None = Field(default=None, foreign_key="commend_award.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
    recognised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recognised_by_account_id: int | None = Field(default=None)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_account_id: int | None = Field(default=None)


class GoodModelAdoption(SQLModel, table=True):
    """Another unit replicating a model: from a start date for a planned period, then its report."""

    __tablename__ = "good_model_adoption"
    __table_args__ = (sa.UniqueConstraint("model_id", "unit_id", name="uq_good_model_adoption"),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="good_model.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    starts_on: date
    months: int
    due_on: date = Field(index=True)  # the report is due from this day
    plan: str = Field(default="", max_length=2000)
    status: str = Field(default="adopted", max_length=12)  # adopted | reported
    report: str = Field(default="", sa_type=sa.Text)
    reported_on: date | None = Field(default=None)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_by_account_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class GoodModelResult(SQLModel, table=True):
    """One measured result: of the model itself (no adoption) or of an adoption's report."""

    __tablename__ = "good_model_result"

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="good_model.id", index=True)
    adoption_id: int | None = Field(default=None, foreign_key="good_model_adoption.id", index=True)
    position: int = Field(default=0)
    indicator: str = Field(max_length=200)
    value_before: float
    value_after: float
    measure: str = Field(default="", max_length=40)  # the unit of measure: days, %, dossiers...
    created_at: datetime = Field(sa_type=UTCDateTime)


class GoodModelFile(SQLModel, table=True):
    """A photo or document attached to a model (bytes in ``stored_file``, served by the files route)."""

    __tablename__ = "good_model_file"

    model_id: int = Field(foreign_key="good_model.id", primary_key=True)
    file_id: int = Field(foreign_key="stored_file.id", primary_key=True)
    adoption_id: int | None = Field(default=None, foreign_key="good_model_adoption.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
