"""Login, sessions and the throttled password check of the organisation feature.

Every function takes the caller's session and only flushes; the caller's ``unit_of_work``
commits. ``check_password`` is THE place where a password is checked against the login
throttle (failures recorded as ``LoginAttempt`` rows, counted by account and client together,
answered with a growing delay rather than a lock-out: see ``_wait``): login uses it, and so
does any re-entry of the password (signing a commitment, changing one's password).
This module never imports ``org.service`` (the service imports from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import audit
from engagement.core.access import SESSION_ENDED, Actor, Grant, Role, require_login
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.i18n import N_, Msg, _
from engagement.core.secrets import keyed_hash
from engagement.core.security import hash_password, hash_token, new_token, verify_password
from engagement.org import rules
from engagement.org.dto import LoginResult
from engagement.org.models import Account, AuthSession, LoginAttempt, Person, RoleGrant, Unit
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
    """Outcome of ``check_password``.

    ``ok``: the password is this account's. ``throttled``: refused without checking (too
    many recent failures), with ``message`` saying how long to wait (in the current language;
    ``reason`` is the same message, to render in another reader's language).
    """

    ok: bool
    account_id: int | None = None
    throttled: bool = False
    message: str = ""
    reason: Msg | None = None


def check_password(
    session: Session, *, username: str, password: str, client_ip: str, now: datetime,
) -> PasswordCheck:
    """Check ``password`` for ``username`` under the login throttle, and record the attempt.

    While this client must still wait (``_wait``: a delay that grows with its failures), the
    check is refused without verifying or recording anything. Otherwise the attempt (success or
    failure) is added as a ``LoginAttempt`` row and flushed: the caller must COMMIT it even
    when it then refuses the request, or the failure does not count.

    Returns:
        ``ok`` with the account's id, or not ok (``throttled`` with a wait message).
    """
    name = _username(username)
    client = _client_key(session, client_ip, now)
    attempts = _recent_attempts(session, name=name, client=client, since=now - rules.SLOWDOWN_WINDOW)
    wait = _wait(attempts, name=name, client=client, now=now)
    if wait is not None:
        reason = rules.slow_down_msg(wait)
        return PasswordCheck(ok=False, throttled=True, message=reason.render(), reason=reason)
    account = session.exec(select(Account).where(Account.username == name)).first()
    valid = verify_password((password or "")[:256], account.password_hash if account else None)
    session.add(LoginAttempt(at=now, username=name, client_key=client, success=valid))
    session.flush()
    if not valid or account is None:
        return PasswordCheck(ok=False)
    return PasswordCheck(ok=True, account_id=account.id)


def login(
    session: Session, *, username: str, password: str, client_ip: str, user_agent: str,
    now: datetime,
) -> LoginResult:
    """Check credentials and open a session.

    Failures are returned, not raised, so that the failed attempt is committed and counts
    towards throttling (``check_password``).

    Returns:
        ``ok`` with a fresh token (the database keeps only its hash), or a message (in the
        current language: the reader's, as ``AuthState._public`` sets it).
    """
    name = _username(username)
    if not name or not password:
        return LoginResult(ok=False, message=_("Enter your username and password."))
    check = check_password(session, username=name, password=password, client_ip=client_ip, now=now)
    if check.throttled:
        return LoginResult(ok=False, message=check.message)
    if not check.ok:
        return LoginResult(ok=False, message=_("Wrong username or password."))
    account = session.get(Account, check.account_id)
    person = session.get(Person, account.person_id)
    if not account.is_active or person is None or not person.is_active:
        return LoginResult(
            ok=False,
            message=_("This account is deactivated. Ask your system administrator to reactivate it."),
        )
    token = new_token()
    session.add(AuthSession(
        token_hash=hash_token(token), account_id=account.id, created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
        client_ip=(client_ip or "")[:64], user_agent=(user_agent or "")[:300],
    ))
    account.last_login_at = now
    session.add(account)
    session.flush()
    return LoginResult(ok=True, token=token, must_change_password=account.must_change_password)


def resolve_actor(session: Session, *, token: str, now: datetime) -> Actor | None:
    """The actor behind a browser's session token, or None (expired, ended, unknown)."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(AuthSession, Account, Person, Unit)
        .join(Account, Account.id == AuthSession.account_id)
        .join(Person, Person.id == Account.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(AuthSession.token_hash == hash_token(token), AuthSession.ended_at.is_(None))
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


def logout(session: Session, *, token: str, now: datetime) -> None:
    """End the session of this token on the server (no-op for an unknown token)."""
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if auth is not None and auth.ended_at is None:
        auth.ended_at = now
        session.add(auth)
        session.flush()


def end_sessions(session: Session, account_id: int, now: datetime, keep_token: str = "") -> None:
    keep = hash_token(keep_token) if keep_token else ""
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


def change_password(
    session: Session, *, actor: Actor | None, current_password: str, new_password: str,
    confirm_password: str, token: str, now: datetime, client_ip: str = "",
) -> Invalid | None:
    """Change one's own password; other sessions of the account are ended.

    The current password is checked under the login throttle (``check_password``, keyed on
    the account and ``client_ip``). A wrong or throttled current password is RETURNED as the
    refusal, not raised, so that the caller commits the failed attempt (it counts) and then
    shows the refusal; ``None`` means the password was changed.

    Raises:
        NotAllowed: not logged in.
        Invalid: mismatch, or a weak new password.
    """
    actor = require_login(actor)
    account = session.get(Account, actor.account_id)
    if account is None:
        raise NotAllowed(SESSION_ENDED)
    if new_password != confirm_password:
        raise Invalid("The two new passwords are not the same.", {"confirm": N_("Does not match")})
    if new_password == current_password:
        raise Invalid("Choose a new password that differs from the current one.")
    problems = rules.password_problem_messages(new_password, username=account.username,
                                               full_name=actor.full_name)
    if problems:
        raise Invalid(rules.sentences(problems), {"new": problems[0]})
    check = check_password(session, username=account.username, password=current_password or "",
                           client_ip=client_ip, now=now)
    if check.throttled:
        return Invalid(check.reason, {"current": N_("Wait before trying again")})
    if not check.ok or check.account_id != account.id:
        return Invalid("Your current password is not right.", {"current": N_("Wrong password")})
    account.password_hash = hash_password(new_password)
    account.must_change_password = False
    account.password_changed_at = now
    session.add(account)
    end_sessions(session, account.id, now, keep_token=token)
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
