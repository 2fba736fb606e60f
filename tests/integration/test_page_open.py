"""Issue 19: opening a private page is one event, one trip to the database threads, one actor.

Driven as the browser drives it: ``AuthState.open_page(route)`` is the only on_load event of a
private page (``kit.private_page``); it runs the guard and the page's own load(s). The trips are
counted where they leave the event loop (``auth.run_blocking``) and the session is counted where
it is resolved (``org.sessions.resolve_actor``).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from engagement.core import clock, routes
from engagement.ui import auth, kit
from tests import factories as f


@pytest.fixture
def app_db(app_db):
    """The demo organisation with its points (the leaderboard has rows)."""
    from engagement.scoring.demo import seed_demo as seed_scoring

    with Session(app_db) as s:
        seed_scoring(s, now=clock.now())
        s.commit()
    return app_db


@pytest.fixture
def counted(monkeypatch):
    """Counts the trips to the database threads and the sessions resolved."""
    from engagement.org import sessions

    seen = {"trips": 0, "resolved": 0}
    real_run, real_resolve = auth.run_blocking, sessions.resolve_actor

    async def run_blocking(fn):
        seen["trips"] += 1
        return await real_run(fn)

    def resolve_actor(*args, **kwargs):
        seen["resolved"] += 1
        return real_resolve(*args, **kwargs)

    monkeypatch.setattr(auth, "run_blocking", run_blocking)
    monkeypatch.setattr(sessions, "resolve_actor", resolve_actor)
    return seen


def _open(state, route: str) -> list:
    return f.run_handler(state, "open_page", route)


def _redirects(events) -> list[str]:
    return [str(e) for e in events if "redirect" in str(getattr(e, "handler", e)).lower()
            or "_redirect" in str(e)]


def test_private_pages_register_one_on_load_event():
    import engagement.engagement as app_module

    page = app_module.app._unevaluated_pages[routes.LEADERBOARDS.strip("/")]
    assert len(page.on_load) == 1
    assert page.on_load[0].handler.fn is auth.AuthState.event_handlers["open_page"].fn
    assert kit.page_loads(routes.LEADERBOARDS), "the leaderboard's load is registered for open_page"


def test_opening_the_leaderboards_is_one_trip_and_one_actor(app_db, counted):
    from engagement.scoring.state import LeaderboardState

    state = f.app_state(app_db, auth.AuthState, "staff")
    counted.update(trips=0, resolved=0)
    events = _open(state, routes.LEADERBOARDS)
    assert counted == {"trips": 1, "resolved": 1}
    board = state.get_substate(LeaderboardState.get_full_name().split(".")[2:])
    assert board.error == "" and board.result.rows, "the page's own load ran and read its board"
    assert state.me_username == "staff" and state.me_name, "the guard's work ran in the same trip"
    assert not _redirects(events)


#: Officers' pages whose load reads what to read next (a roster's branches, then the chosen
#: branch's duties): two trips, still one actor.
DEPENDENT_READS = {routes.GREEN_ROSTERS, routes.GREEN_ASSESSMENT, routes.GOOD_MODELS_UNIT}


def test_every_private_page_resolves_the_actor_once(app_db, counted):
    for username in ("staff", "admin"):
        state = f.app_state(app_db, auth.AuthState, username)
        for route, loads in kit._PAGE_LOADS.items():
            counted.update(trips=0, resolved=0)
            _open(state, route)
            assert counted["resolved"] == 1, (username, route, counted)
            # One trip for each load that reads (a load that reads nothing: the guard's one trip).
            most = max(1, len(loads)) + (1 if route in DEPENDENT_READS else 0)
            assert 1 <= counted["trips"] <= most, (username, route, counted)
            assert state.me_username == username, (username, route)


def test_a_tab_without_a_login_is_sent_to_the_login_page(app_db, counted):
    state = f.app_state(app_db, auth.AuthState, "staff")
    f.sign_in(state._get_root_state(), "")  # a socket whose handshake carried no session cookie
    counted.update(trips=0, resolved=0)
    events = _open(state, routes.LEADERBOARDS)
    assert any(routes.LOGIN in r for r in _redirects(events)), events
    assert state.me_name == "" and not state.can_view_people
    assert counted["trips"] == 1


def test_a_session_ended_elsewhere_is_refused_at_the_next_page_open(app_db, counted):
    from engagement.org import sessions

    state = f.app_state(app_db, auth.AuthState, "admin")
    _open(state, routes.PEOPLE)
    assert state.can_view_people
    with Session(app_db) as s:  # logged out in another tab: nothing is cached across events
        sessions.logout(s, token_hash=state._token(), now=clock.now())
        s.commit()
    events = _open(state, routes.PEOPLE)
    assert any(routes.LOGIN in r for r in _redirects(events)), events
    assert state.me_name == "" and not state.can_view_people


def test_a_temporary_password_sends_the_tab_to_change_it(app_db):
    from engagement.org.models import Account

    state = f.app_state(app_db, auth.AuthState, "staff")
    with Session(app_db) as s:
        account = s.exec(select(Account).where(Account.username == "staff")).one()
        account.must_change_password = True
        s.add(account)
        s.commit()
    events = _open(state, routes.LEADERBOARDS)
    assert any(routes.CHANGE_PASSWORD in r for r in _redirects(events)), events


def test_the_account_language_is_used_by_the_reads_of_the_page_it_opens(app_db, monkeypatch):
    from engagement.core import i18n
    from engagement.org.models import Account
    from engagement.scoring import queries

    read_in: list[str] = []
    real = queries.leaderboard

    def leaderboard(*args, **kwargs):
        read_in.append(i18n.current())
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "leaderboard", leaderboard)
    with Session(app_db) as s:
        account = s.exec(select(Account).where(Account.username == "staff")).one()
        account.language = "en"
        s.add(account)
        s.commit()
    state = f.app_state(app_db, auth.AuthState, "staff")
    assert state.lang in ("", "vi")
    _open(state, routes.LEADERBOARDS)
    assert state.lang == "en" and state.lang_choice == "en"
    assert read_in == ["en"], "the board was read in the account's language, found in the same trip"


def test_an_unknown_route_runs_the_guard_alone(app_db, counted):
    state = f.app_state(app_db, auth.AuthState, "staff")
    counted.update(trips=0, resolved=0)
    for route in ("/no-such-page", 12, None):
        _open(state, route)
    assert counted == {"trips": 3, "resolved": 3}
    assert state.me_username == "staff"


def test_page_reads_run_on_the_database_threads_not_the_default_pool(app_db):
    from engagement.core import db

    names: list[str] = []

    async def go():
        import threading

        return await db.run_blocking(lambda: names.append(threading.current_thread().name))

    asyncio.run(go())
    assert names and names[0].startswith("engagement-db")


def _through_reflex(app_db, monkeypatch, events: list[tuple[type, str, dict]]):
    """Run ``events`` (state class, handler, payload) one after the other through Reflex's own
    event processor and in-memory state manager, as one logged-in tab; returns the tab's root
    state, whether the tab's lock was held at each database trip, and the deltas sent."""
    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State
    from reflex_base.event import Event
    from reflex_base.event.processor import BaseStateEventProcessor
    from reflex_base.utils.format import format_event_handler

    import engagement.engagement  # noqa: F401  (registers the pages and their loads)
    from engagement.org.demo import DEMO_PASSWORD
    from engagement.ui.session_route import SESSION_COOKIE, strip_session

    with Session(app_db) as s:
        login = f.login(s, "staff", DEMO_PASSWORD, now=clock.now(), client_ip="10.0.0.1", user_agent="test")
        s.commit()
    manager = StateManagerMemory()
    locked: list[bool] = []
    real = auth.run_blocking

    async def run_blocking(fn):
        locked.append(any(lock.locked() for lock in manager._states_locks.values()))
        return await real(fn)

    monkeypatch.setattr(auth, "run_blocking", run_blocking)
    router_data = strip_session({"headers": {"cookie": f"{SESSION_COOKIE}={login.token}"},
                                 "pathname": routes.LEADERBOARDS, "query": {}, "asPath": routes.LEADERBOARDS})
    deltas: list[dict] = []

    async def go():
        processor = BaseStateEventProcessor().configure(state_manager=manager)
        async with processor:
            # The tab as its socket's connection left it (hydrated: router data with the session).
            tab = await manager.get_state(BaseStateToken(ident="tab-1", cls=State))
            tab.router_data = router_data
            for cls, name, payload in events:
                event = Event(name=format_event_handler(cls.event_handlers[name]), payload=payload,
                              router_data=router_data)
                async for delta in processor.enqueue_stream_delta("tab-1", event):
                    deltas.append(delta)
            return await manager.get_state(BaseStateToken(ident="tab-1", cls=State))

    return asyncio.run(go()), locked, deltas


def _sub(root, cls):
    return root.get_substate(cls.get_full_name().split(".")[1:])


def test_through_reflex_the_page_open_lets_go_of_the_tabs_lock_while_it_reads(app_db, monkeypatch):
    from engagement.scoring.state import LeaderboardState

    root, locked, deltas = _through_reflex(app_db, monkeypatch, [
        (auth.AuthState, "open_page", {"route": routes.LEADERBOARDS})])
    assert locked == [False], "one read, made while other events of the tab may run"
    board = _sub(root, LeaderboardState)
    assert board.result.rows and board.error == ""
    assert _sub(root, auth.AuthState).me_username == "staff"
    assert len(deltas) >= 2, "what was set before the read reached the browser, then the results"


def test_through_reflex_a_period_change_and_feed_paging_read_without_the_lock(app_db, monkeypatch):
    from engagement.recognition.state import RecognitionState
    from engagement.scoring.state import LeaderboardState, month_key, today

    last_year = month_key(today().replace(year=today().year - 1, day=1))
    root, locked, _ = _through_reflex(app_db, monkeypatch, [
        (auth.AuthState, "open_page", {"route": routes.LEADERBOARDS}),
        (LeaderboardState, "set_period", {"value": last_year}),
        (RecognitionState, "next_page", {}),
    ])
    assert locked == [False, False, False]
    board = _sub(root, LeaderboardState)
    assert board.period == last_year and board.error == "" and board.offset == 0

