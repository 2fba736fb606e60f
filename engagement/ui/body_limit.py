"""A cap on the size of an upload request's body, before anything reads it (issue 18).

Reflex's ``/_upload`` route parses the multipart body (``request.form()``) before the handler
runs: Starlette spools every file part to disk with no limit, so one anonymous request could
fill the disk or keep a worker busy for minutes, long before ``ui/uploads.read_upload`` checks
who is asking and how large the file is. This ASGI middleware (``rx.App(api_transformer=...)``)
refuses a larger body up front:

- a ``Content-Length`` above the cap gets ``413`` at once, the body unread;
- a body without a length (chunked) is counted as it arrives; past the cap the app is told the
  client left (``http.disconnect``: Starlette stops parsing) and the client gets ``413``.

The cap is the largest request a page may send: ``MAX_FILES`` files of ``MAX_UPLOAD_BYTES``
(the good-models form) plus room for the multipart framing. Other routes are not touched: the
socket, pages and the files route carry no large bodies.
"""

from __future__ import annotations

from typing import Any

from engagement.core import i18n
from engagement.core.files import MAX_UPLOAD_BYTES
from engagement.core.i18n import N_
from engagement.good_models.rules import MAX_FILES

ASGIApp = Any
Message = dict[str, Any]

#: Multipart framing (boundaries, part headers, the handler's bound arguments) beyond the files.
FRAMING_BYTES = 1024 * 1024
#: The largest upload request body accepted.
MAX_UPLOAD_REQUEST_BYTES = MAX_FILES * MAX_UPLOAD_BYTES + FRAMING_BYTES

#: The refusal, in the browser's language (``Accept-Language``), else the organisation's.
_TOO_LARGE = N_("The upload is larger than {mb} MB; send fewer or smaller files.",
                mb=MAX_UPLOAD_REQUEST_BYTES // 1048576)


def _is_upload(path: str) -> bool:
    return path.rstrip("/").endswith("/_upload")


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def _accept_language(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"accept-language":
            return value.decode("latin-1")
    return ""


async def _refuse(scope: dict[str, Any], send: Any) -> None:
    text = i18n.render(_TOO_LARGE, i18n.negotiate(_accept_language(scope))).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(text)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text, "more_body": False})


def cap_upload_bodies(app: ASGIApp, *, limit: int = MAX_UPLOAD_REQUEST_BYTES) -> ASGIApp:
    """Wrap an ASGI app so that an upload request's body is never read past ``limit`` bytes."""

    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _is_upload(scope.get("path", "")):
            await app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and (length < 0 or length > limit):
            await _refuse(scope, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's own answer to a "disconnect" is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, counting_receive, tracking_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(scope, send)

    return middleware
