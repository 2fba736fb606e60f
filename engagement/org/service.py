"""Use cases of the organisation feature: units, groups, people, accounts, roles, import.

Login, sessions and the throttled password check live in ``engagement.org.sessions``.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then
writes (with an audit entry) and flushes. The caller's ``unit_of_work`` commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime

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
from engagement.core.zones import local_day
from engagement.org import labels, models, rules
from engagement.org.dto import ImportPreview, ImportPreviewRow, ImportReport, NewAccount
from engagement.org.sessions import end_sessions, lift_throttle
from engagement.settings import get_settings

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
                    union_branch_id: int | None, youth_branch_id: int | None, gender: str | None,
                    birth_date: date | None, rank: str | None, recruited_on: date | None,
                    now: datetime) -> dict[str, object]:
    """A person's cleaned position, contact, branches and dossier facts, as ``Person`` fields, checked
    in form order.

    Raises:
        Invalid: a field is not valid, a branch is not an active one of its kind, or the dates of
            birth and recruitment cannot both be true.
    """
    details: dict[str, object] = {
        "position": rules.clean_position(position),
        "email": rules.clean_email(email),
        "phone": rules.clean_phone(phone),
        "union_branch_id": _branch_id(session, union_branch_id, "union"),
        "youth_branch_id": _branch_id(session, youth_branch_id, "youth"),
        "gender": rules.clean_gender(gender),
        "birth_date": birth_date,
        "rank": rules.clean_rank(rank),
        "recruited_on": recruited_on,
    }
    rules.check_dossier_dates(birth_date=birth_date, recruited_on=recruited_on, today=_today(now))
    return details


def _today(now: datetime) -> date:
    """The organisation's calendar day at ``now``."""
    return local_day(now, get_settings().tz)


def _branch_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(models.Branch.id, models.Branch.name)).all())


def _shown_person(person: models.Person, unit_label: str, branch_names: dict[int, str]) -> dict[str, object]:
    """A person's fields as the audit log keeps them: names rather than ids, days as ISO text."""
    return {
        "name": person.full_name, "unit": unit_label, "position": person.position,
        "email": person.email or "", "phone": person.phone or "",
        "union_branch": branch_names.get(person.union_branch_id, "") if person.union_branch_id else "",
        "youth_branch": branch_names.get(person.youth_branch_id, "") if person.youth_branch_id else "",
        "gender": person.gender, "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "rank": person.rank, "recruited_on": person.recruited_on.isoformat() if person.recruited_on else "",
    }


def create_person(
    session: Session, *, actor: Actor | None, employee_code: str, full_name: str, position: str,
    unit_id: int, email: str | None = None, phone: str | None = None,
    union_branch_id: int | None = None, youth_branch_id: int | None = None, gender: str | None = None,
    birth_date: date | None = None, rank: str | None = None, recruited_on: date | None = None, now: datetime,
) -> int:
    """Create a staff record (no login account); gender, dates of birth and recruitment, rank are optional.

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
                              union_branch_id=union_branch_id, youth_branch_id=youth_branch_id, gender=gender,
                              birth_date=birth_date, rank=rank, recruited_on=recruited_on, now=now)
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
    union_branch_id: int | None = None, youth_branch_id: int | None = None, gender: str | None = None,
    birth_date: date | None = None, rank: str | None = None, recruited_on: date | None = None, now: datetime,
) -> None:
    """Edit a staff record (every field as given: an empty one is cleared); a change of unit closes
    the old membership and opens a new one. The audit entry lists the fields that changed.

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
    branch_names = _branch_names(session)
    before = _shown_person(person, old_unit.name, branch_names)
    name = rules.clean_full_name(full_name)
    details = _person_details(session, position=position, email=email, phone=phone,
                              union_branch_id=union_branch_id, youth_branch_id=youth_branch_id, gender=gender,
                              birth_date=birth_date, rank=rank, recruited_on=recruited_on, now=now)
    person.full_name = name
    person.name_key = rules.fold(name)
    person.sort_key = rules.sort_key(name)
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
    after = _shown_person(person, new_unit.name, branch_names)
    changed = [key for key in before if before[key] != after[key]]
    audit.record(session, actor=actor, action="person.update", entity="person",
                 entity_id=person.id, now=now, before={k: before[k] for k in changed},
                 after={k: after[k] for k in changed})
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
#: How a preview calls each kind of row (``ImportPreviewRow.kind``).
ROW_KINDS = ("refused", "changed", "new", "unchanged")


def _allowed_units(session: Session, actor: Actor | None) -> set[int] | None:
    """The units an importer may add people to or change people in (None = the whole organisation)."""
    where = reach(actor, Perm.IMPORT_PEOPLE)
    if where.org:
        return None
    return {uid for uid, path in session.exec(select(models.Unit.id, models.Unit.path))
            if any(path.startswith(p) for p in where.unit_paths)}


def _stored(person: models.Person) -> rules.StoredPerson:
    return rules.StoredPerson(
        id=person.id, is_active=person.is_active, full_name=person.full_name, unit_id=person.unit_id,
        position=person.position, email=person.email, phone=person.phone, union_branch_id=person.union_branch_id,
        youth_branch_id=person.youth_branch_id, gender=person.gender, birth_date=person.birth_date,
        rank=person.rank, recruited_on=person.recruited_on)


class _Plan:
    """Everything one reading of an import file decided: the rows planned, the rows refused, the
    people on record they concern, and the digest a confirmation must match."""

    def __init__(self, session: Session, *, actor: Actor | None, csv_text: str, now: datetime) -> None:
        _, self.rows = rules.read_csv(csv_text)
        units = {code: uid for uid, code in session.exec(
            select(models.Unit.id, models.Unit.code).where(models.Unit.is_active.is_(True)))}
        branches: dict[str, dict[str, int]] = {"union": {}, "youth": {}}
        for bid, kind, code in session.exec(select(models.Branch.id, models.Branch.kind, models.Branch.code)
                                            .where(models.Branch.is_active.is_(True))):
            branches.setdefault(kind, {})[code.upper()] = bid
        allowed = _allowed_units(session, actor)
        valid, errors = rules.validate_import(
            self.rows, unit_ids_by_code=units, union_branch_ids_by_code=branches["union"],
            youth_branch_ids_by_code=branches["youth"], allowed_unit_ids=allowed)
        codes = sorted({p.employee_code for p in valid})
        self.people: dict[str, models.Person] = {}
        for start in range(0, len(codes), 900):  # under every database's limit of bound parameters
            chunk = codes[start:start + 900]
            self.people.update((p.employee_code, p) for p in session.exec(
                select(models.Person).where(models.Person.employee_code.in_(chunk))))
        self.planned, refused = rules.plan_import(
            valid, existing={code: _stored(p) for code, p in self.people.items()}, allowed_unit_ids=allowed,
            today=_today(now))
        self.errors = sorted(errors + refused, key=lambda e: e.line)
        self.total = sum(1 for r in self.rows if r)
        digest = hashlib.sha256(csv_text.encode("utf-8"))
        for row in self.planned:  # what the people on record are now decides the plan too
            digest.update(repr((row.line, row.kind, row.person_id, row.changes)).encode("utf-8"))
        self.digest = digest.hexdigest()


def _value_shown(field: str, value: object, unit_names: dict[int, str], branch_names: dict[int, str]) -> str:
    """A person's field as a preview or the audit log shows it."""
    if value is None or value == "":
        return ""
    if field == "unit_id":
        return unit_names.get(int(value), str(value))
    if field in ("union_branch_id", "youth_branch_id"):
        return branch_names.get(int(value), str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


#: The audit log's names for the fields an import changes (``labels.PERSON_FIELD_LABELS`` keys).
_AUDIT_FIELD = {"full_name": "name", "unit_id": "unit", "union_branch_id": "union_branch",
                "youth_branch_id": "youth_branch"}


def _change_text(field: str, before: str, after: str) -> str:
    return rules.change_lines({"changes": {_AUDIT_FIELD.get(field, field): [before, after]}},
                              field_labels=labels.PERSON_FIELD_LABELS,
                              value_labels=labels.AUDIT_VALUE_LABELS)[0]


def preview_import(session: Session, *, actor: Actor | None, csv_text: str, now: datetime) -> ImportPreview:
    """What importing a staff file would do, row by row, without writing anything.

    Each row is a new person, a change to the person with its employee code (field: before → after),
    unchanged, or refused (with its line and reasons). An empty optional cell keeps the value on
    record. ``digest`` identifies the file and the plan: ``import_people`` writes only with it.

    Raises:
        NotAllowed: no import permission. Invalid: the file itself is unreadable.
    """
    require(actor, Perm.IMPORT_PEOPLE)
    plan = _Plan(session, actor=actor, csv_text=csv_text, now=now)
    unit_names = labels.unit_labels(session, {p.unit_id for p in plan.people.values()}
                                    | {row.fields["unit_id"] for row in plan.planned})
    branch_names = _branch_names(session)
    shown: list[ImportPreviewRow] = []
    for row in plan.planned:
        values = row.fields
        changes = [_change_text(name, _value_shown(name, before, unit_names, branch_names),
                                _value_shown(name, after, unit_names, branch_names))
                   for name, before, after in row.changes]
        shown.append(ImportPreviewRow(line=row.line, kind=row.kind, employee_code=row.employee_code,
                                      full_name=str(values["full_name"]),
                                      unit=unit_names.get(int(values["unit_id"]), ""), changes=changes))
    by_line = {getattr(r, "line", 0): r for r in plan.rows if r}
    problems: dict[int, list[str]] = {}
    for error in plan.errors:
        problems.setdefault(error.line, []).append(f"{error.column}: {error.message}" if error.column
                                                   else error.message)
    for line, messages in problems.items():
        raw = by_line.get(line, {})
        shown.append(ImportPreviewRow(line=line, kind="refused",
                                      employee_code=(raw.get("employee_code") or "").strip().upper()[:40],
                                      full_name=rules.collapse(raw.get("full_name") or "")[:120], unit="",
                                      changes=messages))
    shown.sort(key=lambda r: (ROW_KINDS.index(r.kind), r.line))
    counts = {kind: sum(1 for r in shown if r.kind == kind) for kind in ROW_KINDS}
    return ImportPreview(digest=plan.digest, rows=shown, total_rows=plan.total, new=counts["new"],
                         changed=counts["changed"], unchanged=counts["unchanged"], refused=counts["refused"],
                         errors=[(e.line, e.column, e.message) for e in plan.errors])


def import_people(
    session: Session, *, actor: Actor | None, csv_text: str, digest: str, now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a staff file as its preview showed it: every row, or nothing.

    The file is read and checked again. New employee codes create people; known codes update
    their person (an empty optional cell keeps what is on record; a move to another unit closes
    the membership and opens a new one, as a manual move does). Nobody is deactivated by an
    import. Each updated person gets an audit entry with the fields that changed, and the import
    one entry with the counts.

    Args:
        session: the unit of work (rolled back by the caller if anything raises).
        actor: the importer; unit heads may only import into their own units.
        csv_text: the decoded file.
        digest: ``preview_import(...).digest`` of the preview the officer confirmed.
        now: import time.
        progress: called with (rows written, rows to write) after each batch.

    Returns:
        The counts, or (nothing written) every problem found.

    Raises:
        NotAllowed: no import permission. Invalid: the file itself is unreadable.
        Conflict: the file, or the people it names, changed since the preview.
    """
    require(actor, Perm.IMPORT_PEOPLE)
    plan = _Plan(session, actor=actor, csv_text=csv_text, now=now)
    if plan.errors:
        return ImportReport(created=0, total_rows=plan.total, errors=[(e.line, e.column, e.message)
                                                                      for e in plan.errors])
    if not digest or digest != plan.digest:
        raise Conflict("The file, or the people in it, changed since the preview. Check the file again and "
                       "confirm the new preview.")
    unit_names = labels.unit_labels(session, {p.unit_id for p in plan.people.values()}
                                    | {row.fields["unit_id"] for row in plan.planned})
    branch_names = _branch_names(session)
    to_write = [row for row in plan.planned if row.kind != "unchanged"]
    created = updated = 0
    for start in range(0, len(to_write), IMPORT_BATCH):
        batch = to_write[start:start + IMPORT_BATCH]
        new_people = []
        for row in batch:
            values = row.fields
            if row.kind == "new":
                name = str(values["full_name"])
                new_people.append(models.Person(employee_code=row.employee_code, name_key=rules.fold(name),
                                                sort_key=rules.sort_key(name), created_at=now, updated_at=now,
                                                **values))
                continue
            person = plan.people[row.employee_code]
            before = {_AUDIT_FIELD.get(n, n): _value_shown(n, b, unit_names, branch_names) for n, b, _ in row.changes}
            after = {_AUDIT_FIELD.get(n, n): _value_shown(n, a, unit_names, branch_names) for n, _, a in row.changes}
            for name, _before, value in row.changes:
                if name == "unit_id":
                    _move_membership(session, person, int(value), now)
                else:
                    setattr(person, name, value)
            if any(name == "full_name" for name, _before, _after in row.changes):
                person.name_key = rules.fold(person.full_name)
                person.sort_key = rules.sort_key(person.full_name)
            person.updated_at = now
            session.add(person)
            audit.record(session, actor=actor, action="person.import_update", entity="person",
                         entity_id=person.id, now=now, before=before, after=after)
            updated += 1
        session.add_all(new_people)
        session.flush()
        session.add_all([models.Membership(person_id=p.id, unit_id=p.unit_id, start_at=now) for p in new_people])
        session.flush()
        created += len(new_people)
        if progress is not None:
            progress(start + len(batch), len(to_write))
    audit.record(session, actor=actor, action="person.import", entity="person", now=now, created=created,
                 updated=updated, unchanged=len(plan.planned) - len(to_write))
    session.flush()
    return ImportReport(created=created, updated=updated, unchanged=len(plan.planned) - len(to_write), errors=[],
                        total_rows=plan.total)


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
