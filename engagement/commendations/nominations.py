"""Commendations part 2 (issue 15): nominations (hồ sơ đề nghị), their review and the public notice.

A unit head (or an officer) proposes people or units of the proposing unit's subtree for a
title of a year (``create_nomination``, ``add_nominee``). Each nominee carries its part-1
eligibility, computed by the same engine as the eligibility list and stored with every reason,
and a snapshot of the evidence the app holds (the year's rating, commitment, points and rank,
recognitions, citizens' ratings, green activities, initiatives, prior titles); an achievement
report with the fields of Decree 152's form 05 (or the collective form); attachments (PDF or
images). A held person cannot be proposed at all; an ineligible one only with an officer's
written override of exactly one missed criterion.

The dossier then moves through ``rules.NOMINATION_FLOW``: submitted (a version of the whole
dossier is kept, with its SHA-256) -> received (the appraisal deadline: 20 working days) ->
returned for completion (with a reason) | appraised per nominee -> public notice (a page anyone
may comment on, rate-limited like citizens' thanks) -> the council (council.py). Every move is
a ``NominationEvent`` with who, when and why, and every write is audited.

Services: ``verb(session, *, actor, ..., now)``; the caller's ``unit_of_work`` commits. Reads for
pages return the frozen dataclasses below. The public notice's reads and writes take no actor.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.commendations import models, queries, rules
from engagement.commendations.evidence import evidence as person_evidence
from engagement.commendations.rules import COLLECTIVE, INDIVIDUAL
from engagement.core import audit, files, formats, limits, routes, workdays
from engagement.core.access import Actor, Perm, Role, can, reach, require
from engagement.core.db import lock_key
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from engagement.core.files import StoredFile
from engagement.core.i18n import N_, Msg
from engagement.core.paging import Page
from engagement.core.secrets import keyed_hash
from engagement.green import queries as green_queries
from engagement.notify import service as notify
from engagement.org import labels
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.scoring import leaderboard as scoring_leaderboard
from engagement.scoring import rules as scoring_rules

# --- settings and calendar ----------------------------------------------------------------------

#: Working days to appraise a complete dossier (Decree 98/2023 Art. 32(2); QĐ 638/QĐ-BNV).
APPRAISAL_DAYS = 20
#: Working days a public notice stays open by default (Decree 98/2023 Art. 46).
NOTICE_DAYS = 10
#: A reminder is due when the appraisal deadline is this many working days away, or past.
REMINDER_DAYS = 3
#: Public comments from one network per day (as citizens' thanks).
COMMENTS_PER_CLIENT_PER_DAY = 5
PAGE_SIZE = 25
#: The purpose attachments are stored under (the /files route asks ``may_see_nomination_file``).
NOMINATION_FILE = "commendations.nomination"

# The organisation's public holidays on working days: one table for every feature (core.workdays).
HOLIDAYS: frozenset[date] = workdays.HOLIDAYS

#: Statuses in which the proposer still edits the dossier.
EDITABLE = (rules.DRAFT, rules.RETURNED)
#: Statuses in which an officer may still override a nominee's eligibility.
OVERRIDABLE = (rules.DRAFT, rules.RETURNED, rules.SUBMITTED, rules.RECEIVED)
#: Nominations that are still alive (a nominee cannot be proposed twice for one title and year).
CLOSED_STATUSES = (rules.CLOSED,)
APPRAISALS = (rules.APPRAISED_ELIGIBLE, rules.APPRAISED_INELIGIBLE)

APPRAISAL_NAMES: dict[str, Msg] = {
    "": N_("Not appraised yet"),
    rules.APPRAISED_ELIGIBLE: N_("Appraised: eligible"),
    rules.APPRAISED_INELIGIBLE: N_("Appraised: not eligible"),
}

#: How the green-office evidence reads when no bulk read exists for people.
GREEN_NOT_AVAILABLE = "green.queries has no bulk per-person count yet"


# --- what pages read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NominationRow:
    """One nomination in a list."""

    id: int
    year: int
    title: str
    unit_name: str
    reference: str
    status: str
    status_label: str
    nominees: int
    version: int
    due_on: str
    overdue: bool
    updated_at: str


@dataclass(frozen=True)
class NominationPage(Page):
    """A page of nominations."""

    rows: list[NominationRow] = field(default_factory=list)


@dataclass(frozen=True)
class ReportField:
    """One field of an achievement report, with its label."""

    name: str
    label: str
    value: str
    max_length: int


@dataclass(frozen=True)
class FileRow:
    """An attachment."""

    id: int
    file_id: int
    nominee_id: int
    label: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class EventRow:
    """One move of the dossier."""

    at: str
    from_label: str
    to_label: str
    reason: str
    version: int
    actor_name: str


@dataclass(frozen=True)
class VersionRow:
    """One submitted version."""

    version: int
    submitted_at: str
    sha256: str


@dataclass(frozen=True)
class CommentRow:
    """A public comment on a notice, with its answer."""

    id: int
    notice_id: int
    nominee_id: int
    nominee_name: str
    name: str
    contact: str
    text: str
    created_at: str
    answer: str
    answered_at: str


@dataclass(frozen=True)
class NomineeView:
    """A nominee in the dossier: eligibility with every reason, the override, the appraisal,
    the report and the evidence snapshot."""

    id: int
    subject: str  # individual | collective
    person_id: int
    unit_id: int
    name: str
    unit_name: str
    eligibility: str
    eligibility_label: str
    reasons: list[str]
    missed: int
    may_override: bool
    override_reason: str
    appraisal: str
    appraisal_label: str
    appraisal_note: str
    outcome: str
    report: list[ReportField]
    report_missing: list[str]
    evidence: dict


@dataclass(frozen=True)
class Dossier:
    """One nomination as the proposer, the officers and the council see it."""

    id: int
    year: int
    title_id: int
    title: str
    title_name: str
    subject: str
    occasion: str
    occasion_label: str
    occasion_ref: str
    unit_id: int
    unit_name: str
    reference: str
    summary: str
    status: str
    status_label: str
    version: int
    due_on: str
    nominees: list[NomineeView]
    files: list[FileRow]
    events: list[EventRow]
    versions: list[VersionRow]
    comments: list[CommentRow]
    can_edit: bool
    can_process: bool


@dataclass(frozen=True)
class NoticeNominee:
    """A nominee as the public notice lists them."""

    nominee_id: int
    name: str
    unit_name: str
    title: str
    summary: str


@dataclass(frozen=True)
class NoticePage:
    """The public notice page."""

    title: str
    opens_on: str
    closes_on: str
    is_open: bool
    nominees: list[NoticeNominee]


@dataclass(frozen=True)
class NoticeCreated:
    """What ``publish_notice`` returns: the notice's id, its public token and its dates."""

    id: int
    token: str
    opens_on: date
    closes_on: date
    nominees: int


@dataclass(frozen=True)
class DueRow:
    """A received nomination whose appraisal deadline is near or past (for the reminder job)."""

    nomination_id: int
    title: str
    unit_name: str
    due_on: date
    overdue: bool
    #: Who is reminded: the officer who received it, or every emulation officer when that
    #: account no longer processes nominations.
    holder_ids: tuple[int, ...] = ()


# --- small helpers --------------------------------------------------------------------------------


def _today(now: datetime) -> date:
    return queries.today(now)


def _msg_data(value: Any) -> Any:
    """A message (and the messages among its parameters) as JSON data, to render later for any reader."""
    if isinstance(value, Msg):
        data: dict[str, Any] = {"msgid": value.msgid, "params": {k: _msg_data(v) for k, v in value.params.items()}}
        if value.plural is not None:
            data["plural"], data["n"] = value.plural, value.n
        return data
    return value


def _msg_of(data: Any) -> Any:
    """The inverse of ``_msg_data``."""
    if isinstance(data, dict) and "msgid" in data:
        return Msg(data["msgid"], {k: _msg_of(v) for k, v in (data.get("params") or {}).items()},
                   data.get("plural"), data.get("n"))
    return data


def _joined(parts: list[Msg]) -> Msg:
    if len(parts) == 1:
        return parts[0]
    return N_("{first}; {rest}", first=parts[0], rest=_joined(parts[1:]))


def _loads(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> int | None:
    """A record id from a caller (a handler's argument is hostile): a positive int, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _nomination(session: Session, nomination_id: Any) -> models.Nomination:
    row = session.get(models.Nomination, _id(nomination_id)) if _id(nomination_id) else None
    if row is None:
        raise NotFound("This nomination does not exist.")
    return row


def _nominee(session: Session, nominee_id: Any) -> tuple[models.Nominee, models.Nomination]:
    row = session.get(models.Nominee, _id(nominee_id)) if _id(nominee_id) else None
    if row is None:
        raise NotFound("This nominee is not in any nomination.")
    return row, session.get(models.Nomination, row.nomination_id)


def _unit_of(session: Session, nomination: models.Nomination) -> Unit:
    return session.get(Unit, nomination.unit_id)


def _require_proposer(session: Session, actor: Actor | None, nomination: models.Nomination) -> Actor:
    """A unit head of the proposing unit (or above it), or an officer."""
    require(actor, Perm.NOMINATE)
    return require(actor, Perm.NOMINATE, unit_path=_unit_of(session, nomination).path)


def _require_editable(nomination: models.Nomination) -> None:
    if nomination.status not in EDITABLE:
        raise Conflict("This nomination is “{status}”: it can be changed only as a draft or after it is returned "
                       "for completion.", status=rules.NOMINATION_NAMES[nomination.status])


def _title(session: Session, title_id: Any) -> models.Title:
    title = session.get(models.Title, _id(title_id)) if _id(title_id) else None
    if title is None or not title.is_active:
        raise NotFound("This title is not in the catalogue, or it has been retired.")
    return title


def _rule(session: Session, title: models.Title, year: int) -> rules.RuleVersion | None:
    versions = [queries.version_of(r) for r in session.exec(select(models.TitleRule).where(
        models.TitleRule.title_id == title.id))]
    return rules.rule_for_year(versions, year)


def _move(session: Session, *, actor: Actor, nomination: models.Nomination, to: str, reason: str = "",
          now: datetime) -> str:
    """Move a nomination (already checked with ``rules.check_move``) and record the event."""
    before = nomination.status
    nomination.status, nomination.updated_at = to, now
    session.add(nomination)
    session.add(models.NominationEvent(nomination_id=nomination.id, at=now, from_status=before, to_status=to,
                                       reason=reason.strip(), version=nomination.version,
                                       actor_account_id=actor.account_id))
    return before


def _proposer_person(session: Session, nomination: models.Nomination) -> int | None:
    if nomination.created_by_account_id is None:
        return None
    account = session.get(Account, nomination.created_by_account_id)
    return account.person_id if account is not None else None


def _names(session: Session, nominees: Sequence[models.Nominee]) -> dict[int, tuple[str, str]]:
    """Nominee id -> (name, unit), a unit named with its parent (two "Văn phòng" told apart)."""
    out: dict[int, tuple[str, str]] = {}
    people = [n.person_id for n in nominees if n.person_id]
    person_rows = {pid: (name, unit_id) for pid, name, unit_id in session.exec(
        select(Person.id, Person.full_name, Person.unit_id).where(Person.id.in_(people)))} if people else {}
    shown = labels.unit_labels(session, {n.unit_id for n in nominees if n.unit_id}
                               | {unit_id for _name, unit_id in person_rows.values()})
    for n in nominees:
        if n.person_id:
            name, unit_id = person_rows.get(n.person_id, ("", 0))
            out[n.id] = (name, shown.get(unit_id, ""))
        else:
            name = shown.get(n.unit_id, "")
            out[n.id] = (name, name)
    return out


# --- eligibility and evidence ------------------------------------------------------------------


@dataclass(frozen=True)
class _Judged:
    status: str
    reasons: tuple[Msg, ...]
    initiative_ids: tuple[int, ...]


def _judge(session: Session, *, title: models.Title, year: int, person: Person | None, unit: Unit,
           today: date) -> _Judged:
    """The part-1 judgement of one nominee: the engine run for the nominee's subtree only."""
    comp = queries.compute(session, year=year, root_path=unit.path, as_of=today, codes={title.code})
    outcome = comp.outcomes.get(title.code)
    subject_id = person.id if person is not None else unit.id
    judgement = outcome.judgements.get(subject_id) if outcome is not None else None
    if judgement is None:
        return _Judged(rules.MISSING, (N_("{title} has no rule for {year}: eligibility cannot be checked",
                                          title=title.abbreviation, year=year),), ())
    return _Judged(judgement.status, judgement.reasons, judgement.initiative_ids)


def _person_facts(session: Session, *, person: Person, year: int) -> dict:
    peers = list(session.exec(select(Person.id).where(Person.unit_id == person.unit_id, Person.is_active.is_(True))
                              .order_by(Person.id).limit(queries.SMALL_TREE)))
    if person.id not in peers:
        peers.append(person.id)
    ev = person_evidence(session, person_ids=peers, year=year).get(person.id)
    rating = session.exec(select(models.Rating.level).where(models.Rating.person_id == person.id,
                                                            models.Rating.year == year)).first()
    initiatives = [{"id": i.id, "title": i.title, "scope": i.scope, "year": i.year, "decision_ref": i.decision_ref,
                    "used": i.used_for_award_id is not None}
                   for i in session.exec(select(models.Initiative).join(
                       models.InitiativeAuthor, models.InitiativeAuthor.initiative_id == models.Initiative.id)
                       .where(models.InitiativeAuthor.person_id == person.id, models.Initiative.year <= year,
                              models.Initiative.year >= year - 5).order_by(models.Initiative.year.desc(),
                                                                           models.Initiative.id))]
    return {
        "rating": rating,
        "commitment": ev.commitment if ev else "none",
        "points": ev.points if ev else 0,
        "rank": ev.rank if ev else None,
        "rank_of": ev.rank_of if ev else 0,
        "rank_among": "unit",
        "recognitions": ev.recognitions if ev else 0,
        "citizen_avg": ev.citizen_avg if ev else "",
        "citizen_count": ev.citizen_count if ev else 0,
        # No bulk per-person count of approved green activities exists in green.queries yet.
        "green": {"available": False, "note": GREEN_NOT_AVAILABLE},
        "initiatives": initiatives,
    }


def _unit_facts(session: Session, *, unit: Unit, year: int) -> dict:
    rating = session.exec(select(models.UnitRating.level).where(models.UnitRating.unit_id == unit.id,
                                                                models.UnitRating.year == year)).first()
    members = session.exec(select(func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id)
                           .where(Unit.path.startswith(unit.path), Person.is_active.is_(True))).one()
    green = sum(n for path, n in green_queries.approved_by_unit(session, first=date(year, 1, 1),
                                                                last=rules.year_end(year))
                if path.startswith(unit.path))
    standing = scoring_leaderboard.unit_standings(session, key=scoring_rules.year_key(date(year, 1, 1)),
                                                  prev_key=None).get(unit.id)
    initiatives = [{"id": i.id, "title": i.title, "scope": i.scope, "year": i.year, "decision_ref": i.decision_ref,
                    "used": i.used_for_award_id is not None}
                   for i in session.exec(select(models.Initiative).join(Unit, Unit.id == models.Initiative.unit_id)
                                         .where(Unit.path.startswith(unit.path), models.Initiative.year == year)
                                         .order_by(models.Initiative.id).limit(200))]
    return {
        "rating": rating,
        "members": members,
        "points": standing.points if standing else 0,
        "rank": standing.rank if standing else None,
        "rank_of": standing.peers if standing else 0,
        "rank_among": "units_at_level",
        "green": {"available": True, "approved": green},
        "initiatives": initiatives,
    }


def _prior_titles(session: Session, subject_key: str) -> list[dict]:
    return [{"year": y, "title": abbreviation, "decision_ref": ref}
            for y, abbreviation, ref in session.exec(
                select(models.Award.year, models.Title.abbreviation, models.Award.decision_ref)
                .join(models.Title, models.Title.id == models.Award.title_id)
                .where(models.Award.subject_key == subject_key, models.Award.revoked_at.is_(None))
                .order_by(models.Award.year.desc(), models.Title.sort_order))]


def _snapshot(session: Session, *, title: models.Title, year: int, person: Person | None, unit: Unit,
              judged: _Judged, today: date) -> dict:
    """The evidence JSON of a nominee: the judgement with every reason and the facts beside it."""
    facts = _person_facts(session, person=person, year=year) if person is not None \
        else _unit_facts(session, unit=unit, year=year)
    key = rules.person_key(person.id) if person is not None else rules.unit_key(unit.id)
    missed = len(judged.reasons) if judged.status == rules.MISSING else 0
    return {
        "year": year,
        "title": title.code,
        "computed_on": today.isoformat(),
        "eligibility": {"status": judged.status, "reasons": [_msg_data(r) for r in judged.reasons],
                        "missed": missed, "initiative_ids": list(judged.initiative_ids)},
        **facts,
        "prior_titles": _prior_titles(session, key),
    }


def _subject(session: Session, nominee: models.Nominee) -> tuple[Person | None, Unit]:
    if nominee.person_id:
        person = session.get(Person, nominee.person_id)
        return person, session.get(Unit, person.unit_id)
    return None, session.get(Unit, nominee.unit_id)


def _missed(nominee: models.Nominee) -> int:
    return int(_loads(nominee.evidence).get("eligibility", {}).get("missed", 0) or 0)


# --- nominations: create and fill ---------------------------------------------------------------


def create_nomination(
    session: Session, *, actor: Actor | None, year: int, title_id: int, unit_id: int, occasion: str = "year",
    occasion_ref: str = "", reference: str = "", summary: str = "", now: datetime,
) -> int:
    """Start a nomination (tờ trình) of the proposing unit for a title of a year, as a draft.

    Args:
        unit_id: the proposing unit; its unit head (or an officer) proposes people and units of
            its subtree.
        occasion: "year", "movement", "campaign" or "special" (``rules.OCCASIONS``); anything but
            the year's results names the movement, campaign or achievement in ``occasion_ref``.
        reference: the tờ trình's number. summary: what the proposal is about.

    Returns:
        The nomination's id.

    Raises:
        NotAllowed: the unit is outside the actor's units. NotFound: unit or title.
        Invalid: a bad year or occasion, a missing occasion, too long a text, a title without a
            rule for the year.
    """
    require(actor, Perm.NOMINATE)
    unit = session.get(Unit, _id(unit_id)) if _id(unit_id) else None
    if unit is None or not unit.is_active:
        raise NotFound("This unit does not exist or is inactive.")
    require(actor, Perm.NOMINATE, unit_path=unit.path)
    year = rules.check_year(year, today=_today(now))
    title = _title(session, title_id)
    if occasion not in rules.OCCASIONS:
        raise Invalid("Choose what the nomination is for: the year's results, a movement, a campaign or a special "
                      "achievement.", {"occasion": N_("Choose one")})
    occasion_ref, reference, summary = (occasion_ref or "").strip(), (reference or "").strip(), (summary or "").strip()
    if occasion != "year" and not occasion_ref:
        raise Invalid("Name the movement, campaign or achievement this nomination is for.",
                      {"occasion_ref": N_("Required")})
    for name, text, limit, what in (
            ("occasion_ref", occasion_ref, rules.OCCASION_REF_MAX, N_("movement, campaign or achievement")),
            ("reference", reference, rules.REFERENCE_MAX, N_("proposal number")),
            ("summary", summary, rules.SUMMARY_MAX, N_("summary"))):
        limits.within(text, limit=limit, what=what, field=name)
    if _rule(session, title, year) is None:
        raise Invalid("{title} has no rule in force for {year}; ask the emulation officer to add one.",
                      {"title_id": N_("No rule")}, title=title.abbreviation, year=year)
    row = models.Nomination(year=year, title_id=title.id, occasion=occasion, occasion_ref=occasion_ref,
                            unit_id=unit.id, reference=reference, summary=summary, status=rules.DRAFT,
                            created_at=now, created_by_account_id=actor.account_id, updated_at=now)
    session.add(row)
    session.flush()
    session.add(models.NominationEvent(nomination_id=row.id, at=now, from_status="", to_status=rules.DRAFT,
                                       actor_account_id=actor.account_id))
    audit.record(session, actor=actor, action="commendations.nomination.create", entity="commend_nomination",
                 entity_id=row.id, now=now, year=year, title=title.code, unit_id=unit.id, occasion=occasion)
    session.flush()
    return row.id


def add_nominee(session: Session, *, actor: Actor | None, nomination_id: int, person_id: int | None = None,
                unit_id: int | None = None, now: datetime) -> int:
    """Propose a person (individual titles) or a unit (collective titles) in a draft nomination.

    The nominee must be in the proposing unit's subtree and within the actor's units. The
    part-1 eligibility for the nomination's title and year is computed and stored with every
    reason, with the evidence snapshot; the report starts with what the app knows (name, post,
    unit). Someone ineligible may be added (an officer may override one missed criterion), but
    nobody on hold (Decree 152 Art. 4).

    Returns:
        The nominee's id.

    Raises:
        NotAllowed (outside the actor's units), NotFound, Invalid (a person for a collective
        title or the reverse, outside the proposing unit), Conflict (not a draft, on hold,
        already proposed or awarded for this title and year).
    """
    nomination = _nomination(session, nomination_id)
    me = _require_proposer(session, actor, nomination)
    _require_editable(nomination)
    title = session.get(models.Title, nomination.title_id)
    proposing = _unit_of(session, nomination)
    if (person_id is None) == (unit_id is None):
        raise Invalid("Choose the person or the unit to propose.")
    person: Person | None = None
    if title.subject == INDIVIDUAL:
        if not person_id:
            raise Invalid("{title} is a title for individuals; choose a person.", title=title.abbreviation)
        person = session.get(Person, _id(person_id)) if _id(person_id) else None
        if person is None or not person.is_active:
            raise NotFound("This person does not exist or has left the organisation.")
        unit = session.get(Unit, person.unit_id)
        name = person.full_name
    else:
        if not unit_id:
            raise Invalid("{title} is a title for collectives; choose a unit.", title=title.abbreviation)
        unit = session.get(Unit, _id(unit_id)) if _id(unit_id) else None
        if unit is None or not unit.is_active:
            raise NotFound("This unit does not exist or is inactive.")
        name = unit.name
    require(me, Perm.NOMINATE, unit_path=unit.path)
    if not unit.path.startswith(proposing.path):
        raise Invalid("{name} is not in {unit} or a unit below it; the unit that proposes them must.",
                      name=name, unit=proposing.name)
    key = rules.person_key(person.id) if person is not None else rules.unit_key(unit.id)
    if session.exec(select(models.Nominee.id).where(models.Nominee.nomination_id == nomination.id,
                                                    models.Nominee.subject_key == key)).first():
        raise Conflict("{name} is already in this nomination.", name=name)
    other = session.exec(select(models.Nomination.id).join(models.Nominee,
                                                           models.Nominee.nomination_id == models.Nomination.id)
                         .where(models.Nominee.subject_key == key, models.Nomination.year == nomination.year,
                                models.Nomination.title_id == nomination.title_id,
                                models.Nomination.status.not_in(CLOSED_STATUSES))).first()
    if other is not None:
        raise Conflict("{name} is already proposed for {title} {year} in nomination no. {id}.", name=name,
                       title=title.abbreviation, year=nomination.year, id=other)
    if session.exec(select(models.Award.id).where(models.Award.year == nomination.year,
                                                  models.Award.title_id == title.id, models.Award.subject_key == key,
                                                  models.Award.revoked_at.is_(None))).first():
        raise Conflict("{name} already holds {title} for {year}.", name=name, title=title.abbreviation,
                       year=nomination.year)
    today = _today(now)
    judged = _judge(session, title=title, year=nomination.year, person=person, unit=unit, today=today)
    if judged.status == rules.HELD:
        raise Conflict("{name} cannot be proposed while on hold: {reason}.", name=name, reason=judged.reasons[0])
    snapshot = _snapshot(session, title=title, year=nomination.year, person=person, unit=unit, judged=judged,
                         today=today)
    if person is not None:
        report = {"full_name": person.full_name, "post": person.position, "unit": unit.name}
    else:
        report = {"name": unit.name}
    row = models.Nominee(nomination_id=nomination.id, subject_key=key, person_id=person.id if person else None,
                         unit_id=None if person else unit.id,
                         report=rules.canonical_json({k: v for k, v in report.items() if v}),
                         evidence=rules.canonical_json(snapshot), eligibility=judged.status)
    session.add(row)
    nomination.updated_at = now
    session.add(nomination)
    session.flush()
    audit.record(session, actor=me, action="commendations.nominee.add", entity="commend_nomination",
                 entity_id=nomination.id, now=now, nominee_id=row.id, subject=key, eligibility=judged.status)
    session.flush()
    return row.id


def remove_nominee(session: Session, *, actor: Actor | None, nominee_id: int, now: datetime) -> None:
    """Take a nominee out of a draft (or returned) nomination, with their report and attachments' links.

    Raises:
        NotAllowed, NotFound, Conflict (the nomination is neither a draft nor returned).
    """
    nominee, nomination = _nominee(session, nominee_id)
    me = _require_proposer(session, actor, nomination)
    _require_editable(nomination)
    for link in session.exec(select(models.NominationFile).where(models.NominationFile.nominee_id == nominee.id)):
        session.delete(link)
    session.flush()
    session.delete(nominee)
    nomination.updated_at = now
    session.add(nomination)
    audit.record(session, actor=me, action="commendations.nominee.remove", entity="commend_nomination",
                 entity_id=nomination.id, now=now, nominee_id=nominee.id, subject=nominee.subject_key)
    session.flush()


def set_report(session: Session, *, actor: Actor | None, nominee_id: int, fields: Mapping[str, Any],
               now: datetime) -> dict[str, str]:
    """Write fields of a nominee's achievement report (form 05 for individuals, the collective form
    for units). The fields given replace those of the same name; an empty value clears one.

    Returns:
        The whole report after the change.

    Raises:
        NotAllowed, NotFound, Conflict (not editable), Invalid (an unknown field, too long, a bad year).
    """
    nominee, nomination = _nominee(session, nominee_id)
    me = _require_proposer(session, actor, nomination)
    _require_editable(nomination)
    subject = INDIVIDUAL if nominee.person_id else COLLECTIVE
    checked = rules.check_report(subject, fields, this_year=_today(now).year)
    report = {k: v for k, v in _loads(nominee.report).items() if k in rules.report_fields(subject)}
    for name in fields:
        report.pop(name, None)
    report.update(checked)
    nominee.report = rules.canonical_json(report)
    session.add(nominee)
    nomination.updated_at = now
    session.add(nomination)
    audit.record(session, actor=me, action="commendations.nominee.report", entity="commend_nomination",
                 entity_id=nomination.id, now=now, nominee_id=nominee.id, fields=sorted(str(k) for k in fields))
    session.flush()
    return report


def attach_file(session: Session, *, actor: Actor | None, nomination_id: int, nominee_id: int | None = None,
                data: bytes, name: str, label: str = "", now: datetime) -> int:
    """Attach a PDF or an image (checked from its bytes) to a nomination or one of its nominees.

    Returns:
        The attachment's id (``NominationFile``).

    Raises:
        NotAllowed, NotFound, Conflict (not editable), Invalid (neither a PDF nor an image, empty,
        too large, a nominee of another nomination, too long a label).
    """
    nomination = _nomination(session, nomination_id)
    me = _require_proposer(session, actor, nomination)
    _require_editable(nomination)
    if nominee_id is not None:
        nominee = session.get(models.Nominee, _id(nominee_id)) if _id(nominee_id) else None
        if nominee is None or nominee.nomination_id != nomination.id:
            raise NotFound("This nominee is not in this nomination.")
    label = (label or "").strip()
    if len(label) > rules.FILE_LABEL_MAX:
        raise Invalid("Keep the label under {max} characters.", {"label": N_("Too long")}, max=rules.FILE_LABEL_MAX)
    if not isinstance(data, bytes | bytearray):
        raise Invalid("Choose a PDF or an image file.")
    clean = files.clean_scan(bytes(data))
    stored = files.save(session, clean=clean, purpose=NOMINATION_FILE, name=(name or label or "ho-so"),
                        actor=me, now=now)
    row = models.NominationFile(nomination_id=nomination.id, nominee_id=nominee_id, file_id=stored.id,
                                label=label or (name or "")[:200], created_at=now)
    session.add(row)
    nomination.updated_at = now
    session.add(nomination)
    session.flush()
    audit.record(session, actor=me, action="commendations.nomination.file", entity="commend_nomination",
                 entity_id=nomination.id, now=now, file_id=stored.id, nominee_id=nominee_id,
                 content_type=clean.content_type, sha256=stored.sha256)
    session.flush()
    return row.id


def override(session: Session, *, actor: Actor | None, nominee_id: int, reason: str, now: datetime) -> None:
    """An officer lets a nominee who misses exactly one criterion go forward, with a written reason.

    The eligibility is judged again first; the reason stays on the dossier (and in every later
    version). Never for someone held or excluded, nor for someone who misses two criteria or more.

    Raises:
        NotAllowed (officers only), NotFound, Invalid (no reason, too long), Conflict (the
        nominee is eligible, held, excluded or misses more than one criterion; the nomination
        has already been appraised).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    nominee, nomination = _nominee(session, nominee_id)
    if nomination.status not in OVERRIDABLE:
        raise Conflict("This nomination is “{status}”: an override is possible only until it is appraised.",
                       status=rules.NOMINATION_NAMES[nomination.status])
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Write why this nominee may go forward although a criterion is missed.",
                      {"reason": N_("Required")})
    if len(reason) > rules.MOVE_REASON_MAX:
        raise Invalid("Keep the reason under {max} characters.", {"reason": N_("Too long")}, max=rules.MOVE_REASON_MAX)
    title = session.get(models.Title, nomination.title_id)
    person, unit = _subject(session, nominee)
    today = _today(now)
    judged = _judge(session, title=title, year=nomination.year, person=person, unit=unit, today=today)
    missed = len(judged.reasons) if judged.status == rules.MISSING else 0
    name = person.full_name if person is not None else unit.name
    if judged.status == rules.ELIGIBLE:
        raise Conflict("{name} meets every criterion: there is nothing to override.", name=name)
    if not rules.may_override(judged.status, missed):
        if judged.status in (rules.HELD, rules.EXCLUDED):
            raise Conflict("{name} is {status}: no override is possible.", name=name,
                           status=rules.STATUS_NAMES[judged.status])
        raise Conflict("{name} misses {n} criteria; an override is possible for one criterion only.",
                       name=name, n=missed)
    snapshot = _snapshot(session, title=title, year=nomination.year, person=person, unit=unit, judged=judged,
                         today=today)
    nominee.evidence, nominee.eligibility = rules.canonical_json(snapshot), judged.status
    nominee.override_reason, nominee.override_by_account_id = reason, me.account_id
    session.add(nominee)
    nomination.updated_at = now
    session.add(nomination)
    audit.record(session, actor=me, action="commendations.nominee.override", entity="commend_nomination",
                 entity_id=nomination.id, now=now, nominee_id=nominee.id, reason=reason,
                 criterion=_msg_data(judged.reasons[0]))
    session.flush()


# --- the flow ----------------------------------------------------------------------------------


def _content(session: Session, nomination: models.Nomination, nominees: Sequence[models.Nominee],
             version: int) -> dict:
    """The dossier as submitted: what a version keeps and hashes."""
    attachments = [{"file_id": fid, "nominee_id": nid, "label": label, "sha256": sha}
                   for fid, nid, label, sha in session.exec(
                       select(models.NominationFile.file_id, models.NominationFile.nominee_id,
                              models.NominationFile.label, StoredFile.sha256)
                       .join(StoredFile, StoredFile.id == models.NominationFile.file_id)
                       .where(models.NominationFile.nomination_id == nomination.id)
                       .order_by(models.NominationFile.id))]
    return {
        "nomination": {"id": nomination.id, "version": version, "year": nomination.year,
                       "title_id": nomination.title_id, "unit_id": nomination.unit_id,
                       "occasion": nomination.occasion, "occasion_ref": nomination.occasion_ref,
                       "reference": nomination.reference, "summary": nomination.summary},
        "nominees": [{"id": n.id, "subject": n.subject_key, "eligibility": n.eligibility,
                      "override_reason": n.override_reason, "report": _loads(n.report),
                      "evidence": _loads(n.evidence)} for n in nominees],
        "files": attachments,
    }


def submit(session: Session, *, actor: Actor | None, nomination_id: int, now: datetime) -> int:
    """Submit a draft (or a corrected, returned) nomination to the emulation officers.

    Every nominee's eligibility and evidence are judged again as of today; the dossier is
    refused, naming each nominee in the way, when one is held or excluded, misses a criterion
    without an officer's override (or misses more than one), or has an incomplete report.
    Otherwise the whole dossier is kept as a new version with its SHA-256.

    Returns:
        The new version number.

    Raises:
        NotAllowed, NotFound, Invalid (no nominee), Conflict (the status, the nominees in the way).
    """
    nomination = _nomination(session, nomination_id)
    me = _require_proposer(session, actor, nomination)
    rules.check_move(nomination.status, rules.SUBMITTED)
    nominees = list(session.exec(select(models.Nominee).where(models.Nominee.nomination_id == nomination.id)
                                 .order_by(models.Nominee.id)))
    if not nominees:
        raise Invalid("Add at least one nominee before submitting.")
    title = session.get(models.Title, nomination.title_id)
    today = _today(now)
    refreshed: list[tuple[models.Nominee, _Judged, dict]] = []
    problems: list[Msg] = []
    for nominee in nominees:
        person, unit = _subject(session, nominee)
        name = person.full_name if person is not None else unit.name
        if person is not None and not person.is_active:
            problems.append(N_("{name} has left the organisation", name=name))
            continue
        judged = _judge(session, title=title, year=nomination.year, person=person, unit=unit, today=today)
        missed = len(judged.reasons) if judged.status == rules.MISSING else 0
        overridden = bool(nominee.override_reason) and rules.may_override(judged.status, missed)
        if judged.status == rules.HELD:
            problems.append(N_("{name} is on hold", name=name))
        elif judged.status == rules.EXCLUDED:
            problems.append(N_("{name} is excluded", name=name))
        elif not rules.may_submit(judged.status, overridden=overridden):
            problems.append(N_("{name} misses {n} criteria without an officer's override", name=name, n=missed))
        subject = INDIVIDUAL if nominee.person_id else COLLECTIVE
        if rules.report_missing(subject, _loads(nominee.report)):
            problems.append(N_("the achievement report of {name} is incomplete", name=name))
        refreshed.append((nominee, judged, {"person": person, "unit": unit}))
    if problems:
        raise Conflict("This nomination cannot be submitted yet: {problems}.", problems=_joined(problems))
    version = nomination.version + 1
    for nominee, judged, subject in refreshed:
        snapshot = _snapshot(session, title=title, year=nomination.year, person=subject["person"],
                             unit=subject["unit"], judged=judged, today=today)
        nominee.evidence, nominee.eligibility = rules.canonical_json(snapshot), judged.status
        nominee.appraisal, nominee.appraisal_note = "", ""
        session.add(nominee)
    content = rules.canonical_json(_content(session, nomination, nominees, version))
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    session.add(models.NominationVersion(nomination_id=nomination.id, version=version, content=content,
                                         content_sha256=digest, submitted_at=now,
                                         submitted_by_account_id=me.account_id))
    nomination.version, nomination.due_on = version, None
    _move(session, actor=me, nomination=nomination, to=rules.SUBMITTED, now=now)
    audit.record(session, actor=me, action="commendations.nomination.submit", entity="commend_nomination",
                 entity_id=nomination.id, now=now, version=version, sha256=digest, nominees=len(nominees))
    session.flush()
    return version


def receive(session: Session, *, actor: Actor | None, nomination_id: int, now: datetime) -> date:
    """An officer receives a submitted dossier as complete: the appraisal deadline starts.

    Returns:
        The deadline: ``APPRAISAL_DAYS`` working days from today (weekends and ``HOLIDAYS`` skipped).

    Raises:
        NotAllowed (officers), NotFound, Invalid (not submitted).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    nomination = _nomination(session, nomination_id)
    rules.check_move(nomination.status, rules.RECEIVED)
    due = rules.add_working_days(_today(now), APPRAISAL_DAYS, HOLIDAYS)
    nomination.due_on = due
    _move(session, actor=me, nomination=nomination, to=rules.RECEIVED, now=now)
    audit.record(session, actor=me, action="commendations.nomination.receive", entity="commend_nomination",
                 entity_id=nomination.id, now=now, due_on=due.isoformat())
    session.flush()
    return due


def _notify_proposer(session: Session, nomination: models.Nomination, *, kind: str, title: Msg, body: str | Msg,
                     now: datetime) -> None:
    person_id = _proposer_person(session, nomination)
    if person_id is None:
        return
    notify.notify(session, person_id=person_id, category="commendations", kind=kind,
                  subject_ref=f"nomination:{nomination.id}", period=f"v{nomination.version}", title=title,
                  body=body, link=routes.COMMENDATIONS, now=now)


def return_for_completion(session: Session, *, actor: Actor | None, nomination_id: int, reason: str,
                          now: datetime) -> None:
    """An officer returns a submitted or received dossier to the proposer, saying what to complete.

    Raises:
        NotAllowed (officers), NotFound, Invalid (no reason, not submitted or received).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    nomination = _nomination(session, nomination_id)
    reason = (reason or "").strip()
    rules.check_move(nomination.status, rules.RETURNED, reason=reason)
    if len(reason) > rules.MOVE_REASON_MAX:
        raise Invalid("Keep the reason under {max} characters.", {"reason": N_("Too long")}, max=rules.MOVE_REASON_MAX)
    nomination.due_on = None
    _move(session, actor=me, nomination=nomination, to=rules.RETURNED, reason=reason, now=now)
    title = session.get(models.Title, nomination.title_id)
    _notify_proposer(session, nomination, kind="nomination.returned",
                     title=N_("Your nomination for {title} {year} was returned for completion",
                              title=title.abbreviation, year=nomination.year), body=reason, now=now)
    audit.record(session, actor=me, action="commendations.nomination.return", entity="commend_nomination",
                 entity_id=nomination.id, now=now, reason=reason)
    session.flush()


def _outcome(value: Any) -> tuple[Any, Any]:
    if isinstance(value, str):
        return value, ""
    if isinstance(value, Mapping):
        return value.get("outcome"), value.get("note", "")
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, None


def appraise(session: Session, *, actor: Actor | None, nomination_id: int, outcomes: Mapping[int, Any],
             now: datetime) -> None:
    """An officer records the appraisal (thẩm định) of every nominee of a received dossier.

    Args:
        outcomes: nominee id -> ("eligible" | "ineligible", note), or {"outcome": ..., "note": ...};
            every nominee of the nomination, and a note for each one found not eligible.

    Raises:
        NotAllowed (officers), NotFound, Invalid (not received, a nominee missing or of another
        nomination, an unknown outcome, no note for "not eligible", too long a note).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    nomination = _nomination(session, nomination_id)
    rules.check_move(nomination.status, rules.APPRAISED)
    if not isinstance(outcomes, Mapping):
        raise Invalid("Give the appraisal of every nominee.")
    nominees = {n.id: n for n in session.exec(select(models.Nominee).where(
        models.Nominee.nomination_id == nomination.id))}
    if set(outcomes) != set(nominees):
        raise Invalid("Give the appraisal of every nominee of this nomination, and of no other.")
    names = _names(session, list(nominees.values()))
    decided: dict[int, tuple[str, str]] = {}
    for nominee_id, value in outcomes.items():
        outcome, note = _outcome(value)
        note = note.strip() if isinstance(note, str) else None
        if outcome not in APPRAISALS or note is None:
            raise Invalid("Choose “eligible” or “not eligible” for {name}.", name=names[nominee_id][0])
        if outcome == rules.APPRAISED_INELIGIBLE and not note:
            raise Invalid("Say why {name} is not eligible, so the proposer knows.", {"note": N_("Required")},
                          name=names[nominee_id][0])
        if len(note) > 1000:
            raise Invalid("Keep the note under {max} characters.", {"note": N_("Too long")}, max=1000)
        decided[nominee_id] = (outcome, note)
    for nominee_id, (outcome, note) in decided.items():
        nominee = nominees[nominee_id]
        nominee.appraisal, nominee.appraisal_note = outcome, note
        session.add(nominee)
    nomination.due_on = None
    _move(session, actor=me, nomination=nomination, to=rules.APPRAISED, now=now)
    eligible = sum(1 for outcome, _n in decided.values() if outcome == rules.APPRAISED_ELIGIBLE)
    title = session.get(models.Title, nomination.title_id)
    _notify_proposer(session, nomination, kind="nomination.appraised",
                     title=N_("Your nomination for {title} {year} has been appraised", title=title.abbreviation,
                              year=nomination.year),
                     body=N_("{eligible} of {total} nominee(s) found eligible.", eligible=eligible,
                             total=len(decided)), now=now)
    audit.record(session, actor=me, action="commendations.nomination.appraise", entity="commend_nomination",
                 entity_id=nomination.id, now=now,
                 outcomes={str(k): v[0] for k, v in sorted(decided.items())})
    session.flush()


def close(session: Session, *, actor: Actor | None, nomination_id: int, reason: str, now: datetime) -> None:
    """An officer closes a nomination without an award (after the appraisal or the council), saying why.

    Raises:
        NotAllowed (officers), NotFound, Invalid (no reason, a status that cannot close).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    nomination = _nomination(session, nomination_id)
    reason = (reason or "").strip()
    rules.check_move(nomination.status, rules.CLOSED, reason=reason)
    if len(reason) > rules.MOVE_REASON_MAX:
        raise Invalid("Keep the reason under {max} characters.", {"reason": N_("Too long")}, max=rules.MOVE_REASON_MAX)
    _move(session, actor=me, nomination=nomination, to=rules.CLOSED, reason=reason, now=now)
    audit.record(session, actor=me, action="commendations.nomination.close", entity="commend_nomination",
                 entity_id=nomination.id, now=now, reason=reason)
    session.flush()


# --- the public notice ---------------------------------------------------------------------------


def publish_notice(session: Session, *, actor: Actor | None, nomination_ids: Sequence[int], title: str,
                   days: int = NOTICE_DAYS, now: datetime) -> NoticeCreated:
    """Publish appraised nominations on a public notice (công khai) open for comments from today.

    The notice lists the nominees appraised eligible (name, unit, title, a summary) and closes
    after ``days`` working days; the nominations move to "on public notice".

    Returns:
        The notice's id, its public token and its dates.

    Raises:
        NotAllowed (officers), NotFound, Invalid (no nomination, no title, days out of 1-30, a
        nomination not appraised or without an eligible nominee).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    ids = list(dict.fromkeys(nomination_ids or ()))
    if not ids or not all(_id(i) for i in ids):
        raise Invalid("Choose the nominations to publish.", {"nomination_ids": N_("Required")})
    title = " ".join((title or "").split())
    if not title:
        raise Invalid("Give the notice a title, e.g. “Công khai danh sách đề nghị khen thưởng năm 2026”.",
                      {"title": N_("Required")})
    if len(title) > rules.NOTICE_TITLE_MAX:
        raise Invalid("Keep the title under {max} characters.", {"title": N_("Too long")}, max=rules.NOTICE_TITLE_MAX)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 30:
        raise Invalid("A notice stays open from 1 to 30 working days.", {"days": N_("Out of range")})
    nominations = [_nomination(session, i) for i in ids]
    listed: list[tuple[models.Nomination, models.Nominee]] = []
    for nomination in nominations:
        rules.check_move(nomination.status, rules.NOTICE)
        eligible = list(session.exec(select(models.Nominee).where(
            models.Nominee.nomination_id == nomination.id, models.Nominee.appraisal == rules.APPRAISED_ELIGIBLE)
            .order_by(models.Nominee.id)))
        if not eligible:
            raise Invalid("Nomination no. {id} has no nominee appraised eligible; close it instead.", id=nomination.id)
        listed.extend((nomination, n) for n in eligible)
    today = _today(now)
    closes = rules.add_working_days(today, days, HOLIDAYS)
    notice = models.Notice(token=secrets.token_urlsafe(24), title=title, opens_on=today, closes_on=closes,
                           created_at=now, created_by_account_id=me.account_id)
    session.add(notice)
    session.flush()
    for nomination, nominee in listed:
        summary = _loads(nominee.report).get("achievements", "") or nomination.summary
        session.add(models.NoticeItem(notice_id=notice.id, nominee_id=nominee.id, summary=summary[:1000]))
    for nomination in nominations:
        _move(session, actor=me, nomination=nomination, to=rules.NOTICE,
              reason=N_("Public notice until {day}", day=formats.day(closes)).render(), now=now)
    audit.record(session, actor=me, action="commendations.notice.publish", entity="commend_notice",
                 entity_id=notice.id, now=now, nominations=ids, nominees=len(listed), closes_on=closes.isoformat())
    session.flush()
    return NoticeCreated(id=notice.id, token=notice.token, opens_on=today, closes_on=closes, nominees=len(listed))


def _notice(session: Session, token: Any) -> models.Notice:
    row = None
    if isinstance(token, str) and 0 < len(token) <= 64:
        row = session.exec(select(models.Notice).where(models.Notice.token == token)).first()
    if row is None:
        raise NotFound("This notice does not exist. Check the address you were given.")
    return row


def notice_page(session: Session, token: str, today: date) -> NoticePage:
    """The public notice: the nominees listed (name, unit, title, summary) and whether comments are open.

    No actor: anyone with the link reads it.

    Raises:
        NotFound: an unknown token.
    """
    notice = _notice(session, token)
    rows = session.exec(
        select(models.NoticeItem, models.Nominee, models.Title.abbreviation, models.Title.name)
        .join(models.Nominee, models.Nominee.id == models.NoticeItem.nominee_id)
        .join(models.Nomination, models.Nomination.id == models.Nominee.nomination_id)
        .join(models.Title, models.Title.id == models.Nomination.title_id)
        .where(models.NoticeItem.notice_id == notice.id)
        .order_by(models.Title.sort_order, models.Nominee.id)).all()
    names = _names(session, [n for _i, n, _a, _t in rows])
    nominees = [NoticeNominee(nominee_id=n.id, name=names[n.id][0], unit_name=names[n.id][1],
                              title=f"{abbreviation} – {name}", summary=item.summary)
                for item, n, abbreviation, name in rows]
    return NoticePage(title=notice.title, opens_on=formats.day(notice.opens_on),
                      closes_on=formats.day(notice.closes_on),
                      is_open=rules.notice_open(notice.opens_on, notice.closes_on, today), nominees=nominees)


def submit_comment(session: Session, *, token: str, nominee_id: int | None = None, name: str = "",
                   contact: str = "", text: str, client_ip: str, now: datetime) -> int:
    """Anyone comments on a public notice (about one nominee or the whole list), name and contact optional.

    The network address is kept only as a keyed hash, for the rate limit (as citizens' thanks).

    Returns:
        The comment's id.

    Raises:
        NotFound (an unknown notice or a nominee not on it), Conflict (the notice is closed or not
        yet open), Invalid (no text, too long), Throttled (too many comments from this network today).
    """
    notice = _notice(session, token)
    today = _today(now)
    if today > notice.closes_on:
        raise Conflict("Comments on this notice closed on {day}.", day=formats.day(notice.closes_on))
    if today < notice.opens_on:
        raise Conflict("Comments on this notice open on {day}.", day=formats.day(notice.opens_on))
    if nominee_id is not None:
        listed = _id(nominee_id) is not None and session.exec(select(models.NoticeItem.nominee_id).where(
            models.NoticeItem.notice_id == notice.id, models.NoticeItem.nominee_id == nominee_id)).first()
        if not listed:
            raise NotFound("This person or unit is not on this notice.")
    name = " ".join((name or "").split())
    contact = " ".join((contact or "").split())
    body = "\n".join(" ".join(line.split()) for line in (text or "").replace("\r", "").split("\n")).strip()
    if not body:
        raise Invalid("Write your comment.", {"text": N_("Required")})
    for field_name, value, limit, what in (("name", name, rules.COMMENTER_MAX, N_("name")),
                                           ("contact", contact, rules.CONTACT_MAX, N_("phone or e-mail")),
                                           ("text", body, rules.COMMENT_MAX, N_("comment"))):
        limits.within(value, limit=limit, what=what, field=field_name)
    key = keyed_hash(session, purpose="notice", value=client_ip or "unknown", now=now)
    # Count-then-insert under a lock on the network: a burst of tabs cannot pass the limit together.
    lock_key(session, "notice-client", key)
    recent = session.exec(select(func.count()).select_from(models.NoticeComment).where(
        models.NoticeComment.client_key == key, models.NoticeComment.created_at > now - timedelta(days=1))).one()
    if recent >= COMMENTS_PER_CLIENT_PER_DAY:
        raise Throttled("Thank you! We have received several comments from your network today; "
                        "please come back tomorrow.")
    row = models.NoticeComment(notice_id=notice.id, nominee_id=nominee_id, name=name, contact=contact, text=body,
                               client_key=key, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=None, action="commendations.notice.comment", entity="commend_notice",
                 entity_id=notice.id, now=now, comment_id=row.id, nominee_id=nominee_id)
    session.flush()
    return row.id


def answer_comment(session: Session, *, actor: Actor | None, comment_id: int, answer: str, now: datetime) -> None:
    """An officer answers a public comment (recorded; the council cannot open while one is unanswered).

    Raises:
        NotAllowed (officers), NotFound, Invalid (no answer, too long), Conflict (already answered).
    """
    me = require(actor, Perm.PROCESS_NOMINATIONS)
    row = session.get(models.NoticeComment, _id(comment_id)) if _id(comment_id) else None
    if row is None:
        raise NotFound("This comment does not exist.")
    if row.answered_at is not None:
        raise Conflict("This comment has already been answered.")
    answer = (answer or "").strip()
    if not answer:
        raise Invalid("Write the answer to the comment.", {"answer": N_("Required")})
    if len(answer) > 4000:
        raise Invalid("Keep the answer under {max} characters.", {"answer": N_("Too long")}, max=4000)
    row.answer, row.answered_at, row.answered_by_account_id = answer, now, me.account_id
    session.add(row)
    audit.record(session, actor=me, action="commendations.notice.answer", entity="commend_notice",
                 entity_id=row.notice_id, now=now, comment_id=row.id)
    session.flush()


def _comment_rows(session: Session, stmt, *, with_contact: bool) -> list[CommentRow]:
    rows = session.exec(stmt).all()
    nominees = [n for n in session.exec(select(models.Nominee).where(
        models.Nominee.id.in_({c.nominee_id for c in rows if c.nominee_id})))] if rows else []
    names = _names(session, nominees)
    return [CommentRow(id=c.id, notice_id=c.notice_id, nominee_id=c.nominee_id or 0,
                       nominee_name=names.get(c.nominee_id or 0, ("", ""))[0], name=c.name,
                       contact=c.contact if with_contact else "", text=c.text, created_at=formats.moment(c.created_at),
                       answer=c.answer, answered_at=formats.moment(c.answered_at)) for c in rows]


def _comments_stmt(nomination_ids: Sequence[int]):
    """Comments about a nominee of these nominations, or about the whole of a notice listing one."""
    nominee_ids = select(models.Nominee.id).where(models.Nominee.nomination_id.in_(list(nomination_ids)))
    notice_ids = select(models.NoticeItem.notice_id).where(models.NoticeItem.nominee_id.in_(nominee_ids))
    return select(models.NoticeComment).where(sa.or_(
        models.NoticeComment.nominee_id.in_(nominee_ids),
        sa.and_(models.NoticeComment.nominee_id.is_(None), models.NoticeComment.notice_id.in_(notice_ids))))


def unanswered_comments(session: Session, nomination_ids: Sequence[int]) -> list[CommentRow]:
    """The public comments still unanswered on these nominations (the council cannot open while any is).

    No actor: a building block for the council's services, which have authorised their caller.
    """
    ids = [i for i in nomination_ids if _id(i)]
    if not ids:
        return []
    stmt = _comments_stmt(ids).where(models.NoticeComment.answered_at.is_(None)).order_by(models.NoticeComment.id)
    return _comment_rows(session, stmt, with_contact=False)


# --- reads ---------------------------------------------------------------------------------------


def nominations(session: Session, *, actor: Actor | None, status: str = "", mine: bool = False, page: int = 1,
                page_size: int = PAGE_SIZE, now: datetime) -> NominationPage:
    """Nominations for a list: officers see all of them, unit heads those of their units; ``mine``
    keeps the ones the actor started. Newest change first, paged.

    Raises:
        NotAllowed: the actor neither proposes nor processes nominations.
    """
    officer = can(actor, Perm.PROCESS_NOMINATIONS)
    if not officer:
        require(actor, Perm.NOMINATE)
    stmt = select(models.Nomination, models.Title.abbreviation, Unit.id) \
        .join(models.Title, models.Title.id == models.Nomination.title_id) \
        .join(Unit, Unit.id == models.Nomination.unit_id)
    if not officer:
        where = reach(actor, Perm.NOMINATE)
        if not where.org:
            stmt = stmt.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    if mine:
        stmt = stmt.where(models.Nomination.created_by_account_id == actor.account_id)
    if status in rules.NOMINATION_NAMES:
        stmt = stmt.where(models.Nomination.status == status)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    size = max(1, min(int(page_size) if isinstance(page_size, int) else PAGE_SIZE, 200))
    pages = max(1, -(-total // size))
    page = min(max(1, page if isinstance(page, int) else 1), pages)
    found = session.exec(stmt.order_by(models.Nomination.updated_at.desc(), models.Nomination.id.desc())
                         .offset((page - 1) * size).limit(size)).all()
    ids = [n.id for n, _a, _u in found]
    counts = dict(session.exec(select(models.Nominee.nomination_id, func.count()).where(
        models.Nominee.nomination_id.in_(ids)).group_by(models.Nominee.nomination_id)).all()) if ids else {}
    today = _today(now)
    shown = labels.unit_labels(session, {unit_id for _n, _a, unit_id in found})
    rows = [NominationRow(id=n.id, year=n.year, title=abbreviation, unit_name=shown.get(unit_id, ""),
                          reference=n.reference,
                          status=n.status, status_label=rules.NOMINATION_NAMES[n.status].render(),
                          nominees=counts.get(n.id, 0), version=n.version,
                          due_on=formats.day(n.due_on) if n.due_on else "",
                          overdue=bool(n.due_on and n.status == rules.RECEIVED and n.due_on < today),
                          updated_at=formats.moment(n.updated_at))
            for n, abbreviation, unit_id in found]
    return NominationPage(total=total, page=page, page_size=size, rows=rows)


def _council_sees(session: Session, actor: Actor, nomination_id: int) -> bool:
    """Whether the actor sits in a scheduled or open session with a nominee of this nomination on its agenda."""
    if not can(actor, Perm.VOTE):
        return False
    return session.exec(
        select(models.AgendaItem.id)
        .join(models.Nominee, models.Nominee.id == models.AgendaItem.nominee_id)
        .join(models.CouncilSession, models.CouncilSession.id == models.AgendaItem.session_id)
        .join(models.SessionMember, sa.and_(models.SessionMember.session_id == models.CouncilSession.id,
                                            models.SessionMember.person_id == actor.person_id))
        .where(models.Nominee.nomination_id == nomination_id,
               models.CouncilSession.status.in_(("scheduled", "open")))).first() is not None


def may_see(session: Session, actor: Actor | None, nomination: models.Nomination) -> bool:
    """Who sees a dossier: the proposing unit's heads (and officers), and council members while one
    of its nominees is on the agenda of a scheduled or open session they sit in."""
    if actor is None:
        return False
    if can(actor, Perm.PROCESS_NOMINATIONS):
        return True
    unit = _unit_of(session, nomination)
    if can(actor, Perm.NOMINATE, unit_path=unit.path):
        return True
    return _council_sees(session, actor, nomination.id)


def _nominee_view(nominee: models.Nominee, name: str, unit_name: str) -> NomineeView:
    subject = INDIVIDUAL if nominee.person_id else COLLECTIVE
    ev = _loads(nominee.evidence)
    eligibility = ev.get("eligibility", {})
    reasons = [_msg_of(r) for r in eligibility.get("reasons", [])]
    missed = int(eligibility.get("missed", 0) or 0)
    report = _loads(nominee.report)
    fields_ = [ReportField(name=k, label=rules.REPORT_FIELD_NAMES[k].render(), value=str(report.get(k, "")),
                           max_length=limit) for k, limit in rules.report_fields(subject).items()]
    status = nominee.eligibility or eligibility.get("status", "")
    return NomineeView(
        id=nominee.id, subject=subject, person_id=nominee.person_id or 0, unit_id=nominee.unit_id or 0, name=name,
        unit_name=unit_name, eligibility=status,
        eligibility_label=rules.STATUS_NAMES[status].render() if status in rules.STATUS_NAMES else "",
        reasons=[r.render() if isinstance(r, Msg) else str(r) for r in reasons], missed=missed,
        may_override=rules.may_override(status, missed) and not nominee.override_reason,
        override_reason=nominee.override_reason, appraisal=nominee.appraisal,
        appraisal_label=APPRAISAL_NAMES.get(nominee.appraisal, APPRAISAL_NAMES[""]).render(),
        appraisal_note=nominee.appraisal_note, outcome=nominee.outcome, report=fields_,
        report_missing=[rules.REPORT_FIELD_NAMES[k].render() for k in rules.report_missing(subject, report)],
        evidence={k: v for k, v in ev.items() if k != "eligibility"})


def dossier(session: Session, *, actor: Actor | None, nomination_id: int) -> Dossier:
    """One nomination with its nominees (reports, eligibility, evidence), files, history, versions
    and public comments.

    Raises:
        NotFound: no such nomination, or one the actor may not see (not told apart).
    """
    if actor is None:
        raise NotAllowed("Your session has ended. Please log in again.")
    nomination = _nomination(session, nomination_id)
    if not may_see(session, actor, nomination):
        raise NotFound("This nomination does not exist.")
    title = session.get(models.Title, nomination.title_id)
    unit = _unit_of(session, nomination)
    nominees = list(session.exec(select(models.Nominee).where(models.Nominee.nomination_id == nomination.id)
                                 .order_by(models.Nominee.id)))
    names = _names(session, nominees)
    files_ = [FileRow(id=link.id, file_id=link.file_id, nominee_id=link.nominee_id or 0, label=link.label,
                      filename=filename, content_type=content_type, size=size)
              for link, filename, content_type, size in session.exec(
                  select(models.NominationFile, StoredFile.filename, StoredFile.content_type, StoredFile.size)
                  .join(StoredFile, StoredFile.id == models.NominationFile.file_id)
                  .where(models.NominationFile.nomination_id == nomination.id).order_by(models.NominationFile.id))]
    actors = dict(session.exec(select(Account.id, Person.full_name).join(Person, Person.id == Account.person_id)
                               .join(models.NominationEvent,
                                     models.NominationEvent.actor_account_id == Account.id)
                               .where(models.NominationEvent.nomination_id == nomination.id)).all())

    def label(status: str) -> str:
        return rules.NOMINATION_NAMES[status].render() if status in rules.NOMINATION_NAMES else ""

    events = [EventRow(at=formats.moment(e.at), from_label=label(e.from_status), to_label=label(e.to_status),
                       reason=e.reason, version=e.version, actor_name=actors.get(e.actor_account_id or 0, ""))
              for e in session.exec(select(models.NominationEvent).where(
                  models.NominationEvent.nomination_id == nomination.id).order_by(models.NominationEvent.id))]
    versions = [VersionRow(version=v, submitted_at=formats.moment(at), sha256=sha)
                for v, at, sha in session.exec(
                    select(models.NominationVersion.version, models.NominationVersion.submitted_at,
                           models.NominationVersion.content_sha256)
                    .where(models.NominationVersion.nomination_id == nomination.id)
                    .order_by(models.NominationVersion.version))]
    officer = can(actor, Perm.PROCESS_NOMINATIONS)
    comments = _comment_rows(session, _comments_stmt([nomination.id]).order_by(models.NoticeComment.id),
                             with_contact=officer)
    proposer = can(actor, Perm.NOMINATE, unit_path=unit.path)
    return Dossier(
        id=nomination.id, year=nomination.year, title_id=title.id, title=title.abbreviation, title_name=title.name,
        subject=title.subject, occasion=nomination.occasion,
        occasion_label=rules.OCCASIONS.get(nomination.occasion, rules.OCCASIONS["year"]).render(),
        occasion_ref=nomination.occasion_ref, unit_id=unit.id,
        unit_name=labels.unit_labels(session, [unit.id]).get(unit.id, unit.name), reference=nomination.reference,
        summary=nomination.summary, status=nomination.status, status_label=label(nomination.status),
        version=nomination.version, due_on=formats.day(nomination.due_on) if nomination.due_on else "",
        nominees=[_nominee_view(n, *names[n.id]) for n in nominees], files=files_, events=events, versions=versions,
        comments=comments, can_edit=proposer and nomination.status in EDITABLE, can_process=officer)


def may_see_nomination_file(session: Session, actor: Actor | None, file: StoredFile) -> bool:
    """The /files reader for nomination attachments: whoever may see the dossier."""
    if actor is None or file.purpose != NOMINATION_FILE:
        return False
    nomination_id = session.exec(select(models.NominationFile.nomination_id).where(
        models.NominationFile.file_id == file.id)).first()
    if nomination_id is None:
        return False
    return may_see(session, actor, session.get(models.Nomination, nomination_id))


def due_soon(session: Session, today: date) -> list[DueRow]:
    """Received nominations whose appraisal deadline is within ``REMINDER_DAYS`` working days, or past.

    No actor: for the reminder job, which tells the officers who hold them (``holder_ids``).
    """
    limit = rules.add_working_days(today, REMINDER_DAYS, HOLIDAYS)
    found = session.exec(
        select(models.Nomination, models.Title.abbreviation, Unit.id)
        .join(models.Title, models.Title.id == models.Nomination.title_id)
        .join(Unit, Unit.id == models.Nomination.unit_id)
        .where(models.Nomination.status == rules.RECEIVED, models.Nomination.due_on.is_not(None),
               models.Nomination.due_on <= limit)
        .order_by(models.Nomination.due_on, models.Nomination.id)).all()
    if not found:
        return []
    processors = dict(session.exec(
        select(Account.id, Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == Role.EMULATION_OFFICER.value, RoleGrant.revoked_at.is_(None),
               Account.is_active.is_(True))).all())
    receivers: dict[int, int | None] = {}
    for nomination_id, account_id in session.exec(
            select(models.NominationEvent.nomination_id, models.NominationEvent.actor_account_id)
            .where(models.NominationEvent.nomination_id.in_([n.id for n, _a, _u in found]),
                   models.NominationEvent.to_status == rules.RECEIVED)
            .order_by(models.NominationEvent.id)):
        receivers[nomination_id] = account_id  # the latest receipt wins
    everyone = tuple(sorted(set(processors.values())))
    shown = labels.unit_labels(session, {unit_id for _n, _a, unit_id in found})
    return [DueRow(nomination_id=n.id, title=abbreviation, unit_name=shown.get(unit_id, ""), due_on=n.due_on,
                   overdue=n.due_on < today,
                   holder_ids=((processors[receivers[n.id]],) if receivers.get(n.id) in processors
                               else everyone))
            for n, abbreviation, unit_id in found]
