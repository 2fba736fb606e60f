"""Use cases of conduct spot checks: the only code here that writes.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates (every
photo is cleaned before anything is written), then writes with an audit entry and flushes.
The caller's ``unit_of_work`` commits. ``draw_plan`` and ``remind_action`` are the
scheduler's (no actor: the job has no person behind it).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import audit, files, formats, limits, routes
from engagement.core.access import Actor, Perm, Role, can, require, require_login
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.i18n import N_
from engagement.notify import service as notify
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.scoring import rules as scoring_rules
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source
from engagement.supervision import dto, models, queries, rules
from engagement.supervision.queries import midday, today_of

CATEGORY = "supervision"
#: Roles whose holders may sit on an inspection team.
TEAM_ROLES = frozenset({Role.EMULATION_OFFICER.value, Role.SYSTEM_ADMIN.value, Role.UNIT_HEAD.value,
                        Role.UNION_OFFICER.value})


@dataclass(frozen=True)
class FindingInput:
    """One result a team records: an item, for the unit (``person_id`` None) or a person present."""

    item_key: str
    result: str
    person_id: int | None = None
    note: str = ""
    photo: bytes | None = None
    photo_name: str = ""


# --- checklists ------------------------------------------------------------------------------


def publish_checklist(session: Session, *, actor: Actor | None, title: str, person_items: Sequence[str],
                      unit_items: Sequence[str], family: str = rules.DEFAULT_FAMILY, now: datetime) -> int:
    """Publish the next version of a checklist (the first one when the family is new).

    Items worded as before keep their keys (so trends follow them); visits already drawn keep
    the version they were drawn with.

    Returns:
        The new version's id.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: no title, no item, an item too long or twice.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    title = limits.clean_line(str(title or ""), limit=rules.TITLE_MAX, what=N_("checklist's title"), field="title")
    if not title:
        raise Invalid("Give the checklist a title.", {"title": N_("Required")})
    family = (family or rules.DEFAULT_FAMILY).strip()[:40]
    latest = queries.latest_checklist(session, family)
    # The first version of the default family names the default items by their keys.
    previous = (queries.checklist_items(latest) if latest
                else rules.DEFAULT_ITEMS if family == rules.DEFAULT_FAMILY else ())
    items = rules.build_items(person_items, unit_items, previous)
    if latest is not None and latest.title == title and tuple(previous) == items:
        raise Conflict("Nothing changed since version {version}.", version=latest.version)
    row = models.Checklist(family=family, version=(latest.version + 1) if latest else 1, title=title,
                           items_json=json.dumps(rules.encode_items(items), ensure_ascii=False),
                           published_at=now, published_by=actor.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="supervision.checklist.publish", entity="supervision_checklist",
                 entity_id=row.id, now=now, family=family, version=row.version, items=len(items))
    return row.id


def ensure_default_checklist(session: Session, *, actor: Actor | None, now: datetime) -> int:
    """The default checklist (drawn from the commitment's clauses), published if missing.

    Raises:
        NotAllowed: not an emulation officer or admin.
    """
    require(actor, Perm.MANAGE_SUPERVISION)
    latest = queries.latest_checklist(session)
    if latest is not None:
        return latest.id
    return publish_checklist(session, actor=actor, title=rules.DEFAULT_TITLE,
                             person_items=[i.text for i in rules.DEFAULT_ITEMS if i.scope == rules.PERSON],
                             unit_items=[i.text for i in rules.DEFAULT_ITEMS if i.scope == rules.UNIT], now=now)


# --- plans and teams -------------------------------------------------------------------------


def _team_people(session: Session, person_ids: Sequence[int]) -> list[Person]:
    """The people named for a team: active, each holding a role that may inspect.

    Raises:
        Invalid: naming the first person who cannot sit on a team.
    """
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        raise Invalid("Name at least one inspector for the team.", {"team": N_("Required")})
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(ids), Person.is_active.is_(True)))}
    roles: dict[int, set[str]] = {}
    for person_id, role in session.exec(select(Account.person_id, RoleGrant.role)
                                        .join(RoleGrant, RoleGrant.account_id == Account.id)
                                        .where(Account.person_id.in_(ids), Account.is_active.is_(True),
                                               RoleGrant.revoked_at.is_(None))):
        roles.setdefault(person_id, set()).add(role)
    for pid in ids:
        if pid not in people:
            raise Invalid("One of the inspectors does not exist or has left.", {"team": N_("Unknown")})
        if not roles.get(pid, set()) & TEAM_ROLES:
            raise Invalid("{name} cannot inspect: a team is made of emulation officers, unit heads and union "
                          "officers.", {"team": N_("Not an inspector")}, name=people[pid].full_name)
    return [people[p] for p in ids]


def create_plan(session: Session, *, actor: Actor | None, name: str, period: str, visits: int,
                unit_ids: Sequence[int], team_ids: Sequence[int], checklist_id: int | None = None,
                response_days: int = 5, action_days: int = 10, now: datetime) -> int:
    """Plan a month's or a quarter's unannounced visits; the scheduler draws them.

    Args:
        period: ``2026-11`` (a month) or ``2026-Q4`` (a quarter).
        visits: how many visits to draw across the units.
        unit_ids: the units the team may visit.
        team_ids: the inspectors (officers, unit heads, union officers).
        checklist_id: the version to use (the newest of the default family when None).

    Returns:
        The plan's id.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: a bad period (or one already over), count, deadline, unit or inspector.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    kind, first, last = scoring_rules.parse_period(str(period or ""))
    if kind not in (scoring_rules.PeriodKind.MONTH, scoring_rules.PeriodKind.QUARTER):
        raise Invalid("A plan covers a month (2026-11) or a quarter (2026-Q4).", {"period": N_("Month or quarter")})
    if last <= today_of(now):
        raise Invalid("This period is over; plan the current or a coming month or quarter.", {"period": N_("Past")})
    rules.check_plan(name=str(name or ""), starts_on=first, ends_on=last, visits=int(visits),
                     response_days=int(response_days), action_days=int(action_days), units=len(set(unit_ids)))
    units = list(session.exec(select(Unit.id).where(Unit.id.in_(list({int(u) for u in unit_ids})),
                                                    Unit.is_active.is_(True))))
    if len(units) != len(set(unit_ids)):
        raise Invalid("One of the chosen units does not exist or is inactive.", {"units": N_("Unknown")})
    team = _team_people(session, team_ids)
    checklist = (session.get(models.Checklist, int(checklist_id)) if checklist_id
                 else queries.latest_checklist(session))
    if checklist is None:
        raise Invalid("Publish a checklist first.", {"checklist": N_("Required")})
    plan = models.Plan(name=" ".join(str(name).split()), checklist_id=checklist.id, period_kind=kind.value,
                       starts_on=first, ends_on=last, visits_planned=int(visits), response_days=int(response_days),
                       action_days=int(action_days), created_at=now, created_by=actor.account_id)
    session.add(plan)
    session.flush()
    session.add_all([models.PlanUnit(plan_id=plan.id, unit_id=u) for u in units])
    session.add_all([models.TeamMember(plan_id=plan.id, person_id=p.id, added_at=now) for p in team])
    audit.record(session, actor=actor, action="supervision.plan.create", entity="supervision_plan",
                 entity_id=plan.id, now=now, period=period, visits=plan.visits_planned, units=sorted(units),
                 team=[p.id for p in team])
    session.flush()
    return plan.id


def _plan(session: Session, plan_id: int) -> models.Plan:
    plan = session.get(models.Plan, int(plan_id))
    if plan is None:
        raise NotFound("This plan does not exist.")
    return plan


def add_to_team(session: Session, *, actor: Actor | None, plan_id: int, person_id: int, now: datetime) -> None:
    """Add an inspector to a plan's team (and to its visits still to record).

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such plan.
        Invalid: not someone who may inspect.
        Conflict: already on the team, or the plan is cancelled.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    plan = _plan(session, plan_id)
    if plan.cancelled_at is not None:
        raise Conflict("This plan is cancelled.")
    (person,) = _team_people(session, [person_id])
    if session.get(models.TeamMember, (plan.id, person.id)) is not None:
        raise Conflict("{name} is already on the team.", name=person.full_name)
    session.add(models.TeamMember(plan_id=plan.id, person_id=person.id, added_at=now))
    for visit_id in session.exec(select(models.Visit.id).where(models.Visit.plan_id == plan.id,
                                                               models.Visit.status == rules.SCHEDULED,
                                                               models.Visit.unit_id != person.unit_id)):
        session.add(models.VisitInspector(visit_id=visit_id, person_id=person.id))
    audit.record(session, actor=actor, action="supervision.team.add", entity="supervision_plan",
                 entity_id=plan.id, now=now, person=person.id)
    session.flush()


def cancel_plan(session: Session, *, actor: Actor | None, plan_id: int, reason: str, now: datetime) -> int:
    """Cancel a plan: its visits still to record are cancelled (recorded ones stay).

    Returns:
        How many visits were cancelled.

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such plan.
        Invalid: no reason.
        Conflict: already cancelled.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    plan = _plan(session, plan_id)
    why = rules.check_text(reason, field="reason", most=rules.REASON_MAX, what=N_("reason"))
    if plan.cancelled_at is not None:
        raise Conflict("This plan is already cancelled.")
    plan.cancelled_at = now
    session.add(plan)
    done = session.execute(sa.update(models.Visit).where(models.Visit.plan_id == plan.id,
                                                         models.Visit.status == rules.SCHEDULED)
                           .values(status=rules.CANCELLED, cancel_reason=why)).rowcount
    audit.record(session, actor=actor, action="supervision.plan.cancel", entity="supervision_plan",
                 entity_id=plan.id, now=now, reason=why, visits=done)
    session.flush()
    return done


# --- visits ----------------------------------------------------------------------------------


def _tell_team(session: Session, *, visit: models.Visit, unit: Unit, people: Sequence[int], now: datetime) -> None:
    for person_id in people:
        notify.notify(session, person_id=person_id, category=CATEGORY, kind="supervision.visit.assigned",
                      subject_ref=f"visit:{visit.id}", mandatory=True,
                      title=N_("Spot check on {day}: {unit}", day=formats.day(visit.scheduled_on), unit=unit.name),
                      body=N_("Unannounced: do not tell the unit. Record the visit on the day."),
                      link=routes.supervision_visit(visit.id), now=now)


def draw_plan(session: Session, *, plan_id: int, rng: random.Random, now: datetime) -> int:
    """Draw a plan's unannounced visits (the scheduler, once per plan).

    The plan is claimed by an UPDATE that only one run can make, so a second scheduler or a
    rerun draws nothing. The days are the plan's working days from tomorrow; each team member
    hears of each visit's date and unit (nobody else sees it until it is recorded).

    Returns:
        How many visits were drawn (0 when another run drew the plan).
    """
    plan = session.get(models.Plan, plan_id)
    if plan is None or plan.cancelled_at is not None:
        return 0
    claimed = session.execute(sa.update(models.Plan).where(models.Plan.id == plan.id, models.Plan.drawn_at.is_(None))
                              .values(drawn_at=now)).rowcount
    if claimed != 1:
        return 0
    session.refresh(plan)
    today = today_of(now)
    unit_ids = list(session.exec(select(models.PlanUnit.unit_id).join(Unit, Unit.id == models.PlanUnit.unit_id)
                                 .where(models.PlanUnit.plan_id == plan.id, Unit.is_active.is_(True))))
    team = {p.id: p.unit_id for p in session.exec(select(Person).join(
        models.TeamMember, models.TeamMember.person_id == Person.id).where(models.TeamMember.plan_id == plan.id))}
    drawn = rules.draw_visits(rng, units=queries.unit_histories(session, unit_ids, today=today),
                              days=rules.draw_days(plan.starts_on, plan.ends_on, today), count=plan.visits_planned)
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    for unit_id, day in drawn:
        visit = models.Visit(plan_id=plan.id, unit_id=unit_id, checklist_id=plan.checklist_id, scheduled_on=day,
                             response_days=plan.response_days, action_days=plan.action_days, created_at=now)
        session.add(visit)
        session.flush()
        # Nobody inspects, or hears the date of, a visit to their own unit.
        people = sorted(p for p, own in team.items() if own != unit_id)
        session.add_all([models.VisitInspector(visit_id=visit.id, person_id=p) for p in people])
        _tell_team(session, visit=visit, unit=units[unit_id], people=people, now=now)
    audit.record(session, actor=None, action="supervision.plan.draw", entity="supervision_plan", entity_id=plan.id,
                 now=now, visits=len(drawn), planned=plan.visits_planned)
    session.flush()
    return len(drawn)


def schedule_visit(session: Session, *, actor: Actor | None, unit_id: int, on: date | None,
                   inspector_ids: Sequence[int], checklist_id: int | None = None, response_days: int = 5,
                   action_days: int = 10, now: datetime) -> int:
    """An ad-hoc visit (a complaint, a follow-up): a unit, a day from today on, its inspectors.

    Returns:
        The visit's id.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: no day or a past one, no such unit, a bad inspector or deadline.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    if on is None or on < today_of(now):
        raise Invalid("Choose today or a coming day for the visit.", {"on": N_("Required")})
    unit = session.get(Unit, int(unit_id))
    if unit is None or not unit.is_active:
        raise Invalid("Choose an active unit to visit.", {"unit": N_("Unknown")})
    rules.check_plan(name="-", starts_on=on, ends_on=on, visits=1, response_days=int(response_days),
                     action_days=int(action_days), units=1)
    team = _team_people(session, inspector_ids)
    insiders = [p for p in team if p.unit_id == unit.id]
    if insiders:
        raise Invalid("{name} works in {unit} and cannot inspect it; choose another inspector.",
                      {"team": N_("Own unit")}, name=insiders[0].full_name, unit=unit.name)
    checklist = (session.get(models.Checklist, int(checklist_id)) if checklist_id
                 else queries.latest_checklist(session))
    if checklist is None:
        raise Invalid("Publish a checklist first.", {"checklist": N_("Required")})
    visit = models.Visit(plan_id=None, unit_id=unit.id, checklist_id=checklist.id, scheduled_on=on,
                         response_days=int(response_days), action_days=int(action_days), created_at=now,
                         created_by=actor.account_id)
    session.add(visit)
    session.flush()
    session.add_all([models.VisitInspector(visit_id=visit.id, person_id=p.id) for p in team])
    _tell_team(session, visit=visit, unit=unit, people=[p.id for p in team if p.id != actor.person_id], now=now)
    audit.record(session, actor=actor, action="supervision.visit.schedule", entity="supervision_visit",
                 entity_id=visit.id, now=now, unit=unit.id, on=on.isoformat(), team=[p.id for p in team])
    session.flush()
    return visit.id


def cancel_visit(session: Session, *, actor: Actor | None, visit_id: int, reason: str, now: datetime) -> None:
    """Cancel a visit still to record, with the reason.

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such visit.
        Invalid: no reason.
        Conflict: already recorded or cancelled.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    visit = session.get(models.Visit, int(visit_id))
    if visit is None:
        raise NotFound("This visit does not exist.")
    why = rules.check_text(reason, field="reason", most=rules.REASON_MAX, what=N_("reason"))
    done = session.execute(sa.update(models.Visit).where(models.Visit.id == visit.id,
                                                         models.Visit.status == rules.SCHEDULED)
                           .values(status=rules.CANCELLED, cancel_reason=why)).rowcount
    if done != 1:
        raise Conflict("This visit has already been recorded or cancelled.")
    audit.record(session, actor=actor, action="supervision.visit.cancel", entity="supervision_visit",
                 entity_id=visit.id, now=now, reason=why)
    session.flush()


def _visit_for_team(session: Session, actor: Actor, visit_id: int, *, now: datetime) -> tuple[models.Visit, Unit]:
    """The visit, when the actor is on its team, may inspect its unit and does not work there."""
    visit = session.get(models.Visit, int(visit_id))
    if visit is None or (actor.person_id not in queries.inspectors(session, visit.id)
                         and not can(actor, Perm.MANAGE_SUPERVISION)):
        raise NotFound("This visit does not exist, or you are not on its team.")
    if actor.person_id not in queries.inspectors(session, visit.id):
        raise NotAllowed("Only the visit's inspection team can record it.")
    unit = session.get(Unit, visit.unit_id)
    require(actor, Perm.INSPECT, unit_path=unit.path)
    if queries.own_unit(session, actor, visit):
        raise NotAllowed("You work in {unit}: another member of the team must inspect it.", unit=unit.name)
    return visit, unit


def _subject(person_id: int | None) -> str:
    return "unit" if person_id is None else f"p:{int(person_id)}"


def _check_findings(items: Sequence[rules.Item], present: set[int], members: Mapping[int, Person],
                    findings: Sequence[FindingInput]) -> dict[tuple[str, str], FindingInput]:
    """Every finding valid and complete: each unit item once, each person item once per person
    present, a note on each failure.

    Raises:
        Invalid: naming the first problem.
    """
    by_key = {i.key: i for i in items}
    out: dict[tuple[str, str], FindingInput] = {}
    for f in findings:
        item = by_key.get(str(f.item_key))
        if item is None:
            raise Invalid("An item is not on this visit's checklist; reload the page.", {"findings": N_("Unknown")})
        if f.result not in rules.RESULTS:
            raise Invalid("Choose pass, fail or not applicable for “{item}”.", {"findings": N_("Required")},
                          item=item.text)
        if item.scope == rules.UNIT and f.person_id is not None:
            raise Invalid("“{item}” is checked for the unit, not for a person.", {"findings": N_("Unit item")},
                          item=item.text)
        if item.scope == rules.PERSON:
            if f.person_id is None:
                raise Invalid("“{item}” is checked for each person present.", {"findings": N_("Person item")},
                              item=item.text)
            if int(f.person_id) not in members:
                raise Invalid("A finding names someone who is not a member of this unit at the time of the "
                              "visit; only the unit's people can be inspected.", {"findings": N_("Not in the unit")})
            if int(f.person_id) not in present:
                raise Invalid("{name} was not marked present; tick them as present or leave out their findings.",
                              {"findings": N_("Not present")}, name=members[int(f.person_id)].full_name)
        key = (_subject(f.person_id), item.key)
        if key in out:
            raise Invalid("“{item}” is recorded twice for the same person.", {"findings": N_("Twice")},
                          item=item.text)
        if f.result == rules.FAIL and len(rules.finding_note(f.note, item.text)) < 5:
            raise Invalid("Say what was seen for the failed item “{item}”.", {"findings": N_("Note needed")},
                          item=item.text)
        out[key] = f
    for item in items:
        subjects = ["unit"] if item.scope == rules.UNIT else [_subject(p) for p in sorted(present)]
        for subject in subjects:
            if (subject, item.key) not in out:
                who = "" if subject == "unit" else members[int(subject[2:])].full_name
                if who:
                    raise Invalid("Give a result for “{item}” for {name}.", {"findings": N_("Missing")},
                                  item=item.text, name=who)
                raise Invalid("Give a result for “{item}”.", {"findings": N_("Missing")}, item=item.text)
    return out


def record_visit(session: Session, *, actor: Actor | None, visit_id: int, present: Sequence[int],
                 findings: Sequence[FindingInput], note: str = "", now: datetime) -> dto.VisitResult:
    """Record a visit: who was present, each item's result for the unit and for each person present.

    Each failure opens a corrective action (the person's, or the unit's) due in the visit's
    working days; a failure of the same item by the same subject within a year is flagged as a
    repeat. The unit is credited its compliance in the points ledger (``Source.INSPECTION``,
    keyed by the visit, so it counts once). People with findings and the unit's heads are told.

    Raises:
        NotAllowed: not on the team, outside the actor's units, or the actor's own unit.
        NotFound: no such visit (or not the actor's).
        Invalid: a person not of the unit or not present, a missing or duplicate result, a failure
            without a note, a photo that is not an image.
        Conflict: already recorded or cancelled, or planned for a later day.
    """
    actor = require(actor, Perm.INSPECT)
    visit, unit = _visit_for_team(session, actor, visit_id, now=now)
    if visit.status != rules.SCHEDULED:
        raise Conflict("This visit has already been recorded or cancelled.")
    day = visit.scheduled_on
    if day > today_of(now):
        raise Conflict("This visit is planned for {day}; record it on that day.", day=formats.day(day))
    members = {p.id: p for p in queries.members_at(session, unit.id, midday(day))}
    present_ids = {int(p) for p in present}
    strangers = sorted(present_ids - set(members))
    if strangers:
        raise Invalid("Only people of {unit} at the time of the visit can be marked present.",
                      {"present": N_("Not in the unit")}, unit=unit.name)
    checklist = session.get(models.Checklist, visit.checklist_id)
    items = queries.checklist_items(checklist)
    checked = _check_findings(items, present_ids, members, findings)
    visit_note = limits.clean_line(str(note or ""), limit=rules.VISIT_NOTE_MAX, what=N_("visit's note"), field="note")
    # Every photo is checked before anything is written: a bad one refuses the whole visit.
    photos = {key: files.clean_image(f.photo) for key, f in checked.items() if f.photo}
    done = session.execute(sa.update(models.Visit).where(models.Visit.id == visit.id,
                                                         models.Visit.status == rules.SCHEDULED)
                           .values(status=rules.RECORDED)).rowcount
    if done != 1:
        raise Conflict("This visit has just been recorded by another member of the team.")
    session.refresh(visit)
    earlier = queries.earlier_failures(session, unit_id=unit.id, before=day)
    texts = {i.key: i.text for i in items}
    session.add_all([models.Presence(visit_id=visit.id, person_id=p) for p in sorted(present_ids)])
    failed = repeats = actions = 0
    told: dict[int, int] = {}
    for (subject, key), f in checked.items():
        photo_id = None
        if (subject, key) in photos:
            photo_id = files.save(session, clean=photos[(subject, key)], purpose=rules.PHOTO_PURPOSE,
                                  name=f.photo_name or "spot-check", actor=actor, now=now).id
        repeat = f.result == rules.FAIL and rules.is_repeat(day, earlier.get((subject, key), ()))
        row = models.Finding(visit_id=visit.id, unit_id=unit.id, person_id=f.person_id, subject=subject,
                             item_key=key, item_text=texts[key][:300], result=f.result,
                             note=rules.finding_note(f.note, texts[key]), photo_file_id=photo_id, repeat=repeat,
                             visited_on=day, created_at=now)
        session.add(row)
        session.flush()
        if f.person_id is not None:
            told[f.person_id] = told.get(f.person_id, 0) + (f.result == rules.FAIL)
        if f.result == rules.FAIL:
            failed += 1
            repeats += repeat
            actions += 1
            session.add(models.Action(finding_id=row.id, unit_id=unit.id, unit_path=unit.path, person_id=f.person_id,
                                      due_on=rules.action_due(day, visit.action_days), created_at=now))
    compliance = rules.compliance(f.result for f in checked.values())
    visit.compliance, visit.recorded_at, visit.recorded_by_person_id = compliance, now, actor.person_id
    visit.note = visit_note
    session.add(visit)
    session.flush()
    points = _credit_unit(session, visit=visit, now=now)
    respond = formats.day(rules.respond_by(day, visit.response_days))
    for person_id, fails in sorted(told.items()):
        notify.notify(session, person_id=person_id, category=CATEGORY, kind="supervision.findings",
                      subject_ref=f"visit:{visit.id}",
                      title=N_("Spot check at {unit} on {day}: your results", unit=unit.name, day=formats.day(day)),
                      body=(N_("{n} item(s) failed. You can explain until {day}.", n=fails, day=respond) if fails
                            else N_("Every item passed.")),
                      link=routes.SUPERVISION, now=now, mandatory=bool(fails))
    if actions:
        for head in queries.heads_of(session, unit.path):
            if head == actor.person_id:
                continue
            notify.notify(session, person_id=head, category=CATEGORY, kind="supervision.actions",
                          subject_ref=f"visit:{visit.id}",
                          title=N_("Spot check at {unit}: {n} corrective action(s) to follow", unit=unit.name,
                                   n=actions),
                          body=N_("Confirm each one when it is done."), link=routes.SUPERVISION, now=now)
    audit.record(session, actor=actor, action="supervision.visit.record", entity="supervision_visit",
                 entity_id=visit.id, now=now, unit=unit.id, present=sorted(present_ids), findings=len(checked),
                 failed=failed, repeats=repeats, compliance=compliance, points=points)
    session.flush()
    return dto.VisitResult(visit_id=visit.id, compliance=compliance, findings=len(checked), failed=failed,
                           actions=actions, repeats=repeats, points=points)


def _credit_unit(session: Session, *, visit: models.Visit, now: datetime, ref: str | None = None) -> int:
    """The unit's points for a recorded visit's compliance (once per visit, or per correction)."""
    if visit.compliance is None:
        return 0
    _version, criteria = scoring.criteria_on(session, visit.scheduled_on)
    weight = criteria[Source.INSPECTION].weight
    return scoring.record_unit_points(session, unit_id=visit.unit_id, source=Source.INSPECTION,
                                      source_ref=ref or f"visit:{visit.id}", occurred_at=midday(visit.scheduled_on),
                                      now=now, quantity=rules.score_quantity(visit.compliance, weight))


def attach_photo(session: Session, *, actor: Actor | None, finding_id: int, data: bytes, name: str = "",
                 now: datetime) -> int:
    """Add a photo to a finding that has none (the team, the same safe path as green evidence).

    Returns:
        The stored file's id.

    Raises:
        NotAllowed / NotFound: not on the visit's team.
        Invalid: not an image.
        Conflict: the finding already has a photo.
    """
    actor = require(actor, Perm.INSPECT)
    finding = session.get(models.Finding, int(finding_id))
    if finding is None or actor.person_id not in queries.inspectors(session, finding.visit_id):
        raise NotFound("This finding does not exist, or you are not on its visit's team.")
    clean = files.clean_image(data)
    if finding.photo_file_id is not None:
        raise Conflict("This finding already has a photo.")
    stored = files.save(session, clean=clean, purpose=rules.PHOTO_PURPOSE, name=name or "spot-check",
                        actor=actor, now=now)
    finding.photo_file_id = stored.id
    session.add(finding)
    audit.record(session, actor=actor, action="supervision.finding.photo", entity="supervision_finding",
                 entity_id=finding.id, now=now, file=stored.id)
    session.flush()
    return stored.id


# --- what follows a finding ----------------------------------------------------------------------


def respond(session: Session, *, actor: Actor | None, finding_id: int, text: str, now: datetime) -> int:
    """A person's explanation of a finding about them, within the visit's working days.

    Returns:
        The response's id.

    Raises:
        NotFound: not a finding about the actor.
        Invalid: too short or too long.
        Conflict: the time to explain is over.
    """
    actor = require_login(actor)
    finding = session.get(models.Finding, int(finding_id))
    if finding is None or finding.person_id != actor.person_id:
        raise NotFound("This finding is not about you.")
    body = rules.check_text(text, field="text", most=rules.RESPONSE_MAX, what=N_("explanation"))
    visit = session.get(models.Visit, finding.visit_id)
    last = rules.respond_by(finding.visited_on, visit.response_days)
    if today_of(now) > last:
        raise Conflict("The time to explain this finding ended on {day}; ask your unit head to add a note.",
                       day=formats.day(last))
    row = models.Response(finding_id=finding.id, person_id=actor.person_id, text=body, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="supervision.finding.respond", entity="supervision_finding",
                 entity_id=finding.id, now=now, response=row.id)
    return row.id


def confirm_action(session: Session, *, actor: Actor | None, action_id: int, note: str = "",
                   evidence: bytes | None = None, evidence_name: str = "", now: datetime) -> None:
    """A unit head confirms a corrective action is done (a note and a photo or scan are optional).

    Raises:
        NotAllowed: not a head of the action's unit (nor an officer), or the action is about oneself.
        NotFound: no such action.
        Invalid: the evidence is neither a photo nor a PDF.
        Conflict: already done or withdrawn.
    """
    actor = require(actor, Perm.FOLLOW_SUPERVISION)
    action = session.get(models.Action, int(action_id))
    if action is None:
        raise NotFound("This corrective action does not exist.")
    require(actor, Perm.FOLLOW_SUPERVISION, unit_path=action.unit_path)
    if action.person_id == actor.person_id:
        raise NotAllowed("This action is about you: another unit head or an emulation officer must confirm it.")
    clean = files.clean_scan(evidence) if evidence else None
    done_note = limits.clean_line(str(note or ""), limit=rules.DONE_NOTE_MAX, what=N_("note"), field="note")
    if action.status != rules.OPEN:
        raise Conflict("This action is already closed.")
    file_id = files.save(session, clean=clean, purpose=rules.EVIDENCE_PURPOSE, name=evidence_name or "evidence",
                         actor=actor, now=now).id if clean else None
    done = session.execute(sa.update(models.Action).where(models.Action.id == action.id,
                                                          models.Action.status == rules.OPEN)
                           .values(status=rules.DONE, done_at=now, done_by=actor.account_id,
                                   done_note=done_note,
                                   evidence_file_id=file_id)).rowcount
    if done != 1:
        raise Conflict("This action has just been closed by someone else.")
    audit.record(session, actor=actor, action="supervision.action.done", entity="supervision_action",
                 entity_id=action.id, now=now, evidence=file_id)
    session.flush()


def correct_finding(session: Session, *, actor: Actor | None, finding_id: int, result: str, reason: str,
                    now: datetime) -> None:
    """An officer corrects a recorded result (a mistake, an upheld explanation).

    The correction is a new row with the old and new results and the reason; the finding
    shows the corrected result. A failure corrected away withdraws its open action; a new
    failure opens one. The visit's compliance is recomputed and its points replaced (the
    old credit reversed, the new one recorded under the correction).

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such finding.
        Invalid: a bad result or no reason.
        Conflict: the result is already that.
    """
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    finding = session.get(models.Finding, int(finding_id))
    if finding is None:
        raise NotFound("This finding does not exist.")
    if result not in rules.RESULTS:
        raise Invalid("Choose pass, fail or not applicable.", {"result": N_("Required")})
    why = rules.check_text(reason, field="reason", most=rules.REASON_MAX, what=N_("reason"))
    if finding.result == result:
        raise Conflict("The result is already that.")
    correction = models.Correction(finding_id=finding.id, old_result=finding.result, new_result=result, reason=why,
                                   created_at=now, created_by=actor.account_id)
    session.add(correction)
    finding.result = result
    session.add(finding)
    session.flush()
    visit = session.get(models.Visit, finding.visit_id)
    action = session.exec(select(models.Action).where(models.Action.finding_id == finding.id)).first()
    if result == rules.FAIL and action is None:
        session.add(models.Action(finding_id=finding.id, unit_id=finding.unit_id,
                                  unit_path=session.get(Unit, finding.unit_id).path, person_id=finding.person_id,
                                  due_on=rules.action_due(today_of(now), visit.action_days), created_at=now))
    elif result != rules.FAIL and action is not None and action.status == rules.OPEN:
        action.status = rules.VOID
        session.add(action)
    visit.compliance = rules.compliance(session.exec(select(models.Finding.result)
                                                     .where(models.Finding.visit_id == visit.id)))
    session.add(visit)
    session.flush()
    scoring.reverse_points(session, source=Source.INSPECTION, source_ref=f"visit:{visit.id}", reason=why,
                           now=now, actor=actor)
    for earlier in session.exec(select(models.Correction.id).where(
            models.Correction.finding_id.in_(select(models.Finding.id).where(models.Finding.visit_id == visit.id)),
            models.Correction.id != correction.id)):
        scoring.reverse_points(session, source=Source.INSPECTION, source_ref=f"visit:{visit.id}:c{earlier}",
                               reason=why, now=now, actor=actor)
    _credit_unit(session, visit=visit, now=now, ref=f"visit:{visit.id}:c{correction.id}")
    audit.record(session, actor=actor, action="supervision.finding.correct", entity="supervision_finding",
                 entity_id=finding.id, now=now, old=correction.old_result, new=result, reason=why)
    session.flush()


# --- reminders (the scheduler) ---------------------------------------------------------------------


def remind_action(session: Session, *, action: models.Action, stage: str, now: datetime) -> int:
    """Tell whoever an open action's stage concerns: the person and the unit's heads while due or
    overdue, the emulation officers once escalated. Once per (recipient, action, stage).

    Returns:
        How many messages were written.
    """
    finding = session.get(models.Finding, action.finding_id)
    unit = session.get(Unit, action.unit_id)
    due = formats.day(action.due_on)
    if stage == rules.ESCALATE:
        recipients = queries.officers(session)
        title = N_("Corrective action overdue at {unit}: {item}", unit=unit.name, item=finding.item_text)
        body = N_("Due {day} and still open after several reminders.", day=due)
    else:
        recipients = sorted({*queries.heads_of(session, unit.path), *([action.person_id] if action.person_id else [])})
        title = N_("Corrective action due {day}: {item}", day=due, item=finding.item_text)
        body = N_("From the spot check at {unit}. The unit head confirms it when it is done.", unit=unit.name)
    written = 0
    for person_id in recipients:
        written += notify.notify(session, person_id=person_id, category=CATEGORY, kind="supervision.action.reminder",
                                 subject_ref=f"action:{action.id}", period=stage, title=title, body=body,
                                 link=routes.SUPERVISION, now=now, mandatory=stage == rules.ESCALATE)
    return written
