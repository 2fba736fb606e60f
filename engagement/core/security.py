"""Passwords and session tokens.

Argon2id at OWASP's minimum (19 MiB, t=2, p=1) costs about 26 ms here, against 150 ms for
the library defaults; hashing still always runs off the event loop (callers use a thread).
"""

from __future__ import annotations

import hashlib
import secrets
import string

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
