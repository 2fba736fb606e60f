"""Use cases of green-office campaigns: the only code here that writes.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then
writes (with an audit entry) and flushes. The caller's ``unit_of_work`` commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.core import audit, files, formats, i18n, limits, routes, workdays
from engagement.core.access import Actor, Perm, can, require
from engagement.core.clock import local_day
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.i18n import N_
from engagement.green import models, rules
from engagement.green.queries import branch_members
from engagement.green.rules import APPROVED, MAX_IMPACT, PENDING, PHOTO_PURPOSE, REJECTED, takes_part
from engagement.notify import service as notify
from engagement.org.models import Branch, Person, Unit
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source
from engagement.settings import get_settings

# --- points ledger hook ----------------------------------------------------------------------


def _source_ref(activity_id: int, person_id: int) -> str:
    return f"green-activity:{activity_id}:{person_id}"


def _occurred_at(activity: models.Activity) -> datetime:
    # The activity has a calendar date; the ledger wants a moment: midday, local time.
    return datetime.combine(activity.occurred_on, time(12), tzinfo=get_settings().tz).astimezone(UTC)


def _refs(session: Session, activity_id: int, person_id: int) -> tuple[list[str], str]:
    """The ledger refs an activity credited a person under (oldest first), and the ref of its
    next approval. An approval undone and given again is a new credit (the ledger is append-only
    and a ref is credited once), so the n-th approval is ``<ref>#n`` from the second on."""
    base = _source_ref(activity_id, person_id)
    rounds = scoring.credit_rounds(session, source=Source.GREEN, source_ref=base, person_id=person_id)
    refs = [base] + [f"{base}#{n}" for n in range(2, rounds + 1)] if rounds else []
    return refs, base if not rounds else f"{base}#{rounds + 1}"


def _record_points(session: Session, *, activity: models.Activity, person_ids: Sequence[int], points: int,
                   now: datetime) -> None:
    """Credit each participant of an approved activity in the points ledger (same transaction)."""
    scoring.lock_credits(session, person_ids=person_ids)  # all first, in the global order
    for person_id in person_ids:
        _done, ref = _refs(session, activity.id, person_id)
        scoring.record_points(session, person_id=person_id, source=Source.GREEN, source_ref=ref,
                              occurred_at=_occurred_at(activity), now=now, quantity=points)


def _reverse_points(session: Session, *, activity: models.Activity, person_ids: Sequence[int], reason: str,
                    actor: Actor, now: datetime) -> None:
    """Take back the points of an approval that is revoked or undone (a reversal entry for each
    credit not yet reversed; nothing is deleted)."""
    scoring.lock_credits(session, person_ids=person_ids)  # all first, in the global order
    for person_id in person_ids:
        for ref in _refs(session, activity.id, person_id)[0]:
            scoring.reverse_points(session, source=Source.GREEN, source_ref=ref, reason=reason, now=now, actor=actor)


# --- campaigns -------------------------------------------------------------------------------


def _campaign(session: Session, campaign_id: int) -> models.Campaign:
    row = session.get(models.Campaign, campaign_id)
    if row is None or not row.is_active:
        raise NotFound("This campaign does not exist or has been closed.")
    return row


def create_campaign(
    session: Session, *, actor: Actor | None, name: str, description: str = "", kind: str,
    starts_on: date | None, ends_on: date | None, backdate_days: int = 7,
    unit_ids: Sequence[int] = (), target_points: int = 0, target_rate: int = 0, now: datetime,
) -> int:
    """Create a campaign with the default action catalogue of its kind.

    Args:
        unit_ids: the participating units (each with its sub-units); empty means every active
            unit directly under the top of the organisation (departments and communes).
        target_points: the points target set for every participating unit (0 = none).
        target_rate: the participation target in percent for every unit (0 = none).

    Returns:
        The new campaign's id.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: bad name, dates, kind, window, targets or units.
    """
    require(actor, Perm.MANAGE_GREEN)
    name, description = rules.campaign_texts(name, description)
    rules.check_campaign(name=name, starts_on=starts_on, ends_on=ends_on, kind=kind,
                         backdate_days=backdate_days)
    _check_targets(target_points, target_rate)
    if unit_ids:
        units = list(session.exec(select(Unit.id).where(Unit.id.in_(list(set(unit_ids))),
                                                        Unit.is_active.is_(True))))
        if len(units) != len(set(unit_ids)):
            raise Invalid("One of the chosen units does not exist or is inactive.")
    else:
        units = list(session.exec(select(Unit.id).where(Unit.depth == 1, Unit.is_active.is_(True))))
        if not units:
            units = list(session.exec(select(Unit.id).where(Unit.depth == 0, Unit.is_active.is_(True))))
    campaign = models.Campaign(name=name, description=description, kind=kind,
                               starts_on=starts_on, ends_on=ends_on, backdate_days=backdate_days,
                               created_at=now, created_by_account_id=actor.account_id)
    session.add(campaign)
    session.flush()
    # The default actions are the organisation's records: named in its language, whoever creates them.
    lang = i18n.default_language()
    for spec in rules.TEMPLATES[kind]:
        session.add(models.Action(campaign_id=campaign.id, name=spec.name.render(lang)[:200], points=spec.points,
                                  impact_unit=spec.impact_unit, photo_required=spec.photo_required,
                                  limit_count=spec.limit_count, limit_period=spec.limit_period))
    for unit_id in units:
        session.add(models.CampaignUnit(campaign_id=campaign.id, unit_id=unit_id,
                                        target_points=target_points, target_rate=target_rate))
    audit.record(session, actor=actor, action="green.campaign.create", entity="green_campaign",
                 entity_id=campaign.id, now=now, name=name, kind=kind, units=len(units))
    session.flush()
    return campaign.id


def update_campaign(
    session: Session, *, actor: Actor | None, campaign_id: int, name: str, description: str = "",
    ends_on: date | None, backdate_days: int, now: datetime,
) -> None:
    """Rename a campaign, change its description, its end date or its back-dating window.

    The start date and kind stay (activities and the action catalogue hang on them). The end
    date cannot move into the past: to stop a campaign now, end it today
    (``end_campaign``); activities already logged stay valid and keep their points.

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such open campaign.
        Invalid: empty name, a name or description over its limit, an end before the start or before
            today, a bad window.
    """
    require(actor, Perm.MANAGE_GREEN)
    campaign = _campaign(session, campaign_id)
    name, description = rules.campaign_texts(name, description)
    rules.check_campaign(name=name, starts_on=campaign.starts_on, ends_on=ends_on, kind=campaign.kind,
                         backdate_days=backdate_days)
    if ends_on < local_day(now, get_settings().tz) and ends_on != campaign.ends_on:
        raise Invalid("The end date cannot be in the past; to stop the campaign now, end it today.",
                      {"ends_on": N_("In the past")})
    old = {"name": campaign.name, "ends_on": campaign.ends_on.isoformat(), "backdate_days": campaign.backdate_days}
    campaign.name, campaign.description = name, description
    campaign.ends_on, campaign.backdate_days = ends_on, backdate_days
    session.add(campaign)
    audit.record(session, actor=actor, action="green.campaign.update", entity="green_campaign",
                 entity_id=campaign.id, now=now, old=old,
                 new={"name": campaign.name, "ends_on": ends_on.isoformat(), "backdate_days": backdate_days})
    session.flush()


def end_campaign(session: Session, *, actor: Actor | None, campaign_id: int, now: datetime) -> date:
    """End a running campaign today: nothing can be logged for a later day; what was logged
    stays, can still be verified, and keeps its points.

    Returns:
        The campaign's (new) last day.

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such open campaign.
        Conflict: it has already ended.
    """
    require(actor, Perm.MANAGE_GREEN)
    campaign = _campaign(session, campaign_id)
    day = local_day(now, get_settings().tz)
    if campaign.ends_on <= day:
        raise Conflict("This campaign already ends on {day}.", day=formats.day(campaign.ends_on))
    old = campaign.ends_on
    campaign.ends_on = max(day, campaign.starts_on)
    session.add(campaign)
    audit.record(session, actor=actor, action="green.campaign.end", entity="green_campaign",
                 entity_id=campaign.id, now=now, old=old.isoformat(), new=campaign.ends_on.isoformat())
    session.flush()
    return campaign.ends_on


def _check_targets(target_points: int, target_rate: int) -> None:
    if not 0 <= target_points <= 1_000_000:
        raise Invalid("The points target must be between 0 and {most}.", {"target_points": N_("Out of range")},
                      most=formats.number(1_000_000, 0))
    if not 0 <= target_rate <= 100:
        raise Invalid("The participation target is a percent between 0 and 100.",
                      {"target_rate": N_("Out of range")})


def set_unit_target(session: Session, *, actor: Actor | None, campaign_id: int, unit_id: int,
                    target_points: int, target_rate: int, now: datetime) -> None:
    """Set a participating unit's targets (points and participation rate).

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: the campaign or the unit's participation does not exist.
        Invalid: a target out of range.
    """
    require(actor, Perm.MANAGE_GREEN)
    _campaign(session, campaign_id)
    row = session.get(models.CampaignUnit, (campaign_id, unit_id))
    if row is None:
        raise NotFound("This unit does not take part in the campaign.")
    _check_targets(target_points, target_rate)
    old = (row.target_points, row.target_rate)
    row.target_points, row.target_rate = target_points, target_rate
    session.add(row)
    audit.record(session, actor=actor, action="green.target.set", entity="green_campaign_unit",
                 entity_id=f"{campaign_id}:{unit_id}", now=now, old=old,
                 new=(target_points, target_rate))
    session.flush()


def _participating_paths(session: Session, campaign_id: int) -> list[str]:
    return list(session.exec(
        select(Unit.path).join(models.CampaignUnit, models.CampaignUnit.unit_id == Unit.id)
        .where(models.CampaignUnit.campaign_id == campaign_id, Unit.is_active.is_(True))))


# --- logging ---------------------------------------------------------------------------------


def _count_in_period(session: Session, *, action: models.Action, person_ids: Sequence[int], first: date,
                     last: date) -> dict[int, int]:
    rows = session.exec(
        select(models.ActivityParticipant.person_id, func.count())
        .join(models.Activity, models.Activity.id == models.ActivityParticipant.activity_id)
        .where(models.Activity.action_id == action.id, models.Activity.status.in_([PENDING, APPROVED]),
               models.Activity.occurred_on >= first, models.Activity.occurred_on <= last,
               models.ActivityParticipant.person_id.in_(list(person_ids)))
        .group_by(models.ActivityParticipant.person_id)
    ).all()
    return dict(rows)


def log_activity(
    session: Session, *, actor: Actor | None, campaign_id: int, action_id: int,
    occurred_on: date | None, participant_ids: Sequence[int] = (), note: str = "",
    impact_amount: float | None = None, photo: bytes | None = None, photo_name: str = "",
    now: datetime,
) -> int:
    """Log an activity for the actor (and colleagues who took part); it waits for verification.

    Args:
        participant_ids: colleagues credited besides the actor (same unit or same branch).
        photo: the raw upload; checked from its bytes, re-encoded and stored with the activity.

    Returns:
        The new activity's id.

    Raises:
        NotAllowed: not logged in, or the actor's unit is not in the campaign.
        NotFound: the campaign or action does not exist.
        Invalid: date outside the window or the campaign, a limit reached, a missing or broken
            photo, a participant who cannot be credited, a bad impact figure.
    """
    actor = require(actor, Perm.LOG_GREEN)
    campaign = _campaign(session, campaign_id)
    paths = _participating_paths(session, campaign.id)
    if not takes_part(paths, actor.unit_path):
        raise NotAllowed("Your unit does not take part in this campaign.")
    action = session.get(models.Action, action_id)
    if action is None or action.campaign_id != campaign.id or not action.is_active:
        raise NotFound("Choose an action from this campaign's list.")
    if occurred_on is None:
        raise Invalid("Enter the date of the activity.", {"occurred_on": N_("Required")})
    note_text = rules.check_note(note)
    rules.check_activity_date(occurred_on=occurred_on, today=local_day(now, get_settings().tz),
                              starts_on=campaign.starts_on, ends_on=campaign.ends_on,
                              backdate_days=campaign.backdate_days)
    me = session.get(Person, actor.person_id)
    others = sorted({int(p) for p in participant_ids} - {actor.person_id})
    if len(others) + 1 > rules.MAX_PARTICIPANTS:
        raise Invalid("A group activity credits at most {n} people.", n=rules.MAX_PARTICIPANTS)
    people = [me]
    if others:
        found = list(session.exec(select(Person).where(Person.id.in_(others), Person.is_active.is_(True))))
        my_branches = {b for b in (me.union_branch_id, me.youth_branch_id) if b is not None}
        for person in found:
            same_branch = {person.union_branch_id, person.youth_branch_id} & my_branches
            if person.unit_id != me.unit_id and not same_branch:
                raise Invalid("{name} is not in your unit or your branch; they can log the activity themselves.",
                              name=person.full_name)
        if len(found) != len(others):
            raise Invalid("One of the participants is not an active staff member.")
        unit_paths = dict(session.exec(select(Unit.id, Unit.path).where(Unit.id.in_({p.unit_id for p in found}))).all())
        for person in found:
            if not takes_part(paths, unit_paths.get(person.unit_id, "")):
                raise Invalid("{name}'s unit does not take part in this campaign.", name=person.full_name)
        people.extend(found)
    if impact_amount is not None:
        if not action.impact_unit:
            impact_amount = None
        elif not 0 <= impact_amount <= MAX_IMPACT:
            raise Invalid("The amount must be between 0 and {most}.", {"impact": N_("Out of range")},
                          most=formats.number(MAX_IMPACT, 0))
    first, last = rules.period_bounds(action.limit_period, occurred_on, starts_on=campaign.starts_on,
                                      ends_on=campaign.ends_on)
    # Lock the participants' rows (in id order, so two loggers cannot deadlock) before counting:
    # on PostgreSQL two tabs logging the same once-a-day action at once would both count 0.
    # SQLite's write transactions are already serialised (BEGIN IMMEDIATE).
    session.exec(select(Person.id).where(Person.id.in_(sorted(p.id for p in people)))
                 .order_by(Person.id).with_for_update()).all()
    counts = _count_in_period(session, action=action, person_ids=[p.id for p in people], first=first,
                              last=last)
    for person in people:
        rules.check_limit(action_name=action.name, limit_count=action.limit_count,
                          limit_period=action.limit_period, already=counts.get(person.id, 0),
                          who=None if person.id == actor.person_id else person.full_name)
    photo_id = None
    if photo:
        clean = files.clean_image(photo)
        photo_id = files.save(session, clean=clean, purpose=PHOTO_PURPOSE, name=photo_name or "green-photo",
                              actor=actor, now=now).id
    elif action.photo_required:
        raise Invalid("“{action}” needs a photo as evidence. Attach one and send again.",
                      {"photo": N_("Required")}, action=action.name)
    activity = models.Activity(
        campaign_id=campaign.id, action_id=action.id, logged_by_person_id=me.id, unit_id=me.unit_id,
        branch_id=me.union_branch_id or me.youth_branch_id, occurred_on=occurred_on,
        note=note_text, impact_amount=impact_amount, photo_file_id=photo_id,
        status=PENDING, created_at=now,
    )
    session.add(activity)
    session.flush()
    for person in people:
        session.add(models.ActivityParticipant(activity_id=activity.id, person_id=person.id, unit_id=person.unit_id))
    audit.record(session, actor=actor, action="green.activity.log", entity="green_activity",
                 entity_id=activity.id, now=now, action_name=action.name, on=occurred_on,
                 participants=[p.id for p in people])
    session.flush()
    return activity.id


# --- verification ----------------------------------------------------------------------------


def _activity_for_verifier(session: Session, actor: Actor, activity_id: int) -> models.Activity:
    """The activity, when it is in the actor's queue (its branch) and they did not take part."""
    activity = session.get(models.Activity, activity_id)
    if activity is None or not can(actor, Perm.VERIFY_GREEN, branch_id=activity.branch_id
                                   if activity.branch_id is not None else -1):
        raise NotFound("This activity is not in your verification queue.")
    participants = set(session.exec(select(models.ActivityParticipant.person_id)
                                    .where(models.ActivityParticipant.activity_id == activity.id)))
    if actor.person_id in participants:
        raise NotAllowed("You took part in this activity; another officer must verify it.")
    return activity


def _participants(session: Session, activity_id: int) -> list[int]:
    return sorted(session.exec(select(models.ActivityParticipant.person_id)
                               .where(models.ActivityParticipant.activity_id == activity_id)))


def approve_activity(session: Session, *, actor: Actor | None, activity_id: int, now: datetime) -> None:
    """Approve a pending activity: it now counts, and each participant is credited.

    Raises:
        NotAllowed: not a verifier of the activity's branch, or a participant oneself.
        NotFound: not in the actor's queue.
        Conflict: already decided.
    """
    actor = require(actor, Perm.VERIFY_GREEN)
    activity = _activity_for_verifier(session, actor, activity_id)
    if activity.status != PENDING:
        raise Conflict("This activity has already been decided; refresh the queue.")
    # Guard against two officers deciding at once: only one UPDATE finds it pending.
    done = session.execute(
        sa.update(models.Activity).where(models.Activity.id == activity.id, models.Activity.status == PENDING)
        .values(status=APPROVED, decided_by_account_id=actor.account_id, decided_at=now,
                reject_reason="")
    ).rowcount
    if done != 1:
        raise Conflict("This activity has already been decided; refresh the queue.")
    session.refresh(activity)
    action = session.get(models.Action, activity.action_id)
    people = _participants(session, activity.id)
    _record_points(session, activity=activity, person_ids=people, points=action.points, now=now)
    audit.record(session, actor=actor, action="green.activity.approve", entity="green_activity",
                 entity_id=activity.id, now=now, participants=people, points=action.points)
    session.flush()


def reject_activity(session: Session, *, actor: Actor | None, activity_id: int, reason: str,
                    now: datetime) -> None:
    """Reject a pending activity, or revoke an approval found wrong at a spot check.

    The member sees the reason. A revoked approval takes the participants' points back.

    Raises:
        NotAllowed: not a verifier of the activity's branch, or a participant oneself.
        NotFound: not in the actor's queue.
        Invalid: no usable reason.
        Conflict: already rejected.
    """
    actor = require(actor, Perm.VERIFY_GREEN)
    activity = _activity_for_verifier(session, actor, activity_id)
    text = rules.check_reject_reason(reason)
    if activity.status == REJECTED:
        raise Conflict("This activity has already been rejected.")
    was = activity.status
    done = session.execute(
        sa.update(models.Activity).where(models.Activity.id == activity.id, models.Activity.status == was)
        .values(status=REJECTED, decided_by_account_id=actor.account_id, decided_at=now,
                reject_reason=text)
    ).rowcount
    if done != 1:
        raise Conflict("This activity has just been decided by someone else; refresh the queue.")
    session.refresh(activity)
    people = _participants(session, activity.id)
    if was == APPROVED:
        _reverse_points(session, activity=activity, person_ids=people, reason=text, actor=actor, now=now)
    audit.record(session, actor=actor, action="green.activity.reject" if was == PENDING
                 else "green.activity.revoke", entity="green_activity", entity_id=activity.id,
                 now=now, reason=text)
    action = session.get(models.Action, activity.action_id)
    name = action.name if action is not None else ""
    day = formats.day(activity.occurred_on)
    notify.notify(session, person_id=activity.logged_by_person_id, category="green",
                  kind="green.activity.rejected" if was == PENDING else "green.activity.revoked",
                  subject_ref=f"activity:{activity.id}", period=now.isoformat(timespec="seconds"),
                  title=(N_("Your green activity was not accepted: {action} ({day})", action=name, day=day)
                         if was == PENDING else
                         N_("The approval of your green activity was withdrawn: {action} ({day})", action=name,
                            day=day)),
                  body=N_("Reason: {reason}", reason=text), link=routes.GREEN, now=now)
    session.flush()


def undo_decision(session: Session, *, actor: Actor | None, activity_id: int, reason: str, now: datetime) -> str:
    """Undo today's approval or rejection of an activity (a slip): it goes back to the queue.

    Any verifier of the activity's branch may undo it (the one who decided, or another with the
    same permission), on the day of the decision, with a reason. An approval's points are taken
    back by reversal entries (nothing of the ledger is deleted); approved again later, the
    activity is credited anew. The member is told, and the audit keeps who decided what.

    Returns:
        The status undone: "approved" or "rejected".

    Raises:
        NotAllowed: not a verifier of the activity's branch, or a participant oneself.
        NotFound: not in the actor's queue.
        Invalid: no usable reason.
        Conflict: the activity is waiting, or was decided before today (an approval found wrong
            later is revoked instead), or someone decided it meanwhile.
    """
    actor = require(actor, Perm.VERIFY_GREEN)
    activity = _activity_for_verifier(session, actor, activity_id)
    text = rules.check_undo_reason(reason)
    if not rules.may_undo_decision(status=activity.status, decided_at=activity.decided_at, now=now,
                                   tz=get_settings().tz):
        if activity.status == PENDING:
            raise Conflict("This activity is waiting for a decision; there is nothing to undo.")
        raise Conflict("Only a decision taken today can be undone; this one was taken on {day}. To withdraw an "
                       "approval found wrong, reject it with the reason.", day=formats.day(activity.decided_at))
    was, before = activity.status, {"status": activity.status, "decided_by": activity.decided_by_account_id,
                                    "decided_at": activity.decided_at.isoformat(), "reason": activity.reject_reason}
    done = session.execute(
        sa.update(models.Activity).where(models.Activity.id == activity.id, models.Activity.status == was,
                                         models.Activity.decided_at == activity.decided_at)
        .values(status=PENDING, decided_by_account_id=None, decided_at=None, reject_reason="")
    ).rowcount
    if done != 1:
        raise Conflict("This activity has just been decided by someone else; refresh the queue.")
    session.refresh(activity)
    people = _participants(session, activity.id)
    if was == APPROVED:
        _reverse_points(session, activity=activity, person_ids=people, reason=text, actor=actor, now=now)
    audit.record(session, actor=actor, action="green.activity.undo", entity="green_activity", entity_id=activity.id,
                 now=now, old=before, reason=text, participants=people)
    action = session.get(models.Action, activity.action_id)
    name, day = (action.name if action is not None else ""), formats.day(activity.occurred_on)
    notify.notify(session, person_id=activity.logged_by_person_id, category="green", kind="green.activity.reopened",
                  subject_ref=f"activity:{activity.id}", period=now.isoformat(timespec="seconds"),
                  title=(N_("The approval of your green activity was undone: {action} ({day})", action=name, day=day)
                         if was == APPROVED else
                         N_("The rejection of your green activity was undone: {action} ({day})", action=name,
                            day=day)),
                  body=N_("It is waiting for verification again. Reason: {reason}", reason=text), link=routes.GREEN,
                  now=now)
    session.flush()
    return was


# --- rosters ---------------------------------------------------------------------------------


def create_roster(
    session: Session, *, actor: Actor | None, branch_id: int, title: str, weekday: int,
    every_weeks: int = 1, per_slot: int = 2, starts_on: date | None, ends_on: date | None,
    now: datetime,
) -> int:
    """Create a recurring duty for a branch and assign its members to dates in turn.

    Returns:
        The roster's id.

    Raises:
        NotAllowed: not a union officer of the branch (or an org-wide officer).
        NotFound: no such active branch.
        Invalid: bad title, schedule, or a branch without members.
    """
    require(actor, Perm.VERIFY_GREEN, branch_id=branch_id)
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.is_active:
        raise NotFound("This branch does not exist or is inactive.")
    title = limits.clean_line(title, limit=rules.ROSTER_TITLE_MAX, what=N_("duty"), field="title")
    if not title:
        raise Invalid("Name the duty, e.g. “Weekly cleaning”.", {"title": N_("Required")})
    if starts_on is None or ends_on is None:
        raise Invalid("Enter the first and last dates of the roster.", {"dates": N_("Required")})
    if starts_on < local_day(now, get_settings().tz):
        raise Invalid("A roster starts today or later.", {"dates": N_("In the past")})
    dates = rules.roster_dates(starts_on=starts_on, ends_on=ends_on, weekday=weekday,
                               every_weeks=every_weeks, holidays=days_off())
    if not dates:
        raise Invalid("No working day falls on this weekday between these dates (weekends and public holidays "
                      "are skipped).", {"dates": N_("Empty")})
    assignments = rules.assign_round_robin(branch_members(session, branch_id), dates, per_slot)
    roster = models.Roster(branch_id=branch_id, title=title, weekday=weekday, every_weeks=every_weeks,
                           per_slot=per_slot, starts_on=starts_on, ends_on=ends_on, created_at=now,
                           created_by_account_id=actor.account_id)
    session.add(roster)
    session.flush()
    session.add_all([models.RosterDuty(roster_id=roster.id, on_date=d, person_id=p) for d, p in assignments])
    audit.record(session, actor=actor, action="green.roster.create", entity="green_roster",
                 entity_id=roster.id, now=now, branch=branch.code, dates=len(dates), duties=len(assignments))
    session.flush()
    return roster.id


def days_off() -> frozenset[date]:
    """The organisation's public holidays: the national list (``core.workdays``) and the days its
    settings add (``ENGAGEMENT_HOLIDAYS``, the reminders' too; a bad entry there fails the jobs)."""
    extra: set[date] = set()
    for part in get_settings().holidays.split(","):
        try:
            extra.add(date.fromisoformat(part.strip()))
        except ValueError:
            continue
    return workdays.HOLIDAYS | extra


def _roster_for_officer(session: Session, actor: Actor, roster_id: int) -> models.Roster:
    """The roster, when its branch is one the actor keeps rosters for."""
    roster = session.get(models.Roster, int(roster_id))
    if roster is None:
        raise NotFound("This roster does not exist.")
    require(actor, Perm.VERIFY_GREEN, branch_id=roster.branch_id)
    return roster


def cancel_roster(session: Session, *, actor: Actor | None, roster_id: int, now: datetime) -> int:
    """Stop a roster: the duties after today are removed (today's and past ones stay).

    Returns:
        How many duties were removed.

    Raises:
        NotAllowed: not a union officer of the roster's branch (or an org-wide officer).
        NotFound: no such roster.
        Conflict: nothing left after today.
    """
    actor = require(actor, Perm.VERIFY_GREEN)
    roster = _roster_for_officer(session, actor, roster_id)
    day = local_day(now, get_settings().tz)
    future = list(session.exec(select(models.RosterDuty).where(models.RosterDuty.roster_id == roster.id,
                                                               models.RosterDuty.on_date > day)))
    if not future:
        raise Conflict("This roster has no duties left after today.")
    for duty in future:
        session.delete(duty)
    roster.ends_on = min(roster.ends_on, day)
    session.add(roster)
    audit.record(session, actor=actor, action="green.roster.cancel", entity="green_roster",
                 entity_id=roster.id, now=now, removed=len(future))
    session.flush()
    return len(future)


def replace_on_duty(session: Session, *, actor: Actor | None, roster_id: int, on_date: date | None,
                    person_out: int, person_in: int, now: datetime) -> None:
    """Put another branch member on a duty date in someone's place (leave, illness); both hear of it.

    Raises:
        NotAllowed: not a union officer of the roster's branch (or an org-wide officer).
        NotFound: no such roster.
        Invalid: a past date, the person is not on that date, the replacement is not an active
            member of the branch or is already on duty that day.
    """
    actor = require(actor, Perm.VERIFY_GREEN)
    roster = _roster_for_officer(session, actor, roster_id)
    if on_date is None or on_date < local_day(now, get_settings().tz):
        raise Invalid("Choose a coming duty date.", {"on_date": N_("Required")})
    duty = session.get(models.RosterDuty, (roster.id, on_date, int(person_out)))
    if duty is None:
        raise Invalid("This person is not on duty that day; reload the page.", {"person_out": N_("Not on duty")})
    if int(person_in) == int(person_out):
        raise Invalid("Choose someone else to take the duty.", {"person_in": N_("Same person")})
    if int(person_in) not in set(branch_members(session, roster.branch_id)):
        raise Invalid("The replacement must be an active member of the branch.", {"person_in": N_("Not a member")})
    if session.get(models.RosterDuty, (roster.id, on_date, int(person_in))) is not None:
        raise Invalid("The replacement is already on duty that day.", {"person_in": N_("Already on duty")})
    session.delete(duty)
    session.flush()
    session.add(models.RosterDuty(roster_id=roster.id, on_date=on_date, person_id=int(person_in)))
    names = dict(session.exec(select(Person.id, Person.full_name)
                              .where(Person.id.in_([int(person_out), int(person_in)]))).all())
    when = formats.day(on_date)
    notify.notify(session, person_id=int(person_in), category="green", kind="green.duty.assigned",
                  subject_ref=f"roster:{roster.id}:{on_date.isoformat()}", period=f"in:{person_out}",
                  title=N_("You are on duty on {day}: {duty}", day=when, duty=roster.title),
                  body=N_("In place of {name}.", name=names.get(int(person_out), "")), link=routes.GREEN, now=now)
    notify.notify(session, person_id=int(person_out), category="green", kind="green.duty.released",
                  subject_ref=f"roster:{roster.id}:{on_date.isoformat()}", period=f"by:{person_in}",
                  title=N_("You are no longer on duty on {day}: {duty}", day=when, duty=roster.title),
                  body=N_("{name} takes your place.", name=names.get(int(person_in), "")), link=routes.GREEN,
                  now=now)
    audit.record(session, actor=actor, action="green.roster.replace", entity="green_roster",
                 entity_id=roster.id, now=now, on=on_date.isoformat(), out=int(person_out), into=int(person_in))
    session.flush()


# --- office self-assessment ------------------------------------------------------------------


def submit_assessment(session: Session, *, actor: Actor | None, unit_id: int, answers: dict[str, int],
                      note: str = "", now: datetime) -> int:
    """Record this quarter's green-office checklist for a unit (once per quarter).

    Returns:
        The score in percent.

    Raises:
        NotAllowed: not the head of the unit (or above), nor an org-wide officer.
        NotFound: no such active unit.
        Invalid: a criterion unanswered.
        Conflict: this quarter is already assessed.
    """
    require(actor, Perm.ASSESS_OFFICE)
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.is_active:
        raise NotFound("This unit does not exist or is inactive.")
    require(actor, Perm.ASSESS_OFFICE, unit_path=unit.path)
    score = rules.assessment_score(answers)
    note = limits.within((note or "").strip(), limit=rules.ASSESSMENT_NOTE_MAX, what=N_("note"), field="note")
    year, quarter = rules.quarter_of(local_day(now, get_settings().tz))
    exists = session.exec(select(models.SelfAssessment.id).where(
        models.SelfAssessment.unit_id == unit_id, models.SelfAssessment.year == year,
        models.SelfAssessment.quarter == quarter)).first()
    if exists is not None:
        raise Conflict("{unit} has already been assessed for Q{quarter} {year}.", unit=unit.name, quarter=quarter,
                       year=year)
    session.add(models.SelfAssessment(unit_id=unit_id, year=year, quarter=quarter,
                                      answers=json.dumps({k: answers[k] for k, _ in rules.CHECKLIST}),
                                      score=score, note=note, created_at=now,
                                      created_by_account_id=actor.account_id))
    audit.record(session, actor=actor, action="green.assessment.submit", entity="unit", entity_id=unit_id,
                 now=now, year=year, quarter=quarter, score=score)
    session.flush()
    return score
