"""Small frozen results of the commitments services and queries (safe to keep in Reflex state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TemplateRow:
    """One template version."""

    id: int
    family: str
    version: int
    kind: str
    title: str
    preamble: str
    clauses: list[str]
    published_at: str
    is_latest: bool = True


@dataclass(frozen=True)
class CampaignRow:
    """A campaign as the officer's list shows it."""

    id: int
    year: int
    name: str
    status: str
    opens: str
    due: str
    closes: str
    allow_late: bool
    template: str
    units: str
    positions: str


@dataclass(frozen=True)
class SignatureInfo:
    """A signature just given or looked up."""

    id: int
    code: str
    content_hash: str
    signed_at: str
    on_time: bool
    method: str
    kind: str


@dataclass(frozen=True)
class MyCommitment:
    """One campaign from the signer's side."""

    campaign_id: int
    year: int
    name: str
    campaign_status: str
    status: str
    due: str
    signed_at: str = ""
    signature_id: int = 0
    code: str = ""
    method: str = ""
    pledges: list[str] = field(default_factory=list)
    response: str = ""


@dataclass(frozen=True)
class SignView:
    """What the signing page needs."""

    campaign_id: int
    name: str
    year: int
    title: str
    preamble: str
    clauses: list[str]
    status: str
    campaign_status: str
    due: str
    can_sign: bool
    blocked_reason: str
    my_name: str
    unit_name: str
    signature_id: int = 0
    code: str = ""
    pledges: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CompletionRow:
    """A unit's completion in a campaign, its sub-units included."""

    unit_id: int
    name: str
    code: str
    depth: int
    total: int
    signed: int
    pending: int
    declined: int
    overdue: int
    exempted: int
    percent: int
    collective: str = ""  # "", "signed", "countersigned"


@dataclass(frozen=True)
class PersonProgress:
    """One person of a unit's audience, for the drill-down."""

    person_id: int
    name: str
    employee_code: str
    unit_name: str
    position: str
    status: str
    due: str
    signed_at: str = ""
    method: str = ""
    note: str = ""
    scan_url: str = ""
    #: The date written on a paper signature ("" online); ``signed_at`` is when it was recorded.
    paper_on: str = ""


@dataclass(frozen=True)
class PeoplePage:
    """A page of the drill-down."""

    rows: list[PersonProgress]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the signature chain."""

    checked: int
    breaks: list[str]
    #: The newest head published in the audit log, as the page shows it ("" when none yet).
    head: str = ""

    @property
    def intact(self) -> bool:
        """True when no link is broken."""
        return not self.breaks


@dataclass(frozen=True)
class PublicSignature:
    """What the public verify page may show: nothing personal beyond name, unit, campaign, date."""

    found: bool
    intact: bool = False
    code: str = ""
    content_hash: str = ""
    name: str = ""
    unit: str = ""
    campaign: str = ""
    signed_on: str = ""
    kind: str = ""
    method: str = ""


@dataclass(frozen=True)
class CollectiveRow:
    """A unit's collective commitment as its head or union chair sees it."""

    campaign_id: int
    unit_id: int
    unit_name: str
    head_signature_id: int = 0
    head_signed_at: str = ""
    countersigned_at: str = ""
    title: str = ""
    clauses: list[str] = field(default_factory=list)
    can_sign: bool = False  # the actor heads the unit and it is not signed yet
    can_countersign: bool = False  # the actor chairs its union and the head has signed


@dataclass(frozen=True)
class Unsigned:
    """Someone of an open campaign's audience who has not signed and is not exempted (reminders)."""

    campaign_id: int
    campaign_name: str
    person_id: int
    unit_id: int
    unit_path: str
    opens_at: datetime
    due_at: datetime
    status: str
