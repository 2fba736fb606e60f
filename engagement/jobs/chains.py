"""The signed heads of the signature and decision chains: published, exported, compared (issue 17).

A chain's head (how many links, the last hash, sealed with the chain key kept outside the
database) is written to the audit log by the hourly ``chain-heads`` job whenever a chain grew,
and to a checkpoint file by ``engagement chain-checkpoint FILE`` for the organisation to
archive away from the server. ``engagement verify-signatures --checkpoint FILE`` (and
``verify-decisions``) then show the newest records deleted, or the chain rewritten, since.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from engagement.commendations import decisions
from engagement.commitments import queries as commitments_queries
from engagement.commitments import service as commitments_service
from engagement.core import chain
from engagement.core.db import read_only, unit_of_work
from engagement.core.errors import Invalid

#: Marks a checkpoint file (and its format's version).
CHECKPOINT_FORMAT = "engagement-chain-checkpoint/1"


def publish_heads(engine: Engine | None = None, *, now: datetime) -> int:
    """Write each chain's sealed head to the audit log when it changed; returns how many were written."""
    with unit_of_work(engine) as session:
        written = [commitments_service.publish_chain_head(session, now=now),
                   decisions.publish_decision_head(session, now=now)]
    return sum(1 for head in written if head is not None)


def write_checkpoint(path: Path, engine: Engine | None = None, *, now: datetime) -> dict:
    """Write both chains' sealed heads to ``path`` (JSON) and publish them in the audit log.

    Returns:
        What was written.
    """
    with unit_of_work(engine) as session:
        signatures = commitments_queries.current_head(session, now=now)
        decided = decisions.current_decision_head(session, now=now)
        commitments_service.publish_chain_head(session, now=now)
        decisions.publish_decision_head(session, now=now)
    data = {"format": CHECKPOINT_FORMAT, "signatures": signatures.as_dict(), "decisions": decided.as_dict()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return data


def read_checkpoint(path: Path, kind: str) -> chain.ChainHead:
    """The head of chain ``kind`` ("signatures" or "decisions") in a checkpoint file.

    Raises:
        Invalid: the file cannot be read or is not a checkpoint.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise Invalid("The checkpoint file {path} cannot be read; give the file written by "
                      "'engagement chain-checkpoint'.", path=str(path)) from None
    head = chain.head_from(data.get(kind)) if isinstance(data, dict) and data.get("format") == CHECKPOINT_FORMAT \
        else None
    if head is None:
        raise Invalid("The file {path} is not a chain checkpoint written by 'engagement chain-checkpoint'.",
                      path=str(path))
    return head


def seal_existing(engine: Engine | None = None, *, now: datetime) -> tuple[int, int]:
    """``engagement seal-chains``: seal the signatures and decisions written before seals, once.

    Returns:
        How many signatures and decisions were sealed.

    Raises:
        Conflict: a chain is broken, or this already ran for it.
    """
    with unit_of_work(engine) as session:
        signatures = commitments_service.seal_existing(session, now=now)
        decided = decisions.seal_existing_decisions(session, now=now)
    return signatures, decided


def verify_both(engine: Engine | None = None, *, checkpoint: Path | None = None) -> tuple:
    """Both chains' reports, compared with a checkpoint file when given (for the CLI)."""
    signature_head = read_checkpoint(checkpoint, "signatures") if checkpoint else None
    decision_head = read_checkpoint(checkpoint, "decisions") if checkpoint else None
    with read_only(engine) as session:
        return (commitments_queries.verify_chain(session, checkpoint=signature_head),
                decisions.verify_decisions(session, checkpoint=decision_head))
