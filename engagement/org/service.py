"""Use cases of the organisation feature: units, groups, people, accounts, roles, import.

Login, sessions and the throttled password check live in ``engagement.org.sessions``.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then
writes (with an audit entry) and flushes. The caller's ``unit_of_work`` commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.core import audit
from engagement.core.access import (
    ROLE_NEEDS_BRANCH,
    ROLE_NEEDS_UNIT,
    Actor,
    Perm,
    Role,
    reach,
    require,
)
from engagement.core.errors import Conflict, Invalid, NotFound
from engagement.core.i18n import N_, _
from engagement.core.security import hash_password, temporary_password
from engagement.org import labels, models, rules
from engagement.org.dto import ImportReport, NewAccount
from engagement.org.sessions import end_sessions, lift_throttle

UNIT_KINDS = ("province", "department", "commune", "office", "centre", "other")

# --- units ------------------------------------------------------------------------------------


def _unit(session: Session, unit_id: int | None) -> models.Unit:
    unit = session.get(models.Unit, unit_id) if unit_id else None
    if unit is None:
        raise NotFound("That unit does not exist (it may have been changed by someone else).")
    return unit


def _check_sibling_name(session: Session, parent_id: int | None, name: str, exclude: int | None) -> None:
    stmt = select(models.Unit.id, models.Unit.name).where(
        models.Unit.parent_id.is_(None) if parent_id is None else models.Unit.parent_id == parent_id,
        models.Unit.is_active.is_(True),
    )
    for other_id, other_name in session.exec(stmt):
        if other_id != exclude and rules.fold(other_name) == rules.fold(name):
            raise Conflict("Another unit at this level is already called “{name}”.", name=other_name)


def _unit_event(session: Session, unit: models.Unit, kind: str, old: str, new: str, actor: Actor,
                now: datetime) -> None:
    session.add(models.UnitEvent(unit_id=unit.id, at=now, kind=kind, old_value=old[:400],
                                 new_value=new[:400], actor_account_id=actor.account_id))
    audit.record(session, actor=actor, action=f"unit.{kind}", entity="unit", entity_id=unit.id,
                 now=now, old=old, new=new)


def create_unit(
    session: Session, *, actor: Actor | None, name: str, code: str, kind: str,
    parent_id: int | None, now: datetime,
) -> int:
    """Create a unit under ``parent_id`` (a root when None).

    Returns:
        The new unit's id.

    Raises:
        NotAllowed, NotFound, Invalid, Conflict.
    """
    require(actor, Perm.MANAGE_UNITS)
    name = rules.clean_unit_name(name)
    code = rules.clean_code(code, N_("unit code"))
    if kind not in UNIT_KINDS:
        raise Invalid("Choose a unit kind: {kinds}.", kinds=", ".join(UNIT_KINDS))
    parent = _unit(session, parent_id) if parent_id else None
    if parent is not None and not parent.is_active:
        raise Invalid("“{unit}” is deactivated; reactivate it before adding units under it.", unit=parent.name)
    if session.exec(select(models.Unit.id).where(models.Unit.code == code)).first() is not None:
        raise Conflict("Unit code {code} is already used; choose another code.", code=code)
    _check_sibling_name(session, parent_id, name, None)
    unit = models.Unit(name=name, code=code, kind=kind, parent_id=parent_id, created_at=now,
                       updated_at=now, depth=(parent.depth + 1) if parent else 0)
    session.add(unit)
    session.flush()
    unit.path = rules.child_path(parent.path if parent else None, unit.id)
    session.add(unit)
    _unit_event(session, unit, "created", "", f"{name} ({code})", actor, now)
    session.flush()
    return unit.id


def rename_unit(session: Session, *, actor: Actor | None, unit_id: int, name: str, now: datetime) -> None:
    """Rename a unit; the old name stays in its history.

    Raises:
        NotAllowed, NotFound, Invalid, Conflict.
    """
    require(actor, Perm.MANAGE_UNITS)
    unit = _unit(session, unit_id)
    name = rules.clean_unit_name(name)
    if name == unit.name:
        return
    _check_sibling_name(session, unit.parent_id, name, unit.id)
    old = unit.name
    unit.name = name
    unit.updated_at = now
    session.add(unit)
    _unit_event(session, unit, "renamed", old, name, actor, now)
    session.flush()


def move_unit(
    session: Session, *, actor: Actor | None, unit_id: int, new_parent_id: int | None, now: datetime
) -> None:
    """Move a unit (with its whole subtree) under another unit.

    Raises:
        NotAllowed, NotFound, Invalid (into its own subtree), Conflict (name clash).
    """
    require(actor, Perm.MANAGE_UNITS)
    unit = _unit(session, unit_id)
    new_parent = _unit(session, new_parent_id) if new_parent_id else None
    if (new_parent.id if new_parent else None) == unit.parent_id:
        return
    rules.check_move(unit.path, new_parent.path if new_parent else None)
    if new_parent is not None and not new_parent.is_active:
        raise Invalid("“{unit}” is deactivated; choose an active unit.", unit=new_parent.name)
    _check_sibling_name(session, new_parent_id, unit.name, unit.id)
    old_parent = session.get(models.Unit, unit.parent_id) if unit.parent_id else None
    old_prefix = unit.path
    new_prefix = rules.child_path(new_parent.path if new_parent else None, unit.id)
    depth_shift = ((new_parent.depth + 1) if new_parent else 0) - unit.depth
    for sub in session.exec(select(models.Unit).where(models.Unit.path.startswith(old_prefix))):
        sub.path = rules.rebase_path(sub.path, old_prefix, new_prefix)
        sub.depth += depth_shift
        sub.updated_at = now
        session.add(sub)
    unit.parent_id = new_parent.id if new_parent else None
    session.add(unit)
    # "(top level)" is stored as it always was; the history shows it translated.
    _unit_event(session, unit, "moved", old_parent.name if old_parent else labels.TOP_LEVEL,
                new_parent.name if new_parent else labels.TOP_LEVEL, actor, now)
    session.flush()


def set_unit_active(
    session: Session, *, actor: Actor | None, unit_id: int, active: bool, now: datetime
) -> None:
    """Deactivate (or reactivate) a unit. A unit with active people or sub-units stays.

    Raises:
        NotAllowed, NotFound, Conflict.
    """
    require(actor, Perm.MANAGE_UNITS)
    unit = _unit(session, unit_id)
    if unit.is_active == active:
        return
    if not active:
        subs = session.exec(select(func.count()).select_from(models.Unit).where(
            models.Unit.parent_id == unit.id, models.Unit.is_active.is_(True))).one()
        people = session.exec(select(func.count()).select_from(models.Person).where(
            models.Person.unit_id == unit.id, models.Person.is_active.is_(True))).one()
        if subs or people:
            raise Conflict(
                "“{unit}” still has {subs} active sub-unit(s) and {people} active person(s). "
                "Move or deactivate them first.", unit=unit.name, subs=subs, people=people,
            )
    else:
        parent = session.get(models.Unit, unit.parent_id) if unit.parent_id else None
        if parent is not None and not parent.is_active:
            raise Conflict("Reactivate “{unit}” first: it is the parent of this unit.", unit=parent.name)
        _check_sibling_name(session, unit.parent_id, unit.name, unit.id)
    unit.is_active = active
    unit.updated_at = now
    session.add(unit)
    _unit_event(session, unit, "reactivated" if active else "deactivated", "", "", actor, now)
    session.flush()


# --- unit groups --------------------------------------------------------------------------


def create_group(
    session: Session, *, actor: Actor | None, name: str, description: str, now: datetime
) -> int:
    """Create a peer cohort of units.

    Raises:
        NotAllowed, Invalid, Conflict.
    """
    require(actor, Perm.MANAGE_GROUPS)
    name = rules.clean_unit_name(name)
    description = rules.collapse(description)[:1000]
    existing = session.exec(select(models.UnitGroup.name)).all()
    if any(rules.fold(n) == rules.fold(name) for n in existing):
        raise Conflict("A group called “{name}” already exists.", name=name)
    group = models.UnitGroup(name=name, description=description, created_at=now)
    session.add(group)
    session.flush()
    audit.record(session, actor=actor, action="group.create", entity="unit_group",
                 entity_id=group.id, now=now, name=name)
    return group.id


def set_group_membership(
    session: Session, *, actor: Actor | None, group_id: int, unit_id: int, member: bool,
    now: datetime,
) -> None:
    """Add a unit to a group or remove it.

    Raises:
        NotAllowed, NotFound.
    """
    require(actor, Perm.MANAGE_GROUPS)
    group = session.get(models.UnitGroup, group_id)
    if group is None:
        raise NotFound("That unit group does not exist.")
    unit = _unit(session, unit_id)
    link = session.get(models.UnitGroupMember, (group_id, unit_id))
    if member and link is None:
        session.add(models.UnitGroupMember(group_id=group_id, unit_id=unit_id))
    elif not member and link is not None:
        session.delete(link)  # membership is configuration, not a record; the audit keeps it
    else:
        return
    audit.record(session, actor=actor, action="group.add_unit" if member else "group.remove_unit",
                 entity="unit_group", entity_id=group_id, now=now, unit=unit.name)
    session.flush()


# --- people --------------------------------------------------------------------------------


def _person(session: Session, person_id: int) -> models.Person:
    person = session.get(models.Person, person_id) if person_id else None
    if person is None:
        raise NotFound("That person does not exist.")
    return person


def _branch_id(session: Session, branch_id: int | None, kind: str) -> int | None:
    if not branch_id:
        return None
    branch = session.get(models.Branch, branch_id)
    if branch is None or branch.kind != kind or not branch.is_active:
        if kind == "union":
            raise Invalid("Choose an active union branch from the list.")
        raise Invalid("Choose an active youth-union branch from the list.")
    return branch.id


def _person_details(session: Session, *, position: str, email: str | None, phone: str | None,
                    union_branch_id: int | None, youth_branch_id: int | None) -> dict[str, str | int | None]:
    """A person's cleaned position, contact and branches, as ``Person`` fields, checked in form order.

    Raises:
        Invalid: a field is not valid, or a branch is not an active one of its kind.
    """
    return {
        "position": rules.clean_position(position),
        "email": rules.clean_email(email),
        "phone": rules.clean_phone(phone),
        "union_branch_id": _branch_id(session, union_branch_id, "union"),
        "youth_branch_id": _branch_id(session, youth_branch_id, "youth"),
    }


def create_person(
    session: Session, *, actor: Actor | None, employee_code: str, full_name: str, position: str,
    unit_id: int, email: str | None = None, phone: str | None = None,
    union_branch_id: int | None = None, youth_branch_id: int | None = None, now: datetime,
) -> int:
    """Create a staff record (no login account).

    Raises:
        NotAllowed: outside the actor's units. Invalid, Conflict, NotFound.
    """
    require(actor, Perm.MANAGE_PEOPLE)  # before any lookup: outsiders learn nothing about ids
    unit = _unit(session, unit_id)
    require(actor, Perm.MANAGE_PEOPLE, unit_path=unit.path)
    if not unit.is_active:
        raise Invalid("“{unit}” is deactivated; choose an active unit.", unit=unit.name)
    code = rules.clean_code(employee_code, N_("employee code"))
    name = rules.clean_full_name(full_name)
    if session.exec(select(models.Person.id).where(models.Person.employee_code == code)).first() is not None:
        raise Conflict("Employee code {code} already exists; search for that person instead.", code=code)
    details = _person_details(session, position=position, email=email, phone=phone,
                              union_branch_id=union_branch_id, youth_branch_id=youth_branch_id)
    person = models.Person(employee_code=code, full_name=name, name_key=rules.fold(name),
                           sort_key=rules.sort_key(name), unit_id=unit.id, created_at=now, updated_at=now,
                           **details)
    session.add(person)
    session.flush()
    session.add(models.Membership(person_id=person.id, unit_id=unit.id, start_at=now))
    audit.record(session, actor=actor, action="person.create", entity="person",
                 entity_id=person.id, now=now, name=name, unit=unit.name)
    session.flush()
    return person.id


def update_person(
    session: Session, *, actor: Actor | None, person_id: int, full_name: str, position: str,
    unit_id: int, email: str | None = None, phone: str | None = None,
    union_branch_id: int | None = None, youth_branch_id: int | None = None, now: datetime,
) -> None:
    """Edit a staff record; a change of unit closes the old membership and opens a new one.

    Raises:
        NotAllowed: the person or the new unit is outside the actor's units.
        Invalid, NotFound.
    """
    require(actor, Perm.MANAGE_PEOPLE)
    person = _person(session, person_id)
    old_unit = _unit(session, person.unit_id)
    require(actor, Perm.MANAGE_PEOPLE, unit_path=old_unit.path)
    new_unit = _unit(session, unit_id)
    require(actor, Perm.MANAGE_PEOPLE, unit_path=new_unit.path)
    if new_unit.id != old_unit.id and not new_unit.is_active:
        raise Invalid("“{unit}” is deactivated; choose an active unit.", unit=new_unit.name)
    before = {"name": person.full_name, "unit": old_unit.name, "position": person.position}
    name = rules.clean_full_name(full_name)
    person.full_name = name
    person.name_key = rules.fold(name)
    person.sort_key = rules.sort_key(name)
    details = _person_details(session, position=position, email=email, phone=phone,
                              union_branch_id=union_branch_id, youth_branch_id=youth_branch_id)
    for field, value in details.items():
        setattr(person, field, value)
    if new_unit.id != old_unit.id:
        if person.is_active:
            _move_membership(session, person, new_unit.id, now)
        else:
            # An inactive person has no current membership; reactivation opens one.
            person.unit_id = new_unit.id
    person.updated_at = now
    session.add(person)
    audit.record(session, actor=actor, action="person.update", entity="person",
                 entity_id=person.id, now=now, before=before,
                 after={"name": name, "unit": new_unit.name, "position": person.position})
    session.flush()


def _move_membership(session: Session, person: models.Person, unit_id: int, now: datetime) -> None:
    session.execute(
        sa.update(models.Membership)
        .where(models.Membership.person_id == person.id, models.Membership.end_at.is_(None))
        .values(end_at=now)
    )
    session.add(models.Membership(person_id=person.id, unit_id=unit_id, start_at=now))
    person.unit_id = unit_id


def set_person_active(
    session: Session, *, actor: Actor | None, person_id: int, active: bool, now: datetime
) -> None:
    """Deactivate a person (their sessions end; nothing is deleted) or reactivate them.

    Raises:
        NotAllowed, NotFound, Invalid (deactivating oneself), Conflict.
    """
    require(actor, Perm.MANAGE_PEOPLE)
    person = _person(session, person_id)
    unit = _unit(session, person.unit_id)
    require(actor, Perm.MANAGE_PEOPLE, unit_path=unit.path)
    if person.is_active == active:
        return
    if not active and actor is not None and person.id == actor.person_id:
        raise Invalid("You cannot deactivate yourself; ask another administrator.")
    if active and not unit.is_active:
        raise Conflict("“{unit}” is deactivated; move the person to an active unit first.", unit=unit.name)
    person.is_active = active
    person.updated_at = now
    session.add(person)
    if not active:
        session.execute(
            sa.update(models.Membership)
            .where(models.Membership.person_id == person.id, models.Membership.end_at.is_(None))
            .values(end_at=now)
        )
        account = session.exec(select(models.Account).where(models.Account.person_id == person.id)).first()
        if account is not None:
            end_sessions(session, account.id, now)
    else:
        session.add(models.Membership(person_id=person.id, unit_id=unit.id, start_at=now))
    audit.record(session, actor=actor, action="person.reactivate" if active else "person.deactivate",
                 entity="person", entity_id=person.id, now=now, name=person.full_name)
    session.flush()


# --- accounts and roles ------------------------------------------------------------------


def create_account(
    session: Session, *, actor: Actor | None, person_id: int, username: str, now: datetime
) -> NewAccount:
    """Give a person a login with a one-time temporary password (changed at first login).

    Raises:
        NotAllowed, NotFound, Invalid, Conflict.
    """
    require(actor, Perm.MANAGE_ACCOUNTS)
    person = _person(session, person_id)
    if not person.is_active:
        raise Invalid("Reactivate this person before giving them an account.")
    name = rules.clean_username(username)
    if session.exec(select(models.Account.id).where(models.Account.person_id == person.id)).first() is not None:
        raise Conflict("{name} already has an account; reset its password instead.", name=person.full_name)
    if session.exec(select(models.Account.id).where(models.Account.username == name)).first() is not None:
        raise Conflict("The username {username} is taken; choose another one.", username=name)
    temp = temporary_password()
    account = models.Account(person_id=person.id, username=name, password_hash=hash_password(temp),
                             must_change_password=True, created_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    audit.record(session, actor=actor, action="account.create", entity="account",
                 entity_id=account.id, now=now, username=name, person=person.full_name)
    return NewAccount(account_id=account.id, username=name, temporary_password=temp)


def _account(session: Session, account_id: int) -> models.Account:
    account = session.get(models.Account, account_id) if account_id else None
    if account is None:
        raise NotFound("That account does not exist.")
    return account


def reset_password(session: Session, *, actor: Actor | None, account_id: int, now: datetime) -> NewAccount:
    """Replace an account's password with a one-time temporary one and end its sessions.

    Raises:
        NotAllowed, NotFound.
    """
    require(actor, Perm.MANAGE_ACCOUNTS)
    account = _account(session, account_id)
    temp = temporary_password()
    account.password_hash = hash_password(temp)
    account.must_change_password = True
    account.password_changed_at = now
    session.add(account)
    end_sessions(session, account.id, now)
    # A reset also lifts the throttle: the admin has checked who is asking.
    lift_throttle(session, account.username)
    audit.record(session, actor=actor, action="account.reset_password", entity="account",
                 entity_id=account.id, now=now, username=account.username)
    session.flush()
    return NewAccount(account_id=account.id, username=account.username, temporary_password=temp)


def set_account_active(
    session: Session, *, actor: Actor | None, account_id: int, active: bool, now: datetime
) -> None:
    """Disable or re-enable a login (the person record is untouched).

    Raises:
        NotAllowed, NotFound, Invalid (disabling oneself).
    """
    require(actor, Perm.MANAGE_ACCOUNTS)
    account = _account(session, account_id)
    if account.is_active == active:
        return
    if not active and actor is not None and account.id == actor.account_id:
        raise Invalid("You cannot disable your own account.")
    account.is_active = active
    session.add(account)
    if not active:
        end_sessions(session, account.id, now)
    audit.record(session, actor=actor, action="account.enable" if active else "account.disable",
                 entity="account", entity_id=account.id, now=now, username=account.username)
    session.flush()


def grant_role(
    session: Session, *, actor: Actor | None, account_id: int, role: str,
    unit_id: int | None = None, branch_id: int | None = None, now: datetime,
) -> int:
    """Grant a role; unit heads need a unit, union officers a branch.

    Raises:
        NotAllowed, NotFound, Invalid, Conflict (already held).
    """
    require(actor, Perm.MANAGE_ACCOUNTS)
    account = _account(session, account_id)
    try:
        parsed = Role(role)
    except ValueError as exc:
        raise Invalid("Choose a role from the list.") from exc
    if parsed is Role.STAFF:
        raise Invalid("Every account is already staff.")
    if parsed in ROLE_NEEDS_UNIT and not unit_id:
        raise Invalid("Choose the unit this unit head manages.")
    unit_id = _unit(session, unit_id).id if parsed in ROLE_NEEDS_UNIT else None
    if parsed in ROLE_NEEDS_BRANCH:
        branch = session.get(models.Branch, branch_id) if branch_id else None
        if branch is None:
            raise Invalid("Choose the branch this union officer looks after.")
        branch_id = branch.id
    else:
        branch_id = None
    clash = session.exec(select(models.RoleGrant.id).where(
        models.RoleGrant.account_id == account.id, models.RoleGrant.role == parsed.value,
        models.RoleGrant.revoked_at.is_(None),
        models.RoleGrant.unit_id.is_(None) if unit_id is None else models.RoleGrant.unit_id == unit_id,
        models.RoleGrant.branch_id.is_(None) if branch_id is None else models.RoleGrant.branch_id == branch_id,
    )).first()
    if clash is not None:
        raise Conflict("This account already has that role.")
    grant = models.RoleGrant(account_id=account.id, role=parsed.value, unit_id=unit_id,
                             branch_id=branch_id, granted_at=now,
                             granted_by=actor.account_id if actor else None)
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="role.grant", entity="account", entity_id=account.id,
                 now=now, role=parsed.value, unit_id=unit_id, branch_id=branch_id)
    return grant.id


def revoke_role(session: Session, *, actor: Actor | None, grant_id: int, now: datetime) -> None:
    """Revoke a role (kept with its revocation time).

    Raises:
        NotAllowed, NotFound, Invalid (an admin removing their own admin role).
    """
    require(actor, Perm.MANAGE_ACCOUNTS)
    grant = session.get(models.RoleGrant, grant_id) if grant_id else None
    if grant is None or grant.revoked_at is not None:
        raise NotFound("That role grant does not exist or was already revoked.")
    if (actor is not None and grant.account_id == actor.account_id
            and grant.role == Role.SYSTEM_ADMIN.value):
        raise Invalid("You cannot remove your own administrator role; ask another administrator.")
    grant.revoked_at = now
    session.add(grant)
    audit.record(session, actor=actor, action="role.revoke", entity="account",
                 entity_id=grant.account_id, now=now, role=grant.role)
    session.flush()


# --- CSV import -------------------------------------------------------------------------------

IMPORT_BATCH = 500


def import_people(
    session: Session, *, actor: Actor | None, csv_text: str, now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import staff from CSV: every row valid, or nothing written and every error reported.

    Args:
        session: the unit of work (rolled back by the caller if anything raises).
        actor: the importer; unit heads may only import into their own units.
        csv_text: the decoded file.
        now: import time.
        progress: called with (rows written, rows to write) after each batch.

    Raises:
        NotAllowed: no import permission. Invalid: the file itself is unreadable.
    """
    require(actor, Perm.IMPORT_PEOPLE)
    _, rows = rules.read_csv(csv_text)
    units = {code: uid for uid, code in session.exec(
        select(models.Unit.id, models.Unit.code).where(models.Unit.is_active.is_(True)))}
    branches: dict[str, dict[str, int]] = {"union": {}, "youth": {}}
    for bid, kind, code in session.exec(
            select(models.Branch.id, models.Branch.kind, models.Branch.code).where(models.Branch.is_active.is_(True))):
        branches.setdefault(kind, {})[code.upper()] = bid
    where = reach(actor, Perm.IMPORT_PEOPLE)
    allowed: set[int] | None = None
    if not where.org:
        allowed = {uid for uid, path in session.exec(select(models.Unit.id, models.Unit.path))
                   if any(path.startswith(p) for p in where.unit_paths)}
    codes_in_file = {(r.get("employee_code") or "").strip().upper() for r in rows if r}
    taken: set[str] = set()
    code_list = [c for c in codes_in_file if c]
    for start in range(0, len(code_list), 900):
        chunk = code_list[start:start + 900]
        taken.update(session.exec(select(models.Person.employee_code).where(models.Person.employee_code.in_(chunk))))
    valid, errors = rules.validate_import(
        rows, unit_ids_by_code=units, union_branch_ids_by_code=branches["union"],
        youth_branch_ids_by_code=branches["youth"], taken_employee_codes=taken,
        allowed_unit_ids=allowed,
    )
    total = sum(1 for r in rows if r)
    if errors:
        return ImportReport(created=0, total_rows=total,
                            errors=[(e.line, e.column, e.message) for e in errors])
    for start in range(0, len(valid), IMPORT_BATCH):
        batch = valid[start:start + IMPORT_BATCH]
        people = [models.Person(employee_code=p.employee_code, full_name=p.full_name,
                                name_key=rules.fold(p.full_name), sort_key=rules.sort_key(p.full_name),
                                email=p.email, phone=p.phone,
                                position=p.position, unit_id=p.unit_id,
                                union_branch_id=p.union_branch_id, youth_branch_id=p.youth_branch_id,
                                created_at=now, updated_at=now) for p in batch]
        session.add_all(people)
        session.flush()
        session.add_all([models.Membership(person_id=p.id, unit_id=p.unit_id, start_at=now) for p in people])
        session.flush()
        if progress is not None:
            progress(start + len(batch), len(valid))
    audit.record(session, actor=actor, action="person.import", entity="person", now=now,
                 created=len(valid))
    session.flush()
    return ImportReport(created=len(valid), errors=[], total_rows=total)


def create_branch(
    session: Session, *, actor: Actor | None, kind: str, code: str, name: str, unit_id: int,
    now: datetime,
) -> int:
    """Create a union (``union``) or youth-union (``youth``) branch attached to a unit.

    Raises:
        NotAllowed, Invalid, Conflict, NotFound.
    """
    require(actor, Perm.MANAGE_UNITS)
    if kind not in ("union", "youth"):
        raise Invalid("A branch is either a union branch or a youth-union branch.")
    unit = _unit(session, unit_id)
    code = rules.clean_code(code, N_("branch code"))
    name = rules.clean_unit_name(name)
    if session.exec(select(models.Branch.id).where(models.Branch.kind == kind, models.Branch.code == code)).first():
        raise Conflict("Branch code {code} is already used.", code=code)
    branch = models.Branch(kind=kind, code=code, name=name, unit_id=unit.id)
    session.add(branch)
    session.flush()
    audit.record(session, actor=actor, action="branch.create", entity="branch",
                 entity_id=branch.id, now=now, name=name)
    return branch.id


def bootstrap_admin(
    session: Session, *, username: str, password: str, full_name: str, employee_code: str,
    unit_name: str, unit_code: str, now: datetime,
) -> int:
    """Create the first system administrator (and a root unit if there is none).

    Only the command line calls this: it runs with the server's own authority, so there is
    no actor. Refuses to run when any account already exists.

    Returns:
        The new account's id.

    Raises:
        Conflict: accounts already exist. Invalid: bad name, username or password.
    """
    if session.exec(select(models.Account.id)).first() is not None:
        raise Conflict("Accounts already exist; log in as an administrator and use the People page.")
    name = rules.clean_full_name(full_name)
    login_name = rules.clean_username(username)
    problems = rules.password_problem_messages(password, username=login_name, full_name=name)
    if problems:
        raise Invalid(rules.sentences(problems))
    root = session.exec(select(models.Unit).where(models.Unit.parent_id.is_(None)).order_by(models.Unit.id)).first()
    if root is None:
        root = models.Unit(name=rules.clean_unit_name(unit_name), code=rules.clean_code(unit_code),
                           kind="province", created_at=now, updated_at=now)
        session.add(root)
        session.flush()
        root.path = rules.child_path(None, root.id)
        session.add(models.UnitEvent(unit_id=root.id, at=now, kind="created",
                                     new_value=f"{root.name} ({root.code})"))
    person = models.Person(employee_code=rules.clean_code(employee_code, N_("employee code")), full_name=name,
                           name_key=rules.fold(name), sort_key=rules.sort_key(name),
                           position=_("System administrator"), unit_id=root.id,
                           created_at=now, updated_at=now)
    session.add(person)
    session.flush()
    session.add(models.Membership(person_id=person.id, unit_id=root.id, start_at=now))
    account = models.Account(person_id=person.id, username=login_name, password_hash=hash_password(password),
                             created_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    session.add(models.RoleGrant(account_id=account.id, role=Role.SYSTEM_ADMIN.value, granted_at=now))
    audit.record(session, actor=None, action="account.bootstrap_admin", entity="account",
                 entity_id=account.id, now=now, username=login_name)
    session.flush()
    return account.id
