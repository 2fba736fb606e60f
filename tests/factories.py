"""Builders for test data, going through the real services where they exist."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from engagement.core.access import Actor
from engagement.core.security import new_token
from engagement.org import service
from engagement.org.models import Account

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def admin(session: Session, now: datetime) -> Actor:
    """Bootstrap an org (root unit ROOT) with a system admin and return the admin actor."""
    service.bootstrap_admin(
        session, username="admin", password=PASSWORD, full_name="Quản Trị Viên",
        employee_code="ADM001", unit_name="Tỉnh Thử Nghiệm", unit_code="ROOT", now=now,
    )
    return actor_for(session, "admin", now)


def actor_for(session: Session, username: str, now: datetime) -> Actor:
    """Log in as ``username`` (password ``PASSWORD``) and return the resolved actor."""
    result = service.login(session, username=username, password=PASSWORD, client_ip="127.0.0.1",
                           user_agent="pytest", now=now)
    assert result.ok, result.message
    actor = service.resolve_actor(session, token=result.token, now=now)
    assert actor is not None
    return actor


def unit(session: Session, actor: Actor, now: datetime, *, parent_id: int | None, name: str | None = None,
         code: str | None = None, kind: str = "office") -> int:
    """Create a unit through the service."""
    n = next(_seq)
    return service.create_unit(session, actor=actor, name=name or f"Đơn vị {n}",
                               code=code or f"U{n:04d}", kind=kind, parent_id=parent_id, now=now)


def person(session: Session, actor: Actor, now: datetime, *, unit_id: int, name: str | None = None,
           code: str | None = None, **extra: object) -> int:
    """Create a person through the service."""
    n = next(_seq)
    return service.create_person(session, actor=actor, employee_code=code or f"E{n:05d}",
                                 full_name=name or "Nguyễn Văn An", position="Chuyên viên",
                                 unit_id=unit_id, now=now, **extra)


def user(session: Session, actor: Actor, now: datetime, *, unit_id: int, username: str,
         role: str | None = None, role_unit_id: int | None = None, branch_id: int | None = None,
         name: str = "Trần Thị Bình") -> Actor:
    """A person with an account (password ``PASSWORD``), optionally a role; returns their actor."""
    pid = person(session, actor, now, unit_id=unit_id, name=name)
    created = service.create_account(session, actor=actor, person_id=pid, username=username, now=now)
    account = session.get(Account, created.account_id)
    from engagement.core.security import hash_password
    account.password_hash = hash_password(PASSWORD)
    account.must_change_password = False
    session.add(account)
    session.flush()
    if role:
        service.grant_role(session, actor=actor, account_id=created.account_id, role=role,
                           unit_id=role_unit_id, branch_id=branch_id, now=now)
    return actor_for(session, username, now)


def token() -> str:
    """A random token, for tests that need one that matches nothing."""
    return new_token()


@dataclass
class SmallOrg:
    """ROOT ─┬─ A (Phòng Tổ chức, branches CD-A and DT-A) ── A1 (Tổ Nhân sự)
             └─ B (Phòng Tài chính)
    """

    admin: Actor
    root: int
    a: int
    a1: int
    b: int
    union_branch: int
    youth_branch: int


def small_org(session: Session, now: datetime) -> SmallOrg:
    """The small tree most org tests start from, with an admin."""
    from sqlmodel import select

    from engagement.org.models import Unit

    admin_actor = admin(session, now)
    root = session.exec(select(Unit.id).where(Unit.code == "ROOT")).one()
    a = unit(session, admin_actor, now, parent_id=root, name="Phòng Tổ chức", code="A")
    a1 = unit(session, admin_actor, now, parent_id=a, name="Tổ Nhân sự", code="A1")
    b = unit(session, admin_actor, now, parent_id=root, name="Phòng Tài chính", code="B")
    union_branch = service.create_branch(session, actor=admin_actor, kind="union", code="CD-A",
                                         name="Công đoàn Phòng Tổ chức", unit_id=a, now=now)
    youth_branch = service.create_branch(session, actor=admin_actor, kind="youth", code="DT-A",
                                         name="Chi đoàn Phòng Tổ chức", unit_id=a, now=now)
    return SmallOrg(admin=admin_actor, root=root, a=a, a1=a1, b=b, union_branch=union_branch,
                    youth_branch=youth_branch)
