"""Digests: the daily one of approval queues, the weekly one for staff, the monthly one for
unit heads.

Each approver's queues are read through the features' own queries with that approver as the
actor, so a digest never counts anything the approver could not open. The weekly and monthly
digests read set-based job queries (one pass per batch of people, not per person) and key
each message by its week or month, so a rerun, a restart or a second scheduler adds nothing.
Every digest is written in its recipient's language (the approver's account, or
``notify.queries.languages`` read once per batch of people).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.commitments import queries as commitments_queries
from engagement.core import i18n, routes
from engagement.core.access import Actor, Grant, Perm, Role, can
from engagement.core.db import unit_of_work
from engagement.core.i18n import _, _n
from engagement.green import queries as green_queries
from engagement.jobs import rules
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.recognition import queries as recognition_queries
from engagement.scoring import leaderboard as scoring_leaderboard
from engagement.scoring import queries as scoring_queries
from engagement.scoring import rules as scoring_rules

DIGEST_KIND = "digest.approvals"
#: Roles whose holders may have something to approve.
APPROVER_ROLES = (Role.UNIT_HEAD, Role.UNION_OFFICER, Role.EMULATION_OFFICER)


def approvers(session: Session) -> list[Actor]:
    """An actor for every active account holding an approving role (built as a login would)."""
    grants: dict[int, list[Grant]] = {}
    for g, path in session.exec(select(RoleGrant, Unit.path).join(Unit, Unit.id == RoleGrant.unit_id,
                                                                   isouter=True)
                                .where(RoleGrant.revoked_at.is_(None))):
        grants.setdefault(g.account_id, []).append(
            Grant(role=Role(g.role), unit_id=g.unit_id, unit_path=path, branch_id=g.branch_id))
    wanted = [aid for aid, gs in grants.items() if any(g.role in APPROVER_ROLES for g in gs)]
    if not wanted:
        return []
    rows = session.exec(select(Account, Person, Unit).join(Person, Person.id == Account.person_id)
                        .join(Unit, Unit.id == Person.unit_id)
                        .where(Account.id.in_(wanted), Account.is_active.is_(True),
                               Person.is_active.is_(True)).order_by(Account.id)).all()
    return [Actor(account_id=a.id, person_id=p.id, username=a.username, full_name=p.full_name,
                  unit_id=u.id, unit_path=u.path, grants=tuple(grants[a.id]), language=a.language or "")
            for a, p, u in rows]


def queues(session: Session, actor: Actor, now: datetime) -> list[str]:
    """The lines of one approver's digest (empty when nothing waits), in the current language."""
    lines = []
    if can(actor, Perm.VERIFY_GREEN):
        n = green_queries.verification_queue(session, actor=actor).total
        if n:
            lines.append(_n("• {n} green-office activity to verify", "• {n} green-office activities to verify", n))
    if can(actor, Perm.MODERATE_THANKS):
        rows, more = recognition_queries.thanks_for_moderation(session, actor=actor, page_size=50)
        if rows:
            if more:
                lines.append(_("• {n}+ citizens' note(s) to moderate", n=len(rows)))
            else:
                lines.append(_("• {n} citizens' note(s) to moderate", n=len(rows)))
    n = sum(1 for r in commitments_queries.collectives(session, actor=actor, now=now) if r.can_countersign)
    if n:
        lines.append(_("• {n} collective commitment(s) to countersign", n=n))
    return lines


def send_approval_digests(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """At most one digest per approver per local day, on working days outside quiet hours."""
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    period = local.date().isoformat()
    written = 0
    with unit_of_work(engine) as session:
        for actor in approvers(session):
            # The approver's own language: the queues' reads and the digest are written in it.
            with i18n.using(actor.language or None):
                lines = queues(session, actor, now)
                if not lines:
                    continue
                title, body = _("Waiting for your approval"), "\n".join([_("Today:"), *lines])
            written += notify_service.notify(
                session, person_id=actor.person_id, category="digests", kind=DIGEST_KIND,
                subject_ref="approvals", period=period, title=title, body=body, link=routes.HOME, now=now)
    return written


# --- weekly digest for staff ------------------------------------------------------------------

WEEKLY_KIND = "digest.weekly"
MONTHLY_KIND = "digest.unit-month"
#: People per transaction.
BATCH = 500


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants from local midnight of ``first`` to local midnight after ``last``."""
    return (datetime.combine(first, time(0), tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz))


def staff(session: Session) -> list[int]:
    """Every active person with an active account (who can open the app), by id."""
    return list(session.exec(select(Person.id).join(Account, Account.person_id == Person.id)
                             .where(Person.is_active.is_(True), Account.is_active.is_(True))
                             .distinct().order_by(Person.id)).all())


def send_weekly_digests(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Last week's digest for each person whose week held recognition or points (once a week).

    Sent on the first working day of the week the job runs outside quiet hours; people with
    nothing new get nothing.
    """
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    span = rules.previous_week(local.date())
    start, end = _bounds(span.first, span.last, tz)
    month, year = scoring_rules.month_key(span.last), scoring_rules.year_key(span.last)
    with unit_of_work(engine) as session:
        received = recognition_queries.received_between(session, start=start, end=end)
        people = staff(session)
    written = 0
    for at in range(0, len(people), BATCH):
        batch = people[at:at + BATCH]
        with unit_of_work(engine) as session:
            week = scoring_queries.points_between(session, person_ids=batch, first=span.first, last=span.last)
            totals = scoring_queries.person_totals(session, person_ids=batch, periods=[month, year])
            langs = notify_queries.languages(session, batch)
            for pid in batch:
                got = tuple(rules.Received(giver=g, level=lv, message=m) for g, lv, m in received.get(pid, ()))
                with i18n.using(langs[pid]):
                    message = rules.weekly_digest(rules.WeeklyFacts(
                        received=got, week_points=int(week.get(pid) or 0), month_label=month,
                        month_points=totals.get((pid, month), 0), year_label=year,
                        year_points=totals.get((pid, year), 0)), span)
                if message is None:
                    continue
                written += notify_service.notify(
                    session, person_id=pid, category="digests", kind=WEEKLY_KIND, subject_ref="week",
                    period=span.key, title=message[0], body=message[1],
                    link=routes.RECOGNITION if got else routes.LEADERBOARDS, now=now)
    return written


# --- monthly digest for unit heads ------------------------------------------------------------


def unit_heads(session: Session) -> list[tuple[int, int, str]]:
    """(person, unit, unit name) for every current head of an active unit, with an active account."""
    return list(session.exec(
        select(Account.person_id, Unit.id, Unit.name)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .join(Person, Person.id == Account.person_id)
        .where(RoleGrant.role == Role.UNIT_HEAD.value, RoleGrant.revoked_at.is_(None),
               Account.is_active.is_(True), Person.is_active.is_(True), Unit.is_active.is_(True))
        .distinct().order_by(Account.person_id, Unit.id)).all())


def _roll_up(rows: list[tuple[str, int]]) -> dict[int, int]:
    """Counts by unit path -> counts per unit, each unit including everything below it."""
    out: dict[int, int] = defaultdict(int)
    for path, n in rows:
        for part in path.strip("/").split("/"):
            if part:
                out[int(part)] += n
    return out


def send_monthly_digests(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Last month's review for each unit head, one per unit they head (first working days)."""
    local = window.sending_time(now, tz)
    if local is None or not rules.monthly_digest_due(local.date(), window):
        return 0
    span = rules.previous_month(local.date())
    start, end = _bounds(span.first, span.last, tz)
    written = 0
    with unit_of_work(engine) as session:
        heads = unit_heads(session)
        if not heads:
            return 0
        standings = scoring_leaderboard.unit_standings(session, key=span.key,
                                                       prev_key=scoring_rules.previous_period(span.key))
        recognitions = _roll_up(recognition_queries.received_by_unit(session, start=start, end=end))
        green = _roll_up(green_queries.approved_by_unit(session, first=span.first, last=span.last))
        campaigns = commitments_queries.completion_for_digest(session, since=start, now=now)
        langs = notify_queries.languages(session, {person_id for person_id, _unit, _name in heads})
        for person_id, unit_id, unit_name in heads:
            st = standings.get(unit_id)
            facts = rules.UnitMonth(
                unit=unit_name, members=st.members if st else 0, points=st.points if st else 0,
                rank=st.rank if st else None, peers=st.peers if st else 0,
                previous_rank=st.previous_rank if st else None,
                recognitions=recognitions.get(unit_id, 0), green_activities=green.get(unit_id, 0),
                campaigns=tuple(rules.CampaignProgress(name=name, done=by_unit[unit_id][0],
                                                       total=by_unit[unit_id][1])
                                for name, by_unit in campaigns if unit_id in by_unit))
            with i18n.using(langs[person_id]):
                title, body = rules.unit_digest(facts, span)
            written += notify_service.notify(
                session, person_id=person_id, category="digests", kind=MONTHLY_KIND,
                subject_ref=f"unit:{unit_id}", period=span.key, title=title, body=body,
                link=routes.LEADERBOARDS, now=now)
    return written
