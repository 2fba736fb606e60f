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
    # The log page filters by who acted, by the record, or by action, newest first: each index
    # ends with the id so that a filtered page is one index range read backwards, on 1M rows too.
    __table_args__ = (
        sa.Index("ix_audit_entry_actor_id", "actor_account_id", "id"),
        sa.Index("ix_audit_entry_action_id", "action", "id"),
        sa.Index("ix_audit_entry_entity", "entity", "id"),
        sa.Index("ix_audit_entry_record", "entity", "entity_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_account_id: int | None = Field(default=None)
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=80)
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
            actor_name=(actor.full_name if actor else "")[:200],
            action=action[:80],
            entity=entity[:80],
            entity_id=str(entity_id)[:80],
            detail=json.dumps({k: _bounded(v) for k, v in detail.items()}, ensure_ascii=False, default=str,
                              sort_keys=True),
        )
    )


#: The longest text kept for one value of an audit entry's detail (a hostile 1 MB name is cut).
MAX_DETAIL_CHARS = 1000


def _bounded(value: object) -> object:
    """A detail value, with any text over ``MAX_DETAIL_CHARS`` cut and its full length noted."""
    if isinstance(value, str):
        return f"{value[:MAX_DETAIL_CHARS]}… [{len(value)} characters]" if len(value) > MAX_DETAIL_CHARS else value
    if isinstance(value, list | tuple):
        return [_bounded(v) for v in value[:100]]
    if isinstance(value, dict):
        return {str(k)[:100]: _bounded(v) for k, v in list(value.items())[:100]}
    if not isinstance(value, int | float | bool | type(None)):
        return _bounded(str(value))
    return value
