"""Commendations, part 2: decisions, certificates, revocation, public verification, registers.

The issuer's decision (quyết định khen thưởng) turns the council's approved nominees into
awards: numbered per issuer and year without gaps, each award with its golden-book number, its
amount and a certificate code, the whole decision hashed and chained to the previous one, the
points credited and the awardees told, all in one transaction. Titles that a higher authority
decides are proposed upward instead, with the dossier as one PDF and an XLSX list. A revocation
keeps the award, marks it with its legal ground and the money to recover, and takes back its
points. Anyone may check a certificate or a decision; officers read the registers and statistics.

Amounts (Decree 152 Art. 49: several titles for the same period pay only the highest). The
bonus of each award is the part-1 rule (coefficient x the base salary on the decision date,
rounded up to 10,000 VND). Among one subject's titles of one year (forms are paid besides):
- titles decided together: only the highest is paid, the others get 0 (the annex says which is paid);
- a lower title of the year already paid by an earlier decision is never changed (it was
  decided and paid): the higher title now decided pays its bonus LESS what was paid before, and
  the annex notes the amount deducted, so the subject receives the highest bonus once in all;
- a title lower than one already held pays 0.
``Award.bonus_amount`` is what the award pays (the default amount to recover if it is revoked).

Numbering: the ``DecisionCounter`` row of (issuer, year) is created if missing with an
insert-or-ignore (two concurrent first decisions both "insert", one of them does nothing), then
read ``FOR UPDATE`` on PostgreSQL (SQLite writers are already one at a time: ``BEGIN IMMEDIATE``),
so the number is taken and used in the same transaction: a rollback gives it back, and two
decisions never share it (the unique constraint on (issuer, year, number) stands behind it).
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.commendations import documents, models, queries, rules
from engagement.commendations.rules import COUNCIL, DECIDED, PROPOSED
from engagement.core import audit, chain, formats, limits
from engagement.core.access import Actor, Perm, Role, can, reach, require, require_login
from engagement.core.db import lock_key
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.export import to_csv, to_xlsx
from engagement.core.i18n import N_, Msg, _
from engagement.core.paging import Page
from engagement.notify import service as notify
from engagement.org import labels
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source
from engagement.settings import get_settings

IN_CHUNK = 900
#: What a nominee's outcome becomes.
OUTCOME_DECIDED, OUTCOME_PROPOSED = "decided", "proposed"
SOURCE_DECIDED = "decided"
#: The decisions' own chain (one for every issuer): writers take turns on PostgreSQL.
CHAIN_LOCK = ("commend-decision", "chain")
CONTENT_VERSION = 1

DECISION_BREAKS = chain.BreakTexts(
    missing=N_("decision #{first} to #{last} missing"),
    unlinked=N_("does not follow the previous decision's hash"),
    changed=N_("content changed after the decision (hash mismatch)"),
    truncated=N_("{have} decisions where the checkpoint of {at} counted {count}: the newest were deleted"),
    rewritten=N_("decision #{seq} no longer has the hash the checkpoint of {at} recorded: the chain was rewritten"),
)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecidedAward:
    """One award a decision made."""

    award_id: int
    nominee_id: int
    golden_book_no: int
    certificate_code: str
    amount: int


@dataclass(frozen=True)
class DecisionResult:
    """What ``issue_decision`` wrote."""

    id: int
    number: int
    reference: str  # "12/QĐ-SNV"
    year: int
    decided_on: date
    content_hash: str
    awards: tuple[DecidedAward, ...]
    total_amount: int


@dataclass(frozen=True)
class UpwardDossier:
    """What ``propose_upward`` returns: the dossier for the authority that decides."""

    nominee_ids: tuple[int, ...]
    pdf: bytes
    xlsx: bytes
    pdf_name: str
    xlsx_name: str


@dataclass(frozen=True)
class Revocation:
    """What ``revoke`` recorded."""

    award_id: int
    ground: str
    refund_amount: int
    points_reversed: int


@dataclass(frozen=True)
class CertificateCheck:
    """What the public verify page shows for a certificate code (no login).

    ``valid``: found, not revoked, and its decision intact. ``intact`` False means the records no
    longer match what was decided (say so; never show such a certificate as valid).
    """

    found: bool
    valid: bool = False
    revoked: bool = False
    intact: bool = False
    code: str = ""
    name: str = ""
    unit: str = ""
    title: str = ""
    year: int = 0
    decision_number: str = ""
    decided_on: str = ""
    issuer: str = ""
    revoked_on: str = ""
    revoked_ground: str = ""


@dataclass(frozen=True)
class DecisionCheck:
    """What the public verify page shows for a decision (by its hash or its number)."""

    found: bool
    intact: bool = False
    reference: str = ""
    year: int = 0
    decided_on: str = ""
    issuer: str = ""
    signer: str = ""
    awards: int = 0
    revoked: int = 0
    content_hash: str = ""


@dataclass(frozen=True)
class DecisionChainReport:
    """Every decision checked: ``breaks`` says, one line each, what no longer holds."""

    checked: int
    breaks: list[str] = field(default_factory=list)
    #: The newest head published in the audit log, as the page shows it ("" when none yet).
    head: str = ""

    @property
    def ok(self) -> bool:
        """Whether the chain and the register hold."""
        return not self.breaks


@dataclass(frozen=True)
class AwardEntry:
    """One award in a register, a history or an export."""

    id: int
    year: int
    title_id: int
    title: str  # the abbreviation
    title_name: str
    kind: str
    subject: str  # "individual" | "collective"
    name: str
    code: str  # the person's employee code or the unit's code
    unit_name: str
    decision_ref: str
    decided_on: str
    decided_by: str
    amount: int
    amount_text: str
    golden_book_no: int | None
    certificate_code: str
    source: str
    source_label: str
    revoked: bool
    revoked_on: str
    revoked_ground: str  # the ground's label ("" when not revoked or revoked in part 1)
    refund_amount: int


@dataclass(frozen=True)
class AwardPage(Page):
    """A page of the register."""

    rows: list[AwardEntry] = field(default_factory=list)


@dataclass(frozen=True)
class StatRow:
    """One title's awards of a year at one level: counts and amounts."""

    title_id: int
    title: str
    title_name: str
    kind: str
    level: str  # "org_head" | "unit_head" | "higher"
    level_label: str
    individuals: int
    collectives: int
    amount: int
    revoked: int
    refund: int


@dataclass(frozen=True)
class YearStatistics:
    """The yearly statistics of awards per title and level."""

    year: int
    rows: list[StatRow]
    individuals: int
    collectives: int
    amount: int
    revoked: int


@dataclass(frozen=True)
class DecisionRow:
    """One decision in the officers' list."""

    id: int
    reference: str
    year: int
    decided_on: str
    issuer_name: str
    signer: str
    awards: int
    total_amount: int
    content_hash: str
    issuer_code: str = ""
    signer_name: str = ""
    signer_title: str = ""


@dataclass(frozen=True)
class DecisionPage(Page):
    """A page of decisions, newest first."""

    rows: list[DecisionRow] = field(default_factory=list)


@dataclass(frozen=True)
class AwaitingRow:
    """A nominee the council approved, waiting for a decision here or a proposal upward."""

    nominee_id: int
    nomination_id: int
    year: int
    title_id: int
    title: str  # the abbreviation
    title_name: str
    upward: bool  # a higher authority decides this title: propose it upward
    name: str
    code: str  # the person's employee code or the unit's code
    unit_name: str
    session_id: int  # the council session that approved it (0 when none is recorded)
    session_title: str
    agree: int
    members: int


LEVEL_NAMES: dict[str, Msg] = {
    "org_head": N_("Decided by the head of the organisation"),
    "unit_head": N_("Decided by a unit head"),
    "higher": N_("Decided by a higher authority"),
}


# --- helpers ------------------------------------------------------------------------------------


def _today(now: datetime) -> date:
    return queries.today(now)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start:start + IN_CHUNK]


def _ids(values: Iterable[object]) -> list[int]:
    out: list[int] = []
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise Invalid("Choose the nominees from the list.", {"nominee_ids": N_("Not valid")})
        out.append(value)
    out = list(dict.fromkeys(out))
    if not out:
        raise Invalid("Choose at least one nominee approved by the council.", {"nominee_ids": N_("Required")})
    return out


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _rules_by_title(session: Session, title_ids: Iterable[int]) -> dict[int, list[rules.RuleVersion]]:
    out: dict[int, list[rules.RuleVersion]] = defaultdict(list)
    ids = sorted(set(title_ids))
    for chunk in _chunks(ids):
        for row in session.exec(select(models.TitleRule).where(models.TitleRule.title_id.in_(chunk))):
            out[row.title_id].append(queries.version_of(row))
    return out


def _unit_heads(session: Session, unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The people holding a live unit-head grant on each unit."""
    out: dict[int, list[int]] = defaultdict(list)
    ids = sorted(set(unit_ids))
    for chunk in _chunks(ids):
        for unit_id, person_id in session.exec(
                select(RoleGrant.unit_id, Account.person_id).join(Account, Account.id == RoleGrant.account_id)
                .where(RoleGrant.role == Role.UNIT_HEAD.value, RoleGrant.unit_id.in_(chunk),
                       RoleGrant.revoked_at.is_(None), Account.is_active.is_(True)).distinct()):
            out[unit_id].append(person_id)
    return out


def _occurred_at(decided_on: date, now: datetime) -> datetime:
    """When an award happened for the ledger: noon of the decision day (never after now)."""
    moment = datetime.combine(decided_on, time(12), tzinfo=get_settings().tz).astimezone(UTC)
    return min(moment, now)


def _new_certificate_code() -> str:
    return "".join(secrets.choice(rules.CERTIFICATE_ALPHABET) for _ in range(rules.CERTIFICATE_LENGTH))


def _common_root(paths: Iterable[str]) -> str:
    """The path of the deepest unit above (or at) every unit of ``paths`` ("/" for the whole tree)."""
    split = [[p for p in path.strip("/").split("/") if p] for path in paths]
    if not split:
        return "/"
    common = split[0]
    for parts in split[1:]:
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/" + "".join(f"{p}/" for p in common) if common else "/"


@dataclass
class _Pick:
    """One approved nominee with everything a decision or a proposal needs of it."""

    nominee: models.Nominee
    nomination: models.Nomination
    title: models.Title
    rule: rules.RuleVersion
    person: Person | None
    unit: Unit  # the person's unit, or the nominated unit
    parent_unit: Unit | None  # the nominated unit's parent (its "unit" column in the annex)

    @property
    def key(self) -> str:
        return self.nominee.subject_key

    @property
    def year(self) -> int:
        return self.nomination.year

    @property
    def name(self) -> str:
        return self.person.full_name if self.person is not None else self.unit.name

    @property
    def unit_name(self) -> str:
        if self.person is not None:
            return self.unit.name
        return self.parent_unit.name if self.parent_unit is not None else ""

    def order(self) -> tuple:
        """Annex order: lower titles first, people before units, then by unit and name."""
        name = (self.person.sort_key or self.person.full_name) if self.person is not None else self.unit.name
        return (self.title.sort_order, self.title.id, 0 if self.person is not None else 1, self.unit.path, name,
                self.nominee.id)


def _load(session: Session, nominee_ids: list[int]) -> list[_Pick]:
    """The nominees with their nomination, title, rule of the year, person and unit (in bulk)."""
    nominees = {}
    for chunk in _chunks(nominee_ids):
        nominees.update({n.id: n for n in session.exec(select(models.Nominee).where(models.Nominee.id.in_(chunk)))})
    if any(i not in nominees for i in nominee_ids):
        raise NotFound("One of the nominees chosen does not exist; reload the list.")
    nominations = {n.id: n for n in session.exec(select(models.Nomination).where(
        models.Nomination.id.in_({n.nomination_id for n in nominees.values()})))}
    titles = {t.id: t for t in session.exec(select(models.Title).where(
        models.Title.id.in_({n.title_id for n in nominations.values()})))}
    versions = _rules_by_title(session, titles)
    people = {}
    for chunk in _chunks(sorted({n.person_id for n in nominees.values() if n.person_id is not None})):
        people.update({p.id: p for p in session.exec(select(Person).where(Person.id.in_(chunk)))})
    units = {}
    for chunk in _chunks(sorted({p.unit_id for p in people.values()}
                                | {n.unit_id for n in nominees.values() if n.unit_id})):
        units.update({u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(chunk)))})
    parents = {u.parent_id for u in units.values() if u.parent_id and u.parent_id not in units}
    if parents:
        units.update({u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(parents)))})
    out = []
    for nominee_id in nominee_ids:
        nominee = nominees[nominee_id]
        nomination = nominations[nominee.nomination_id]
        title = titles[nomination.title_id]
        person = people.get(nominee.person_id) if nominee.person_id is not None else None
        unit = units[person.unit_id] if person is not None else units[nominee.unit_id]
        rule = rules.rule_for_year(versions.get(title.id, []), nomination.year)
        if rule is None:
            raise Conflict("{title} has no rule for {year} in the catalogue; an officer adds one first.",
                           title=title.abbreviation, year=nomination.year)
        parent = units.get(unit.parent_id) if person is None and unit.parent_id else None
        out.append(_Pick(nominee=nominee, nomination=nomination, title=title, rule=rule, person=person, unit=unit,
                         parent_unit=parent))
    return sorted(out, key=_Pick.order)


def _picks(session: Session, nominee_ids: list[int], *, upward: bool) -> list[_Pick]:
    """Load approved nominees and check them all (before anything is written): approved by the
    council, not yet decided or proposed, their nomination before the council, decided here (or
    above, ``upward``), and each subject once per title and year."""
    picks = _load(session, nominee_ids)
    for pick in picks:
        name, title = pick.name, pick.title.abbreviation
        if pick.nominee.outcome == OUTCOME_DECIDED:
            raise Conflict("{name} has already been awarded {title} by a decision.", name=name, title=title)
        if pick.nominee.outcome == OUTCOME_PROPOSED:
            raise Conflict("{name} has already been proposed to the higher level for {title}.", name=name,
                           title=title)
        if pick.nominee.outcome != rules.APPROVED:
            raise Conflict("The council has not approved {name} for {title}; only approved nominees can be "
                           "decided or proposed.", name=name, title=title)
        if pick.nomination.status != COUNCIL:
            raise Conflict("The nomination of {name} is “{status}”, not before the council.", name=name,
                           status=rules.NOMINATION_NAMES.get(pick.nomination.status, N_("unknown")))
        if upward and pick.rule.decider != "higher":
            raise Invalid("{title} is decided by this organisation: issue a decision for {name} instead of "
                          "proposing it upward.", title=title, name=name)
        if not upward and pick.rule.decider == "higher":
            raise Invalid("{title} is decided by a higher authority: propose {name} upward instead.",
                          title=title, name=name)
    seen: set[tuple] = set()
    for pick in picks:
        key = (pick.year, pick.title.id, pick.key)
        if key in seen:
            raise Conflict("{name} is chosen twice for {title} of {year}; keep one of the two nominations.",
                           name=pick.name, title=pick.title.abbreviation, year=pick.year)
        seen.add(key)
    return picks


def _pending(session: Session, nomination_ids: Iterable[int]) -> set[int]:
    """The nominations that still have a nominee waiting: approved and not yet decided or proposed,
    or appraised eligible and not yet voted on."""
    ids = sorted(set(nomination_ids))
    if not ids:
        return set()
    return set(session.exec(select(models.Nominee.nomination_id).where(
        models.Nominee.nomination_id.in_(ids),
        sa.or_(models.Nominee.outcome == rules.APPROVED,
               sa.and_(models.Nominee.outcome == "", models.Nominee.appraisal == rules.APPRAISED_ELIGIBLE)))))


def _move_nominations(session: Session, *, actor: Actor, picks: Sequence[_Pick], to: str, reason: str,
                      now: datetime) -> list[int]:
    """Move each nomination of ``picks`` from "council" to ``to`` once none of its nominees waits."""
    session.flush()
    nominations = {p.nomination.id: p.nomination for p in picks}
    waiting = _pending(session, nominations)
    moved = []
    for nomination in sorted(nominations.values(), key=lambda n: n.id):
        if nomination.id in waiting:
            continue
        rules.check_move(nomination.status, to, reason=reason)
        session.add(models.NominationEvent(nomination_id=nomination.id, at=now, from_status=nomination.status,
                                           to_status=to, reason=reason, version=nomination.version,
                                           actor_account_id=actor.account_id))
        nomination.status, nomination.updated_at = to, now
        session.add(nomination)
        moved.append(nomination.id)
    return moved


# --- numbering and the chain ---------------------------------------------------------------------


def _take_number(session: Session, issuer_code: str, year: int) -> int:
    """The next number of ``issuer_code`` in ``year``, taken under a lock held until the transaction ends."""
    table = models.DecisionCounter.__table__
    session.execute(_insert(session)(table).values(issuer_code=issuer_code, year=year, last=0)
                    .on_conflict_do_nothing(index_elements=["issuer_code", "year"]))
    counter = session.exec(
        select(models.DecisionCounter).where(models.DecisionCounter.issuer_code == issuer_code,
                                             models.DecisionCounter.year == year)
        .with_for_update().execution_options(populate_existing=True)).one()
    counter.last += 1
    session.add(counter)
    session.flush()
    return counter.last


def _last_hash(session: Session) -> str:
    lock_key(session, *CHAIN_LOCK)
    last = session.exec(select(models.Decision.content_hash).order_by(models.Decision.id.desc()).limit(1)).first()
    return last or chain.GENESIS_HASH


# --- issuing a decision -----------------------------------------------------------------------------


def _check_decision_input(*, issuer_code: str, issuer_name: str, decided_on: date | None, signer_name: str,
                          signer_title: str, basis: str, today: date) -> tuple[str, str, str, str, str]:
    code = rules.check_issuer_code(issuer_code)
    name = " ".join(str(issuer_name or "").split())
    if not name or len(name) > 200:
        raise Invalid("Enter the issuer's name as it heads the decision (at most 200 characters).",
                      {"issuer_name": N_("Required")})
    if not isinstance(decided_on, date) or isinstance(decided_on, datetime):
        raise Invalid("Enter the date of the decision.", {"decided_on": N_("Required")})
    if decided_on > today:
        raise Invalid("The decision date cannot be in the future.", {"decided_on": N_("In the future")})
    signer = " ".join(str(signer_name or "").split())
    post = " ".join(str(signer_title or "").split())
    if not signer or len(signer) > 120:
        raise Invalid("Enter the name of the person who signs the decision.", {"signer_name": N_("Required")})
    if not post or len(post) > 200:
        raise Invalid("Enter the signer's title, e.g. Giám đốc Sở Nội vụ.", {"signer_title": N_("Required")})
    text = "\n".join(" ".join(line.split()) for line in str(basis or "").replace("\r", "").split("\n")).strip()
    if not text:
        raise Invalid("Enter the legal basis of the decision (the “Căn cứ ...” lines).", {"basis": N_("Required")})
    limits.within(text, limit=rules.DECISION_BASIS_MAX, what=N_("legal basis"), field="basis")
    return code, name, signer, post, text


def _holds_in_force(session: Session, person_ids: list[int], day: date) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(person_ids):
        for person_id, reason in session.exec(select(models.Hold.person_id, models.Hold.reason).where(
                models.Hold.person_id.in_(chunk), models.Hold.lifted_at.is_(None), models.Hold.starts_on <= day,
                sa.or_(models.Hold.ends_on.is_(None), models.Hold.ends_on >= day))):
            out.setdefault(person_id, reason)
    return out


@dataclass(frozen=True)
class _Held:
    """An award of the register for the same subject and year as a pick."""

    award_id: int
    title_id: int
    kind: str
    coefficient_pct: int
    sort_order: int
    paid: int
    abbreviation: str
    revoked: bool


def _held_awards(session: Session, picks: Sequence[_Pick]) -> dict[tuple[str, int], list[_Held]]:
    """The register's awards (revoked ones too) of each (subject, year) of ``picks``."""
    keys = sorted({p.key for p in picks})
    years = sorted({p.year for p in picks})
    rows = []
    for start in range(0, len(keys), IN_CHUNK):
        rows.extend(session.exec(select(models.Award, models.Title).join(
            models.Title, models.Title.id == models.Award.title_id).where(
            models.Award.subject_key.in_(keys[start:start + IN_CHUNK]), models.Award.year.in_(years))).all())
    versions = _rules_by_title(session, {t.id for _a, t in rows})
    out: dict[tuple[str, int], list[_Held]] = defaultdict(list)
    for award, title in rows:
        rule = rules.rule_for_year(versions.get(title.id, []), award.year)
        out[(award.subject_key, award.year)].append(_Held(
            award_id=award.id, title_id=title.id, kind=title.kind, coefficient_pct=rule.coefficient_pct if rule else 0,
            sort_order=title.sort_order, paid=award.bonus_amount, abbreviation=title.abbreviation,
            revoked=award.revoked_at is not None))
    return out


def _dues(picks: Sequence[_Pick], held: dict[tuple[str, int], list[_Held]],
          bonuses: dict[int, int]) -> dict[int, tuple[rules.Due, str]]:
    """What each pick pays, by nominee id, with the title paid instead when it pays nothing."""
    groups: dict[tuple[str, int], list[_Pick]] = defaultdict(list)
    for pick in picks:
        groups[(pick.key, pick.year)].append(pick)
    out: dict[int, tuple[rules.Due, str]] = {}
    for key, group in groups.items():
        prior = [h for h in held.get(key, []) if not h.revoked]
        names: dict[object, str] = {("held", h.award_id): h.abbreviation for h in prior}
        names.update({p.nominee.id: p.title.abbreviation for p in group})
        dues = rules.amounts_due(
            [(p.nominee.id, p.title.kind, p.rule.coefficient_pct, p.title.sort_order, bonuses[p.nominee.id])
             for p in group],
            [(("held", h.award_id), h.kind, h.coefficient_pct, h.sort_order, h.paid) for h in prior])
        out.update({nominee_id: (due, names.get(due.unpaid_for, "") if due.unpaid_for is not None else "")
                    for nominee_id, due in dues.items()})
    return out


def _initiatives_used(session: Session, picks: Sequence[_Pick], today: date) -> dict[int, tuple[int, ...]]:
    """The initiatives each person's eligibility rests on (part 1's ``Judgement.initiative_ids``), by nominee."""
    out: dict[int, tuple[int, ...]] = {}
    by_year: dict[int, list[_Pick]] = defaultdict(list)
    for pick in picks:
        if pick.person is not None:
            by_year[pick.year].append(pick)
    for year, group in by_year.items():
        comp = queries.compute(session, year=year, root_path=_common_root(p.unit.path for p in group), as_of=today,
                               codes={p.title.code for p in group})
        for pick in group:
            outcome = comp.outcomes.get(pick.title.code)
            judgement = outcome.judgements.get(pick.person.id) if outcome is not None else None
            if judgement is not None and judgement.status == rules.ELIGIBLE and judgement.initiative_ids:
                out[pick.nominee.id] = judgement.initiative_ids
    return out


def issue_decision(
    session: Session, *, actor: Actor | None, issuer_code: str, issuer_name: str, decided_on: date | None,
    signer_name: str, signer_title: str, basis: str, nominee_ids: Sequence[int], session_id: int | None = None,
    now: datetime,
) -> DecisionResult:
    """Record the issuer's decision awarding the council's approved nominees.

    The number is the next of the issuer in the year of ``decided_on`` (never given by the
    caller), without gaps even when two officers decide at once. Each nominee (approved by the
    council, for a title this organisation decides) gets an award: its golden-book number (the
    order in the decision's annex), a random certificate code, and its amount (see the module:
    only the highest title of a year is paid). Nominees become "decided", and a nomination
    "decided" once none of its nominees waits; the initiatives the eligibility rested on serve
    this award only; points are credited and the awardees (or their unit heads) told, all in
    this transaction. The decision's content is hashed and chained to the previous decision.

    Args:
        issuer_code: the issuer's code in the number (``SNV`` -> ``12/QĐ-SNV``).
        issuer_name: the issuer as it heads the decision.
        decided_on: the decision's date (not in the future).
        signer_name, signer_title: who signs, and as what.
        basis: the legal basis, one "Căn cứ ..." a line.
        nominee_ids: the approved nominees.
        session_id: the council session that approved them (each must be on its agenda).

    Returns:
        The decision: its id, number, reference, hash and awards.

    Raises:
        NotAllowed: not an officer. NotFound: a nominee or the session. Invalid: a missing or bad
        field, a title decided above, a nominee not on the session's agenda. Conflict: a nominee
        not approved or already decided, a nomination not before the council, a person on hold,
        a title already in the register for that subject and year.
    """
    me = require(actor, Perm.ISSUE_DECISIONS)
    code, name, signer, post, text = _check_decision_input(
        issuer_code=issuer_code, issuer_name=issuer_name, decided_on=decided_on, signer_name=signer_name,
        signer_title=signer_title, basis=basis, today=_today(now))
    ids = _ids(nominee_ids)
    if session_id is not None:
        if session.get(models.CouncilSession, session_id) is None:
            raise NotFound("This council session does not exist.")
        on_agenda = {n for chunk in _chunks(ids) for n in session.exec(select(models.AgendaItem.nominee_id).where(
            models.AgendaItem.session_id == session_id, models.AgendaItem.nominee_id.in_(chunk)))}
        if set(ids) - on_agenda:
            raise Invalid("Some of the nominees chosen were not on the agenda of this council session.",
                          {"session_id": N_("Not valid")})
    picks = _picks(session, ids, upward=False)
    for pick in picks:
        if decided_on.year < pick.year:
            raise Invalid("A title for {year} cannot be decided before that year ({day}).",
                          {"decided_on": N_("Too early")}, year=pick.year, day=formats.day(decided_on))
    holds = _holds_in_force(session, sorted({p.person.id for p in picks if p.person is not None}), decided_on)
    for pick in picks:
        if pick.person is not None and pick.person.id in holds:
            raise Conflict("{name} is on hold ({reason}): no award can be decided until the hold is lifted.",
                           name=pick.name, reason=rules.HOLD_NAMES.get(holds[pick.person.id], N_("unknown")))
    held = _held_awards(session, picks)
    for pick in picks:
        for h in held.get((pick.key, pick.year), []):
            # A revoked award stays in the register as it was; the title may be decided again.
            if h.title_id == pick.title.id and not h.revoked:
                raise Conflict("{title} for {year} is already in the register for {name}.",
                               title=pick.title.abbreviation, year=pick.year, name=pick.name)
    base = rules.base_salary_on(queries.base_salaries(session), decided_on)
    if base is None and any(p.rule.coefficient_pct for p in picks):
        raise Conflict("No base salary is recorded for {day}; an officer enters it in the catalogue first.",
                       day=formats.day(decided_on))
    bonuses = {p.nominee.id: rules.bonus(p.rule.coefficient_pct, base) if base is not None else 0 for p in picks}
    dues = _dues(picks, held, bonuses)
    initiatives = _initiatives_used(session, picks, _today(now))

    number = _take_number(session, code, decided_on.year)
    reference = rules.decision_number(number, code)
    prev_hash = _last_hash(session)
    _still_approved(session, picks)
    entries = []
    for no, pick in enumerate(picks, start=1):
        due, paid_instead = dues[pick.nominee.id]
        entries.append({
            "no": no, "nominee": pick.nominee.id, "certificate": _new_certificate_code(), "title": pick.title.code,
            "title_id": pick.title.id, "title_name": pick.title.name, "kind": pick.title.kind, "year": pick.year,
            "subject": pick.key, "name": pick.name,
            "code": pick.person.employee_code if pick.person else pick.unit.code,
            "post": pick.person.position if pick.person else "", "unit": pick.unit_name,
            "coefficient_pct": pick.rule.coefficient_pct, "bonus": bonuses[pick.nominee.id], "amount": due.amount,
            "deducted": due.deducted, "paid_instead": paid_instead})
    content = {
        "kind": "commendation_decision", "version": CONTENT_VERSION, "issuer_code": code, "issuer_name": name,
        "year": decided_on.year, "number": number, "reference": reference, "decided_on": decided_on.isoformat(),
        "signer_name": signer, "signer_title": post, "basis": text, "session_id": session_id,
        "base_salary": base or 0, "awards": entries, "total": sum(e["amount"] for e in entries),
    }
    payload = rules.canonical_json(content)
    digest = chain.chain_hash(prev_hash, payload)
    decision = models.Decision(
        issuer_code=code, issuer_name=name, year=decided_on.year, number=number, decided_on=decided_on,
        signer_name=signer, signer_title=post, basis=text, session_id=session_id, content=payload,
        prev_hash=prev_hash, content_hash=digest, created_at=now, created_by_account_id=me.account_id)
    session.add(decision)
    session.flush()
    decision.seal = chain.seal(chain.chain_key(), _decision_sealed(decision))
    session.add(decision)
    awards: list[tuple[_Pick, models.Award, dict]] = []
    for pick, entry in zip(picks, entries, strict=True):
        award = models.Award(
            year=pick.year, title_id=pick.title.id, subject_key=pick.key,
            person_id=pick.person.id if pick.person else None, unit_id=None if pick.person else pick.unit.id,
            decision_ref=reference, decided_on=decided_on, decided_by=name, bonus_amount=entry["amount"],
            source=SOURCE_DECIDED, created_at=now, created_by_account_id=me.account_id, decision_id=decision.id,
            golden_book_no=entry["no"], certificate_code=entry["certificate"])
        session.add(award)
        awards.append((pick, award, entry))
    session.flush()
    for pick, award, _entry in awards:
        pick.nominee.outcome, pick.nominee.award_id = OUTCOME_DECIDED, award.id
        session.add(pick.nominee)
        for initiative_id in initiatives.get(pick.nominee.id, ()):
            initiative = session.get(models.Initiative, initiative_id)
            if initiative is not None and initiative.used_for_award_id is None:
                initiative.used_for_award_id = award.id
                session.add(initiative)
    moved = _move_nominations(session, actor=me, picks=picks, to=DECIDED, reason="", now=now)
    _credit(session, awards, decided_on=decided_on, now=now)
    _tell_awardees(session, awards, reference=reference, decided_on=decided_on, now=now)
    total = content["total"]
    audit.record(session, actor=me, action="commendations.decision.issue", entity="commend_decision",
                 entity_id=decision.id, now=now, reference=reference, year=decided_on.year, awards=len(awards),
                 total=total, nominations=moved, hash=digest)
    session.flush()
    return DecisionResult(
        id=decision.id, number=number, reference=reference, year=decided_on.year, decided_on=decided_on,
        content_hash=digest, total_amount=total,
        awards=tuple(DecidedAward(award_id=a.id, nominee_id=p.nominee.id, golden_book_no=a.golden_book_no,
                                  certificate_code=a.certificate_code, amount=a.bonus_amount) for p, a, _e in awards))


def _still_approved(session: Session, picks: Sequence[_Pick]) -> None:
    """Read the nominees' outcomes again under the decisions' lock: a decision that committed
    while this one waited may have decided some of them (the unique award per subject, title and
    year stands behind this)."""
    ids = [p.nominee.id for p in picks]
    for chunk in _chunks(ids):
        for nominee_id, outcome in session.exec(select(models.Nominee.id, models.Nominee.outcome)
                                                .where(models.Nominee.id.in_(chunk))):
            if outcome != rules.APPROVED:
                pick = next(p for p in picks if p.nominee.id == nominee_id)
                raise Conflict("{name} has already been awarded {title} by a decision.", name=pick.name,
                               title=pick.title.abbreviation)


def _credit(session: Session, awards: Sequence[tuple[_Pick, models.Award, dict]], *, decided_on: date,
            now: datetime) -> None:
    """Points for every award, after locking every person and unit they touch in the one global order
    (``scoring.lock_credits``: persons by id, then units by path), so that crediting several in one
    transaction cannot deadlock against a concurrent single credit."""
    occurred = _occurred_at(decided_on, now)
    scoring.lock_credits(session, person_ids=[a.person_id for _p, a, _e in awards if a.person_id is not None],
                         unit_ids=[a.unit_id for _p, a, _e in awards if a.unit_id is not None])
    ordered = sorted(awards, key=lambda item: (item[1].person_id is None, item[1].person_id or item[1].unit_id,
                                               item[1].id))
    for pick, award, _entry in ordered:
        quantity = float(rules.award_points_quantity(pick.rule.coefficient_pct))
        if award.person_id is not None:
            scoring.record_points(session, person_id=award.person_id, source=Source.COMMENDATION,
                                  source_ref=f"award:{award.id}", occurred_at=occurred, now=now, quantity=quantity)
        else:
            scoring.record_unit_points(session, unit_id=award.unit_id, source=Source.COMMENDATION,
                                       source_ref=f"award:{award.id}", occurred_at=occurred, now=now,
                                       quantity=quantity)


def _tell_awardees(session: Session, awards: Sequence[tuple[_Pick, models.Award, dict]], *, reference: str,
                   decided_on: date, now: datetime) -> None:
    heads = _unit_heads(session, [a.unit_id for _p, a, _e in awards if a.unit_id is not None])
    messages = []
    for pick, award, _entry in awards:
        body = N_("Decision {ref} of {day}; golden book no. {no}; certificate code {code}.", ref=reference,
                  day=formats.day(decided_on), no=award.golden_book_no, code=award.certificate_code)
        link = documents.verify_award_path(award.certificate_code)
        if award.person_id is not None:
            messages.append(notify.Message(
                person_id=award.person_id, category="commendations", kind="commendations.award.decided",
                subject_ref=f"award:{award.id}", title=N_("You have been awarded {title} for {year}",
                                                          title=pick.title.name, year=award.year),
                body=body, link=link))
        else:
            messages.extend(notify.Message(
                person_id=head, category="commendations", kind="commendations.award.unit_decided",
                subject_ref=f"award:{award.id}", title=N_("{unit} has been awarded {title} for {year}",
                                                          unit=pick.unit.name, title=pick.title.name,
                                                          year=award.year),
                body=body, link=link) for head in heads.get(award.unit_id, []))
    notify.notify_many(session, sorted(messages, key=lambda m: m.person_id), now=now)


# --- proposing upward ----------------------------------------------------------------------------


def _votes(session: Session, nominee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The council's last closed count per nominee: (agree, all members)."""
    out: dict[int, tuple[int, int]] = {}
    ids = list(nominee_ids)
    for chunk in _chunks(ids):
        rows = session.exec(select(models.AgendaItem.nominee_id, models.Tally).join(
            models.Tally, models.Tally.item_id == models.AgendaItem.id).where(
            models.AgendaItem.nominee_id.in_(chunk), models.Tally.closed_at.is_not(None))
            .order_by(models.Tally.closed_at, models.Tally.round)).all()
        for nominee_id, tally in rows:
            out[nominee_id] = (tally.agree, tally.members_total)
    return out


def _report(nominee: models.Nominee) -> dict:
    try:
        report = json.loads(nominee.report or "{}")
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def _upward_data(session: Session, picks: Sequence[_Pick], today: date) -> dict:
    votes = _votes(session, [p.nominee.id for p in picks])
    rows = []
    for no, pick in enumerate(picks, start=1):
        agree, members = votes.get(pick.nominee.id, (0, None))
        report = _report(pick.nominee)
        lines = [(rules.REPORT_FIELD_NAMES[name].render(), str(report[name]))
                 for name in rules.report_fields(pick.title.subject) if str(report.get(name, "")).strip()]
        rows.append({"no": no, "name": pick.name, "code": pick.person.employee_code if pick.person else pick.unit.code,
                     "unit": pick.unit_name, "post": pick.person.position if pick.person else "",
                     "title": pick.title.name, "year": pick.year, "agree": agree, "members": members,
                     "report": lines, "achievements": str(report.get("achievements", ""))})
    return {"org_name": get_settings().org_name, "prepared_on": today, "nominees": rows}


def _dossier(data: dict, *, name: str, lang: str | None) -> tuple[bytes, bytes, str, str]:
    return (documents.upward_pdf(data, lang), documents.upward_xlsx(data, lang), f"{name}.pdf", f"{name}.xlsx")


def propose_upward(session: Session, *, actor: Actor | None, nominee_ids: Sequence[int], now: datetime,
                   lang: str | None = None) -> UpwardDossier:
    """Propose the council's approved nominees for titles a higher authority decides, and make
    the dossier it receives: one PDF (the list, each achievement report and the council's vote)
    and the list as XLSX.

    Nominees become "proposed", and a nomination "proposed" once none of its nominees waits.

    Raises:
        NotAllowed: not an officer. NotFound: a nominee. Invalid: a title this organisation
        decides (issue a decision instead). Conflict: not approved, already decided or proposed,
        a nomination not before the council.
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    picks = _picks(session, _ids(nominee_ids), upward=True)
    for pick in picks:
        pick.nominee.outcome = OUTCOME_PROPOSED
        session.add(pick.nominee)
    moved = _move_nominations(session, actor=me, picks=picks, to=PROPOSED, reason="", now=now)
    audit.record(session, actor=me, action="commendations.nomination.propose_upward", entity="commend_nominee",
                 now=now, nominees=[p.nominee.id for p in picks], nominations=moved)
    session.flush()
    data = _upward_data(session, picks, _today(now))
    pdf, xlsx, pdf_name, xlsx_name = _dossier(data, name=f"de-nghi-khen-thuong-{_today(now).isoformat()}", lang=lang)
    return UpwardDossier(nominee_ids=tuple(p.nominee.id for p in picks), pdf=pdf, xlsx=xlsx, pdf_name=pdf_name,
                         xlsx_name=xlsx_name)


def upward_dossier(session: Session, *, actor: Actor | None, nomination_id: int, now: datetime,
                   lang: str | None = None) -> UpwardDossier:
    """The dossier of a nomination already proposed upward, made again (for a second copy).

    Raises:
        NotAllowed: not an officer. NotFound: no such nomination, or none of its nominees proposed.
    """
    require(actor, Perm.PROCESS_NOMINATIONS)
    nominees = list(session.exec(select(models.Nominee.id).where(models.Nominee.nomination_id == nomination_id,
                                                                 models.Nominee.outcome == OUTCOME_PROPOSED)))
    if not nominees:
        raise NotFound("This nomination has no nominee proposed to the higher level.")
    picks = _load(session, nominees)
    data = _upward_data(session, picks, _today(now))
    pdf, xlsx, pdf_name, xlsx_name = _dossier(data, name=f"de-nghi-khen-thuong-{nomination_id}", lang=lang)
    return UpwardDossier(nominee_ids=tuple(p.nominee.id for p in picks), pdf=pdf, xlsx=xlsx, pdf_name=pdf_name,
                         xlsx_name=xlsx_name)


# --- revocation -------------------------------------------------------------------------------------


def revoke(session: Session, *, actor: Actor | None, award_id: int, ground: str, reason: str,
           refund_amount: int | None = None, now: datetime) -> Revocation:
    """Revoke (hủy bỏ) an award decided here, on a legal ground of Law 06/2022 Art. 93(1).

    The award is kept and marked revoked with the ground, the reason, who and when, and the
    money to recover (by default all it paid); its points are reversed, its initiatives freed,
    and the awardee (or the unit's heads) told. The verify page then says "revoked".

    Raises:
        NotAllowed: not an officer. NotFound: no such award. Invalid: no ground of the law, no
        reason, a refund out of range. Conflict: already revoked, or not decided by this
        organisation (a higher authority's award is corrected in the register of titles).
    """
    me = require(actor, Perm.ISSUE_DECISIONS)
    award = session.get(models.Award, award_id) if isinstance(award_id, int) and award_id > 0 else None
    if award is None:
        raise NotFound("This award is not in the register.")
    if award.revoked_at is not None:
        raise Conflict("This award was already revoked on {day}.", day=formats.day(award.revoked_at))
    if award.source != SOURCE_DECIDED or award.decision_id is None:
        raise Conflict("This award was not decided by this organisation; the authority that decided it revokes it, "
                       "and the register of titles records that.")
    if not isinstance(ground, str) or ground not in rules.REVOCATION_GROUNDS:
        raise Invalid("Choose the legal ground of the revocation (Law on Emulation and Commendation, Art. 93).",
                      {"ground": N_("Choose one")})
    text = limits.clean_line(str(reason or ""), limit=rules.AWARD_REVOKE_REASON_MAX, what=N_("reason"), field="reason")
    if not text:
        raise Invalid("Say why the award is revoked (the finding and the document that establishes it).",
                      {"reason": N_("Required")})
    refund = rules.check_refund(award.bonus_amount if refund_amount is None else refund_amount, award.bonus_amount)
    award.revoked_at, award.revoked_reason, award.revoked_ground = now, text, ground
    award.refund_amount, award.revoked_by_account_id = refund, me.account_id
    session.add(award)
    for initiative in session.exec(select(models.Initiative).where(models.Initiative.used_for_award_id == award.id)):
        initiative.used_for_award_id = None
        session.add(initiative)
    taken = scoring.reverse_points(session, source=Source.COMMENDATION, source_ref=f"award:{award.id}",
                                   reason=f"Award revoked ({ground})", now=now, actor=me)
    title = session.get(models.Title, award.title_id)
    body = N_("Ground: {ground}. Amount to refund: {amount} VND.", ground=rules.REVOCATION_GROUNDS[ground],
              amount=formats.number(refund, 0))
    recipients = [award.person_id] if award.person_id is not None else _unit_heads(session, [award.unit_id]).get(
        award.unit_id, [])
    notify.notify_many(session, [notify.Message(
        person_id=pid, category="commendations", kind="commendations.award.revoked", subject_ref=f"award:{award.id}",
        title=N_("{title} for {year} ({ref}) has been revoked", title=title.name, year=award.year,
                 ref=award.decision_ref), body=body, link=documents.verify_award_path(award.certificate_code or ""),
        mandatory=True) for pid in sorted(recipients)], now=now)
    audit.record(session, actor=me, action="commendations.award.revoke", entity="commend_award", entity_id=award.id,
                 now=now, ground=ground, reason=text, refund=refund, points=taken)
    session.flush()
    return Revocation(award_id=award.id, ground=ground, refund_amount=refund, points_reversed=taken)


# --- tamper evidence --------------------------------------------------------------------------------

#: Decision columns the content must agree with: (column, content key, how the column reads, its name).
_COLUMNS = (
    ("issuer_code", "issuer_code", str, N_("issuer's code")),
    ("issuer_name", "issuer_name", str, N_("issuer")),
    ("year", "year", int, N_("year")),
    ("number", "number", int, N_("number")),
    ("signer_name", "signer_name", str, N_("signer")),
    ("signer_title", "signer_title", str, N_("signer's title")),
    ("basis", "basis", str, N_("legal basis")),
    ("session_id", "session_id", lambda v: v, N_("council session")),
    ("decided_on", "decided_on", lambda v: v.isoformat(), N_("date")),
)


def _content(decision: models.Decision) -> dict | None:
    """A decision's decided content, or None when it can no longer be read."""
    try:
        content = json.loads(decision.content)
    except ValueError:
        return None
    return content if isinstance(content, dict) else None


def _decision_problems(decision: models.Decision, awards: Sequence[models.Award]) -> list[str]:
    """What in the decision's row or its awards no longer matches its hashed content."""
    content = _content(decision)
    if content is None:
        return [_("the decided content cannot be read")]
    problems = []
    for column, key, cast, label in _COLUMNS:
        if cast(getattr(decision, column)) != content.get(key):
            problems.append(_("the decision's {field} differs from what was decided", field=label))
    by_code = {a.certificate_code: a for a in awards}
    entries = content.get("awards", [])
    for entry in entries:
        award = by_code.get(entry.get("certificate"))
        if award is None:
            problems.append(_("award no. {no} ({name}) of the annex is missing from the register", no=entry.get("no"),
                              name=entry.get("name", "")))
            continue
        if (award.subject_key, award.title_id, award.year, award.bonus_amount, award.golden_book_no,
                award.decision_ref, award.decided_on.isoformat()) != (
                entry.get("subject"), entry.get("title_id"), entry.get("year"), entry.get("amount"), entry.get("no"),
                content.get("reference"), content.get("decided_on")):
            problems.append(_("award no. {no} ({name}) differs from the decision's annex", no=entry.get("no"),
                              name=entry.get("name", "")))
    if len(awards) != len(entries):
        problems.append(_("the register holds {have} awards of this decision, the annex {want}", have=len(awards),
                          want=len(entries)))
    return problems


def _awards_of(session: Session, decision_ids: Sequence[int]) -> dict[int, list[models.Award]]:
    out: dict[int, list[models.Award]] = defaultdict(list)
    for chunk in _chunks(decision_ids):
        for award in session.exec(select(models.Award).where(models.Award.decision_id.in_(chunk))):
            out[award.decision_id].append(award)
    return out


def _label(decision: models.Decision) -> str:
    return f"{rules.decision_number(decision.number, decision.issuer_code)} ({decision.year})"


#: The kind of record a decision's seal and the chain's head name.
DECISION_CHAIN_KIND = "decisions"
#: ``verify_decisions(key=...)`` default: the installation's chain key.
INSTALLATION_KEY = object()


def _decision_sealed(decision: models.Decision) -> dict:
    """What a decision's seal covers: its id and hashes (the hashed content holds the rest, and
    the row and its awards are compared with that content)."""
    return {"kind": DECISION_CHAIN_KIND, "id": decision.id, "prev": decision.prev_hash,
            "hash": decision.content_hash}


def _decision_links(decisions: Sequence[models.Decision]) -> list[chain.ChainLink]:
    return [chain.ChainLink(seq=i, code=_label(d), prev_hash=d.prev_hash, content_hash=d.content_hash,
                            payload=d.content, seal=d.seal or "", sealed=_decision_sealed(d))
            for i, d in enumerate(decisions, start=1)]


def decision_audit_head(session: Session) -> chain.ChainHead | None:
    """The newest head of the decision chain published in the audit log (None: never)."""
    row = session.exec(select(audit.AuditEntry.detail).where(
        audit.AuditEntry.action == "chain.head", audit.AuditEntry.entity == DECISION_CHAIN_KIND)
        .order_by(audit.AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        head = chain.head_from(json.loads(row))
    except ValueError:
        head = None
    return head or chain.ChainHead(kind=DECISION_CHAIN_KIND, count=0, last_hash="", at="?", seal="")


def current_decision_head(session: Session, *, now: datetime) -> chain.ChainHead:
    """The decision chain's head now, sealed (for a checkpoint file and the audit log)."""
    last = session.exec(select(models.Decision.content_hash).order_by(models.Decision.id.desc()).limit(1)).first()
    count = session.exec(select(sa.func.count()).select_from(models.Decision)).one()
    return chain.make_head(chain.chain_key(), kind=DECISION_CHAIN_KIND, count=count, last_hash=last or "", now=now)


def publish_decision_head(session: Session, *, now: datetime, force: bool = False) -> chain.ChainHead | None:
    """Write the decision chain's sealed head to the audit log; None when it did not change."""
    head = current_decision_head(session, now=now)
    previous = decision_audit_head(session)
    if not force and previous is not None and (previous.count, previous.last_hash) == (head.count, head.last_hash):
        return None
    audit.record(session, actor=None, action="chain.head", entity=DECISION_CHAIN_KIND, entity_id=head.count,
                 now=now, **head.as_dict())
    session.flush()
    return head


def seal_existing_decisions(session: Session, *, now: datetime) -> int:
    """Seal the decisions issued before seals existed (``engagement seal-chains``, once).

    Like ``commitments.service.seal_existing``: only the leading run of unsealed decisions,
    only while the chain and the register hold, and only once.

    Raises:
        Conflict: the chain is broken, or this already ran.
    """
    if session.exec(select(audit.AuditEntry.id).where(audit.AuditEntry.action == "chain.seal_existing",
                                                      audit.AuditEntry.entity == DECISION_CHAIN_KIND)).first():
        raise Conflict("The decisions issued before seals were sealed already; this runs only once.")
    report = verify_decisions(session, key=None)
    if not report.ok:
        raise Conflict("The decision chain is broken ({n} problems); it cannot be sealed as it is.",
                       n=len(report.breaks))
    sealed = 0
    for decision in session.exec(select(models.Decision).order_by(models.Decision.id)):
        if decision.seal:
            break
        decision.seal = chain.seal(chain.chain_key(), _decision_sealed(decision))
        session.add(decision)
        sealed += 1
    audit.record(session, actor=None, action="chain.seal_existing", entity=DECISION_CHAIN_KIND, entity_id=sealed,
                 now=now)
    session.flush()
    publish_decision_head(session, now=now, force=True)
    return sealed


def verify_decisions(session: Session, *, key: object = INSTALLATION_KEY,
                     checkpoint: chain.ChainHead | None = None) -> DecisionChainReport:
    """Check every decision: its content still gives its hash and follows the previous decision;
    its seal holds under the chain key; its row and its awards still say what was decided; each
    issuer's numbers of a year run from 1 without a gap up to the last number taken; and the
    chain still holds every decision the newest published head (audit log) and ``checkpoint``
    counted.

    For the ``engagement`` verify command (server authority) and the officers' page; problems are
    written in the current language.

    Args:
        session: a read session.
        key: the chain key (default: the installation's); None checks the hashes only.
        checkpoint: a head from an archived checkpoint file to compare with.
    """
    chain_key = chain.chain_key() if key is INSTALLATION_KEY else key
    decisions = list(session.exec(select(models.Decision).order_by(models.Decision.id)))
    links = _decision_links(decisions)
    breaks = [f"{b.code}: {b.problem}" for b in chain.find_breaks(links, texts=DECISION_BREAKS, key=chain_key)]
    head_text = ""
    if chain_key is not None:
        published = decision_audit_head(session)
        for where, head in ((_("audit log"), published), (_("checkpoint file"), checkpoint)):
            if head is None:
                continue
            problems = ([_("the checkpoint is of {kind}, not of decisions", kind=head.kind)]
                        if head.kind != DECISION_CHAIN_KIND else
                        chain.check_head(chain_key, head, links, texts=DECISION_BREAKS))
            breaks.extend(f"{where}: {p}" for p in problems)
        if published is not None:
            head_text = _("Last published head: {count} decisions, last hash {hash}, at {at}",
                          count=published.count, hash=published.last_hash[:16], at=published.at)
    awards = _awards_of(session, [d.id for d in decisions])
    for decision in decisions:
        breaks.extend(f"{_label(decision)}: {p}" for p in _decision_problems(decision, awards.get(decision.id, [])))
    numbers: dict[tuple[str, int], set[int]] = defaultdict(set)
    for decision in decisions:
        numbers[(decision.issuer_code, decision.year)].add(decision.number)
    counters = {(c.issuer_code, c.year): c.last for c in session.exec(select(models.DecisionCounter))}
    for key in sorted(set(numbers) | set(counters)):
        have, last = numbers.get(key, set()), max(counters.get(key, 0), max(numbers.get(key, {0})))
        gaps = sorted(set(range(1, last + 1)) - have)
        if gaps:
            breaks.append(_("{issuer} {year}: decision numbers {numbers} are missing", issuer=key[0], year=key[1],
                            numbers=", ".join(str(n) for n in gaps[:20])))
    orphans = session.exec(select(sa.func.count()).select_from(models.Award).where(
        models.Award.source == SOURCE_DECIDED, models.Award.decision_id.is_(None))).one()
    if orphans:
        breaks.append(_("{n} decided awards belong to no decision", n=orphans))
    return DecisionChainReport(checked=len(decisions), breaks=breaks, head=head_text)


def decision_chain_report(session: Session, *, actor: Actor | None) -> DecisionChainReport:
    """``verify_decisions`` for the officers' page.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.ISSUE_DECISIONS)
    return verify_decisions(session)


def _intact(session: Session, decision: models.Decision) -> bool:
    """One decision's own link: its content gives its hash, it follows its predecessor, its successor
    follows it, and its row and awards match the content."""
    prev = session.exec(select(models.Decision.content_hash).where(models.Decision.id < decision.id)
                        .order_by(models.Decision.id.desc()).limit(1)).first()
    nxt = session.exec(select(models.Decision.prev_hash).where(models.Decision.id > decision.id)
                       .order_by(models.Decision.id).limit(1)).first()
    if decision.prev_hash != (prev or chain.GENESIS_HASH):
        return False
    if nxt is not None and nxt != decision.content_hash:
        return False
    if chain.chain_hash(decision.prev_hash, decision.content) != decision.content_hash:
        return False
    if decision.seal and not chain.seal_holds(chain.chain_key(), _decision_sealed(decision), decision.seal):
        return False
    return not _decision_problems(decision, _awards_of(session, [decision.id]).get(decision.id, []))


def verify_certificate(session: Session, code: str) -> CertificateCheck:
    """What the public verify page shows for a certificate code; no login needed.

    Says whether the award stands (valid), was revoked (with the day and ground), or no longer
    matches its decision; with the name, title, year, decision number and date and the issuer.
    Never the amount.
    """
    clean = rules.normalise_certificate_code(code)
    if clean is None:
        return CertificateCheck(found=False)
    award = session.exec(select(models.Award).where(models.Award.certificate_code == clean)).first()
    if award is None or award.decision_id is None:
        return CertificateCheck(found=False)
    decision = session.get(models.Decision, award.decision_id)
    title = session.get(models.Title, award.title_id)
    entry = next((e for e in (_content(decision) or {}).get("awards", []) if e.get("certificate") == clean), {})
    intact = _intact(session, decision)
    revoked = award.revoked_at is not None
    ground = rules.REVOCATION_GROUNDS.get(award.revoked_ground)
    return CertificateCheck(
        found=True, valid=intact and not revoked, revoked=revoked, intact=intact, code=clean,
        name=entry.get("name", ""), unit=entry.get("unit", ""), title=title.name if title else entry.get("title", ""),
        year=award.year, decision_number=award.decision_ref, decided_on=formats.day(award.decided_on),
        issuer=decision.issuer_name, revoked_on=formats.day(award.revoked_at) if revoked else "",
        revoked_ground=ground.render() if revoked and ground else "")


def verify_decision(session: Session, ref: str, *, year: int | None = None) -> DecisionCheck:
    """What the public verify page shows for a decision, by its SHA-256 or its number (``12/QĐ-SNV``).

    A number repeats every year: ``year`` chooses one, else the latest year's decision with that
    number is shown (the page shows its date, so the reader can compare).
    """
    text = str(ref or "").strip()
    decision = None
    if len(text) == 64 and all(ch in "0123456789abcdef" for ch in text.lower()):
        decision = session.exec(select(models.Decision).where(models.Decision.content_hash == text.lower())).first()
    else:
        parsed = rules.parse_decision_number(text)
        if parsed is not None:
            stmt = select(models.Decision).where(models.Decision.number == parsed[0],
                                                 models.Decision.issuer_code == parsed[1])
            if year:
                stmt = stmt.where(models.Decision.year == year)
            decision = session.exec(stmt.order_by(models.Decision.year.desc()).limit(1)).first()
    if decision is None:
        return DecisionCheck(found=False)
    awards = _awards_of(session, [decision.id]).get(decision.id, [])
    return DecisionCheck(
        found=True, intact=_intact(session, decision), reference=rules.decision_number(decision.number,
                                                                                        decision.issuer_code),
        year=decision.year, decided_on=formats.day(decision.decided_on), issuer=decision.issuer_name,
        signer=f"{decision.signer_title} {decision.signer_name}", awards=len(awards),
        revoked=sum(1 for a in awards if a.revoked_at is not None), content_hash=decision.content_hash)


# --- documents ----------------------------------------------------------------------------------------


def _decision_data(decision: models.Decision) -> dict:
    """A decision's document facts, read from its hashed content (exactly what was decided)."""
    content = _content(decision)
    if content is None:
        raise Conflict("This decision's record no longer reads; run the check of the decisions' chain.")
    summary: dict[str, list[int]] = {}
    for entry in content["awards"]:
        counts = summary.setdefault(entry["title_name"], [0, 0])
        counts[0 if entry["subject"].startswith(rules.PERSON_PREFIX) else 1] += 1
    return {
        "issuer_name": content["issuer_name"], "reference": content["reference"],
        "decided_on": date.fromisoformat(content["decided_on"]), "signer_name": content["signer_name"],
        "signer_title": content["signer_title"], "basis": content["basis"],
        "year": ", ".join(str(y) for y in sorted({e["year"] for e in content["awards"]})),
        "summary": [(name, i, c) for name, (i, c) in summary.items()],
        "awards": [{"no": e["no"], "name": e["name"], "unit": e["unit"], "title": e["title_name"],
                    "amount": e["amount"], "deducted": e["deducted"], "paid_instead": e["paid_instead"],
                    "golden_book_no": e["no"]} for e in content["awards"]],
        "total": content["total"],
    }


def decision_pdf(session: Session, *, actor: Actor | None, decision_id: int, lang: str | None = None) -> bytes:
    """The decision with its annex as PDF (officers), in the organisation's language unless ``lang``.

    Raises:
        NotAllowed: not an officer. NotFound: no such decision.
    """
    require(actor, Perm.ISSUE_DECISIONS)
    decision = session.get(models.Decision, decision_id) if isinstance(decision_id, int) else None
    if decision is None:
        raise NotFound("This decision does not exist.")
    return documents.decision_pdf(_decision_data(decision), lang)


def _subject_path(session: Session, award: models.Award) -> str:
    if award.person_id is not None:
        person = session.get(Person, award.person_id)
        unit = session.get(Unit, person.unit_id) if person else None
    else:
        unit = session.get(Unit, award.unit_id)
    return unit.path if unit else ""


def _may_see_award(session: Session, actor: Actor, award: models.Award) -> bool:
    if award.person_id is not None and award.person_id == actor.person_id:
        return True
    if can(actor, Perm.ISSUE_DECISIONS):
        return True
    return can(actor, Perm.VIEW_PERSONNEL, unit_path=_subject_path(session, award))


def certificate_pdf(session: Session, *, actor: Actor | None, award_id: int, lang: str | None = None) -> bytes:
    """The printable certificate of an award decided here: the awardee, their unit heads, officers.

    Raises:
        NotAllowed: anyone else. NotFound: no such award, or not decided here. Conflict: revoked.
    """
    me = require_login(actor)
    award = session.get(models.Award, award_id) if isinstance(award_id, int) else None
    if award is None or award.decision_id is None or not award.certificate_code:
        raise NotFound("This award has no certificate here: it was not decided by this organisation.")
    if not _may_see_award(session, me, award):
        raise NotAllowed("Only the awardee, their unit heads and the emulation officers can print this certificate.")
    if award.revoked_at is not None:
        raise Conflict("This award was revoked on {day}; its certificate cannot be printed.",
                       day=formats.day(award.revoked_at))
    content = _content(session.get(models.Decision, award.decision_id)) or {}
    entry = next((e for e in content.get("awards", []) if e.get("certificate") == award.certificate_code), None)
    if entry is None:
        raise Conflict("This decision's record no longer reads; run the check of the decisions' chain.")
    return documents.certificate_pdf({
        "signer_title": content["signer_title"], "signer_name": content["signer_name"], "kind": entry["kind"],
        "title_name": entry["title_name"], "name": entry["name"], "post": entry.get("post", ""),
        "unit": entry["unit"], "year": entry["year"],
        "reference": content["reference"], "decided_on": date.fromisoformat(content["decided_on"]),
        "golden_book_no": entry["no"], "code": award.certificate_code,
        "url": documents.verify_award_url(award.certificate_code)}, lang)


# --- reads for pages: decisions ------------------------------------------------------------------------


def decision_list(session: Session, *, actor: Actor | None, year: int | None = None, page: int = 1,
                  page_size: int = 50) -> DecisionPage:
    """The decisions recorded, newest first (officers).

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.ISSUE_DECISIONS)
    stmt = select(models.Decision)
    count = select(sa.func.count()).select_from(models.Decision)
    if year:
        stmt, count = stmt.where(models.Decision.year == year), count.where(models.Decision.year == year)
    total = session.exec(count).one()
    size = max(1, min(page_size, 200))
    page = min(max(1, page), max(1, -(-total // size)))
    rows = list(session.exec(stmt.order_by(models.Decision.decided_on.desc(), models.Decision.id.desc())
                             .offset((page - 1) * size).limit(size)))
    counts = dict(session.exec(select(models.Award.decision_id, sa.func.count()).where(
        models.Award.decision_id.in_([d.id for d in rows])).group_by(models.Award.decision_id)).all()) if rows else {}
    out = []
    for d in rows:
        total_amount = (_content(d) or {}).get("total", 0)
        out.append(DecisionRow(id=d.id, reference=rules.decision_number(d.number, d.issuer_code), year=d.year,
                               decided_on=formats.day(d.decided_on), issuer_name=d.issuer_name,
                               signer=f"{d.signer_title} {d.signer_name}", awards=counts.get(d.id, 0),
                               total_amount=total_amount, content_hash=d.content_hash, issuer_code=d.issuer_code,
                               signer_name=d.signer_name, signer_title=d.signer_title))
    return DecisionPage(total=total, page=page, page_size=size, rows=out)


def awaiting_decision(session: Session, *, actor: Actor | None, limit: int = 2000) -> list[AwaitingRow]:
    """The council's approved nominees still waiting (their nomination before the council, not yet
    decided or proposed upward), in the annex order (lower titles first), with the session that
    approved each and its last closed count (officers).

    Raises:
        NotAllowed: not an officer. Conflict: a title without a rule for the nomination's year.
    """
    require(actor, Perm.ISSUE_DECISIONS)
    ids = list(session.exec(
        select(models.Nominee.id).join(models.Nomination, models.Nomination.id == models.Nominee.nomination_id)
        .where(models.Nominee.outcome == rules.APPROVED, models.Nomination.status == COUNCIL)
        .order_by(models.Nominee.id).limit(max(1, min(limit, 5000)))))
    if not ids:
        return []
    picks = _load(session, ids)
    votes = _votes(session, ids)
    approved_in: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(ids):
        for nominee_id, session_id, title in session.exec(
                select(models.AgendaItem.nominee_id, models.CouncilSession.id, models.CouncilSession.title)
                .join(models.CouncilSession, models.CouncilSession.id == models.AgendaItem.session_id)
                .where(models.AgendaItem.nominee_id.in_(chunk), models.AgendaItem.outcome == rules.APPROVED)
                .order_by(models.AgendaItem.id)):
            approved_in[nominee_id] = (session_id, title)
    out = []
    for pick in picks:
        agree, members = votes.get(pick.nominee.id, (0, 0))
        session_id, session_title = approved_in.get(pick.nominee.id, (0, ""))
        out.append(AwaitingRow(
            nominee_id=pick.nominee.id, nomination_id=pick.nomination.id, year=pick.year, title_id=pick.title.id,
            title=pick.title.abbreviation, title_name=pick.title.name, upward=pick.rule.decider == "higher",
            name=pick.name, code=pick.person.employee_code if pick.person else pick.unit.code,
            unit_name=pick.unit_name, session_id=session_id, session_title=session_title, agree=agree,
            members=members or 0))
    return out


def decision_awards(session: Session, *, actor: Actor | None, decision_id: int) -> list[AwardEntry]:
    """The awards of one decision, in the annex order (officers: to print certificates, to revoke).

    Raises:
        NotAllowed: not an officer. NotFound: no such decision.
    """
    require(actor, Perm.ISSUE_DECISIONS)
    decision = session.get(models.Decision, decision_id) if isinstance(decision_id, int) else None
    if decision is None:
        raise NotFound("This decision does not exist.")
    rows = session.exec(_register_stmt(models.Award, models.Title, Person, Unit)
                        .where(models.Award.decision_id == decision.id)
                        .order_by(models.Award.golden_book_no, models.Award.id)).all()
    return _entries(session, rows)


# --- registers and reports ------------------------------------------------------------------------------


def _scope(actor: Actor | None) -> tuple[Actor, sa.ColumnElement[bool] | None]:
    """Whose awards the actor sees in the registers: officers all; unit heads their units'."""
    me = require(actor, Perm.VIEW_PERSONNEL)
    where = reach(me, Perm.VIEW_PERSONNEL)
    if where.org:
        return me, None
    return me, sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths])


def _register_stmt(*columns):
    unit_id = sa.func.coalesce(Person.unit_id, models.Award.unit_id)
    return (select(*columns).select_from(models.Award)
            .join(models.Title, models.Title.id == models.Award.title_id)
            .outerjoin(Person, Person.id == models.Award.person_id)
            .join(Unit, Unit.id == unit_id))


def _entries(session: Session, rows: Sequence[tuple[models.Award, models.Title, Person | None, Unit]]
             ) -> list[AwardEntry]:
    """The register's rows, each unit named with its parent (two "Văn phòng" told apart, exports too)."""
    shown = labels.unit_labels(session, {unit.id for *_r, unit in rows})
    return [_entry(*r, unit_label=shown.get(r[3].id, r[3].name)) for r in rows]


def _entry(award: models.Award, title: models.Title, person: Person | None, unit: Unit, *,
           unit_label: str) -> AwardEntry:
    ground = rules.REVOCATION_GROUNDS.get(award.revoked_ground) if award.revoked_at is not None else None
    return AwardEntry(
        id=award.id, year=award.year, title_id=title.id, title=title.abbreviation, title_name=title.name,
        kind=title.kind, subject=title.subject, name=person.full_name if person else unit_label,
        code=person.employee_code if person else unit.code, unit_name=unit_label, decision_ref=award.decision_ref,
        decided_on=formats.day(award.decided_on), decided_by=award.decided_by, amount=award.bonus_amount,
        amount_text=formats.number(award.bonus_amount, 0), golden_book_no=award.golden_book_no,
        certificate_code=award.certificate_code or "", source=award.source,
        source_label=queries.SOURCE_NAMES.get(award.source, N_("Entered")).render(),
        revoked=award.revoked_at is not None, revoked_on=formats.day(award.revoked_at) if award.revoked_at else "",
        revoked_ground=ground.render() if ground else "", refund_amount=award.refund_amount)


def _filtered(stmt, *, session: Session, scope, year: int | None, unit_id: int | None, title_id: int | None,
              revoked: bool | None):
    if scope is not None:
        stmt = stmt.where(scope)
    if year:
        stmt = stmt.where(models.Award.year == year)
    if title_id:
        stmt = stmt.where(models.Award.title_id == title_id)
    if unit_id:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        stmt = stmt.where(Unit.path.startswith(unit.path))
    if revoked is not None:
        stmt = stmt.where(models.Award.revoked_at.is_not(None) if revoked else models.Award.revoked_at.is_(None))
    return stmt


def awards_register(session: Session, *, actor: Actor | None, year: int | None = None, unit_id: int | None = None,
                    title_id: int | None = None, revoked: bool | None = None, page: int = 1,
                    page_size: int = 50) -> AwardPage:
    """The register of awards by year, unit (and the units below it) and title, paged; newest
    year first, then by title and golden-book number. Officers see all, unit heads their units'.

    Raises:
        NotAllowed: neither an officer nor a unit head. NotFound: the unit.
    """
    _me, scope = _scope(actor)
    filters = {"session": session, "scope": scope, "year": year, "unit_id": unit_id, "title_id": title_id,
               "revoked": revoked}
    total = session.exec(_filtered(_register_stmt(sa.func.count(models.Award.id)), **filters)).one()
    size = max(1, min(page_size, 500))
    page = min(max(1, page), max(1, -(-total // size)))
    rows = session.exec(_filtered(_register_stmt(models.Award, models.Title, Person, Unit), **filters)
                        .order_by(models.Award.year.desc(), models.Title.sort_order, models.Award.decision_id,
                                  models.Award.golden_book_no, models.Award.id)
                        .offset((page - 1) * size).limit(size)).all()
    return AwardPage(total=total, page=page, page_size=size, rows=_entries(session, rows))


def history(session: Session, *, actor: Actor | None, person_id: int | None = None,
            unit_id: int | None = None) -> list[AwardEntry]:
    """A person's or a unit's whole history of awards, every year, newest first (revoked ones marked).

    A person sees their own; a unit's members see their unit's; unit heads and officers those of
    their units.

    Raises:
        NotAllowed: outside the actor's reach. NotFound: no such person or unit. Invalid: neither or both.
    """
    me = require_login(actor)
    if (person_id is None) == (unit_id is None):
        raise Invalid("Choose a person or a unit.")
    if person_id is not None:
        person = session.get(Person, person_id)
        unit = session.get(Unit, person.unit_id) if person else None
        if person is None or unit is None:
            raise NotFound("This person does not exist.")
        if person.id != me.person_id:
            require(me, Perm.VIEW_PERSONNEL, unit_path=unit.path)
        where = models.Award.person_id == person.id
    else:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        if not me.unit_path.startswith(unit.path):
            require(me, Perm.VIEW_PERSONNEL, unit_path=unit.path)
        where = models.Award.unit_id == unit.id
    rows = session.exec(_register_stmt(models.Award, models.Title, Person, Unit).where(where)
                        .order_by(models.Award.year.desc(), models.Title.sort_order, models.Award.id)).all()
    return _entries(session, rows)


REGISTER_HEADERS = (N_("Year"), N_("Title or form"), N_("Full name or unit"), N_("Code"), N_("Unit"),
                    N_("Decision"), N_("Decision date"), N_("Decided by"), N_("Amount (VND)"), N_("Golden book no."),
                    N_("Certificate code"), N_("Source"), N_("Revoked on"), N_("Ground"), N_("To refund (VND)"))
STATISTICS_HEADERS = (N_("Title or form"), N_("Awarding level"), N_("Individuals"), N_("Collectives"),
                      N_("Amount (VND)"), N_("Revoked"), N_("To refund (VND)"))


def export_awards(session: Session, *, actor: Actor | None, fmt: str = "xlsx", year: int | None = None,
                  unit_id: int | None = None, title_id: int | None = None) -> tuple[bytes, str]:
    """The register (filtered as ``awards_register``, every row) as CSV or XLSX; (bytes, file name).

    Raises:
        NotAllowed, NotFound (as ``awards_register``). Invalid: an unknown format.
    """
    if fmt not in ("csv", "xlsx"):
        raise Invalid("Choose CSV or XLSX.", {"fmt": N_("Choose one")})
    _me, scope = _scope(actor)
    rows = session.exec(_filtered(_register_stmt(models.Award, models.Title, Person, Unit), session=session,
                                  scope=scope, year=year, unit_id=unit_id, title_id=title_id, revoked=None)
                        .order_by(models.Award.year.desc(), models.Title.sort_order, models.Award.decision_id,
                                  models.Award.golden_book_no, models.Award.id)).all()
    table = [(e.year, e.title, e.name, e.code, e.unit_name, e.decision_ref, e.decided_on, e.decided_by, e.amount,
              e.golden_book_no, e.certificate_code, e.source_label, e.revoked_on, e.revoked_ground, e.refund_amount)
             for e in _entries(session, rows)]
    name = f"so-khen-thuong-{year or 'tat-ca'}"
    if fmt == "xlsx":
        return to_xlsx(N_("Register of awards"), REGISTER_HEADERS, table), f"{name}.xlsx"
    return to_csv(REGISTER_HEADERS, table), f"{name}.csv"


def statistics(session: Session, *, actor: Actor | None, year: int) -> YearStatistics:
    """The yearly statistics of awards per title and level (who decides it): individuals and
    collectives awarded, the amounts paid, revocations and the money to recover.

    Officers count the whole organisation, unit heads their units.

    Raises:
        NotAllowed: neither an officer nor a unit head.
    """
    _me, scope = _scope(actor)
    rows = session.exec(_filtered(_register_stmt(models.Award, models.Title), session=session, scope=scope,
                                  year=year, unit_id=None, title_id=None, revoked=None)).all()
    versions = _rules_by_title(session, {t.id for _a, t in rows})
    grouped: dict[tuple[int, str], list] = {}
    titles = {}
    for award, title in rows:
        rule = rules.rule_for_year(versions.get(title.id, []), award.year)
        level = rule.decider if rule else "higher"
        counts = grouped.setdefault((title.id, level), [0, 0, 0, 0, 0])
        titles[title.id] = title
        if award.revoked_at is not None:
            counts[3] += 1
            counts[4] += award.refund_amount
            continue
        counts[0 if award.person_id is not None else 1] += 1
        counts[2] += award.bonus_amount
    out = [StatRow(title_id=tid, title=titles[tid].abbreviation, title_name=titles[tid].name, kind=titles[tid].kind,
                   level=level, level_label=LEVEL_NAMES.get(level, N_("unknown")).render(), individuals=c[0],
                   collectives=c[1], amount=c[2], revoked=c[3], refund=c[4])
           for (tid, level), c in sorted(grouped.items(), key=lambda item: (titles[item[0][0]].sort_order,
                                                                             item[0][0], item[0][1]))]
    return YearStatistics(year=year, rows=out, individuals=sum(r.individuals for r in out),
                          collectives=sum(r.collectives for r in out), amount=sum(r.amount for r in out),
                          revoked=sum(r.revoked for r in out))


def export_statistics(session: Session, *, actor: Actor | None, year: int, fmt: str = "xlsx") -> tuple[bytes, str]:
    """``statistics`` as CSV or XLSX; (bytes, file name).

    Raises:
        NotAllowed (as ``statistics``). Invalid: an unknown format.
    """
    if fmt not in ("csv", "xlsx"):
        raise Invalid("Choose CSV or XLSX.", {"fmt": N_("Choose one")})
    stats = statistics(session, actor=actor, year=year)
    table = [(f"{r.title} — {r.title_name}", r.level_label, r.individuals, r.collectives, r.amount, r.revoked,
              r.refund) for r in stats.rows]
    table.append((N_("Total").render(), "", stats.individuals, stats.collectives, stats.amount, stats.revoked,
                  sum(r.refund for r in stats.rows)))
    name = f"thong-ke-khen-thuong-{year}"
    if fmt == "xlsx":
        return to_xlsx(N_("Awards {year}", year=year), STATISTICS_HEADERS, table), f"{name}.xlsx"
    return to_csv(STATISTICS_HEADERS, table), f"{name}.csv"
