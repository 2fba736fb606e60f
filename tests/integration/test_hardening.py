"""Issue 18 through the app's own states, as the browser (or an attacker) calls them: uploads
checked before reading, login limits keyed on the real client behind a proxy, the password
change throttled, the socket's front door."""

from __future__ import annotations

import asyncio
import io
import logging
from types import SimpleNamespace

import pytest
from PIL import Image
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import Session, func, select

from engagement.core import files
from engagement.org.models import LoginAttempt
from engagement.settings import get_settings
from engagement.ui import client as ui_client
from engagement.ui import guard
from engagement.ui.auth import AuthState, LoginState, PasswordState
from tests import factories as f


class Upload:
    """An uploaded file as Reflex hands it over: read in chunks, counting what was read."""

    def __init__(self, data: bytes | None = None, *, endless: bool = False, filename: str = "photo.png") -> None:
        self.data, self.endless, self.filename = data or b"", endless, filename
        self.pos = 0
        self.read_bytes = 0
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.endless:
            want = size if size > 0 else 1 << 20
            chunk = (b"\x89PNG" * (want // 4 + 1))[:want]
        else:
            end = len(self.data) if size < 0 else self.pos + size
            chunk, self.pos = self.data[self.pos:end], min(end, len(self.data))
        self.read_bytes += len(chunk)
        return chunk


@pytest.fixture
def app_db(app_db):
    """The demo organisation with its green slice (so the photo handler has a campaign)."""
    from engagement.core import clock
    from engagement.green.demo import seed_demo as seed_green

    with Session(app_db) as s:
        seed_green(s, now=clock.now())
        s.commit()
    return app_db


@pytest.fixture
def decoded(monkeypatch):
    """Every image decode by ``files.clean_image``, recorded."""
    calls: list[int] = []
    real = files.clean_image

    def spy(data, **kw):
        calls.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(files, "clean_image", spy)
    return calls


def _anonymous(cls: type) -> State:
    root = State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (8900, 8900)).save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- uploads ---------------------------------------------------------------------------------


def test_an_anonymous_upload_is_refused_before_reading_or_decoding(app_db, decoded):
    from engagement.green.state import GreenState

    state = _anonymous(GreenState)
    bomb = Upload(_bomb())
    f.run_handler(state, "attach_photo", [bomb])
    assert "log in" in state.error.lower()
    assert bomb.reads == 0 and decoded == [] and state.photo_info == ""


def _upload_handlers() -> list[tuple[type, str]]:
    from tests.integration.test_handler_security import all_handlers

    return [(cls, name) for cls, name in all_handlers()
            if name != "setvar" and guard._takes_uploads(cls.event_handlers[name])]


def _run(state: State, name: str, *args) -> None:
    result = type(state).event_handlers[name].fn(state, *args)

    async def drain() -> None:
        if hasattr(result, "__aiter__"):
            async for _ in result:
                pass
        else:
            await result

    asyncio.run(drain())


def test_every_upload_handler_is_found():
    names = {f"{cls.__name__}.{name}" for cls, name in _upload_handlers()}
    assert {"GreenState.attach_photo", "ImportState.upload", "CampaignsState.submit_paper", "AwardsState.upload",
            "RatingsState.import_file", "InitiativesState.attach_document"} <= names


def test_no_upload_handler_reads_a_byte_for_an_anonymous_caller(app_db, decoded):
    for cls, name in _upload_handlers():
        upload = Upload(endless=True)
        _run(_anonymous(cls), name, [upload])
        assert upload.reads == 0, f"{cls.__name__}.{name} read an anonymous upload"
    assert decoded == []


@pytest.mark.parametrize(("module", "cls_name", "handler"), [
    ("engagement.org.state", "ImportState", "upload"),
    ("engagement.commitments.state", "CampaignsState", "submit_paper"),
    ("engagement.commendations.officer_state", "AwardsState", "upload"),
    ("engagement.commendations.state", "RatingsState", "import_file"),
    ("engagement.commendations.state", "InitiativesState", "attach_document"),
    ("engagement.commendations.nomination_state", "DossierState", "keep_upload"),
])
def test_upload_handlers_check_the_permission_before_reading(app_db, decoded, module, cls_name, handler):
    import importlib

    cls = getattr(importlib.import_module(module), cls_name)
    state = f.app_state(app_db, cls, "staff")  # a plain civil servant: none of these is theirs
    upload = Upload(endless=True)
    _run(state, handler, [upload])
    assert upload.reads == 0 and decoded == []


def test_a_staff_member_may_attach_a_green_photo_and_a_bomb_is_refused_cheaply(app_db, decoded):
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    f.run_handler(state, "load")
    f.run_handler(state, "attach_photo", [Upload(f.png(size=(120, 80)))])
    assert state.error == "" and state.photo_info.startswith("Photo ready")
    f.run_handler(state, "attach_photo", [Upload(_bomb(), filename="bomb.png")])
    assert "million pixels" in state.error and state.photo_info == ""


def test_an_endless_upload_is_read_only_to_the_limit_plus_one_byte(app_db, decoded):
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    endless = Upload(endless=True)
    f.run_handler(state, "attach_photo", [endless])
    assert state.error.startswith("The photo is larger than 10 MB")
    assert endless.read_bytes == files.MAX_UPLOAD_BYTES + 1 and decoded == []


@pytest.mark.parametrize("hostile", [{"name": "x.png", "data": "AAAA"}, "files", [{"read": 1}], 42])
def test_an_upload_handler_called_with_something_else_than_files_says_one_line(app_db, caplog, hostile):
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    with caplog.at_level(logging.WARNING, logger="engagement.uploads"):
        f.run_handler(state, "attach_photo", hostile)
    assert state.error.startswith("The file could not be read")
    lines = [r for r in caplog.records if r.name == "engagement.uploads"]
    assert len(lines) == 1 and lines[0].exc_info is None and "instead of files" in lines[0].getMessage()


# --- the client behind a proxy ---------------------------------------------------------------


def _routed(state: State, *, peer: str, forwarded: str = "") -> State:
    headers = {"asgi-scope-client": peer, "user-agent": "test"}
    if forwarded:
        headers["x-forwarded-for"] = forwarded
    state.router = RouterData.from_router_data({"headers": headers, "ip": peer, "pathname": "/login"})
    return state


@pytest.fixture
def proxies(monkeypatch):
    """Set ENGAGEMENT_TRUSTED_PROXIES for one test."""

    def use(value: str) -> None:
        monkeypatch.setenv("ENGAGEMENT_TRUSTED_PROXIES", value)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("ENGAGEMENT_TRUSTED_PROXIES", raising=False)
    get_settings.cache_clear()


def _login(engine, *, peer: str, forwarded: str = "", password: str = "wrong password", user: str = "admin"):
    state = _routed(_anonymous(LoginState), peer=peer, forwarded=forwarded)
    gen = LoginState.event_handlers["submit"].fn(state, {"username": user, "password": password})
    answers: list[object] = []

    async def drain():
        async for answer in gen:
            answers.append(answer)

    asyncio.run(drain())
    # Logged in: the handler answers with the script that hands the session to the cookie route.
    logged_in = any("/_session/start" in str(answer) for answer in answers)
    return SimpleNamespace(error=state.error, logged_in=logged_in)


def _client_keys(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count(func.distinct(LoginAttempt.client_key)))
                      .where(LoginAttempt.username == "admin", LoginAttempt.success.is_(False))).one()


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(app_db, proxies):
    from engagement.org.demo import DEMO_PASSWORD

    proxies("10.0.0.5")
    for _ in range(6):  # an attacker behind the proxy hammers admin
        _login(app_db, peer="10.0.0.5", forwarded="203.0.113.66")
    attacker = _login(app_db, peer="10.0.0.5", forwarded="203.0.113.66", password=DEMO_PASSWORD)
    assert "Too many failed attempts" in attacker.error and not attacker.logged_in
    # The real admin, through the same proxy from another address, logs in at once.
    owner = _login(app_db, peer="10.0.0.5", forwarded="198.51.100.7", password=DEMO_PASSWORD)
    assert owner.error == "" and owner.logged_in
    assert _client_keys(app_db) == 1  # every failure was the attacker's address, not the proxy's


def test_a_forged_forwarded_header_from_an_untrusted_peer_is_ignored(app_db, proxies):
    proxies("10.0.0.5")
    for i in range(5):  # a client reaching the app directly invents a new address each time
        _login(app_db, peer="203.0.113.66", forwarded=f"192.0.2.{i}")
    assert _client_keys(app_db) == 1


def test_hop_count_mode_reads_the_last_proxys_entry(app_db, proxies):
    from engagement.org.demo import DEMO_PASSWORD

    proxies("1")
    for _ in range(6):
        _login(app_db, peer="127.0.0.1", forwarded="6.6.6.6, 203.0.113.66")
    assert "Too many failed attempts" in _login(app_db, peer="127.0.0.1", forwarded="203.0.113.66",
                                                password=DEMO_PASSWORD).error
    assert _login(app_db, peer="127.0.0.1", forwarded="198.51.100.7", password=DEMO_PASSWORD).logged_in
    assert ui_client.trust().hops == 1


def test_without_the_setting_the_proxy_is_the_client(app_db, proxies):
    proxies("")
    _login(app_db, peer="10.0.0.5", forwarded="203.0.113.66")
    _login(app_db, peer="10.0.0.5", forwarded="198.51.100.7")
    assert _client_keys(app_db) == 1


# --- the password change ---------------------------------------------------------------------


def test_wrong_current_passwords_at_password_change_are_throttled(app_db):
    from engagement.org.demo import DEMO_PASSWORD

    state = _routed(f.app_state(app_db, PasswordState, "staff"), peer="198.51.100.9")
    form = {"current": "not my password", "new": "a brand new passphrase", "confirm": "a brand new passphrase"}
    with Session(app_db) as s:
        before = s.exec(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False))).one()
    for _ in range(3):
        f.run_handler(state, "submit", form)
        assert state.error == "Your current password is not right."
    with Session(app_db) as s:  # the failures were kept although the change was refused
        after = s.exec(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False))).one()
    assert after == before + 3
    f.run_handler(state, "submit", {**form, "current": DEMO_PASSWORD})
    assert "Too many failed attempts" in state.error and not state.done


# --- the socket's front door -----------------------------------------------------------------


class _Namespace:
    """Stands in for Reflex's event namespace: records what reaches it."""

    def __init__(self) -> None:
        self.seen: list[object] = []
        self.gone: list[str] = []

    async def on_event(self, sid, data):
        self.seen.append(data)

    def on_disconnect(self, sid, *args):
        self.gone.append(sid)


def _event(cls: type, handler: str, **payload) -> dict:
    return {"name": f"{cls.get_full_name()}.{handler}", "payload": payload}


def test_setvar_without_a_setter_and_socket_uploads_are_refused_with_one_line(caplog):
    import engagement.engagement  # noqa: F401  (registers every State)
    from engagement.green.state import GreenState
    from engagement.org.state import ImportState

    namespace = _Namespace()
    wrapper = guard.guard(namespace)
    assert guard.guard(namespace) is wrapper  # installed once
    hostile = [
        _event(AuthState, "setvar", var_name="me_username", value="forged"),
        _event(AuthState, "setvar", var_name="can_manage_units", value=True),
        _event(GreenState, "attach_photo", files_={"name": "x.png"}),
        _event(ImportState, "upload", files="a string"),
    ]
    fine = [_event(GreenState, "clear_photo"), _event(GreenState, "no_such_handler"), {"name": 3}, "text"]
    with caplog.at_level(logging.WARNING, logger="engagement.guard"):
        for data in hostile + fine:
            asyncio.run(namespace.on_event("sid-1", data))
    assert namespace.seen == fine  # everything else goes on to Reflex, which judges it
    lines = [r for r in caplog.records if r.name == "engagement.guard"]
    assert len(lines) == len(hostile) and all(r.exc_info is None for r in lines)
    assert "has no setter" in lines[0].getMessage() and "over the socket" in lines[2].getMessage()


def test_a_connection_flooding_events_is_slowed_and_others_are_not():
    namespace = _Namespace()
    now = [100.0]
    wrapper = guard.EventGuard(namespace, clock=lambda: now[0])
    namespace.on_event = wrapper.on_event
    ping = {"name": "nothing.here", "payload": {}}

    async def flood() -> None:
        for _ in range(5000):
            await namespace.on_event("bot", ping)
        await namespace.on_event("person", ping)

    asyncio.run(flood())
    assert len(namespace.seen) == guard.BURST + 1  # the bot's burst, then the person
    now[0] += 1.0
    asyncio.run(namespace.on_event("bot", ping))  # a second later, the bot may send again
    assert len(namespace.seen) == guard.BURST + 2
    wrapper.on_disconnect("bot")
    assert namespace.gone == ["bot"] and "bot" not in wrapper.limiter._buckets


def test_the_guard_is_installed_on_the_apps_socket(caplog):
    from reflex.app import EventNamespace

    import engagement.engagement as entry

    assert guard.install in entry.app._lifespan_tasks
    namespace = EventNamespace("/_event", entry.app)
    guard.guard(namespace)
    assert isinstance(namespace._engagement_guard, guard.EventGuard)
    # socket.io dispatches by name on the instance: a forged setvar is stopped at the door.
    with caplog.at_level(logging.WARNING):
        asyncio.run(namespace.trigger_event("event", "sid-9", _event(AuthState, "setvar", var_name="me_name",
                                                                        value="x")))
    messages = [r.getMessage() for r in caplog.records]
    assert any("has no setter" in m for m in messages)
    assert not any("no associated token" in m for m in messages)  # Reflex never saw it
