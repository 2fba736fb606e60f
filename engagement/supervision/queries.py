"""Reads of conduct spot checks: checklists, plans, visits, findings, actions, trends, summaries.

A scheduled visit's date is known only to its team and the officers until it is recorded:
every read that lists visits filters on that. Findings and corrective actions exist only for
recorded visits; a person sees their own, a unit head those of the units they head.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.core import clock, export, formats
from engagement.core.access import Actor, Perm, can, reach, require, require_login
from engagement.core.clock import local_day
from engagement.core.errors import NotFound
from engagement.core.files import StoredFile
from engagement.core.i18n import N_, render
from engagement.org import labels
from engagement.org.models import Account, Membership, Person, RoleGrant, Unit
from engagement.settings import get_settings
from engagement.supervision import dto, models, rules

PAGE_SIZE = 25
#: The authorised file route (``ui/files.py``); photos and evidence are never public uploads.
FILES_PREFIX = "/files"


def file_url(file_id: int) -> str:
    """The URL of a stored file behind the authorised route."""
    return f"{FILES_PREFIX}/{int(file_id)}"


def today_of(now: datetime) -> date:
    """The organisation's calendar day at ``now``."""
    return local_day(now, get_settings().tz)


def midday(day: date) -> datetime:
    """Midday of ``day`` in the organisation's zone, as aware UTC (a visit's moment)."""
    return datetime.combine(day, time(12), tzinfo=get_settings().tz).astimezone(UTC)


def _today(today: date | None) -> date:
    """``today`` when a caller (a test, a job) gives it, else the organisation's day now (reads
    take no ``now``: a page's read asks the clock, as the edge does)."""
    return today if today is not None else today_of(clock.now())


# --- checklists ------------------------------------------------------------------------------


def checklist_items(row: models.Checklist) -> tuple[rules.Item, ...]:
    """The items of a checklist version."""
    return rules.decode_items(json.loads(row.items_json))


def latest_checklist(session: Session, family: str = rules.DEFAULT_FAMILY) -> models.Checklist | None:
    """The newest version of a checklist family."""
    return session.exec(select(models.Checklist).where(models.Checklist.family == family)
                        .order_by(models.Checklist.version.desc()).limit(1)).first()


def checklists(session: Session, *, actor: Actor | None) -> list[dto.ChecklistRow]:
    """Every published checklist version, newest first (officers)."""
    require(actor, Perm.MANAGE_SUPERVISION)
    rows = session.exec(select(models.Checklist).order_by(models.Checklist.family, models.Checklist.version.desc()))
    out, seen = [], set()
    for row in rows:
        out.append(dto.ChecklistRow(
            id=row.id, family=row.family, version=row.version, title=row.title,
            items=[dto.ChecklistItem(i.key, i.text, i.scope) for i in checklist_items(row)],
            published=formats.day(today_of(row.published_at)), is_latest=row.family not in seen))
        seen.add(row.family)
    return out


# --- people and units ------------------------------------------------------------------------


def members_at(session: Session, unit_id: int, moment: datetime) -> list[Person]:
    """The active people who belonged to ``unit_id`` at ``moment`` (membership history, else
    today's unit for someone without history), in name order."""
    in_unit = select(Membership.person_id).where(
        Membership.unit_id == unit_id, Membership.start_at <= moment,
        sa.or_(Membership.end_at.is_(None), Membership.end_at > moment))
    with_history = select(Membership.person_id)
    return list(session.exec(select(Person).where(
        Person.is_active.is_(True),
        sa.or_(Person.id.in_(in_unit), sa.and_(Person.unit_id == unit_id, Person.id.not_in(with_history))))
        .order_by(Person.sort_key, Person.id)))


def heads_of(session: Session, unit_path: str) -> list[int]:
    """The person ids of the unit heads nearest to a unit (its own head, else the next one up)."""
    rows = session.exec(select(Unit.path, Account.person_id)
                        .join(RoleGrant, RoleGrant.unit_id == Unit.id)
                        .join(Account, Account.id == RoleGrant.account_id)
                        .where(RoleGrant.role == "unit_head", RoleGrant.revoked_at.is_(None),
                               Account.is_active.is_(True))).all()
    covering = [(path, pid) for path, pid in rows if unit_path.startswith(path)]
    if not covering:
        return []
    deepest = max(len(path) for path, _ in covering)
    return sorted({pid for path, pid in covering if len(path) == deepest})


def officers(session: Session) -> list[int]:
    """The person ids of the emulation officers (who hear of escalated actions)."""
    return sorted(set(session.exec(select(Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id)
                                   .where(RoleGrant.role == "emulation_officer", RoleGrant.revoked_at.is_(None),
                                          Account.is_active.is_(True)))))


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all())


def _units(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Each unit's label, with its parent: the lists and trends tell eight "Văn phòng Sở" apart."""
    return labels.unit_labels(session, ids)


# --- plans and visits --------------------------------------------------------------------------


def plans(session: Session, *, actor: Actor | None) -> list[dto.PlanRow]:
    """Every plan, newest first, with its units, team and how far it got (officers)."""
    require(actor, Perm.MANAGE_SUPERVISION)
    rows = list(session.exec(select(models.Plan).order_by(models.Plan.starts_on.desc(), models.Plan.id.desc())))
    ids = [p.id for p in rows]
    if not ids:
        return []
    units = defaultdict(list)
    planned = session.exec(select(models.PlanUnit.plan_id, Unit.id).join(Unit, Unit.id == models.PlanUnit.unit_id)
                           .where(models.PlanUnit.plan_id.in_(ids)).order_by(Unit.path)).all()
    shown = _units(session, {unit_id for _p, unit_id in planned})
    for plan_id, unit_id in planned:
        units[plan_id].append(shown.get(unit_id, ""))
    team = defaultdict(list)
    for plan_id, name in session.exec(select(models.TeamMember.plan_id, Person.full_name)
                                      .join(Person, Person.id == models.TeamMember.person_id)
                                      .where(models.TeamMember.plan_id.in_(ids)).order_by(Person.sort_key)):
        team[plan_id].append(name)
    counts: dict[tuple[int, str], int] = {}
    for plan_id, status, n in session.exec(select(models.Visit.plan_id, models.Visit.status, func.count())
                                           .where(models.Visit.plan_id.in_(ids))
                                           .group_by(models.Visit.plan_id, models.Visit.status)):
        counts[(plan_id, status)] = n
    titles = dict(session.exec(select(models.Checklist.id, models.Checklist.title)).all())
    return [dto.PlanRow(
        id=p.id, name=p.name, period=f"{formats.day(p.starts_on)} – {formats.day(p.ends_on)}",
        checklist=titles.get(p.checklist_id, ""), visits_planned=p.visits_planned,
        visits_drawn=sum(counts.get((p.id, s), 0) for s in (rules.SCHEDULED, rules.RECORDED)),
        visits_recorded=counts.get((p.id, rules.RECORDED), 0), units=units[p.id], team=team[p.id],
        drawn=p.drawn_at is not None, cancelled=p.cancelled_at is not None) for p in rows]


def plans_to_draw(session: Session, *, today: date) -> list[int]:
    """Plans the scheduler should draw now: not cancelled, not drawn, and not over."""
    return list(session.exec(select(models.Plan.id).where(
        models.Plan.cancelled_at.is_(None), models.Plan.drawn_at.is_(None), models.Plan.ends_on > today)
        .order_by(models.Plan.id)))


def unit_histories(session: Session, unit_ids: list[int], *, today: date) -> list[rules.UnitHistory]:
    """What the draw knows of each unit: last visit (any plan, ad hoc too) and last year's results."""
    last = dict(session.exec(select(models.Visit.unit_id, func.max(models.Visit.scheduled_on))
                             .where(models.Visit.unit_id.in_(unit_ids), models.Visit.status != rules.CANCELLED)
                             .group_by(models.Visit.unit_id)).all())
    since = today - timedelta(days=rules.REPEAT_WINDOW_DAYS)
    results: dict[tuple[int, str], int] = {}
    for unit_id, result, n in session.exec(
            select(models.Finding.unit_id, models.Finding.result, func.count())
            .where(models.Finding.unit_id.in_(unit_ids), models.Finding.visited_on >= since)
            .group_by(models.Finding.unit_id, models.Finding.result)):
        results[(unit_id, result)] = n
    return [rules.UnitHistory(unit_id=u, last_visit=last.get(u),
                              checked=results.get((u, rules.PASS), 0) + results.get((u, rules.FAIL), 0),
                              failed=results.get((u, rules.FAIL), 0)) for u in sorted(unit_ids)]


def inspectors(session: Session, visit_id: int) -> set[int]:
    """The person ids who inspect a visit."""
    return set(session.exec(select(models.VisitInspector.person_id).where(models.VisitInspector.visit_id == visit_id)))


def _visit_rows(session: Session, visits: list[models.Visit], actor: Actor) -> list[dto.VisitRow]:
    units = _units(session, [v.unit_id for v in visits])
    team = defaultdict(list)
    if visits:
        for visit_id, name in session.exec(select(models.VisitInspector.visit_id, Person.full_name)
                                           .join(Person, Person.id == models.VisitInspector.person_id)
                                           .where(models.VisitInspector.visit_id.in_([v.id for v in visits]))
                                           .order_by(Person.sort_key)):
            team[visit_id].append(name)
    plan_names = dict(session.exec(select(models.Plan.id, models.Plan.name)).all())
    mine = set(session.exec(select(models.VisitInspector.visit_id).where(
        models.VisitInspector.person_id == actor.person_id))) if visits else set()
    return [dto.VisitRow(
        id=v.id, unit=units.get(v.unit_id, ""), day=formats.day(v.scheduled_on),
        iso_day=v.scheduled_on.isoformat(), status=v.status, status_label=render(rules.VISIT_STATUS_NAMES[v.status]),
        plan=plan_names.get(v.plan_id, "") if v.plan_id else render(N_("Ad-hoc visit")),
        team=", ".join(team[v.id]), compliance=f"{v.compliance}%" if v.compliance is not None else "",
        may_record=v.status == rules.SCHEDULED and v.id in mine and v.unit_id != actor.unit_id)
        for v in visits]


def all_visits(session: Session, *, actor: Actor | None, page: int = 1, status: str = "") -> dto.VisitPage:
    """Every visit, latest day first, paged (officers)."""
    actor = require(actor, Perm.MANAGE_SUPERVISION)
    query = select(models.Visit)
    if status in (rules.SCHEDULED, rules.RECORDED, rules.CANCELLED):
        query = query.where(models.Visit.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = max(1, int(page))
    rows = list(session.exec(query.order_by(models.Visit.scheduled_on.desc(), models.Visit.id.desc())
                             .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return dto.VisitPage(total=total, page=page, page_size=PAGE_SIZE, rows=_visit_rows(session, rows, actor))


def my_visits(session: Session, *, actor: Actor | None) -> list[dto.VisitRow]:
    """The visits the actor inspects that are still to record, and the last ten recorded."""
    actor = require_login(actor)
    ids = select(models.VisitInspector.visit_id).where(models.VisitInspector.person_id == actor.person_id)
    pending = list(session.exec(select(models.Visit).where(models.Visit.id.in_(ids),
                                                           models.Visit.status == rules.SCHEDULED)
                                .order_by(models.Visit.scheduled_on, models.Visit.id)))
    done = list(session.exec(select(models.Visit).where(models.Visit.id.in_(ids),
                                                        models.Visit.status == rules.RECORDED)
                             .order_by(models.Visit.scheduled_on.desc()).limit(10)))
    return _visit_rows(session, pending + done, actor)


def _visit_for_reader(session: Session, actor: Actor, visit_id: int) -> models.Visit:
    """The visit when the actor may see it: its team and officers always; a head of the unit
    and people of it only once it is recorded (the date stays unannounced until then)."""
    visit = session.get(models.Visit, int(visit_id))
    if visit is None:
        raise NotFound("This visit does not exist, or is not yours to see.")
    if can(actor, Perm.MANAGE_SUPERVISION) or actor.person_id in inspectors(session, visit.id):
        return visit
    unit = session.get(Unit, visit.unit_id)
    if visit.status == rules.RECORDED and can(actor, Perm.FOLLOW_SUPERVISION, unit_path=unit.path):
        return visit
    raise NotFound("This visit does not exist, or is not yours to see.")


def record_refusal(session: Session, actor: Actor, visit: models.Visit, today: date | None = None) -> str:
    """Why ``actor`` may not record ``visit`` now ("" when they may), in the reader's language."""
    if visit.status != rules.SCHEDULED:
        return render(N_("This visit has already been recorded or cancelled."))
    if actor.person_id not in inspectors(session, visit.id):
        return render(N_("Only the visit's inspection team can record it."))
    unit = session.get(Unit, visit.unit_id)
    if not can(actor, Perm.INSPECT, unit_path=unit.path):
        return render(N_("You can inspect only the units your role covers, and this one is outside them."))
    if own_unit(session, actor, visit):
        return render(N_("You work in this unit: another member of the team must inspect it."))
    if visit.scheduled_on > _today(today):
        return render(N_("This visit is planned for {day}; record it on that day.",
                         day=formats.day(visit.scheduled_on)))
    return ""


def own_unit(session: Session, actor: Actor, visit: models.Visit) -> bool:
    """Whether the actor belongs to the visited unit (today, or at the visit's moment)."""
    if actor.unit_id == visit.unit_id:
        return True
    return any(p.id == actor.person_id for p in members_at(session, visit.unit_id, midday(visit.scheduled_on)))


def visit_sheet(session: Session, *, actor: Actor | None, visit_id: int, today: date | None = None) -> dto.VisitSheet:
    """A visit with its checklist and the unit's people at the time (team, officers; the unit's
    heads once recorded).

    Raises:
        NotFound: no such visit, or not the reader's to see.
    """
    actor = require_login(actor)
    visit = _visit_for_reader(session, actor, visit_id)
    checklist = session.get(models.Checklist, visit.checklist_id)
    items = checklist_items(checklist)
    unit = session.get(Unit, visit.unit_id)
    members = [dto.Member(p.id, p.full_name, p.position)
               for p in members_at(session, unit.id, midday(visit.scheduled_on))]
    refusal = record_refusal(session, actor, visit, today)
    findings = _finding_rows(session, actor, list(session.exec(
        select(models.Finding).where(models.Finding.visit_id == visit.id).order_by(models.Finding.id))), today)
    return dto.VisitSheet(
        id=visit.id, unit_id=unit.id, unit=_units(session, [unit.id]).get(unit.id, unit.name),
        day=formats.day(visit.scheduled_on), status=visit.status,
        status_label=render(rules.VISIT_STATUS_NAMES[visit.status]), checklist=checklist.title,
        person_items=[dto.ChecklistItem(i.key, i.text, i.scope) for i in items if i.scope == rules.PERSON],
        unit_items=[dto.ChecklistItem(i.key, i.text, i.scope) for i in items if i.scope == rules.UNIT],
        members=members, may_record=refusal == "", refusal=refusal, findings=findings,
        may_correct=visit.status == rules.RECORDED and can(actor, Perm.MANAGE_SUPERVISION))


# --- findings and actions ------------------------------------------------------------------------


def _finding_rows(session: Session, actor: Actor, findings: list[models.Finding],
                  today: date | None = None) -> list[dto.FindingRow]:
    if not findings:
        return []
    ids = [f.id for f in findings]
    visits = {v.id: v for v in session.exec(select(models.Visit).where(
        models.Visit.id.in_({f.visit_id for f in findings})))}
    units = _units(session, {f.unit_id for f in findings})
    names = _names(session, {f.person_id for f in findings})
    responses = defaultdict(list)
    for finding_id, text in session.exec(select(models.Response.finding_id, models.Response.text)
                                         .where(models.Response.finding_id.in_(ids)).order_by(models.Response.id)):
        responses[finding_id].append(text)
    actions = {a.finding_id: a for a in session.exec(select(models.Action).where(models.Action.finding_id.in_(ids)))}
    today = _today(today)
    out = []
    for f in findings:
        visit = visits[f.visit_id]
        by = rules.respond_by(f.visited_on, visit.response_days)
        action = actions.get(f.id)
        out.append(dto.FindingRow(
            id=f.id, visit_id=f.visit_id, day=formats.day(f.visited_on),
            unit=units.get(f.unit_id, ""),
            subject=(names.get(f.person_id, "") if f.person_id
                     else units.get(f.unit_id, "")),
            person_id=f.person_id or 0, item=f.item_text, result=f.result,
            result_label=render(rules.RESULT_NAMES[f.result]), note=f.note, repeat=f.repeat,
            photo_url=file_url(f.photo_file_id) if f.photo_file_id else "", respond_by=formats.day(by),
            may_respond=f.person_id == actor.person_id and today <= by, responses=responses[f.id],
            action_id=action.id if action else 0, action_status=action.status if action else "",
            action_label=render(rules.ACTION_STATUS_NAMES[action.status]) if action else "",
            action_due=formats.day(action.due_on) if action else "",
            overdue=bool(action and action.status == rules.OPEN and action.due_on < today)))
    return out


def my_findings(session: Session, *, actor: Actor | None, limit: int = 100,
                today: date | None = None) -> list[dto.FindingRow]:
    """The findings about the actor (failures first, newest first)."""
    actor = require_login(actor)
    rows = list(session.exec(select(models.Finding).where(models.Finding.person_id == actor.person_id)
                             .order_by(models.Finding.visited_on.desc(), models.Finding.id).limit(limit)))
    rows.sort(key=lambda f: (f.result != rules.FAIL, -f.visited_on.toordinal()))
    return _finding_rows(session, actor, rows, today)


def unit_actions(session: Session, *, actor: Actor | None, status: str = rules.OPEN,
                 limit: int = 200, today: date | None = None) -> list[dto.ActionRow]:
    """The corrective actions of the units the actor follows (open ones by due date)."""
    actor = require(actor, Perm.FOLLOW_SUPERVISION)
    where = reach(actor, Perm.FOLLOW_SUPERVISION)
    query = select(models.Action, models.Finding).join(models.Finding, models.Finding.id == models.Action.finding_id)
    if not where.org:
        query = query.where(sa.or_(*[models.Action.unit_path.startswith(p) for p in where.unit_paths]))
    if status in (rules.OPEN, rules.DONE, rules.VOID):
        query = query.where(models.Action.status == status)
    rows = session.exec(query.order_by(models.Action.due_on, models.Action.id).limit(limit)).all()
    units = _units(session, {a.unit_id for a, _ in rows})
    names = _names(session, {a.person_id for a, _ in rows})
    today = _today(today)
    return [dto.ActionRow(
        id=a.id, unit=units.get(a.unit_id, ""),
        subject=names.get(a.person_id, "") if a.person_id else units.get(a.unit_id, ""),
        item=f.item_text, note=f.note, day=formats.day(f.visited_on), due=formats.day(a.due_on), status=a.status,
        status_label=render(rules.ACTION_STATUS_NAMES[a.status]), overdue=a.status == rules.OPEN and a.due_on < today,
        repeat=f.repeat, done_note=a.done_note, evidence_url=file_url(a.evidence_file_id) if a.evidence_file_id else "",
        may_confirm=a.status == rules.OPEN and a.person_id != actor.person_id) for a, f in rows]


def open_actions(session: Session) -> list[models.Action]:
    """Every open corrective action (the reminder job's worklist)."""
    return list(session.exec(select(models.Action).where(models.Action.status == rules.OPEN)
                             .order_by(models.Action.due_on, models.Action.id)))


def earlier_failures(session: Session, *, unit_id: int, before: date) -> dict[tuple[str, str], list[date]]:
    """(subject, item key) -> the days of failures in the year before ``before`` at a unit."""
    out: dict[tuple[str, str], list[date]] = defaultdict(list)
    for subject, key, day in session.exec(select(models.Finding.subject, models.Finding.item_key,
                                                 models.Finding.visited_on).where(
            models.Finding.unit_id == unit_id, models.Finding.result == rules.FAIL,
            models.Finding.visited_on >= before - timedelta(days=rules.REPEAT_WINDOW_DAYS),
            models.Finding.visited_on < before)):
        out[(subject, key)].append(day)
    return out


def may_see_photo(session: Session, actor: Actor | None, row: StoredFile) -> bool:
    """The /files reader of finding photos and action evidence: the person concerned, the visit's
    team, the unit's heads and officers."""
    if actor is None:
        return False
    finding = session.exec(select(models.Finding).where(sa.or_(
        models.Finding.photo_file_id == row.id,
        models.Finding.id.in_(select(models.Action.finding_id).where(models.Action.evidence_file_id == row.id)))
    )).first()
    if finding is None:
        return False
    if finding.person_id == actor.person_id or can(actor, Perm.MANAGE_SUPERVISION):
        return True
    if actor.person_id in inspectors(session, finding.visit_id):
        return True
    unit = session.get(Unit, finding.unit_id)
    return can(actor, Perm.FOLLOW_SUPERVISION, unit_path=unit.path)


# --- trends, summaries, evidence -------------------------------------------------------------------


def _year_findings(session: Session, first: date, last: date) -> list[tuple[models.Finding, int]]:
    return session.exec(select(models.Finding, models.Visit.id)
                        .join(models.Visit, models.Visit.id == models.Finding.visit_id)
                        .where(models.Visit.status == rules.RECORDED, models.Finding.visited_on >= first,
                               models.Finding.visited_on <= last)).all()


def trends(session: Session, *, actor: Actor | None, year: int, today: date | None = None) -> dto.Trends:
    """Compliance by month, by unit (lowest first: most in need) and by item (most failed first)."""
    require(actor, Perm.MANAGE_SUPERVISION)
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = _year_findings(session, first, last)
    by_month: dict[int, list[str]] = defaultdict(list)
    month_visits: dict[int, set[int]] = defaultdict(set)
    by_unit: dict[int, list[str]] = defaultdict(list)
    unit_visits: dict[int, set[int]] = defaultdict(set)
    by_item: dict[str, list[str]] = defaultdict(list)
    item_text: dict[str, str] = {}
    item_repeats: dict[str, int] = defaultdict(int)
    item_month: dict[tuple[int, str], list[str]] = defaultdict(list)
    unit_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    for f, visit_id in rows:
        m = f.visited_on.month
        by_month[m].append(f.result)
        month_visits[m].add(visit_id)
        by_unit[f.unit_id].append(f.result)
        unit_month[(m, f.unit_id)].append(f.result)
        unit_visits[f.unit_id].add(visit_id)
        by_item[f.item_key].append(f.result)
        item_text.setdefault(f.item_key, f.item_text)
        item_repeats[f.item_key] += f.repeat
        item_month[(m, f.item_key)].append(f.result)
    today = _today(today)
    open_by_unit: dict[int, int] = defaultdict(int)
    overdue_by_unit: dict[int, int] = defaultdict(int)
    for a in open_actions(session):
        open_by_unit[a.unit_id] += 1
        overdue_by_unit[a.unit_id] += a.due_on < today
    units = _units(session, set(by_unit) | set(open_by_unit))
    unit_rows = [dto.UnitTrend(
        unit_id=u, unit=units[u], visits=len(unit_visits[u]),
        checked=sum(r != rules.NA for r in by_unit[u]), passed=by_unit[u].count(rules.PASS),
        failed=by_unit[u].count(rules.FAIL), compliance=rules.compliance(by_unit[u]),
        open_actions=open_by_unit[u], overdue_actions=overdue_by_unit[u]) for u in units]
    unit_rows.sort(key=lambda r: (r.compliance if r.compliance is not None else 101, -r.overdue_actions, r.unit))
    item_rows = [dto.ItemTrend(key=k, item=item_text[k], checked=sum(r != rules.NA for r in v),
                               failed=v.count(rules.FAIL), compliance=rules.compliance(v), repeats=item_repeats[k])
                 for k, v in by_item.items()]
    item_rows.sort(key=lambda r: (-r.failed, r.item))
    months = [dto.TrendPoint(month=f"{m:02d}/{year}", compliance=rules.compliance(by_month[m]),
                             visits=len(month_visits[m])) for m in range(1, 13)]
    def cells(per_month: dict, key: object) -> list[str]:
        return [f"{rate}%" if (rate := rules.compliance(per_month.get((m, key), ()))) is not None else ""
                for m in range(1, 13)]

    return dto.Trends(year=year, months=months, units=unit_rows, items=item_rows,
                      unit_months=[dto.MonthRow(name=r.unit, cells=cells(unit_month, r.unit_id)) for r in unit_rows],
                      item_months=[dto.MonthRow(name=r.item, cells=cells(item_month, r.key)) for r in item_rows])


def trends_xlsx(session: Session, *, actor: Actor | None, year: int) -> bytes:
    """The trends as a workbook: one sheet by unit (the items follow on the same sheet)."""
    data = trends(session, actor=actor, year=year)
    rows: list[list] = [[u.unit, u.visits, u.checked, u.passed, u.failed,
                         u.compliance if u.compliance is not None else "", u.open_actions, u.overdue_actions]
                        for u in data.units]
    rows.append([])
    rows.append([render(N_("Checklist item")), "", render(N_("Items checked")), "", render(N_("Failed")),
                 render(N_("Compliance (%)")), render(N_("Repeat failures")), ""])
    rows.extend([i.item, "", i.checked, "", i.failed, i.compliance if i.compliance is not None else "", i.repeats, ""]
                for i in data.items)
    return export.to_xlsx(N_("Spot checks {year}", year=year),
                          [N_("Unit"), N_("Visits"), N_("Items checked"), N_("Passed"), N_("Failed"),
                           N_("Compliance (%)"), N_("Open actions"), N_("Overdue actions")], rows)


def period_summary(session: Session, *, start: date, end: date) -> dict:
    """Per unit id, the spot checks of visits recorded for days from ``start`` to ``end``
    (inclusive): ``visits``, ``items_checked``, ``items_passed`` and the corrective actions
    ``actions_opened`` (of those visits), ``actions_closed`` (confirmed done in the period) and
    ``actions_overdue`` (still open past their due date at ``end``). No actor: the caller (the
    movement's review report) has authorised its reader.
    """
    out: dict[int, dict[str, int]] = defaultdict(lambda: {
        "visits": 0, "items_checked": 0, "items_passed": 0,
        "actions_opened": 0, "actions_closed": 0, "actions_overdue": 0})
    for unit_id, n in session.exec(select(models.Visit.unit_id, func.count()).where(
            models.Visit.status == rules.RECORDED, models.Visit.scheduled_on >= start,
            models.Visit.scheduled_on <= end).group_by(models.Visit.unit_id)):
        out[unit_id]["visits"] = n
    for unit_id, result, n in session.exec(select(models.Finding.unit_id, models.Finding.result, func.count()).where(
            models.Finding.visited_on >= start, models.Finding.visited_on <= end)
            .group_by(models.Finding.unit_id, models.Finding.result)):
        if result != rules.NA:
            out[unit_id]["items_checked"] += n
        if result == rules.PASS:
            out[unit_id]["items_passed"] += n
    opened = (select(models.Action.unit_id, func.count())
              .join(models.Finding, models.Finding.id == models.Action.finding_id)
              .where(models.Finding.visited_on >= start, models.Finding.visited_on <= end)
              .group_by(models.Action.unit_id))
    for unit_id, n in session.exec(opened):
        out[unit_id]["actions_opened"] = n
    low, high = midday(start) - timedelta(hours=12), midday(end) + timedelta(hours=12)
    for unit_id, n in session.exec(select(models.Action.unit_id, func.count()).where(
            models.Action.status == rules.DONE, models.Action.done_at >= low, models.Action.done_at < high)
            .group_by(models.Action.unit_id)):
        out[unit_id]["actions_closed"] = n
    for unit_id, n in session.exec(select(models.Action.unit_id, func.count()).where(
            models.Action.due_on < end, models.Action.created_at < high,
            sa.or_(models.Action.status == rules.OPEN,
                   sa.and_(models.Action.status == rules.DONE, models.Action.done_at >= high)))
            .group_by(models.Action.unit_id)):
        out[unit_id]["actions_overdue"] = n
    return {unit_id: dict(values) for unit_id, values in out.items()}


def findings_in_year(session: Session, *, person_ids: list[int], year: int) -> dict[int, tuple[int, int, int]]:
    """Person id -> (items checked, failed, repeat failures) in ``year``, for the rating sheet."""
    ids = list(dict.fromkeys(person_ids))
    out: dict[int, list[int]] = {}
    for start in range(0, len(ids), 900):
        for person_id, result, repeat, n in session.exec(
                select(models.Finding.person_id, models.Finding.result, models.Finding.repeat, func.count()).where(
                    models.Finding.person_id.in_(ids[start:start + 900]),
                    models.Finding.visited_on >= date(year, 1, 1), models.Finding.visited_on <= date(year, 12, 31))
                .group_by(models.Finding.person_id, models.Finding.result, models.Finding.repeat)):
            counts = out.setdefault(person_id, [0, 0, 0])
            if result != rules.NA:
                counts[0] += n
            if result == rules.FAIL:
                counts[1] += n
                counts[2] += n if repeat else 0
    return {pid: (c[0], c[1], c[2]) for pid, c in out.items()}


# --- choices for the officers' forms ---------------------------------------------------------------


def team_candidates(session: Session, *, actor: Actor | None) -> list[dto.Member]:
    """The people who may sit on an inspection team (officers, unit heads, union officers)."""
    require(actor, Perm.MANAGE_SUPERVISION)
    roles = ("emulation_officer", "unit_head", "union_officer")
    rows = session.exec(select(Person).where(Person.is_active.is_(True), Person.id.in_(
        select(Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(Account.is_active.is_(True), RoleGrant.revoked_at.is_(None), RoleGrant.role.in_(roles))))
        .order_by(Person.sort_key, Person.id))
    return [dto.Member(p.id, p.full_name, p.position) for p in rows]


def unit_choices(session: Session, *, actor: Actor | None) -> list[dto.Member]:
    """Active units in tree order (``Member.position`` holds the unit's code), for the plan form."""
    require(actor, Perm.MANAGE_SUPERVISION)
    return [dto.Member(u.id, ("\u2003" * u.depth) + u.name, u.code)
            for u in session.exec(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.path))]


def unit_visits(session: Session, *, actor: Actor | None, limit: int = 20) -> list[dto.VisitRow]:
    """The recorded visits of the units the actor follows, latest first (never a scheduled one)."""
    actor = require(actor, Perm.FOLLOW_SUPERVISION)
    where = reach(actor, Perm.FOLLOW_SUPERVISION)
    query = (select(models.Visit).join(Unit, Unit.id == models.Visit.unit_id)
             .where(models.Visit.status == rules.RECORDED))
    if not where.org:
        query = query.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    rows = list(session.exec(query.order_by(models.Visit.scheduled_on.desc(), models.Visit.id.desc()).limit(limit)))
    return _visit_rows(session, rows, actor)


def hub(session: Session, *, actor: Actor | None, today: date | None = None) -> dto.Hub:
    """Everything the hub page shows its reader, in one read."""
    actor = require_login(actor)
    follow = can(actor, Perm.FOLLOW_SUPERVISION)
    return dto.Hub(findings=my_findings(session, actor=actor, today=today), visits=my_visits(session, actor=actor),
                   actions=unit_actions(session, actor=actor, today=today) if follow else [], can_follow=follow,
                   can_manage=can(actor, Perm.MANAGE_SUPERVISION),
                   unit_visits=unit_visits(session, actor=actor) if follow else [])
