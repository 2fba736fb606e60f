"""Who a commitment campaign addresses and when each of them may sign: reads only.

Shared by the use cases (``service.py``) and the page reads (``queries.py``), so that the
reads never import the service. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from engagement.commitments import rules
from engagement.commitments.models import Campaign, CampaignUnit, DueException
from engagement.commitments.rules import CampaignStatus
from engagement.core import formats
from engagement.core.access import Actor, Role
from engagement.core.errors import NotAllowed
from engagement.org.models import Branch, Person, Unit

# --- status and deadlines -------------------------------------------------------------------------


def status_of(c: Campaign, now: datetime) -> CampaignStatus:
    """A campaign's status at ``now``."""
    return rules.campaign_status(opens_at=c.opens_at, due_at=c.due_at, allow_late=c.allow_late,
                                 late_until=c.late_until, closed_at=c.closed_at, now=now)


def closes_of(c: Campaign) -> datetime:
    """When signing in a campaign stops."""
    return rules.closes_at(due_at=c.due_at, allow_late=c.allow_late, late_until=c.late_until,
                           closed_at=c.closed_at)


def audience_paths(session: Session, campaign_id: int) -> tuple[str, ...]:
    """The paths of the campaign's audience units (each with its sub-units)."""
    return tuple(session.exec(select(Unit.path).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                              .where(CampaignUnit.campaign_id == campaign_id)).all())


def positions_of(c: Campaign) -> tuple[str, ...]:
    """The positions a campaign is limited to (empty: everyone)."""
    return tuple(rules.split_lines(c.positions))


# --- audience ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A person of a campaign's audience, with their unit."""

    person: Person
    unit: Unit


def member_of(session: Session, c: Campaign, person_id: int) -> Member:
    """The person, who must be in the campaign's audience right now.

    Raises:
        NotAllowed: not in the audience (someone else's campaign).
    """
    row = session.exec(select(Person, Unit).join(Unit, Unit.id == Person.unit_id)
                       .where(Person.id == person_id)).first()
    if row is None or not row[0].is_active or not rules.in_audience(
            unit_path=row[1].path, position=row[0].position,
            audience_paths=audience_paths(session, c.id), positions=positions_of(c)):
        raise NotAllowed("This campaign is not addressed to you (or to this person's unit).")
    return Member(person=row[0], unit=row[1])


def _exception(session: Session, campaign_id: int, person_id: int) -> DueException | None:
    return session.exec(select(DueException).where(DueException.campaign_id == campaign_id,
                                                   DueException.person_id == person_id)).first()


def check_can_sign(session: Session, c: Campaign, person_id: int, now: datetime) -> datetime | None:
    """Refuse signing when the campaign or the person's own deadline does not allow it.

    Returns:
        The person's due date (None when exempted).

    Raises:
        Invalid: with the date that passed.
    """
    due_at, _exempt = due_for(session, c, person_id)
    closes = closes_of(c)
    rules.may_sign(status_of(c, now), closed_by_officer=c.closed_at is not None and c.closed_at <= now,
                   closes_on=formats.day(closes - timedelta(seconds=1)), due_at=due_at,
                   due_on=formats.day(due_at - timedelta(seconds=1)) if due_at else "",
                   has_exception=_exception(session, c.id, person_id) is not None, allow_late=c.allow_late,
                   now=now)
    return due_at


def due_for(session: Session, c: Campaign, person_id: int) -> tuple[datetime | None, bool]:
    """A person's own due date in a campaign, and whether they are exempted."""
    exc = _exception(session, c.id, person_id)
    exempt = exc is not None and exc.due_at is None
    return rules.effective_due(c.due_at, exc.due_at if exc else None, exempt), exempt


def union_chair_units(session: Session, actor: Actor) -> list[int]:
    """Units whose union branch the actor chairs (holds a union-officer grant on)."""
    branch_ids = [g.branch_id for g in actor.grants if g.role is Role.UNION_OFFICER and g.branch_id]
    if not branch_ids:
        return []
    return list(session.exec(select(Branch.unit_id).where(Branch.id.in_(branch_ids),
                                                          Branch.kind == "union")).all())
