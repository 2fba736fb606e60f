"""Login, sessions and the throttled password check of the organisation feature.

Every function that takes the caller's session only flushes; the caller's ``unit_of_work``
commits. The throttled password check (failures recorded as ``LoginAttempt`` rows, counted
by account and client together, answered with a growing delay rather than a lock-out: see
``_wait``) is used by login and by any re-entry of the password (signing a commitment,
changing one's password).

The app checks a password in three steps so that argon2 never runs inside a transaction
(issue 19: inside SQLite's ``BEGIN IMMEDIATE`` it made logins go one at a time and stalled
every writer):

1. ``password_plan`` (a read-only session): the account's hash and whether this client must
   wait;
2. ``prove`` (no session; on ``security.in_hash_pool``): the argon2 check, giving a
   ``PasswordProof``, a server-side object no client can send;
3. ``settle`` (the write transaction of the service that needed the password): the throttle
   is judged again with every attempt recorded meanwhile, the account and its hash must be
   the ones checked (else ``PasswordChanged``: check again), and the attempt is recorded.

``check_password`` and ``login`` do the three in the caller's one session: for scripts, the
demo seed and tests, never for the app's handlers.

The browser never receives the session token over the socket: ``finish_login`` gives a
one-time hand-off code (``LoginHandoff``) that the cookie route redeems with
``redeem_handoff``, which gives the session a fresh token and sets it as an HttpOnly cookie.
The socket then knows the session only by its token's hash (``resolve_actor(token_hash=)``).
This module never imports ``org.service`` (the service imports from here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import audit
from engagement.core.access import SESSION_ENDED, Actor, Grant, Role, require_login
from engagement.core.db import lock_key
from engagement.core.errors import Conflict, Invalid, NotAllowed
from engagement.core.i18n import N_, Msg, _
from engagement.core.secrets import keyed_hash
from engagement.core.security import hash_password, hash_token, new_token, verify_password
from engagement.org import rules
from engagement.org.dto import LoginResult
from engagement.org.models import Account, AuthSession, LoginAttempt, LoginHandoff, Person, RoleGrant, Unit
from engagement.settings import LANGUAGES, get_settings


def _client_key(session: Session, client_ip: str, now: datetime) -> str:
    """The client's network address as a keyed hash (comparable, not reversible)."""
    return keyed_hash(session, purpose="login", value=client_ip or "unknown", now=now)


def _recent_attempts(session: Session, *, name: str, client: str,
                     since: datetime) -> list[tuple[datetime, str, str, bool]]:
    """Attempts since ``since`` on this account or from this client: (at, username, client, success)."""
    stmt = select(LoginAttempt.at, LoginAttempt.username, LoginAttempt.client_key, LoginAttempt.success).where(
        LoginAttempt.at > since, sa.or_(LoginAttempt.username == name, LoginAttempt.client_key == client))
    return [tuple(row) for row in session.exec(stmt)]


def _wait(attempts: list[tuple[datetime, str, str, bool]], *, name: str, client: str,
          now: datetime) -> timedelta | None:
    """How long this client must wait before trying this account again (None: go ahead).

    Three counts, each slowing down rather than locking out: this client on this account
    (since its last success), this client on any account, and this account from anywhere,
    which only slows the clients that have themselves failed on it: the right password from
    a client that has not failed is never held back by someone else's failures.
    """
    last_ok = max((at for at, user, key, ok in attempts if ok and user == name and key == client), default=None)
    pair = [at for at, user, key, ok in attempts
            if not ok and user == name and key == client and (last_ok is None or at > last_ok)]
    from_client = [at for at, _user, key, ok in attempts if not ok and key == client]
    on_account = [at for at, user, _key, ok in attempts if not ok and user == name]
    waits = [rules.growing_delay(pair, now=now, free=rules.PAIR_FREE_FAILURES),
             rules.growing_delay(from_client, now=now, free=rules.CLIENT_FREE_FAILURES)]
    if pair:
        waits.append(rules.growing_delay(on_account, now=now, free=rules.ACCOUNT_FREE_FAILURES))
    return max((w for w in waits if w is not None), default=None)


def _username(username: str | None) -> str:
    return (username or "").strip().lower()[:60]


@dataclass(frozen=True)
class PasswordCheck:
    """Outcome of a throttled password check (``settle``, ``check_password``).

    ``ok``: the password is this account's. ``throttled``: refused without checking (too
    many recent failures), with ``message`` saying how long to wait (in the current language;
    ``reason`` is the same message, to render in another reader's language).
    """

    ok: bool
    account_id: int | None = None
    throttled: bool = False
    message: str = ""
    reason: Msg | None = None


class PasswordChanged(Conflict):
    """The account or its password changed between the check and its recording: check again."""

    def __init__(self) -> None:
        super().__init__("Your password was changed while it was being checked. Enter it again.")


@dataclass(frozen=True)
class PasswordPlan:
    """What a password check needs, read before any write transaction (``password_plan``)."""

    username: str
    client_ip: str
    account_id: int | None
    password_hash: str | None = field(repr=False)
    #: Set when this client must still wait: nothing is to be checked.
    wait: Msg | None = None


@dataclass(frozen=True)
class PasswordProof:
    """A password checked against ``plan``'s hash outside any transaction (``prove``).

    Only server code makes one, after the argon2 check; the services that take one (as
    ``password=``) ``settle`` it in their write transaction. A client cannot forge it: handler
    arguments arrive as JSON (a string, a dict), never as this class, and ``settle`` accepts
    nothing else.
    """

    plan: PasswordPlan
    valid: bool
    #: False when the plan was throttled: no hash was checked.
    checked: bool


def _plan_from(session: Session, name: str, client_ip: str, now: datetime) -> PasswordPlan:
    client = _client_key(session, client_ip, now)
    attempts = _recent_attempts(session, name=name, client=client, since=now - rules.SLOWDOWN_WINDOW)
    wait = _wait(attempts, name=name, client=client, now=now)
    account = session.exec(select(Account.id, Account.password_hash).where(Account.username == name)).first()
    return PasswordPlan(username=name, client_ip=client_ip or "", account_id=account[0] if account else None,
                        password_hash=account[1] if account else None,
                        wait=rules.slow_down_msg(wait) if wait is not None else None)


def password_plan(session: Session, *, username: str, client_ip: str, now: datetime) -> PasswordPlan:
    """Step 1 (read-only session): the account's hash and this client's wait, if any."""
    return _plan_from(session, _username(username), client_ip, now)


def prove(plan: PasswordPlan, password: str) -> PasswordProof:
    """Step 2 (no session, slow: argon2): check ``password`` against the plan's hash.

    A throttled plan checks nothing. An unknown account costs the same time as a real one
    (``verify_password`` checks a dummy hash), so timing does not reveal which names exist.
    """
    if plan.wait is not None:
        return PasswordProof(plan=plan, valid=False, checked=False)
    return PasswordProof(plan=plan, valid=verify_password((password or "")[:256], plan.password_hash),
                         checked=True)


def settle(session: Session, *, proof: PasswordProof, now: datetime) -> PasswordCheck:
    """Step 3 (the write transaction): judge the throttle again and record the attempt.

    The wait is computed again from every attempt recorded by now, so attempts made in
    parallel are answered exactly as if they had come one after another: once the delay
    applies, the later ones are refused (throttled, nothing recorded) whatever their password.
    On PostgreSQL the account and the client are locked (one order: account, then client) so
    that concurrent settles of one of them take turns; on SQLite ``BEGIN IMMEDIATE`` does.

    Raises:
        PasswordChanged: the account or its hash is not the one checked (nothing recorded).
        TypeError: ``proof`` is not a ``PasswordProof`` (never a client's value).
    """
    if not isinstance(proof, PasswordProof):
        raise TypeError("settle needs a PasswordProof made on the server")
    name = proof.plan.username
    client = _client_key(session, proof.plan.client_ip, now)
    lock_key(session, "login-account", name)
    lock_key(session, "login-client", client)
    attempts = _recent_attempts(session, name=name, client=client, since=now - rules.SLOWDOWN_WINDOW)
    wait = _wait(attempts, name=name, client=client, now=now)
    if wait is not None:
        reason = rules.slow_down_msg(wait)
        return PasswordCheck(ok=False, throttled=True, message=reason.render(), reason=reason)
    account = session.exec(select(Account).where(Account.username == name)).first()
    seen = (account.id, account.password_hash) if account is not None else (None, None)
    if not proof.checked or seen != (proof.plan.account_id, proof.plan.password_hash):
        raise PasswordChanged()
    session.add(LoginAttempt(at=now, username=name, client_key=client, success=proof.valid))
    session.flush()
    if not proof.valid or account is None:
        return PasswordCheck(ok=False)
    return PasswordCheck(ok=True, account_id=account.id)


def check_password(
    session: Session, *, username: str, password: str, client_ip: str, now: datetime,
) -> PasswordCheck:
    """The three steps in the caller's one session (scripts, demo seed, tests; not handlers).

    While this client must still wait (``_wait``: a delay that grows with its failures), the
    check is refused without verifying or recording anything. Otherwise the attempt (success or
    failure) is added as a ``LoginAttempt`` row and flushed: the caller must COMMIT it even
    when it then refuses the request, or the failure does not count.

    Returns:
        ``ok`` with the account's id, or not ok (``throttled`` with a wait message).
    """
    plan = password_plan(session, username=username, client_ip=client_ip, now=now)
    if plan.wait is not None:
        return PasswordCheck(ok=False, throttled=True, message=plan.wait.render(), reason=plan.wait)
    return settle(session, proof=prove(plan, password), now=now)


def _settled(session: Session, password: str | PasswordProof, *, username: str, client_ip: str,
             now: datetime) -> PasswordCheck:
    """A proof settled, or a plain password checked in this session (scripts and tests)."""
    if isinstance(password, PasswordProof):
        if password.plan.username != _username(username):
            return PasswordCheck(ok=False)  # a proof for another account proves nothing here
        return settle(session, proof=password, now=now)
    if not isinstance(password, str):
        return PasswordCheck(ok=False)
    return check_password(session, username=username, password=password, client_ip=client_ip, now=now)


def settle_password(session: Session, *, password: str | PasswordProof, username: str, client_ip: str,
                    now: datetime) -> PasswordCheck:
    """For services that re-ask the password (signing): settle a proof, or check a plain string.

    A proof made for another username is refused (not ok, nothing recorded); anything that is
    neither a proof nor a string (a client's dict) is refused too.

    Raises:
        PasswordChanged: see ``settle``.
    """
    return _settled(session, password, username=username, client_ip=client_ip, now=now)


def _admit(session: Session, check: PasswordCheck, *, client_ip: str, user_agent: str,
           now: datetime) -> tuple[LoginResult, AuthSession | None]:
    """After the password check: refuse, or open a session (with a token returned once)."""
    if check.throttled:
        return LoginResult(ok=False, message=check.message), None
    if not check.ok:
        return LoginResult(ok=False, message=_("Wrong username or password.")), None
    account = session.get(Account, check.account_id)
    person = session.get(Person, account.person_id)
    if not account.is_active or person is None or not person.is_active:
        return LoginResult(
            ok=False,
            message=_("This account is deactivated. Ask your system administrator to reactivate it."),
        ), None
    token = new_token()
    auth = AuthSession(
        token_hash=hash_token(token), account_id=account.id, created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
        client_ip=(client_ip or "")[:64], user_agent=(user_agent or "")[:300],
    )
    session.add(auth)
    account.last_login_at = now
    session.add(account)
    session.flush()
    return LoginResult(ok=True, token=token, must_change_password=account.must_change_password), auth


def login(
    session: Session, *, username: str, password: str, client_ip: str, user_agent: str,
    now: datetime,
) -> LoginResult:
    """Check credentials and open a session, all in the caller's session (scripts, tests).

    Failures are returned, not raised, so that the failed attempt is committed and counts
    towards throttling (``check_password``). The app's login form uses ``finish_login``.

    Returns:
        ``ok`` with a fresh token (the database keeps only its hash), or a message (in the
        current language: the reader's, as ``AuthState._public`` sets it).
    """
    name = _username(username)
    if not name or not password:
        return LoginResult(ok=False, message=_("Enter your username and password."))
    check = check_password(session, username=name, password=password, client_ip=client_ip, now=now)
    return _admit(session, check, client_ip=client_ip, user_agent=user_agent, now=now)[0]


#: How long the login form's hand-off code may be redeemed for the cookie.
HANDOFF_TTL = timedelta(seconds=60)


def finish_login(session: Session, *, proof: PasswordProof, user_agent: str, now: datetime) -> LoginResult:
    """The login form's write step: settle the proof, open a session, give a hand-off code.

    The session's token is never returned: ``handoff`` is a one-time code (a minute, once)
    that ``redeem_handoff`` exchanges for a fresh token, set as an HttpOnly cookie.

    Raises:
        PasswordChanged: see ``settle``.
    """
    check = settle(session, proof=proof, now=now)
    result, auth = _admit(session, check, client_ip=proof.plan.client_ip, user_agent=user_agent, now=now)
    if auth is None:
        return result
    code = new_token()
    session.add(LoginHandoff(code_hash=hash_token(code), session_id=auth.id, created_at=now,
                             expires_at=now + HANDOFF_TTL))
    session.flush()
    return LoginResult(ok=True, handoff=code, must_change_password=result.must_change_password)


@dataclass(frozen=True)
class Redeemed:
    """A hand-off code exchanged: the session's new token, and when the session expires."""

    token: str = field(repr=False)
    expires_at: datetime


def redeem_handoff(session: Session, *, code: str, now: datetime) -> Redeemed | None:
    """Exchange a login hand-off code for the session's token (once, within ``HANDOFF_TTL``).

    The session gets a FRESH token here (the one made at login never left the server), so a
    code seen by anyone after its use is worth nothing. Codes older than a day are deleted.

    Returns:
        The token to set as the cookie; None for an unknown, used or expired code, or a
        session already ended.
    """
    if not isinstance(code, str) or not code or len(code) > 100:
        return None
    session.execute(sa.delete(LoginHandoff).where(LoginHandoff.expires_at < now - timedelta(days=1)))
    handoff = session.exec(select(LoginHandoff).where(LoginHandoff.code_hash == hash_token(code))).first()
    if handoff is None or handoff.used_at is not None or handoff.expires_at <= now:
        return None
    handoff.used_at = now
    session.add(handoff)
    auth = session.get(AuthSession, handoff.session_id)
    if auth is None or auth.ended_at is not None or auth.expires_at <= now:
        session.flush()
        return None
    token = new_token()
    auth.token_hash = hash_token(token)
    session.add(auth)
    session.flush()
    return Redeemed(token=token, expires_at=auth.expires_at)


def _token_hash(token: str, token_hash: str) -> str:
    """The stored hash of a session: from the raw token (HTTP routes) or as the socket keeps it."""
    if token:
        return hash_token(token) if isinstance(token, str) and len(token) <= 100 else ""
    return token_hash if isinstance(token_hash, str) and len(token_hash) == 64 else ""


def resolve_actor(session: Session, *, token: str = "", token_hash: str = "", now: datetime) -> Actor | None:
    """The actor behind a browser's session token (or that token's hash), or None (expired, ended, unknown)."""
    wanted = _token_hash(token, token_hash)
    if not wanted:
        return None
    row = session.exec(
        select(AuthSession, Account, Person, Unit)
        .join(Account, Account.id == AuthSession.account_id)
        .join(Person, Person.id == Account.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(AuthSession.token_hash == wanted, AuthSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    auth, account, person, unit = row
    if auth.expires_at <= now or not account.is_active or not person.is_active:
        return None
    grants = session.exec(
        select(RoleGrant, Unit.path)
        .join(Unit, Unit.id == RoleGrant.unit_id, isouter=True)
        .where(RoleGrant.account_id == account.id, RoleGrant.revoked_at.is_(None))
    ).all()
    return Actor(
        account_id=account.id, person_id=person.id, username=account.username,
        full_name=person.full_name, unit_id=unit.id, unit_path=unit.path,
        grants=tuple(
            Grant(role=Role(g.role), unit_id=g.unit_id, unit_path=path, branch_id=g.branch_id)
            for g, path in grants
        ),
        must_change_password=account.must_change_password,
        language=account.language or "",
    )


def logout(session: Session, *, token: str = "", token_hash: str = "", now: datetime) -> None:
    """End the session of this token (or token hash) on the server (no-op for an unknown one)."""
    wanted = _token_hash(token, token_hash)
    if not wanted:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == wanted)).first()
    if auth is not None and auth.ended_at is None:
        auth.ended_at = now
        session.add(auth)
        session.flush()


def end_sessions(session: Session, account_id: int, now: datetime, keep_token: str = "",
                 keep_hash: str = "") -> None:
    """End every open session of the account but the one of ``keep_token`` / ``keep_hash``."""
    keep = _token_hash(keep_token, keep_hash)
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.ended_at.is_(None),
               AuthSession.token_hash != keep)
        .values(ended_at=now)
    )


def lift_throttle(session: Session, username: str) -> None:
    """Forget an account's failed attempts (after an administrator's password reset)."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username,
                                                  LoginAttempt.success.is_(False)))


@dataclass(frozen=True)
class NewPassword:
    """A new password hashed ahead of its write transaction (``hash_new_password``).

    ``same_as_current`` is judged while the current password is still in hand, since the
    service then holds only its proof. Like ``PasswordProof``, only server code makes one.
    """

    plain: str = field(repr=False)
    hash: str = field(repr=False)
    same_as_current: bool = False


def hash_new_password(new_password: str, *, current_password: str) -> NewPassword:
    """Slow (argon2): call it outside any transaction, on ``security.in_hash_pool``."""
    new = new_password if isinstance(new_password, str) else ""
    return NewPassword(plain=new, hash=hash_password(new), same_as_current=new == current_password)


def change_password(
    session: Session, *, actor: Actor | None, current_password: str | PasswordProof,
    new_password: str | NewPassword, confirm_password: str, now: datetime, token: str = "",
    token_hash: str = "", client_ip: str = "",
) -> Invalid | None:
    """Change one's own password; other sessions of the account are ended.

    The current password is checked under the login throttle (keyed on the account and
    ``client_ip``): the app passes a ``PasswordProof`` and a ``NewPassword`` made outside the
    transaction (scripts and tests may pass plain strings: then argon2 runs here). A wrong or
    throttled current password is RETURNED as the refusal, not raised, so that the caller
    commits the failed attempt (it counts) and then shows the refusal; ``None`` means the
    password was changed. The session of ``token`` / ``token_hash`` stays open.

    Raises:
        NotAllowed: not logged in.
        Invalid: mismatch, or a weak new password.
        PasswordChanged: the password changed while the current one was being checked.
    """
    actor = require_login(actor)
    account = session.get(Account, actor.account_id)
    if account is None:
        raise NotAllowed(SESSION_ENDED)
    if isinstance(new_password, NewPassword):
        plain, same = new_password.plain, new_password.same_as_current
    else:
        plain = new_password if isinstance(new_password, str) else ""
        same = isinstance(current_password, str) and plain == current_password
    if plain != confirm_password:
        raise Invalid("The two new passwords are not the same.", {"confirm": N_("Does not match")})
    if same:
        raise Invalid("Choose a new password that differs from the current one.")
    problems = rules.password_problem_messages(plain, username=account.username,
                                               full_name=actor.full_name)
    if problems:
        raise Invalid(rules.sentences(problems), {"new": problems[0]})
    check = settle_password(session, password=current_password or "", username=account.username,
                            client_ip=client_ip, now=now)
    if check.throttled:
        return Invalid(check.reason, {"current": N_("Wait before trying again")})
    if not check.ok or check.account_id != account.id:
        return Invalid("Your current password is not right.", {"current": N_("Wrong password")})
    account.password_hash = new_password.hash if isinstance(new_password, NewPassword) else hash_password(plain)
    account.must_change_password = False
    account.password_changed_at = now
    session.add(account)
    end_sessions(session, account.id, now, keep_token=token, keep_hash=token_hash)
    audit.record(session, actor=actor, action="account.change_password", entity="account",
                 entity_id=account.id, now=now)
    session.flush()
    return None


def set_language(session: Session, *, actor: Actor | None, language: str, now: datetime) -> None:
    """Remember the interface language the person chose for their account.

    Raises:
        NotAllowed: not logged in.
        Invalid: not one of the interface languages.
    """
    require_login(actor)
    if language not in LANGUAGES:
        raise Invalid("Choose a language from the list.")
    account = session.get(Account, actor.account_id)
    if account is None:
        raise Invalid("Choose a language from the list.")
    account.language = language
    session.add(account)
    session.flush()
