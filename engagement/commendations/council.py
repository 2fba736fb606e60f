"""The emulation and commendation council (Hội đồng Thi đua - Khen thưởng): sessions, attendance,
recusals and the secret ballot, with the reads of members, of the secretary and of the minutes.

The flow: an officer schedules a session with an agenda of appraised nominees (their nominations
move to "council", every council member is told); the secretary (or an officer) records who is
present and who votes in writing, then opens the session once the quorum is met (a share of ALL
members) and every public comment on the agenda is answered; recusals are fixed then. Per
nominee, in catalogue order (lower titles first), the secretary opens a round, members vote agree
or disagree, the secretary records the written votes of absent members and closes the round;
results count against ALL members and appear only once the round is closed. At most two rounds.

The secret ballot: ``BallotParticipation`` says who has voted on an item in a round, and never
what; ``Tally`` holds one row per item and round with the counts only. A vote writes its
participation row and adds one to ``agree`` or ``disagree`` with ``UPDATE ... SET agree = agree +
1`` in the same transaction: there is no row, id, time or order per ballot that a query could
join to a voter. Concurrent votes are safe on both databases: the UPDATE is atomic (a row lock on
PostgreSQL, one writer at a time on SQLite), and it only counts while the round's tally is not
closed (``closed_at IS NULL``), so a vote racing the close is refused rather than counted late.

Services: ``verb(session, *, actor, ..., now)``; authorise, validate, write with an audit entry,
flush. Reads return the frozen rows defined here, with labels in the current language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.commendations import models, queries, rules
from engagement.core import audit, formats, routes
from engagement.core.access import Actor, Perm, Role, can, require, require_login
from engagement.core.clock import local_day
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.i18n import N_, _
from engagement.notify import service as notify_service
from engagement.org import labels
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.settings import get_settings

#: Nomination statuses from which a nominee can be put on an agenda. A nomination already before
#: the council may still bring a nominee of it that no session has had yet.
SCHEDULABLE = (rules.APPRAISED, rules.NOTICE)
MAX_AGENDA = 200
CATEGORY = "commendations"

# --- frozen rows the pages read ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """A member of a session and their attendance."""

    person_id: int
    name: str
    unit_name: str
    position: str  # chair | standing | secretary | member
    position_label: str
    present: bool
    written: bool  # absent, votes in writing
    attendance_label: str


@dataclass(frozen=True)
class RecusalRow:
    """A member who does not vote on an item, and why."""

    person_id: int
    name: str
    reason: str  # rules.RECUSED_NOMINEE | rules.RECUSED_UNIT_HEAD
    reason_label: str


@dataclass(frozen=True)
class RoundRow:
    """One round of voting on an item. Counts only once the round is closed (None before)."""

    round: int
    closed: bool
    voted: int  # participations so far (in person and in writing)
    expected: int  # members who may vote: present or voting in writing, not recused
    written: int  # of ``voted``, the written votes the secretary recorded
    members_total: int  # ALL members: the denominator
    threshold_pct: int
    needed: int  # agreeing votes needed
    agree: int | None
    disagree: int | None
    outcome: str  # after closing: approved | rejected | "" (a second round may follow)
    status: str  # "Voting: 3 of 7 have voted" while open; the result once closed
    voters: tuple[str, ...] = ()  # who has voted (the secretary's view only; never what)


@dataclass(frozen=True)
class ItemRow:
    """A nominee on the agenda with its rounds; the ``my_*`` fields are the reading member's."""

    item_id: int
    position: int
    nominee_id: int
    nominee_name: str
    unit_name: str
    title_code: str
    title_name: str
    year: int
    round: int  # 0 = not voted yet; else the round open or last closed
    round_open: bool
    outcome: str
    outcome_label: str
    recusals: tuple[RecusalRow, ...]
    rounds: tuple[RoundRow, ...]
    my_recused: bool = False
    my_voted: bool = False  # in the round open now
    my_can_vote: bool = False
    nomination_id: int = 0  # the dossier (``routes.nomination``)
    person_id: int = 0  # an individual nominee (0 for a unit): members read their records while before them


@dataclass(frozen=True)
class SessionView:
    """A council session as a member, the secretary or the minutes read it."""

    id: int
    title: str
    scheduled_at: str
    place: str
    status: str
    status_label: str
    quorum_num: int
    quorum_den: int
    members_total: int  # fixed at opening; the current count before
    present: int
    written: int
    quorum_needed: int
    quorum_met: bool
    chair_name: str
    secretary_name: str
    opened_at: str
    closed_at: str
    members: tuple[MemberRow, ...]
    items: tuple[ItemRow, ...]
    my_position: str = ""  # "" when the reader is not a member
    i_am_secretary: bool = False


@dataclass(frozen=True)
class Minutes:
    """What the minutes (biên bản) and the ballot count (biên bản kiểm phiếu) are written from."""

    org_name: str
    session: SessionView
    comments: int  # public comments on the agenda's nominees, all answered before opening
    approved: tuple[str, ...] = field(default_factory=tuple)  # "name — title" approved


@dataclass(frozen=True)
class Opened:
    """A session just opened."""

    members_total: int
    present: int
    quorum_needed: int
    recusals: int


@dataclass(frozen=True)
class RoundResult:
    """A round just closed."""

    item_id: int
    round: int
    agree: int
    disagree: int
    members_total: int
    threshold_pct: int
    needed: int
    outcome: str  # approved | rejected | "" (a second round may follow)


@dataclass(frozen=True)
class Progress:
    """How far a round is: ``voted`` of ``expected`` (never the counts while it is open)."""

    item_id: int
    round: int
    voted: int
    expected: int


# --- lookups ---------------------------------------------------------------------------------------


def _an_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _council(session: Session, session_id: object) -> models.CouncilSession:
    row = session.get(models.CouncilSession, session_id) if _an_id(session_id) else None
    if row is None:
        raise NotFound("This council session does not exist.")
    return row


def _item(session: Session, item_id: object) -> tuple[models.AgendaItem, models.CouncilSession]:
    item = session.get(models.AgendaItem, item_id) if _an_id(item_id) else None
    if item is None:
        raise NotFound("This nominee is not on the agenda of any council session.")
    return item, session.get(models.CouncilSession, item.session_id)


def _member(session: Session, council: models.CouncilSession, person_id: int) -> models.SessionMember | None:
    return session.get(models.SessionMember, (council.id, person_id))


def _require_secretary(actor: Actor | None, council: models.CouncilSession, *, officers: bool) -> Actor:
    """The secretary of the session (or, with ``officers``, an emulation officer too)."""
    actor = require_login(actor)
    if actor.person_id == council.secretary_person_id:
        return actor
    if officers and can(actor, Perm.PROCESS_NOMINATIONS):
        return actor
    if officers:
        raise NotAllowed("Only the secretary of this session or an emulation officer can do this.")
    raise NotAllowed("Only the secretary of this session can run its ballot.")


def _council_members(session: Session) -> list[int]:
    """Every active person with an active account holding a live council-member grant, by id."""
    stmt = (select(Person.id).join(Account, Account.person_id == Person.id)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .where(RoleGrant.role == Role.COUNCIL_MEMBER.value, RoleGrant.revoked_at.is_(None),
                   Account.is_active.is_(True), Person.is_active.is_(True))
            .distinct().order_by(Person.id))
    return list(session.exec(stmt))


@dataclass(frozen=True)
class _Subject:
    name: str
    unit_name: str
    unit_path: str
    person_id: int | None


def _subjects(session: Session, nominees: Iterable[models.Nominee]) -> dict[int, _Subject]:
    """Each nominee's name, unit name and unit path (a person's unit, or the nominated unit)."""
    nominees = list(nominees)
    person_ids = {n.person_id for n in nominees if n.person_id}
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
    unit_ids = {n.unit_id for n in nominees if n.unit_id} | {p.unit_id for p in people.values()}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    shown = labels.unit_labels(session, unit_ids)  # two "Văn phòng" told apart by their parent
    out: dict[int, _Subject] = {}
    for n in nominees:
        if n.person_id:
            person = people[n.person_id]
            unit = units.get(person.unit_id)
            out[n.id] = _Subject(person.full_name, shown.get(unit.id, unit.name) if unit else "",
                                 unit.path if unit else "", person.id)
        else:
            unit = units[n.unit_id]
            name = shown.get(unit.id, unit.name)
            out[n.id] = _Subject(name, name, unit.path, None)
    return out


def _names(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    ids = set(person_ids)
    if not ids:
        return {}
    return dict(session.exec(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all())


def _threshold(session: Session, nomination: models.Nomination) -> int:
    """The threshold of the nomination's title: the rule in force for its year (Decree 98 Art. 30(7))."""
    rows = session.exec(select(models.TitleRule).where(models.TitleRule.title_id == nomination.title_id))
    return rules.ballot_threshold(rules.rule_for_year([queries.version_of(r) for r in rows], nomination.year))


def _voters_expected(session: Session, council: models.CouncilSession, item_id: int) -> int:
    """Members who may vote on an item: present or voting in writing, and not recused."""
    recused = select(models.Recusal.person_id).where(models.Recusal.item_id == item_id)
    stmt = select(sa.func.count()).select_from(models.SessionMember).where(
        models.SessionMember.session_id == council.id,
        sa.or_(models.SessionMember.present.is_(True), models.SessionMember.written.is_(True)),
        models.SessionMember.person_id.not_in(recused))
    return session.exec(stmt).one()


def _participations(session: Session, item_id: int, round_no: int) -> int:
    return session.exec(select(sa.func.count()).select_from(models.BallotParticipation).where(
        models.BallotParticipation.item_id == item_id, models.BallotParticipation.round == round_no)).one()


# --- scheduling and attendance ---------------------------------------------------------------------


def schedule_session(
    session: Session, *, actor: Actor | None, title: str, scheduled_at: datetime, place: str,
    nominee_ids: Sequence[int], chair_person_id: int, secretary_person_id: int, quorum_num: int = 2,
    quorum_den: int = 3, now: datetime,
) -> int:
    """Schedule a council session with an agenda of appraised nominees, and tell every member.

    The members are every active account holding the council-member role; the agenda is in
    voting order (lower titles first, then by name). Each nominee must be appraised eligible, of a
    nomination appraised or on public notice (or already before the council with this nominee not
    yet on any agenda), and its public notice must have closed before the session's day. Their
    nominations move to "council".

    Args:
        title: the session's name, e.g. "Phiên họp xét khen thưởng năm 2026".
        scheduled_at: when it meets (aware); not before today.
        place: where.
        nominee_ids: the nominees to vote on.
        chair_person_id: the chair, a council member.
        secretary_person_id: the secretary, another council member; records attendance and runs
            the ballot.
        quorum_num: the share of ALL members present to open, with ``quorum_den`` (2/3 by default;
            4/5 for sessions that consider awards under some provincial rules).

    Returns:
        The session's id.

    Raises:
        NotAllowed: not an emulation officer. NotFound: a nominee does not exist.
        Invalid: a bad title, time, quorum or agenda, a chair or secretary who is not a member.
        Conflict: no council members, a nominee not ready for the council or already on an agenda.
    """
    require(actor, Perm.PROCESS_NOMINATIONS)
    title = " ".join(str(title or "").split())
    place = " ".join(str(place or "").split())
    if not title or len(title) > 300:
        raise Invalid("Give the session a name of at most 300 characters.", {"title": N_("Required")})
    if len(place) > 300:
        raise Invalid("The place is at most 300 characters.", {"place": N_("Too long")})
    if not isinstance(scheduled_at, datetime) or scheduled_at.tzinfo is None:
        raise Invalid("Choose the day and time of the session.", {"scheduled_at": N_("Required")})
    tz = get_settings().tz
    day = local_day(scheduled_at, tz)
    if day < local_day(now, tz):
        raise Invalid("The session cannot be scheduled in the past.", {"scheduled_at": N_("In the past")})
    rules.check_quorum_share(quorum_num, quorum_den)
    if isinstance(nominee_ids, (str, bytes)) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                         for i in nominee_ids):
        raise Invalid("Choose the nominees for the agenda.", {"nominee_ids": N_("Not valid")})
    wanted = list(dict.fromkeys(nominee_ids))
    if not wanted:
        raise Invalid("Put at least one nominee on the agenda.", {"nominee_ids": N_("Required")})
    if len(wanted) > MAX_AGENDA:
        raise Invalid("An agenda takes at most {max} nominees; schedule another session for the rest.",
                      {"nominee_ids": N_("Too many")}, max=MAX_AGENDA)
    members = _council_members(session)
    if not members:
        raise Conflict("Nobody holds the council member role; ask a system administrator to grant it first.")
    if chair_person_id not in members or secretary_person_id not in members:
        raise Invalid("The chair and the secretary must be council members.", {"chair": N_("Not a member")})
    if chair_person_id == secretary_person_id:
        raise Invalid("The chair and the secretary must be two different members.", {"secretary": N_("Not valid")})

    nominees = {n.id: n for n in session.exec(select(models.Nominee).where(models.Nominee.id.in_(wanted)))}
    missing = [i for i in wanted if i not in nominees]
    if missing:
        raise NotFound("A nominee chosen for the agenda does not exist (number {id}).", id=missing[0])
    nominations = {n.id: n for n in session.exec(select(models.Nomination).where(
        models.Nomination.id.in_({n.nomination_id for n in nominees.values()})))}
    subjects = _subjects(session, nominees.values())
    scheduled = set(session.exec(select(models.AgendaItem.nominee_id).where(
        models.AgendaItem.nominee_id.in_(wanted))))
    for nominee_id in wanted:
        nominee, name = nominees[nominee_id], subjects[nominee_id].name
        nomination = nominations[nominee.nomination_id]
        if nominee_id in scheduled:
            raise Conflict("{name} is already on the agenda of a council session.", name=name)
        ready = nomination.status in SCHEDULABLE or nomination.status == rules.COUNCIL
        if not ready or nominee.appraisal != rules.APPRAISED_ELIGIBLE or nominee.outcome:
            raise Conflict("{name} is not ready for the council: only nominees appraised as eligible can be on "
                           "the agenda.", name=name)
    notices = session.exec(select(models.NoticeItem.nominee_id, models.Notice.closes_on)
                           .join(models.Notice, models.Notice.id == models.NoticeItem.notice_id)
                           .where(models.NoticeItem.nominee_id.in_(wanted))).all()
    for nominee_id, closes_on in notices:
        if closes_on >= day:
            raise Invalid("The public notice of {name} takes comments until {day}; schedule the session after "
                          "that day.", {"scheduled_at": N_("Too early")}, name=subjects[nominee_id].name,
                          day=formats.day(closes_on))

    council = models.CouncilSession(
        title=title, scheduled_at=scheduled_at, place=place, quorum_num=quorum_num, quorum_den=quorum_den,
        chair_person_id=chair_person_id, secretary_person_id=secretary_person_id, created_at=now,
        created_by_account_id=actor.account_id)
    session.add(council)
    session.flush()
    for person_id in members:
        position = ("chair" if person_id == chair_person_id
                    else "secretary" if person_id == secretary_person_id else "member")
        session.add(models.SessionMember(session_id=council.id, person_id=person_id, position=position))
    orders = dict(session.exec(select(models.Title.id, models.Title.sort_order).where(
        models.Title.id.in_({n.title_id for n in nominations.values()}))).all())
    order = rules.voting_order(
        (i, orders[nominations[nominees[i].nomination_id].title_id], subjects[i].name) for i in wanted)
    for position, nominee_id in enumerate(order, start=1):
        session.add(models.AgendaItem(session_id=council.id, nominee_id=nominee_id, position=position))
    for nomination in sorted(nominations.values(), key=lambda n: n.id):
        if nomination.status == rules.COUNCIL:
            continue
        rules.check_move(nomination.status, rules.COUNCIL)
        session.add(models.NominationEvent(
            nomination_id=nomination.id, at=now, from_status=nomination.status, to_status=rules.COUNCIL,
            reason="", version=nomination.version, actor_account_id=actor.account_id))
        nomination.status, nomination.updated_at = rules.COUNCIL, now
        session.add(nomination)
    audit.record(session, actor=actor, action="commendations.council.schedule", entity="commend_council_session",
                 entity_id=council.id, now=now, title=title, scheduled_at=scheduled_at.isoformat(),
                 nominees=order, members=len(members), quorum=f"{quorum_num}/{quorum_den}")
    session.flush()
    when = formats.moment(scheduled_at)
    notify_service.notify_many(session, [
        notify_service.Message(
            person_id=person_id, category=CATEGORY, kind="commendations.council.scheduled",
            subject_ref=f"council:{council.id}",
            title=N_("Council session on {when}: {title}", when=when, title=title),
            body=N_("You are a member of this session of the emulation and commendation council, at {place}. "
                    "Nominees on the agenda: {count}. Their dossiers are open to you until the session closes.",
                    place=place or "—", count=len(order)),
            link=routes.COMMENDATIONS, mandatory=True)
        for person_id in members], now=now)
    return council.id


def record_attendance(session: Session, *, actor: Actor | None, session_id: int, person_id: int, present: bool,
                      written: bool = False, now: datetime) -> None:
    """Record whether a member is present, or absent and voting in writing, before the session opens.

    Raises:
        NotAllowed: not the secretary or an officer. NotFound: no such session or member.
        Conflict: the session has opened. Invalid: present and written at once.
    """
    council = _council(session, session_id)
    _require_secretary(actor, council, officers=True)
    member = _member(session, council, person_id) if _an_id(person_id) else None
    if member is None:
        raise NotFound("This person is not a member of this council session.")
    if council.status != rules.SESSION_SCHEDULED:
        raise Conflict("Attendance is recorded before the session opens, and this one has opened.")
    rules.check_attendance(present, written)
    if (member.present, member.written) == (present, written):
        return
    before = {"present": member.present, "written": member.written}
    member.present, member.written = present, written
    session.add(member)
    audit.record(session, actor=actor, action="commendations.council.attendance", entity="commend_council_session",
                 entity_id=council.id, now=now, person_id=person_id, before=before,
                 after={"present": present, "written": written})
    session.flush()


def _unanswered(session: Session, nominee_ids: list[int]) -> int:
    """Unanswered public comments on the nominees, or on a notice that lists one of them as a whole."""
    notice_ids = select(models.NoticeItem.notice_id).where(models.NoticeItem.nominee_id.in_(nominee_ids))
    stmt = select(sa.func.count()).select_from(models.NoticeComment).where(
        models.NoticeComment.answer == "",
        sa.or_(models.NoticeComment.nominee_id.in_(nominee_ids),
               sa.and_(models.NoticeComment.nominee_id.is_(None), models.NoticeComment.notice_id.in_(notice_ids))))
    return session.exec(stmt).one()


def open_session(session: Session, *, actor: Actor | None, session_id: int, now: datetime) -> Opened:
    """Open the session: the quorum (of ALL members) is there and every public comment is answered.

    Fixes the number of members (the denominator of every threshold) and the recusals: a member
    who is a nominee, or who heads the nominee's unit (or a unit above it), does not vote on it.

    Raises:
        NotAllowed: not the secretary or an officer. NotFound: no such session.
        Conflict: not scheduled, no quorum, or unanswered comments.
    """
    council = _council(session, session_id)
    _require_secretary(actor, council, officers=True)
    if council.status != rules.SESSION_SCHEDULED:
        raise Conflict("This session has already opened.")
    members = list(session.exec(select(models.SessionMember).where(models.SessionMember.session_id == council.id)))
    total, present = len(members), sum(1 for m in members if m.present)
    needed = rules.quorum_needed(total, council.quorum_num, council.quorum_den)
    if not rules.quorum_met(present, total, council.quorum_num, council.quorum_den):
        raise Conflict("The session cannot open: {present} of {total} members are present, and the quorum is "
                       "{needed}.", present=present, total=total, needed=needed)
    items = list(session.exec(select(models.AgendaItem).where(models.AgendaItem.session_id == council.id)
                              .order_by(models.AgendaItem.position)))
    open_comments = _unanswered(session, [i.nominee_id for i in items])
    if open_comments:
        raise Conflict("The session cannot open: {count} public comments on the nominees are not answered yet. "
                       "Answer them first.", count=open_comments)
    member_ids = [m.person_id for m in members]
    heads: dict[int, list[str]] = {}
    for person_id, path in session.exec(
            select(Account.person_id, Unit.path).join(RoleGrant, RoleGrant.account_id == Account.id)
            .join(Unit, Unit.id == RoleGrant.unit_id)
            .where(Account.person_id.in_(member_ids), RoleGrant.role == Role.UNIT_HEAD.value,
                   RoleGrant.revoked_at.is_(None))):
        heads.setdefault(person_id, []).append(path)
    nominees = {n.id: n for n in session.exec(select(models.Nominee).where(
        models.Nominee.id.in_([i.nominee_id for i in items])))}
    subjects = _subjects(session, nominees.values())
    recusals = 0
    for item in items:
        subject = subjects[item.nominee_id]
        for person_id in member_ids:
            reason = rules.recusal(person_id, nominee_person_id=subject.person_id,
                                   nominee_unit_path=subject.unit_path, head_unit_paths=heads.get(person_id, ()))
            if reason:
                session.add(models.Recusal(item_id=item.id, person_id=person_id, reason=reason))
                recusals += 1
    council.status, council.opened_at, council.members_total = rules.SESSION_OPEN, now, total
    session.add(council)
    audit.record(session, actor=actor, action="commendations.council.open", entity="commend_council_session",
                 entity_id=council.id, now=now, members_total=total, present=present, quorum_needed=needed,
                 recusals=recusals)
    session.flush()
    return Opened(members_total=total, present=present, quorum_needed=needed, recusals=recusals)


# --- the ballot ----------------------------------------------------------------------------------


def _item_title(session: Session, item: models.AgendaItem) -> tuple[models.Nominee, models.Nomination, int]:
    nominee = session.get(models.Nominee, item.nominee_id)
    nomination = session.get(models.Nomination, nominee.nomination_id)
    return nominee, nomination, session.get(models.Title, nomination.title_id).sort_order


def open_round(session: Session, *, actor: Actor | None, item_id: int, now: datetime) -> int:
    """Open a round of voting on a nominee: the first, or a second after a first without approval.

    The tally keeps the number of members and the title's threshold at this moment (the rule in
    force for the nomination's year; a title without a required ballot: more than half of all
    members). First rounds go from lower titles to higher.

    Returns:
        The round opened (1 or 2).

    Raises:
        NotAllowed: not the session's secretary. NotFound: no such item.
        Conflict: the session is not open, a round is open, the item is decided or had two rounds,
            or items of lower titles still wait for their first round.
    """
    item, council = _item(session, item_id)
    _require_secretary(actor, council, officers=False)
    if council.status != rules.SESSION_OPEN:
        raise Conflict("Voting happens while the session is open; this one is not.")
    round_no = rules.next_round(item.round, round_open=item.round_open, outcome=item.outcome)
    _nominee, nomination, sort_order = _item_title(session, item)
    if round_no == 1:
        others = session.exec(
            select(models.Title.sort_order, models.AgendaItem.round, models.AgendaItem.round_open)
            .join(models.Nominee, models.Nominee.id == models.AgendaItem.nominee_id)
            .join(models.Nomination, models.Nomination.id == models.Nominee.nomination_id)
            .join(models.Title, models.Title.id == models.Nomination.title_id)
            .where(models.AgendaItem.session_id == council.id, models.AgendaItem.id != item.id)).all()
        if rules.lower_titles_pending(sort_order, [(o, r >= 1 and not (r == 1 and is_open))
                                                   for o, r, is_open in others]):
            raise Conflict("Vote on the lower titles first: some nominees for lower titles have not had their "
                           "first round yet.")
    threshold = _threshold(session, nomination)
    session.add(models.Tally(item_id=item.id, round=round_no, members_total=council.members_total,
                             threshold_pct=threshold))
    item.round, item.round_open = round_no, True
    session.add(item)
    audit.record(session, actor=actor, action="commendations.council.round_open", entity="commend_agenda_item",
                 entity_id=item.id, now=now, round=round_no, members_total=council.members_total,
                 threshold_pct=threshold)
    session.flush()
    return round_no


def _cast(session: Session, *, item: models.AgendaItem, person_id: int, agree: bool, written: bool) -> None:
    """Record the participation and add the ballot to the count, together or not at all."""
    column = models.Tally.agree if agree else models.Tally.disagree
    try:
        with session.begin_nested():
            session.add(models.BallotParticipation(item_id=item.id, round=item.round, person_id=person_id,
                                                   written=written))
            session.flush()
            counted = session.execute(
                sa.update(models.Tally)
                .where(models.Tally.item_id == item.id, models.Tally.round == item.round,
                       models.Tally.closed_at.is_(None))
                .values({column.key: column + 1})
                .execution_options(synchronize_session=False))
            if counted.rowcount != 1:
                raise Conflict("This round of voting has just closed; the vote was not counted.")
    except sa.exc.IntegrityError:
        raise Conflict("This vote has already been cast in this round; a member votes once per round.") from None


def _ballot_open(item: models.AgendaItem, council: models.CouncilSession) -> None:
    if council.status != rules.SESSION_OPEN or not item.round_open:
        raise Conflict("Voting on this nominee is not open. Wait for the secretary to open the round.")


def _check_ballot(session: Session, *, item: models.AgendaItem, person_id: int, agree: object) -> None:
    if not isinstance(agree, bool):
        raise Invalid("Choose agree or disagree.", {"agree": N_("Required")})
    if session.get(models.Recusal, (item.id, person_id)) is not None:
        raise Conflict("This member is recused from voting on this nominee (the minutes say why).")
    if session.get(models.BallotParticipation, (item.id, item.round, person_id)) is not None:
        raise Conflict("This vote has already been cast in this round; a member votes once per round.")


def vote(session: Session, *, actor: Actor | None, item_id: int, agree: bool, now: datetime) -> Progress:
    """Cast the actor's secret ballot on a nominee, in the round open now.

    Only a member of the session who is present and not recused, once per round. The ballot is
    not stored: the participation row says that the member voted, and the tally's ``agree`` or
    ``disagree`` goes up by one in the same transaction.

    Returns:
        How many have voted of those who may (never the counts).

    Raises:
        NotAllowed: not a council member, or no seat in this session. NotFound: no such item.
        Conflict: the round is not open, the member is absent or recused, or has already voted.
        Invalid: ``agree`` is not a yes/no value.
    """
    actor = require(actor, Perm.VOTE)
    item, council = _item(session, item_id)
    member = _member(session, council, actor.person_id)
    if member is None:
        raise NotAllowed("You do not sit on this council session, so you cannot vote in it.")
    _ballot_open(item, council)
    if not member.present:
        raise Conflict("You are recorded as absent from this session; an absent member's written vote is recorded "
                       "by the secretary.")
    _check_ballot(session, item=item, person_id=actor.person_id, agree=agree)
    _cast(session, item=item, person_id=actor.person_id, agree=agree, written=False)
    # The audit says who took part, like the participation row: never how they voted.
    audit.record(session, actor=actor, action="commendations.council.vote", entity="commend_agenda_item",
                 entity_id=item.id, now=now, round=item.round)
    session.flush()
    return Progress(item_id=item.id, round=item.round, voted=_participations(session, item.id, item.round),
                    expected=_voters_expected(session, council, item.id))


def record_written_vote(session: Session, *, actor: Actor | None, item_id: int, person_id: int, agree: bool,
                        now: datetime) -> Progress:
    """The secretary records the written vote of an absent member (marked written in the minutes).

    Raises:
        NotAllowed: not the session's secretary. NotFound: no such item or member.
        Conflict: the round is not open, the member does not vote in writing, is recused, or has
            already voted. Invalid: ``agree`` is not a yes/no value.
    """
    item, council = _item(session, item_id)
    _require_secretary(actor, council, officers=False)
    member = _member(session, council, person_id) if _an_id(person_id) else None
    if member is None:
        raise NotFound("This person is not a member of this council session.")
    _ballot_open(item, council)
    if member.present or not member.written:
        raise Conflict("Only an absent member recorded as voting in writing has a written vote.")
    _check_ballot(session, item=item, person_id=person_id, agree=agree)
    _cast(session, item=item, person_id=person_id, agree=agree, written=True)
    audit.record(session, actor=actor, action="commendations.council.written_vote", entity="commend_agenda_item",
                 entity_id=item.id, now=now, round=item.round, person_id=person_id)
    session.flush()
    return Progress(item_id=item.id, round=item.round, voted=_participations(session, item.id, item.round),
                    expected=_voters_expected(session, council, item.id))


def _set_outcome(session: Session, item: models.AgendaItem, outcome: str) -> None:
    item.outcome = outcome
    session.add(item)
    nominee = session.get(models.Nominee, item.nominee_id)
    nominee.outcome = outcome
    session.add(nominee)


def close_round(session: Session, *, actor: Actor | None, item_id: int, now: datetime) -> RoundResult:
    """Close the open round of a nominee and count it against ALL members; the results show from now.

    Approved when the agreeing votes reach the title's threshold of all members; otherwise after
    a first round a second may be opened, after the second the nominee is not approved.

    Raises:
        NotAllowed: not the session's secretary. NotFound: no such item.
        Conflict: no round is open on this nominee.
    """
    item, council = _item(session, item_id)
    _require_secretary(actor, council, officers=False)
    if council.status != rules.SESSION_OPEN or not item.round_open:
        raise Conflict("No round of voting is open on this nominee.")
    closed = session.execute(
        sa.update(models.Tally)
        .where(models.Tally.item_id == item.id, models.Tally.round == item.round, models.Tally.closed_at.is_(None))
        .values(closed_at=now)
        .returning(models.Tally.agree, models.Tally.disagree, models.Tally.members_total,
                   models.Tally.threshold_pct)
        .execution_options(synchronize_session=False)).one_or_none()
    if closed is None:
        raise Conflict("No round of voting is open on this nominee.")
    agree, disagree, total, threshold = closed
    outcome = rules.round_outcome(item.round, agree, total, threshold)
    item.round_open = False
    session.add(item)
    if outcome:
        _set_outcome(session, item, outcome)
    audit.record(session, actor=actor, action="commendations.council.round_close", entity="commend_agenda_item",
                 entity_id=item.id, now=now, round=item.round, agree=agree, disagree=disagree, members_total=total,
                 threshold_pct=threshold, outcome=outcome)
    session.flush()
    return RoundResult(item_id=item.id, round=item.round, agree=agree, disagree=disagree, members_total=total,
                       threshold_pct=threshold, needed=rules.votes_needed(total, threshold), outcome=outcome)


def close_session(session: Session, *, actor: Actor | None, session_id: int, now: datetime) -> None:
    """Close the session once every nominee has been voted on; a nominee not approved after a first
    round without a second is not approved.

    Raises:
        NotAllowed: not the secretary or an officer. NotFound: no such session.
        Conflict: not open, a round still open, or a nominee not voted on yet.
    """
    council = _council(session, session_id)
    _require_secretary(actor, council, officers=True)
    if council.status != rules.SESSION_OPEN:
        raise Conflict("Only an open session can be closed.")
    items = list(session.exec(select(models.AgendaItem).where(models.AgendaItem.session_id == council.id)
                              .order_by(models.AgendaItem.position)))
    if any(i.round_open for i in items):
        raise Conflict("A round of voting is still open; close it before closing the session.")
    waiting = [i for i in items if i.round == 0]
    if waiting:
        names = _subjects(session, [session.get(models.Nominee, i.nominee_id) for i in waiting])
        raise Conflict("Vote on every nominee before closing the session; still waiting: {names}.",
                       names=", ".join(s.name for s in names.values()))
    for item in items:
        if not item.outcome:
            _set_outcome(session, item, rules.REJECTED)
    council.status, council.closed_at = rules.SESSION_CLOSED, now
    session.add(council)
    audit.record(session, actor=actor, action="commendations.council.close", entity="commend_council_session",
                 entity_id=council.id, now=now,
                 approved=sum(1 for i in items if i.outcome == rules.APPROVED), items=len(items))
    session.flush()


# --- reads ---------------------------------------------------------------------------------------


def _attendance_label(member: models.SessionMember) -> str:
    if member.present:
        return _("Present")
    return _("Absent, votes in writing") if member.written else _("Absent")


def _round_status(closed: bool, voted: int, expected: int, agree: int, disagree: int, needed: int,
                  outcome: str) -> str:
    if not closed:
        return _("Voting: {voted} of {expected} have voted", voted=voted, expected=expected)
    verdict = rules.OUTCOME_NAMES[outcome].render() if outcome else _("Not approved in this round")
    return _("Agree {agree}, disagree {disagree}; {needed} needed. {verdict}", agree=agree, disagree=disagree,
             needed=needed, verdict=verdict)


def _view(session: Session, council: models.CouncilSession, *, reader: int | None, secretary: bool) -> SessionView:
    """One session as ``reader`` (a person id, or None) reads it; ``secretary``: with who has voted."""
    members = list(session.exec(select(models.SessionMember).where(models.SessionMember.session_id == council.id)))
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_([m.person_id for m in members])))}
    unit_names = labels.unit_labels(session, {p.unit_id for p in people.values()})
    position_order = {p: i for i, p in enumerate(rules.POSITIONS)}
    members.sort(key=lambda m: (position_order.get(m.position, 9), people[m.person_id].sort_key or "",
                                m.person_id))
    member_rows = tuple(MemberRow(
        person_id=m.person_id, name=people[m.person_id].full_name,
        unit_name=unit_names.get(people[m.person_id].unit_id, ""), position=m.position,
        position_label=rules.POSITION_NAMES[m.position].render(), present=m.present, written=m.written,
        attendance_label=_attendance_label(m)) for m in members)
    me = next((m for m in members if m.person_id == reader), None)
    items = list(session.exec(select(models.AgendaItem).where(models.AgendaItem.session_id == council.id)
                              .order_by(models.AgendaItem.position)))
    item_ids = [i.id for i in items]
    nominees = {n.id: n for n in session.exec(select(models.Nominee).where(
        models.Nominee.id.in_([i.nominee_id for i in items])))} if items else {}
    subjects = _subjects(session, nominees.values())
    nominations = {n.id: n for n in session.exec(select(models.Nomination).where(
        models.Nomination.id.in_({n.nomination_id for n in nominees.values()})))} if nominees else {}
    titles = {t.id: t for t in session.exec(select(models.Title).where(
        models.Title.id.in_({n.title_id for n in nominations.values()})))} if nominations else {}
    recusals: dict[int, list[models.Recusal]] = {}
    tallies: dict[int, list[models.Tally]] = {}
    voted: dict[tuple[int, int], list[models.BallotParticipation]] = {}
    if item_ids:
        for r in session.exec(select(models.Recusal).where(models.Recusal.item_id.in_(item_ids))):
            recusals.setdefault(r.item_id, []).append(r)
        for t in session.exec(select(models.Tally).where(models.Tally.item_id.in_(item_ids))
                              .order_by(models.Tally.round)):
            tallies.setdefault(t.item_id, []).append(t)
        for p in session.exec(select(models.BallotParticipation).where(
                models.BallotParticipation.item_id.in_(item_ids))):
            voted.setdefault((p.item_id, p.round), []).append(p)
    names = {p.id: p.full_name for p in people.values()}
    may_vote = {m.person_id for m in members if m.present or m.written}
    item_rows = []
    for item in items:
        subject = subjects[item.nominee_id]
        nomination = nominations[nominees[item.nominee_id].nomination_id]
        title = titles[nomination.title_id]
        recused = {r.person_id for r in recusals.get(item.id, [])}
        expected = len(may_vote - recused)
        rounds = []
        for t in tallies.get(item.id, []):
            took_part = voted.get((item.id, t.round), [])
            closed = t.closed_at is not None
            needed = rules.votes_needed(t.members_total, t.threshold_pct)
            outcome = rules.round_outcome(t.round, t.agree, t.members_total, t.threshold_pct) if closed else ""
            rounds.append(RoundRow(
                round=t.round, closed=closed, voted=len(took_part), expected=expected,
                written=sum(1 for p in took_part if p.written), members_total=t.members_total,
                threshold_pct=t.threshold_pct, needed=needed, agree=t.agree if closed else None,
                disagree=t.disagree if closed else None, outcome=outcome,
                status=_round_status(closed, len(took_part), expected, t.agree, t.disagree, needed, outcome),
                voters=tuple(sorted(names.get(p.person_id, "") for p in took_part)) if secretary else ()))
        mine = {p.person_id for p in voted.get((item.id, item.round), [])}
        my_recused = reader in recused
        my_voted = item.round_open and reader in mine
        item_rows.append(ItemRow(
            item_id=item.id, position=item.position, nominee_id=item.nominee_id, nominee_name=subject.name,
            unit_name=subject.unit_name, title_code=title.code, title_name=f"{title.abbreviation} — {title.name}",
            year=nomination.year, round=item.round, round_open=item.round_open, outcome=item.outcome,
            outcome_label=rules.OUTCOME_NAMES[item.outcome].render(),
            recusals=tuple(RecusalRow(person_id=r.person_id, name=names.get(r.person_id, ""), reason=r.reason,
                                      reason_label=rules.RECUSAL_NAMES[r.reason].render())
                           for r in sorted(recusals.get(item.id, []), key=lambda r: r.person_id)),
            rounds=tuple(rounds), my_recused=my_recused, my_voted=my_voted, nomination_id=nomination.id,
            person_id=nominees[item.nominee_id].person_id or 0,
            my_can_vote=bool(me is not None and me.present and council.status == rules.SESSION_OPEN
                             and item.round_open and not my_recused and not my_voted)))
    total = council.members_total if council.status != rules.SESSION_SCHEDULED else len(members)
    present = sum(1 for m in members if m.present)
    return SessionView(
        id=council.id, title=council.title, scheduled_at=formats.moment(council.scheduled_at), place=council.place,
        status=council.status, status_label=rules.SESSION_NAMES[council.status].render(),
        quorum_num=council.quorum_num, quorum_den=council.quorum_den, members_total=total, present=present,
        written=sum(1 for m in members if m.written and not m.present),
        quorum_needed=rules.quorum_needed(total, council.quorum_num, council.quorum_den),
        quorum_met=rules.quorum_met(present, total, council.quorum_num, council.quorum_den),
        chair_name=names.get(council.chair_person_id or 0, ""),
        secretary_name=names.get(council.secretary_person_id or 0, ""),
        opened_at=formats.moment(council.opened_at), closed_at=formats.moment(council.closed_at),
        members=member_rows, items=tuple(item_rows), my_position=me.position if me else "",
        i_am_secretary=reader is not None and reader == council.secretary_person_id)


def my_sessions(session: Session, *, actor: Actor | None, include_closed: bool = True) -> list[SessionView]:
    """The sessions the actor sits in, newest first: the agenda, my participation per item, and the
    results of the closed rounds (a round still open shows only how many have voted)."""
    actor = require_login(actor)
    stmt = (select(models.CouncilSession).join(models.SessionMember,
                                               models.SessionMember.session_id == models.CouncilSession.id)
            .where(models.SessionMember.person_id == actor.person_id))
    if not include_closed:
        stmt = stmt.where(models.CouncilSession.status != rules.SESSION_CLOSED)
    councils = session.exec(stmt.order_by(models.CouncilSession.scheduled_at.desc(), models.CouncilSession.id.desc()))
    return [_view(session, c, reader=actor.person_id, secretary=False) for c in councils]


def secretary_view(session: Session, *, actor: Actor | None, session_id: int) -> SessionView:
    """The session as its secretary (or an officer) runs it: attendance, recusals, who has voted in
    each round (never how), and the results of closed rounds.

    Raises:
        NotAllowed: not the secretary or an officer. NotFound: no such session.
    """
    council = _council(session, session_id)
    actor = _require_secretary(actor, council, officers=True)
    return _view(session, council, reader=actor.person_id, secretary=True)


def sessions(session: Session, *, actor: Actor | None) -> list[tuple[int, str, str, str]]:
    """Every session for an officer, newest first: (id, title, when, status label).

    Raises:
        NotAllowed: not an emulation officer.
    """
    require(actor, Perm.PROCESS_NOMINATIONS)
    rows = session.exec(select(models.CouncilSession).order_by(models.CouncilSession.scheduled_at.desc(),
                                                               models.CouncilSession.id.desc()))
    return [(c.id, c.title, formats.moment(c.scheduled_at), rules.SESSION_NAMES[c.status].render()) for c in rows]


def minutes_data(session: Session, *, actor: Actor | None, session_id: int) -> Minutes:
    """What the minutes and the ballot count of a session are written from (``minutes.minutes_pdf``,
    ``minutes.tally_pdf``): for officers and the session's members.

    Raises:
        NotAllowed: neither an officer nor a member of the session. NotFound: no such session.
    """
    council = _council(session, session_id)
    actor = require_login(actor)
    if not can(actor, Perm.PROCESS_NOMINATIONS) and _member(session, council, actor.person_id) is None:
        raise NotAllowed("Only the members of this session and emulation officers can read its minutes.")
    view = _view(session, council, reader=None, secretary=False)
    nominee_ids = [i.nominee_id for i in view.items]
    comments = 0
    if nominee_ids:
        notice_ids = select(models.NoticeItem.notice_id).where(models.NoticeItem.nominee_id.in_(nominee_ids))
        comments = session.exec(select(sa.func.count()).select_from(models.NoticeComment).where(sa.or_(
            models.NoticeComment.nominee_id.in_(nominee_ids),
            sa.and_(models.NoticeComment.nominee_id.is_(None),
                    models.NoticeComment.notice_id.in_(notice_ids))))).one()
    root = session.exec(select(Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
    return Minutes(org_name=root or "", session=view, comments=comments,
                   approved=tuple(f"{i.nominee_name} — {i.title_name}" for i in view.items
                                  if i.outcome == rules.APPROVED))


def member_sees_nominee(session: Session, actor: Actor | None, nominee_id: int) -> bool:
    """Whether the actor sits, as a council member, in a scheduled or open session with this nominee
    on its agenda (council members may then read the nominee's dossier)."""
    if actor is None or not can(actor, Perm.VOTE):
        return False
    stmt = (select(models.AgendaItem.id)
            .join(models.CouncilSession, models.CouncilSession.id == models.AgendaItem.session_id)
            .join(models.SessionMember, models.SessionMember.session_id == models.CouncilSession.id)
            .where(models.AgendaItem.nominee_id == nominee_id, models.SessionMember.person_id == actor.person_id,
                   models.CouncilSession.status != rules.SESSION_CLOSED))
    return session.exec(stmt.limit(1)).first() is not None


def voting_progress(session: Session, *, actor: Actor | None, item_id: int) -> Progress:
    """How many have voted on an item's open round, for a member of its session or an officer.

    Raises:
        NotAllowed: neither. NotFound: no such item.
    """
    item, council = _item(session, item_id)
    actor = require_login(actor)
    if not can(actor, Perm.PROCESS_NOMINATIONS) and _member(session, council, actor.person_id) is None:
        raise NotAllowed("You do not sit on this council session.")
    return Progress(item_id=item.id, round=item.round, voted=_participations(session, item.id, item.round),
                    expected=_voters_expected(session, council, item.id))



# --- reads for the council pages (council_state / council_pages) ---------------------------------

#: Nominees the "schedule a session" form lists at most (an agenda takes ``MAX_AGENDA``).
MAX_CHOICES = 500


@dataclass(frozen=True)
class MemberChoice:
    """A council member the officer may choose as the chair or the secretary of a session."""

    person_id: int
    name: str
    unit_name: str


@dataclass(frozen=True)
class AgendaChoice:
    """A nominee ready for the council: appraised eligible, not decided, on no agenda yet."""

    nominee_id: int
    nomination_id: int
    name: str
    unit_name: str
    title_name: str
    year: int
    notice_closes: str  # the last day of its public notice ("" when it had none)


def council_members(session: Session, *, actor: Actor | None) -> list[MemberChoice]:
    """Everyone who would sit on a session scheduled now (the council-member role), by name.

    Raises:
        NotAllowed: not an emulation officer.
    """
    require(actor, Perm.PROCESS_NOMINATIONS)
    ids = _council_members(session)
    if not ids:
        return []
    people = list(session.exec(select(Person).where(Person.id.in_(ids))))
    units = labels.unit_labels(session, {p.unit_id for p in people})
    people.sort(key=lambda p: (p.sort_key or "", p.id))
    return [MemberChoice(person_id=p.id, name=p.full_name, unit_name=units.get(p.unit_id, "")) for p in people]


def schedulable_nominees(session: Session, *, actor: Actor | None) -> list[AgendaChoice]:
    """The nominees an officer may put on a new session's agenda, in voting order (lower titles
    first, then by year and name): appraised eligible, of a nomination appraised or on public notice
    (or already before the council), not decided, on no agenda yet. At most ``MAX_CHOICES``.

    ``schedule_session`` checks each one again (a public notice still open refuses the day).

    Raises:
        NotAllowed: not an emulation officer.
    """
    require(actor, Perm.PROCESS_NOMINATIONS)
    on_agenda = select(models.AgendaItem.nominee_id)
    rows = session.exec(
        select(models.Nominee, models.Nomination, models.Title)
        .join(models.Nomination, models.Nomination.id == models.Nominee.nomination_id)
        .join(models.Title, models.Title.id == models.Nomination.title_id)
        .where(models.Nomination.status.in_((*SCHEDULABLE, rules.COUNCIL)),
               models.Nominee.appraisal == rules.APPRAISED_ELIGIBLE, models.Nominee.outcome == "",
               models.Nominee.id.not_in(on_agenda))
        .order_by(models.Title.sort_order, models.Nomination.year, models.Nominee.id)
        .limit(MAX_CHOICES)).all()
    if not rows:
        return []
    nominees = [row[0] for row in rows]
    subjects = _subjects(session, nominees)
    closes: dict[int, object] = {}
    for nominee_id, closes_on in session.exec(
            select(models.NoticeItem.nominee_id, models.Notice.closes_on)
            .join(models.Notice, models.Notice.id == models.NoticeItem.notice_id)
            .where(models.NoticeItem.nominee_id.in_([n.id for n in nominees]))):
        if nominee_id not in closes or closes_on > closes[nominee_id]:
            closes[nominee_id] = closes_on
    out = [AgendaChoice(nominee_id=n.id, nomination_id=nomination.id, name=subjects[n.id].name,
                        unit_name=subjects[n.id].unit_name, title_name=f"{title.abbreviation} — {title.name}",
                        year=nomination.year, notice_closes=formats.day(closes[n.id]) if n.id in closes else "")
           for n, nomination, title in rows]
    order = {n.id: (title.sort_order, nomination.year) for n, nomination, title in rows}
    out.sort(key=lambda c: (*order[c.nominee_id], c.name, c.nominee_id))
    return out


def my_session(session: Session, *, actor: Actor | None, session_id: int) -> SessionView:
    """One session the actor sits in, as ``my_sessions`` shows it (my participation per item, the
    results of closed rounds only).

    Raises:
        NotAllowed: not a member of this session. NotFound: no such session.
    """
    actor = require_login(actor)
    council = _council(session, session_id)
    if _member(session, council, actor.person_id) is None:
        raise NotAllowed("You do not sit on this council session.")
    return _view(session, council, reader=actor.person_id, secretary=False)
