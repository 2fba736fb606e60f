"""Tables of recognition: peer recognitions, the values catalogue, reactions, comments,
monthly giving allowances, citizens' thanks links and their submissions.

Nothing is deleted: a revoked recognition keeps its row with the revocation; rejected
citizen notes keep theirs with the moderation.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class RecognitionValue(SQLModel, table=True):
    """A value of the movement that a recognition can cite (managed by officers)."""

    __tablename__ = "recognition_value"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Recognition(SQLModel, table=True):
    """One recognition as sent: immutable except for its revocation."""

    __tablename__ = "recognition"
    __table_args__ = (sa.Index("ix_recognition_created", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    giver_id: int = Field(foreign_key="person.id", index=True)
    giver_unit_id: int = Field(foreign_key="unit.id", index=True)
    message: str = Field(sa_type=sa.Text)
    level: str = Field(max_length=20)
    cost: int
    month: str = Field(max_length=7)  # the giver's allowance month, "2026-03"
    is_private: bool = Field(default=False)
    work_ref: str = Field(default="", max_length=60)
    target_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_account_id: int | None = Field(default=None)
    revoke_reason: str = Field(default="", max_length=500)


class RecognitionRecipient(SQLModel, table=True):
    """Who a recognition is for: a person (with their unit then), or a whole unit."""

    __tablename__ = "recognition_recipient"
    __table_args__ = (
        sa.UniqueConstraint("recognition_id", "person_id", "unit_id", name="uq_recognition_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recognition_id: int = Field(foreign_key="recognition.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    unit_path: str = Field(max_length=400, index=True)


class RecognitionValueLink(SQLModel, table=True):
    """A value cited by a recognition."""

    __tablename__ = "recognition_value_link"

    recognition_id: int = Field(foreign_key="recognition.id", primary_key=True)
    value_id: int = Field(foreign_key="recognition_value.id", primary_key=True, index=True)


class GivingMonth(SQLModel, table=True):
    """How much of their monthly allowance a person has spent (locked while giving)."""

    __tablename__ = "recognition_giving_month"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    month: str = Field(max_length=7, primary_key=True)
    spent: int = Field(default=0)


class RecognitionReaction(SQLModel, table=True):
    """A "thank you too" from a colleague (one per person and recognition)."""

    __tablename__ = "recognition_reaction"

    recognition_id: int = Field(foreign_key="recognition.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class RecognitionComment(SQLModel, table=True):
    """A short comment under a recognition."""

    __tablename__ = "recognition_comment"

    id: int | None = Field(default=None, primary_key=True)
    recognition_id: int = Field(foreign_key="recognition.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    body: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ThanksLink(SQLModel, table=True):
    """The public link (and QR code) citizens use to thank a person or a service counter.

    ``token`` is random and unguessable; ``person_id`` is empty for a counter.
    """

    __tablename__ = "thanks_link"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    counter_name: str = Field(default="", max_length=120)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


class CitizenThanks(SQLModel, table=True):
    """A citizen's rating (and optional note) of a service, through a thanks link."""

    __tablename__ = "citizen_thanks"
    __table_args__ = (
        sa.UniqueConstraint("link_id", "dossier_ref", name="uq_citizen_thanks_dossier"),
        sa.Index("ix_citizen_thanks_client_at", "client_key", "created_at"),
        sa.Index("ix_citizen_thanks_unit_status", "unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="thanks_link.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    unit_path: str = Field(max_length=400, index=True)
    attitude: int
    timeliness: int
    guidance: int
    note: str = Field(default="", max_length=1000)
    dossier_ref: str = Field(max_length=40, index=True)
    client_key: str = Field(max_length=64)
    status: str = Field(max_length=12)  # pending | approved | rejected | held
    created_at: datetime = Field(sa_type=UTCDateTime)
    moderated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    moderated_by_account_id: int | None = Field(default=None)
    moderation_reason: str = Field(default="", max_length=500)  # why a note was rejected
    #: Why the rating was held for the unit head (``network`` / ``person``; issue 18); the head's
    #: reason for deciding on it is kept in ``moderation_reason``.
    hold_reason: str = Field(default="", max_length=20)
    #: The registered counter device (tablet) it was given on, if any (issue 16): such ratings are
    #: limited per dossier, not per network.
    device_id: int | None = Field(default=None, foreign_key="thanks_device.id", index=True)


class ThanksSettings(SQLModel, table=True):
    """The organisation's settings for citizens' thanks (one row, id 1; absent: the defaults)."""

    __tablename__ = "thanks_settings"

    id: int | None = Field(default=None, primary_key=True)
    #: Dossier-number templates of the one-stop systems, one a line ("" = any plausible number).
    dossier_formats: str = Field(default="", max_length=400)
    hold_per_network: int = Field(default=3)
    hold_per_person: int = Field(default=10)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_account_id: int | None = Field(default=None)


class ThanksDevice(SQLModel, table=True):
    """A tablet at a one-stop counter, registered by a unit head (issue 16).

    Citizens at a centre share one network, so ratings given on a registered device are limited
    per dossier instead of per network. Only hashes are kept: of the one-time enrolment code (the
    link shown once to the unit head) and of the device token the tablet keeps in a cookie.
    """

    __tablename__ = "thanks_device"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=120)
    #: SHA-256 of the enrolment code; emptied once the tablet has used it.
    enrol_hash: str | None = Field(default=None, max_length=64, unique=True)
    enrol_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: SHA-256 of the device token (set when the tablet enrols).
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    enrolled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_account_id: int | None = Field(default=None)


class ThanksProof(SQLModel, table=True):
    """A proof-of-work challenge already spent on a rating (issue 18): a second use is refused.

    Kept until the challenge itself expires (the cleanup job deletes older rows).
    """

    __tablename__ = "thanks_proof"

    id: int | None = Field(default=None, primary_key=True)
    challenge: str = Field(max_length=128, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
