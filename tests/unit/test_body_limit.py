"""The upload body cap (issue 18): an upload request larger than the cap is refused before it is read."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from engagement.ui.body_limit import MAX_UPLOAD_REQUEST_BYTES, cap_upload_bodies


def _multipart(size: int) -> tuple[bytes, bytes]:
    boundary = b"xyzBOUNDARYxyz"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n" + b"\0" * size + b"\r\n--" + boundary + b"--\r\n")
    return body, b"multipart/form-data; boundary=" + boundary


def _app(seen: dict[str, Any]) -> Starlette:
    async def upload(request: Request) -> PlainTextResponse:
        form = await request.form()
        seen["files"] = len(form.getlist("files"))
        return PlainTextResponse("ok")

    async def other(request: Request) -> PlainTextResponse:
        seen["other"] = len(await request.body())
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/_upload", upload, methods=["POST"]), Route("/other", other, methods=["POST"])])


def _call(app: Any, path: str, body: bytes, content_type: bytes, *, chunk: int = 65536,
          with_length: bool = True) -> tuple[int, bytes, int]:
    """POST ``body`` to ``app`` in chunks; the status, the body and how many bytes the app pulled."""
    headers = [(b"content-type", content_type)]
    if with_length:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("c", 1)}
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pieces:
            piece = pieces.pop(0)
            pulled += len(piece)
            return {"type": "http.request", "body": piece, "more_body": bool(pieces)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, payload, pulled


def test_an_upload_within_the_cap_reaches_the_handler() -> None:
    seen: dict[str, Any] = {}
    body, kind = _multipart(200_000)
    status, payload, _ = _call(cap_upload_bodies(_app(seen), limit=1_000_000), "/_upload", body, kind)
    assert (status, payload, seen["files"]) == (200, b"ok", 1)


def test_a_declared_length_above_the_cap_is_refused_unread() -> None:
    seen: dict[str, Any] = {}
    body, kind = _multipart(2_000_000)
    status, payload, pulled = _call(cap_upload_bodies(_app(seen), limit=1_000_000), "/_upload", body, kind)
    assert status == 413 and b"smaller files" in payload
    assert pulled == 0 and "files" not in seen


def test_a_chunked_body_is_cut_off_at_the_cap() -> None:
    seen: dict[str, Any] = {}
    body, kind = _multipart(5_000_000)
    status, _, pulled = _call(cap_upload_bodies(_app(seen), limit=1_000_000), "/_upload", body, kind,
                              with_length=False)
    assert status == 413 and "files" not in seen
    assert pulled <= 1_000_000 + 65536


def test_other_routes_are_not_capped() -> None:
    seen: dict[str, Any] = {}
    body = b"x" * 2_000_000
    status, _, _ = _call(cap_upload_bodies(_app(seen), limit=1_000_000), "/other", body, b"text/plain")
    assert status == 200 and seen["other"] == 2_000_000


def test_the_cap_admits_the_largest_form_of_the_app() -> None:
    from engagement.core.files import MAX_UPLOAD_BYTES
    from engagement.good_models.rules import MAX_FILES

    assert MAX_UPLOAD_REQUEST_BYTES > MAX_FILES * MAX_UPLOAD_BYTES
