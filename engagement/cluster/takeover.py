"""A tab whose app process died continues on another process with the same tab token.

Reflex (0.10, Redis token manager) records in Redis which process holds each tab's socket
(``token_manager_socket_record_<token>``, kept an hour). A clean disconnect deletes the
record; a process killed with ``kill -9`` (or a crash, or a power cut) leaves it behind. When
the tab reconnects through the balancer to a live process, Reflex sees the record, takes the
tab for a duplicated browser tab and hands it a NEW token: the tab's state (its login
included) is left behind under the old one.

This lifespan task asks the recorded owner before that happens. Every process listens on its
own probe channel; a process that finds a record owned by another one publishes a probe
there. PUBLISH answers how many listeners received it: none means the owner is gone (its
Redis connection closed with it), at once. A live owner answers whether it still holds that
socket; no answer within ``PROBE_TIMEOUT`` (a host that vanished without closing its
connections) also counts as gone. Only then is the stale record removed (with the tab's state
locks, which only the dead process can hold), so Reflex links the tab to its old token and
state. A real duplicate tab (the owner answers yes) still gets a new token, as before.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import pickle
import uuid
from typing import Any

logger = logging.getLogger("engagement.cluster")

#: Seconds to wait for a live owner's answer before taking its record for stale.
PROBE_TIMEOUT = 1.0
_PROBE_CHANNEL = "engagement_socket_probe_{instance}"
_REPLY_KEY = "engagement_socket_probe_reply_{id}"


def _record_key(manager: Any, token: str) -> str:
    return manager._get_redis_key(token)


async def owner_holds(manager: Any, record: Any, token: str) -> bool:
    """Whether the process ``record`` names still holds the tab's socket.

    Args:
        manager: the Redis token manager of this process.
        record: the socket record found in Redis (``instance_id``, ``sid``).
        token: the tab token.

    Returns:
        False when nobody listens on the owner's channel, the owner says no, or it does not
        answer in time; True when it answers that the socket is still its own.
    """
    reply = _REPLY_KEY.format(id=uuid.uuid4().hex)
    probe = json.dumps({"token": token, "sid": record.sid, "reply": reply})
    listeners = await manager.redis.publish(_PROBE_CHANNEL.format(instance=record.instance_id), probe)
    if not listeners:
        return False
    answer = await manager.redis.blpop([reply], timeout=PROBE_TIMEOUT)
    return answer is not None and answer[1] == b"1"


async def _reclaim_if_stale(manager: Any, token: str) -> None:
    """Remove the token's socket record when its owner is another process that lost it."""
    raw = await manager.redis.get(_record_key(manager, token))
    if not raw:
        return
    try:
        record = pickle.loads(raw)  # noqa: S301 - written by Reflex itself into our private Redis
    except Exception:
        return
    if record.instance_id == manager.instance_id or await owner_holds(manager, record, token):
        return
    # The dead process may have died inside one of the tab's events, holding the tab's state
    # lock (Reflex's Redis manager, ``<token>_lock``): the tab's next event would wait up to
    # ``redis_lock_expiration`` (10 s). A tab's events run where its socket is, so the lock can
    # only be the dead process's; the event it was running was lost with it (never
    # acknowledged, its transaction rolled back).
    await manager.redis.delete(_record_key(manager, token), f"{token}_lock")
    logger.info("tab %s… reconnected after its process was lost; it keeps its state", token[:8])


async def _answer_probes(manager: Any) -> None:
    """Answer other processes' probes about sockets this process holds (runs for ever)."""
    async with manager.redis.pubsub() as pubsub:
        await pubsub.subscribe(_PROBE_CHANNEL.format(instance=manager.instance_id))
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                probe = json.loads(message["data"])
                token, sid, reply = str(probe["token"]), str(probe["sid"]), str(probe["reply"])
            except (ValueError, KeyError, TypeError):
                continue
            if not reply.startswith(_REPLY_KEY.format(id="")):
                continue
            mine = manager.token_to_socket.get(token)
            held = mine is not None and mine.sid == sid and mine.instance_id == manager.instance_id
            await manager.redis.lpush(reply, b"1" if held else b"0")
            await manager.redis.expire(reply, 10)


def wrap(manager: Any) -> None:
    """Make ``manager.link_token_to_sid`` reclaim a dead process's record first."""
    original = manager.link_token_to_sid
    if getattr(original, "_engagement_takeover", False):
        return

    @functools.wraps(original)
    async def link_token_to_sid(token: str, sid: str) -> str | None:
        known = manager.token_to_socket.get(token)
        if known is None or known.sid != sid:
            try:
                await _reclaim_if_stale(manager, token)
            except Exception:  # Redis trouble: Reflex's own handling decides, as before
                logger.exception("could not check who holds tab %s…", token[:8])
        return await original(token, sid)

    link_token_to_sid._engagement_takeover = True  # type: ignore[attr-defined]
    manager.link_token_to_sid = link_token_to_sid


async def install(app: Any) -> None:
    """Lifespan task: reclaim dead processes' tabs, and answer probes about our own."""
    from reflex.utils.token_manager import RedisTokenManager

    namespace = getattr(app, "event_namespace", None)
    manager = getattr(namespace, "_token_manager", None)
    if not isinstance(manager, RedisTokenManager):
        return  # one process without Redis: there is nobody to take over from
    wrap(manager)
    while True:
        try:
            await _answer_probes(manager)
        except asyncio.CancelledError:
            raise
        except Exception:  # the probe listener must outlive a Redis restart
            logger.exception("socket probe listener stopped; restarting in 1 s")
        await asyncio.sleep(1)
