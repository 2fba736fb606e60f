"""Any client can call any public event handler of any State with any arguments.

These tests enumerate EVERY event handler of every State of the app and call each one as
an anonymous visitor, and as a plain staff member, with hostile arguments; the database
must not change (apart from the anonymous login attempt being counted). The demo is seeded
with org, scoring, recognition, green, commitments and notify data, so that handlers have
real targets. Each refusal is recorded with its kind: a permission refusal (``NotAllowed``)
is told apart from a validation refusal (``Invalid``, ``NotFound``, ``Conflict``...), so that
handlers staff may use are shown to reach their validation, and officers' handlers to refuse
staff on permission first.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import sys
import typing

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.state import State
from sqlmodel import Session

import engagement.engagement  # noqa: F401  (registers every page and State)
from engagement.commitments.demo import seed_demo as seed_commitments
from engagement.core import clock
from engagement.core.db import unit_of_work
from engagement.core.errors import NotAllowed
from engagement.green.demo import seed_demo as seed_green
from engagement.notify.demo import seed_demo as seed_notify
from engagement.org.demo import DEMO_PASSWORD
from engagement.recognition.demo import seed_demo as seed_recognition
from engagement.schema import metadata
from engagement.scoring.demo import seed_demo as seed_scoring
from engagement.ui import kit
from engagement.ui.i18n import LangState
from tests import factories as f

HOSTILE_FORM = {
    "name": "Hacked", "code": "HACK1", "kind": "office", "parent_id": "1", "unit_id": "1",
    "group_id": "1", "description": "x", "employee_code": "HACK99", "full_name": "Kẻ Xâm Nhập",
    "position": "x", "email": "a@b.cd", "phone": "0912345678", "union_branch_id": "",
    "youth_branch_id": "", "username": "intruder", "role": "system_admin", "branch_id": "1",
    "current": DEMO_PASSWORD, "new": "a brand new password", "confirm": "a brand new password",
    "password": "wrong password",
    "typed_name": "Lê Văn Lạ", "pledges": "Một cam kết giả mạo", "template_id": "1", "opens_on": "2026-01-01",
    "due_on": "2099-12-31", "positions": "",
    "person_id": "1", "points": "500", "reason": "hostile adjustment attempt", "year": "2026",
    "effective_from": "2026-12", "weight_green": "999", "cap_green": "", "title": "Hacked screen",
    "board": "people", "period_kind": "month", "q": "a",
}


class FakeUpload:
    """Stands in for an uploaded CSV of one valid person (read in chunks, as Reflex's files are)."""

    filename = "staff.csv"

    def __init__(self) -> None:
        self.data = "employee_code,full_name,unit_code\nHACK77,Nguyễn Văn Lạ,TINH\n".encode()

    async def read(self, size: int = -1) -> bytes:
        chunk = self.data if size < 0 else self.data[:size]
        self.data = self.data[len(chunk):]
        return chunk


def _value_for(annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if annotation in (int, "int"):
        return 1
    if annotation in (bool, "bool"):
        return True
    if annotation in (dict, "dict") or origin is dict:
        return dict(HOSTILE_FORM)
    if origin is list or (isinstance(annotation, str) and annotation.startswith("list")):
        return [FakeUpload()]
    return "1"


def all_handlers() -> list[tuple[type, str]]:
    """Every (State class, handler name) of the app, setvar included."""
    found = []
    # Every State of the app (not Reflex's own internal states), logged-in pages or not.
    stack = [cls for cls in rx.State.get_substates() if cls.__module__.startswith("engagement")]
    assert LangState in stack  # the root of the app's states (AuthState is below it)
    while stack:
        cls = stack.pop()
        stack.extend(cls.get_substates())
        found.extend((cls, name) for name in sorted(cls.event_handlers))
    return found


def _fingerprint(engine: sa.Engine, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    prints = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            prints[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


@pytest.fixture
def app_db(app_db):
    """The demo organisation with its points, recognition, green office, commitments and notices
    (in the order of ``engagement seed-demo``), in the database the app's own engine uses."""
    with Session(app_db) as session:
        now = clock.now()
        seed_scoring(session, now=now)
        seed_recognition(session, now=now)
        seed_green(session, now=now)  # a campaign, activities to verify, a roster
        seed_commitments(session, now=now)  # an open campaign, so its handlers have a target
        seed_notify(session, now=now)  # notices and e-mails for the bell and the admin page
        session.commit()
    return app_db


@pytest.fixture
def refusals(monkeypatch) -> dict[str, list[type]]:
    """Every refusal a handler's attempt turned into a message: handler -> exception classes."""
    seen: dict[str, list[type]] = {}
    real_exit = kit.AttemptBlock.__exit__
    real_invoke = _invoke

    def exit_(self, kind, exc, tb):
        if exc is not None:
            seen.setdefault(_current[0], []).append(type(exc))
        return real_exit(self, kind, exc, tb)

    async def invoke(state, cls, name):
        _current[0] = f"{cls.__name__}.{name}"
        return await real_invoke(state, cls, name)

    monkeypatch.setattr(kit.AttemptBlock, "__exit__", exit_)
    monkeypatch.setattr(sys.modules[__name__], "_invoke", invoke)  # _run_all looks it up here
    return seen


_current = [""]


def _token_for(engine: sa.Engine, username: str) -> str:
    """A session token of the demo user ``username`` (committed, as after a real login)."""
    with unit_of_work(engine) as session:
        result = f.login(session, username, DEMO_PASSWORD, now=clock.now(), client_ip="10.9.9.9", user_agent="test")
    assert result.ok
    return result.token


async def _invoke(state: rx.State, cls: type, name: str) -> None:
    handler = cls.event_handlers[name]
    fn = handler.fn
    params = list(inspect.signature(fn).parameters.values())[1:]
    hints = typing.get_type_hints(fn) if name != "setvar" else {}
    if name == "setvar":
        args = ["me_name", "forged"]
    else:
        args = [_value_for(hints.get(p.name, p.annotation)) for p in params
                if p.default is inspect.Parameter.empty]
    result = fn(state, *args)
    if inspect.isasyncgen(result):
        async for _ in result:
            pass
    elif inspect.isawaitable(result):
        await result
    elif inspect.isgenerator(result):
        for _ in result:
            pass


def _run_all(token: str, exclude: set[str]) -> list[str]:
    called = []

    async def go() -> None:
        for cls, name in all_handlers():
            key = f"{cls.__name__}.{name}"
            if key in exclude:
                continue
            root = State(_reflex_internal_init=True)
            state = root.get_substate(cls.get_full_name().split(".")[1:])
            if token:
                f.sign_in(root, token)
            if name == "setvar":
                # No auto setters: Reflex itself refuses to set a var that has no setter.
                with pytest.raises(AttributeError):
                    await _invoke(state, cls, name)
            else:
                # Any exception escaping a handler is a bug: the user would see a crash.
                await _invoke(state, cls, name)
            called.append(key)

    asyncio.run(go())
    return called


def test_every_handler_is_enumerated():
    names = {f"{cls.__name__}.{name}" for cls, name in all_handlers()}
    # A sample from each page's State, so that a refactor cannot silently empty the list.
    for expected in ("PeopleState.save_person", "UnitsState.submit_move", "ImportState.upload",
                     "PeopleState.grant_role", "AuditState.load", "LoginState.submit",
                     "ScoringAdminState.adjust", "ScoringAdminState.create_display", "ScreenState.refresh",
                     "GreenState.submit_log", "GreenState.attach_photo", "VerifyState.approve",
                     "RecognitionState.submit_give", "CitizensState.approve", "ThanksState.submit",
                     "NotificationsState.read_all", "ValuesState.add", "PersonState.submit_revoke",
                     "NotificationsState.choose", "NotifyAdminState.run_now", "NotifyAdminState.retry",
                     "RegisterState.adopt", "UnitModelsState.propose", "UnitModelsState.report",
                     "UnitModelsState.attach", "OfficerModelsState.recognise", "ReviewState.download"):
        assert expected in names
    assert len(names) > 40


def test_anonymous_caller_changes_nothing(app_db):
    before = _fingerprint(app_db, skip=frozenset({"login_attempt"}))
    called = _run_all("", exclude=set())
    assert _fingerprint(app_db, skip=frozenset({"login_attempt"})) == before
    assert len(called) > 40


def test_forged_token_changes_nothing(app_db):
    before = _fingerprint(app_db, skip=frozenset({"login_attempt"}))
    _run_all("forged-" + "x" * 40, exclude=set())
    assert _fingerprint(app_db, skip=frozenset({"login_attempt"})) == before


def _own_account_handlers() -> set[str]:
    # Logging in or out and changing one's own password change the caller's own rows, by design.
    own = {"LoginState.submit", "PasswordState.submit",
           # Reading one's own notifications marks them read.
           "NotificationsState.open_one", "NotificationsState.read_all",
           # Reading one's own discipline records and holds is audited (personal data law).
           "MyCommendationsState.show_records"}
    # Any staff member may say "thank you too" and comment under a recognition they can see.
    social = {f"{cls.__name__}.{name}" for cls, name in all_handlers()
              if name in {"react", "add_comment"}}
    return own | social | {f"{cls.__name__}.logout" for cls, _ in all_handlers()}


def test_staff_member_cannot_use_any_admin_handler(app_db):
    token = _token_for(app_db, "staff")
    before = _fingerprint(app_db)
    _run_all(token, exclude=_own_account_handlers())
    assert _fingerprint(app_db) == before


def test_the_harness_does_detect_a_write(app_db):
    """The same harness, run as an admin, does change data: the checks above can fail."""
    token = _token_for(app_db, "admin")
    before = _fingerprint(app_db)
    _run_all(token, exclude=_own_account_handlers())
    assert _fingerprint(app_db) != before


#: Handlers a plain staff member may use. Called with hostile arguments, each must be refused as
#: bad input (a validation refusal): the harness got past the permission to the checks behind it.
STAFF_MAY_USE = frozenset({
    "GreenState.submit_log", "GreenState.attach_photo", "RecognitionState.submit_give",
    "MyCommendationsState.register", "NotificationsState.choose", "SignState.respond",
})
#: Officers', heads' and admins' handlers, some of each feature: staff must be refused on
#: permission (``NotAllowed``), before any validation of what they sent.
OFFICERS_ONLY = frozenset({
    "PeopleState.save_person", "PeopleState.grant_role", "PeopleState.reset_password", "UnitsState.submit_move",
    "UnitsState.submit_create", "ImportState.upload", "CampaignsState.create", "CampaignsState.submit_paper",
    "ScoringAdminState.adjust", "ScoringAdminState.save_criteria", "VerifyState.approve", "GreenState.set_target",
    "GreenState.end_campaign", "ValuesState.add", "CitizensState.approve", "ThanksSettingsState.save",
    "NotifyAdminState.run_now", "NotifyAdminState.retry", "AwardsState.upload", "RatingsState.import_file",
    "RatingsState.save_rating", "InitiativesState.attach_document", "DecisionsState.propose",
})


def test_staff_refusals_tell_permission_from_validation(app_db, refusals):
    token = _token_for(app_db, "staff")
    _run_all(token, exclude=_own_account_handlers())
    names = {f"{cls.__name__}.{name}" for cls, name in all_handlers()}
    assert names >= STAFF_MAY_USE | OFFICERS_ONLY
    for key in sorted(STAFF_MAY_USE):
        kinds = refusals.get(key, [])
        assert kinds, f"{key}: the hostile call was not refused"
        assert NotAllowed not in kinds, f"{key}: staff may use it, but it refused them on permission"
    for key in sorted(OFFICERS_ONLY):
        kinds = refusals.get(key, [])
        assert kinds and kinds[0] is NotAllowed, f"{key}: staff were refused by {kinds}, not on permission first"


def test_anonymous_callers_are_refused_on_permission(app_db, refusals):
    _run_all("", exclude=set())
    for key in sorted(OFFICERS_ONLY):
        kinds = refusals.get(key, [])
        assert kinds and kinds[0] is NotAllowed, f"{key}: an anonymous caller was refused by {kinds}"
