"""Frozen data passed from recognition services and queries to pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ValueRow:
    """A value of the catalogue."""

    id: int
    code: str
    name: str
    description: str
    is_active: bool


@dataclass(frozen=True)
class Allowance:
    """One's giving allowance this month."""

    month: str
    total: int
    spent: int

    @property
    def left(self) -> int:
        """What can still be given this month."""
        return max(0, self.total - self.spent)


@dataclass(frozen=True)
class Given:
    """A recognition just sent."""

    id: int
    cost: int
    left: int


@dataclass(frozen=True)
class CommentRow:
    """A comment under a recognition."""

    author: str
    body: str
    at: str


@dataclass(frozen=True)
class FeedItem:
    """One recognition in a feed."""

    id: int
    giver_id: int
    giver_name: str
    recipients: str
    first_recipient_id: int
    message: str
    level: str
    level_label: str
    value_names: str
    at: str
    is_private: bool
    work_ref: str
    reactions: int
    i_reacted: bool
    can_revoke: bool
    comments: list[CommentRow] = field(default_factory=list)


@dataclass(frozen=True)
class FeedPage:
    """A page of a feed, newest first."""

    items: list[FeedItem]
    page: int
    has_more: bool


@dataclass(frozen=True)
class ValueCount:
    """How often a value was cited (for the profile chart)."""

    name: str
    count: int


@dataclass(frozen=True)
class PersonCard:
    """The head of a person's recognition profile."""

    person_id: int
    full_name: str
    unit_name: str
    position: str
    received: int
    given: int
    values: list[ValueCount]
    citizen_ratings: int
    citizen_average: str


@dataclass(frozen=True)
class PendingThanks:
    """A citizen's note waiting for (or after) moderation."""

    id: int
    target: str
    unit_name: str
    attitude: int
    timeliness: int
    guidance: int
    note: str
    dossier_ref: str
    at: str
    status: str
    #: Why it was rejected, and whether the rejection can still be undone (the same day).
    reason: str = ""
    can_undo: bool = False


@dataclass(frozen=True)
class RatingRollup:
    """Average citizens' ratings of a person or a unit (approved submissions only)."""

    label: str
    count: int
    attitude: str
    timeliness: str
    guidance: str
    overall: str


@dataclass(frozen=True)
class ThanksTarget:
    """What the public page shows about whom the citizen is thanking (no personal data
    beyond a name and a unit)."""

    name: str
    unit_name: str
    is_counter: bool


@dataclass(frozen=True)
class QrCard:
    """One printable QR code of a unit's thanks sheet."""

    label: str
    sublabel: str
    url: str
    png_data_uri: str


@dataclass(frozen=True)
class RingRow:
    """Two people who mostly recognise each other."""

    a_name: str
    b_name: str
    a_to_b: int
    b_to_a: int


@dataclass(frozen=True)
class InwardUnitRow:
    """A unit whose recognitions stay mostly inside it."""

    unit_name: str
    inside: int
    total: int
    share: str


@dataclass(frozen=True)
class ThanksSettingsView:
    """The organisation's citizens' thanks settings (issue 18), as the officers' form shows them."""

    dossier_formats: str
    hold_per_network: int
    hold_per_person: int
    #: What the citizen's page says about the format ("" when any plausible number is taken).
    dossier_hint: str = ""


@dataclass(frozen=True)
class HeldRating:
    """A rating held for the unit head (many from one network, or for one person, in a day)."""

    id: int
    target: str
    unit_name: str
    attitude: int
    timeliness: int
    guidance: int
    note: str
    dossier_ref: str
    at: str
    why: str


@dataclass(frozen=True)
class DeviceEnrolment:
    """A counter device just registered: its one-time enrolment code, shown once (issue 16)."""

    device_id: int
    name: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class DeviceRow:
    """A counter device of one's units, as the citizens' page lists it."""

    id: int
    name: str
    unit_name: str
    #: ``waiting`` (link not opened yet), ``active`` or ``revoked``.
    status: str
    status_label: str
    registered: str
    last_used: str
