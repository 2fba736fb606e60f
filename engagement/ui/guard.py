"""The socket's front door: what a client sends is looked at before Reflex queues it.

Any client can send any event over the socket. Three kinds are refused here, each with ONE
log line (no traceback), before the event reaches a state:

* a flood: more events than a per-connection token bucket allows (generous: a person
  clicking or typing never meets it; a script sending thousands a second does, and then
  waits without slowing everyone else down);
* ``setvar`` of a var that has no setter (Reflex would raise and log a traceback);
* a call of an upload handler over the socket: real uploads arrive through ``/_upload``
  (HTTP), never as a socket event, so such an event can only carry a dict or a string.

Installed by ``install`` (a lifespan task of the app): it wraps the app's socket namespace.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
import typing
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("engagement.guard")

#: Per connection: a burst of this many events, refilled at this many per second.
BURST = 120
RATE_PER_SECOND = 30.0
#: At most this many connections are tracked (the oldest forgotten first).
MAX_TRACKED = 50_000
#: A refused client is logged at most once in this many seconds.
LOG_EVERY_SECONDS = 10.0


@dataclass
class Bucket:
    """A token bucket: ``tokens`` left at ``at`` (monotonic seconds)."""

    tokens: float
    at: float
    dropped: int = 0
    logged_at: float = float("-inf")


class RateLimiter:
    """Token buckets keyed by connection; ``allow`` takes one token or says no."""

    def __init__(self, *, burst: int = BURST, rate: float = RATE_PER_SECOND, max_tracked: int = MAX_TRACKED) -> None:
        self.burst, self.rate, self.max_tracked = burst, rate, max_tracked
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def allow(self, key: str, now: float) -> bool:
        """Whether the connection ``key`` may send one more event at ``now``."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(tokens=float(self.burst), at=now)
            if len(self._buckets) > self.max_tracked:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        bucket.dropped += 1
        if now - bucket.logged_at >= LOG_EVERY_SECONDS:
            logger.warning("connection %s sends events too fast: %d dropped so far", key, bucket.dropped)
            bucket.logged_at = now
        return False

    def forget(self, key: str) -> None:
        """The connection closed."""
        self._buckets.pop(key, None)


@functools.lru_cache(maxsize=4096)
def _handler(name: str) -> tuple[type, str, Any] | None:
    """The State class, handler name and handler of an event name, or None when there is none."""
    from reflex.state import State

    path, _sep, handler_name = (name or "").rpartition(".")
    if not path:
        return None
    try:
        cls = State.get_class_substate(path)
    except ValueError:
        return None
    handler = cls.event_handlers.get(handler_name)
    return (cls, handler_name, handler) if handler is not None else None


@functools.lru_cache(maxsize=4096)
def _takes_uploads(handler: Any) -> bool:
    """Whether any parameter of a handler is a list of uploaded files."""
    import reflex as rx

    try:
        hints = typing.get_type_hints(handler.fn)
    except Exception:  # an unresolvable hint: not one of our upload handlers
        return False
    for hint in hints.values():
        if typing.get_origin(hint) is list and any(
                isinstance(arg, type) and issubclass(arg, rx.UploadFile) for arg in typing.get_args(hint)):
            return True
    return False


def refusal(data: Any) -> str | None:
    """Why a socket event must not be processed (one log line's worth), or None.

    Only the two shapes Reflex cannot refuse quietly are judged here; everything else goes on
    to Reflex (which refuses unknown handlers itself) and to the handler's own checks.
    """
    if not isinstance(data, dict):
        return None
    name = data.get("name")
    if not isinstance(name, str):
        return None
    found = _handler(name)
    if found is None:
        return None
    cls, handler_name, handler = found
    payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
    if handler_name == "setvar":
        var = payload.get("var_name")
        if not isinstance(var, str) or getattr(cls, f"set_{var}", None) is None:
            return f"setvar of {cls.__name__}.{str(var)[:60]!s}, which has no setter"
        return None
    if _takes_uploads(handler):
        return f"upload handler {cls.__name__}.{handler_name} called over the socket"
    return None


class EventGuard:
    """Wraps a Reflex event namespace's ``on_event`` and ``on_disconnect``."""

    def __init__(self, namespace: Any, limiter: RateLimiter | None = None,
                 clock: typing.Callable[[], float] = time.monotonic) -> None:
        self.namespace = namespace
        self.limiter = limiter or RateLimiter()
        self.clock = clock
        self._on_event = namespace.on_event
        self._on_disconnect = namespace.on_disconnect
        # python-socketio may pass a disconnect reason that Reflex's handler does not take.
        params = inspect.signature(self._on_disconnect).parameters.values()
        self._disconnect_extra = (99 if any(p.kind is p.VAR_POSITIONAL for p in params)
                                  else max(0, len(params) - 1))

    async def on_event(self, sid: str, data: Any) -> None:
        """Refuse a flood, a setvar without setter or a socket upload; pass everything else on."""
        if not self.limiter.allow(sid, self.clock()):
            return None
        why = refusal(data)
        if why is not None:
            logger.warning("event refused from connection %s: %s", sid, why)
            return None
        return await self._on_event(sid, data)

    def on_disconnect(self, sid: str, *args: Any) -> Any:
        """Forget the connection's bucket, then let Reflex clean up (with the arguments it takes)."""
        self.limiter.forget(sid)
        return self._on_disconnect(sid, *args[:self._disconnect_extra])


def guard(namespace: Any, limiter: RateLimiter | None = None) -> EventGuard:
    """Put an ``EventGuard`` in front of ``namespace`` (socket.io looks the handlers up by name)."""
    current = getattr(namespace, "_engagement_guard", None)
    if current is not None:
        return current
    wrapper = EventGuard(namespace, limiter)
    namespace.on_event = wrapper.on_event
    namespace.on_disconnect = wrapper.on_disconnect
    namespace._engagement_guard = wrapper
    return wrapper


def install(app: Any) -> None:
    """Lifespan task: guard the app's socket namespace (created before the lifespan starts)."""
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        logger.warning("no socket namespace to guard: the event rate limit is off")
        return
    guard(namespace)
