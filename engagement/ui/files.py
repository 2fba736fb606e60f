"""The authorised file route: ``/files/<id>`` serves a stored file to whoever may see it.

Reflex's ``/_upload`` folder is public, so evidence never goes there. Each feature
registers, per file purpose, a function that decides from the database whether an actor
may read a file (e.g. "the photo of an activity in a unit the actor can see"). A file
whose purpose nobody registered, a caller the feature refuses, and a missing file all get
the same 404, so ids cannot be probed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import quote

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from engagement.core import clock, i18n
from engagement.core.access import Actor
from engagement.core.db import read_only
from engagement.core.files import StoredFile
from engagement.org import sessions as org_sessions
from engagement.ui.auth import SESSION_COOKIE

FILES_PREFIX = "/files"
NOT_FOUND = i18n.N_("Not found")

FileReader = Callable[[Session, Actor | None, StoredFile], bool]
_readers: dict[str, FileReader] = {}


def register(purpose: str, reader: FileReader) -> None:
    """Let ``reader`` decide who may see files stored with ``purpose``."""
    _readers[purpose] = reader


def file_url(file_id: int) -> str:
    """The URL a page uses in ``<img src>`` or a download link."""
    return f"{FILES_PREFIX}/{file_id}"


def _fetch(token: str, file_id: int) -> tuple[bytes, str, str] | None:
    with read_only() as session:
        actor = org_sessions.resolve_actor(session, token=token, now=clock.now())
        row = session.get(StoredFile, file_id)
        if row is None:
            return None
        reader = _readers.get(row.purpose)
        if reader is None or not reader(session, actor, row):
            return None
        return row.data, row.content_type, row.filename


def _not_found(request: Request) -> Response:
    """The one 404 of the route, in the browser's language."""
    lang = i18n.negotiate(request.headers.get("accept-language"))
    return PlainTextResponse(NOT_FOUND.render(lang), status_code=404, headers={"Content-Language": lang})


async def serve_file(request: Request) -> Response:
    """GET /files/<id>: the bytes, or 404 for anything not allowed."""
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        file_id = int(request.path_params["file_id"])
    except (KeyError, ValueError):
        return _not_found(request)
    found = await asyncio.to_thread(_fetch, token, file_id)
    if found is None:
        return _not_found(request)
    data, content_type, filename = found
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def build_api() -> Starlette:
    """The Starlette app Reflex mounts its own API into (``rx.App(api_transformer=...)``)."""
    return Starlette(routes=[Route(FILES_PREFIX + "/{file_id:int}", serve_file, methods=["GET"])])
