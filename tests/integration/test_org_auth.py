"""Login, sessions, throttling and passwords, through the org services on a real database."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from sqlmodel import func, select

from engagement.core.audit import AuditEntry
from engagement.core.errors import Invalid, NotAllowed
from engagement.org import rules, service, sessions
from engagement.org.models import Account, AuthSession, LoginAttempt, Unit
from tests import factories as f
from tests.integration._hashing import PRODUCTION_CONTEXT, fast_hashing  # noqa: F401 - autouse

IP = "203.0.113.7"
WRONG = "not the password at all"


#: login(session, username, password=f.PASSWORD, *, now, client_ip=IP)
login = functools.partial(f.login, client_ip=IP)


def attempts(session, **where) -> int:
    return f.count(session, LoginAttempt, **where)


def account_of(session, username) -> Account:
    return session.exec(select(Account).where(Account.username == username)).one()


@pytest.fixture
def admin(session, now):
    return f.admin(session, now)


@pytest.fixture
def root_id(session, admin):
    return session.exec(select(Unit.id).where(Unit.code == "ROOT")).one()


@pytest.fixture
def staff(session, now, admin, root_id):
    """A plain staff member ``binh.tt`` with password ``PASSWORD``."""
    return f.user(session, admin, now, unit_id=root_id, username="binh.tt")


# --- login and sessions ---------------------------------------------------------------------


def test_login_opens_a_session_that_resolves_to_the_actor(session, now, staff):
    result = login(session, "binh.tt", now=now)
    assert result.ok and result.message == ""
    assert result.token and not result.must_change_password
    actor = sessions.resolve_actor(session, token=result.token, now=now)
    assert actor is not None
    assert (actor.username, actor.full_name) == ("binh.tt", "Trần Thị Bình")
    assert actor.account_id == staff.account_id
    assert account_of(session, "binh.tt").last_login_at == now


def test_session_stores_only_a_hash_of_the_token_with_an_expiry(session, now, staff):
    result = login(session, "binh.tt", now=now)
    rows = session.exec(select(AuthSession).where(AuthSession.account_id == staff.account_id)).all()
    assert result.token not in {r.token_hash for r in rows}
    newest = max(rows, key=lambda r: r.id)
    assert newest.expires_at == now + timedelta(hours=12)
    assert newest.client_ip == IP


def test_username_is_case_and_space_insensitive_at_login(session, now, staff):
    assert login(session, "  Binh.TT ", now=now).ok


def test_wrong_password_is_refused_and_recorded(session, now, staff):
    before = attempts(session, username="binh.tt", success=False)
    result = login(session, "binh.tt", WRONG, now=now)
    assert not result.ok and result.token == ""
    assert result.message == "Wrong username or password."
    assert attempts(session, username="binh.tt", success=False) == before + 1


def test_unknown_user_gets_the_same_message_as_a_wrong_password(session, now, staff):
    unknown = login(session, "nobody.here", WRONG, now=now)
    wrong = login(session, "binh.tt", WRONG, now=now)
    assert not unknown.ok and not wrong.ok
    assert unknown.message == wrong.message == "Wrong username or password."
    assert attempts(session, username="nobody.here") == 1


@pytest.mark.parametrize(("username", "password"), [("", f.PASSWORD), ("binh.tt", ""), (None, None)])
def test_empty_username_or_password_is_refused_without_recording(session, now, staff, username,
                                                                 password):
    before = attempts(session)
    result = login(session, username, password, now=now)
    assert not result.ok and "Enter your username and password" in result.message
    assert attempts(session) == before


@pytest.mark.parametrize("token", ["", "x" * 101, "not-a-real-token"])
def test_unknown_or_malformed_token_resolves_to_nobody(session, now, staff, token):
    assert sessions.resolve_actor(session, token=token, now=now) is None


def test_expired_session_resolves_to_nobody(session, now, staff):
    token = login(session, "binh.tt", now=now).token
    assert sessions.resolve_actor(session, token=token, now=now + timedelta(hours=11, minutes=59))
    assert sessions.resolve_actor(session, token=token, now=now + timedelta(hours=12)) is None
    assert sessions.resolve_actor(session, token=token, now=now + timedelta(hours=13)) is None


def test_logout_ends_the_session_on_the_server(session, now, staff):
    token = login(session, "binh.tt", now=now).token
    other = login(session, "binh.tt", now=now).token
    sessions.logout(session, token=token, now=now)
    assert sessions.resolve_actor(session, token=token, now=now) is None
    row = session.exec(select(AuthSession).where(AuthSession.ended_at.is_not(None))).one()
    assert row.ended_at == now
    # Only that session: the same person on another device stays logged in.
    assert sessions.resolve_actor(session, token=other, now=now) is not None


def test_logout_twice_or_with_unknown_token_changes_nothing(session, now, staff):
    token = login(session, "binh.tt", now=now).token
    sessions.logout(session, token=token, now=now)
    sessions.logout(session, token=token, now=now + timedelta(hours=1))
    sessions.logout(session, token=f.token(), now=now)
    sessions.logout(session, token="", now=now)
    ended = session.exec(select(AuthSession.ended_at).where(AuthSession.ended_at.is_not(None))).all()
    assert ended == [now]


def test_resolved_actor_carries_current_grants(session, now, admin, root_id):
    head = f.user(session, admin, now, unit_id=root_id, username="head.a", role="unit_head",
                  role_unit_id=root_id)
    assert [(g.role.value, g.unit_id, g.unit_path) for g in head.grants] == [
        ("unit_head", root_id, f"/{root_id}/")]
    admin_grants = {g.role.value for g in admin.grants}
    assert admin_grants == {"system_admin"}


# --- throttling -----------------------------------------------------------------------------


def _fail(session, username, times, *, now, client_ip=IP, step=None):
    """``times`` wrong passwords from ``client_ip``; returns the time of the last one.

    ``step=None``: each as soon as the growing delay allows (3 free, then 1 s, 2 s, 4 s ...).
    """
    at = now
    for i in range(times):
        if i:
            at += step if step is not None else (
                min(rules.MAX_DELAY, rules.FIRST_DELAY * 2 ** (i - rules.PAIR_FREE_FAILURES))
                if i >= rules.PAIR_FREE_FAILURES else timedelta(0))
        result = login(session, username, WRONG, now=at, client_ip=client_ip)
        assert result.message == "Wrong username or password.", result.message
    return at


def test_a_client_that_keeps_failing_waits_longer_and_longer(session, now, staff):
    # Three quick failures are free; each further one doubles the wait after it (1 s, 2 s, 4 s ...).
    _fail(session, "binh.tt", 3, now=now)
    waiting = login(session, "binh.tt", now=now)
    assert not waiting.ok and waiting.token == ""
    assert waiting.message == "Too many failed attempts. Wait 1 second and try again."
    assert login(session, "binh.tt", WRONG, now=now + timedelta(seconds=1)).message == "Wrong username or password."
    assert "Wait 2 seconds" in login(session, "binh.tt", now=now + timedelta(seconds=1)).message
    assert login(session, "binh.tt", now=now + timedelta(seconds=3)).ok  # the right password, once the wait is over


def test_the_delay_is_capped_and_given_in_minutes(session, now, staff):
    last = _fail(session, "binh.tt", 14, now=now)  # about 17 minutes of trying
    capped = login(session, "binh.tt", now=last)
    assert "Try again in 15 minutes" in capped.message  # 2**11 s is more than the 15-minute cap
    assert login(session, "binh.tt", now=last + rules.MAX_DELAY).ok


def test_someone_hammering_an_account_does_not_lock_out_its_owner(session, now, admin, staff):
    # 20 wrong passwords on admin from one network (as fast as allowed), one each from 10 others.
    last = _fail(session, "admin", 20, now=now, client_ip="203.0.113.66")
    for i in range(10):
        _fail(session, "admin", 1, now=last, client_ip=f"198.51.100.{i}")
    soon = last + timedelta(seconds=5)
    assert "Too many failed attempts" in login(session, "admin", now=soon, client_ip="203.0.113.66").message
    # A network that failed on admin once, while admin is under attack, waits as well ...
    assert "Too many failed attempts" in login(session, "admin", now=soon, client_ip="198.51.100.3").message
    # ... but the owner, from a network that has not failed, logs in at once, as does anyone else.
    assert login(session, "admin", now=soon, client_ip="192.0.2.1").ok
    assert login(session, "binh.tt", now=soon, client_ip="192.0.2.2").ok


def test_throttled_attempts_are_not_recorded_and_do_not_extend_the_wait(session, now, staff):
    last = _fail(session, "binh.tt", 6, now=now)  # the 6th failure costs 8 s
    recorded = attempts(session)
    for second in range(0, 8):
        blocked = login(session, "binh.tt", WRONG, now=last + timedelta(seconds=second))
        assert "Too many failed attempts" in blocked.message
    assert attempts(session) == recorded
    assert login(session, "binh.tt", now=last + timedelta(seconds=8)).ok


def test_a_success_forgets_the_failures_of_that_client_on_that_account(session, now, staff):
    _fail(session, "binh.tt", 2, now=now)
    assert login(session, "binh.tt", now=now).ok
    _fail(session, "binh.tt", 2, now=now)  # 2 more after the success: still free
    assert login(session, "binh.tt", now=now).ok


def test_many_failures_from_one_client_slow_every_username_from_it(session, now, staff):
    for i in range(5):  # 2 failures on each of 5 names: no pair reaches its free failures
        _fail(session, f"guess{i}", 2, now=now)
    assert attempts(session, success=False) == 10
    recorded = attempts(session)
    from_there = login(session, "binh.tt", now=now)
    assert not from_there.ok and "Wait 1 second" in from_there.message
    assert attempts(session) == recorded
    # The same account from another client is fine: only the client is slowed down.
    assert login(session, "binh.tt", now=now, client_ip="198.51.100.1").ok
    assert login(session, "binh.tt", now=now + timedelta(seconds=1)).ok


def test_successful_logins_do_not_count_as_failures(session, now, staff):
    for _ in range(6):
        assert login(session, "binh.tt", now=now).ok


# --- inactive accounts and people ----------------------------------------------------------


def test_disabled_account_cannot_log_in_and_its_sessions_end(session, now, admin, staff):
    token = login(session, "binh.tt", now=now).token
    service.set_account_active(session, actor=admin, account_id=staff.account_id, active=False,
                               now=now)
    assert sessions.resolve_actor(session, token=token, now=now) is None
    result = login(session, "binh.tt", now=now)
    assert not result.ok and "deactivated" in result.message and result.token == ""
    service.set_account_active(session, actor=admin, account_id=staff.account_id, active=True,
                               now=now)
    assert login(session, "binh.tt", now=now).ok


def test_disabled_account_with_wrong_password_gets_the_wrong_password_message(session, now, admin,
                                                                              staff):
    service.set_account_active(session, actor=admin, account_id=staff.account_id, active=False,
                               now=now)
    assert login(session, "binh.tt", WRONG, now=now).message == "Wrong username or password."


def test_deactivated_person_cannot_log_in(session, now, admin, staff):
    token = login(session, "binh.tt", now=now).token
    service.set_person_active(session, actor=admin, person_id=staff.person_id, active=False, now=now)
    assert sessions.resolve_actor(session, token=token, now=now) is None
    result = login(session, "binh.tt", now=now)
    assert not result.ok and "deactivated" in result.message


def test_admin_cannot_disable_their_own_account(session, now, admin):
    with pytest.raises(Invalid):
        service.set_account_active(session, actor=admin, account_id=admin.account_id,
                                   active=False, now=now)
    assert account_of(session, "admin").is_active


# --- change password ------------------------------------------------------------------------

NEW = "a brand new passphrase"


def change(session, actor, *, current=f.PASSWORD, new=NEW, confirm=None, token="", now):
    """Change the password; a wrong current password is returned by the service (kept), raised here."""
    refused = sessions.change_password(session, actor=actor, current_password=current, new_password=new,
                                       confirm_password=new if confirm is None else confirm, token=token,
                                       now=now, client_ip=IP)
    if refused is not None:
        raise refused


def test_change_password_with_wrong_current_is_refused_and_changes_nothing(session, now, staff):
    token = login(session, "binh.tt", now=now).token
    other = login(session, "binh.tt", now=now).token
    before = account_of(session, "binh.tt").password_hash
    with pytest.raises(Invalid) as exc:
        change(session, staff, current=WRONG, token=token, now=now)
    assert exc.value.fields == {"current": "Wrong password"}
    assert account_of(session, "binh.tt").password_hash == before
    assert sessions.resolve_actor(session, token=other, now=now) is not None
    assert login(session, "binh.tt", now=now).ok
    assert not login(session, "binh.tt", NEW, now=now).ok


@pytest.mark.parametrize(("new", "confirm", "expected"), [
    ("short", "short", "at least 10 characters"),
    ("1234567890", "1234567890", "too easy"),
    ("my binh.tt password", "my binh.tt password", "username"),
    (NEW, NEW + "x", "not the same"),
    (f.PASSWORD, f.PASSWORD, "differs from the current"),
])
def test_weak_or_mismatched_new_password_is_refused(session, now, staff, new, confirm, expected):
    before = account_of(session, "binh.tt").password_hash
    with pytest.raises(Invalid) as exc:
        change(session, staff, new=new, confirm=confirm, now=now)
    assert expected in exc.value.message
    assert account_of(session, "binh.tt").password_hash == before


def test_anonymous_caller_cannot_change_a_password(session, now, staff):
    with pytest.raises(NotAllowed):
        change(session, None, now=now)


def test_change_password_ends_other_sessions_but_keeps_the_current_one(session, now, staff):
    current = login(session, "binh.tt", now=now).token
    other = login(session, "binh.tt", now=now).token
    actor = sessions.resolve_actor(session, token=current, now=now)
    later = now + timedelta(minutes=5)
    change(session, actor, token=current, now=later)
    assert sessions.resolve_actor(session, token=current, now=later) is not None
    assert sessions.resolve_actor(session, token=other, now=later) is None
    account = account_of(session, "binh.tt")
    assert account.password_changed_at == later and not account.must_change_password
    assert not login(session, "binh.tt", f.PASSWORD, now=later).ok
    assert login(session, "binh.tt", NEW, now=later).ok
    entry = session.exec(select(AuthSession).where(AuthSession.ended_at.is_not(None))).all()
    assert {e.ended_at for e in entry} == {later}
    audit = session.exec(select(AuditEntry).where(
        AuditEntry.action == "account.change_password")).one()
    assert audit.actor_account_id == staff.account_id


def test_change_password_clears_must_change_flag(session, now, admin, root_id):
    pid = f.person(session, admin, now, unit_id=root_id, name="Lê Văn Tám")
    temp = service.create_account(session, actor=admin, person_id=pid, username="tam.lv", now=now)
    first = login(session, "tam.lv", temp.temporary_password, now=now)
    assert first.ok and first.must_change_password
    actor = sessions.resolve_actor(session, token=first.token, now=now)
    assert actor.must_change_password
    change(session, actor, current=temp.temporary_password, token=first.token, now=now)
    again = sessions.resolve_actor(session, token=first.token, now=now)
    assert again is not None and not again.must_change_password


# --- reset password -------------------------------------------------------------------------


def test_reset_password_gives_a_temporary_password_and_ends_sessions(session, now, admin, staff):
    token = login(session, "binh.tt", now=now).token
    reset = service.reset_password(session, actor=admin, account_id=staff.account_id, now=now)
    assert reset.username == "binh.tt" and len(reset.temporary_password) == 12
    assert sessions.resolve_actor(session, token=token, now=now) is None
    assert account_of(session, "binh.tt").must_change_password
    assert not login(session, "binh.tt", f.PASSWORD, now=now).ok
    fresh = login(session, "binh.tt", reset.temporary_password, now=now)
    assert fresh.ok and fresh.must_change_password
    assert session.exec(select(AuditEntry).where(
        AuditEntry.action == "account.reset_password",
        AuditEntry.entity_id == str(staff.account_id))).one().actor_account_id == admin.account_id


def test_reset_password_lifts_the_lock(session, now, admin, staff):
    last = _fail(session, "binh.tt", 5, now=now)
    assert "Too many failed attempts" in login(session, "binh.tt", now=last).message
    reset = service.reset_password(session, actor=admin, account_id=staff.account_id, now=now)
    assert login(session, "binh.tt", reset.temporary_password, now=now).ok


def test_reset_passwords_differ_each_time(session, now, admin, staff):
    first = service.reset_password(session, actor=admin, account_id=staff.account_id, now=now)
    second = service.reset_password(session, actor=admin, account_id=staff.account_id, now=now)
    assert first.temporary_password != second.temporary_password
    assert not login(session, "binh.tt", first.temporary_password, now=now).ok


def test_only_admins_reset_passwords(session, now, admin, staff):
    with pytest.raises(NotAllowed):
        service.reset_password(session, actor=staff, account_id=admin.account_id, now=now)
    assert login(session, "admin", now=now).ok


# --- bootstrap ------------------------------------------------------------------------------


def test_bootstrap_refuses_to_run_twice(session, now, admin):
    from engagement.core.errors import Conflict
    with pytest.raises(Conflict):
        service.bootstrap_admin(session, username="second", password="another long password",
                                full_name="Ai Đó Khác", employee_code="ADM002",
                                unit_name="Khác", unit_code="OTHER", now=now)
    assert session.exec(select(func.count()).select_from(Account)).one() == 1


def test_bootstrap_refuses_a_weak_password(session, now):
    with pytest.raises(Invalid):
        service.bootstrap_admin(session, username="admin", password="admin12345",
                                full_name="Quản Trị Viên", employee_code="ADM001",
                                unit_name="Tỉnh", unit_code="ROOT", now=now)
    assert session.exec(select(func.count()).select_from(Account)).one() == 0


def test_throttle_constants_are_the_documented_ones():
    assert (rules.PAIR_FREE_FAILURES, rules.CLIENT_FREE_FAILURES, rules.ACCOUNT_FREE_FAILURES) == (3, 10, 5)
    assert (timedelta(seconds=1), timedelta(minutes=15)) == (rules.FIRST_DELAY, rules.MAX_DELAY)
    assert timedelta(hours=1) == rules.SLOWDOWN_WINDOW


def test_production_passwords_use_argon2id_at_owasp_cost():
    # The other tests here lower the cost (see _hashing.py); the real parameters are these.
    assert PRODUCTION_CONTEXT.hash("x").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
