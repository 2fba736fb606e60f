"""Reads for the green-office pages. Each one filters to what the actor may see.

Progress is computed with SQL aggregates (GROUP BY), so a campaign of 1,000 units costs two
queries, not a loop over units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from engagement.core import formats
from engagement.core.access import Actor, Perm, reach, require
from engagement.core.clock import local_day
from engagement.core.errors import NotFound
from engagement.core.files import StoredFile
from engagement.core.i18n import _
from engagement.green import models, rules
from engagement.green.dto import (
    ActionRow,
    ActivityPage,
    ActivityRow,
    AssessmentRow,
    BranchOption,
    CampaignRow,
    DutyRow,
    DutySlot,
    GalleryItem,
    ImpactRow,
    PersonOption,
    RosterRow,
    UnitProgress,
)
from engagement.green.rules import APPROVED, PENDING, PHOTO_PURPOSE, REJECTED, takes_part
from engagement.org import labels as org_labels
from engagement.org.models import Branch, Person, Unit
from engagement.settings import get_settings

#: The authorised file route (engagement.ui.files); queries may not import the UI.
FILES_PREFIX = "/files"
PAGE_SIZE = 20


def campaigns(session: Session, *, actor: Actor | None, now: datetime | None = None) -> list[CampaignRow]:
    """Active campaigns, newest first, marking those the actor's unit takes part in."""
    require(actor, Perm.LOG_GREEN)
    day = local_day(now, get_settings().tz) if now else None
    rows = list(session.exec(select(models.Campaign).where(models.Campaign.is_active.is_(True))
                             .order_by(models.Campaign.starts_on.desc(), models.Campaign.id.desc()).limit(100)))
    paths: dict[int, list[str]] = {}
    if rows:
        for cid, path in session.exec(select(models.CampaignUnit.campaign_id, Unit.path)
                                      .join(Unit, Unit.id == models.CampaignUnit.unit_id)
                                      .where(models.CampaignUnit.campaign_id.in_([c.id for c in rows]))):
            paths.setdefault(cid, []).append(path)
    return [CampaignRow(
        id=c.id, name=c.name, kind=c.kind, description=c.description, starts_on=formats.day(c.starts_on),
        ends_on=formats.day(c.ends_on), is_open=day is None or c.starts_on <= day <= c.ends_on,
        takes_part=takes_part(paths.get(c.id, []), actor.unit_path), backdate_days=c.backdate_days,
        ends_iso=c.ends_on.isoformat(),
    ) for c in rows]


def actions(session: Session, *, actor: Actor | None, campaign_id: int) -> list[ActionRow]:
    """A campaign's action catalogue."""
    require(actor, Perm.LOG_GREEN)
    rows = session.exec(select(models.Action)
                        .where(models.Action.campaign_id == campaign_id, models.Action.is_active.is_(True))
                        .order_by(models.Action.id))
    return [ActionRow(id=a.id, name=a.name, points=a.points, impact_unit=a.impact_unit,
                      photo_required=a.photo_required, limit_text=str(rules.limit_text(a.limit_count, a.limit_period)))
            for a in rows]


def impact_unit_label(code: str) -> str:
    """How an impact unit reads in the current language (an unknown code as it is stored)."""
    label = rules.IMPACT_UNITS.get(code)
    return str(label) if label is not None else code


def _amount(value: float | None, unit: str) -> str:
    """An impact amount with its unit: "2,5 kg" ("" for none)."""
    if value is None:
        return ""
    return _("{amount} {unit}", amount=formats.number(value, 2), unit=impact_unit_label(unit))


@dataclass(frozen=True)
class CampaignView:
    """The campaign page's campaign part: the list, the one shown, and what the page shows of it."""

    campaigns: list[CampaignRow] = field(default_factory=list)
    chosen: CampaignRow | None = None
    actions: list[ActionRow] = field(default_factory=list)
    progress: list[UnitProgress] = field(default_factory=list)
    impact: list[ImpactRow] = field(default_factory=list)
    gallery: list[GalleryItem] = field(default_factory=list)


def campaign_view(session: Session, *, actor: Actor | None, campaign_id: int = 0,
                  now: datetime | None = None) -> CampaignView:
    """The campaign list and the shown campaign's actions, unit progress, impact and photos.

    The campaign shown is ``campaign_id`` while it is listed; otherwise the longest-running open
    campaign of the actor's unit (the list is newest first), else the newest one.
    """
    require(actor, Perm.LOG_GREEN)
    listed = campaigns(session, actor=actor, now=now)
    chosen = next((c for c in listed if c.id == campaign_id), None) or next(
        (c for c in reversed(listed) if c.takes_part and c.is_open), listed[0] if listed else None)
    if chosen is None:
        return CampaignView(campaigns=listed)
    return CampaignView(
        campaigns=listed, chosen=chosen, actions=actions(session, actor=actor, campaign_id=chosen.id),
        progress=unit_progress(session, actor=actor, campaign_id=chosen.id),
        impact=impact_totals(session, actor=actor, campaign_id=chosen.id),
        gallery=gallery(session, actor=actor, campaign_id=chosen.id))


def colleagues(session: Session, *, actor: Actor | None) -> list[PersonOption]:
    """People the actor can credit in a group activity: same unit or same branch."""
    require(actor, Perm.LOG_GREEN)
    me = session.get(Person, actor.person_id)
    conds = [Person.unit_id == me.unit_id]
    for branch_id in (me.union_branch_id, me.youth_branch_id):
        if branch_id is not None:
            conds += [Person.union_branch_id == branch_id, Person.youth_branch_id == branch_id]
    rows = session.exec(select(Person.id, Person.full_name)
                        .where(Person.is_active.is_(True), Person.id != me.id, sa.or_(*conds))
                        .order_by(Person.sort_key).limit(100))
    return [PersonOption(id=pid, name=name) for pid, name in rows]


# --- activities ------------------------------------------------------------------------------


def _visible(actor: Actor) -> sa.ColumnElement[bool] | None:
    """Which activities (and their photos) an actor may see: None means all of them.

    The people of the activity's unit, its unit heads (and above), the union officers of its
    branch, its participants, and org-wide officers.
    """
    people = reach(actor, Perm.VIEW_PEOPLE)
    verify = reach(actor, Perm.VERIFY_GREEN)
    if people.org or verify.org:
        return None
    conds: list[sa.ColumnElement[bool]] = [
        models.Activity.unit_id == actor.unit_id,
        models.Activity.id.in_(select(models.ActivityParticipant.activity_id)
                               .where(models.ActivityParticipant.person_id == actor.person_id)),
    ]
    if verify.branch_ids:
        conds.append(models.Activity.branch_id.in_(verify.branch_ids))
    if people.unit_paths:
        conds.append(models.Activity.unit_id.in_(select(Unit.id).where(
            sa.or_(*[Unit.path.startswith(p) for p in people.unit_paths]))))
    return sa.or_(*conds)


def _rows(session: Session, stmt) -> list[ActivityRow]:
    logger = aliased(Person)
    result = session.execute(
        stmt.add_columns(models.Campaign.name, models.Action.name, models.Action.points, models.Action.impact_unit,
                         logger.full_name, Unit.name)
        .join(models.Campaign, models.Campaign.id == models.Activity.campaign_id)
        .join(models.Action, models.Action.id == models.Activity.action_id)
        .join(logger, logger.id == models.Activity.logged_by_person_id)
        .join(Unit, Unit.id == models.Activity.unit_id)
    ).all()
    ids = [r[0].id for r in result]
    names: dict[int, list[str]] = {}
    if ids:
        for aid, name in session.exec(select(models.ActivityParticipant.activity_id, Person.full_name)
                                      .join(Person, Person.id == models.ActivityParticipant.person_id)
                                      .where(models.ActivityParticipant.activity_id.in_(ids))
                                      .order_by(Person.sort_key)):
            names.setdefault(aid, []).append(name)
    out = []
    shown = org_labels.unit_labels(session, {act.unit_id for act, *_ in result})
    for act, campaign_name, action_name, points, impact_unit, logged_by, unit_name in result:
        impact = _amount(act.impact_amount, impact_unit)
        out.append(ActivityRow(
            id=act.id, campaign_name=campaign_name, action_name=action_name, occurred_on=formats.day(act.occurred_on),
            logged_by=logged_by, unit_name=shown.get(act.unit_id, unit_name),
            participants=", ".join(names.get(act.id, [])),
            note=act.note, impact=impact, status=act.status, reject_reason=act.reject_reason,
            photo_url=f"{FILES_PREFIX}/{act.photo_file_id}" if act.photo_file_id else "", points=points,
        ))
    return out


def _page(session: Session, where: list, page: int, order) -> ActivityPage:
    total = session.exec(select(func.count()).select_from(models.Activity).where(*where)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    stmt = select(models.Activity).where(*where).order_by(*order).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return ActivityPage(rows=_rows(session, stmt), total=total, page=page, pages=pages)


def my_activities(session: Session, *, actor: Actor | None, page: int = 1) -> ActivityPage:
    """Activities the actor logged or took part in, newest first."""
    require(actor, Perm.LOG_GREEN)
    mine = models.Activity.id.in_(select(models.ActivityParticipant.activity_id)
                                  .where(models.ActivityParticipant.person_id == actor.person_id))
    return _page(session, [mine], page, (models.Activity.occurred_on.desc(), models.Activity.id.desc()))


def _queue_filter(actor: Actor) -> list:
    where = reach(actor, Perm.VERIFY_GREEN)
    if where.org:
        return []
    return [models.Activity.branch_id.in_(where.branch_ids)]


def verification_queue(session: Session, *, actor: Actor | None, page: int = 1) -> ActivityPage:
    """Pending activities of the branches the actor verifies, oldest first."""
    require(actor, Perm.VERIFY_GREEN)
    return _page(session, [models.Activity.status == PENDING, *_queue_filter(actor)], page,
                 (models.Activity.created_at, models.Activity.id))


def decided_today(session: Session, *, actor: Actor | None, now: datetime, limit: int = 50) -> list[ActivityRow]:
    """Activities of the actor's branches approved or rejected today (the organisation's day),
    newest decision first: the ones whose decision can still be undone."""
    require(actor, Perm.VERIFY_GREEN)
    tz = get_settings().tz
    start = datetime.combine(local_day(now, tz), time.min, tzinfo=tz).astimezone(UTC)
    stmt = (select(models.Activity).where(models.Activity.status.in_((APPROVED, REJECTED)),
                                          models.Activity.decided_at >= start,
                                          models.Activity.decided_at < start + timedelta(days=1),
                                          *_queue_filter(actor))
            .order_by(models.Activity.decided_at.desc(), models.Activity.id.desc()).limit(max(1, min(limit, 200))))
    return _rows(session, stmt)


def spot_check_sample(session: Session, *, actor: Actor | None, size: int = 5) -> list[ActivityRow]:
    """A random sample of approved activities of the actor's branches, for a second look."""
    require(actor, Perm.VERIFY_GREEN)
    size = min(max(1, size), 20)
    stmt = (select(models.Activity).where(models.Activity.status == APPROVED, *_queue_filter(actor))
            .order_by(func.random()).limit(size))
    return _rows(session, stmt)


# --- progress --------------------------------------------------------------------------------


def _campaign(session: Session, campaign_id: int) -> models.Campaign:
    row = session.get(models.Campaign, campaign_id)
    if row is None or not row.is_active:
        raise NotFound("This campaign does not exist or has been closed.")
    return row


def unit_progress(session: Session, *, actor: Actor | None, campaign_id: int) -> list[UnitProgress]:
    """Every participating unit's points, targets, participation and per-member average.

    Two GROUP BY queries over the participating units (each with its sub-units); best first.
    """
    require(actor, Perm.LOG_GREEN)
    _campaign(session, campaign_id)
    cu_unit = aliased(Unit)
    sub = aliased(Unit)
    base = (sa.select(models.CampaignUnit.unit_id)
            .join(cu_unit, cu_unit.id == models.CampaignUnit.unit_id)
            .join(sub, sub.path.startswith(cu_unit.path))
            .where(models.CampaignUnit.campaign_id == campaign_id))
    members = dict(session.execute(
        base.add_columns(func.count(Person.id))
        .join(Person, Person.unit_id == sub.id).where(Person.is_active.is_(True))
        .group_by(models.CampaignUnit.unit_id)).all())
    earned = {uid: (pts, people) for uid, pts, people in session.execute(
        base.add_columns(func.coalesce(func.sum(models.Action.points), 0),
                         func.count(sa.distinct(models.ActivityParticipant.person_id)))
        .join(models.ActivityParticipant, models.ActivityParticipant.unit_id == sub.id)
        .join(models.Activity, models.Activity.id == models.ActivityParticipant.activity_id)
        .join(models.Action, models.Action.id == models.Activity.action_id)
        .where(models.Activity.campaign_id == campaign_id, models.Activity.status == APPROVED)
        .group_by(models.CampaignUnit.unit_id)).all()}
    units = session.exec(select(models.CampaignUnit, Unit.name).join(Unit, Unit.id == models.CampaignUnit.unit_id)
                         .where(models.CampaignUnit.campaign_id == campaign_id)).all()
    out = []
    shown = org_labels.unit_labels(session, {cu.unit_id for cu, _name in units})
    for cu, name in units:
        name = shown.get(cu.unit_id, name)
        count = members.get(cu.unit_id, 0)
        points, active = earned.get(cu.unit_id, (0, 0))
        points = int(points)
        rate = min(100, round(100 * active / count)) if count else 0
        out.append(UnitProgress(
            unit_id=cu.unit_id, unit_name=name, members=count, active_members=active, points=points,
            target_points=cu.target_points, percent=rules.percent(points, cu.target_points),
            rate=rate, target_rate=cu.target_rate,
            per_member=formats.number(points / count if count else 0, 1),
        ))
    out.sort(key=lambda r: (-(r.points / r.members if r.members else 0), r.unit_name))
    return out


def impact_totals(session: Session, *, actor: Actor | None, campaign_id: int) -> list[ImpactRow]:
    """Approved impact per action (kg sorted, sheets saved, kWh, plants, hours)."""
    require(actor, Perm.LOG_GREEN)
    rows = session.exec(
        select(models.Action.name, models.Action.impact_unit, func.coalesce(func.sum(models.Activity.impact_amount), 0),
               func.count(models.Activity.id))
        .join(models.Activity,
              sa.and_(models.Activity.action_id == models.Action.id, models.Activity.status == APPROVED), isouter=True)
        .where(models.Action.campaign_id == campaign_id)
        .group_by(models.Action.id, models.Action.name, models.Action.impact_unit)
        .order_by(models.Action.id)).all()
    return [ImpactRow(action_name=name, total=formats.number(float(total), 2) if unit else "", unit=unit,
                      activities=int(n), unit_label=impact_unit_label(unit) if unit else "")
            for name, unit, total, n in rows]


def gallery(session: Session, *, actor: Actor | None, campaign_id: int, limit: int = 24) -> list[GalleryItem]:
    """Photos of approved activities the actor may see, newest first."""
    require(actor, Perm.LOG_GREEN)
    where = [models.Activity.campaign_id == campaign_id, models.Activity.status == APPROVED,
             models.Activity.photo_file_id.is_not(None)]
    visible = _visible(actor)
    if visible is not None:
        where.append(visible)
    rows = session.exec(select(models.Activity.id, models.Activity.photo_file_id, models.Action.name, Unit.name,
                               models.Activity.occurred_on)
                        .join(models.Action, models.Action.id == models.Activity.action_id)
                        .join(Unit, Unit.id == models.Activity.unit_id)
                        .where(*where).order_by(models.Activity.occurred_on.desc(), models.Activity.id.desc())
                        .limit(min(max(1, limit), 60))).all()
    return [GalleryItem(activity_id=aid, photo_url=f"{FILES_PREFIX}/{fid}",
                        caption=f"{action} · {unit} · {formats.day(on)}") for aid, fid, action, unit, on in rows]


def may_see_photo(session: Session, actor: Actor | None, file: StoredFile) -> bool:
    """The /files reader for green photos: only people who may see the activity's unit."""
    if actor is None or file.purpose != PHOTO_PURPOSE:
        return False
    stmt = select(models.Activity.id).where(models.Activity.photo_file_id == file.id)
    visible = _visible(actor)
    if visible is not None:
        stmt = stmt.where(visible)
    return session.exec(stmt.limit(1)).first() is not None


# --- rosters and assessments -----------------------------------------------------------------


def my_duties(session: Session, *, actor: Actor | None, now: datetime, limit: int = 8) -> list[DutyRow]:
    """The actor's next duty dates, with who else is on duty."""
    require(actor, Perm.LOG_GREEN)
    start = local_day(now, get_settings().tz)
    mine = session.exec(select(models.RosterDuty.roster_id, models.RosterDuty.on_date, models.Roster.title, Branch.name)
                        .join(models.Roster, models.Roster.id == models.RosterDuty.roster_id)
                        .join(Branch, Branch.id == models.Roster.branch_id)
                        .where(models.RosterDuty.person_id == actor.person_id, models.RosterDuty.on_date >= start)
                        .order_by(models.RosterDuty.on_date).limit(limit)).all()
    out = []
    for roster_id, on, title, branch in mine:
        names = session.exec(select(Person.full_name).join(models.RosterDuty, models.RosterDuty.person_id == Person.id)
                             .where(models.RosterDuty.roster_id == roster_id, models.RosterDuty.on_date == on)
                             .order_by(Person.sort_key)).all()
        out.append(DutyRow(on_date=formats.day(on), title=title, branch_name=branch, people=", ".join(names)))
    return out


def duties_due(session: Session, *, on_date: date) -> list[tuple[int, str, date]]:
    """(person id, duty title, date) of everyone on duty on ``on_date``.

    For the scheduler's reminders (notifications issue): runs with the system's authority,
    so it takes no actor and returns ids only.
    """
    return [(pid, title, on) for pid, title, on in session.exec(
        select(models.RosterDuty.person_id, models.Roster.title, models.RosterDuty.on_date)
        .join(models.Roster, models.Roster.id == models.RosterDuty.roster_id)
        .join(Person, Person.id == models.RosterDuty.person_id)
        .where(models.RosterDuty.on_date == on_date, Person.is_active.is_(True))
        .order_by(models.RosterDuty.person_id))]


# --- for the scheduler's nudges (notifications issue): the system's authority, ids only ------


def running_campaigns(session: Session, *, on_date: date) -> list[tuple[int, str, date, date]]:
    """(id, name, first day, last day) of every active campaign running on ``on_date``."""
    return [tuple(r) for r in session.exec(
        select(models.Campaign.id, models.Campaign.name, models.Campaign.starts_on, models.Campaign.ends_on)
        .where(models.Campaign.is_active.is_(True), models.Campaign.starts_on <= on_date,
               models.Campaign.ends_on >= on_date)
        .order_by(models.Campaign.id))]


def campaign_members(session: Session, *, campaign_ids: list[int]) -> list[tuple[int, int]]:
    """(campaign id, person id) of every active person in a participating unit or below it.

    One query for all the campaigns: each participating unit's subtree by path prefix (the
    indexed path), its people through the (is_active, unit_id) index; a person under two
    participating units of one campaign appears once.
    """
    if not campaign_ids:
        return []
    cu_unit = aliased(Unit)
    sub = aliased(Unit)
    return [tuple(r) for r in session.exec(
        select(models.CampaignUnit.campaign_id, Person.id).distinct()
        .join(cu_unit, cu_unit.id == models.CampaignUnit.unit_id)
        .join(sub, sub.path.startswith(cu_unit.path))
        .join(Person, Person.unit_id == sub.id)
        .where(models.CampaignUnit.campaign_id.in_(campaign_ids), Person.is_active.is_(True))
        .order_by(models.CampaignUnit.campaign_id, Person.id))]


def last_activities(session: Session, *, campaign_ids: list[int]) -> dict[tuple[int, int], tuple[date, datetime]]:
    """(campaign id, person id) -> (latest day of an activity, latest time one was logged).

    Every activity a person logged or was credited in (the logger is a participant too),
    pending or approved: a rejected one does not count as taking part. One GROUP BY through
    the (campaign_id, status) index.
    """
    if not campaign_ids:
        return {}
    rows = session.exec(
        select(models.Activity.campaign_id, models.ActivityParticipant.person_id, func.max(models.Activity.occurred_on),
               func.max(models.Activity.created_at))
        .join(models.ActivityParticipant, models.ActivityParticipant.activity_id == models.Activity.id)
        .where(models.Activity.campaign_id.in_(campaign_ids), models.Activity.status != REJECTED)
        .group_by(models.Activity.campaign_id, models.ActivityParticipant.person_id)).all()
    return {(cid, pid): (on, at) for cid, pid, on, at in rows}


def roster_branches(session: Session, *, actor: Actor | None) -> list[BranchOption]:
    """Branches whose rosters the actor keeps."""
    require(actor, Perm.VERIFY_GREEN)
    where = reach(actor, Perm.VERIFY_GREEN)
    stmt = select(Branch).where(Branch.is_active.is_(True)).order_by(Branch.name)
    if not where.org:
        stmt = stmt.where(Branch.id.in_(where.branch_ids))
    branches = list(session.exec(stmt.limit(500)))
    counts = dict(session.exec(select(Person.union_branch_id, func.count()).where(Person.is_active.is_(True))
                               .group_by(Person.union_branch_id)).all())
    youth = dict(session.exec(select(Person.youth_branch_id, func.count()).where(Person.is_active.is_(True))
                              .group_by(Person.youth_branch_id)).all())
    return [BranchOption(id=b.id, name=b.name, members=counts.get(b.id, 0) + youth.get(b.id, 0))
            for b in branches]


def upcoming_roster(session: Session, *, actor: Actor | None, branch_id: int, now: datetime,
                    limit: int = 12) -> list[DutyRow]:
    """The next dates on a branch's rosters, for its officer."""
    require(actor, Perm.VERIFY_GREEN, branch_id=branch_id)
    today = local_day(now, get_settings().tz)
    rows = session.exec(select(models.RosterDuty.on_date, models.Roster.title, Branch.name, Person.full_name)
                        .join(models.Roster, models.Roster.id == models.RosterDuty.roster_id)
                        .join(Branch, Branch.id == models.Roster.branch_id)
                        .join(Person, Person.id == models.RosterDuty.person_id)
                        .where(models.Roster.branch_id == branch_id, models.RosterDuty.on_date >= today)
                        .order_by(models.RosterDuty.on_date, models.Roster.id, Person.sort_key).limit(limit * 20)).all()
    grouped: dict[tuple[date, str, str], list[str]] = {}
    for on, title, branch, name in rows:
        grouped.setdefault((on, title, branch), []).append(name)
    return [DutyRow(on_date=formats.day(on), title=title, branch_name=branch, people=", ".join(names))
            for (on, title, branch), names in list(grouped.items())[:limit]]


def assessable_units(session: Session, *, actor: Actor | None) -> list[PersonOption]:
    """Units whose office the actor may assess (id, name)."""
    require(actor, Perm.ASSESS_OFFICE)
    where = reach(actor, Perm.ASSESS_OFFICE)
    stmt = select(Unit.id, Unit.name).where(Unit.is_active.is_(True)).order_by(Unit.path)
    if not where.org:
        stmt = stmt.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    return [PersonOption(id=uid, name=name) for uid, name in session.exec(stmt.limit(500))]


def assessment_history(session: Session, *, actor: Actor | None, unit_id: int) -> list[AssessmentRow]:
    """A unit's quarterly self-assessment scores, newest first."""
    require(actor, Perm.ASSESS_OFFICE)
    unit = session.get(Unit, unit_id)
    # A unit outside one's reach, or none, is refused alike; only the org-wide learn it is missing.
    require(actor, Perm.ASSESS_OFFICE, unit_path=unit.path if unit is not None else "")
    if unit is None:
        raise NotFound("This unit does not exist.")
    rows = session.exec(select(models.SelfAssessment).where(models.SelfAssessment.unit_id == unit_id)
                        .order_by(models.SelfAssessment.year.desc(), models.SelfAssessment.quarter.desc())).all()
    return [AssessmentRow(unit_name=unit.name, period=_("Q{quarter} {year}", quarter=r.quarter, year=r.year),
                          score=r.score, filled_at=formats.moment(r.created_at)) for r in rows]


def assessment_answers(session: Session, *, actor: Actor | None, unit_id: int, year: int,
                       quarter: int) -> dict[str, int]:
    """The answers of one quarter (empty when not assessed)."""
    require(actor, Perm.ASSESS_OFFICE)
    assessment_history(session, actor=actor, unit_id=unit_id)  # the unit must be within reach
    row = session.exec(select(models.SelfAssessment).where(models.SelfAssessment.unit_id == unit_id,
                                                           models.SelfAssessment.year == year,
                                                           models.SelfAssessment.quarter == quarter)).first()
    return json.loads(row.answers) if row else {}


def approved_by_unit(session: Session, *, first: date, last: date) -> list[tuple[str, int]]:
    """(path of the logger's unit at the time, activities) approved that happened first..last.

    For the unit heads' monthly digest (a scheduled job, no actor).
    """
    return [(path, n) for path, n in session.exec(
        select(Unit.path, func.count()).select_from(models.Activity).join(Unit, Unit.id == models.Activity.unit_id)
        .where(models.Activity.status == APPROVED, models.Activity.occurred_on >= first,
               models.Activity.occurred_on <= last)
        .group_by(Unit.path)).all()]


def duty_slots(session: Session, *, actor: Actor | None, branch_id: int, now: datetime,
               limit: int = 200) -> list[DutySlot]:
    """Each person on each coming date of the branch's rosters, soonest first (officers)."""
    require(actor, Perm.VERIFY_GREEN, branch_id=branch_id)
    today = local_day(now, get_settings().tz)
    rows = session.exec(select(models.RosterDuty.roster_id, models.RosterDuty.on_date, models.RosterDuty.person_id,
                               models.Roster.title, Person.full_name)
                        .join(models.Roster, models.Roster.id == models.RosterDuty.roster_id)
                        .join(Person, Person.id == models.RosterDuty.person_id)
                        .where(models.Roster.branch_id == branch_id, models.RosterDuty.on_date >= today)
                        .order_by(models.RosterDuty.on_date, models.Roster.id, Person.sort_key).limit(limit)).all()
    return [DutySlot(value=f"{rid}|{on.isoformat()}|{pid}", label=f"{formats.day(on)} · {title} · {name}")
            for rid, on, pid, title, name in rows]


def branch_rosters(session: Session, *, actor: Actor | None, branch_id: int, now: datetime) -> list[RosterRow]:
    """The branch's rosters that still have duties after today (officers)."""
    require(actor, Perm.VERIFY_GREEN, branch_id=branch_id)
    today = local_day(now, get_settings().tz)
    rows = session.exec(select(models.Roster.id, models.Roster.title, func.count())
                        .join(models.RosterDuty, models.RosterDuty.roster_id == models.Roster.id)
                        .where(models.Roster.branch_id == branch_id, models.RosterDuty.on_date > today)
                        .group_by(models.Roster.id, models.Roster.title).order_by(models.Roster.id)).all()
    return [RosterRow(id=rid, title=title, coming=n) for rid, title, n in rows]


def branch_members(session: Session, branch_id: int) -> list[int]:
    """Active members of a branch, in a stable order (by name, then id)."""
    return list(session.exec(
        select(Person.id).where(Person.is_active.is_(True),
                                sa.or_(Person.union_branch_id == branch_id, Person.youth_branch_id == branch_id))
        .order_by(Person.sort_key, Person.id)))


def branch_member_options(session: Session, *, actor: Actor | None, branch_id: int) -> list[PersonOption]:
    """Active members of a branch, for choosing who takes a duty (officers)."""
    require(actor, Perm.VERIFY_GREEN, branch_id=branch_id)
    ids = branch_members(session, branch_id)
    if not ids:
        return []
    names = dict(session.exec(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all())
    return [PersonOption(id=i, name=names[i]) for i in ids]


def approved_between(session: Session, *, start: date, end: date) -> tuple[dict[int, tuple[int, int]],
                                                                           list[tuple[str, float, int]]]:
    """For the movement's review report: approved activities that took place in [start, end].

    Returns:
        (unit at the time -> (activities, people credited), and the impact per stored unit code
        (kg, sheets, kWh, plants, hours; "" for none) as (code, total amount, activities)).
        Three grouped statements, whatever the number of units or people.
    """
    act, part = models.Activity, models.ActivityParticipant
    window = (act.status == APPROVED, act.occurred_on >= start, act.occurred_on <= end)
    counts: dict[int, list[int]] = {}
    for unit_id, n in session.exec(select(act.unit_id, func.count()).where(*window).group_by(act.unit_id)):
        counts.setdefault(unit_id, [0, 0])[0] += n
    for unit_id, n in session.exec(select(part.unit_id, func.count()).join(act, act.id == part.activity_id)
                                   .where(*window).group_by(part.unit_id)):
        counts.setdefault(unit_id, [0, 0])[1] += n
    impact = [(code or "", float(total or 0), int(n)) for code, total, n in session.exec(
        select(models.Action.impact_unit, func.sum(act.impact_amount), func.count())
        .join(models.Action, models.Action.id == act.action_id).where(*window)
        .group_by(models.Action.impact_unit).order_by(models.Action.impact_unit))]
    return {unit_id: (a, p) for unit_id, (a, p) in counts.items()}, impact

