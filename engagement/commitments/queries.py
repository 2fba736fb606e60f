"""Reads for the commitments pages, each filtered to what the actor may see.

Completion is counted in SQL: one GROUP BY over the audience's people by unit and status,
then a roll-up over units (never a loop over people), so a campaign of 50,000 people in
1,000 units stays a single aggregate query.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, or_, select

from engagement.commitments import audience, models, rules
from engagement.commitments.dto import (
    CampaignRow,
    ChainReport,
    CollectiveRow,
    CompletionRow,
    MyCommitment,
    PeoplePage,
    PersonProgress,
    PublicSignature,
    SignView,
    TemplateRow,
    Unsigned,
)
from engagement.commitments.rules import CampaignStatus, Kind, PersonStatus
from engagement.core import chain, formats
from engagement.core.access import Actor, Perm, Role, can, reach, require, require_login
from engagement.core.audit import AuditEntry
from engagement.core.db import UTCDateTime
from engagement.core.errors import Invalid, NotFound
from engagement.core.export import to_csv, to_xlsx
from engagement.core.files import StoredFile
from engagement.core.i18n import N_, _
from engagement.org import labels as org_labels
from engagement.org.models import Person, Unit, UnitGroupMember

MAX_PAGE_SIZE = 100
STATUS_ORDER = ("overdue", "declined", "pending", "exempted", "signed")
#: How a person's response to a campaign reads (English: its code).
RESPONSE_KINDS = {"decline": N_("decline"), "clarify": N_("clarify")}
#: The codes the exports show as words.
KIND_LABELS = {"personal": N_("personal"), "collective": N_("collective"), "countersign": N_("countersign")}
METHOD_LABELS = {"online": N_("online"), "paper": N_("paper")}
COLLECTIVE_LABELS = {"signed": N_("signed"), "countersigned": N_("countersigned")}


def _due_day(value: datetime | None) -> str:
    # Due instants are the midnight that ends the due day: show that day.
    return formats.day(value - timedelta(seconds=1)) if value else ""


# --- templates and campaigns ------------------------------------------------------------------


def _template_row(tpl: models.CommitmentTemplate, latest: bool = True) -> TemplateRow:
    return TemplateRow(id=tpl.id, family=tpl.family, version=tpl.version, kind=tpl.kind, title=tpl.title,
                       preamble=tpl.preamble, clauses=json.loads(tpl.clauses_json),
                       published_at=formats.moment(tpl.published_at), is_latest=latest)


def templates(session: Session, *, actor: Actor | None) -> list[TemplateRow]:
    """Every template version, newest first within each family."""
    require(actor, Perm.MANAGE_COMMITMENTS)
    rows = session.exec(select(models.CommitmentTemplate).order_by(models.CommitmentTemplate.family,
                                                                   models.CommitmentTemplate.version.desc())).all()
    seen: set[str] = set()
    out = []
    for tpl in rows:
        out.append(_template_row(tpl, latest=tpl.family not in seen))
        seen.add(tpl.family)
    return out


def _campaign_row(session: Session, c: models.Campaign, now: datetime) -> CampaignRow:
    tpl = session.get(models.CommitmentTemplate, c.template_id)
    names = session.exec(select(Unit.name).join(models.CampaignUnit, models.CampaignUnit.unit_id == Unit.id)
                         .where(models.CampaignUnit.campaign_id == c.id).order_by(Unit.name)).all()
    return CampaignRow(id=c.id, year=c.year, name=c.name, status=str(audience.status_of(c, now)),
                       opens=formats.day(c.opens_at), due=_due_day(c.due_at), closes=_due_day(audience.closes_of(c)),
                       allow_late=c.allow_late, template=f"{tpl.title} (v{tpl.version})", units=", ".join(names),
                       positions=", ".join(rules.split_lines(c.positions)))


def campaigns(session: Session, *, actor: Actor | None, now: datetime) -> list[CampaignRow]:
    """Campaigns, newest first: all of them for officers, the open/closed ones for unit heads."""
    require(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    rows = session.exec(select(models.Campaign).order_by(models.Campaign.year.desc(), models.Campaign.id.desc())).all()
    out = [_campaign_row(session, c, now) for c in rows]
    if not can(actor, Perm.MANAGE_COMMITMENTS):
        out = [r for r in out if r.status != CampaignStatus.DRAFT]
    return out


def _get_campaign(session: Session, campaign_id: int) -> models.Campaign:
    c = session.get(models.Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if c is None:
        raise NotFound("This campaign does not exist.")
    return c


# --- the signer's side ---------------------------------------------------------------------------


def _my_status(session: Session, c: models.Campaign, person_id: int,
               now: datetime) -> tuple[PersonStatus, datetime | None]:
    signed = session.exec(select(models.Signature.id).where(models.Signature.campaign_id == c.id,
                                                            models.Signature.slot == f"p:{person_id}")).first()
    due, exempt = audience.due_for(session, c, person_id)
    declined = session.exec(select(models.CommitmentResponse.id).where(
        models.CommitmentResponse.campaign_id == c.id, models.CommitmentResponse.person_id == person_id,
        models.CommitmentResponse.kind == "decline")).first()
    return rules.person_status(signed=signed is not None, exempt=exempt, declined=declined is not None,
                               due_at=due, now=now), due


def my_commitments(session: Session, *, actor: Actor | None, now: datetime) -> list[MyCommitment]:
    """The actor's commitments: campaigns addressed to them now, and every past signature."""
    actor = require_login(actor)
    me = session.exec(select(Person, Unit).join(Unit, Unit.id == Person.unit_id)
                      .where(Person.id == actor.person_id)).one()
    person, unit = me
    out: dict[int, MyCommitment] = {}
    for sig, c in session.exec(select(models.Signature, models.Campaign)
                               .join(models.Campaign, models.Campaign.id == models.Signature.campaign_id)
                               .where(models.Signature.person_id == actor.person_id,
                                      models.Signature.kind == Kind.PERSONAL)):
        out[c.id] = MyCommitment(
            campaign_id=c.id, year=c.year, name=c.name, campaign_status=str(audience.status_of(c, now)),
            status=str(PersonStatus.SIGNED), due=_due_day(c.due_at),
            signed_at=formats.day(sig.paper_signed_on) if sig.paper_signed_on else formats.moment(sig.signed_at),
            signature_id=sig.id, code=sig.code, method=sig.method, pledges=json.loads(sig.pledges_json))
    for c in session.exec(select(models.Campaign).where(models.Campaign.opens_at <= now)):
        if c.id in out or not rules.in_audience(
                unit_path=unit.path, position=person.position,
                audience_paths=audience.audience_paths(session, c.id), positions=audience.positions_of(c)):
            continue
        status, due = _my_status(session, c, actor.person_id, now)
        response = session.exec(select(models.CommitmentResponse).where(
            models.CommitmentResponse.campaign_id == c.id, models.CommitmentResponse.person_id == actor.person_id)
            .order_by(models.CommitmentResponse.id.desc())).first()
        out[c.id] = MyCommitment(campaign_id=c.id, year=c.year, name=c.name,
                                 campaign_status=str(audience.status_of(c, now)), status=str(status),
                                 due=_due_day(due), response=_response(response))
    return sorted(out.values(), key=lambda m: (-m.year, -m.campaign_id))


def _response(response: models.CommitmentResponse | None) -> str:
    """A person's response as they read it back: its kind, then the reason they wrote."""
    if response is None:
        return ""
    kind = RESPONSE_KINDS.get(response.kind, response.kind)
    return _("{kind}: {reason}", kind=kind, reason=response.reason)


def sign_view(session: Session, *, actor: Actor | None, campaign_id: int, now: datetime) -> SignView:
    """The commitment text and whether the actor can sign it now.

    Raises:
        NotAllowed: not logged in, or the campaign is not addressed to the actor.
    """
    actor = require(actor, Perm.SIGN_COMMITMENT)
    c = _get_campaign(session, campaign_id)
    sig = session.exec(select(models.Signature).where(models.Signature.campaign_id == c.id,
                                                      models.Signature.slot == f"p:{actor.person_id}")).first()
    if sig is None:
        member = audience.member_of(session, c, actor.person_id)
        unit_name = member.unit.name
    else:
        unit_name = session.get(Unit, sig.unit_id).name
    tpl = session.get(models.CommitmentTemplate, sig.template_id if sig else c.template_id)
    status, due = _my_status(session, c, actor.person_id, now)
    blocked = ""
    if sig is None:
        try:
            audience.check_can_sign(session, c, actor.person_id, now)
        except Invalid as exc:
            blocked = exc.message
    return SignView(campaign_id=c.id, name=c.name, year=c.year, title=tpl.title, preamble=tpl.preamble,
                    clauses=json.loads(tpl.clauses_json), status=str(status),
                    campaign_status=str(audience.status_of(c, now)), due=_due_day(due),
                    can_sign=sig is None and not blocked, blocked_reason=blocked, my_name=actor.full_name,
                    unit_name=unit_name, signature_id=sig.id if sig else 0, code=sig.code if sig else "",
                    pledges=json.loads(sig.pledges_json) if sig else [])


# --- completion ------------------------------------------------------------------------------------


def _audience_filter(paths: tuple[str, ...], positions: tuple[str, ...]) -> sa.ColumnElement[bool]:
    where = or_(*[Unit.path.like(p + "%") for p in paths]) if paths else sa.false()
    if positions:
        where = sa.and_(where, Person.position.in_(positions))
    return sa.and_(Person.is_active.is_(True), where)


def _status_query(c: models.Campaign, now: datetime, *columns: sa.ColumnElement):
    """People of the audience with their status (a CASE mirroring ``rules.person_status``)."""
    declined = (select(models.CommitmentResponse.person_id)
                .where(models.CommitmentResponse.campaign_id == c.id, models.CommitmentResponse.kind == "decline")
                .distinct().subquery())
    due = func.coalesce(models.DueException.due_at, sa.literal(c.due_at, UTCDateTime))
    status = sa.case(
        (models.Signature.id.is_not(None), "signed"),
        (sa.and_(models.DueException.id.is_not(None), models.DueException.due_at.is_(None)), "exempted"),
        (declined.c.person_id.is_not(None), "declined"),
        (due <= sa.literal(now, UTCDateTime), "overdue"),
        else_="pending",
    ).label("status")
    stmt = (select(*columns, status)
            .select_from(Person)
            .join(Unit, Unit.id == Person.unit_id)
            .outerjoin(models.Signature, sa.and_(models.Signature.campaign_id == c.id,
                                                 models.Signature.person_id == Person.id,
                                                 models.Signature.kind == Kind.PERSONAL))
            .outerjoin(models.DueException, sa.and_(models.DueException.campaign_id == c.id,
                                                    models.DueException.person_id == Person.id))
            .outerjoin(declined, declined.c.person_id == Person.id))
    return stmt, status, due


def _visible(actor: Actor | None, path: str) -> bool:
    return can(actor, Perm.VIEW_COMMITMENT_PROGRESS, unit_path=path)


def _status_counts(session: Session, c: models.Campaign, now: datetime) -> tuple[list, dict[int, dict[str, int]]]:
    """The audience's units, and each unit's people (sub-units included) by status."""
    paths = audience.audience_paths(session, c.id)
    stmt, status, _due = _status_query(c, now, Person.unit_id)
    stmt = stmt.where(_audience_filter(paths, audience.positions_of(c))).group_by(Person.unit_id, status)
    counts = session.execute(stmt.add_columns(func.count())).all()
    units = session.exec(select(Unit.id, Unit.name, Unit.code, Unit.path, Unit.depth)
                         .where(or_(*[Unit.path.like(p + "%") for p in paths]) if paths else sa.false())).all()
    by_id = {u.id: u for u in units}
    totals: dict[int, dict[str, int]] = {u.id: dict.fromkeys(STATUS_ORDER, 0) for u in units}
    for unit_id, st, n in counts:
        unit = by_id.get(unit_id)
        if unit is None:
            continue
        for part in unit.path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in totals:
                totals[ancestor][st] += n
    return units, totals


def completion_for_digest(session: Session, *, since: datetime,
                          now: datetime) -> list[tuple[str, dict[int, tuple[int, int]]]]:
    """For the unit heads' monthly digest (a job, no actor): every campaign that opened by
    ``now`` and was still open at ``since``, as (name, unit -> (signed or exempted, audience))."""
    out = []
    for c in session.exec(select(models.Campaign).where(models.Campaign.opens_at <= now)
                          .order_by(models.Campaign.opens_at, models.Campaign.id)):
        if audience.closes_of(c) < since:
            continue
        _units, totals = _status_counts(session, c, now)
        out.append((c.name, {uid: (tally["signed"] + tally["exempted"], sum(tally.values()))
                             for uid, tally in totals.items()}))
    return out


def completion(session: Session, *, actor: Actor | None, campaign_id: int, group_id: int | None = None,
               now: datetime) -> list[CompletionRow]:
    """Completion per unit of the audience, each unit counting its sub-units, in tree order.

    Officers see every unit; unit heads their own units. ``group_id`` keeps only the units
    of one unit group (peer cohort).
    """
    require(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    c = _get_campaign(session, campaign_id)
    units, totals = _status_counts(session, c, now)
    group_units: set[int] | None = None
    if group_id:
        group_units = set(session.exec(select(UnitGroupMember.unit_id)
                                       .where(UnitGroupMember.group_id == group_id)).all())
    collective: dict[int, str] = {}
    for kind, unit_id in session.exec(select(models.Signature.kind, models.Signature.unit_id).where(
            models.Signature.campaign_id == c.id, models.Signature.kind != Kind.PERSONAL)):
        if kind == Kind.COUNTERSIGN or unit_id not in collective:
            collective[unit_id] = "countersigned" if kind == Kind.COUNTERSIGN else "signed"
    names = {u.id: u.name.casefold() for u in units}
    out = []
    for u in units:
        if not _visible(actor, u.path) or (group_units is not None and u.id not in group_units):
            continue
        tally = totals[u.id]
        total = sum(tally.values())
        done = tally["signed"] + tally["exempted"]
        out.append((tuple(names.get(int(p), "") for p in u.path.strip("/").split("/")), CompletionRow(
            unit_id=u.id, name=u.name, code=u.code, depth=u.depth, total=total, signed=tally["signed"],
            pending=tally["pending"], declined=tally["declined"], overdue=tally["overdue"], exempted=tally["exempted"],
            percent=round(100 * done / total) if total else 0, collective=collective.get(u.id, ""))))
    out.sort(key=lambda pair: pair[0])
    return [row for _key, row in out]


def people(session: Session, *, actor: Actor | None, campaign_id: int, unit_id: int, status: str = "",
           page: int = 1, page_size: int = 50, now: datetime) -> PeoplePage:
    """The people of a unit (and its sub-units) in a campaign's audience, with their status.

    ``status`` "todo" keeps the people still to sign (pending, overdue, declined).
    """
    require(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    c = _get_campaign(session, campaign_id)
    unit = session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None or not _visible(actor, unit.path):
        raise NotFound("This unit does not exist or is outside your units.")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    stmt, st, due = _status_query(c, now, Person.id, Person.full_name, Person.employee_code,
                                  Unit.name.label("unit_name"), Person.position, models.Signature.signed_at,
                                  models.Signature.method, models.Signature.scan_file_id,
                                  models.Signature.paper_signed_on, Person.unit_id)
    stmt = stmt.add_columns(due.label("due")).where(
        _audience_filter(audience.audience_paths(session, c.id), audience.positions_of(c)),
        Unit.path.like(unit.path + "%"))
    wanted = {"todo": ("pending", "overdue", "declined")}.get(status, (status,) if status in STATUS_ORDER else ())
    if wanted:
        stmt = stmt.where(st.in_(wanted))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, math.ceil(total / page_size))
    page = max(1, min(page, pages))
    order = sa.case(*[(st == s, i) for i, s in enumerate(STATUS_ORDER)])
    rows = session.exec(stmt.order_by(order, Person.sort_key, Person.id)
                        .offset((page - 1) * page_size).limit(page_size)).all()
    notes: dict[int, str] = {}
    ids = [r[0] for r in rows]
    if ids:
        for r in session.exec(select(models.CommitmentResponse).where(models.CommitmentResponse.campaign_id == c.id,
                                                                      models.CommitmentResponse.person_id.in_(ids))
                              .order_by(models.CommitmentResponse.id)):
            notes[r.person_id] = (_("Declined: {reason}", reason=r.reason) if r.kind == "decline"
                                  else _("Asks for clarification: {reason}", reason=r.reason))
        for e in session.exec(select(models.DueException).where(models.DueException.campaign_id == c.id,
                                                                models.DueException.person_id.in_(ids))):
            notes.setdefault(e.person_id, _("Exception: {reason}", reason=e.reason))
    units = org_labels.unit_labels(session, {r[9] for r in rows})
    return PeoplePage(rows=[PersonProgress(
        person_id=r[0], name=r[1], employee_code=r[2], unit_name=units.get(r[9], r[3]), position=r[4],
        signed_at=formats.moment(r[5]),
        method=r[6] or "", scan_url=f"/files/{r[7]}" if r[7] else "", paper_on=formats.day(r[8]) if r[8] else "",
        status=r[10], due=_due_day(r[11]) if r[10] != "exempted" else "",
        note=notes.get(r[0], "")) for r in rows], total=total, page=page, pages=pages)


def collectives(session: Session, *, actor: Actor | None, now: datetime) -> list[CollectiveRow]:
    """Collective commitments the actor may sign (as unit head) or countersign (as union chair)."""
    actor = require(actor, Perm.SIGN_COMMITMENT)
    head_units = [g.unit_id for g in actor.grants if g.role is Role.UNIT_HEAD and g.unit_id]
    chair_units = audience.union_chair_units(session, actor)
    wanted = set(head_units) | set(chair_units)
    if not wanted:
        return []
    out = []
    for c in session.exec(select(models.Campaign).where(models.Campaign.collective_template_id.is_not(None))
                          .order_by(models.Campaign.year.desc())):
        if audience.status_of(c, now) is CampaignStatus.DRAFT:
            continue
        paths = audience.audience_paths(session, c.id)
        for unit in session.exec(select(Unit).where(Unit.id.in_(wanted))):
            if not any(unit.path.startswith(p) for p in paths):
                continue
            sigs = {s.kind: s for s in session.exec(select(models.Signature).where(
                models.Signature.campaign_id == c.id, models.Signature.unit_id == unit.id,
                models.Signature.kind != Kind.PERSONAL))}
            head, counter = sigs.get(Kind.COLLECTIVE), sigs.get(Kind.COUNTERSIGN)
            tpl = session.get(models.CommitmentTemplate, c.collective_template_id)
            is_open = audience.status_of(c, now) is CampaignStatus.OPEN
            out.append(CollectiveRow(campaign_id=c.id, unit_id=unit.id, unit_name=f"{unit.name} · {c.name}",
                                     head_signature_id=head.id if head else 0,
                                     head_signed_at=formats.moment(head.signed_at) if head else "",
                                     countersigned_at=formats.moment(counter.signed_at) if counter else "",
                                     title=tpl.title, clauses=json.loads(tpl.clauses_json),
                                     can_sign=is_open and head is None and unit.id in head_units,
                                     can_countersign=is_open and head is not None and counter is None
                                     and unit.id in chair_units))
    return out


# --- exports -----------------------------------------------------------------------------------------

COMPLETION_HEADERS = (N_("Unit"), N_("Code"), N_("Unit level"), N_("People"), N_("Signed"), N_("Not signed yet"),
                      N_("Declined"), N_("Overdue"), N_("Exempted"), N_("Done %"), N_("Collective"))
REGISTER_HEADERS = (N_("Seq"), N_("Code"), N_("Kind"), N_("Method"), N_("Signed at"), N_("Name"),
                    N_("Employee code"), N_("Unit"), N_("On time"), N_("Typed name"), N_("Client address"),
                    N_("Paper reason"), "SHA-256")
EXPORT_TITLES = {"completion": N_("Completion"), "signatures": N_("Signatures")}


def export_completion(session: Session, *, actor: Actor | None, campaign_id: int, fmt: str,
                      group_id: int | None = None, now: datetime) -> tuple[bytes, str]:
    """The completion table as CSV or XLSX bytes, and a file name."""
    rows = completion(session, actor=actor, campaign_id=campaign_id, group_id=group_id, now=now)
    data = [(r.name, r.code, r.depth, r.total, r.signed, r.pending, r.declined, r.overdue, r.exempted,
             r.percent, _label(COLLECTIVE_LABELS, r.collective)) for r in rows]
    return _export("completion", campaign_id, fmt, COMPLETION_HEADERS, data)


def export_register(session: Session, *, actor: Actor | None, campaign_id: int, fmt: str,
                    now: datetime) -> tuple[bytes, str]:
    """The signature register of a campaign (signatures in the actor's units) as CSV or XLSX."""
    require(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    c = _get_campaign(session, campaign_id)
    where = reach(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    stmt = (select(models.Signature, Person.full_name, Person.employee_code, Unit.name)
            .join(Person, Person.id == models.Signature.person_id).join(Unit, Unit.id == models.Signature.unit_id)
            .where(models.Signature.campaign_id == c.id).order_by(models.Signature.seq))
    if not where.org:
        stmt = stmt.where(or_(*[Unit.path.like(p + "%") for p in where.unit_paths]))
    # Client addresses are evidence for officers; a unit head's copy leaves them out.
    show_ip = where.org
    yes, no = _("yes"), _("no")
    rows = session.exec(stmt).all()
    units = org_labels.unit_labels(session, {s.unit_id for s, *_ in rows})
    data = [(s.seq, s.code, _label(KIND_LABELS, s.kind), _label(METHOD_LABELS, s.method),
             formats.day(s.paper_signed_on) if s.paper_signed_on else formats.moment(s.signed_at), name, code,
             units.get(s.unit_id, unit), yes if s.on_time else no, s.typed_name,
             s.client_ip if show_ip else "", s.paper_reason, s.content_hash)
            for s, name, code, unit in rows]
    return _export("signatures", campaign_id, fmt, REGISTER_HEADERS, data)


def _label(labels: dict, code: str) -> str:
    """The word for a code in the current language (an unknown or empty code as it is)."""
    return labels[code].render() if code in labels else code


def _export(what: str, campaign_id: int, fmt: str, headers, rows) -> tuple[bytes, str]:
    name = f"commitments-{what}-{campaign_id}"
    if fmt == "xlsx":
        return to_xlsx(EXPORT_TITLES.get(what, what.capitalize()), headers, rows), name + ".xlsx"
    return to_csv(headers, rows), name + ".csv"


# --- tamper evidence -------------------------------------------------------------------------------


def _link(sig: models.Signature, parent_hash: str, scan_sha: str) -> rules.ChainLink:
    try:
        pledges = json.loads(sig.pledges_json)
    except ValueError:
        pledges = [sig.pledges_json]
    payload = rules.signature_payload(
        seq=sig.seq, campaign_id=sig.campaign_id, template_id=sig.template_id, kind=sig.kind, slot=sig.slot,
        person_id=sig.person_id, unit_id=sig.unit_id, parent_hash=parent_hash, signed_at=sig.signed_at,
        method=sig.method, typed_name=sig.typed_name, content=sig.content, pledges=pledges,
        client_ip=sig.client_ip, user_agent=sig.user_agent, scan_sha256=scan_sha)
    sealed = rules.signature_sealed(seq=sig.seq, code=sig.code, prev_hash=sig.prev_hash, content_hash=sig.content_hash,
                                    on_time=sig.on_time, paper_reason=sig.paper_reason, recorded_by=sig.recorded_by,
                                    scan_file_id=sig.scan_file_id, parent_id=sig.parent_id)
    return rules.ChainLink(seq=sig.seq, code=sig.code, prev_hash=sig.prev_hash, content_hash=sig.content_hash,
                           payload=payload, seal=sig.seal or "", sealed=sealed)


def _links(session: Session, stmt, scan_problems: list[rules.ChainBreak] | None = None) -> list[rules.ChainLink]:
    """The chain links of the signatures ``stmt`` selects, each scan re-hashed from its bytes.

    The hashed content holds the scan's SHA-256 as it was when signed; it is recomputed here
    from the stored bytes (not read from the file's checksum column), so replacing a scan's
    bytes breaks the link. A checksum column that no longer matches its bytes is reported in
    ``scan_problems``.
    """
    parent = sa.orm.aliased(models.Signature)
    rows = session.execute(stmt.add_columns(StoredFile.sha256, StoredFile.data, parent.content_hash)
                           .outerjoin(StoredFile, StoredFile.id == models.Signature.scan_file_id)
                           .outerjoin(parent, parent.id == models.Signature.parent_id)).all()
    links = []
    for sig, stored_sha, data, parent_hash in rows:
        actual = hashlib.sha256(data).hexdigest() if data is not None else ""
        if scan_problems is not None and data is not None and stored_sha != actual:
            scan_problems.append(rules.ChainBreak(sig.seq, sig.code, rules.SCAN_CHANGED.render()))
        links.append(_link(sig, parent_hash or "", actual))
    return links


#: ``verify_chain(key=...)`` default: the installation's chain key.
INSTALLATION_KEY = object()


def verify_chain(session: Session, *, key: object = INSTALLATION_KEY,
                 checkpoint: chain.ChainHead | None = None) -> ChainReport:
    """Check every signature: its content (scans re-hashed from their bytes) still gives its hash,
    it follows the previous one, its seal holds under the chain key, and the chain still holds
    every signature the newest published head (audit log) and ``checkpoint`` counted.

    For the ``engagement verify-signatures`` command (server authority) and the officer page.

    Args:
        session: a read session.
        key: the chain key (default: the installation's); None checks the hashes only.
        checkpoint: a head from an archived checkpoint file to compare with.
    """
    chain_key = chain.chain_key() if key is INSTALLATION_KEY else key
    scan_problems: list[rules.ChainBreak] = []
    links = _links(session, select(models.Signature).order_by(models.Signature.seq), scan_problems)
    breaks = sorted(rules.find_breaks(links, key=chain_key) + scan_problems, key=lambda b: b.seq)
    lines = [f"#{b.seq} ({b.code}): {b.problem}" for b in breaks]
    head_text = ""
    if chain_key is not None:
        heads = [("audit", audit_head(session)), ("checkpoint", checkpoint)]
        for source, head in heads:
            if head is None:
                continue
            problems = chain.check_head(chain_key, head, links, texts=rules.SIGNATURE_BREAKS)
            if head.kind != rules.CHAIN_KIND:
                problems = [_("the checkpoint is of {kind}, not of signatures", kind=head.kind)]
            lines.extend(f"{_('checkpoint file') if source == 'checkpoint' else _('audit log')}: {p}"
                         for p in problems)
        published = heads[0][1]
        if published is not None:
            head_text = _("Last published head: {count} signatures, last hash {hash}, at {at}",
                          count=published.count, hash=published.last_hash[:16], at=published.at)
    return ChainReport(checked=len(links), breaks=lines, head=head_text)


def audit_head(session: Session) -> chain.ChainHead | None:
    """The newest head of the signature chain published in the audit log (None: never).

    A row that cannot be read counts as a head that does not hold (its seal is empty).
    """
    row = session.exec(select(AuditEntry.detail).where(
        AuditEntry.action == "chain.head", AuditEntry.entity == rules.CHAIN_KIND)
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        head = chain.head_from(json.loads(row))
    except ValueError:
        head = None
    return head or chain.ChainHead(kind=rules.CHAIN_KIND, count=0, last_hash="", at="?", seal="")


def current_head(session: Session, *, now: datetime) -> chain.ChainHead:
    """The chain's head now, sealed (for a checkpoint file)."""
    last = session.exec(select(models.Signature.content_hash).order_by(models.Signature.seq.desc()).limit(1)).first()
    count = session.exec(select(func.count()).select_from(models.Signature)).one()
    return chain.make_head(chain.chain_key(), kind=rules.CHAIN_KIND, count=count, last_hash=last or "", now=now)


def chain_report(session: Session, *, actor: Actor | None) -> ChainReport:
    """``verify_chain`` for the officer's page."""
    require(actor, Perm.MANAGE_COMMITMENTS)
    return verify_chain(session)


def public_signature(session: Session, *, reference: str) -> PublicSignature:
    """What the public verify page shows for a signature code or hash; no login needed.

    Checks the signature's own link (its content gives its hash, it follows its
    predecessor, and its successor follows it) without walking the whole chain.
    """
    ref = (reference or "").strip().lower()
    if not rules.looks_like_reference(ref):
        return PublicSignature(found=False)
    column = models.Signature.content_hash if len(ref) == 64 else models.Signature.code
    sig = session.exec(select(models.Signature).where(column == ref)).first()
    if sig is None:
        return PublicSignature(found=False)
    link = _links(session, select(models.Signature).where(models.Signature.id == sig.id))[0]
    prev = session.exec(select(models.Signature).where(models.Signature.seq == sig.seq - 1)).first()
    nxt = session.exec(select(models.Signature).where(models.Signature.seq == sig.seq + 1)).first()
    start = prev.content_hash if prev else rules.GENESIS_HASH
    key = chain.chain_key() if sig.seal else None  # a signature from before seals: its hashes only
    intact = not rules.find_breaks([link], start_hash=start, start_seq=sig.seq, key=key) and \
        (sig.seq == 1 or prev is not None) and (nxt is None or nxt.prev_hash == sig.content_hash)
    person = session.get(Person, sig.person_id)
    unit = session.get(Unit, sig.unit_id)
    c = session.get(models.Campaign, sig.campaign_id)
    return PublicSignature(found=True, intact=intact, code=sig.code, content_hash=sig.content_hash,
                           name=person.full_name if person else "", unit=unit.name if unit else "",
                           campaign=c.name if c else "", signed_on=formats.day(sig.paper_signed_on or sig.signed_at),
                           kind=sig.kind,
                           method=sig.method)


def signature_for_pdf(session: Session, *, actor: Actor | None, signature_id: int) -> dict:
    """The facts a signature's PDF shows, for the signer or whoever follows their unit."""
    actor = require_login(actor)
    sig = session.get(models.Signature, signature_id) if isinstance(signature_id, int) else None
    unit = session.get(Unit, sig.unit_id) if sig else None
    if sig is None or unit is None or (sig.person_id != actor.person_id and not _visible(actor, unit.path)):
        raise NotFound("This signature does not exist or is not yours to download.")
    person = session.get(Person, sig.person_id)
    c = session.get(models.Campaign, sig.campaign_id)
    return {"code": sig.code, "hash": sig.content_hash, "content": sig.content, "name": person.full_name,
            "unit": unit.name, "campaign": c.name, "signed_at": formats.moment(sig.signed_at), "method": sig.method,
            "kind": sig.kind, "paper_reason": sig.paper_reason, "seq": sig.seq}


def unsigned_in_open_campaigns(session: Session, *, now: datetime) -> list[Unsigned]:
    """Everyone who still has to sign in a campaign open at ``now`` (pending, overdue, declined).

    For the reminder job (issue 7), which runs with no actor: signed and exempted people are
    left out here, so they can never be reminded.
    """
    out: list[Unsigned] = []
    for c in session.exec(select(models.Campaign)
                          .where(models.Campaign.opens_at <= now, models.Campaign.closed_at.is_(None))
                          .order_by(models.Campaign.id)):
        if audience.status_of(c, now) is not CampaignStatus.OPEN:
            continue
        stmt, st, due = _status_query(c, now, Person.id, Person.unit_id, Unit.path)
        stmt = stmt.add_columns(due.label("due")).where(
            _audience_filter(audience.audience_paths(session, c.id), audience.positions_of(c)),
            st.in_(("pending", "overdue", "declined")))
        out.extend(Unsigned(campaign_id=c.id, campaign_name=c.name, person_id=r[0], unit_id=r[1],
                            unit_path=r[2], opens_at=c.opens_at, due_at=r[4], status=r[3])
                   for r in session.exec(stmt.order_by(Person.id)).all())
    return out


# --- building blocks for other features (no actor) -------------------------------------------------

#: Ids per IN list: SQLite binds at most 999 parameters in a statement (older builds).
IN_CHUNK = 900


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), IN_CHUNK):
        yield unique[start:start + IN_CHUNK]


def year_status(session: Session, *, person_ids: Sequence[int], year: int) -> dict[int, str]:
    """Each person's conduct commitment of ``year``, for the annual rating sheet's evidence.

    A building block with no actor (like ``scoring.queries.person_totals``): the caller has
    already decided that its reader may see these people. Set-based: two queries for the
    year's campaigns and their audience units, then three per chunk of ``IN_CHUNK`` people,
    whatever the head count.

    Args:
        session: an open session.
        person_ids: the people (any number; duplicates are fine).
        year: the campaigns' year (``Campaign.year``).

    Returns:
        Person id -> status, for every id given: "signed" when they signed their personal
        commitment in any campaign of ``year``; else "declined" when they declined one; else
        "not_signed" when a campaign of ``year`` addresses them now (active, in one of its
        units or below, of one of its positions if it lists any; an exempted person included);
        else "none".
    """
    out = dict.fromkeys(sorted(set(person_ids)), "none")
    if not out:
        return out
    campaigns = session.exec(select(models.Campaign).where(models.Campaign.year == year)).all()
    if not campaigns:
        return out
    campaign_ids = [c.id for c in campaigns]
    paths: dict[int, list[str]] = {}
    for campaign_id, path in session.exec(
            select(models.CampaignUnit.campaign_id, Unit.path).join(Unit, Unit.id == models.CampaignUnit.unit_id)
            .where(models.CampaignUnit.campaign_id.in_(campaign_ids))):
        paths.setdefault(campaign_id, []).append(path)
    audiences = [(tuple(paths.get(c.id, ())), audience.positions_of(c)) for c in campaigns]
    for chunk in _chunks(person_ids):
        for person_id, unit_path, position in session.exec(
                select(Person.id, Unit.path, Person.position).join(Unit, Unit.id == Person.unit_id)
                .where(Person.id.in_(chunk), Person.is_active.is_(True))):
            if any(rules.in_audience(unit_path=unit_path, position=position, audience_paths=unit_paths,
                                     positions=positions) for unit_paths, positions in audiences):
                out[person_id] = "not_signed"
        for person_id in session.exec(
                select(models.CommitmentResponse.person_id).distinct()
                .where(models.CommitmentResponse.campaign_id.in_(campaign_ids),
                       models.CommitmentResponse.kind == "decline",
                       models.CommitmentResponse.person_id.in_(chunk))):
            out[person_id] = "declined"
        for person_id in session.exec(
                select(models.Signature.person_id).distinct()
                .where(models.Signature.campaign_id.in_(campaign_ids), models.Signature.kind == Kind.PERSONAL,
                       models.Signature.person_id.in_(chunk))):
            out[person_id] = "signed"
    return out


def completion_between(session: Session, *, start: datetime, end: datetime,
                       now: datetime) -> dict[int, tuple[int, int]]:
    """For the movement's review report: per unit (people's own unit, sub-units not included),
    (signed or exempted, audience) summed over the campaigns that opened in [start, end), as they stand now.

    One grouped statement per campaign (and one for its audience): never one per person or unit.
    """
    out: dict[int, list[int]] = {}
    for c in session.exec(select(models.Campaign).where(models.Campaign.opens_at >= start,
                                                        models.Campaign.opens_at < end)
                          .order_by(models.Campaign.id)):
        paths = audience.audience_paths(session, c.id)
        stmt, status, _due = _status_query(c, now, Person.unit_id)
        stmt = stmt.where(_audience_filter(paths, audience.positions_of(c))).group_by(Person.unit_id, status)
        for unit_id, st, n in session.execute(stmt.add_columns(func.count())).all():
            tally = out.setdefault(unit_id, [0, 0])
            tally[1] += n
            if st in ("signed", "exempted"):
                tally[0] += n
    return {unit_id: (done, total) for unit_id, (done, total) in out.items()}
