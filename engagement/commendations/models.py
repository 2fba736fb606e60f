"""Tables of commendations, part 1: the titles catalogue and its dated rules, the base salary,
annual ratings, emulation registration and covenants, initiatives, discipline records, holds,
and the register of titles awarded.

Schema and constraints only. Every rule is data with a legal basis and dates (the law changed
on 1 July 2025 and will change again): a title's values live in dated ``TitleRule`` versions,
and a year is judged by the version in force on its last day. Nothing of record is deleted:
a rating is corrected in place with the old value in the audit log; a registration is
withdrawn, a hold lifted, an award revoked, each with who and when.

``subject_key`` ("p:<person id>" or "u:<unit id>") makes "one per person or unit" a single
unique constraint on both databases (a NULL would not collide in a unique index).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class Title(SQLModel, table=True):
    """A title (danh hiệu) or a form of commendation (hình thức) in the catalogue."""

    __tablename__ = "commend_title"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)  # stable key, e.g. "CSTDCS"
    abbreviation: str = Field(max_length=40)  # as people write it, e.g. "CSTĐCS"
    name: str = Field(max_length=200)  # in Vietnamese, the official name
    subject: str = Field(max_length=12)  # "individual" | "collective"
    kind: str = Field(max_length=8)  # "title" | "form"
    is_local: bool = Field(default=False)  # added by this organisation's officers
    is_active: bool = Field(default=True)
    sort_order: int = Field(default=100)
    created_at: datetime = Field(sa_type=UTCDateTime)


class TitleRule(SQLModel, table=True):
    """The values of a title from one date: who decides, bonus, ballot, quota, criteria, basis.

    A change is a new version from a date (the previous one ends the day before); past years
    keep the version that applied then.
    """

    __tablename__ = "commend_title_rule"
    __table_args__ = (sa.UniqueConstraint("title_id", "valid_from", name="uq_commend_rule_from"),)

    id: int | None = Field(default=None, primary_key=True)
    title_id: int = Field(foreign_key="commend_title.id", index=True)
    valid_from: date
    valid_to: date | None = Field(default=None)
    decider: str = Field(max_length=12)  # "org_head" | "unit_head" | "higher"
    decider_depth: int | None = Field(default=None)  # for unit_head: the tree level that decides
    coefficient_pct: int = Field(default=0)  # bonus = coefficient x base salary; 30 = 0.3
    ballot_required: bool = Field(default=False)
    threshold_pct: int = Field(default=0)  # share of ALL council members voting yes
    quota_kind: str = Field(default="none", max_length=12)  # "none" | "eligible" | "headcount"
    quota_pct: int = Field(default=0)
    criteria: str = Field(default="[]", sa_type=sa.Text)  # JSON list, see rules.CRITERIA
    basis_document: str = Field(max_length=200)
    basis_article: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class BaseSalary(SQLModel, table=True):
    """The base salary (lương cơ sở) from a date, with the decree that set it."""

    __tablename__ = "commend_base_salary"

    id: int | None = Field(default=None, primary_key=True)
    valid_from: date = Field(unique=True)
    amount: int  # VND per month
    basis_document: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class Year(SQLModel, table=True):
    """The settings of one emulation year: the registration window and the HTXSNV cap."""

    __tablename__ = "commend_year"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    registration_opens_on: date | None = Field(default=None)
    registration_closes_on: date | None = Field(default=None)
    excellent_cap_pct: int = Field(default=20)  # HTXSNV as a share of those rated HTTNV
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_account_id: int | None = Field(default=None)


class Exclusion(SQLModel, table=True):
    """An optional local exclusion rule (10 months, 40 days absent, not registered, disciplined)."""

    __tablename__ = "commend_exclusion"

    code: str = Field(primary_key=True, max_length=30)
    is_enabled: bool = Field(default=False)
    value: int = Field(default=0)  # months, days: the rule's threshold where it has one
    basis_document: str = Field(default="", max_length=300)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_account_id: int | None = Field(default=None)


class Rating(SQLModel, table=True):
    """A person's annual rating (xếp loại chất lượng), with the facts the exclusions need."""

    __tablename__ = "commend_rating"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "year", name="uq_commend_rating_person_year"),
        sa.Index("ix_commend_rating_year", "year", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    year: int
    level: str = Field(max_length=8)  # HTXSNV | HTTNV | HTNV | KHTNV | NONE (not rated)
    reason: str = Field(default="", max_length=300)  # why not rated, or a note
    months_worked: int | None = Field(default=None)
    absent_days: int | None = Field(default=None)  # working days absent, maternity leave excluded
    unit_id: int = Field(foreign_key="unit.id")  # the person's unit when rated
    rated_at: datetime = Field(sa_type=UTCDateTime)
    rated_by_account_id: int | None = Field(default=None)


class UnitRating(SQLModel, table=True):
    """A unit's annual collective rating."""

    __tablename__ = "commend_unit_rating"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_commend_unit_rating"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    year: int = Field(index=True)
    level: str = Field(max_length=8)
    reason: str = Field(default="", max_length=300)
    rated_at: datetime = Field(sa_type=UTCDateTime)
    rated_by_account_id: int | None = Field(default=None)


class Registration(SQLModel, table=True):
    """A person's or a unit's registration (đăng ký thi đua) for a title in a year."""

    __tablename__ = "commend_registration"
    __table_args__ = (
        sa.UniqueConstraint("year", "title_id", "subject_key", name="uq_commend_registration"),
        sa.Index("ix_commend_registration_year", "year", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    title_id: int = Field(foreign_key="commend_title.id")
    subject_key: str = Field(max_length=24)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    status: str = Field(default="registered", max_length=12)  # registered | confirmed | withdrawn
    registered_at: datetime = Field(sa_type=UTCDateTime)
    registered_by_account_id: int | None = Field(default=None)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_account_id: int | None = Field(default=None)


class Covenant(SQLModel, table=True):
    """A collective emulation covenant (giao ước thi đua) recorded for a year."""

    __tablename__ = "commend_covenant"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the unit that records it
    title: str = Field(max_length=300)
    signed_on: date
    content: str = Field(default="", max_length=4000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class CovenantSignatory(SQLModel, table=True):
    """A unit that signed a covenant."""

    __tablename__ = "commend_covenant_signatory"

    covenant_id: int = Field(foreign_key="commend_covenant.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Initiative(SQLModel, table=True):
    """An initiative (sáng kiến) recognised at a scope by a decision.

    It serves as a criterion for one award only: ``used_for_award_id`` names it once used.
    """

    __tablename__ = "commend_initiative"
    __table_args__ = (sa.UniqueConstraint("year", "title_key", name="uq_commend_initiative_title"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    title_key: str = Field(max_length=300)  # folded, for duplicates
    year: int = Field(index=True)
    scope: str = Field(max_length=10)  # unit | org | province | national
    decision_ref: str = Field(max_length=120)
    decided_on: date
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the unit that registers it
    file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    used_for_award_id: int | None = Field(default=None, foreign_key="commend_award.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class InitiativeAuthor(SQLModel, table=True):
    """A person among an initiative's authors."""

    __tablename__ = "commend_initiative_author"

    initiative_id: int = Field(foreign_key="commend_initiative.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class Discipline(SQLModel, table=True):
    """A disciplinary measure (kỷ luật) with its period."""

    __tablename__ = "commend_discipline"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    form: str = Field(max_length=12)  # reprimand | warning | demotion | removal | dismissal
    starts_on: date
    ends_on: date
    decision_ref: str = Field(max_length=120)
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class Hold(SQLModel, table=True):
    """A hold (tạm dừng, Decree 152 Art. 4): the person cannot be proposed while it lasts."""

    __tablename__ = "commend_hold"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    reason: str = Field(max_length=12)  # discipline | inspection | complaint | press
    starts_on: date
    ends_on: date | None = Field(default=None)  # None: until lifted
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lifted_by_account_id: int | None = Field(default=None)


class Award(SQLModel, table=True):
    """A title or form awarded (the register of titles held), entered, imported or decided."""

    __tablename__ = "commend_award"
    __table_args__ = (
        sa.UniqueConstraint("year", "title_id", "subject_key", name="uq_commend_award"),
        sa.Index("ix_commend_award_title_year", "title_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    title_id: int = Field(foreign_key="commend_title.id")
    subject_key: str = Field(max_length=24)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    decision_ref: str = Field(max_length=120)
    decided_on: date
    decided_by: str = Field(default="", max_length=200)  # the authority, as written on the decision
    bonus_amount: int = Field(default=0)  # VND, coefficient x base salary on the decision date
    source: str = Field(default="entered", max_length=10)  # entered | imported | decided
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
