"""Tables of the commitments feature: templates, campaigns, signatures and their evidence.

Schema and constraints only; behaviour lives in ``rules.py`` and ``service.py``.
Templates and signatures are append-only: a published template version never changes
(editing writes a new version) and a signature is never updated or deleted.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class CommitmentTemplate(SQLModel, table=True):
    """One published version of a commitment text. Never updated: a new version is a new row."""

    __tablename__ = "commitment_template"
    __table_args__ = (sa.UniqueConstraint("family", "version", name="uq_template_family_version"),)

    id: int | None = Field(default=None, primary_key=True)
    family: str = Field(max_length=40, index=True)  # versions of one template share a family
    version: int = Field(default=1)
    kind: str = Field(default="personal", max_length=20)  # "personal" | "collective"
    title: str = Field(max_length=200)
    preamble: str = Field(default="", sa_type=sa.Text)
    clauses_json: str = Field(sa_type=sa.Text)  # JSON list of clause texts, in order
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: int | None = Field(default=None)  # account id


class Campaign(SQLModel, table=True):
    """A year's signing campaign on one template version, for an audience of units.

    Its status is derived from the dates and ``now`` (``rules.campaign_status``): before
    ``opens_at`` it is a draft, then open until it closes (``closed_at`` when an officer
    closed it, else the due date, or ``late_until`` when late signing is allowed).
    """

    __tablename__ = "commitment_campaign"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    name: str = Field(max_length=200)
    template_id: int = Field(foreign_key="commitment_template.id", index=True)
    collective_template_id: int | None = Field(default=None, foreign_key="commitment_template.id")
    positions: str = Field(default="", sa_type=sa.Text)  # newline-separated; empty = everyone
    opens_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    allow_late: bool = Field(default=False)
    late_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None)


class CampaignUnit(SQLModel, table=True):
    """A unit in a campaign's audience (with all its sub-units)."""

    __tablename__ = "commitment_campaign_unit"

    campaign_id: int = Field(foreign_key="commitment_campaign.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class DueException(SQLModel, table=True):
    """A person's own due date (leave, illness) or exemption in a campaign, with the reason."""

    __tablename__ = "commitment_due_exception"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "person_id", name="uq_exception_person"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="commitment_campaign.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None = exempted
    reason: str = Field(max_length=500)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by: int | None = Field(default=None)


class CommitmentResponse(SQLModel, table=True):
    """A person declining, or asking for clarification, with a reason; the unit head sees it."""

    __tablename__ = "commitment_response"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="commitment_campaign.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)  # "decline" | "clarify"
    reason: str = Field(max_length=1000)
    at: datetime = Field(sa_type=UTCDateTime)


class Signature(SQLModel, table=True):
    """One signature, link of a hash chain over every signature ever given.

    ``content_hash`` = SHA-256 over the previous signature's hash and the canonical form of
    this row's signed content (``rules.signature_payload``). ``slot`` makes signing twice
    impossible even under a race: ``p:<person>`` (personal), ``u:<unit>`` (collective, by
    the unit head), ``c:<unit>`` (the union chair's countersignature).
    """

    __tablename__ = "commitment_signature"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "slot", name="uq_signature_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)  # position in the chain, from 1
    code: str = Field(max_length=20, unique=True)  # public reference for the verify page
    campaign_id: int = Field(foreign_key="commitment_campaign.id", index=True)
    template_id: int = Field(foreign_key="commitment_template.id")
    kind: str = Field(max_length=20)  # "personal" | "collective" | "countersign"
    slot: str = Field(max_length=40)
    person_id: int = Field(foreign_key="person.id", index=True)  # who signed
    unit_id: int = Field(foreign_key="unit.id", index=True)  # their unit (collective: the unit)
    parent_id: int | None = Field(default=None, foreign_key="commitment_signature.id")
    signed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    method: str = Field(default="online", max_length=10)  # "online" | "paper"
    typed_name: str = Field(max_length=120)
    content: str = Field(sa_type=sa.Text)  # the exact text signed
    pledges_json: str = Field(default="[]", sa_type=sa.Text)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    recorded_by: int | None = Field(default=None)  # account of the officer (paper)
    paper_reason: str = Field(default="", max_length=500)
    paper_signed_on: date | None = Field(default=None)  # the date written on the paper (paper only)
    scan_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    on_time: bool = Field(default=True)
    prev_hash: str = Field(max_length=64)
    content_hash: str = Field(max_length=64, unique=True)
    #: HMAC under the chain key (kept outside the database) over the hashes and the fields the
    #: hash does not cover (``rules.signature_sealed``); "" for a signature written before seals.
    seal: str = Field(default="", max_length=64)
