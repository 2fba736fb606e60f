"""The only place that reads the clock. Services take ``now`` as an argument.

The time-zone helpers (``ensure_aware``, ``local``, ``local_day``) read no clock: they live in
``core.zones`` (which pure modules import) and are re-exported here for the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from engagement.core.zones import ensure_aware, local, local_day

__all__ = ["ensure_aware", "local", "local_day", "now"]


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
