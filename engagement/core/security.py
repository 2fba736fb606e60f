"""Passwords and session tokens.

Argon2id at OWASP's minimum (19 MiB, t=2, p=1) costs about 26 ms here, against 150 ms for
the library defaults. Hashing never runs on the event loop, nor inside a database
transaction (issue 19: inside SQLite's ``BEGIN IMMEDIATE`` it serialised every login and
stalled every writer): callers read what they need, hash with ``in_hash_pool`` (a small
executor of its own, one thread per core, so a login rush never takes the threads the
database reads and Reflex's state writes queue on), then write briefly.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import secrets
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from passlib.context import CryptContext

_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# A valid hash of a random password: verifying against it when the username is unknown
# costs the same time as a real check, so response time does not reveal which names exist.
_DUMMY_HASH = _context.hash(secrets.token_urlsafe(16))


T = TypeVar("T")

#: argon2 uses one core per hash (p=1) and releases the GIL: more threads than cores only queue.
HASH_THREADS = max(1, os.cpu_count() or 1)


@functools.cache
def _hash_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="argon2")


async def in_hash_pool(fn: Callable[..., T], /, *args: object) -> T:
    """Run ``fn(*args)`` (a password hash or check) on the hashing threads, awaiting it."""
    return await asyncio.get_running_loop().run_in_executor(_hash_pool(), fn, *args)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; takes the same time whether or not a hash exists."""
    if not password_hash:
        _context.verify(password, _DUMMY_HASH)
        return False
    try:
        return _context.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def new_token() -> str:
    """A random 256-bit session token for the browser to hold."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database stores for a token (SHA-256; the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_TEMP_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def temporary_password() -> str:
    """A one-time password an admin can read out: 12 characters, no look-alike letters."""
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))
