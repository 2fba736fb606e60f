"""Tables of the organisation: units, unit groups, branches, people, accounts, sessions.

Schema and constraints only; behaviour lives in ``rules.py`` and ``service.py``.
Nothing here is hard-deleted: units and people are deactivated, and their history kept.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class Unit(SQLModel, table=True):
    """A node of the organisation tree (province, department, commune, office...).

    ``path`` is the materialised path of ids from the root, e.g. ``/1/4/9/``: a subtree is
    every unit whose path starts with its root's path.
    """

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    code: str = Field(max_length=40, unique=True)
    kind: str = Field(default="office", max_length=30)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    path: str = Field(default="", max_length=400, index=True)
    depth: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class UnitEvent(SQLModel, table=True):
    """The history of a unit: created, renamed, moved, deactivated, reactivated."""

    __tablename__ = "unit_event"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=30)
    old_value: str = Field(default="", max_length=400)
    new_value: str = Field(default="", max_length=400)
    actor_account_id: int | None = Field(default=None)


class UnitGroup(SQLModel, table=True):
    """A peer cohort of comparable units, e.g. "provincial departments"."""

    __tablename__ = "unit_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    description: str = Field(default="", max_length=1000)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class UnitGroupMember(SQLModel, table=True):
    """Membership of a unit in a group."""

    __tablename__ = "unit_group_member"

    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class Branch(SQLModel, table=True):
    """A trade-union or youth-union branch, attached to a unit."""

    __tablename__ = "branch"
    __table_args__ = (sa.UniqueConstraint("kind", "code", name="uq_branch_kind_code"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # "union" | "youth"
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    is_active: bool = Field(default=True)


class Person(SQLModel, table=True):
    """A staff record. A person may have no login account at all."""

    __tablename__ = "person"
    # Head counts per unit (leaderboards' per-member scores) read only this index.
    __table_args__ = (sa.Index("ix_person_active_unit", "is_active", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_code: str = Field(max_length=40, unique=True)
    full_name: str = Field(max_length=120)
    name_key: str = Field(max_length=120, index=True)  # folded for accent-insensitive search
    #: Vietnamese name order (given name first) as plain ASCII: ``org.rules.sort_key``.
    sort_key: str = Field(max_length=200, index=True, sa_column_kwargs={"server_default": ""})
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    position: str = Field(default="", max_length=120)
    # What commendation dossiers ask for, all optional: "male" | "female" | "" (not given),
    # the rank or grade (ngạch/hạng) as written on the decision, and two calendar days.
    gender: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    birth_date: date | None = Field(default=None)
    rank: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    recruited_on: date | None = Field(default=None)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    union_branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    youth_branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    is_active: bool = Field(default=True, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """Which unit a person belonged to, from when to when (``end_at`` open = current)."""

    __tablename__ = "membership"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Account(SQLModel, table=True):
    """A login for a person."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    username: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=200)
    must_change_password: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    password_changed_at: datetime = Field(sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The interface language the person chose ("" = the organisation's default).
    language: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})


class RoleGrant(SQLModel, table=True):
    """A role held by an account; revoked grants are kept with ``revoked_at``."""

    __tablename__ = "role_grant"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=40)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    branch_id: int | None = Field(default=None, foreign_key="branch.id")
    granted_at: datetime = Field(sa_type=UTCDateTime)
    granted_by: int | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """A server-side login session; the browser holds only the token, we keep its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginHandoff(SQLModel, table=True):
    """A one-time code that hands a new login session from the login form to the cookie route.

    The socket cannot set an HttpOnly cookie, so the login handler gives the browser this
    code (kept hashed, valid a minute, usable once); the browser posts it to
    ``/_session/start``, which gives the session a fresh token and sets the cookie.
    """

    __tablename__ = "login_handoff"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    session_id: int = Field(foreign_key="auth_session.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Every login attempt, for throttling per account and per client."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_client_at", "client_key", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    username: str = Field(max_length=60)
    client_key: str = Field(max_length=64)
    success: bool = Field(default=False)
