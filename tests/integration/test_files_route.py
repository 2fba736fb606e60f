"""The authorised file route serves a file only to whom its feature allows."""

from __future__ import annotations

import contextlib

from sqlmodel import Session
from starlette.testclient import TestClient

from engagement.core import files
from engagement.ui import files as ui_files
from tests import factories
from tests.integration._hashing import fast_hashing  # noqa: F401


def test_file_is_served_only_to_allowed_readers(engine, session, now, monkeypatch):
    admin = factories.admin(session, now)
    stored = files.save(session, clean=files.CleanFile(b"\xff\xd8 photo", "image/jpeg", "jpg"),
                        purpose="test.photo", name="ảnh hoạt động", actor=admin, now=now)
    hidden = files.save(session, clean=files.CleanFile(b"%PDF-1.4", "application/pdf", "pdf"),
                        purpose="test.unregistered", name="scan", actor=admin, now=now)
    token = factories.login(session, "admin", now=now).token
    session.commit()

    @contextlib.contextmanager
    def read_only():
        with Session(engine) as s:
            yield s

    monkeypatch.setattr(ui_files, "read_only", read_only)
    monkeypatch.setattr(ui_files.clock, "now", lambda: now)
    ui_files.register("test.photo", lambda s, actor, row: actor is not None and actor.username == "admin")
    client = TestClient(ui_files.build_api())

    assert client.get(f"/files/{stored.id}").status_code == 404  # anonymous
    client.cookies.set(ui_files.SESSION_COOKIE, "forged-token")
    assert client.get(f"/files/{stored.id}").status_code == 404
    client.cookies.set(ui_files.SESSION_COOKIE, token)
    ok = client.get(f"/files/{stored.id}")
    assert ok.status_code == 200
    assert ok.content == b"\xff\xd8 photo"
    assert ok.headers["content-type"] == "image/jpeg"
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/files/{hidden.id}").status_code == 404  # no feature claims it
    assert client.get("/files/999999").status_code == 404
