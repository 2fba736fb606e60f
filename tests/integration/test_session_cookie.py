"""The session cookie (issue 18 §4) and argon2 outside the write transaction (issue 19).

* The password is checked (argon2) with no write transaction open: at login, at signing, at a
  password change; the throttle answers parallel attempts as if they had come one by one.
* The cookie is HttpOnly, SameSite=Strict, Path=/, Max-Age = the session's hours, Secure over
  https (or a trusted proxy's https); it is set only by the hand-off route, from a one-time code.
* The socket keeps only the token's hash: a pickled logged-in state holds no raw token.
"""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
from datetime import timedelta
from types import SimpleNamespace

import pytest
from reflex.state import State
from sqlmodel import Session, select
from starlette.testclient import TestClient

from engagement.commitments import service as commitments
from engagement.core import clock
from engagement.core.db import unit_of_work
from engagement.core.security import hash_token
from engagement.org import rules
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Account, AuthSession, LoginAttempt, LoginHandoff
from engagement.settings import get_settings
from engagement.ui import session_route
from engagement.ui.auth import AuthState, LoginState, PasswordState
from tests import factories as f

ORIGIN = "http://testserver"


# --- helpers -----------------------------------------------------------------------------------


def _write_lock_free(engine) -> bool:
    """Whether no connection holds SQLite's write lock (a writer's BEGIN IMMEDIATE) right now."""
    probe = sqlite3.connect(engine.url.database, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


@pytest.fixture
def argon2_probe(app_db, monkeypatch):
    """Every argon2 call (check or hash) records whether a write transaction was open meanwhile."""
    seen: list[tuple[str, bool]] = []
    real_verify, real_hash = org_sessions.verify_password, org_sessions.hash_password

    def verify(password, password_hash):
        seen.append(("verify", _write_lock_free(app_db)))
        return real_verify(password, password_hash)

    def hash_(password):
        seen.append(("hash", _write_lock_free(app_db)))
        return real_hash(password)

    monkeypatch.setattr(org_sessions, "verify_password", verify)
    monkeypatch.setattr(org_sessions, "hash_password", hash_)
    return seen


def _anonymous(cls: type):
    return State(_reflex_internal_init=True).get_substate(cls.get_full_name().split(".")[1:])


def _drain(gen) -> list[object]:
    out: list[object] = []

    async def go():
        async for item in gen:
            out.append(item)

    asyncio.run(go())
    return out


def _submit_login(username: str, password: str):
    state = _anonymous(LoginState)
    answers = _drain(LoginState.event_handlers["submit"].fn(state, {"username": username, "password": password}))
    return state, answers


def _code_of(answers: list[object]) -> str:
    """The hand-off code in the login handler's script (what the browser posts)."""
    import re

    for answer in answers:
        found = re.search(r'i.name=\\?"code\\?";i.value=\\?"([A-Za-z0-9_-]+)', str(answer))
        if found:
            return found.group(1)
    raise AssertionError(f"no hand-off script in {answers}")


@pytest.fixture
def client(app_db):
    return TestClient(session_route.build_api(), base_url=ORIGIN, follow_redirects=False)


def _handoff(app_db, username: str = "staff") -> str:
    state, answers = _submit_login(username, DEMO_PASSWORD)
    assert state.error == ""
    return _code_of(answers)


# --- issue 19: argon2 outside the write transaction --------------------------------------------


def test_the_probe_sees_an_open_write_transaction(app_db):
    # The probe itself can fail: inside a unit of work (BEGIN IMMEDIATE) it reports the lock.
    with unit_of_work(app_db) as session:
        session.exec(select(Account.id)).first()
        assert not _write_lock_free(app_db)
    assert _write_lock_free(app_db)


def test_the_old_in_transaction_check_is_caught_by_the_probe(app_db, argon2_probe):
    with unit_of_work(app_db) as session:  # scripts' one-session path: argon2 inside the writer
        org_sessions.check_password(session, username="staff", password=DEMO_PASSWORD, client_ip="1.2.3.4",
                                    now=clock.now())
    assert argon2_probe == [("verify", False)]


def test_login_checks_the_password_with_no_write_transaction_open(app_db, argon2_probe):
    state, answers = _submit_login("staff", DEMO_PASSWORD)
    assert state.error == "" and _code_of(answers)
    assert argon2_probe == [("verify", True)]
    _submit_login("staff", "a wrong password")
    assert argon2_probe[1] == ("verify", True)


def test_a_password_change_checks_and_hashes_with_no_write_transaction_open(app_db, argon2_probe):
    state = f.app_state(app_db, PasswordState, "staff")
    argon2_probe.clear()  # the test's own login (scripts' one-session path)
    f.run_handler(state, "submit", {"current": DEMO_PASSWORD, "new": "a brand new passphrase 42",
                                    "confirm": "a brand new passphrase 42"})
    assert state.done, state.error
    assert sorted(argon2_probe) == [("hash", True), ("verify", True)]


def test_signing_checks_the_password_with_no_write_transaction_open(app_db, argon2_probe):
    from engagement.commitments.demo import seed_demo as seed_commitments
    from engagement.commitments.state import SignState

    with Session(app_db) as s:
        seed_commitments(s, now=clock.now())
        s.commit()
    state = f.app_state(app_db, SignState, "staff2")
    argon2_probe.clear()  # the test's own login (scripts' one-session path)
    with Session(app_db) as s:
        from engagement.commitments.models import Campaign

        campaign_ids = list(s.exec(select(Campaign.id)))
    state.campaign_id = campaign_ids[0]
    _drain(SignState.event_handlers["submit"].fn(state, {"typed_name": "x", "password": "wrong", "pledges": ""}))
    # Whatever the form's other refusals, any argon2 check made ran outside the writer.
    assert all(free for _kind, free in argon2_probe)
    assert argon2_probe, "the password was never checked"


def test_parallel_wrong_guesses_are_answered_as_if_one_after_another(app_db):
    now = clock.now()
    with Session(app_db) as s:  # every guess read its plan before any was recorded
        plans = [org_sessions.password_plan(s, username="admin", client_ip="203.0.113.9", now=now)
                 for _ in range(rules.PAIR_FREE_FAILURES + 3)]
    assert all(p.wait is None for p in plans)
    proofs = [org_sessions.prove(p, "not the password") for p in plans]
    outcomes = []
    for proof in proofs:
        with unit_of_work(app_db) as s:
            outcomes.append(org_sessions.settle(s, proof=proof, now=now))
    recorded = [o for o in outcomes if not o.throttled]
    assert len(recorded) == rules.PAIR_FREE_FAILURES  # as serial attempts: then the delay applies
    assert all(o.throttled for o in outcomes[rules.PAIR_FREE_FAILURES:])
    with Session(app_db) as s:
        failures = s.exec(select(LoginAttempt).where(LoginAttempt.username == "admin",
                                                     LoginAttempt.success.is_(False))).all()
    assert len(failures) == rules.PAIR_FREE_FAILURES
    # The right password from a client that has not failed still gets in at once.
    with Session(app_db) as s:
        plan = org_sessions.password_plan(s, username="admin", client_ip="198.51.100.1", now=now)
    with unit_of_work(app_db) as s:
        assert org_sessions.settle(s, proof=org_sessions.prove(plan, DEMO_PASSWORD), now=now).ok


def test_a_password_reset_between_check_and_record_is_not_trusted(app_db):
    now = clock.now()
    with Session(app_db) as s:
        plan = org_sessions.password_plan(s, username="staff", client_ip="1.2.3.4", now=now)
    proof = org_sessions.prove(plan, DEMO_PASSWORD)
    with unit_of_work(app_db) as s:  # an administrator resets the password meanwhile
        account = s.exec(select(Account).where(Account.username == "staff")).one()
        account.password_hash = org_sessions.hash_password("another password 2026")
        s.add(account)
    with pytest.raises(org_sessions.PasswordChanged), unit_of_work(app_db) as s:
        org_sessions.finish_login(s, proof=proof, user_agent="t", now=now)
    with Session(app_db) as s:
        assert s.exec(select(LoginAttempt).where(LoginAttempt.username == "staff")).all() == []
        assert s.exec(select(LoginHandoff)).all() == []


def test_a_client_cannot_send_a_proof(app_db):
    now = clock.now()
    forged = {"plan": {"username": "staff", "account_id": 1}, "valid": True, "checked": True}
    with unit_of_work(app_db) as s:
        assert not org_sessions.settle_password(s, password=forged, username="staff", client_ip="1.2.3.4",
                                                now=now).ok
        with pytest.raises(TypeError):
            org_sessions.settle(s, proof=forged, now=now)
    # A genuine proof made for another account proves nothing for this one.
    with Session(app_db) as s:
        plan = org_sessions.password_plan(s, username="admin", client_ip="1.2.3.4", now=now)
    with unit_of_work(app_db) as s:
        check = org_sessions.settle_password(s, password=org_sessions.prove(plan, DEMO_PASSWORD),
                                             username="staff", client_ip="1.2.3.4", now=now)
    assert not check.ok


def test_signing_with_a_forged_proof_is_refused(app_db):
    from engagement.commitments.demo import seed_demo as seed_commitments
    from engagement.commitments.models import Campaign

    with Session(app_db) as s:
        seed_commitments(s, now=clock.now())
        s.commit()
        campaign_id = s.exec(select(Campaign.id)).first()
    actor = f.app_state(app_db, AuthState, "staff2")
    with Session(app_db) as s:
        me = org_sessions.resolve_actor(s, token_hash=actor._token(), now=clock.now())
    with unit_of_work(app_db) as s:
        try:
            result = commitments.sign(s, actor=me, campaign_id=campaign_id, ticked=[], pledges=[],
                                      typed_name="x", password={"valid": True}, client_ip="1.2.3.4",
                                      user_agent="t", now=clock.now())
        except Exception as exc:  # refused earlier by the form's rules: also not signed
            result = exc
    assert not hasattr(result, "code")


# --- issue 18 §4: the cookie -----------------------------------------------------------------


def _cookie(response) -> str:
    header = response.headers.get("set-cookie", "")
    assert header.startswith(f"{session_route.SESSION_COOKIE}="), header
    return header


def test_the_handoff_sets_an_httponly_strict_cookie_for_the_session(app_db, client):
    code = _handoff(app_db)
    response = client.post(session_route.START, data={"code": code, "next": "/commitments"},
                           headers={"origin": ORIGIN})
    assert response.status_code == 303 and response.headers["location"] == "/commitments"
    cookie = _cookie(response)
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert f"max-age={get_settings().session_hours * 3600}" in lowered or "max-age=4319" in lowered
    assert "secure" not in lowered  # plain http
    token = response.cookies[session_route.SESSION_COOKIE]
    with Session(app_db) as s:
        assert org_sessions.resolve_actor(s, token=token, now=clock.now()).username == "staff"
    # The status route sees it; a browser without it does not.
    assert client.get(session_route.STATUS).json() == {"in": True}
    assert TestClient(session_route.build_api(), base_url=ORIGIN).get(session_route.STATUS).json() == {"in": False}


def test_a_handoff_code_works_once(app_db, client):
    code = _handoff(app_db)
    assert client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN}).status_code == 303
    again = TestClient(session_route.build_api(), base_url=ORIGIN, follow_redirects=False).post(
        session_route.START, data={"code": code}, headers={"origin": ORIGIN})
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    assert "set-cookie" not in again.headers


def test_a_handoff_code_expires_after_a_minute(app_db):
    code = _handoff(app_db)
    with unit_of_work(app_db) as s:
        late = clock.now() + org_sessions.HANDOFF_TTL + timedelta(seconds=1)
        assert org_sessions.redeem_handoff(s, code=code, now=late) is None


def test_the_cookie_holds_a_fresh_token_not_the_one_made_at_login(app_db, client):
    code = _handoff(app_db)
    with Session(app_db) as s:
        handoff = s.exec(select(LoginHandoff)).one()
        before = s.get(AuthSession, handoff.session_id).token_hash
    token = client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN}).cookies[
        session_route.SESSION_COOKIE]
    with Session(app_db) as s:
        after = s.get(AuthSession, handoff.session_id).token_hash
    assert after == hash_token(token) != before


def test_a_foreign_origin_cannot_redeem_a_code_nor_log_anyone_out(app_db, client):
    code = _handoff(app_db)
    for headers in ({"origin": "https://evil.example"}, {}, {"origin": ORIGIN, "sec-fetch-site": "cross-site"}):
        refused = client.post(session_route.START, data={"code": code}, headers=headers)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    ok = client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN})
    token = ok.cookies[session_route.SESSION_COOKIE]  # the code was not used up by the refusals
    assert client.post(session_route.END, headers={"origin": "https://evil.example"}).status_code == 403
    with Session(app_db) as s:
        assert org_sessions.resolve_actor(s, token=token, now=clock.now()) is not None


def test_the_next_page_is_never_another_site(app_db, client):
    code = _handoff(app_db)
    response = client.post(session_route.START, data={"code": code, "next": "//evil.example/x"},
                           headers={"origin": ORIGIN})
    assert response.headers["location"] == "/"


def test_logout_ends_the_session_and_clears_the_cookie(app_db, client):
    code = _handoff(app_db)
    token = client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN}).cookies[
        session_route.SESSION_COOKIE]
    response = client.post(session_route.END, headers={"origin": ORIGIN})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    cleared = response.headers["set-cookie"].lower()
    assert cleared.startswith(f"{session_route.SESSION_COOKIE}=") and "max-age=0" in cleared
    with Session(app_db) as s:  # the old token is refused from now on, wherever it is replayed
        assert org_sessions.resolve_actor(s, token=token, now=clock.now()) is None


def test_the_cookie_is_secure_over_https_and_behind_a_trusted_proxy_only(app_db, monkeypatch):
    https = TestClient(session_route.build_api(), base_url="https://testserver", follow_redirects=False)
    response = https.post(session_route.START, data={"code": _handoff(app_db)},
                          headers={"origin": "https://testserver"})
    assert "secure" in _cookie(response).lower()

    plain = TestClient(session_route.build_api(), base_url=ORIGIN, follow_redirects=False)
    forged = plain.post(session_route.START, data={"code": _handoff(app_db)},
                        headers={"origin": ORIGIN, "x-forwarded-proto": "https"})
    assert "secure" not in _cookie(forged).lower()  # anyone can send the header: not believed

    monkeypatch.setenv("ENGAGEMENT_TRUSTED_PROXIES", "1")  # reachable only through one proxy
    get_settings.cache_clear()
    try:
        proxied = plain.post(session_route.START, data={"code": _handoff(app_db)},
                             headers={"origin": ORIGIN, "x-forwarded-proto": "https"})
        assert "secure" in _cookie(proxied).lower()
    finally:
        monkeypatch.delenv("ENGAGEMENT_TRUSTED_PROXIES")
        get_settings.cache_clear()


def test_is_https_believes_a_listed_proxy_only(monkeypatch):
    def request(peer: str, **headers: str):
        return SimpleNamespace(url=SimpleNamespace(scheme="http"), client=SimpleNamespace(host=peer),
                               headers=headers)

    monkeypatch.setenv("ENGAGEMENT_TRUSTED_PROXIES", "10.0.0.5")
    get_settings.cache_clear()
    try:
        assert session_route.is_https(request("10.0.0.5", **{"x-forwarded-proto": "https"}))
        assert session_route.is_https(request("10.0.0.5", forwarded='for=1.2.3.4;proto=https'))
        assert not session_route.is_https(request("203.0.113.7", **{"x-forwarded-proto": "https"}))
    finally:
        monkeypatch.delenv("ENGAGEMENT_TRUSTED_PROXIES")
        get_settings.cache_clear()


# --- the socket --------------------------------------------------------------------------------


def _socket_state(token: str):
    """A root State that received an event from a socket whose handshake carried ``token``."""
    from reflex.app import EventNamespace

    session_route.install_socket_reader()
    environ = {"asgi.scope": {"headers": [(b"cookie", f"engagement_lang=vi; {session_route.SESSION_COOKIE}={token}"
                                                      .encode()), (b"user-agent", b"test")],
                              "client": ("127.0.0.1", 5555)}}
    static = EventNamespace._build_static_router_data(SimpleNamespace(), "sid-1", environ)
    root = State(_reflex_internal_init=True)
    root.router_data = root._update_router_vars(dict(static), {})
    return root


def test_the_socket_keeps_only_the_tokens_hash_and_a_pickled_state_has_no_raw_token(app_db, client):
    code = _handoff(app_db)
    token = client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN}).cookies[
        session_route.SESSION_COOKIE]
    root = _socket_state(token)
    state = root.get_substate(AuthState.get_full_name().split(".")[1:])
    actor = asyncio.run(state._actor())
    assert actor is not None and actor.username == "staff"
    assert "cookie" not in root.router_data["headers"] and root.router.headers.cookie == ""
    blob = pickle.dumps(root) + b"".join(s._serialize() for s in _all(root))
    assert token.encode() not in blob
    assert hash_token(token).encode() in blob  # what the database keeps anyway


def _all(state):
    yield state
    for sub in state.substates.values():
        yield from _all(sub)


def test_a_logout_in_one_tab_is_seen_by_the_others(app_db, client):
    code = _handoff(app_db)
    token = client.post(session_route.START, data={"code": code}, headers={"origin": ORIGIN}).cookies[
        session_route.SESSION_COOKIE]
    tabs = [_socket_state(token).get_substate(AuthState.get_full_name().split(".")[1:]) for _ in range(2)]
    assert all(asyncio.run(t._actor()) is not None for t in tabs)  # one cookie, every tab logged in
    answer = asyncio.run(AuthState.event_handlers["logout"].fn(tabs[0]))
    assert session_route.END in str(answer)  # the browser is sent to clear the cookie
    assert asyncio.run(tabs[1]._actor()) is None  # the other tab's next event is refused


def test_a_socket_without_the_cookie_is_logged_out():
    root = _socket_state("")
    assert root.router_data[session_route.SESSION_REF] == ""
    assert session_route.session_ref("a=b; engagement_session=" + "x" * 200) == ""  # oversized: none
    assert session_route.session_ref('bad"cookie') == ""
