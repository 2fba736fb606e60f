"""The tab take-over (``engagement.cluster.takeover``) on a real Redis, without the app.

Two token managers stand for two app processes; a process that died is one whose probe
listener is gone (its Redis connections closed with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import pytest

from tests.cluster.conftest import REDIS_URL


def _manager():
    from redis.asyncio import Redis
    from reflex.utils.token_manager import RedisTokenManager

    return RedisTokenManager(Redis.from_url(REDIS_URL))


async def _scenario(owner_alive: bool, owner_holds_socket: bool) -> tuple[str | None, bool]:
    from engagement.cluster import takeover

    dead, live = _manager(), _manager()
    token = os.urandom(16).hex()
    await dead.link_token_to_sid(token, "sid-on-the-first-process")
    lock = f"{token}_lock".encode()  # Reflex: f"{token.lock_key}_lock", lock_key = the tab token
    await dead.redis.set(lock, b"held", px=10_000)
    listener = None
    if owner_alive:
        listener = asyncio.create_task(takeover._answer_probes(dead))
        await asyncio.sleep(0.3)  # subscribed
        if not owner_holds_socket:
            dead.token_to_socket.pop(token)
    takeover.wrap(live)
    try:
        new_token = await live.link_token_to_sid(token, "sid-on-the-second-process")
        lock_left = bool(await live.redis.exists(lock))
    finally:
        if listener:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        await live.redis.delete(lock, live._get_redis_key(token))
        await dead.close()
        await live.close()
    return new_token, lock_left


@pytest.fixture(autouse=True)
def _redis() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc})")


def test_a_tab_of_a_dead_process_keeps_its_token_and_its_state_lock_is_freed():
    new_token, lock_left = asyncio.run(_scenario(owner_alive=False, owner_holds_socket=False))
    assert new_token is None
    assert not lock_left


def test_a_live_process_that_lost_the_socket_lets_the_tab_keep_its_token():
    new_token, _ = asyncio.run(_scenario(owner_alive=True, owner_holds_socket=False))
    assert new_token is None


def test_a_real_duplicate_tab_still_gets_a_new_token_and_the_lock_is_kept():
    new_token, lock_left = asyncio.run(_scenario(owner_alive=True, owner_holds_socket=True))
    assert new_token is not None
    assert lock_left
