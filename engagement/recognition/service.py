"""Use cases of recognition: the only code here that writes.

``verb(session, *, actor, ..., now)``: authorise, validate, write (with an audit entry and,
for the points ledger, the marked ``_record_points`` / ``_reverse_points``), flush. The
caller's ``unit_of_work`` commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import altcha
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from engagement.core import audit, limits, routes
from engagement.core.access import Actor, Perm, Role, can, require
from engagement.core.db import delete_in_batches, lock_key
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from engagement.core.i18n import N_
from engagement.core.secrets import keyed_hash
from engagement.notify import service as notify
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.recognition import models, rules
from engagement.recognition.dto import DeviceEnrolment, Given, ThanksSettingsView, ThanksTarget
from engagement.recognition.queries import current_month, moderated_unit, thanks_page, thanks_settings
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source
from engagement.settings import get_settings

# --- the points ledger ---------------------------------------------------------------------


def _record_points(session: Session, *, recognition_id: int, person_ids: list[int],
                   unit_id: int | None, quantity: float, occurred_at: datetime,
                   now: datetime) -> None:
    """Credit each receiver of a recognition in the points ledger (same transaction)."""
    ref = f"recognition:{recognition_id}"
    # Several receivers in one transaction: lock them all first, in the global order.
    scoring.lock_credits(session, person_ids=person_ids, unit_ids=[unit_id] if unit_id is not None else [])
    for pid in person_ids:
        scoring.record_points(session, person_id=pid, source=Source.RECOGNITION, source_ref=ref,
                              occurred_at=occurred_at, now=now, quantity=quantity)
    if unit_id is not None:
        scoring.record_unit_points(session, unit_id=unit_id, source=Source.RECOGNITION,
                                   source_ref=ref, occurred_at=occurred_at, now=now,
                                   quantity=quantity)


def _reverse_points(session: Session, *, recognition_id: int, reason: str, now: datetime,
                    actor: Actor | None) -> None:
    """Reverse a revoked recognition's points (kept as reversal entries)."""
    scoring.reverse_points(session, source=Source.RECOGNITION, source_ref=f"recognition:{recognition_id}",
                           reason=reason, now=now, actor=actor)


def _record_citizen_points(session: Session, *, thanks_id: int, person_id: int | None,
                           unit_id: int, occurred_at: datetime, now: datetime) -> None:
    """Credit an approved citizen rating to the person, or to the unit of a counter.

    Only a good rating (average of the three scores at least GOOD_RATING) earns points: a
    1-star rating must not score like a 5-star one.
    """
    row = session.get(models.CitizenThanks, thanks_id)
    if row is None or (row.attitude + row.timeliness + row.guidance) / 3 < rules.GOOD_RATING:
        return
    ref = _citizen_ref(session, thanks_id, fresh=True)
    if person_id is not None:
        scoring.record_points(session, person_id=person_id, source=Source.CITIZEN, source_ref=ref,
                              occurred_at=occurred_at, now=now)
    else:
        scoring.record_unit_points(session, unit_id=unit_id, source=Source.CITIZEN, source_ref=ref,
                                   occurred_at=occurred_at, now=now)


def _citizen_ref(session: Session, thanks_id: int, *, fresh: bool) -> str:
    """The ledger ref of a rating's credit: ``citizen:<id>``, then ``#2``, ``#3``... when an
    approval was undone the same day and given again (a ref is credited once, nothing of the
    ledger is deleted). ``fresh``: the ref of the next credit; else of the latest one."""
    base = f"citizen:{thanks_id}"
    rounds = scoring.credit_rounds(session, source=Source.CITIZEN, source_ref=base)
    n = rounds + 1 if fresh else rounds
    return base if n <= 1 else f"{base}#{n}"


# --- values catalogue ----------------------------------------------------------------------


def install_default_values(session: Session, *, now: datetime) -> int:
    """Add the movement's default values that the catalogue lacks (by code); returns how many.

    Used by the demo and by officers ("add the movement's values") on a new installation.
    """
    have = set(session.exec(select(models.RecognitionValue.code)))
    added = 0
    for order, (code, name, description) in enumerate(rules.DEFAULT_VALUES):
        if code not in have:
            # Written in the current language (the organisation's, for a seed): the catalogue holds text.
            session.add(models.RecognitionValue(code=code, name=name.render(), description=description.render(),
                                                sort_order=order, created_at=now))
            added += 1
    session.flush()
    return added


def load_default_values(session: Session, *, actor: Actor | None, now: datetime) -> int:
    """An officer adds the movement's default values to the catalogue."""
    me = require(actor, Perm.MANAGE_VALUES)
    added = install_default_values(session, now=now)
    audit.record(session, actor=me, action="recognition.values_defaults", entity="recognition_value",
                 now=now, added=added)
    return added


def add_value(session: Session, *, actor: Actor | None, name: str, description: str,
              now: datetime) -> int:
    """An officer adds a value to the catalogue.

    Raises:
        NotAllowed: not an emulation officer.
        Invalid: a name shorter than 3 characters, a name or description over its limit.
        Conflict: a value with this name exists.
    """
    me = require(actor, Perm.MANAGE_VALUES)
    name = limits.clean_line(name, limit=rules.VALUE_NAME_MAX, what=N_("value name"), field="name")
    description = limits.within((description or "").strip(), limit=rules.VALUE_DESCRIPTION_MAX,
                                what=N_("value description"), field="description")
    if len(name) < 3:
        raise Invalid("Give the value a name of at least 3 characters.", {"name": N_("Too short")})
    code = "v-" + hashlib.sha256(name.lower().encode()).hexdigest()[:12]
    if session.exec(select(models.RecognitionValue.id).where(
            sa.or_(models.RecognitionValue.code == code,
                   func.lower(models.RecognitionValue.name) == name.lower()))).first():
        raise Conflict("The catalogue already has a value named “{name}”.", name=name)
    order = session.exec(select(func.coalesce(func.max(models.RecognitionValue.sort_order), 0))).one() + 1
    row = models.RecognitionValue(code=code, name=name, description=description,
                                  sort_order=order, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="recognition.value_add", entity="recognition_value",
                 entity_id=row.id, now=now, name=name)
    return row.id


def set_value_active(session: Session, *, actor: Actor | None, value_id: int, active: bool,
                     now: datetime) -> None:
    """An officer retires a value (past recognitions keep it) or brings it back."""
    me = require(actor, Perm.MANAGE_VALUES)
    row = session.get(models.RecognitionValue, int(value_id))
    if row is None:
        raise NotFound("This value does not exist.")
    row.is_active = bool(active)
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="recognition.value_active", entity="recognition_value",
                 entity_id=row.id, now=now, active=row.is_active)


# --- giving ----------------------------------------------------------------------------------


def _lock_month(session: Session, person_id: int, month: str) -> models.GivingMonth:
    """The giver's month row, locked for the rest of the transaction (created when missing)."""
    stmt = select(models.GivingMonth).where(models.GivingMonth.person_id == person_id,
                                            models.GivingMonth.month == month)
    row = session.exec(stmt.with_for_update()).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(models.GivingMonth(person_id=person_id, month=month, spent=0))
            session.flush()
    except sa.exc.IntegrityError:
        pass  # created by a concurrent giver: lock theirs
    return session.exec(stmt.with_for_update().execution_options(populate_existing=True)).one()


def give(
    session: Session, *, actor: Actor | None, person_ids: list[int] | None = None,
    unit_id: int | None = None, message: str, value_ids: list[int], level: str,
    is_private: bool = False, work_ref: str = "", now: datetime,
) -> Given:
    """Recognise one or several people, or a whole unit.

    Args:
        person_ids: the people recognised (up to ``MAX_RECIPIENTS``), or
        unit_id: a whole unit (then ``person_ids`` must be empty).
        message: what they did and what it changed (``MESSAGE_MIN`` characters or more).
        value_ids: one to ``MAX_VALUES`` active values of the catalogue.
        level: ``thanks`` / ``great`` / ``outstanding``; costs more of the monthly allowance.
        is_private: seen only by the giver, the receivers and the receivers' unit heads.
        work_ref: an optional dossier or case number.

    Returns:
        The recognition's id, its cost and what is left of the allowance.

    Raises:
        NotAllowed: not logged in.
        Invalid: no recipient, oneself, own unit, bad message, values or level.
        Conflict: not enough allowance left this month.
    """
    me = require(actor, Perm.GIVE_RECOGNITION)
    person_ids = sorted({int(p) for p in (person_ids or [])})
    if level not in rules.LEVELS:
        raise Invalid("Choose a level: Thank you, Great work or Outstanding.", {"level": N_("Required")})
    if unit_id and person_ids:
        raise Invalid("Recognise either people or a whole unit, not both at once.")
    if not unit_id and not person_ids:
        raise Invalid("Choose at least one colleague (or a unit) to recognise.", {"recipients": N_("Required")})
    if len(person_ids) > rules.MAX_RECIPIENTS:
        raise Invalid("Recognise at most {n} people at once.", n=rules.MAX_RECIPIENTS)
    if me.person_id in person_ids:
        raise Invalid("You cannot recognise yourself. Choose a colleague.", {"recipients": N_("Yourself")})
    message = rules.clean_text(message)
    problem = rules.message_problem(message)
    if problem:
        raise Invalid(problem, {"message": problem})
    value_ids = sorted({int(v) for v in (value_ids or [])})
    if not value_ids:
        raise Invalid("Choose at least one value the recognition honours.", {"values": N_("Required")})
    if len(value_ids) > rules.MAX_VALUES:
        raise Invalid("Choose at most {n} values.", n=rules.MAX_VALUES)
    active = set(session.exec(select(models.RecognitionValue.id).where(
        models.RecognitionValue.id.in_(value_ids), models.RecognitionValue.is_active.is_(True))))
    if active != set(value_ids):
        raise Invalid("One of the chosen values is no longer in the catalogue. Choose again.")
    work_ref = limits.clean_line(work_ref, limit=rules.WORK_REF_MAX, what=N_("dossier or case number"),
                                field="work_ref")

    recipients: list[tuple[int | None, int, str]] = []  # (person, unit, unit path)
    if unit_id:
        unit = session.get(Unit, int(unit_id))
        if unit is None or not unit.is_active:
            raise Invalid("Choose an active unit.", {"recipients": N_("Unknown unit")})
        if me.unit_path.startswith(unit.path):
            raise Invalid("You belong to this unit, so recognising it would include yourself. "
                          "Recognise the colleagues by name instead.")
        recipients.append((None, unit.id, unit.path))
    else:
        rows = session.exec(select(Person.id, Person.unit_id, Unit.path)
                            .join(Unit, Unit.id == Person.unit_id)
                            .where(Person.id.in_(person_ids), Person.is_active.is_(True))).all()
        if len(rows) != len(person_ids):
            raise Invalid("One of the chosen people is not an active member of staff. Choose again.")
        recipients.extend((pid, uid, path) for pid, uid, path in rows)

    price = rules.cost(level, len(recipients))
    month = current_month(now)
    total = rules.allowance_for(me.roles)
    ledger = _lock_month(session, me.person_id, month)
    if ledger.spent + price > total:
        left = max(0, total - ledger.spent)
        raise Conflict("This recognition costs {price} of your monthly allowance and you have "
                       "{left} of {total} left for {month}. Choose a lower level or fewer "
                       "people; your allowance renews on the 1st.",
                       price=price, left=left, total=total, month=rules.month_text(month))
    ledger.spent += price
    session.add(ledger)

    rec = models.Recognition(giver_id=me.person_id, giver_unit_id=me.unit_id, message=message, level=level,
                             cost=price, month=month, is_private=bool(is_private), work_ref=work_ref,
                             target_unit_id=int(unit_id) if unit_id else None, created_at=now)
    session.add(rec)
    session.flush()
    for pid, uid, path in recipients:
        session.add(models.RecognitionRecipient(recognition_id=rec.id, person_id=pid, unit_id=uid,
                                                unit_path=path))
    for vid in value_ids:
        session.add(models.RecognitionValueLink(recognition_id=rec.id, value_id=vid))
    session.flush()

    label = rules.LEVELS[level][0]
    ref = f"recognition:{rec.id}"
    people = [pid for pid, _, _ in recipients if pid is not None]
    for pid in people:
        notify.notify(session, person_id=pid, category="recognition", kind="recognition.received",
                      subject_ref=ref, title=N_("{level} from {name}", level=label, name=me.full_name),
                      body=message[:200], link=routes.recognition_person(pid), now=now)
    if unit_id:
        for pid in _unit_heads(session, int(unit_id)):
            notify.notify(session, person_id=pid, category="recognition",
                          kind="recognition.unit_received", subject_ref=ref,
                          title=N_("{level} for your unit from {name}", level=label, name=me.full_name),
                          body=message[:200], link=routes.RECOGNITION, now=now)
    _record_points(session, recognition_id=rec.id, person_ids=people,
                   unit_id=int(unit_id) if unit_id else None,
                   quantity=float(rules.LEVELS[level][1]), occurred_at=now, now=now)
    audit.record(session, actor=me, action="recognition.give", entity="recognition",
                 entity_id=rec.id, now=now, level=level, cost=price, people=people,
                 unit_id=unit_id, private=rec.is_private)
    return Given(id=rec.id, cost=price, left=total - ledger.spent)


def _unit_heads(session: Session, unit_id: int) -> list[int]:
    return list(session.exec(
        select(Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == Role.UNIT_HEAD.value, RoleGrant.unit_id == unit_id,
               RoleGrant.revoked_at.is_(None), Account.is_active.is_(True)).distinct()))


def _can_see(session: Session, me: Actor, rec: models.Recognition) -> bool:
    """Whether ``me`` (who passed ``require(..., GIVE_RECOGNITION)``) sees ``rec``.

    Public recognitions: every logged-in person. Private ones: the giver, the receivers
    and the unit heads over a receiver's unit.
    """
    if not rec.is_private or rec.giver_id == me.person_id:
        return True
    heads = [g.unit_path for g in me.grants if g.role is Role.UNIT_HEAD and g.unit_path]
    for pid, path in session.exec(select(models.RecognitionRecipient.person_id, models.RecognitionRecipient.unit_path)
                                  .where(models.RecognitionRecipient.recognition_id == rec.id)):
        if pid == me.person_id or any(path.startswith(h) for h in heads):
            return True
    return False


def _visible(session: Session, me: Actor, recognition_id: int) -> models.Recognition:
    """A live recognition ``me`` may see (an unknown and a hidden one are refused alike)."""
    rec = session.get(models.Recognition, int(recognition_id))
    if rec is None or rec.revoked_at is not None or not _can_see(session, me, rec):
        raise NotFound("This recognition does not exist or is not visible to you.")
    return rec


def revoke(session: Session, *, actor: Actor | None, recognition_id: int, reason: str,
           now: datetime) -> None:
    """An emulation officer withdraws a recognition; the row and the reason are kept.

    Raises:
        NotAllowed: not an emulation officer.
        NotFound: no such recognition.
        Invalid: no reason.
        Conflict: already revoked.
    """
    me = require(actor, Perm.REVOKE_RECOGNITION)
    rec = session.get(models.Recognition, int(recognition_id))
    if rec is None:
        raise NotFound("This recognition does not exist.")
    reason = limits.clean_line(reason, limit=rules.REVOKE_REASON_MAX, what=N_("reason"), field="reason")
    if len(reason) < rules.REVOKE_REASON_MIN:
        raise Invalid("Give a reason of at least {n} characters; the giver "
                      "and the receivers can ask to see it.", {"reason": N_("Too short")}, n=rules.REVOKE_REASON_MIN)
    if rec.revoked_at is not None:
        raise Conflict("This recognition was already revoked.")
    rec.revoked_at = now
    rec.revoked_by_account_id = me.account_id
    rec.revoke_reason = reason
    session.add(rec)
    session.flush()
    _reverse_points(session, recognition_id=rec.id, reason=reason, now=now, actor=me)
    audit.record(session, actor=me, action="recognition.revoke", entity="recognition",
                 entity_id=rec.id, now=now, reason=reason)


def react(session: Session, *, actor: Actor | None, recognition_id: int, now: datetime) -> bool:
    """Add one's "thank you too" (once); returns False when one had already reacted."""
    me = require(actor, Perm.GIVE_RECOGNITION)
    rec = _visible(session, me, recognition_id)
    if session.get(models.RecognitionReaction, (rec.id, me.person_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(models.RecognitionReaction(recognition_id=rec.id, person_id=me.person_id,
                                                   created_at=now))
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def comment(session: Session, *, actor: Actor | None, recognition_id: int, body: str,
            now: datetime) -> int:
    """Add a short comment under a recognition one can see.

    Raises:
        Invalid: empty or too long.
    """
    me = require(actor, Perm.GIVE_RECOGNITION)
    rec = _visible(session, me, recognition_id)
    body = " ".join((body or "").split())
    if not body:
        raise Invalid("Write a comment first.")
    if len(body) > rules.COMMENT_MAX:
        raise Invalid("Keep comments under {max} characters (you wrote {n}).", max=rules.COMMENT_MAX, n=len(body))
    row = models.RecognitionComment(recognition_id=rec.id, person_id=me.person_id, body=body, created_at=now)
    session.add(row)
    session.flush()
    return row.id


# --- citizens' thanks ----------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def ensure_unit_links(session: Session, *, actor: Actor | None, unit_id: int, now: datetime) -> int:
    """Give every active person of a unit (not its sub-units) a thanks link; returns how many
    were created. Existing links are kept, so printed QR codes stay valid."""
    me = require(actor, Perm.MODERATE_THANKS)
    unit = moderated_unit(session, me, unit_id)
    have = set(session.exec(select(models.ThanksLink.person_id).where(
        models.ThanksLink.unit_id == unit.id, models.ThanksLink.person_id.is_not(None),
        models.ThanksLink.is_active.is_(True))))
    created = 0
    for pid in session.exec(select(Person.id).where(Person.unit_id == unit.id,
                                                    Person.is_active.is_(True))):
        if pid not in have:
            session.add(models.ThanksLink(token=_new_token(), person_id=pid, unit_id=unit.id,
                                          created_at=now, created_by_account_id=me.account_id))
            created += 1
    session.flush()
    if created:
        audit.record(session, actor=me, action="thanks.links", entity="unit", entity_id=unit.id,
                     now=now, created=created)
    return created


def add_counter(session: Session, *, actor: Actor | None, unit_id: int, counter_name: str,
                now: datetime) -> str:
    """A thanks link for a service counter of a unit; returns its token."""
    me = require(actor, Perm.MODERATE_THANKS)
    unit = moderated_unit(session, me, unit_id)
    name = " ".join((counter_name or "").split())[:120]
    if len(name) < 2:
        raise Invalid("Name the counter, e.g. “Quầy 1 - Tư pháp, hộ tịch”.", {"counter_name": N_("Required")})
    if session.exec(select(models.ThanksLink.id).where(models.ThanksLink.unit_id == unit.id,
                                                       models.ThanksLink.counter_name == name,
                                                       models.ThanksLink.is_active.is_(True))).first():
        raise Conflict("This unit already has a counter named “{name}”.", name=name)
    link = models.ThanksLink(token=_new_token(), unit_id=unit.id, counter_name=name, created_at=now,
                             created_by_account_id=me.account_id)
    session.add(link)
    session.flush()
    audit.record(session, actor=me, action="thanks.counter", entity="thanks_link",
                 entity_id=link.id, now=now, name=name)
    return link.token


def client_key(session: Session, client_ip: str, *, now: datetime) -> str:
    """A citizen's network address, kept only as a keyed hash (not reversible by trying every address)."""
    return keyed_hash(session, purpose="thanks", value=client_ip or "unknown", now=now)


# --- the proof of work (ALTCHA, issue 18) --------------------------------------------------

#: The form field a refused proof is reported on: the page starts a new challenge when it sees it.
PROOF_FIELD = "altcha"


def _altcha_key(session: Session, *, now: datetime) -> str:
    """The HMAC key challenges are signed with, derived from the deployment's secret."""
    return keyed_hash(session, purpose="altcha", value="thanks-challenge", now=now, length=64)


def thanks_challenge(session: Session, *, now: datetime, max_number: int = rules.POW_MAX_NUMBER) -> dict[str, Any]:
    """A signed proof-of-work challenge for the public thanks page (ALTCHA's v1 format).

    The browser finds the secret number (at most ``max_number`` SHA-256 hashes) and sends it
    back with the challenge; nothing is stored until a proof is spent.

    Returns:
        ``algorithm``, ``challenge``, ``maxNumber``, ``salt`` (carrying its expiry), ``signature``.
    """
    made = altcha.create_challenge_v1(hmac_key=_altcha_key(session, now=now), max_number=max_number,
                                      expires=now + rules.POW_TTL)
    return made.to_dict()


def open_thanks_page(session: Session, *, token: str, now: datetime
                     ) -> tuple[ThanksTarget | None, ThanksSettingsView, dict[str, Any] | None]:
    """The public thanks page in one trip: whom the link is for, the dossier format, and a
    challenge for the browser to solve (none for a bad link)."""
    target, settings = thanks_page(session, token=token)
    return target, settings, thanks_challenge(session, now=now) if target is not None else None


def _spend_proof(session: Session, proof: str, *, now: datetime) -> None:
    """Check a solved challenge and mark it spent (in the caller's transaction).

    Raises:
        Invalid: missing or malformed, not signed by this server or wrongly solved, expired,
            or already spent; reported on ``PROOF_FIELD``.
    """
    data = rules.proof_fields(proof)
    if data is None:
        raise Invalid("The page has not finished its automatic check yet. Wait until it says it is verified, "
                      "then send again.", {PROOF_FIELD: N_("Not verified yet")})
    expires = rules.proof_expiry(data["salt"])
    valid, _error = altcha.verify_solution_v1(data, _altcha_key(session, now=now), check_expires=False)
    if not valid or expires is None or expires > now + rules.POW_TTL + timedelta(minutes=1):
        raise Invalid("The page's automatic check failed. A new check has started: send again once it says "
                      "it is verified. Your ratings and note are kept.", {PROOF_FIELD: N_("Check failed")})
    if expires <= now:
        raise Invalid("The page was open too long before sending (more than {minutes} minutes). A new check has "
                      "started: send again once it says it is verified. Your ratings and note are kept.",
                      {PROOF_FIELD: N_("Check expired")}, minutes=int(rules.POW_TTL.total_seconds() // 60))
    try:
        with session.begin_nested():
            session.add(models.ThanksProof(challenge=data["challenge"][:128], expires_at=expires))
            session.flush()
    except sa.exc.IntegrityError:
        raise Invalid("This check was already used for a rating. A new check has started: send again once it "
                      "says it is verified. Your ratings and note are kept.",
                      {PROOF_FIELD: N_("Check already used")}) from None


def delete_spent_proofs(engine: Engine, *, now: datetime, batch: int) -> int:
    """Forget spent challenges that have expired (a replay of one is refused as expired anyway),
    ``batch`` rows per transaction; returns how many (the cleanup job)."""
    return delete_in_batches(engine, models.ThanksProof, models.ThanksProof.expires_at <= now, batch)


# --- counter devices (issue 16) ------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register_device(session: Session, *, actor: Actor | None, unit_id: int, name: str,
                    now: datetime) -> DeviceEnrolment:
    """A unit head (or an officer) registers a tablet at a counter of their unit.

    Returns the one-time enrolment code, shown once as a link to open on the tablet; only its
    hash is kept. The tablet's ratings are then limited per dossier instead of per network.

    Raises:
        NotAllowed: not a manager of citizens' thanks for this unit.
        Invalid: no name, or a name over its limit.
        Conflict: an active device of the unit has this name.
    """
    me = require(actor, Perm.MODERATE_THANKS)
    unit = moderated_unit(session, me, unit_id)
    label = limits.clean_line(name, limit=rules.DEVICE_NAME_MAX, what=N_("device name"), field="device_name")
    if len(label) < 2:
        raise Invalid("Name the device after its counter, e.g. “Máy tính bảng Quầy 1”.",
                      {"device_name": N_("Required")})
    if session.exec(select(models.ThanksDevice.id).where(models.ThanksDevice.unit_id == unit.id,
                                                         models.ThanksDevice.name == label,
                                                         models.ThanksDevice.revoked_at.is_(None))).first():
        raise Conflict("This unit already has a device named “{name}”. Revoke it first or choose another name.",
                       name=label)
    code = secrets.token_urlsafe(24)
    row = models.ThanksDevice(unit_id=unit.id, name=label, enrol_hash=_digest(code),
                              enrol_expires_at=now + rules.DEVICE_ENROL_TTL, created_at=now,
                              created_by_account_id=me.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="thanks.device_register", entity="thanks_device", entity_id=row.id,
                 now=now, unit=unit.id, name=label)
    return DeviceEnrolment(device_id=row.id, name=label, code=code, expires_at=row.enrol_expires_at)


def enrol_device(session: Session, *, code: str, now: datetime) -> tuple[str, str]:
    """The tablet opens its enrolment link: the code is spent and a long-lived device token made.

    Returns:
        (the device token, to keep in the tablet's cookie; the device's name).

    Raises:
        NotFound: unknown, already used, expired or revoked enrolment.
    """
    row = session.exec(select(models.ThanksDevice).where(
        models.ThanksDevice.enrol_hash == _digest((code or "")[:64]))).first() if code else None
    if row is None or row.revoked_at is not None or row.enrol_expires_at is None or row.enrol_expires_at <= now:
        raise NotFound("This device link is not valid any more (it works once, for {days} days). Ask the unit "
                       "head to register the device again.", days=rules.DEVICE_ENROL_TTL.days)
    token = secrets.token_urlsafe(32)
    row.enrol_hash, row.enrol_expires_at = None, None
    row.token_hash, row.enrolled_at = _digest(token), now
    session.add(row)
    session.flush()
    audit.record(session, actor=None, action="thanks.device_enrol", entity="thanks_device", entity_id=row.id,
                 now=now)
    return token, row.name


def revoke_device(session: Session, *, actor: Actor | None, device_id: int, now: datetime) -> None:
    """Revoke a counter device: its ratings fall back to the per-network limit.

    Raises:
        NotAllowed: not a manager of citizens' thanks for the device's unit.
        NotFound: no such device.
        Conflict: already revoked.
    """
    me = require(actor, Perm.MODERATE_THANKS)
    row = session.get(models.ThanksDevice, int(device_id))
    moderated_unit(session, me, row.unit_id if row is not None else 0)
    if row is None:
        raise NotFound("This device does not exist.")
    if row.revoked_at is not None:
        raise Conflict("This device was already revoked.")
    row.revoked_at, row.revoked_by_account_id, row.enrol_hash = now, me.account_id, None
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="thanks.device_revoke", entity="thanks_device", entity_id=row.id,
                 now=now, name=row.name)


def device_ref(device_token: str) -> str:
    """What the server keeps of a device's cookie while a page is open: its SHA-256 ("" for none)."""
    return _digest(device_token) if device_token and len(device_token) <= 128 else ""


def _device_for(session: Session, ref: str, *, unit_path: str) -> models.ThanksDevice | None:
    """The active, enrolled device whose token has the hash ``ref`` and whose unit covers
    ``unit_path``, else None."""
    if not ref or len(ref) != 64:
        return None
    row = session.exec(select(models.ThanksDevice).where(
        models.ThanksDevice.token_hash == ref, models.ThanksDevice.revoked_at.is_(None))).first()
    if row is None:
        return None
    unit = session.get(Unit, row.unit_id)
    return row if unit is not None and unit_path.startswith(unit.path) else None


def submit_thanks(
    session: Session, *, token: str, attitude: int, timeliness: int, guidance: int,
    note: str, dossier: str, proof: str, client_ip: str, now: datetime, device: str = "",
) -> str:
    """A citizen rates a service through a public link (no account).

    Args:
        token: the link's token (from the QR code).
        proof: the solved proof-of-work challenge (``thanks_challenge``) the page sent; each
            is accepted once, before it expires.
        device: the counter device the page is open on, as ``device_ref`` of its cookie ("" for
            none): a registered device's ratings are limited per dossier, not per network.

    Returns:
        ``approved`` (a rating without a note counts at once), ``pending`` (a note waits
        for the unit head) or ``held`` (many ratings today from this network, or for this
        person: the unit head decides before its points count).

    Raises:
        NotFound: unknown or retired link.
        Invalid: a missing, failed, expired or reused proof (on ``PROOF_FIELD``), bad ratings, dossier
            number (or not in the organisation's format) or note.
        Throttled: too many submissions from this network today (not on a registered device), or for
            this dossier.
    """
    link = session.exec(select(models.ThanksLink).where(models.ThanksLink.token == (token or "")[:64],
                                                        models.ThanksLink.is_active.is_(True))).first()
    if link is None or not token:
        raise NotFound("This thank-you link is not valid any more. Ask at the counter for a new one.")
    # Spent first: a refusal further down rolls the whole transaction back, the spending included,
    # so a citizen who mistyped the dossier number sends again without a new check.
    _spend_proof(session, proof, now=now)
    problem = rules.rating_problem(attitude, timeliness, guidance)
    if problem:
        raise Invalid(problem)
    ref = rules.normalise_dossier(dossier)
    if ref is None:
        raise Invalid("Enter the dossier or receipt number printed on your receipt "
                      "(3 to 40 letters and digits).", {"dossier": N_("Invalid")})
    settings = thanks_settings(session)
    if not rules.dossier_matches(ref, settings.dossier_formats):
        raise Invalid("The dossier number {ref} is not in the form printed on receipts here: {formats}. "
                      "Copy it from your receipt, with its dots and dashes.", {"dossier": N_("Invalid")},
                      ref=ref, formats=" / ".join(rules.dossier_templates(settings.dossier_formats)))
    note = rules.clean_text(note)
    if len(note) > rules.NOTE_MAX:
        raise Invalid("Keep the note under {max} characters.", max=rules.NOTE_MAX)
    key = client_key(session, client_ip, now=now)
    unit = session.get(Unit, link.unit_id)
    on_device = _device_for(session, device, unit_path=unit.path)
    # Count-then-insert under a lock on the network: a burst of tabs cannot pass the limit together.
    lock_key(session, "thanks-client", key)
    # A counter's tablet shares the centre's network with citizens' phones: its ratings are neither
    # limited by nor counted in that network's daily limit (the dossier limits below still hold).
    today = 0 if on_device is not None else session.exec(select(func.count()).select_from(models.CitizenThanks).where(
        models.CitizenThanks.client_key == key, models.CitizenThanks.device_id.is_(None),
        models.CitizenThanks.created_at > now - timedelta(days=1))).one()
    if today >= rules.THANKS_PER_CLIENT_PER_DAY:
        raise Throttled("Thank you! We have received several ratings from your network today; "
                        "please come back tomorrow.")
    same = session.exec(select(models.CitizenThanks.link_id).where(models.CitizenThanks.dossier_ref == ref)).all()
    if link.id in same:
        raise Throttled("This dossier has already been rated here. Thank you!")
    if len(same) >= rules.THANKS_PER_DOSSIER:
        raise Throttled("This dossier has already been rated the most times allowed. Thank you!")
    target = (models.CitizenThanks.person_id == link.person_id if link.person_id is not None
              else models.CitizenThanks.link_id == link.id)
    for_target = session.exec(select(func.count()).select_from(models.CitizenThanks).where(
        target, models.CitizenThanks.created_at > now - timedelta(days=1))).one()
    held = rules.hold_reason(from_network=today, for_target=for_target, per_network=settings.hold_per_network,
                             per_person=settings.hold_per_person)
    status = "held" if held else "pending" if note else "approved"
    row = models.CitizenThanks(link_id=link.id, person_id=link.person_id, unit_id=unit.id,
                               unit_path=unit.path, attitude=attitude, timeliness=timeliness,
                               guidance=guidance, note=note, dossier_ref=ref, client_key=key,
                               status=status, created_at=now, moderated_at=now if status == "approved" else None,
                               hold_reason=held, device_id=on_device.id if on_device is not None else None)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        raise Throttled("This dossier has already been rated here. Thank you!") from None
    if status == "approved":
        _record_citizen_points(session, thanks_id=row.id, person_id=row.person_id,
                               unit_id=row.unit_id, occurred_at=now, now=now)
    if on_device is not None:
        on_device.last_used_at = now
        session.add(on_device)
    audit.record(session, actor=None, action="thanks.submit", entity="citizen_thanks",
                 entity_id=row.id, now=now, status=status, **({"held": held} if held else {}),
                 **({"device": on_device.id} if on_device is not None else {}))
    return status


def set_thanks_settings(session: Session, *, actor: Actor | None, dossier_formats: str, hold_per_network: int,
                        hold_per_person: int, now: datetime) -> ThanksSettingsView:
    """An officer sets the dossier-number formats of the organisation's one-stop systems and the
    daily thresholds above which citizens' ratings are held for the unit head.

    Raises:
        NotAllowed: not an officer or administrator.
        Invalid: a format outside the template language, or a threshold out of bounds.
    """
    me = require(actor, Perm.MANAGE_VALUES)
    problem = rules.dossier_templates_problem(dossier_formats)
    if problem:
        raise Invalid(problem, {"dossier_formats": N_("Invalid")})
    for field, kind, value in (("hold_per_network", "network", hold_per_network),
                               ("hold_per_person", "person", hold_per_person)):
        if (bad := rules.hold_limit_problem(kind, value)) is not None:
            raise Invalid(bad, {field: N_("Invalid")})
    templates = "\n".join(rules.dossier_templates(dossier_formats))
    row = session.get(models.ThanksSettings, 1)
    if row is None:
        row = models.ThanksSettings(id=1, updated_at=now)
    row.dossier_formats, row.hold_per_network, row.hold_per_person = templates, hold_per_network, hold_per_person
    row.updated_at, row.updated_by_account_id = now, me.account_id
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="thanks.settings", entity="thanks_settings", entity_id=1, now=now,
                 formats=templates, per_network=hold_per_network, per_person=hold_per_person)
    return thanks_settings(session)


def decide_held(session: Session, *, actor: Actor | None, thanks_id: int, approve: bool, reason: str,
                now: datetime) -> None:
    """A unit head (or an officer) counts a held rating (its points are credited) or sets it
    aside, giving the reason in both cases.

    Raises:
        NotFound: not a rating in the actor's units.
        NotAllowed: the rating is about the actor.
        Invalid: no reason.
        Conflict: already decided.
    """
    me = require(actor, Perm.MODERATE_THANKS)
    row = session.get(models.CitizenThanks, int(thanks_id))
    if row is None or not can(me, Perm.MODERATE_THANKS, unit_path=row.unit_path):
        raise NotFound("This rating does not exist or is not in your units.")
    if row.person_id is not None and row.person_id == me.person_id:
        raise NotAllowed("This rating is about you: the head of the unit above yours or an emulation officer "
                         "decides on it.")
    text = " ".join((reason or "").split())
    if len(text) < rules.DECISION_REASON_MIN:
        raise Invalid("Say why, in a few words (at least {n} characters): the decision is kept with the rating.",
                      {"reason": N_("Required")}, n=rules.DECISION_REASON_MIN)
    if len(text) > 500:
        raise Invalid("Keep the reason under {max} characters.", max=500)
    if row.status != "held":
        raise Conflict("This rating has already been decided on.")
    row.status = "approved" if approve else "rejected"
    row.moderated_at, row.moderated_by_account_id, row.moderation_reason = now, me.account_id, text
    session.add(row)
    session.flush()
    if approve:
        _record_citizen_points(session, thanks_id=row.id, person_id=row.person_id, unit_id=row.unit_id,
                               occurred_at=row.created_at, now=now)
    audit.record(session, actor=me, action="thanks.decide_held", entity="citizen_thanks", entity_id=row.id,
                 now=now, status=row.status, reason=text)


def _thanks_to_moderate(session: Session, me: Actor, thanks_id: int) -> models.CitizenThanks:
    row = session.get(models.CitizenThanks, int(thanks_id))
    if row is None or not can(me, Perm.MODERATE_THANKS, unit_path=row.unit_path):
        raise NotFound("This note does not exist or is not in your units.")
    if row.person_id is not None and row.person_id == me.person_id:
        # Approving praise of oneself earns points; hiding criticism of oneself buries it.
        raise NotAllowed("This note is about you: the head of the unit above yours or an emulation officer "
                         "decides on it.")
    return row


def moderate_thanks(session: Session, *, actor: Actor | None, thanks_id: int, approve: bool,
                    now: datetime, reason: str = "") -> None:
    """A unit head (or an officer) shows or hides a citizen's note.

    Hiding needs a reason (kept with the note and shown in the "Rejected" list); a rejection
    can be undone the same day (``undo_rejection``).

    Raises:
        NotAllowed: the note is about a unit outside the actor's reach.
        Invalid: a rejection without a usable reason.
        Conflict: already moderated.
    """
    me = require(actor, Perm.MODERATE_THANKS)
    row = _thanks_to_moderate(session, me, thanks_id)
    if row.status != "pending":
        raise Conflict("This note has already been moderated.")
    text = ""
    if not approve:
        text = limits.clean_line(reason, limit=rules.MODERATION_REASON_MAX, what=N_("reason"), field="reason")
        if len(text) < rules.MODERATION_REASON_MIN:
            raise Invalid("Say why the note is not shown (at least {n} characters); it is kept with the note.",
                          {"reason": N_("Too short")}, n=rules.MODERATION_REASON_MIN)
    row.status = "approved" if approve else "rejected"
    row.moderated_at = now
    row.moderated_by_account_id = me.account_id
    row.moderation_reason = text
    session.add(row)
    session.flush()
    if approve:
        _record_citizen_points(session, thanks_id=row.id, person_id=row.person_id,
                               unit_id=row.unit_id, occurred_at=row.created_at, now=now)
        if row.person_id:
            notify.notify(session, person_id=row.person_id, category="recognition",
                          kind="thanks.approved", subject_ref=f"citizen:{row.id}",
                          title=N_("A citizen thanked you"), body=row.note[:200],
                          link=routes.recognition_person(row.person_id), now=now)
    audit.record(session, actor=me, action="thanks.moderate", entity="citizen_thanks",
                 entity_id=row.id, now=now, status=row.status, reason=text)


def undo_rejection(session: Session, *, actor: Actor | None, thanks_id: int, now: datetime) -> None:
    """Put a note rejected today back among the notes waiting (a rejection made by mistake).

    Raises:
        NotAllowed, NotFound: as ``moderate_thanks``.
        Conflict: not rejected, or rejected before today (then it stays as decided).
    """
    me = require(actor, Perm.MODERATE_THANKS)
    row = _thanks_to_moderate(session, me, thanks_id)
    if row.status != "rejected" or not rules.may_undo_moderation(
            status=row.status, moderated_at=row.moderated_at, now=now, tz=get_settings().tz):
        raise Conflict("Only a note rejected today can be put back; this one stays as it was decided.")
    row.status, row.moderated_at, row.moderated_by_account_id, row.moderation_reason = "pending", None, None, ""
    session.add(row)
    session.flush()
    audit.record(session, actor=me, action="thanks.undo", entity="citizen_thanks", entity_id=row.id, now=now)


def undo_approval(session: Session, *, actor: Actor | None, thanks_id: int, reason: str, now: datetime) -> None:
    """Withdraw today's approval of a citizen's note (a slip): it goes back among the notes waiting.

    The rating's points are taken back by reversal entries (nothing of the ledger is deleted;
    approved again, it is credited anew). The person the note is about reads the reason in a
    notice; the audit keeps who approved and who withdrew.

    Raises:
        NotAllowed, NotFound: as ``moderate_thanks``.
        Invalid: no usable reason.
        Conflict: not approved, approved before today (then it stays), or withdrawn meanwhile.
    """
    me = require(actor, Perm.MODERATE_THANKS)
    row = _thanks_to_moderate(session, me, thanks_id)
    text = limits.clean_line(reason, limit=rules.MODERATION_REASON_MAX, what=N_("reason"), field="reason")
    if len(text) < rules.MODERATION_REASON_MIN:
        raise Invalid("Say why the approval is withdrawn (at least {n} characters); the person concerned reads it.",
                      {"reason": N_("Too short")}, n=rules.MODERATION_REASON_MIN)
    if row.status != "approved" or not rules.may_undo_moderation(
            status=row.status, moderated_at=row.moderated_at, now=now, tz=get_settings().tz):
        raise Conflict("Only a note approved today can be withdrawn; this one stays as it was decided.")
    before = {"status": row.status, "moderated_by": row.moderated_by_account_id,
              "moderated_at": row.moderated_at.isoformat() if row.moderated_at else None}
    done = session.execute(
        sa.update(models.CitizenThanks).where(models.CitizenThanks.id == row.id,
                                              models.CitizenThanks.status == "approved",
                                              models.CitizenThanks.moderated_at == row.moderated_at)
        .values(status="pending", moderated_at=None, moderated_by_account_id=None, moderation_reason="")
    ).rowcount
    if done != 1:
        raise Conflict("This note has just been changed by someone else; refresh the list.")
    session.refresh(row)
    scoring.reverse_points(session, source=Source.CITIZEN, source_ref=_citizen_ref(session, row.id, fresh=False),
                           reason=text, now=now, actor=me)
    if row.person_id:
        notify.notify(session, person_id=row.person_id, category="recognition", kind="thanks.withdrawn",
                      subject_ref=f"citizen:{row.id}", period=now.isoformat(timespec="seconds"),
                      title=N_("The approval of a citizen's note about you was withdrawn"),
                      body=N_("It is waiting for moderation again. Reason: {reason}", reason=text),
                      link=routes.recognition_person(row.person_id), now=now)
    audit.record(session, actor=me, action="thanks.undo_approval", entity="citizen_thanks", entity_id=row.id,
                 now=now, old=before, reason=text)

