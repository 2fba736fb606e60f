"""The session in the browser, the actor on the server, and how handlers call services.

The browser holds only an opaque token (a cookie). Every handler re-derives the actor from
it on the server, inside the same transaction as the service it calls; nothing a client
can set (public vars, ``setvar``, handler arguments) ever decides identity or rights.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import reflex as rx
from reflex.istate.proxy import StateProxy

from engagement.core import clock, i18n, routes, security
from engagement.core.access import Actor, Perm, can
from engagement.core.db import read_only, run_blocking, run_in_transaction
from engagement.core.errors import NotAllowed
from engagement.core.i18n import N_
from engagement.notify import queries as notify_queries
from engagement.org import sessions as org_sessions
from engagement.org.dto import LoginResult
from engagement.ui import session_route
from engagement.ui.client import client_ip
from engagement.ui.i18n import LangState
from engagement.ui.kit import Attempt, AttemptBlock, Form

T = TypeVar("T")

#: The session cookie: HttpOnly, set and cleared only by ``ui.session_route`` over HTTP.
SESSION_COOKIE = session_route.SESSION_COOKIE


def protect_state_files(directory: Path | None = None) -> Path:
    """Make Reflex's tab-state folder (``.states/``) readable by the app's own user only.

    The disk state manager pickles each tab's state there (the session is kept only as its
    token's hash since issue 18 §4, but the pages' data is personal); with the default umask
    the files were world-readable. The folder is made 0700 (so nothing
    created in it later can be read by others, whatever its own mode) and what is there 0600.
    Returns the folder.
    """
    if directory is None:
        from reflex.utils import prerequisites

        directory = prerequisites.get_states_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    for path in directory.iterdir():
        if path.is_file():
            path.chmod(0o600)
    return directory


def _resolve(session: Any, token: str, now: Any) -> Actor | None:
    """The actor of a socket's session reference (``AuthState._token``: the token's hash)."""
    return org_sessions.resolve_actor(session, token_hash=token, now=now)


@dataclass
class _Opening:
    """A private page being opened (``AuthState.open_page``): the guard's work rides on the first read.

    Resolved once, on the server, from this event's token (``token``); later reads of the same
    event reuse the actor (a write, ``_call``, still resolves it in its own transaction). The
    language the reads render in follows the account's choice as soon as it is known.
    """

    token: str
    #: The language when the account has none: this browser's choice, else the organisation's.
    fallback: str
    resolved: bool = False
    actor: Actor | None = None
    unread: int = 0
    #: Whether the guard's results are already on the state (``AuthState._take_guard``).
    shown: bool = False

    def resolve(self, session: Any, now: Any, *, fresh: bool = False) -> Actor | None:
        """The actor (resolved on the first call only, or again when ``fresh``) and the bell's
        number, in ``session``."""
        if fresh or not self.resolved:
            self.actor = _resolve(session, self.token, now)
            self.unread = notify_queries.unread_count(session, actor=self.actor) if self.actor is not None else 0
            self.resolved = True
        return self.actor

    @property
    def language(self) -> str:
        """The language this page is shown in: the account's, else ``fallback``."""
        actor = self.actor
        return actor.language if actor is not None and i18n.supported(actor.language) else self.fallback


#: The page being opened in this event, if any (set by ``open_page``, read by the trips).
_OPENING: contextvars.ContextVar[_Opening | None] = contextvars.ContextVar("engagement_opening", default=None)
@dataclass
class _Hold:
    """Whether a background event holds the tab's lock right now (``_background``, ``_trip``).

    Tracked by hand because a trip lets go of the lock and takes it again: when the event is
    cancelled in between (a tab closed mid-read), or while the lock is being left (sending the
    delta), the lock is not held at the end, and leaving it again raised "Lock is not acquired".
    """

    held: bool = False


#: Set while an event runs in the background and lets go of the tab's lock around database trips.
_RELEASING: contextvars.ContextVar[_Hold | None] = contextvars.ContextVar("engagement_releasing", default=None)


def _opening(token: str) -> _Opening | None:
    """The page being opened in this event, when it is opened with this token."""
    opening = _OPENING.get()
    return opening if opening is not None and opening.token == token else None


async def _trip(state: Any, work: Callable[[], T]) -> T:
    """Run ``work`` on the database's threads; a background event lets go of the tab's lock meanwhile.

    In a background event (``AuthState._background``) the state is a ``StateProxy`` holding the
    tab's lock (Redis: a lock every worker honours). Holding it through the database work made
    every other event of the tab, and with Redis the lock's holder, wait ("Lock held too long");
    so the lock is left (what was set so far reaches the browser) and taken again, with the
    state read afresh, before the handler goes on.
    """
    hold = _RELEASING.get()
    if hold is None or not hold.held or not isinstance(state, StateProxy) or not state._is_mutable():
        return await run_blocking(work)
    hold.held = False  # first: ``__aexit__`` lets go of the lock even when sending the delta fails
    await state.__aexit__(None, None, None)
    try:
        return await run_blocking(work)
    finally:
        await state.__aenter__()
        hold.held = True


def _page_loads(route: str) -> tuple[Any, ...]:
    from engagement.ui.kit import page_loads

    return page_loads(route)


class AuthState(LangState):
    """The logged-in person as the pages show them. Display only: never trusted.

    Every service and query it runs writes in the tab's language (``i18n.using``).
    """

    me_name: str = ""
    me_username: str = ""
    me_initials: str = ""
    can_manage_units: bool = False
    can_view_people: bool = False
    can_import: bool = False
    can_manage_accounts: bool = False
    can_view_audit: bool = False
    can_manage_commitments: bool = False
    can_follow_commitments: bool = False
    can_moderate_thanks: bool = False
    can_manage_values: bool = False
    can_view_fairness: bool = False
    unread_notifications: int = 0
    can_manage_scoring: bool = False
    can_manage_green: bool = False
    can_verify_green: bool = False
    can_assess_office: bool = False
    can_manage_notifications: bool = False
    can_rate: bool = False
    can_record_discipline: bool = False
    can_manage_titles: bool = False
    can_view_eligibility: bool = False
    can_nominate: bool = False
    can_process_nominations: bool = False
    can_vote: bool = False
    can_issue_decisions: bool = False
    can_propose_models: bool = False
    can_recognise_models: bool = False
    can_view_review: bool = False

    def _token(self) -> str:
        """This socket's session, as the SHA-256 of its cookie's token ("" when logged out).

        The HttpOnly cookie is read from the socket's handshake (``session_route.
        install_socket_reader``), which leaves only this hash in the router data Reflex pickles
        with the tab's state; the raw token never enters a state.
        """
        ref = self.router_data.get(session_route.SESSION_REF, "") if isinstance(self.router_data, dict) else ""
        return ref if isinstance(ref, str) else ""

    async def _prove_own_password(self, password: str) -> org_sessions.PasswordProof:
        """The caller's password checked against their account, outside any transaction.

        Read (who is asking, the hash, the throttle), then argon2 on the hashing threads; the
        service that needs it settles the proof in its own write transaction. Nobody logged
        in: nothing is checked (the service refuses the caller first).
        """
        token, ip = self._token(), client_ip(self)

        def work() -> tuple[org_sessions.PasswordPlan, bool]:
            with read_only() as session:
                now = clock.now()
                actor = _resolve(session, token, now)
                plan = org_sessions.password_plan(session, username=actor.username if actor else "",
                                                  client_ip=ip, now=now)
                return plan, actor is not None

        plan, known = await run_blocking(work)
        if not known:
            return org_sessions.PasswordProof(plan=plan, valid=False, checked=False)
        return await security.in_hash_pool(org_sessions.prove, plan, password)

    async def _call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run one service with the server-side actor, in one transaction, off the event loop.

        Raises:
            NotAllowed: a temporary password must be changed first.
            DomainError: whatever the service refuses.
        """
        token, lang = self._token(), self._lang()
        opening = _opening(token)

        def attempt(session: Any) -> T:
            now = clock.now()
            if opening is None:
                actor, shown_in = _resolve(session, token, now), lang
            else:  # opening a page: a write still resolves in its own transaction, for the guard too
                actor, shown_in = opening.resolve(session, now, fresh=True), opening.language
            if (actor is not None and actor.must_change_password
                    and fn is not org_sessions.change_password):
                raise NotAllowed("Change your temporary password first.")
            with i18n.using(shown_in):
                return fn(session, actor=actor, now=now, **kwargs)

        def work() -> T:
            # The whole call is re-run when the database asks (deadlock, busy): core.db.
            with i18n.using(lang):
                return run_in_transaction(attempt)

        try:
            return await _trip(self, work)
        finally:
            if opening is not None:
                self._take_guard(opening)

    async def _read(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Like ``_call`` for one read: no ``now`` argument, read-only session."""
        (result,) = await self._read_each(functools.partial(fn, **kwargs))
        return result

    async def _read_each(self, *reads: Callable[..., Any]) -> tuple[Any, ...]:
        """Several reads of one page in ONE read-only transaction, the actor resolved once.

        Each read is a query function (or a ``functools.partial`` of one) called as
        ``read(session, actor=actor)``; the results come back in order.

        Raises:
            NotAllowed: a temporary password must be changed first.
            DomainError: whatever a query refuses (the later reads are not made).
        """
        token, lang = self._token(), self._lang()
        opening = _opening(token)

        def work() -> tuple[Any, ...]:
            with read_only() as session:
                if opening is None:
                    actor, shown_in = _resolve(session, token, clock.now()), lang
                else:  # opening a page: the guard's read is this one (resolved once per event)
                    actor, shown_in = opening.resolve(session, clock.now()), opening.language
                if actor is not None and actor.must_change_password:
                    raise NotAllowed("Change your temporary password first.")
                with i18n.using(shown_in):
                    return tuple(read(session, actor=actor) for read in reads)

        try:
            return await _trip(self, work)
        finally:
            if opening is not None:
                self._take_guard(opening)

    async def _public(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a service that needs no login (citizens' pages) in one transaction, off the loop."""

        lang = self._lang()

        def work() -> T:
            with i18n.using(lang):
                return run_in_transaction(lambda session: fn(session, now=clock.now(), **kwargs))

        return await _trip(self, work)

    async def _public_read(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a read that needs no login (public pages), read-only, off the loop."""

        lang = self._lang()

        def work() -> T:
            with i18n.using(lang), read_only() as session:
                return fn(session, **kwargs)

        return await _trip(self, work)

    def _attempt(self, *, success: str | i18n.Msg = "", error: str | None = "error",
                 toast_errors: bool = False) -> AttemptBlock:
        """A block whose DomainError becomes the message in ``error`` (a var name) instead of a crash.

        On success the message var is cleared and ``.toast`` is a success toast when
        ``success`` is given; on a refusal ``.ok`` is False, ``.message`` the refusal and
        ``.toast`` an error toast when ``toast_errors``. ``error=None`` sets no var.
        """
        return AttemptBlock(self, Attempt(success=success, toast_errors=toast_errors, lang=self._lang()), error)

    async def _actor(self) -> Actor | None:
        token = self._token()
        opening = _opening(token)
        if opening is not None and opening.resolved:
            return opening.actor

        def work() -> Actor | None:
            with read_only() as session:
                now = clock.now()
                return _resolve(session, token, now) if opening is None else opening.resolve(session, now)

        try:
            return await _trip(self, work)
        finally:
            if opening is not None:
                self._take_guard(opening)

    @contextlib.asynccontextmanager
    async def _background(self) -> AsyncIterator[None]:
        """The body of a background event: the tab's lock held, except around database trips.

        ``async with self._background(): ...`` reads as a plain handler; each ``_read``,
        ``_call`` (and siblings) lets go of the lock for its trip (``_trip``). Run directly on a
        state (tests), it is a plain block.
        """
        hold = _Hold()
        reset = _RELEASING.set(hold)
        try:
            await self.__aenter__()
            hold.held = True
            try:
                yield
            except BaseException as error:
                if hold.held:
                    hold.held = False
                    await self.__aexit__(type(error), error, error.__traceback__)
                raise
            if hold.held:
                hold.held = False
                await self.__aexit__(None, None, None)
        finally:
            _RELEASING.reset(reset)

    def _take_guard(self, opening: _Opening) -> None:
        """Put the guard's findings on the state once (who, rights, bell, language)."""
        if opening.shown or not opening.resolved:
            return
        opening.shown = True
        actor = opening.actor
        # AuthState's own: a page state may have a ``_show`` of its own (its view).
        AuthState._show(self, actor)
        self.unread_notifications = opening.unread
        if actor is not None and i18n.supported(actor.language) and actor.language != self.lang_choice:
            self.lang_choice = actor.language
        self.lang = i18n.normalise(opening.language)

    def _guard_events(self, opening: _Opening) -> list[Any]:
        """After the guard's read: the page's language, then the way to the login or password page."""
        actor = opening.actor
        shown = self._show_language(opening.language)
        if actor is None:
            return [shown, rx.redirect(f"{routes.LOGIN}?next={self.router.url.path}")]
        if actor.must_change_password and self.router.url.path != routes.CHANGE_PASSWORD:
            return [shown, rx.redirect(routes.CHANGE_PASSWORD)]
        return [shown]

    def _new_opening(self) -> _Opening:
        fallback = self.lang_choice if i18n.supported(self.lang_choice) else i18n.default_language()
        return _Opening(token=self._token(), fallback=fallback)

    async def _guard_read(self, opening: _Opening) -> None:
        """The guard's own trip, when the page's load made none (or has no load)."""

        def work() -> None:
            with read_only() as session:
                opening.resolve(session, clock.now())

        await _trip(self, work)
        self._take_guard(opening)

    def _show(self, actor: Actor | None) -> None:
        self.me_name = actor.full_name if actor else ""
        self.me_username = actor.username if actor else ""
        parts = actor.full_name.split() if actor else []
        self.me_initials = "".join(p[0] for p in parts[-2:]).upper() if parts else ""
        self.can_manage_units = can(actor, Perm.MANAGE_UNITS)
        self.can_view_people = can(actor, Perm.VIEW_PEOPLE)
        self.can_import = can(actor, Perm.IMPORT_PEOPLE)
        self.can_manage_accounts = can(actor, Perm.MANAGE_ACCOUNTS)
        self.can_view_audit = can(actor, Perm.VIEW_AUDIT)
        self.can_manage_commitments = can(actor, Perm.MANAGE_COMMITMENTS)
        self.can_follow_commitments = can(actor, Perm.VIEW_COMMITMENT_PROGRESS)
        self.can_moderate_thanks = can(actor, Perm.MODERATE_THANKS)
        self.can_manage_values = can(actor, Perm.MANAGE_VALUES)
        self.can_view_fairness = can(actor, Perm.VIEW_FAIRNESS)
        self.can_manage_scoring = can(actor, Perm.MANAGE_SCORING)
        self.can_manage_green = can(actor, Perm.MANAGE_GREEN)
        self.can_verify_green = can(actor, Perm.VERIFY_GREEN)
        self.can_assess_office = can(actor, Perm.ASSESS_OFFICE)
        self.can_manage_notifications = can(actor, Perm.MANAGE_NOTIFICATIONS)
        self.can_rate = can(actor, Perm.RATE_PEOPLE)
        self.can_record_discipline = can(actor, Perm.RECORD_DISCIPLINE)
        self.can_manage_titles = can(actor, Perm.MANAGE_TITLES)
        self.can_view_eligibility = can(actor, Perm.VIEW_ELIGIBILITY)
        self.can_nominate = can(actor, Perm.NOMINATE)
        self.can_process_nominations = can(actor, Perm.PROCESS_NOMINATIONS)
        self.can_vote = can(actor, Perm.VOTE)
        self.can_issue_decisions = can(actor, Perm.ISSUE_DECISIONS)
        self.can_propose_models = can(actor, Perm.PROPOSE_MODEL)
        self.can_recognise_models = can(actor, Perm.RECOGNISE_MODEL)
        self.can_view_review = can(actor, Perm.VIEW_REVIEW)

    @rx.event
    async def guard(self):
        """Log in first, change a temporary password first (a private page without its own load).

        One trip: the actor and the bell's number from one read-only transaction. The language
        is the account's choice, else this browser's, else the organisation's default.
        """
        opening = self._new_opening()
        await self._guard_read(opening)
        return self._guard_events(opening)

    @rx.event(background=True)
    async def open_page(self, route: str):
        """on_load of every private page (``kit.private_page``): the guard and the page's load(s).

        One event instead of two: the guard's read (the actor, the bell) is made in the same
        trip and transaction as the page's first read, and the actor is resolved once. It runs
        in the background, so the tab's lock is let go during database work (``_trip``). The
        loads are those registered for ``route``; an unknown route runs the guard alone.
        Identity still comes from this event's token, on the server, never from the browser.
        """
        events: list[Any] = []
        async with self._background():
            opening = self._new_opening()
            reset = _OPENING.set(opening)
            try:
                for handler in _page_loads(route if isinstance(route, str) else ""):
                    state = await self.get_state(handler.state)
                    result = handler.fn(state)
                    if inspect.isawaitable(result):
                        result = await result
                    if result is not None:
                        events.extend(result if isinstance(result, list | tuple) else [result])
                if not opening.resolved:
                    await self._guard_read(opening)
                self._take_guard(opening)
                guard_events = self._guard_events(opening)
            finally:
                _OPENING.reset(reset)
        return [*guard_events, *events]

    @rx.event
    async def choose_language(self, code: str):
        """The language switch (header, profile): kept for the account, and in this browser."""
        if not i18n.supported(code):
            return rx.toast.error(self._t("Choose a language from the list."))
        if await self._actor() is not None:
            with self._attempt(error=None, toast_errors=True) as done:
                await self._call(org_sessions.set_language, language=code)
            if not done.ok:
                return done.toast
        self.lang_choice = code
        self._show_language(code)
        return rx.call_script("window.location.reload()")

    @rx.event
    async def logout(self):
        """End the session on the server and forget the token in the browser."""
        await self._public(org_sessions.logout, token_hash=self._token())
        self._show(None)
        # The HttpOnly cookie can only be cleared by an HTTP response: the end route's.
        return rx.call_script(session_route.end_script())


#: How many times a login or password change is checked again when the password changed meanwhile.
_PROOF_TRIES = 3


class LoginState(AuthState):
    """The login form."""

    error: str = ""
    busy: bool = False

    @rx.event
    async def redirect_if_logged_in(self):
        """on_load of the login page.

        The socket knows the cookie its handshake carried; when another tab has logged this
        browser in since, the cookie route's status says so and the page moves on.
        """
        self.error = ""
        self.busy = False
        if await self._actor() is not None:
            return rx.redirect(routes.HOME)
        return rx.call_script(session_route.status_script(self.router.url.query_parameters.get("next") or ""))

    async def _log_in(self, username: str, password: str) -> LoginResult:
        """Read, check (argon2 outside any transaction), then a short write opening the session."""
        if not username.strip() or not password:
            return LoginResult(ok=False, message=self._t("Enter your username and password."))
        ip, agent = client_ip(self), self.router.headers.user_agent
        for _ in range(_PROOF_TRIES):
            plan = await self._public_read(org_sessions.password_plan, username=username, client_ip=ip,
                                           now=clock.now())
            if plan.wait is not None:  # throttled: nothing to check, nothing to record
                return LoginResult(ok=False, message=plan.wait.render(self._lang()))
            proof = await security.in_hash_pool(org_sessions.prove, plan, password)
            try:
                return await self._public(org_sessions.finish_login, proof=proof, user_agent=agent)
            except org_sessions.PasswordChanged:
                continue  # the password was reset meanwhile: check against the new hash
        raise org_sessions.PasswordChanged()

    @rx.event
    async def submit(self, form: dict):
        """Check credentials and open a session; the cookie is set by ``/_session/start``."""
        with self._attempt():
            f = Form(form)
            self.busy = True
            yield
            result = await self._log_in(f.text("username", 60), f.text("password", 256))
        self.busy = False
        if self.error:
            return
        if not result.ok:
            self.error = result.message
            return
        target = (routes.CHANGE_PASSWORD if result.must_change_password
                  else routes.same_site(self.router.url.query_parameters.get("next")) or routes.HOME)
        yield rx.call_script(session_route.start_script(result.handoff, target))


class PasswordState(AuthState):
    """Changing one's own password (also the forced change after a reset)."""

    error: str = ""
    done: bool = False

    @rx.event
    def reset_form(self):
        """Clear messages when the page opens."""
        self.error = ""
        self.done = False

    @rx.event
    async def submit(self, form: dict):
        """Change the password; other sessions of the account end.

        Both argon2 steps (checking the current password, hashing the new one) run before the
        write transaction, on the hashing threads.
        """
        with self._attempt(success=N_("Your password has been changed.")) as done:
            f = Form(form)
            current, new = f.text("current", 256), f.text("new", 256)
            for attempt in range(1, _PROOF_TRIES + 1):
                proof = await self._prove_own_password(current)
                hashed = await security.in_hash_pool(
                    functools.partial(org_sessions.hash_new_password, new, current_password=current))
                try:
                    refused = await self._call(
                        org_sessions.change_password, current_password=proof, new_password=hashed,
                        confirm_password=f.text("confirm", 256), token_hash=self._token(),
                        client_ip=client_ip(self))
                    break
                except org_sessions.PasswordChanged:
                    if attempt == _PROOF_TRIES:
                        raise
            if refused is not None:  # a wrong current password: the failed attempt is kept (throttle)
                raise refused
        self.done = done.ok
        return [done.toast, rx.redirect(routes.HOME)] if done.ok else None
