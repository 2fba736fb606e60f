"""Cheap argon2 parameters for tests that create many accounts.

Import ``fast_hashing`` into a test module to use it there (it is autouse). The hashes stay
real argon2id hashes checked by the real code; only the cost parameters are lowered, so a
login costs well under a millisecond instead of ~30 ms.
"""

from __future__ import annotations

import pytest
from passlib.context import CryptContext

from engagement.core import security

PRODUCTION_CONTEXT = security._context  # kept to check the real parameters

_FAST = CryptContext(schemes=["argon2"], argon2__type="ID", argon2__memory_cost=8,
                     argon2__time_cost=1, argon2__parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and verify passwords with minimal argon2id cost for the duration of a test."""
    monkeypatch.setattr(security, "_context", _FAST)
