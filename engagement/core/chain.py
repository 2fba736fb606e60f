"""Hash chains: what makes signed commitments and commendation decisions tamper-evident.

Each record stores a SHA-256 over the previous record's hash and its own canonical content;
walking the records in order and recomputing every hash shows an edited record (its content no
longer gives its hash), a record taken out (the next one no longer follows it, or its sequence
number is missing) and a forgery re-hashed in place (the record after it no longer follows).
Pure: the feature that owns the records loads them and names its own kind of record in the
problems reported (``BreakTexts``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engagement.core.i18n import Msg

#: The ``prev_hash`` of the first record of a chain.
GENESIS_HASH = "0" * 64


def chain_hash(prev_hash: str, payload: str) -> str:
    """SHA-256 over the previous record's hash and this one's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """What the verifier needs from one stored record."""

    seq: int
    code: str
    prev_hash: str
    content_hash: str
    payload: str  # the canonical content, as the owner recomputes or stores it


@dataclass(frozen=True)
class ChainBreak:
    """One place where the chain does not hold."""

    seq: int
    code: str
    problem: str  # in the current language (the reader's, or the organisation's for a command)


@dataclass(frozen=True)
class BreakTexts:
    """How the problems read for one kind of record (messages, rendered when reported).

    ``missing`` has the placeholders ``{first}`` and ``{last}`` (the sequence numbers missing).
    """

    missing: Msg
    unlinked: Msg
    changed: Msg


def find_breaks(links: list[ChainLink], *, texts: BreakTexts, start_hash: str = GENESIS_HASH,
                start_seq: int = 1) -> list[ChainBreak]:
    """Walk the chain in order and report every link that does not hold.

    A link breaks when its content no longer gives its stored hash (the row was edited),
    when it does not point at the previous link's hash, or when a link is missing.

    Args:
        links: the records in chain order.
        texts: the owner's wording of the three problems.
        start_hash: the hash the first link must follow (a later start checks a part of a chain).
        start_seq: the sequence number the first link must have.
    """
    breaks: list[ChainBreak] = []
    expected_prev, expected_seq = start_hash, start_seq
    for link in links:
        if link.seq != expected_seq:
            missing = Msg(texts.missing.msgid, {**texts.missing.params, "first": expected_seq,
                                                "last": link.seq - 1})
            breaks.append(ChainBreak(link.seq, link.code, missing.render()))
        if link.prev_hash != expected_prev:
            breaks.append(ChainBreak(link.seq, link.code, texts.unlinked.render()))
        if chain_hash(link.prev_hash, link.payload) != link.content_hash:
            breaks.append(ChainBreak(link.seq, link.code, texts.changed.render()))
        expected_prev, expected_seq = link.content_hash, link.seq + 1
    return breaks
