"""The audit log: who did what to which record, and when. Append-only."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from engagement.core.access import Actor
from engagement.core.db import UTCDateTime


class AuditEntry(SQLModel, table=True):
    """One privileged action."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_account_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=80, index=True)
    entity: str = Field(max_length=80)
    entity_id: str = Field(default="", max_length=80)
    detail: str = Field(default="{}", sa_type=sa.Text)


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object = "",
    now: datetime,
    **detail: object,
) -> None:
    """Append an audit entry in the caller's transaction.

    Args:
        session: the open unit of work.
        actor: who acted (None for the system or an anonymous login attempt).
        action: a dotted verb, e.g. ``unit.rename``.
        entity: the kind of record, e.g. ``unit``.
        entity_id: the record's id.
        now: when it happened.
        **detail: what changed (JSON-serialisable; values are stringified otherwise).
    """
    session.add(
        AuditEntry(
            at=now,
            actor_account_id=actor.account_id if actor else None,
            actor_name=actor.full_name if actor else "",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        )
    )
