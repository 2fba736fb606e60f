"""The session in the browser, the actor on the server, and how handlers call services.

The browser holds only an opaque token (a cookie). Every handler re-derives the actor from
it on the server, inside the same transaction as the service it calls; nothing a client
can set (public vars, ``setvar``, handler arguments) ever decides identity or rights.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import reflex as rx

from engagement.core import clock, i18n, routes
from engagement.core.access import Actor, Perm, can
from engagement.core.db import read_only, run_in_transaction
from engagement.core.errors import NotAllowed
from engagement.core.i18n import N_
from engagement.notify import queries as notify_queries
from engagement.org import sessions as org_sessions
from engagement.settings import get_settings
from engagement.ui.client import client_ip
from engagement.ui.i18n import LangState
from engagement.ui.kit import Attempt, AttemptBlock, Form

T = TypeVar("T")

SESSION_COOKIE = "engagement_session"


def protect_state_files(directory: Path | None = None) -> Path:
    """Make Reflex's tab-state folder (``.states/``) readable by the app's own user only.

    The disk state manager pickles each tab's state there, the session cookie's value included;
    with the default umask the files were world-readable. The folder is made 0700 (so nothing
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
    return org_sessions.resolve_actor(session, token=token, now=now)


def _fresh_tab(path: str) -> Any:
    """Open ``path`` with a new Reflex tab state (at login and logout).

    Reflex keeps a tab's page states under a token in the tab's sessionStorage: without a new
    one, the next person to log in on that tab would see the previous person's last pages
    until their own reads land. Dropping the token and loading the page anew starts clean.
    """
    return rx.call_script(f"window.sessionStorage.removeItem('token'); window.location.replace({json.dumps(path)})")


class AuthState(LangState):
    """The logged-in person as the pages show them. Display only: never trusted.

    Every service and query it runs writes in the tab's language (``i18n.using``).
    """

    auth_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, path="/", same_site="strict",
        max_age=get_settings().session_hours * 3600,
    )
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
        return self.auth_token if isinstance(self.auth_token, str) else ""

    async def _call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run one service with the server-side actor, in one transaction, off the event loop.

        Raises:
            NotAllowed: a temporary password must be changed first.
            DomainError: whatever the service refuses.
        """
        token, lang = self._token(), self._lang()

        def attempt(session: Any) -> T:
            now = clock.now()
            actor = _resolve(session, token, now)
            if (actor is not None and actor.must_change_password
                    and fn is not org_sessions.change_password):
                raise NotAllowed("Change your temporary password first.")
            return fn(session, actor=actor, now=now, **kwargs)

        def work() -> T:
            # The whole call is re-run when the database asks (deadlock, busy): core.db.
            with i18n.using(lang):
                return run_in_transaction(attempt)

        return await asyncio.to_thread(work)

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

        def work() -> tuple[Any, ...]:
            with i18n.using(lang), read_only() as session:
                actor = _resolve(session, token, clock.now())
                if actor is not None and actor.must_change_password:
                    raise NotAllowed("Change your temporary password first.")
                return tuple(read(session, actor=actor) for read in reads)

        return await asyncio.to_thread(work)

    async def _public(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a service that needs no login (citizens' pages) in one transaction, off the loop."""

        lang = self._lang()

        def work() -> T:
            with i18n.using(lang):
                return run_in_transaction(lambda session: fn(session, now=clock.now(), **kwargs))

        return await asyncio.to_thread(work)

    async def _public_read(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a read that needs no login (public pages), read-only, off the loop."""

        lang = self._lang()

        def work() -> T:
            with i18n.using(lang), read_only() as session:
                return fn(session, **kwargs)

        return await asyncio.to_thread(work)

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

        def work() -> Actor | None:
            with read_only() as session:
                return _resolve(session, token, clock.now())

        return await asyncio.to_thread(work)

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
        """on_load of every private page: log in first, change a temporary password first."""
        token = self._token()

        def work() -> tuple[Actor | None, int]:
            # One trip: the actor and the bell's number from one read-only transaction.
            with read_only() as session:
                actor = _resolve(session, token, clock.now())
                unread = notify_queries.unread_count(session, actor=actor) if actor is not None else 0
                return actor, unread

        actor, unread = await asyncio.to_thread(work)
        self._show(actor)
        self.unread_notifications = unread
        # The account's choice, else this browser's, else the organisation's default.
        chosen = actor.language if actor is not None and i18n.supported(actor.language) else ""
        if not chosen and i18n.supported(self.lang_choice):
            chosen = self.lang_choice
        if chosen and chosen != self.lang_choice:
            self.lang_choice = chosen
        shown = self._show_language(chosen or i18n.default_language())
        if actor is None:
            return [shown, rx.redirect(f"{routes.LOGIN}?next={self.router.url.path}")]
        if actor.must_change_password and self.router.url.path != routes.CHANGE_PASSWORD:
            return [shown, rx.redirect(routes.CHANGE_PASSWORD)]
        return shown

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
        await self._public(org_sessions.logout, token=self._token())
        self.auth_token = ""
        self._show(None)
        return _fresh_tab(routes.LOGIN)


class LoginState(AuthState):
    """The login form."""

    error: str = ""
    busy: bool = False

    @rx.event
    async def redirect_if_logged_in(self):
        """on_load of the login page."""
        self.error = ""
        self.busy = False
        if await self._actor() is not None:
            return rx.redirect(routes.HOME)
        return None

    @rx.event
    async def submit(self, form: dict):
        """Check credentials (argon2 runs in a thread) and open a session."""
        with self._attempt():
            f = Form(form)
            self.busy = True
            yield
            result = await self._public(
                org_sessions.login, username=f.text("username", 60), password=f.text("password", 256),
                client_ip=client_ip(self), user_agent=self.router.headers.user_agent)
        self.busy = False
        if self.error:
            return
        if not result.ok:
            self.error = result.message
            return
        self.auth_token = result.token
        if result.must_change_password:
            yield _fresh_tab(routes.CHANGE_PASSWORD)
            return
        yield _fresh_tab(routes.same_site(self.router.url.query_parameters.get("next")) or routes.HOME)


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
        """Change the password; other sessions of the account end."""
        with self._attempt(success=N_("Your password has been changed.")) as done:
            f = Form(form)
            refused = await self._call(
                org_sessions.change_password, current_password=f.text("current", 256),
                new_password=f.text("new", 256), confirm_password=f.text("confirm", 256),
                token=self._token(), client_ip=client_ip(self))
            if refused is not None:  # a wrong current password: the failed attempt is kept (throttle)
                raise refused
        self.done = done.ok
        return [done.toast, rx.redirect(routes.HOME)] if done.ok else None
