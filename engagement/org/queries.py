"""Reads for the organisation pages. Each one filters to what the actor may see."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, and_, func, or_, select

from engagement.core import formats
from engagement.core.access import ROLE_NAMES, Actor, Perm, Reach, Role, can, reach, require, role_label
from engagement.core.audit import AuditEntry
from engagement.core.errors import NotFound
from engagement.core.i18n import _
from engagement.org import labels, models, rules
from engagement.org.dto import (
    AccountInfo,
    AuditPage,
    AuditRow,
    BranchRow,
    GrantRow,
    GroupRow,
    PeoplePage,
    PersonRow,
    Profile,
    UnitEventRow,
    UnitRow,
)
from engagement.settings import get_settings

MAX_PAGE_SIZE = 100


def unit_tree(session: Session, *, actor: Actor | None, include_inactive: bool = True) -> list[UnitRow]:
    """All units in tree order (parents before children, siblings by name), with head counts."""
    require(actor, Perm.VIEW_ORG)
    counts = dict(session.exec(
        select(models.Person.unit_id, func.count()).where(models.Person.is_active.is_(True))
        .group_by(models.Person.unit_id)
    ).all())
    group_names: dict[int, list[str]] = {}
    for unit_id, name in session.exec(
            select(models.UnitGroupMember.unit_id, models.UnitGroup.name)
            .join(models.UnitGroup, models.UnitGroup.id == models.UnitGroupMember.group_id)):
        group_names.setdefault(unit_id, []).append(name)
    stmt = select(models.Unit)
    if not include_inactive:
        stmt = stmt.where(models.Unit.is_active.is_(True))
    units = list(session.exec(stmt))
    children: dict[int | None, list[models.Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[UnitRow] = []
    known = {u.id for u in units}

    def walk(parent_id: int | None) -> None:
        for unit in sorted(children.get(parent_id, []), key=lambda u: rules.fold(u.name)):
            ordered.append(UnitRow(
                id=unit.id, name=unit.name, code=unit.code, kind=unit.kind,
                parent_id=unit.parent_id, depth=unit.depth, path=unit.path,
                is_active=unit.is_active, people=counts.get(unit.id, 0),
                groups=", ".join(sorted(group_names.get(unit.id, []))),
            ))
            walk(unit.id)

    walk(None)
    # Units whose parent is filtered out (inactive parent) still appear, at the end.
    for parent_id in [p for p in children if p is not None and p not in known]:
        walk(parent_id)
    return ordered


def unit_history(session: Session, *, actor: Actor | None, unit_id: int) -> list[UnitEventRow]:
    """A unit's history, newest first."""
    require(actor, Perm.VIEW_ORG)
    events = session.exec(
        select(models.UnitEvent).where(models.UnitEvent.unit_id == unit_id)
        .order_by(models.UnitEvent.at.desc(), models.UnitEvent.id.desc())
    )
    return [UnitEventRow(at=formats.moment(e.at), kind=e.kind, old_value=_shown_value(e.old_value),
                         new_value=_shown_value(e.new_value))
            for e in events]


def _shown_value(value: str) -> str:
    """A value of a unit's history as the reader sees it ("(top level)" translated)."""
    return labels.TOP_LEVEL_LABEL.render() if value == labels.TOP_LEVEL else value


def groups(session: Session, *, actor: Actor | None) -> list[GroupRow]:
    """Unit groups with their members."""
    require(actor, Perm.VIEW_ORG)
    members: dict[int, list[tuple[int, str]]] = {}
    for group_id, unit_id, name in session.exec(
            select(models.UnitGroupMember.group_id, models.Unit.id, models.Unit.name)
            .join(models.Unit, models.Unit.id == models.UnitGroupMember.unit_id)):
        members.setdefault(group_id, []).append((unit_id, name))
    rows = []
    for group in session.exec(select(models.UnitGroup).order_by(models.UnitGroup.name)):
        units = sorted(members.get(group.id, []), key=lambda m: rules.fold(m[1]))
        rows.append(GroupRow(id=group.id, name=group.name, description=group.description,
                             unit_ids=[u for u, _ in units],
                             unit_names=", ".join(n for _, n in units)))
    return rows


def branches(session: Session, *, actor: Actor | None) -> list[BranchRow]:
    """Active union and youth-union branches."""
    require(actor, Perm.VIEW_ORG)
    stmt = (select(models.Branch).where(models.Branch.is_active.is_(True))
            .order_by(models.Branch.kind, models.Branch.name))
    return [BranchRow(id=b.id, kind=b.kind, code=b.code, name=b.name, unit_id=b.unit_id)
            for b in session.exec(stmt)]


def _people_filter(where: Reach) -> sa.ColumnElement[bool] | None:
    if where.org:
        return None
    clauses = [models.Unit.path.startswith(p) for p in where.unit_paths]
    clauses += [models.Person.union_branch_id.in_(where.branch_ids),
                models.Person.youth_branch_id.in_(where.branch_ids)] if where.branch_ids else []
    return or_(*clauses) if clauses else sa.false()


def search_people(
    session: Session, *, actor: Actor | None, text: str = "", unit_id: int | None = None,
    include_sub_units: bool = True, include_inactive: bool = False, page: int = 1,
    page_size: int = 25,
) -> PeoplePage:
    """A page of people the actor may see, matching ``text`` (name without accents, code,
    e-mail), optionally within a unit (and its sub-units)."""
    require(actor, Perm.VIEW_PEOPLE)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    conditions: list[sa.ColumnElement[bool]] = []
    scope = _people_filter(reach(actor, Perm.VIEW_PEOPLE))
    if scope is not None:
        conditions.append(scope)
    if not include_inactive:
        conditions.append(models.Person.is_active.is_(True))
    needle = rules.fold(text)[:60]
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(or_(
            models.Person.name_key.like(f"%{escaped}%", escape="\\"),
            func.lower(models.Person.employee_code).like(f"%{escaped}%", escape="\\"),
            models.Person.email.like(f"%{escaped}%", escape="\\"),
        ))
    if unit_id:
        unit = session.get(models.Unit, unit_id)
        if unit is None:
            raise NotFound("That unit does not exist.")
        conditions.append(models.Unit.path.startswith(unit.path) if include_sub_units
                          else models.Person.unit_id == unit.id)
    base = select(models.Person.id).join(models.Unit, models.Unit.id == models.Person.unit_id).where(*conditions)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    parent = labels.shown_parent()
    # Colleagues of the searcher's own unit come first; every unit is named with its parent.
    stmt = (
        select(models.Person, models.Unit.name, models.Account.username, parent.name)
        .join(models.Unit, models.Unit.id == models.Person.unit_id)
        .outerjoin(parent, labels.shown_parent_on(parent, models.Unit))
        .join(models.Account, models.Account.person_id == models.Person.id, isouter=True)
        .where(*conditions)
        .order_by(sa.case((models.Person.unit_id == actor.unit_id, 0), else_=1), models.Person.sort_key,
                  models.Person.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [_person_row(p, labels.unit_label(unit_name, parent_name), username)
            for p, unit_name, username, parent_name in session.exec(stmt)]
    return PeoplePage(rows=rows, total=total, page=page, page_size=page_size)


def _person_row(p: models.Person, unit_name: str, username: str | None) -> PersonRow:
    return PersonRow(
        id=p.id, employee_code=p.employee_code, full_name=p.full_name, position=p.position,
        unit_id=p.unit_id, unit_name=unit_name, email=p.email or "", phone=p.phone or "",
        is_active=p.is_active, has_account=username is not None, username=username or "",
        union_branch_id=p.union_branch_id or 0, youth_branch_id=p.youth_branch_id or 0,
        gender=p.gender or "", birth_date=p.birth_date.isoformat() if p.birth_date else "", rank=p.rank or "",
        recruited_on=p.recruited_on.isoformat() if p.recruited_on else "",
    )


def person(session: Session, *, actor: Actor | None, person_id: int) -> PersonRow:
    """One person, when the actor may see them.

    Raises:
        NotFound: unknown or outside the actor's reach (the same message, on purpose).
    """
    require(actor, Perm.VIEW_PEOPLE)
    row = session.exec(
        select(models.Person, models.Unit, models.Account.username)
        .join(models.Unit, models.Unit.id == models.Person.unit_id)
        .join(models.Account, models.Account.person_id == models.Person.id, isouter=True)
        .where(models.Person.id == person_id)
    ).first()
    if row is None:
        raise NotFound("That person does not exist.")
    p, unit, username = row
    branch_ids = [b for b in (p.union_branch_id, p.youth_branch_id) if b]
    if not (can(actor, Perm.VIEW_PEOPLE, unit_path=unit.path)
            or any(can(actor, Perm.VIEW_PEOPLE, branch_id=b) for b in branch_ids)):
        raise NotFound("That person does not exist.")
    return _person_row(p, unit.name, username)


def account_info(session: Session, *, actor: Actor | None, person_id: int) -> AccountInfo | None:
    """The account of a person and its roles (admins only); None when there is none."""
    require(actor, Perm.MANAGE_ACCOUNTS)
    account = session.exec(select(models.Account).where(models.Account.person_id == person_id)).first()
    if account is None:
        return None
    grants = []
    for grant, unit_name, branch_name in session.exec(
            select(models.RoleGrant, models.Unit.name, models.Branch.name)
            .join(models.Unit, models.Unit.id == models.RoleGrant.unit_id, isouter=True)
            .join(models.Branch, models.Branch.id == models.RoleGrant.branch_id, isouter=True)
            .where(models.RoleGrant.account_id == account.id, models.RoleGrant.revoked_at.is_(None))
            .order_by(models.RoleGrant.id)):
        role = Role(grant.role)
        grants.append(GrantRow(id=grant.id, role=role.value, role_label=role_label(role),
                               scope=unit_name or branch_name or _("Whole organisation")))
    return AccountInfo(id=account.id, username=account.username, is_active=account.is_active,
                       must_change_password=account.must_change_password,
                       last_login=formats.moment(account.last_login_at), grants=grants)


def _trail(session: Session, unit: models.Unit) -> str:
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    names = dict(session.exec(select(models.Unit.id, models.Unit.name).where(models.Unit.id.in_(ids))).all())
    return " › ".join(names.get(i, "?") for i in ids)


def profile(session: Session, *, actor: Actor | None) -> Profile:
    """What the logged-in person sees about themselves."""
    require(actor, Perm.VIEW_ORG)
    p = session.get(models.Person, actor.person_id)
    unit = session.get(models.Unit, p.unit_id)
    branch_names = dict(session.exec(select(models.Branch.id, models.Branch.name).where(
        models.Branch.id.in_([b for b in (p.union_branch_id, p.youth_branch_id) if b]))).all())
    role_names = []
    for grant in actor.grants:
        label = role_label(grant.role)
        if grant.unit_id:
            unit_name = session.get(models.Unit, grant.unit_id).name
            label = _("{role} — {unit}", role=label, unit=unit_name)
        elif grant.branch_id:
            branch = session.get(models.Branch, grant.branch_id)
            label = _("{role} — {unit}", role=label, unit=branch.name if branch else "")
        role_names.append(label)
    return Profile(
        full_name=p.full_name, employee_code=p.employee_code, position=p.position,
        unit_name=unit.name, unit_trail=_trail(session, unit), email=p.email or "",
        phone=p.phone or "", username=actor.username,
        roles=[role_label(Role.STAFF), *role_names],
        union_branch=branch_names.get(p.union_branch_id, "") if p.union_branch_id else "",
        youth_branch=branch_names.get(p.youth_branch_id, "") if p.youth_branch_id else "",
    )


#: An audit log page counts at most this many matching entries ("more than 10,000: narrow the
#: filters"): a COUNT over a million rows, and OFFSETs deep into them, cost more than any reader needs.
AUDIT_COUNT_CAP = 10_000
#: A person filter matches at most this many people (by name or employee code).
AUDIT_PERSON_MATCHES = 50


def _audit_person_clause(session: Session, text: str) -> sa.ColumnElement[bool]:
    """Entries done by, or about, the people whose name (accents optional) or employee code matches."""
    needle = rules.fold(text)[:60]
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    people = session.exec(
        select(models.Person.id, models.Account.id)
        .join(models.Account, models.Account.person_id == models.Person.id, isouter=True)
        .where(or_(func.lower(models.Person.employee_code) == needle,
                   models.Person.name_key.like(f"%{escaped}%", escape="\\")))
        .order_by(models.Person.sort_key, models.Person.id).limit(AUDIT_PERSON_MATCHES)).all()
    person_ids = [str(pid) for pid, _ in people]
    account_ids = [aid for _, aid in people if aid is not None]
    if not person_ids:
        return sa.false()
    clauses = [and_(AuditEntry.entity == "person", AuditEntry.entity_id.in_(person_ids))]
    if account_ids:
        clauses += [AuditEntry.actor_account_id.in_(account_ids),
                    and_(AuditEntry.entity == "account", AuditEntry.entity_id.in_([str(a) for a in account_ids]))]
    return or_(*clauses)


def _local_midnight(day: date) -> datetime:
    """The start of ``day`` in the organisation's zone, as aware UTC (how ``at`` is stored)."""
    return datetime.combine(day, time(0), tzinfo=get_settings().tz).astimezone(UTC)


def _record_names(session: Session, entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """Readable names of the records a page of entries names, a few statements for the whole page."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.entity_id.isdigit():
            wanted.setdefault(e.entity, set()).add(int(e.entity_id))
    names: dict[tuple[str, str], str] = {}
    if wanted.get("person"):
        for pid, name in session.exec(select(models.Person.id, models.Person.full_name)
                                      .where(models.Person.id.in_(sorted(wanted["person"])))):
            names[("person", str(pid))] = name
    if wanted.get("account"):
        for aid, username, name in session.exec(
                select(models.Account.id, models.Account.username, models.Person.full_name)
                .join(models.Person, models.Person.id == models.Account.person_id)
                .where(models.Account.id.in_(sorted(wanted["account"])))):
            names[("account", str(aid))] = f"{name} ({username})"
    if wanted.get("unit"):
        for uid, shown in labels.unit_labels(session, wanted["unit"]).items():
            names[("unit", str(uid))] = shown
    for entity, table in (("unit_group", models.UnitGroup), ("branch", models.Branch)):
        if wanted.get(entity):
            for rid, name in session.exec(select(table.id, table.name).where(table.id.in_(sorted(wanted[entity])))):
                names[(entity, str(rid))] = name
    return names


def _audit_value_labels() -> dict[str, dict[str, object]]:
    return {**labels.AUDIT_VALUE_LABELS, "role": {role.value: name for role, name in ROLE_NAMES.items()}}


def audit_changes(detail: str) -> list[str]:
    """An entry's stored detail (JSON) as lines in words; text that is not JSON is shown as it is."""
    try:
        decoded = json.loads(detail or "{}")
    except ValueError:
        return [detail[:1000]]
    return rules.change_lines(decoded, field_labels=labels.PERSON_FIELD_LABELS,
                              value_labels=_audit_value_labels())


def audit_log(
    session: Session, *, actor: Actor | None, page: int = 1, page_size: int = 50, action_prefix: str = "",
    action: str = "", entity: str = "", person: str = "", date_from: date | None = None,
    date_to: date | None = None,
) -> AuditPage:
    """A page of the audit log in words, newest first, with the filters given.

    Args:
        action_prefix: actions starting with it (``account.``); action: exactly this action.
        entity: the kind of record (``person``, ``unit``...).
        person: a name (accents optional) or employee code: entries the matching people did, or
            that concern their person record or account.
        date_from, date_to: calendar days in the organisation's zone, both included.

    Returns:
        The page; ``total`` counts at most ``AUDIT_COUNT_CAP`` entries (``capped`` says so).

    Raises:
        NotAllowed: the actor may not read the audit log.
    """
    require(actor, Perm.VIEW_AUDIT)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    conditions: list[sa.ColumnElement[bool]] = []
    if action_prefix.strip():
        conditions.append(AuditEntry.action.startswith(action_prefix.strip()[:80]))
    if action.strip():
        conditions.append(AuditEntry.action == action.strip()[:80])
    if entity.strip():
        conditions.append(AuditEntry.entity == entity.strip()[:80])
    if person.strip():
        conditions.append(_audit_person_clause(session, person))
    if date_from is not None:
        conditions.append(AuditEntry.at >= _local_midnight(date_from))
    if date_to is not None:
        conditions.append(AuditEntry.at < _local_midnight(date_to + timedelta(days=1)))
    counted = session.exec(select(func.count()).select_from(
        select(AuditEntry.id).where(*conditions).limit(AUDIT_COUNT_CAP + 1).subquery())).one()
    capped = counted > AUDIT_COUNT_CAP
    total = min(counted, AUDIT_COUNT_CAP)
    page = min(page, max(1, -(-total // page_size)))
    entries = list(session.exec(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc())
                                .offset((page - 1) * page_size).limit(page_size)))
    names = _record_names(session, entries)
    rows = [AuditRow(id=e.id, at=formats.moment(e.at), actor=e.actor_name or _("system"), action=e.action,
                     entity=e.entity, entity_id=e.entity_id, detail=e.detail,
                     action_label=labels.label(labels.AUDIT_ACTION_LABELS, e.action),
                     entity_label=labels.label(labels.AUDIT_ENTITY_LABELS, e.entity),
                     record=names.get((e.entity, e.entity_id), ""), changes=audit_changes(e.detail))
            for e in entries]
    return AuditPage(rows=rows, total=total, page=page, page_size=page_size, capped=capped)
