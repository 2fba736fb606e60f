"""Use cases of the commitments feature: the only code here that writes.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then
writes (with an audit entry) and flushes. The caller's ``unit_of_work`` commits, so a
refused request writes nothing. A wrong password at signing is the one refusal that is
RETURNED (``PasswordRefused``), not raised: its failed attempt is then committed by the
caller, and counts towards the login throttle as a failed login would.
Who a campaign addresses and its deadlines are read in ``audience.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.commitments import models, queries, rules
from engagement.commitments.audience import (
    Member,
    _exception,
    audience_paths,
    check_can_sign,
    closes_of,
    due_for,
    member_of,
    status_of,
    union_chair_units,
)
from engagement.commitments.dto import SignatureInfo
from engagement.commitments.rules import CampaignStatus, Kind
from engagement.core import audit, chain, files, formats, routes
from engagement.core.access import Actor, Perm, Role, can, reach, require
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.i18n import N_
from engagement.notify import service as notify
from engagement.org import sessions as org_sessions
from engagement.org.models import Person, Unit
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source
from engagement.settings import get_settings

SCAN_PURPOSE = "commitment.scan"
DUE_DATE = N_("due date")


def _info(sig: models.Signature) -> SignatureInfo:
    return SignatureInfo(id=sig.id, code=sig.code, content_hash=sig.content_hash,
                         signed_at=formats.moment(sig.signed_at), on_time=sig.on_time, method=sig.method,
                         kind=sig.kind)


# --- templates ------------------------------------------------------------------------------------


def _latest(session: Session, family: str) -> models.CommitmentTemplate | None:
    return session.exec(select(models.CommitmentTemplate).where(models.CommitmentTemplate.family == family)
                        .order_by(models.CommitmentTemplate.version.desc())).first()


def _publish(session: Session, *, family: str, kind: str, text: rules.TemplateText,
             actor: Actor | None, now: datetime) -> models.CommitmentTemplate:
    latest = _latest(session, family)
    row = models.CommitmentTemplate(
        family=family, version=(latest.version + 1) if latest else 1, kind=kind, title=text.title,
        preamble=text.preamble, clauses_json=json.dumps(list(text.clauses), ensure_ascii=False),
        published_at=now, published_by=actor.account_id if actor else None)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="commitment_template.publish", entity="commitment_template",
                 entity_id=row.id, now=now, family=family, version=row.version)
    return row


def ensure_default_templates(session: Session, *, actor: Actor | None, now: datetime) -> tuple[int, int]:
    """The movement's default personal and collective templates, published once.

    Returns:
        The ids of the newest personal and collective default versions.
    """
    ids = []
    for family, kind, title, preamble, clauses in (
            (rules.DEFAULT_FAMILY, Kind.PERSONAL, rules.DEFAULT_TITLE, rules.DEFAULT_PREAMBLE,
             rules.DEFAULT_CLAUSES),
            (rules.COLLECTIVE_FAMILY, Kind.COLLECTIVE, rules.COLLECTIVE_TITLE, rules.COLLECTIVE_PREAMBLE,
             rules.COLLECTIVE_CLAUSES)):
        row = _latest(session, family) or _publish(
            session, family=family, kind=str(kind), text=rules.clean_template(title, preamble, clauses),
            actor=actor, now=now)
        ids.append(row.id)
    return ids[0], ids[1]


def publish_template(session: Session, *, actor: Actor | None, template_id: int, title: str,
                     preamble: str, clauses: list[str], now: datetime) -> int:
    """Edit a template: publishes a NEW version of its family; the old one never changes.

    Campaigns keep the version they were created on; a campaign on the new version needs
    new signatures.

    Returns:
        The id of the new version.

    Raises:
        NotAllowed, NotFound, Invalid.
    """
    require(actor, Perm.MANAGE_COMMITMENTS)
    base = session.get(models.CommitmentTemplate, template_id)
    if base is None:
        raise NotFound("This template does not exist.")
    text = rules.clean_template(title, preamble, clauses)
    return _publish(session, family=base.family, kind=base.kind, text=text, actor=actor, now=now).id


# --- campaigns -------------------------------------------------------------------------------------


def _campaign(session: Session, campaign_id: int) -> models.Campaign:
    row = session.get(models.Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if row is None:
        raise NotFound("This campaign does not exist.")
    return row


def create_campaign(session: Session, *, actor: Actor | None, year: int, name: str, template_id: int,
                    unit_ids: list[int], opens_on: str, due_on: str, allow_late: bool = False,
                    late_until_on: str = "", positions: str = "",
                    collective_template_id: int | None = None, now: datetime) -> int:
    """Create a campaign. It opens by itself on ``opens_on`` (today: open at once).

    Args:
        opens_on, due_on, late_until_on: calendar days (YYYY-MM-DD) in the organisation's zone;
            the due day counts in full.

    Returns:
        The campaign id.

    Raises:
        NotAllowed, NotFound (template or unit), Invalid (dates, audience, name).
    """
    require(actor, Perm.MANAGE_COMMITMENTS)
    template = session.get(models.CommitmentTemplate, template_id) if isinstance(template_id, int) else None
    if template is None or template.kind != Kind.PERSONAL:
        raise NotFound("Choose a personal commitment template.")
    if collective_template_id:
        coll = session.get(models.CommitmentTemplate, collective_template_id)
        if coll is None or coll.kind != Kind.COLLECTIVE:
            raise NotFound("Choose a collective commitment template.")
    units = sorted({u for u in unit_ids if isinstance(u, int)})
    found = session.exec(select(Unit.id).where(Unit.id.in_(units), Unit.is_active.is_(True))).all() \
        if units else []
    if len(found) != len(units):
        raise NotFound("One of the chosen units does not exist or is inactive.")
    zone = get_settings().tz
    opens_day = rules.parse_day(opens_on, N_("opening date"))
    opens_at = rules.start_of_day(opens_day, zone)
    opens_at = max(opens_at, now) if opens_day <= now.astimezone(zone).date() else opens_at
    due_day = rules.parse_day(due_on, DUE_DATE)
    due_at = rules.end_of_day(due_day, zone)
    late_until = rules.end_of_day(rules.parse_day(late_until_on, N_("late-signing limit")), zone) \
        if (late_until_on or "").strip() else None
    # A past opening date opens the campaign now, so a past due date would otherwise read as
    # "before the opening date": name the real problem first.
    rules.check_not_past(due_day=due_day, today=now.astimezone(zone).date())
    rules.check_campaign(year=year, opens_at=opens_at, due_at=due_at, allow_late=allow_late,
                         late_until=late_until, unit_count=len(units))
    if allow_late and late_until is None:
        # Late signing with no limit given runs to the end of the campaign's year.
        late_until = max(rules.end_of_day(date(year, 12, 31), zone), due_at + timedelta(days=30))
    if due_at <= now:
        raise Invalid("The due date has already passed; choose a later one.", {"due": N_("In the past")})
    _refuse_overlap(session, year=year, unit_ids=units, positions=positions)
    clean_name = rules.clean_campaign_name(name) or f"Cam kết năm {year}"
    row = models.Campaign(year=year, name=clean_name, template_id=template.id,
                          collective_template_id=collective_template_id or None,
                          positions=rules.check_positions(positions), opens_at=opens_at,
                          due_at=due_at, allow_late=bool(allow_late), late_until=late_until, created_at=now,
                          created_by=actor.account_id)
    session.add(row)
    session.flush()
    for unit_id in units:
        session.add(models.CampaignUnit(campaign_id=row.id, unit_id=unit_id))
    audit.record(session, actor=actor, action="commitment_campaign.create", entity="commitment_campaign",
                 entity_id=row.id, now=now, year=year, template_id=template.id, units=units,
                 opens_at=opens_at, due_at=due_at, allow_late=allow_late)
    session.flush()
    return row.id


def _refuse_overlap(session: Session, *, year: int, unit_ids: list[int], positions: str) -> None:
    """Refuse a campaign whose audience shares people with another campaign of the same year.

    Two audiences overlap when a unit of one is (inside) a unit of the other and their
    position filters do not keep them apart (``rules.audiences_overlap``).

    Raises:
        Conflict: naming the other campaign.
    """
    new_paths = tuple(session.exec(select(Unit.path).where(Unit.id.in_(unit_ids))).all()) if unit_ids else ()
    new_positions = tuple(rules.split_lines(positions))
    for other in session.exec(select(models.Campaign).where(models.Campaign.year == year)
                              .order_by(models.Campaign.id)):
        if rules.audiences_overlap(new_paths, new_positions, audience_paths(session, other.id),
                                   tuple(rules.split_lines(other.positions))):
            raise Conflict("The campaign “{other}” already asks some of these people to sign for {year}. Choose "
                           "units it does not cover, or add these units to that campaign instead.",
                           other=other.name, year=year)


def open_campaign(session: Session, *, actor: Actor | None, campaign_id: int, due_on: str = "",
                  now: datetime) -> None:
    """Open a draft now, or reopen a closed campaign (with a new due date if it has passed).

    Raises:
        NotAllowed, NotFound, Invalid (the due date passed and no new one given), Conflict.
    """
    require(actor, Perm.MANAGE_COMMITMENTS)
    c = _campaign(session, campaign_id)
    status = status_of(c, now)
    if status is CampaignStatus.OPEN:
        raise Conflict("This campaign is already open.")
    if (due_on or "").strip():
        c.due_at = rules.end_of_day(rules.parse_day(due_on, DUE_DATE), get_settings().tz)
        if c.late_until is not None and c.late_until <= c.due_at:
            c.late_until = None
    if c.opens_at > now:
        c.opens_at = now
    c.closed_at = None
    if status_of(c, now) is not CampaignStatus.OPEN:
        raise Invalid("The due date has passed: give a new due date to reopen this campaign.",
                      {"due": N_("In the past")})
    session.add(c)
    audit.record(session, actor=actor, action="commitment_campaign.open", entity="commitment_campaign",
                 entity_id=c.id, now=now, due_at=c.due_at)
    session.flush()


def close_campaign(session: Session, *, actor: Actor | None, campaign_id: int, now: datetime) -> None:
    """Close a campaign now (signing stops; signatures given stay).

    Raises:
        NotAllowed, NotFound, Conflict (already closed or still a draft).
    """
    require(actor, Perm.MANAGE_COMMITMENTS)
    c = _campaign(session, campaign_id)
    status = status_of(c, now)
    if status is not CampaignStatus.OPEN:
        raise Conflict("Only an open campaign can be closed; this one is {status}.",
                       status=rules.CAMPAIGN_STATUS_LABELS.get(str(status), str(status)))
    c.closed_at = now
    session.add(c)
    audit.record(session, actor=actor, action="commitment_campaign.close", entity="commitment_campaign",
                 entity_id=c.id, now=now)
    session.flush()


# --- due exceptions ------------------------------------------------------------------------------


def set_exception(session: Session, *, actor: Actor | None, campaign_id: int, person_id: int,
                  reason: str, due_on: str = "", exempt: bool = False, now: datetime) -> None:
    """Give one person their own due date (leave, illness) or exempt them, with a reason.

    Raises:
        NotAllowed (not the officer or the person's unit head), NotFound, Invalid.
    """
    require(actor, Perm.RECORD_COMMITMENT_EXCEPTION)
    c = _campaign(session, campaign_id)
    member = member_of(session, c, person_id)
    require(actor, Perm.RECORD_COMMITMENT_EXCEPTION, unit_path=member.unit.path)
    if person_id == actor.person_id and not reach(actor, Perm.RECORD_COMMITMENT_EXCEPTION).org:
        # A later due date for oneself would also turn a late signature into an on-time one.
        raise NotAllowed("You cannot give yourself an exception; ask an emulation officer.")
    text = rules.clean_reason(reason)
    due_at = None
    if not exempt:
        due_day = rules.parse_day(due_on, DUE_DATE)
        due_at = rules.end_of_day(due_day, get_settings().tz)
        if due_at <= c.due_at:
            raise Invalid("A personal due date must come after the campaign's due date ({day}).",
                          {"due_on": N_("Too early")}, day=formats.day(c.due_at - timedelta(seconds=1)))
        rules.check_in_campaign_year(due_day, c.year)
    row = _exception(session, c.id, person_id) or models.DueException(
        campaign_id=c.id, person_id=person_id, reason=text, recorded_at=now)
    row.due_at, row.reason, row.recorded_at, row.recorded_by = due_at, text, now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commitment_exception.set", entity="commitment_campaign",
                 entity_id=c.id, now=now, person_id=person_id, due_at=due_at, exempt=exempt, reason=text)
    session.flush()


# --- signing ---------------------------------------------------------------------------------------


def _template_text(tpl: models.CommitmentTemplate) -> tuple[str, ...]:
    return tuple(json.loads(tpl.clauses_json))


@dataclass(frozen=True)
class PasswordRefused:
    """A signing refused at the password re-entry: wrong, missing, or throttled.

    Returned instead of raised, like ``org.sessions.login``'s result, so that the caller's
    unit of work commits the failed attempt (and nothing else: no signature is written).
    """

    message: str  # in the current language (the reader's, as the service ran)
    field: str = "password"
    hint: str = "Wrong password"  # a message id: WRONG_PASSWORD or TOO_MANY_ATTEMPTS
    throttled: bool = False
    ok: bool = False

    @property
    def fields(self) -> dict[str, str]:
        """The form field to correct, with its short message's id (``Invalid`` renders it)."""
        return {self.field: self.hint}


RE_ENTER_MESSAGE = N_("Your password is not right. Re-enter the password you log in with.")
WRONG_PASSWORD = N_("Wrong password")
TOO_MANY_ATTEMPTS = N_("Too many failed attempts")


def _check_password(session: Session, actor: Actor, password: str | org_sessions.PasswordProof, client_ip: str,
                    now: datetime) -> PasswordRefused | None:
    """The signer re-enters their login password, through org's throttled check.

    The app passes a ``PasswordProof`` (argon2 already ran, outside this transaction; see
    ``org.sessions``); scripts and tests may pass the plain password. Settling it records the
    attempt; a wrong password counts towards the login throttle like a failed login. Every
    signing path calls this before its first write and returns the refusal at once, so the
    caller commits the attempt row and nothing else.

    Returns:
        None when the password is the actor's; else the refusal (throttled: too many failed
        attempts, at login or signing, for the account or client; checked nothing).

    Raises:
        PasswordChanged: the password changed while it was being checked (nothing written).
    """
    if not password:
        return PasswordRefused(RE_ENTER_MESSAGE.render())
    check = org_sessions.settle_password(session, password=password, username=actor.username,
                                         client_ip=client_ip, now=now)
    if check.throttled:
        return PasswordRefused(str(check.message), hint=TOO_MANY_ATTEMPTS.msgid, throttled=True)
    if not check.ok or check.account_id != actor.account_id:
        return PasswordRefused(RE_ENTER_MESSAGE.render())
    return None


def _lock_chain(session: Session) -> None:
    # One chain for every signature: writers take turns. SQLite already serialises writers
    # (BEGIN IMMEDIATE); PostgreSQL needs a transaction-level advisory lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(727001)"))


def _append(session: Session, *, c: models.Campaign, template_id: int, kind: Kind, slot: str, person_id: int,
            unit_id: int, parent: models.Signature | None, method: str, typed_name: str, content: str,
            pledges: tuple[str, ...], client_ip: str, user_agent: str, on_time: bool,
            recorded_by: int | None = None, paper_reason: str = "", scan: files.StoredFile | None = None,
            now: datetime) -> models.Signature:
    """Write one signature at the end of the chain."""
    if session.exec(select(models.Signature.id)
                    .where(models.Signature.campaign_id == c.id, models.Signature.slot == slot)).first():
        raise Conflict("This commitment is already signed; a signature cannot be given twice.")
    _lock_chain(session)
    last = session.exec(select(models.Signature).order_by(models.Signature.seq.desc())).first()
    seq = (last.seq + 1) if last else 1
    prev_hash = last.content_hash if last else rules.GENESIS_HASH
    ip, ua = (client_ip or "")[:64], (user_agent or "")[:300]
    payload = rules.signature_payload(
        seq=seq, campaign_id=c.id, template_id=template_id, kind=str(kind), slot=slot,
        person_id=person_id, unit_id=unit_id, parent_hash=parent.content_hash if parent else "",
        signed_at=now, method=method, typed_name=typed_name, content=content, pledges=pledges,
        client_ip=ip, user_agent=ua, scan_sha256=scan.sha256 if scan else "")
    digest = rules.chain_hash(prev_hash, payload)
    sig = models.Signature(seq=seq, code=digest[:16], campaign_id=c.id, template_id=template_id, kind=str(kind),
                           slot=slot, person_id=person_id, unit_id=unit_id, parent_id=parent.id if parent else None,
                           signed_at=now, method=method, typed_name=typed_name, content=content,
                           pledges_json=json.dumps(list(pledges), ensure_ascii=False), client_ip=ip, user_agent=ua,
                           recorded_by=recorded_by, paper_reason=paper_reason,
                           scan_file_id=scan.id if scan else None, on_time=on_time, prev_hash=prev_hash,
                           content_hash=digest)
    sig.seal = chain.seal(chain.chain_key(), _sealed(sig))
    session.add(sig)
    session.flush()
    return sig


def _sealed(sig: models.Signature) -> dict:
    """What the signature's seal covers (``rules.signature_sealed`` of the row)."""
    return rules.signature_sealed(seq=sig.seq, code=sig.code, prev_hash=sig.prev_hash,
                                  content_hash=sig.content_hash, on_time=sig.on_time,
                                  paper_reason=sig.paper_reason, recorded_by=sig.recorded_by,
                                  scan_file_id=sig.scan_file_id, parent_id=sig.parent_id)


def _record_points(session: Session, sig: models.Signature, now: datetime) -> None:
    """THE scoring hook, in the signing transaction (issue 6's points ledger).

    A personal signature given on time earns the signer the COMMITMENT points; a collective
    commitment earns its unit points once the union chair has countersigned it, if the
    head signed on time. Late signatures earn nothing. Recording is idempotent per
    ``signature:<id>``.
    """
    if sig.kind == Kind.PERSONAL and sig.on_time:
        scoring.record_points(session, person_id=sig.person_id, source=Source.COMMITMENT,
                              source_ref=f"signature:{sig.id}", occurred_at=sig.signed_at, now=now)
    elif sig.kind == Kind.COUNTERSIGN and sig.parent_id:
        head = session.get(models.Signature, sig.parent_id)
        if head is not None and head.on_time:
            scoring.record_unit_points(session, unit_id=head.unit_id, source=Source.COMMITMENT,
                                       source_ref=f"signature:{head.id}", occurred_at=head.signed_at, now=now)


def _not_signed_yet(session: Session, actor: Actor, campaign_id: int) -> tuple[models.Campaign, Member]:
    """The campaign and the actor's place in its audience; refused once they have signed."""
    c = _campaign(session, campaign_id)
    member = member_of(session, c, actor.person_id)
    if session.exec(select(models.Signature.id).where(models.Signature.campaign_id == c.id,
                                                      models.Signature.slot == f"p:{actor.person_id}")).first():
        raise Conflict("You have already signed this commitment.")
    return c, member


def sign(session: Session, *, actor: Actor | None, campaign_id: int, ticked: list[int],
         pledges: list[str], typed_name: str, password: str | org_sessions.PasswordProof, client_ip: str,
         user_agent: str,
         now: datetime) -> SignatureInfo | PasswordRefused:
    """Sign one's own commitment in a campaign.

    Every clause must be ticked as read, the typed name must be the name on record and the
    password must be the login password. Evidence kept: time, client address, user agent
    and the exact text signed, chained by hash to the previous signature.

    Returns:
        The signature; or ``PasswordRefused`` (wrong password, or too many wrong ones at
        login or signing), having written only the failed attempt.

    Raises:
        NotAllowed (not logged in, not in the audience), NotFound, Invalid (unticked clause,
        wrong name, campaign not open, deadline passed), Conflict (signed already).
    """
    actor = require(actor, Perm.SIGN_COMMITMENT)
    c, member = _not_signed_yet(session, actor, campaign_id)
    due_at = check_can_sign(session, c, actor.person_id, now)
    template = session.get(models.CommitmentTemplate, c.template_id)
    clauses = _template_text(template)
    ticks = [n for n in (ticked or []) if isinstance(n, int)]
    if not rules.all_ticked(ticks, len(clauses)):
        raise Invalid("Read and tick every clause before signing.", {"clauses": N_("Not all ticked")})
    kept = rules.clean_pledges(pledges or [])
    if not rules.names_match(typed_name, member.person.full_name):
        raise Invalid("The name you typed is not the name on your record (“{name}”). Type your full name exactly.",
                      {"typed_name": N_("Does not match")}, name=member.person.full_name)
    if refused := _check_password(session, actor, password, client_ip, now):
        return refused
    content = rules.signed_text(title=template.title, preamble=template.preamble, clauses=clauses,
                                pledges=kept, signer=member.person.full_name, unit=member.unit.name,
                                campaign=c.name)
    on_time = due_at is None or now < due_at
    sig = _append(session, c=c, template_id=template.id, kind=Kind.PERSONAL, slot=f"p:{actor.person_id}",
                  person_id=actor.person_id, unit_id=member.unit.id, parent=None, method="online",
                  typed_name=" ".join(typed_name.split()), content=content, pledges=kept,
                  client_ip=client_ip, user_agent=user_agent, on_time=on_time, now=now)
    audit.record(session, actor=actor, action="commitment.sign", entity="commitment_signature",
                 entity_id=sig.id, now=now, campaign_id=c.id, on_time=on_time)
    _record_points(session, sig, now)
    _reminders_done(session, actor.person_id, now)
    return _info(sig)


#: The notices that ask a person to sign (``jobs.reminders.REMINDER_KIND``, the scheduler's).
SIGN_REMINDER_KINDS = ("commitments.reminder", "commitments.remind_now")


def _reminders_done(session: Session, person_id: int, now: datetime) -> None:
    """Once signed, "waiting for your signature" is no longer new (a later run reminds anew
    if another campaign still waits)."""
    notify.mark_done(session, person_id=person_id, kinds=SIGN_REMINDER_KINDS, now=now)


def respond(session: Session, *, actor: Actor | None, campaign_id: int, kind: str, reason: str,
            now: datetime) -> None:
    """Decline to sign, or ask for clarification, with a reason the unit head sees.

    Raises:
        NotAllowed, NotFound, Invalid (kind, reason, campaign not open), Conflict (signed already).
    """
    actor = require(actor, Perm.SIGN_COMMITMENT)
    if kind not in ("decline", "clarify"):
        raise Invalid("Choose whether you decline or ask for clarification.")
    c, member = _not_signed_yet(session, actor, campaign_id)
    if status_of(c, now) is not CampaignStatus.OPEN:
        raise Invalid("This campaign is not open; responses are taken only while it is open.")
    text = rules.clean_reason(reason)
    session.add(models.CommitmentResponse(campaign_id=c.id, person_id=actor.person_id, unit_id=member.unit.id,
                                          kind=kind, reason=text, at=now))
    audit.record(session, actor=actor, action=f"commitment.{kind}", entity="commitment_campaign",
                 entity_id=c.id, now=now, reason=text)
    session.flush()


def _heads_unit(actor: Actor, unit_id: int) -> bool:
    return any(g.role is Role.UNIT_HEAD and g.unit_id == unit_id for g in actor.grants)


def sign_collective(session: Session, *, actor: Actor | None, campaign_id: int, unit_id: int,
                    ticked: list[int], typed_name: str, password: str | org_sessions.PasswordProof,
                    client_ip: str, user_agent: str,
                    now: datetime) -> SignatureInfo | PasswordRefused:
    """The unit head signs the unit's collective commitment (the union chair countersigns).

    Returns:
        The signature, or ``PasswordRefused`` having written only the failed attempt.

    Raises:
        NotAllowed (not this unit's head, unit outside the audience), NotFound, Invalid, Conflict.
    """
    actor = require(actor, Perm.SIGN_COMMITMENT)
    if not isinstance(unit_id, int) or not _heads_unit(actor, unit_id):
        raise NotAllowed("Only the head of this unit can sign its collective commitment.")
    c = _campaign(session, campaign_id)
    if not c.collective_template_id:
        raise Invalid("This campaign has no collective commitment.")
    unit = session.get(Unit, unit_id)
    if unit is None or not any(unit.path.startswith(p) for p in audience_paths(session, c.id)):
        raise NotAllowed("This unit is not in the campaign's audience.")
    rules.may_sign(status_of(c, now), closed_by_officer=c.closed_at is not None and c.closed_at <= now,
                   closes_on=formats.day(closes_of(c) - timedelta(seconds=1)), due_at=c.due_at,
                   due_on=formats.day(c.due_at - timedelta(seconds=1)), has_exception=False,
                   allow_late=c.allow_late, now=now)
    template = session.get(models.CommitmentTemplate, c.collective_template_id)
    clauses = _template_text(template)
    if not rules.all_ticked([n for n in (ticked or []) if isinstance(n, int)], len(clauses)):
        raise Invalid("Read and tick every clause before signing.", {"clauses": N_("Not all ticked")})
    if not rules.names_match(typed_name, actor.full_name):
        raise Invalid("The name you typed is not the name on your record (“{name}”).",
                      {"typed_name": N_("Does not match")}, name=actor.full_name)
    if refused := _check_password(session, actor, password, client_ip, now):
        return refused
    content = rules.signed_text(title=template.title, preamble=template.preamble, clauses=clauses, pledges=(),
                                signer=actor.full_name, unit=unit.name, campaign=c.name)
    sig = _append(session, c=c, template_id=template.id, kind=Kind.COLLECTIVE, slot=f"u:{unit.id}",
                  person_id=actor.person_id, unit_id=unit.id, parent=None, method="online",
                  typed_name=" ".join(typed_name.split()), content=content, pledges=(), client_ip=client_ip,
                  user_agent=user_agent, on_time=now < c.due_at, now=now)
    audit.record(session, actor=actor, action="commitment.sign_collective", entity="commitment_signature",
                 entity_id=sig.id, now=now, campaign_id=c.id, unit_id=unit.id)
    return _info(sig)


def countersign(session: Session, *, actor: Actor | None, signature_id: int, typed_name: str,
                password: str | org_sessions.PasswordProof, client_ip: str, user_agent: str, now: datetime
                ) -> SignatureInfo | PasswordRefused:
    """The union chair of the unit countersigns its collective commitment.

    Returns:
        The signature, or ``PasswordRefused`` having written only the failed attempt.

    Raises:
        NotAllowed (not the chair of this unit's union branch), NotFound, Invalid, Conflict.
    """
    actor = require(actor, Perm.SIGN_COMMITMENT)
    parent = session.get(models.Signature, signature_id) if isinstance(signature_id, int) else None
    if parent is None or parent.kind != Kind.COLLECTIVE or parent.unit_id not in union_chair_units(session, actor):
        raise NotAllowed("Only the union chair of this unit can countersign its collective commitment.")
    c = _campaign(session, parent.campaign_id)
    if status_of(c, now) is CampaignStatus.CLOSED:
        raise Invalid("This campaign closed on {day}; it can no longer be countersigned.",
                      day=formats.day(closes_of(c)))
    if not rules.names_match(typed_name, actor.full_name):
        raise Invalid("The name you typed is not the name on your record (“{name}”).",
                      {"typed_name": N_("Does not match")}, name=actor.full_name)
    if refused := _check_password(session, actor, password, client_ip, now):
        return refused
    content = f"Đồng ký bản cam kết tập thể {parent.code} (SHA-256 {parent.content_hash})"
    sig = _append(session, c=c, template_id=parent.template_id, kind=Kind.COUNTERSIGN,
                  slot=f"c:{parent.unit_id}", person_id=actor.person_id, unit_id=parent.unit_id, parent=parent,
                  method="online", typed_name=" ".join(typed_name.split()), content=content, pledges=(),
                  client_ip=client_ip, user_agent=user_agent, on_time=True, now=now)
    audit.record(session, actor=actor, action="commitment.countersign", entity="commitment_signature",
                 entity_id=sig.id, now=now, parent_id=parent.id)
    _record_points(session, sig, now)
    return _info(sig)


def record_paper_signature(session: Session, *, actor: Actor | None, campaign_id: int, person_id: int,
                           reason: str, scan: bytes, scan_name: str, signed_on: str, now: datetime
                           ) -> SignatureInfo:
    """An officer records a paper signature for a person (typically without an account).

    The scan is stored (checked from its bytes) and its SHA-256 enters the chained content;
    the signature is marked ``paper`` everywhere it is shown.

    Raises:
        NotAllowed, NotFound, Invalid (reason, scan, date, campaign), Conflict (signed already).
    """
    require(actor, Perm.MANAGE_COMMITMENTS)
    c = _campaign(session, campaign_id)
    member = member_of(session, c, person_id) if isinstance(person_id, int) else None
    if member is None:
        raise NotFound("This person does not exist.")
    if status_of(c, now) is CampaignStatus.DRAFT:
        raise Invalid("This campaign is not open yet.")
    text = rules.clean_reason(reason)
    signed_day = rules.parse_day(signed_on, N_("date on the paper"))
    if rules.start_of_day(signed_day, get_settings().tz) > now:
        raise Invalid("The date on the paper cannot be in the future.", {"signed_on": N_("In the future")})
    opened_day = c.opens_at.astimezone(get_settings().tz).date()
    if signed_day < opened_day:
        raise Invalid("The date on the paper ({day}) is before the campaign opened on {opened}; check the date "
                      "written on the paper.", {"signed_on": N_("Before the campaign opened")},
                      day=formats.day(signed_day), opened=formats.day(opened_day))
    if not scan:
        raise Invalid("Upload the scan of the signed paper (PDF, JPEG or PNG).", {"scan": N_("Required")})
    clean = files.clean_scan(scan)
    if session.exec(select(models.Signature.id).where(models.Signature.campaign_id == c.id,
                                                      models.Signature.slot == f"p:{person_id}")).first():
        raise Conflict("This person has already signed this commitment.")
    stored = files.save(session, clean=clean, purpose=SCAN_PURPOSE, name=scan_name or "scan", actor=actor, now=now)
    template = session.get(models.CommitmentTemplate, c.template_id)
    content = rules.signed_text(title=template.title, preamble=template.preamble,
                                clauses=_template_text(template), pledges=(), signer=member.person.full_name,
                                unit=member.unit.name, campaign=c.name) + \
        f"\n\n[Ký trên giấy ngày {formats.day(signed_day)}; ghi nhận bởi {actor.full_name}]"
    due_at, _ = due_for(session, c, person_id)
    on_time = due_at is None or rules.start_of_day(signed_day, get_settings().tz) < due_at
    sig = _append(session, c=c, template_id=template.id, kind=Kind.PERSONAL, slot=f"p:{person_id}",
                  person_id=person_id, unit_id=member.unit.id, parent=None, method="paper",
                  typed_name=member.person.full_name, content=content, pledges=(), client_ip="", user_agent="",
                  on_time=on_time, recorded_by=actor.account_id, paper_reason=text, scan=stored, now=now)
    sig.paper_signed_on = signed_day
    session.add(sig)
    audit.record(session, actor=actor, action="commitment.record_paper", entity="commitment_signature",
                 entity_id=sig.id, now=now, person_id=person_id, reason=text, scan_file_id=stored.id,
                 signed_on=signed_day.isoformat())
    _record_points(session, sig, now)
    _reminders_done(session, person_id, now)
    return _info(sig)


def may_read_scan(session: Session, actor: Actor | None, stored: files.StoredFile) -> bool:
    """Who may open a paper-signature scan: officers, the signer, and the head of the signer's
    unit now (who sees the link in their people list); the head of a unit the signer has
    since left no longer may."""
    sig = session.exec(select(models.Signature).where(models.Signature.scan_file_id == stored.id)).first()
    if sig is None or actor is None:
        return False
    if actor.person_id == sig.person_id:
        return True
    person = session.get(Person, sig.person_id) if sig.person_id else None
    unit = session.get(Unit, person.unit_id if person is not None else sig.unit_id)
    return unit is not None and can(actor, Perm.VIEW_COMMITMENT_PROGRESS, unit_path=unit.path)


def chain_count(session: Session) -> int:
    """How many signatures the chain holds."""
    return session.exec(select(func.count()).select_from(models.Signature)).one()


# --- the chain's seals and published head (issue 17) ------------------------------------------


def publish_chain_head(session: Session, *, now: datetime, force: bool = False) -> chain.ChainHead | None:
    """Write the chain's sealed head (count, last hash) to the audit log; None when unchanged.

    The scheduled checkpoint job calls it; a head already published is not written again
    unless ``force``. The verify command and page compare the chain with the newest head.
    """
    last = session.exec(select(models.Signature.content_hash).order_by(models.Signature.seq.desc()).limit(1)).first()
    count = session.exec(select(func.count()).select_from(models.Signature)).one()
    head = chain.make_head(chain.chain_key(), kind=rules.CHAIN_KIND, count=count, last_hash=last or "", now=now)
    from engagement.commitments.queries import audit_head

    previous = audit_head(session)
    if not force and previous is not None and (previous.count, previous.last_hash) == (head.count, head.last_hash):
        return None
    audit.record(session, actor=None, action="chain.head", entity=rules.CHAIN_KIND, entity_id=head.count, now=now,
                 **head.as_dict())
    session.flush()
    return head


def seal_existing(session: Session, *, now: datetime) -> int:
    """Seal the signatures written before seals existed (``engagement seal-chains``, once).

    Only the unbroken run of unsealed signatures at the start of the chain is sealed, and
    only while their hashes hold: a row edited before sealing stays reported, and a seal
    removed later from a signature written since (which was sealed when written) is not
    re-made. It runs once (the audit log remembers), so clearing seals and waiting for it to
    run again does not work either. Returns how many were sealed.

    Raises:
        Conflict: the hash chain is broken (repair or explain it before sealing), or this
            already ran.
    """
    from engagement.commitments.queries import verify_chain

    if session.exec(select(audit.AuditEntry.id).where(audit.AuditEntry.action == "chain.seal_existing",
                                                      audit.AuditEntry.entity == rules.CHAIN_KIND)).first():
        raise Conflict("The signatures written before seals were sealed already; this runs only once.")
    report = verify_chain(session, key=None)
    if not report.intact:
        raise Conflict("The signature chain is broken ({n} problems); it cannot be sealed as it is.",
                       n=len(report.breaks))
    sealed = 0
    for sig in session.exec(select(models.Signature).order_by(models.Signature.seq)):
        if sig.seal:
            break
        sig.seal = chain.seal(chain.chain_key(), _sealed(sig))
        session.add(sig)
        sealed += 1
    audit.record(session, actor=None, action="chain.seal_existing", entity=rules.CHAIN_KIND, entity_id=sealed,
                 now=now)
    session.flush()
    publish_chain_head(session, now=now, force=True)
    return sealed


# --- remind now ----------------------------------------------------------------------------------

REMIND_NOW_KIND = "commitments.remind_now"


def remind_now(session: Session, *, actor: Actor | None, campaign_id: int, unit_id: int, now: datetime) -> int:
    """An officer or a unit head reminds, now, the people of a unit (and its sub-units) who have
    not signed yet (pending or overdue; those who declined are the head's to talk to).

    Each person gets at most one such reminder a day (the organisation's day), whoever sends it:
    a second press the same day sends nothing new.

    Returns:
        How many people were reminded now.

    Raises:
        NotAllowed: not allowed to follow this unit's progress. NotFound: campaign or unit.
        Conflict: the campaign is not open.
    """
    require(actor, Perm.VIEW_COMMITMENT_PROGRESS)
    c = _campaign(session, campaign_id)
    if status_of(c, now) is not CampaignStatus.OPEN:
        raise Conflict("This campaign is not open; only people of an open campaign can be reminded.")
    today = now.astimezone(get_settings().tz).date()
    reminded = 0
    for status in ("pending", "overdue"):
        page, pages = 1, 1
        while page <= pages:
            result = queries.people(session, actor=actor, campaign_id=c.id, unit_id=unit_id, status=status,
                                    page=page, page_size=queries.MAX_PAGE_SIZE, now=now)
            pages, page = result.pages, page + 1
            for row in result.rows:
                if notify.notify(session, person_id=row.person_id, category="commitments", kind=REMIND_NOW_KIND,
                                 subject_ref=f"campaign:{c.id}", period=today.isoformat(),
                                 title=N_("Your commitment is waiting for your signature"),
                                 body=N_("{campaign}: please read and sign it by {day}.", campaign=c.name,
                                         day=row.due or formats.day(c.due_at - timedelta(seconds=1))),
                                 link=routes.sign(c.id), now=now, mandatory=True):
                    reminded += 1
    audit.record(session, actor=actor, action="commitment.remind", entity="commitment_campaign", entity_id=c.id,
                 now=now, unit_id=unit_id, reminded=reminded)
    session.flush()
    return reminded
