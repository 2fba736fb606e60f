"""Reads for the recognition pages, each filtered by what the actor may see.

Feeds are paged in SQL (``LIMIT`` one more than the page, so no count over a large table)
and filter on indexed columns (recipient unit path, value, created_at).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from babel.numbers import format_decimal
from sqlmodel import Session, func, or_, select

from engagement.core import formats, i18n, routes
from engagement.core.access import Actor, Perm, Role, can, reach, require
from engagement.core.clock import local
from engagement.core.errors import NotFound
from engagement.core.i18n import _
from engagement.org import labels
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.org.rules import fold
from engagement.recognition import models, rules
from engagement.recognition.dto import (
    Allowance,
    CommentRow,
    DeviceRow,
    FeedItem,
    FeedPage,
    HeldRating,
    InwardUnitRow,
    PendingThanks,
    PersonCard,
    QrCard,
    RatingRollup,
    RingRow,
    ThanksSettingsView,
    ThanksTarget,
    ValueCount,
    ValueRow,
)
from engagement.settings import get_settings

MAX_PAGE_SIZE = 50


def values_catalogue(session: Session, *, actor: Actor | None,
                     include_inactive: bool = False) -> list[ValueRow]:
    """The values one can cite; with ``include_inactive``, the officers' whole catalogue."""
    require(actor, Perm.MANAGE_VALUES if include_inactive else Perm.GIVE_RECOGNITION)
    stmt = select(models.RecognitionValue).order_by(models.RecognitionValue.sort_order, models.RecognitionValue.id)
    if not include_inactive:
        stmt = stmt.where(models.RecognitionValue.is_active.is_(True))
    return [ValueRow(id=v.id, code=v.code, name=v.name, description=v.description,
                     is_active=v.is_active) for v in session.exec(stmt)]


def find_colleagues(session: Session, *, actor: Actor | None, text: str,
                    limit: int = 8) -> list[tuple[int, str]]:
    """Active colleagues whose name (without accents) or code matches, for the give form."""
    me = require(actor, Perm.GIVE_RECOGNITION)
    needle = fold(text or "")[:60]
    if len(needle) < 2:
        return []
    parent = labels.shown_parent()
    # Colleagues of my own unit first: the one I mean is most often next door.
    rows = session.exec(
        select(Person.id, Person.full_name, Unit.name, parent.name).join(Unit, Unit.id == Person.unit_id)
        .outerjoin(parent, labels.shown_parent_on(parent, Unit))
        .where(Person.is_active.is_(True), Person.id != me.person_id,
               or_(Person.name_key.contains(needle), func.lower(Person.employee_code) == needle))
        .order_by(sa.case((Person.unit_id == me.unit_id, 0), else_=1), Person.sort_key, Person.id)
        .limit(max(1, min(20, limit))))
    return [(pid, labels.person_label(name, labels.unit_label(unit, parent_name)))
            for pid, name, unit, parent_name in rows]


def _visibility(actor: Actor) -> sa.ColumnElement[bool]:
    """Public recognitions, or private ones the actor gave, received or heads a receiver of."""
    heads = [g.unit_path for g in actor.grants if g.role is Role.UNIT_HEAD and g.unit_path]
    mine = or_(models.RecognitionRecipient.person_id == actor.person_id,
               *[models.RecognitionRecipient.unit_path.startswith(h) for h in heads])
    private_ok = sa.exists(select(models.RecognitionRecipient.id).where(
        models.RecognitionRecipient.recognition_id == models.Recognition.id, mine))
    return or_(models.Recognition.is_private.is_(False), models.Recognition.giver_id == actor.person_id, private_ok)


def feed(
    session: Session, *, actor: Actor | None, unit_id: int | None = None,
    value_id: int | None = None, received_by: int | None = None, given_by: int | None = None,
    page: int = 1, page_size: int = 20,
) -> FeedPage:
    """A page of recognitions the actor may see, newest first.

    Args:
        unit_id: only those received in this unit or its sub-units (the unit feed).
        value_id: only those citing this value.
        received_by / given_by: a person's profile lists.
    """
    me = require(actor, Perm.GIVE_RECOGNITION)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    where = [models.Recognition.revoked_at.is_(None), _visibility(me)]
    if unit_id:
        unit = session.get(Unit, int(unit_id))
        path = unit.path if unit else "/none/"
        where.append(sa.exists(select(models.RecognitionRecipient.id).where(
            models.RecognitionRecipient.recognition_id == models.Recognition.id,
            models.RecognitionRecipient.unit_path.startswith(path))))
    if value_id:
        where.append(sa.exists(select(models.RecognitionValueLink.value_id).where(
            models.RecognitionValueLink.recognition_id == models.Recognition.id,
            models.RecognitionValueLink.value_id == int(value_id))))
    if received_by:
        where.append(sa.exists(select(models.RecognitionRecipient.id).where(
            models.RecognitionRecipient.recognition_id == models.Recognition.id,
            models.RecognitionRecipient.person_id == int(received_by))))
    if given_by:
        where.append(models.Recognition.giver_id == int(given_by))
    recs = list(session.exec(
        select(models.Recognition).where(*where)
        .order_by(models.Recognition.created_at.desc(), models.Recognition.id.desc())
        .offset((page - 1) * page_size).limit(page_size + 1)))
    has_more = len(recs) > page_size
    recs = recs[:page_size]
    return FeedPage(items=_items(session, me, recs), page=page, has_more=has_more)


def _items(session: Session, me: Actor, recs: list[models.Recognition]) -> list[FeedItem]:
    ids = [r.id for r in recs]
    if not ids:
        return []
    names: dict[int, str] = {}
    giver_ids = {r.giver_id for r in recs}
    recipients: dict[int, list[tuple[int, str]]] = {}
    for rid, pid, pname, uname in session.exec(
            select(models.RecognitionRecipient.recognition_id, models.RecognitionRecipient.person_id,
                   Person.full_name, Unit.name)
            .join(Unit, Unit.id == models.RecognitionRecipient.unit_id)
            .join(Person, Person.id == models.RecognitionRecipient.person_id, isouter=True)
            .where(models.RecognitionRecipient.recognition_id.in_(ids))
            .order_by(models.RecognitionRecipient.id)):
        recipients.setdefault(rid, []).append((pid or 0, pname or uname))
    names.update(session.exec(select(Person.id, Person.full_name).where(Person.id.in_(giver_ids))).all())
    values: dict[int, list[str]] = {}
    for rid, vname in session.exec(
            select(models.RecognitionValueLink.recognition_id, models.RecognitionValue.name)
            .join(models.RecognitionValue, models.RecognitionValue.id == models.RecognitionValueLink.value_id)
            .where(models.RecognitionValueLink.recognition_id.in_(ids))
            .order_by(models.RecognitionValue.sort_order)):
        values.setdefault(rid, []).append(vname)
    reactions = dict(session.exec(
        select(models.RecognitionReaction.recognition_id, func.count())
        .where(models.RecognitionReaction.recognition_id.in_(ids))
        .group_by(models.RecognitionReaction.recognition_id)).all())
    mine = set(session.exec(select(models.RecognitionReaction.recognition_id).where(
        models.RecognitionReaction.recognition_id.in_(ids), models.RecognitionReaction.person_id == me.person_id)))
    comments: dict[int, list[CommentRow]] = {}
    for c, author in session.exec(
            select(models.RecognitionComment, Person.full_name)
            .join(Person, Person.id == models.RecognitionComment.person_id)
            .where(models.RecognitionComment.recognition_id.in_(ids))
            .order_by(models.RecognitionComment.created_at, models.RecognitionComment.id)):
        comments.setdefault(c.recognition_id, []).append(
            CommentRow(author=author, body=c.body, at=formats.moment(c.created_at)))
    may_revoke = can(me, Perm.REVOKE_RECOGNITION)
    items = []
    for r in recs:
        to = recipients.get(r.id, [])
        items.append(FeedItem(
            id=r.id, giver_id=r.giver_id, giver_name=names.get(r.giver_id, ""),
            recipients=", ".join(n for _, n in to),
            first_recipient_id=next((p for p, _ in to if p), 0),
            message=r.message, level=r.level, level_label=rules.LEVELS[r.level][0].render(),
            value_names=" · ".join(values.get(r.id, [])), at=formats.moment(r.created_at),
            is_private=r.is_private, work_ref=r.work_ref, reactions=reactions.get(r.id, 0),
            i_reacted=r.id in mine, can_revoke=may_revoke,
            comments=comments.get(r.id, [])[-20:],
        ))
    return items


def _averages(stmt_where: list) -> sa.Select:
    return select(func.count(), func.avg(models.CitizenThanks.attitude), func.avg(models.CitizenThanks.timeliness),
                  func.avg(models.CitizenThanks.guidance)).where(models.CitizenThanks.status == "approved", *stmt_where)


def _f(value: float | None) -> str:
    """An average rating with one decimal, in the reader's convention ("4.0", "4,0")."""
    if value is None:
        return "–"
    # formats.number drops a trailing zero; a rating keeps its one decimal.
    return format_decimal(float(value), format="0.0", locale=i18n.LOCALES.get(i18n.current(), "en_GB"))


def person_card(session: Session, *, actor: Actor | None, person_id: int) -> PersonCard:
    """A person's recognition profile: counts, values received (as a chart), citizens' rating.

    Counts include only recognitions the actor may see.
    """
    me = require(actor, Perm.GIVE_RECOGNITION)
    row = session.exec(select(Person, Unit.name, Unit.path).join(Unit, Unit.id == Person.unit_id)
                       .where(Person.id == int(person_id))).first()
    if row is None:
        raise NotFound("This person does not exist.")
    person, unit_name, unit_path = row
    visible = [models.Recognition.revoked_at.is_(None), _visibility(me)]
    received_ids = select(models.RecognitionRecipient.recognition_id).where(
        models.RecognitionRecipient.person_id == person.id)
    received = session.exec(select(func.count()).select_from(models.Recognition).where(
        models.Recognition.id.in_(received_ids), *visible)).one()
    given = session.exec(select(func.count()).select_from(models.Recognition).where(
        models.Recognition.giver_id == person.id, *visible)).one()
    values = [ValueCount(name=name, count=n) for name, n in session.exec(
        select(models.RecognitionValue.name, func.count())
        .join(models.RecognitionValueLink, models.RecognitionValueLink.value_id == models.RecognitionValue.id)
        .join(models.Recognition, models.Recognition.id == models.RecognitionValueLink.recognition_id)
        .where(models.Recognition.id.in_(received_ids), *visible)
        .group_by(models.RecognitionValue.id, models.RecognitionValue.name)
        .order_by(func.count().desc(), models.RecognitionValue.name))]
    n, att, tim, gui = session.exec(_averages([models.CitizenThanks.person_id == person.id])).one()
    overall = (float(att) + float(tim) + float(gui)) / 3 if n else None
    # Citizens' ratings of a person are for the person and those who moderate their unit.
    if me.person_id != person.id and not can(me, Perm.MODERATE_THANKS, unit_path=unit_path):
        n, overall = 0, None
    return PersonCard(person_id=person.id, full_name=person.full_name, unit_name=unit_name,
                      position=person.position, received=received, given=given, values=values,
                      citizen_ratings=n, citizen_average=_f(overall))


# --- citizens' thanks ----------------------------------------------------------------------


def thanks_target(session: Session, *, token: str) -> ThanksTarget | None:
    """Whom a public thanks link is for (public: no actor), or None for a bad link."""
    if not token or len(token) > 64:
        return None
    row = session.exec(select(models.ThanksLink, Unit.name).join(Unit, Unit.id == models.ThanksLink.unit_id)
                       .where(models.ThanksLink.token == token, models.ThanksLink.is_active.is_(True))).first()
    if row is None:
        return None
    link, unit_name = row
    if link.person_id:
        person = session.get(Person, link.person_id)
        if person is None or not person.is_active:
            return None
        return ThanksTarget(name=person.full_name, unit_name=unit_name, is_counter=False)
    return ThanksTarget(name=link.counter_name, unit_name=unit_name, is_counter=True)


def _thanks_scope(actor: Actor) -> sa.ColumnElement[bool]:
    where = reach(actor, Perm.MODERATE_THANKS)
    if where.org:
        return sa.true()
    return or_(*[models.CitizenThanks.unit_path.startswith(p) for p in where.unit_paths]) \
        if where.unit_paths else sa.false()


def thanks_for_moderation(session: Session, *, actor: Actor | None, status: str = "pending",
                          page: int = 1, page_size: int = 20,
                          now: datetime | None = None) -> tuple[list[PendingThanks], bool]:
    """Citizens' submissions in the actor's units, newest first; and whether there are more."""
    me = require(actor, Perm.MODERATE_THANKS)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    status = status if status in {"pending", "approved", "rejected"} else "pending"
    where = [models.CitizenThanks.status == status, _thanks_scope(me)]
    if status != "pending":
        where.append(models.CitizenThanks.note != "")
    rows = session.exec(
        select(models.CitizenThanks, models.ThanksLink.counter_name, Person.full_name, Unit.name)
        .join(models.ThanksLink, models.ThanksLink.id == models.CitizenThanks.link_id)
        .join(Unit, Unit.id == models.CitizenThanks.unit_id)
        .join(Person, Person.id == models.CitizenThanks.person_id, isouter=True)
        .where(*where).order_by(models.CitizenThanks.created_at.desc(), models.CitizenThanks.id.desc())
        .offset((page - 1) * page_size).limit(page_size + 1)).all()
    shown = labels.unit_labels(session, {t.unit_id for t, *_ in rows[:page_size]})
    out = [PendingThanks(id=t.id, target=pname or counter, unit_name=shown.get(t.unit_id, uname), attitude=t.attitude,
                         timeliness=t.timeliness, guidance=t.guidance, note=t.note,
                         dossier_ref=t.dossier_ref, at=formats.moment(t.created_at), status=t.status,
                         reason=t.moderation_reason,
                         can_undo=now is not None and rules.may_undo_moderation(
                             status=t.status, moderated_at=t.moderated_at, now=now, tz=get_settings().tz))
           for t, counter, pname, uname in rows[:page_size]]
    return out, len(rows) > page_size


def rating_rollups(session: Session, *, actor: Actor | None) -> list[RatingRollup]:
    """Average approved citizens' ratings per unit and per person, in the actor's units."""
    me = require(actor, Perm.MODERATE_THANKS)
    scope = _thanks_scope(me)
    out = []
    cols = (func.count(), func.avg(models.CitizenThanks.attitude), func.avg(models.CitizenThanks.timeliness),
            func.avg(models.CitizenThanks.guidance))
    base = [models.CitizenThanks.status == "approved", scope]
    for label, n, a, t, g in session.exec(
            select(Unit.name, *cols).join(Unit, Unit.id == models.CitizenThanks.unit_id)
            .where(*base).group_by(Unit.id, Unit.name).order_by(Unit.name)):
        out.append(_rollup(_("Unit: {name}", name=label), n, a, t, g))
    for label, n, a, t, g in session.exec(
            select(Person.full_name, *cols).join(Person, Person.id == models.CitizenThanks.person_id)
            .where(*base).group_by(Person.id, Person.full_name, Person.sort_key)
            .order_by(func.count().desc(), Person.sort_key).limit(50)):
        out.append(_rollup(label, n, a, t, g))
    return out


def _rollup(label: str, n: int, a, t, g) -> RatingRollup:
    overall = (float(a) + float(t) + float(g)) / 3 if n else None
    return RatingRollup(label=label, count=n, attitude=_f(a), timeliness=_f(t), guidance=_f(g),
                        overall=_f(overall))


def _qr_png(url: str) -> str:
    import qrcode

    image = qrcode.make(url, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def moderated_unit(session: Session, me: Actor, unit_id: int) -> Unit:
    """A unit where ``me`` (who passed ``require(..., MODERATE_THANKS)``) manages citizens' thanks.

    Raises:
        NotAllowed: the unit is outside the actor's units (or does not exist, for a unit head).
        NotFound: no such unit (for someone whose reach is the whole organisation).
    """
    unit = session.get(Unit, int(unit_id))
    # Authorise before telling whether the unit exists: a unit head learns nothing of others' ids.
    require(me, Perm.MODERATE_THANKS, unit_path=unit.path if unit is not None else "")
    if unit is None:
        raise NotFound("This unit does not exist.")
    return unit


def qr_sheet(session: Session, *, actor: Actor | None, unit_id: int, base_url: str) -> list[QrCard]:
    """The printable QR codes of a unit's people and counters (a unit head's own units)."""
    me = require(actor, Perm.MODERATE_THANKS)
    unit = moderated_unit(session, me, unit_id)
    base = base_url.rstrip("/")
    rows = session.exec(
        select(models.ThanksLink, Person.full_name, Person.position)
        .join(Person, Person.id == models.ThanksLink.person_id, isouter=True)
        .where(models.ThanksLink.unit_id == unit.id, models.ThanksLink.is_active.is_(True))
        .order_by(models.ThanksLink.person_id.is_(None).desc(), models.ThanksLink.counter_name, Person.sort_key)
        .limit(300)).all()
    cards = []
    for link, name, position in rows:
        url = base + routes.thanks(link.token)
        cards.append(QrCard(label=name or link.counter_name,
                            sublabel=(position or "") if name else unit.name,
                            url=url, png_data_uri=_qr_png(url)))
    return cards


# --- fairness ------------------------------------------------------------------------------


def fairness(session: Session, *, actor: Actor | None, now: datetime,
             days: int = 180) -> tuple[list[RingRow], list[InwardUnitRow]]:
    """Signals for officers over the last ``days``: reciprocal rings and inward-looking units.

    Nothing happens to the people or units flagged; an officer looks and decides.
    """
    require(actor, Perm.VIEW_FAIRNESS)
    since = now - timedelta(days=max(1, min(730, int(days))))
    live = [models.Recognition.revoked_at.is_(None), models.Recognition.created_at >= since]
    edges = [(g, p) for g, p in session.exec(
        select(models.Recognition.giver_id, models.RecognitionRecipient.person_id)
        .join(models.RecognitionRecipient, models.RecognitionRecipient.recognition_id == models.Recognition.id)
        .where(models.RecognitionRecipient.person_id.is_not(None), *live))]
    rings = rules.reciprocal_rings(edges)
    ids = {r.a for r in rings} | {r.b for r in rings}
    names = dict(session.exec(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all()) \
        if ids else {}
    ring_rows = [RingRow(a_name=names.get(r.a, "?"), b_name=names.get(r.b, "?"), a_to_b=r.a_to_b,
                         b_to_a=r.b_to_a) for r in rings[:100]]
    inside = sa.case((models.RecognitionRecipient.unit_id == models.Recognition.giver_unit_id, 1), else_=0)
    units = []
    for name, n_inside, total in session.exec(
            select(Unit.name, func.sum(inside), func.count())
            .select_from(models.Recognition)
            .join(models.RecognitionRecipient, models.RecognitionRecipient.recognition_id == models.Recognition.id)
            .join(Unit, Unit.id == models.Recognition.giver_unit_id)
            .where(*live).group_by(Unit.id, Unit.name)):
        n_inside = int(n_inside or 0)
        if rules.inward_share(n_inside, total):
            units.append(InwardUnitRow(unit_name=name, inside=n_inside, total=total,
                                       share=formats.number(100 * n_inside / total, 0) + "%"))
    units.sort(key=lambda u: -u.inside / u.total)
    return ring_rows, units


def moderated_units(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    """Active units where the actor manages citizens' thanks (id, indented name), tree order."""
    me = require(actor, Perm.MODERATE_THANKS)
    where = reach(me, Perm.MODERATE_THANKS)
    stmt = select(Unit.id, Unit.name, Unit.depth, Unit.path).where(Unit.is_active.is_(True))
    if not where.org:
        stmt = stmt.where(or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    rows = session.exec(stmt.order_by(Unit.path)).all()
    return [(uid, ("\u2003" * depth) + name) for uid, name, depth, _ in rows]


def my_card(session: Session, *, actor: Actor | None) -> PersonCard:
    """One's own recognition profile (for the home page)."""
    me = require(actor, Perm.GIVE_RECOGNITION)
    return person_card(session, actor=me, person_id=me.person_id)


# --- for the digests (scheduled jobs, no actor) ------------------------------------------------


def received_between(session: Session, *, start: datetime,
                     end: datetime) -> dict[int, list[tuple[str, i18n.Msg, str]]]:
    """Person -> (giver's name, level label, message) of each recognition received in [start, end).

    The level label is a message (``core.i18n.Msg``): the digest renders it in its recipient's language.

    Revoked recognitions are left out; private ones are included (the receiver sees them).
    Oldest first. For the weekly digest job, which tells each person only about their own.
    """
    out: dict[int, list[tuple[str, str, str]]] = {}
    giver = sa.orm.aliased(Person)
    for person_id, name, level, message in session.exec(
            select(models.RecognitionRecipient.person_id, giver.full_name, models.Recognition.level,
                   models.Recognition.message)
            .join(models.Recognition, models.Recognition.id == models.RecognitionRecipient.recognition_id)
            .join(giver, giver.id == models.Recognition.giver_id)
            .where(models.Recognition.created_at >= start, models.Recognition.created_at < end,
                   models.Recognition.revoked_at.is_(None), models.RecognitionRecipient.person_id.is_not(None))
            .order_by(models.Recognition.created_at, models.Recognition.id)):
        out.setdefault(person_id, []).append((name, rules.LEVELS[level][0], message))
    return out


def received_by_unit(session: Session, *, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """(unit path at the time, recipients) of recognitions given in [start, end), not revoked.

    A person recognised counts for the unit they were in; a unit recognised counts once.
    """
    return [(path, n) for path, n in session.exec(
        select(models.RecognitionRecipient.unit_path, func.count())
        .join(models.Recognition, models.Recognition.id == models.RecognitionRecipient.recognition_id)
        .where(models.Recognition.created_at >= start, models.Recognition.created_at < end,
               models.Recognition.revoked_at.is_(None))
        .group_by(models.RecognitionRecipient.unit_path)).all()]


def unspent_allowances(session: Session, *, month: str) -> list[tuple[int, Allowance]]:
    """(person id, allowance) of everyone who can give and has some of ``month``'s allowance left.

    For the scheduler's nudges (notifications issue): runs with the system's authority, so it
    takes no actor. Two set-based queries whatever the head count (accounts with their month
    row, by primary key; then every active grant), the allowance worked out as a login
    would: ``rules.allowance_for`` of staff plus the account's granted roles.
    """
    active = (Account.is_active.is_(True), Person.is_active.is_(True))
    rows = session.exec(
        select(Account.id, Account.person_id, func.coalesce(models.GivingMonth.spent, 0))
        .join(Person, Person.id == Account.person_id)
        .join(models.GivingMonth,
              sa.and_(models.GivingMonth.person_id == Account.person_id, models.GivingMonth.month == month),
              isouter=True)
        .where(*active).order_by(Account.person_id)).all()
    roles: dict[int, set[Role]] = {}
    known = {r.value for r in Role}
    for account_id, role in session.exec(
            select(RoleGrant.account_id, RoleGrant.role).join(Account, Account.id == RoleGrant.account_id)
            .join(Person, Person.id == Account.person_id)
            .where(RoleGrant.revoked_at.is_(None), *active)):
        if role in known:
            roles.setdefault(account_id, set()).add(Role(role))
    out = []
    for account_id, person_id, spent in rows:
        allowance = Allowance(month=month, total=rules.allowance_for({Role.STAFF, *roles.get(account_id, ())}),
                              spent=int(spent))
        if allowance.left > 0:
            out.append((person_id, allowance))
    return out


def current_month(now: datetime) -> str:
    """The allowance month of ``now`` in the organisation's time zone."""
    return rules.month_key(local(now, get_settings().tz))


def allowance(session: Session, *, actor: Actor | None, now: datetime) -> Allowance:
    """One's allowance this month (read; nothing is written)."""
    me = require(actor, Perm.GIVE_RECOGNITION)
    month = current_month(now)
    row = session.get(models.GivingMonth, (me.person_id, month))
    return Allowance(month=month, total=rules.allowance_for(me.roles), spent=row.spent if row else 0)


# --- building blocks for other features (no actor) -------------------------------------------------

#: Ids per IN list: SQLite binds at most 999 parameters in a statement (older builds).
IN_CHUNK = 900


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), IN_CHUNK):
        yield unique[start:start + IN_CHUNK]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of ``year`` in the organisation's zone, as aware UTC."""
    zone = get_settings().tz
    return (datetime(year, 1, 1, tzinfo=zone).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC))


def received_in_year(session: Session, *, person_ids: Sequence[int], year: int) -> dict[int, int]:
    """How many recognitions each person received in ``year``, for the annual rating sheet.

    A building block with no actor (like ``scoring.queries.person_totals``): the caller has
    already decided that its reader may see these people. One GROUP BY per chunk of
    ``IN_CHUNK`` people. A recognition counts in the year it was given, in the organisation's
    zone; revoked ones (whenever revoked) are left out, private ones count (only a count is
    shown), recognitions of a whole unit are not a person's.

    Args:
        session: an open session.
        person_ids: the people (any number; duplicates are fine).
        year: the calendar year.

    Returns:
        Person id -> number of recognitions, for every id given (0 when none).
    """
    start, end = _year_bounds(year)
    out = dict.fromkeys(sorted(set(person_ids)), 0)
    for chunk in _chunks(person_ids):
        for person_id, n in session.exec(
                select(models.RecognitionRecipient.person_id, func.count(sa.distinct(models.Recognition.id)))
                .join(models.Recognition, models.Recognition.id == models.RecognitionRecipient.recognition_id)
                .where(models.RecognitionRecipient.person_id.in_(chunk), models.Recognition.revoked_at.is_(None),
                       models.Recognition.created_at >= start, models.Recognition.created_at < end)
                .group_by(models.RecognitionRecipient.person_id)):
            out[person_id] = int(n)
    return out


def citizen_ratings_in_year(session: Session, *, person_ids: Sequence[int],
                            year: int) -> dict[int, tuple[float, int]]:
    """Each person's average citizens' rating in ``year`` and how many ratings it averages.

    A building block with no actor (like ``scoring.queries.person_totals``): the caller has
    already decided that its reader may see these people. One GROUP BY per chunk of
    ``IN_CHUNK`` people. Only approved submissions count (as on the person's card); a
    submission counts in the year it was made, in the organisation's zone. A submission's
    rating is the mean of its attitude, timeliness and guidance scores.

    Args:
        session: an open session.
        person_ids: the people (any number; duplicates are fine).
        year: the calendar year.

    Returns:
        Person id -> (average rating, 1 to 5, unrounded; number of ratings), only for the people
        rated that year.
    """
    start, end = _year_bounds(year)
    thanks = models.CitizenThanks
    out: dict[int, tuple[float, int]] = {}
    for chunk in _chunks(person_ids):
        for person_id, n, total in session.exec(
                select(thanks.person_id, func.count(), func.avg(thanks.attitude + thanks.timeliness + thanks.guidance))
                .where(thanks.person_id.in_(chunk), thanks.status == "approved",
                       thanks.created_at >= start, thanks.created_at < end)
                .group_by(thanks.person_id)):
            out[person_id] = (float(total) / 3, int(n))
    return out


def citizen_ratings_by_unit(session: Session, *, start: datetime, end: datetime) -> dict[int, tuple[int, float]]:
    """For the movement's review report: unit (at the time) -> (approved citizens' ratings in
    [start, end), the sum of their scores on 1 to 5, each the mean of its three marks). One statement."""
    thanks = models.CitizenThanks
    return {unit_id: (int(n), float(total or 0) / 3) for unit_id, n, total in session.exec(
        select(thanks.unit_id, func.count(), func.sum(thanks.attitude + thanks.timeliness + thanks.guidance))
        .where(thanks.status == "approved", thanks.created_at >= start, thanks.created_at < end)
        .group_by(thanks.unit_id))}


# --- citizens' thanks settings and held ratings (issue 18) ----------------------------------


def thanks_settings(session: Session) -> ThanksSettingsView:
    """The organisation's dossier formats and hold thresholds (the defaults when never set)."""
    row = session.get(models.ThanksSettings, 1)
    formats_ = row.dossier_formats if row else ""
    templates = rules.dossier_templates(formats_)
    hint = _("The number printed on your receipt, e.g. {formats}", formats=" / ".join(templates)) if templates else ""
    return ThanksSettingsView(dossier_formats=formats_,
                              hold_per_network=row.hold_per_network if row else rules.HOLD_PER_NETWORK,
                              hold_per_person=row.hold_per_person if row else rules.HOLD_PER_PERSON,
                              dossier_hint=hint)


def thanks_settings_for(session: Session, *, actor: Actor | None) -> ThanksSettingsView:
    """``thanks_settings`` for the officers who may change them."""
    require(actor, Perm.MANAGE_VALUES)
    return thanks_settings(session)


def held_ratings(session: Session, *, actor: Actor | None, page: int = 1,
                 page_size: int = 20) -> tuple[list[HeldRating], bool]:
    """Ratings held for a decision in the actor's units, oldest first; and whether there are more."""
    me = require(actor, Perm.MODERATE_THANKS)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    rows = session.exec(
        select(models.CitizenThanks, models.ThanksLink.counter_name, Person.full_name, Unit.name)
        .join(models.ThanksLink, models.ThanksLink.id == models.CitizenThanks.link_id)
        .join(Unit, Unit.id == models.CitizenThanks.unit_id)
        .join(Person, Person.id == models.CitizenThanks.person_id, isouter=True)
        .where(models.CitizenThanks.status == "held", _thanks_scope(me))
        .order_by(models.CitizenThanks.created_at, models.CitizenThanks.id)
        .offset((page - 1) * page_size).limit(page_size + 1)).all()
    out = [HeldRating(id=t.id, target=pname or counter, unit_name=uname, attitude=t.attitude,
                      timeliness=t.timeliness, guidance=t.guidance, note=t.note, dossier_ref=t.dossier_ref,
                      at=formats.moment(t.created_at),
                      why=str(rules.HOLD_REASONS.get(t.hold_reason, rules.HOLD_REASONS["network"])))
           for t, counter, pname, uname in rows[:page_size]]
    return out, len(rows) > page_size


def thanks_page(session: Session, *, token: str) -> tuple[ThanksTarget | None, ThanksSettingsView]:
    """The public thanks page in one read: whom the link is for, and the dossier format to ask for."""
    return thanks_target(session, token=token), thanks_settings(session)


_DEVICE_STATUS = {"waiting": i18n.N_("Link not opened yet"), "active": i18n.N_("Active"),
                  "revoked": i18n.N_("Revoked")}


def counter_devices(session: Session, *, actor: Actor | None, limit: int = 100) -> list[DeviceRow]:
    """The counter devices of the actor's units (issue 16): active and waiting first, newest first."""
    me = require(actor, Perm.MODERATE_THANKS)
    where = reach(me, Perm.MODERATE_THANKS)
    stmt = select(models.ThanksDevice, Unit.name).join(Unit, Unit.id == models.ThanksDevice.unit_id)
    if not where.org:
        stmt = stmt.where(or_(*[Unit.path.startswith(p) for p in where.unit_paths]) if where.unit_paths
                          else sa.false())
    rows = session.exec(stmt.order_by(models.ThanksDevice.revoked_at.is_not(None), models.ThanksDevice.id.desc())
                        .limit(min(MAX_PAGE_SIZE, max(1, int(limit))))).all()
    out = []
    for d, unit_name in rows:
        status = "revoked" if d.revoked_at else "active" if d.token_hash else "waiting"
        out.append(DeviceRow(id=d.id, name=d.name, unit_name=unit_name, status=status,
                             status_label=str(_DEVICE_STATUS[status]), registered=formats.moment(d.created_at),
                             last_used=formats.moment(d.last_used_at) if d.last_used_at else _("Never")))
    return out
