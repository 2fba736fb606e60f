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
        # One standing award per subject, title and year; a revoked one stays beside it as history.
        sa.Index("uq_commend_award_live", "year", "title_id", "subject_key", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL")),
        sa.Index("ix_commend_award_title_year", "title_id", "year"),
        sa.Index("uq_commend_award_certificate", "certificate_code", unique=True),
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
    # Part 2: an award decided here belongs to a decision, with its golden-book number and the
    # code its certificate's QR links to; a revocation names its legal ground and the refund.
    decision_id: int | None = Field(default=None, foreign_key="commend_decision.id", index=True)
    golden_book_no: int | None = Field(default=None)
    certificate_code: str | None = Field(default=None, max_length=40)
    revoked_ground: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    refund_amount: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    revoked_by_account_id: int | None = Field(default=None)


# --- part 2: nominations, public notice, council and ballot, decisions ------------------------------


class Nomination(SQLModel, table=True):
    """A proposal (tờ trình) of one or several nominees for a title or form of a year.

    Its ``status`` moves through ``rules.NOMINATION_FLOW``; every move is a ``NominationEvent``
    with who, when and why, and every submission keeps the dossier as it was (``NominationVersion``).
    """

    __tablename__ = "commend_nomination"
    __table_args__ = (sa.Index("ix_commend_nomination_queue", "status", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    title_id: int = Field(foreign_key="commend_title.id", index=True)
    occasion: str = Field(default="year", max_length=12)  # year | movement | campaign | special
    occasion_ref: str = Field(default="", max_length=300)  # the movement, campaign or achievement
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the proposing unit
    reference: str = Field(default="", max_length=120)  # the tờ trình's number
    summary: str = Field(default="", max_length=4000)
    status: str = Field(default="draft", max_length=12)
    version: int = Field(default=0)  # submissions so far
    due_on: date | None = Field(default=None)  # the appraisal deadline while received
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Nominee(SQLModel, table=True):
    """A person or unit proposed in a nomination, with the achievement report and the evidence."""

    __tablename__ = "commend_nominee"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "subject_key", name="uq_commend_nominee"),)

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="commend_nomination.id", index=True)
    subject_key: str = Field(max_length=24)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    report: str = Field(default="{}", sa_type=sa.Text)  # JSON: the achievement report's fields
    evidence: str = Field(default="{}", sa_type=sa.Text)  # JSON snapshot at submission
    eligibility: str = Field(default="", max_length=12)  # the part-1 status at submission
    override_reason: str = Field(default="", max_length=1000)  # an officer's written override
    override_by_account_id: int | None = Field(default=None)
    appraisal: str = Field(default="", max_length=12)  # "" | eligible | ineligible
    appraisal_note: str = Field(default="", max_length=1000)
    outcome: str = Field(default="", max_length=12)  # "" | approved | rejected | decided | proposed
    award_id: int | None = Field(default=None, foreign_key="commend_award.id")


class NominationEvent(SQLModel, table=True):
    """One move of a nomination: from, to, who, when, why."""

    __tablename__ = "commend_nomination_event"

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="commend_nomination.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    from_status: str = Field(max_length=12)
    to_status: str = Field(max_length=12)
    reason: str = Field(default="", max_length=1000)
    version: int = Field(default=0)
    actor_account_id: int | None = Field(default=None)


class NominationVersion(SQLModel, table=True):
    """The dossier as submitted (every submission kept)."""

    __tablename__ = "commend_nomination_version"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "version", name="uq_commend_nomination_version"),)

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="commend_nomination.id")
    version: int
    content: str = Field(sa_type=sa.Text)  # JSON of the nomination and its nominees
    content_sha256: str = Field(max_length=64)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    submitted_by_account_id: int | None = Field(default=None)


class NominationFile(SQLModel, table=True):
    """An attachment of a nomination (or of one nominee), served through the authorised route."""

    __tablename__ = "commend_nomination_file"

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="commend_nomination.id", index=True)
    nominee_id: int | None = Field(default=None, foreign_key="commend_nominee.id")
    file_id: int = Field(foreign_key="stored_file.id")
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Notice(SQLModel, table=True):
    """A public notice of nominees (công khai) open for comments for some working days."""

    __tablename__ = "commend_notice"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)  # the public page's key
    title: str = Field(max_length=300)
    opens_on: date
    closes_on: date
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class NoticeItem(SQLModel, table=True):
    """A nominee listed on a public notice."""

    __tablename__ = "commend_notice_item"

    notice_id: int = Field(foreign_key="commend_notice.id", primary_key=True)
    nominee_id: int = Field(foreign_key="commend_nominee.id", primary_key=True)
    summary: str = Field(default="", max_length=1000)


class NoticeComment(SQLModel, table=True):
    """A comment from anyone on a notice; it must be answered before the council opens."""

    __tablename__ = "commend_notice_comment"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="commend_notice.id", index=True)
    nominee_id: int | None = Field(default=None, foreign_key="commend_nominee.id")
    name: str = Field(default="", max_length=120)
    contact: str = Field(default="", max_length=200)
    text: str = Field(max_length=4000)
    client_key: str = Field(default="", max_length=64)  # keyed hash of the address, for rate limits
    created_at: datetime = Field(sa_type=UTCDateTime)
    answer: str = Field(default="", max_length=4000)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_account_id: int | None = Field(default=None)


class CouncilSession(SQLModel, table=True):
    """A session of the emulation and commendation council."""

    __tablename__ = "commend_council_session"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=300)
    status: str = Field(default="scheduled", max_length=10)  # scheduled | open | closed
    quorum_num: int = Field(default=2)  # the share of ALL members present to open: 2/3 by default
    quorum_den: int = Field(default=3)
    members_total: int = Field(default=0)  # ALL members, fixed when the session opens
    chair_person_id: int | None = Field(default=None, foreign_key="person.id")
    secretary_person_id: int | None = Field(default=None, foreign_key="person.id")
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class SessionMember(SQLModel, table=True):
    """A council member of a session: attendance, and whether they vote in writing."""

    __tablename__ = "commend_session_member"

    session_id: int = Field(foreign_key="commend_council_session.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    position: str = Field(default="member", max_length=12)  # chair | standing | secretary | member
    present: bool = Field(default=False)
    written: bool = Field(default=False)  # absent, votes in writing (recorded by the secretary)


class AgendaItem(SQLModel, table=True):
    """A nominee on a session's agenda, voted on in at most two rounds."""

    __tablename__ = "commend_agenda_item"
    __table_args__ = (sa.UniqueConstraint("session_id", "nominee_id", name="uq_commend_agenda_nominee"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="commend_council_session.id", index=True)
    nominee_id: int = Field(foreign_key="commend_nominee.id")
    position: int = Field(default=0)  # voting order: lower titles first
    round: int = Field(default=0)  # 0 = not yet voted; 1 or 2 = the round open or last closed
    round_open: bool = Field(default=False)
    outcome: str = Field(default="", max_length=12)  # "" | approved | rejected


class Recusal(SQLModel, table=True):
    """A member who does not vote on an item (the nominee, or the head of the nominee's unit)."""

    __tablename__ = "commend_recusal"

    item_id: int = Field(foreign_key="commend_agenda_item.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    reason: str = Field(max_length=200)


class BallotParticipation(SQLModel, table=True):
    """That a member has voted on an item in a round: never what they voted (see ``Tally``)."""

    __tablename__ = "commend_ballot_participation"

    item_id: int = Field(foreign_key="commend_agenda_item.id", primary_key=True)
    round: int = Field(primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    written: bool = Field(default=False)


class Tally(SQLModel, table=True):
    """The ballot box of an item's round: counts only.

    A secret ballot keeps no row per ballot: each vote adds one to ``agree`` or ``disagree`` in
    the same transaction that records the participation, so no query can tie a vote to a voter
    (not by id, time or insertion order).
    """

    __tablename__ = "commend_tally"

    item_id: int = Field(foreign_key="commend_agenda_item.id", primary_key=True)
    round: int = Field(primary_key=True)
    agree: int = Field(default=0)
    disagree: int = Field(default=0)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    members_total: int = Field(default=0)  # ALL members, the denominator of the threshold
    threshold_pct: int = Field(default=0)


class Decision(SQLModel, table=True):
    """A commendation decision (quyết định khen thưởng), numbered per issuer per year without gaps.

    Tamper-evident: ``content_hash`` is a SHA-256 over the exact decided content chained to the
    previous decision's hash.
    """

    __tablename__ = "commend_decision"
    __table_args__ = (sa.UniqueConstraint("issuer_code", "year", "number", name="uq_commend_decision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer_code: str = Field(max_length=40)  # e.g. "SNV": the number reads 12/QĐ-SNV
    issuer_name: str = Field(max_length=200)
    year: int
    number: int
    decided_on: date
    signer_name: str = Field(max_length=120)
    signer_title: str = Field(max_length=200)
    basis: str = Field(default="", sa_type=sa.Text)
    session_id: int | None = Field(default=None, foreign_key="commend_council_session.id")
    content: str = Field(sa_type=sa.Text)  # JSON of what was decided (the hash covers it)
    prev_hash: str = Field(max_length=64)
    content_hash: str = Field(max_length=64, unique=True)
    #: HMAC under the chain key (outside the database) over the hashes (issue 17); "" before seals.
    seal: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class DecisionCounter(SQLModel, table=True):
    """The last number used by an issuer in a year (locked while a decision is numbered)."""

    __tablename__ = "commend_decision_counter"

    issuer_code: str = Field(max_length=40, primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)
