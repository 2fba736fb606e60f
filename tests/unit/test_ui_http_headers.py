"""The security headers middleware (engagement/ui/http.py) on a small Starlette app."""

from __future__ import annotations

import base64
import gzip
import hashlib

import pytest
from starlette.applications import Starlette
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from engagement.ui.http import inline_script_hashes, policy, security_headers

PAGE = (b"<!DOCTYPE html><html><head><script>window.a = 1;</script>"
        b'<script type="module" async="">import "/assets/x.js";</script>'
        b'<script src="/assets/y.js"></script></head><body><script>window.a = 1;</script></body></html>')


def _sha(text: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode() + "'"


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split("; ")}


@pytest.fixture
def client(tmp_path) -> TestClient:
    page_file = tmp_path / "page.html"
    page_file.write_bytes(PAGE)

    async def page(_request):
        return Response(PAGE, media_type="text/html")

    async def zipped(_request):
        return Response(gzip.compress(PAGE), media_type="text/html; charset=utf-8",
                        headers={"Content-Encoding": "gzip"})

    async def file_page(_request):
        return FileResponse(page_file, media_type="text/html")

    async def api(_request):
        return PlainTextResponse("pong")

    async def own_policy(_request):
        return Response(b"img", media_type="image/png", headers={"Content-Security-Policy": "default-src 'none'"})

    async def socket(websocket):
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    app = Starlette(routes=[Route("/page", page), Route("/zipped", zipped), Route("/file", file_page),
                            Route("/ping", api), Route("/files/1", own_policy), WebSocketRoute("/_event", socket),
                            Mount("/static", StaticFiles(directory=tmp_path, html=True))])
    return TestClient(security_headers(app))


def test_inline_scripts_are_hashed_once_each_and_external_ones_not() -> None:
    assert inline_script_hashes(PAGE) == [_sha(b"window.a = 1;"), _sha(b'import "/assets/x.js";')]


def test_a_page_allows_exactly_its_own_inline_scripts(client: TestClient) -> None:
    response = client.get("/page")
    assert response.content == PAGE
    script_src = _directives(response.headers["content-security-policy"])["script-src"]
    # 'unsafe-eval': Reflex's rx.call_script evaluates the scripts its server sends (ui/http.py).
    assert script_src == ["'self'", "'unsafe-eval'", _sha(b"window.a = 1;"), _sha(b'import "/assets/x.js";')]
    assert "'unsafe-inline'" not in script_src


@pytest.mark.parametrize("path", ["/zipped", "/file"])
def test_gzip_and_file_pages_are_hashed_from_their_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.content == PAGE  # the test client unzips
    assert _sha(b"window.a = 1;") in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/page", "/zipped", "/ping", "/missing"])
def test_every_response_refuses_framing_and_sniffing(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    csp = _directives(headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]


def test_a_route_keeps_its_own_stricter_policy(client: TestClient) -> None:
    headers = client.get("/files/1").headers
    assert headers["content-security-policy"] == "default-src 'none'"
    assert headers["x-frame-options"] == "DENY"


def test_a_non_page_response_has_no_inline_script_allowed(client: TestClient) -> None:
    script_src = _directives(client.get("/ping").headers["content-security-policy"])["script-src"]
    assert script_src == ["'self'", "'unsafe-eval'"]
    assert policy() == client.get("/ping").headers["content-security-policy"]


def test_websockets_pass_through(client: TestClient) -> None:
    with client.websocket_connect("/_event") as ws:
        assert ws.receive_text() == "hello"


def test_a_page_sent_by_path_is_read_and_hashed(tmp_path) -> None:
    """Granian sends static files by path (``http.response.pathsend``): the page is read from it."""
    import asyncio

    page_file = tmp_path / "page.html"
    page_file.write_bytes(PAGE)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.pathsend", "path": str(page_file)})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [],
             "extensions": {"http.response.pathsend": {}}}
    asyncio.run(security_headers(app)(scope, receive, send))
    headers = dict(sent[0]["headers"])
    assert _sha(b"window.a = 1;").encode() in headers[b"content-security-policy"]
    assert sent[1] == {"type": "http.response.body", "body": PAGE, "more_body": False}


def test_a_not_modified_page_keeps_its_cached_policy(client: TestClient) -> None:
    """A 304 carries no policy: one without the page's hashes would replace the cached page's."""
    first = client.get("/static/page.html")
    assert _sha(b"window.a = 1;") in first.headers["content-security-policy"]
    response = client.get("/static/page.html", headers={"If-None-Match": first.headers["etag"]})
    assert response.status_code == 304
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"
