"""Reads of the register of good models: the register, one model, a unit's work, reminders, figures.

Published models are open to everyone logged in; a model on its way (proposed, returned,
recognised) only to officers and to the heads of the proposing unit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.commendations import queries as commendation_queries
from engagement.core import formats
from engagement.core.access import Actor, Perm, Role, can, reach, require, require_login
from engagement.core.errors import NotFound
from engagement.core.files import StoredFile
from engagement.good_models import models, rules
from engagement.good_models.dto import (
    AdoptionRow,
    DueReport,
    FileRow,
    ModelDetail,
    ModelPage,
    ModelRow,
    ResultRow,
    UnitView,
)
from engagement.org import labels
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.settings import get_settings

PAGE_SIZE = 20
FILES_PREFIX = "/files"


def _figure(value: float) -> str:
    return formats.number(value, 0 if float(value).is_integer() else 2)


def _change(before: float, after: float, measure: str) -> str:
    delta, percent = rules.effect(before, after)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    text = f"{sign}{_figure(abs(delta))}{' ' + measure if measure else ''}"
    if percent is not None:
        text += f" ({'+' if percent > 0 else ('−' if percent < 0 else '±')}{formats.number(abs(percent), 0)}%)"
    return text


def _result_row(r: models.GoodModelResult, where: str = "") -> ResultRow:
    return ResultRow(indicator=r.indicator, before=_figure(r.value_before), after=_figure(r.value_after),
                     measure=r.measure, change=_change(r.value_before, r.value_after, r.measure), where=where)


def _decision(m: models.GoodModel) -> str:
    if not m.decision_ref:
        return ""
    return f"{m.decision_ref}, {formats.day(m.decided_on)}" if m.decided_on else m.decision_ref


def _rows(session: Session, found: list[tuple[models.GoodModel, str]]) -> list[ModelRow]:
    ids = [m.id for m, _name in found]
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if ids:
        for model_id, status, n in session.exec(
                select(models.GoodModelAdoption.model_id, models.GoodModelAdoption.status, func.count())
                .where(models.GoodModelAdoption.model_id.in_(ids))
                .group_by(models.GoodModelAdoption.model_id, models.GoodModelAdoption.status)):
            counts[model_id][0] += n
            if status == rules.REPORTED:
                counts[model_id][1] += n
    out = []
    shown = labels.unit_labels(session, {m.unit_id for m, _u in found})  # a unit with its parent
    for m, unit_name in found:
        unit_name = shown.get(m.unit_id, unit_name)
        summary = m.summary if len(m.summary) <= 240 else m.summary[:237].rstrip() + "…"
        out.append(ModelRow(id=m.id, title=m.title, year=m.year, unit_name=unit_name, field=m.field,
                            field_label=rules.FIELDS[m.field].render(), status=m.status,
                            status_label=rules.STATUS_LABELS[m.status].render(), summary=summary,
                            decision=_decision(m), adoptions=counts[m.id][0], reported=counts[m.id][1],
                            return_reason=m.return_reason if m.status == rules.RETURNED else ""))
    return out


def _escaped(needle: str) -> str:
    return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def register(session: Session, *, actor: Actor | None, text: str = "", year: int | None = None,
             unit_id: int | None = None, field: str = "", page: int = 1) -> ModelPage:
    """A page of the published register, newest first, matching ``text`` without regard to accents
    or case (title, description, unit), optionally of one year, unit (with its sub-units) and field.

    Raises:
        NotAllowed: not logged in.
        NotFound: the unit does not exist.
    """
    require_login(actor)
    where: list[sa.ColumnElement[bool]] = [models.GoodModel.status == rules.PUBLISHED]
    needle = rules.search_key(text.strip()[:80])
    if needle:
        where.append(models.GoodModel.search_key.like(f"%{_escaped(needle)}%", escape="\\"))
    if year:
        where.append(models.GoodModel.year == int(year))
    if field and field in rules.FIELDS:
        where.append(models.GoodModel.field == field)
    if unit_id:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        where.append(Unit.path.startswith(unit.path))
    base = select(models.GoodModel, Unit.name).join(Unit, Unit.id == models.GoodModel.unit_id).where(*where)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(page)), pages)
    found = list(session.exec(base.order_by(models.GoodModel.published_at.desc(), models.GoodModel.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all())
    return ModelPage(rows=_rows(session, found), total=total, page=page, pages=pages)


def register_years(session: Session, *, actor: Actor | None) -> list[int]:
    """The years the register holds published models of, newest first."""
    require_login(actor)
    return list(session.exec(select(models.GoodModel.year).where(models.GoodModel.status == rules.PUBLISHED)
                             .distinct().order_by(models.GoodModel.year.desc())))


def _may_see(actor: Actor | None, model: models.GoodModel, unit_path: str) -> bool:
    if actor is None:
        return False
    if model.status == rules.PUBLISHED:
        return True
    return can(actor, Perm.RECOGNISE_MODEL) or can(actor, Perm.PROPOSE_MODEL, unit_path=unit_path)


def _found(session: Session, actor: Actor | None, model_id: int) -> tuple[models.GoodModel, Unit]:
    require_login(actor)
    model = session.get(models.GoodModel, model_id)
    unit = session.get(Unit, model.unit_id) if model is not None else None
    if model is None or unit is None or not _may_see(actor, model, unit.path):
        raise NotFound("This model does not exist or is not published yet.")
    return model, unit


def _adoption_rows(session: Session, adoptions: list[tuple[models.GoodModelAdoption, str, str]],
                   today: date) -> tuple[list[AdoptionRow], list[ResultRow]]:
    ids = [a.id for a, _t, _u in adoptions]
    results: dict[int, list[models.GoodModelResult]] = defaultdict(list)
    if ids:
        for r in session.exec(select(models.GoodModelResult).where(models.GoodModelResult.adoption_id.in_(ids))
                              .order_by(models.GoodModelResult.adoption_id, models.GoodModelResult.position)):
            results[r.adoption_id].append(r)
    rows, replicated = [], []
    shown = labels.unit_labels(session, {a.unit_id for a, _t, _u in adoptions})
    for a, title, unit_name in adoptions:
        unit_name = shown.get(a.unit_id, unit_name)
        mine = results.get(a.id, [])
        replicated.extend(_result_row(r, unit_name) for r in mine)
        effects = "; ".join(f"{r.indicator}: {_figure(r.value_before)} → {_figure(r.value_after)} "
                            f"{_change(r.value_before, r.value_after, r.measure)}" for r in mine)
        rows.append(AdoptionRow(
            id=a.id, model_id=a.model_id, model_title=title, unit_name=unit_name, starts_on=formats.day(a.starts_on),
            due_on=formats.day(a.due_on), months=a.months, plan=a.plan, status=a.status,
            status_label=rules.ADOPTION_LABELS[a.status].render(), report=a.report, effects=effects,
            is_due=rules.report_due(due_on=a.due_on, today=today, status=a.status)))
    return rows, replicated


def _adoptions_stmt():
    return (select(models.GoodModelAdoption, models.GoodModel.title, Unit.name)
            .join(models.GoodModel, models.GoodModel.id == models.GoodModelAdoption.model_id)
            .join(Unit, Unit.id == models.GoodModelAdoption.unit_id))


def model_detail(session: Session, *, actor: Actor | None, model_id: int, today: date) -> ModelDetail:
    """One model with its results, files, decision and every unit replicating it, with their effects.

    Raises:
        NotAllowed: not logged in.
        NotFound: no such model, or one not published that the actor may not see.
    """
    model, unit = _found(session, actor, model_id)
    (row,) = _rows(session, [(model, unit.name)])
    results = [_result_row(r) for r in session.exec(
        select(models.GoodModelResult).where(models.GoodModelResult.model_id == model.id,
                                             models.GoodModelResult.adoption_id.is_(None))
        .order_by(models.GoodModelResult.position, models.GoodModelResult.id))]
    files = [FileRow(url=f"{FILES_PREFIX}/{fid}", name=name, is_image=ctype.startswith("image/"))
             for fid, name, ctype in session.exec(
                 select(StoredFile.id, StoredFile.filename, StoredFile.content_type)
                 .join(models.GoodModelFile, models.GoodModelFile.file_id == StoredFile.id)
                 .where(models.GoodModelFile.model_id == model.id).order_by(StoredFile.id))]
    adoptions, replicated = _adoption_rows(session, list(session.exec(
        _adoptions_stmt().where(models.GoodModelAdoption.model_id == model.id)
        .order_by(models.GoodModelAdoption.starts_on, models.GoodModelAdoption.id)).all()), today)
    initiative = commendation_queries.initiative_labels(session, [model.initiative_id or 0])
    award = commendation_queries.award_labels(session, [model.award_id or 0])
    return ModelDetail(
        row=row, summary=model.summary, evidence=model.evidence, return_reason=model.return_reason,
        initiative=initiative.get(model.initiative_id or 0, ""), award=award.get(model.award_id or 0, ""),
        results=results, files=files, adoptions=adoptions, replicated_results=replicated,
        may_recognise=can(actor, Perm.RECOGNISE_MODEL),
        may_adopt=model.status == rules.PUBLISHED and any(
            u_id != model.unit_id for u_id, _name in acting_units(session, actor=actor)))


def acting_units(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    """The active units the actor may propose, adopt and report for, in tree order."""
    if actor is None or not can(actor, Perm.PROPOSE_MODEL):
        return []
    where = reach(actor, Perm.PROPOSE_MODEL)
    stmt = select(Unit.id, Unit.name, Unit.depth).where(Unit.is_active.is_(True))
    if not where.org:
        stmt = stmt.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    return [(uid, ("\u2003" * depth) + name) for uid, name, depth in session.exec(stmt.order_by(Unit.path))]


def unit_view(session: Session, *, actor: Actor | None, unit_id: int, today: date) -> UnitView:
    """A unit's own proposals (every status) and its adoptions of other units' models.

    Raises:
        NotAllowed: the actor may not act for this unit.
        NotFound: the unit does not exist.
    """
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("This unit does not exist.")
    require(actor, Perm.PROPOSE_MODEL, unit_path=unit.path)
    proposals = _rows(session, list(session.exec(
        select(models.GoodModel, Unit.name).join(Unit, Unit.id == models.GoodModel.unit_id)
        .where(models.GoodModel.unit_id == unit.id)
        .order_by(models.GoodModel.year.desc(), models.GoodModel.id.desc()).limit(200)).all()))
    adoptions, _replicated = _adoption_rows(session, list(session.exec(
        _adoptions_stmt().where(models.GoodModelAdoption.unit_id == unit.id)
        .order_by(models.GoodModelAdoption.starts_on.desc(), models.GoodModelAdoption.id.desc()).limit(200)).all()),
        today)
    return UnitView(proposals=proposals, adoptions=adoptions)


def officer_queue(session: Session, *, actor: Actor | None, status: str = rules.PROPOSED) -> list[ModelRow]:
    """Models in one status (proposed by default), oldest first, for the officers.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.RECOGNISE_MODEL)
    status = status if status in rules.STATUS_LABELS else rules.PROPOSED
    order = models.GoodModel.id if status == rules.PROPOSED else models.GoodModel.id.desc()
    return _rows(session, list(session.exec(
        select(models.GoodModel, Unit.name).join(Unit, Unit.id == models.GoodModel.unit_id)
        .where(models.GoodModel.status == status).order_by(order).limit(200)).all()))


def link_options(session: Session, *, actor: Actor | None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(initiatives, unit awards) an officer may link a recognised model to.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.RECOGNISE_MODEL)
    return commendation_queries.recent_initiatives(session), commendation_queries.recent_unit_awards(session)


def may_see_file(session: Session, actor: Actor | None, file: StoredFile) -> bool:
    """The /files reader for good-model photos and documents: whoever may see the model."""
    if actor is None or file.purpose != rules.FILE_PURPOSE:
        return False
    found = session.exec(select(models.GoodModel, Unit.path)
                         .join(models.GoodModelFile, models.GoodModelFile.model_id == models.GoodModel.id)
                         .join(Unit, Unit.id == models.GoodModel.unit_id)
                         .where(models.GoodModelFile.file_id == file.id)).first()
    return found is not None and _may_see(actor, found[0], found[1])


def unit_heads(session: Session, unit_ids: set[int]) -> dict[int, list[int]]:
    """Unit -> the people who head it now (active accounts), for notices."""
    if not unit_ids:
        return {}
    out: dict[int, list[int]] = defaultdict(list)
    for unit_id, person_id in session.exec(
            select(RoleGrant.unit_id, Account.person_id).join(Account, Account.id == RoleGrant.account_id)
            .join(Person, Person.id == Account.person_id)
            .where(RoleGrant.role == Role.UNIT_HEAD.value, RoleGrant.revoked_at.is_(None),
                   RoleGrant.unit_id.in_(sorted(unit_ids)), Account.is_active.is_(True), Person.is_active.is_(True))
            .distinct().order_by(RoleGrant.unit_id, Account.person_id)):
        out[unit_id].append(person_id)
    return dict(out)


def due_reports(session: Session, *, today: date) -> list[DueReport]:
    """Adoptions whose report is due by ``today`` and not yet made, with the heads to remind."""
    found = list(session.exec(_adoptions_stmt().where(models.GoodModelAdoption.status == rules.ADOPTED,
                                                      models.GoodModelAdoption.due_on <= today)
                              .order_by(models.GoodModelAdoption.due_on, models.GoodModelAdoption.id)).all())
    heads = unit_heads(session, {a.unit_id for a, _t, _u in found})
    shown = labels.unit_labels(session, {a.unit_id for a, _t, _u in found})
    return [DueReport(adoption_id=a.id, model_title=title, unit_name=shown.get(a.unit_id, unit_name),
                      due_on=formats.day(a.due_on),
                      due_iso=a.due_on.isoformat(), person_ids=tuple(heads.get(a.unit_id, ())))
            for a, title, unit_name in found]


def period_summary(session: Session, *, start: date, end: date) -> dict[int, dict[str, int]]:
    """Per unit id, for the review report: models proposed, recognised (decided) and adoptions
    started and reported in [start, end]. Four grouped statements, whatever the number of units."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("proposed", "recognised", "adopted", "reported"), 0))
    m, a = models.GoodModel, models.GoodModelAdoption
    tz = get_settings().tz
    since = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    for unit_id, n in session.exec(select(m.unit_id, func.count()).where(m.created_at >= since, m.created_at < until)
                                   .group_by(m.unit_id)):
        out[unit_id]["proposed"] += n
    for unit_id, n in session.exec(select(m.unit_id, func.count()).where(
            m.decided_on >= start, m.decided_on <= end, m.status.in_([rules.RECOGNISED, rules.PUBLISHED]))
            .group_by(m.unit_id)):
        out[unit_id]["recognised"] += n
    for unit_id, n in session.exec(select(a.unit_id, func.count()).where(a.starts_on >= start, a.starts_on <= end)
                                   .group_by(a.unit_id)):
        out[unit_id]["adopted"] += n
    for unit_id, n in session.exec(select(a.unit_id, func.count()).where(
            a.reported_on >= start, a.reported_on <= end, a.status == rules.REPORTED).group_by(a.unit_id)):
        out[unit_id]["reported"] += n
    return dict(out)


def recognised_between(session: Session, *, start: date, end: date, limit: int = 60) -> list[ModelRow]:
    """Models recognised by a decision dated in [start, end], for the review report (newest first)."""
    return _rows(session, list(session.exec(
        select(models.GoodModel, Unit.name).join(Unit, Unit.id == models.GoodModel.unit_id)
        .where(models.GoodModel.decided_on >= start, models.GoodModel.decided_on <= end,
               models.GoodModel.status.in_([rules.RECOGNISED, rules.PUBLISHED]))
        .order_by(models.GoodModel.decided_on.desc(), models.GoodModel.id.desc()).limit(limit)).all()))
