"""Hash chains: what makes signed commitments and commendation decisions tamper-evident.

Each record stores a SHA-256 over the previous record's hash and its own canonical content;
walking the records in order and recomputing every hash shows an edited record (its content no
longer gives its hash), a record taken out (the next one no longer follows it, or its sequence
number is missing) and a forgery re-hashed in place (the record after it no longer follows).
The feature that owns the records loads them and names its own kind of record in the
problems reported (``BreakTexts``).

Hashes alone cannot stop someone who can write the database: they can edit a row and
re-hash it and every row after it with these same functions, or delete the newest rows. So
each link also carries a seal, an HMAC over its hashes and every stored field that matters
that is not in the hashed content, under a key kept OUTSIDE the database
(``ENGAGEMENT_CHAIN_KEY``, or a key file created on first use, see ``chain_key``); and the
chain's head (how many links, the last hash) is sealed the same way and published: in the
audit log, on the verify pages, and as a checkpoint file an organisation archives
(``engagement chain-checkpoint``). Verifying against a head shows the newest links deleted
or the chain rewritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engagement.core.i18n import N_, Msg

#: The ``prev_hash`` of the first record of a chain.
GENESIS_HASH = "0" * 64


def chain_hash(prev_hash: str, payload: str) -> str:
    """SHA-256 over the previous record's hash and this one's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


# --- the key outside the database ----------------------------------------------------------


def key_file_path() -> Path:
    """Where the chain key is kept when ``ENGAGEMENT_CHAIN_KEY`` is not set.

    ``ENGAGEMENT_CHAIN_KEY_FILE``, else ``chain.key`` next to the SQLite database file, else
    in ``data/`` of the installation (PostgreSQL): never in the database itself.
    """
    from engagement.settings import PROJECT_ROOT, get_settings

    settings = get_settings()
    if settings.chain_key_file:
        return Path(settings.chain_key_file)
    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url and len(url) > len("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "chain.key"
    return PROJECT_ROOT / "data" / "chain.key"


def chain_key() -> bytes:
    """The key that seals chain links and heads; created (random, 256 bits) on first use.

    ``ENGAGEMENT_CHAIN_KEY`` when set; else the key file (``key_file_path``), written with
    mode 0600. Keep a copy of it with the backups, apart from the database: without it the
    seals cannot be checked, and whoever holds it together with write access to the
    database could forge them.
    """
    from engagement.settings import get_settings

    configured = get_settings().chain_key
    if configured:
        return configured.encode()
    path = key_file_path()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(fresh + b"\n")
    return fresh


def _canonical(fields: dict) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def seal(key: bytes, fields: dict) -> str:
    """HMAC-SHA256 (hex) over the canonical JSON of ``fields`` under ``key``."""
    return hmac.new(key, _canonical(fields).encode(), hashlib.sha256).hexdigest()


def seal_holds(key: bytes, fields: dict, stored: str) -> bool:
    """Whether ``stored`` is the seal of ``fields`` under ``key`` (constant-time)."""
    return bool(stored) and hmac.compare_digest(seal(key, fields), stored)


# --- links and heads -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    """What the verifier needs from one stored record."""

    seq: int
    code: str
    prev_hash: str
    content_hash: str
    payload: str  # the canonical content, as the owner recomputes or stores it
    seal: str = ""  # the stored HMAC ("" for a record written before seals)
    sealed: dict | None = None  # what the seal covers, as the owner reads it from the row


def link_fields(kind: str, link: ChainLink, extra: dict | None = None) -> dict:
    """What a link's seal covers: its kind, position, hashes, code and the owner's ``extra`` fields."""
    return {"kind": kind, "seq": link.seq, "code": link.code, "prev": link.prev_hash, "hash": link.content_hash,
            **(extra or {})}


@dataclass(frozen=True)
class ChainHead:
    """A chain's head at one moment: how many links, the last one's hash, sealed."""

    kind: str  # "signatures" | "decisions"
    count: int
    last_hash: str
    at: str  # ISO moment (UTC) when it was taken
    seal: str = ""

    def fields(self) -> dict:
        """What the head's seal covers."""
        return {"kind": self.kind, "count": self.count, "last": self.last_hash, "at": self.at}

    def as_dict(self) -> dict:
        """The head as written to the audit log and to a checkpoint file."""
        return {**self.fields(), "seal": self.seal}


def make_head(key: bytes, *, kind: str, count: int, last_hash: str, now: datetime) -> ChainHead:
    """The sealed head of a chain of ``count`` links whose last hash is ``last_hash``."""
    head = ChainHead(kind=kind, count=count, last_hash=last_hash if count else GENESIS_HASH,
                     at=now.isoformat(timespec="seconds"))
    return ChainHead(kind=kind, count=count, last_hash=head.last_hash, at=head.at, seal=seal(key, head.fields()))


def head_from(data: object) -> ChainHead | None:
    """A head read back from the audit log or a checkpoint file (None when it is not one)."""
    if not isinstance(data, dict):
        return None
    try:
        return ChainHead(kind=str(data["kind"]), count=int(data["count"]), last_hash=str(data["last"]),
                         at=str(data["at"]), seal=str(data.get("seal", "")))
    except (KeyError, TypeError, ValueError):
        return None


def check_head(key: bytes, head: ChainHead, links: list[ChainLink], *, texts: BreakTexts) -> list[str]:
    """What a sealed head says about the chain now: newest links deleted, or the chain rewritten.

    Returns the problems in the current language (none when the chain still holds every link
    the head counted, with the same hash at its position).
    """
    if not seal_holds(key, head.fields(), head.seal):
        return [N_("the checkpoint of {at} is not sealed with this installation's key (altered, or from "
                   "another installation)", at=head.at).render()]
    if head.count > len(links):
        return [Msg(texts.truncated.msgid, {**texts.truncated.params, "have": len(links), "count": head.count,
                                            "at": head.at}).render()]
    if head.count and links[head.count - 1].content_hash != head.last_hash:
        return [Msg(texts.rewritten.msgid, {**texts.rewritten.params, "seq": head.count,
                                            "at": head.at}).render()]
    return []


@dataclass(frozen=True)
class ChainBreak:
    """One place where the chain does not hold."""

    seq: int
    code: str
    problem: str  # in the current language (the reader's, or the organisation's for a command)


UNSEALED = N_("not sealed (written before seals: run 'engagement seal-chains' once)")
FORGED = N_("its seal does not match: changed outside the application")
TRUNCATED = N_("{have} records where the checkpoint of {at} counted {count}: the newest were deleted")
REWRITTEN = N_("record #{seq} no longer has the hash the checkpoint of {at} recorded: the chain was rewritten")


@dataclass(frozen=True)
class BreakTexts:
    """How the problems read for one kind of record (messages, rendered when reported).

    ``missing`` has the placeholders ``{first}`` and ``{last}`` (the sequence numbers missing).
    """

    missing: Msg
    unlinked: Msg
    changed: Msg
    unsealed: Msg = UNSEALED
    forged: Msg = FORGED
    truncated: Msg = TRUNCATED
    rewritten: Msg = REWRITTEN


def find_breaks(links: list[ChainLink], *, texts: BreakTexts, start_hash: str = GENESIS_HASH,
                start_seq: int = 1, key: bytes | None = None) -> list[ChainBreak]:
    """Walk the chain in order and report every link that does not hold.

    A link breaks when its content no longer gives its stored hash (the row was edited),
    when it does not point at the previous link's hash, or when a link is missing.

    Args:
        links: the records in chain order.
        texts: the owner's wording of the problems.
        start_hash: the hash the first link must follow (a later start checks a part of a chain).
        start_seq: the sequence number the first link must have.
        key: the chain key: each link's seal is checked too (over ``link.sealed``).
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
        if key is not None:
            if not link.seal:
                breaks.append(ChainBreak(link.seq, link.code, texts.unsealed.render()))
            elif not seal_holds(key, link.sealed or {}, link.seal):
                breaks.append(ChainBreak(link.seq, link.code, texts.forged.render()))
        expected_prev, expected_seq = link.content_hash, link.seq + 1
    return breaks
