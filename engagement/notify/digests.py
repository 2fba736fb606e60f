"""Daily digest of approval queues: what waits for each approver, only when something does.

Each approver's queues are read through the features' own queries with that approver as the
actor, so a digest never counts anything the approver could not open.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.commitments import queries as commitments_queries
from engagement.core.access import Actor, Grant, Perm, Role, can
from engagement.core.db import unit_of_work
from engagement.green import queries as green_queries
from engagement.notify import rules, service
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.recognition import queries as recognition_queries

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
                  unit_id=u.id, unit_path=u.path, grants=tuple(grants[a.id])) for a, p, u in rows]


def queues(session: Session, actor: Actor, now: datetime) -> list[str]:
    """The lines of one approver's digest (empty when nothing waits)."""
    lines = []
    if can(actor, Perm.VERIFY_GREEN):
        n = green_queries.verification_queue(session, actor=actor).total
        if n:
            lines.append(f"• {n} green-office activit{'y' if n == 1 else 'ies'} to verify")
    if can(actor, Perm.MODERATE_THANKS):
        rows, more = recognition_queries.thanks_for_moderation(session, actor=actor, page_size=50)
        if rows:
            lines.append(f"• {len(rows)}{'+' if more else ''} citizens' note(s) to moderate")
    n = sum(1 for r in commitments_queries.collectives(session, actor=actor, now=now) if r.can_countersign)
    if n:
        lines.append(f"• {n} collective commitment(s) to countersign")
    return lines


def send_approval_digests(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """At most one digest per approver per local day, on working days outside quiet hours."""
    local = now.astimezone(tz)
    if not window.may_send(local):
        return 0
    written = 0
    with unit_of_work(engine) as session:
        for actor in approvers(session):
            lines = queues(session, actor, now)
            if not lines:
                continue
            written += service.notify(
                session, person_id=actor.person_id, category="digests", kind=DIGEST_KIND,
                subject_ref="approvals", period=local.date().isoformat(),
                title="Waiting for your approval", body="\n".join(["Today:", *lines]), link="/", now=now)
    return written
