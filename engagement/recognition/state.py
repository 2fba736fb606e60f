"""Reflex state of the recognition pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import reflex as rx

from engagement.core import clock, i18n, routes
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg
from engagement.org import queries as org_queries
from engagement.recognition import dto, queries, rules, service
from engagement.recognition.device_route import DEVICE_REF, device_url
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.client import client_ip
from engagement.ui.components import Option
from engagement.ui.kit import Form, as_int, as_text, unit_options


def _level_options(lang: str) -> list[Option]:
    """The levels of the give form, with their cost, in ``lang``."""
    return [Option(value=k, label=i18n.render(N_("{level} (costs {n} per person)", level=label, n=c), lang))
            for k, (label, c) in rules.LEVELS.items()]


def _optional_id(value: Any, what: Msg) -> int:
    """A filter chosen from a list: 0 for "all" (an empty choice), else a record's id."""
    return as_int(value, what) if as_text(value, 20).strip() else 0


def _address_id(state: rx.State, name: str) -> int:
    """A record's id from the page's address; 0 (which no read finds) when it is not a number."""
    raw = as_text(state.router.page.params.get(name, ""), 20).strip()
    return int(raw) if raw.isdecimal() else 0


class MorePaged(rx.State, mixin=True):
    """A list read newest first a page at a time, knowing only whether older entries exist.

    The state defines ``_reload()`` (reads the current ``page``, sets ``has_more``).
    """

    page: int = 1
    has_more: bool = False
    error: str = ""

    async def _reload(self) -> None:
        raise NotImplementedError

    async def _refresh(self) -> None:
        """Read the current page again; a refusal becomes the page's message."""
        with self._attempt():
            await self._reload()

    async def _first_page(self) -> None:
        self.page = 1
        await self._refresh()

    # In the background (issue 19): the tab's lock is let go while the feed is read (ui.auth._trip).
    @rx.event(background=True)
    async def next_page(self):
        """Older entries."""
        async with self._background():
            if self.has_more:
                self.page += 1
            await self._refresh()

    @rx.event(background=True)
    async def prev_page(self):
        """Newer entries."""
        async with self._background():
            self.page = max(1, self.page - 1)
            await self._refresh()


class FeedBase(MorePaged, mixin=True):
    """What every feed shares: reactions, comments, revocation, paging (a mixin: each page's
    State gets its own copy of these handlers)."""

    items: list[dto.FeedItem] = []
    revoking_id: int = 0
    _revoke_id: int = 0

    def _feed(self) -> Callable[..., dto.FeedPage]:
        """The read of the current page of this feed (each page's State names its filters)."""
        raise NotImplementedError

    def _show_feed(self, result: dto.FeedPage) -> None:
        self.items, self.has_more = result.items, result.has_more

    async def _reload(self) -> None:
        self._show_feed(await self._read(self._feed()))

    @rx.event
    async def react(self, recognition_id: int):
        """Say "thank you too"."""
        with self._attempt(error=None, toast_errors=True) as done:
            await self._call(service.react, recognition_id=as_int(recognition_id))
            await self._refresh()
        return done.toast

    @rx.event
    async def add_comment(self, form: dict):
        """Comment under a recognition."""
        with self._attempt(error=None, toast_errors=True) as done:
            f = Form(form)
            await self._call(service.comment, recognition_id=f.id("recognition_id"),
                             body=f.text("body", 400))
            await self._refresh()
        return done.toast

    @rx.event
    def open_revoke(self, recognition_id: int):
        """Ask an officer for the reason (only for a recognition on the page)."""
        with self._attempt():
            rid = as_int(recognition_id)
            if any(i.id == rid and i.can_revoke for i in self.items):
                self._revoke_id = self.revoking_id = rid

    @rx.event
    def close_revoke(self, _open: bool = False):
        """Close the revoke dialog."""
        self._revoke_id = self.revoking_id = 0

    @rx.event
    async def submit_revoke(self, form: dict):
        """Revoke with a reason (kept with the recognition)."""
        if not self._revoke_id:
            return None
        with self._attempt(toast_errors=True, success=N_("The recognition was revoked; the record and "
                                                         "your reason are kept.")) as done:
            await self._call(service.revoke, recognition_id=self._revoke_id,
                             reason=Form(form).text("reason", rules.REVOKE_REASON_MAX, N_("reason")))
            self._revoke_id = self.revoking_id = 0
            await self._reload()
        return done.toast


class RecognitionState(FeedBase, AuthState):
    """The organisation / unit feed and the form to give recognition."""

    unit_filter: str = ""
    value_filter: str = ""
    unit_options: list[Option] = []
    value_options: list[Option] = []
    values: list[dto.ValueRow] = []
    level_options: list[Option] = []
    allowance_left: int = 0
    allowance_total: int = 0
    allowance_month: str = ""
    giving: bool = False
    give_error: str = ""
    give_error_fields: dict[str, str] = {}
    give_to_unit: bool = False
    search_text: str = ""
    search_results: list[Option] = []
    chosen: list[Option] = []
    form_key: int = 0
    _unit_id: int = 0
    _value_id: int = 0
    _chosen: dict[int, str] = {}
    _found: dict[int, str] = {}

    def _feed(self) -> Callable[..., dto.FeedPage]:
        return functools.partial(queries.feed, unit_id=self._unit_id or None,
                                 value_id=self._value_id or None, page=self.page)

    async def _filter(self, *, unit_id: int, value_id: int) -> None:
        self._unit_id, self._value_id = unit_id, value_id
        self.unit_filter, self.value_filter = str(unit_id or ""), str(value_id or "")
        self.page = 1
        await self._reload()

    def _show_chosen(self) -> None:
        self.chosen = [Option(str(k), v) for k, v in self._chosen.items()]

    @rx.event
    async def load(self):
        """Page load: filters, the first page, one's allowance (one read)."""
        self.page, self.giving = 1, False
        with self._attempt():
            units, self.values, left, feed = await self._read_each(
                functools.partial(org_queries.unit_tree, include_inactive=False),
                queries.values_catalogue, functools.partial(queries.allowance, now=clock.now()),
                self._feed())
            self.unit_options = unit_options(units, with_code=False)
            self.value_options = [Option(str(v.id), v.name) for v in self.values]
            self.allowance_left, self.allowance_total = left.left, left.total
            self.allowance_month = self._render(rules.month_text(left.month))
            self.level_options = _level_options(self._lang())
            self._show_feed(feed)

    @rx.event
    async def set_unit_filter(self, value: str):
        """The unit feed: recognitions received in a unit and its sub-units."""
        with self._attempt():
            await self._filter(unit_id=_optional_id(value, N_("unit")), value_id=self._value_id)

    @rx.event
    async def set_value_filter(self, value: str):
        """Only recognitions citing a value."""
        with self._attempt():
            await self._filter(unit_id=self._unit_id, value_id=_optional_id(value, N_("value")))

    @rx.event
    async def my_unit(self):
        """Show my unit's feed."""
        with self._attempt():
            actor = await self._actor()
            await self._filter(unit_id=actor.unit_id if actor else 0, value_id=self._value_id)

    @rx.event
    def open_give(self):
        """Open the give form, empty."""
        self.giving = True
        self.give_error = ""
        self.give_to_unit = False
        self.search_text = ""
        self.search_results = []
        self.chosen = []
        self._chosen = {}
        self._found = {}
        self.form_key += 1

    @rx.event
    def close_give(self, _open: bool = False):
        """Close the give form."""
        self.giving = False

    @rx.event
    def set_give_to_unit(self, value: bool):
        """Recognise a whole unit instead of people."""
        self.give_to_unit = bool(value)

    @rx.event
    async def set_search_text(self, value: str):
        """Find colleagues by name (accents optional) or employee code."""
        self.search_text = as_text(value, 60)
        with self._attempt(error=None) as done:
            found = await self._read(queries.find_colleagues, text=self.search_text)
            self._found = dict(found)
            self.search_results = [Option(str(pid), label) for pid, label in found
                                   if pid not in self._chosen]
        if not done.ok:
            self.give_error = done.message  # an earlier refusal of the form stays until it is sent

    @rx.event
    def choose(self, person_id: str):
        """Add a colleague from the search results."""
        with self._attempt(error=None):
            pid = as_int(person_id, N_("colleague"))
            if pid in self._found and len(self._chosen) < rules.MAX_RECIPIENTS:
                self._chosen[pid] = self._found[pid]
                self._show_chosen()
                self.search_results = [o for o in self.search_results if o.value != str(pid)]

    @rx.event
    def unchoose(self, person_id: str):
        """Remove a chosen colleague."""
        with self._attempt(error=None):
            self._chosen.pop(as_int(person_id, N_("colleague")), None)
            self._show_chosen()

    @rx.event
    async def submit_give(self, form: dict):
        """Send the recognition."""
        with self._attempt(error="give_error") as done:
            f, to_unit = Form(form), self.give_to_unit
            given = await self._call(
                service.give, person_ids=[] if to_unit else list(self._chosen),
                unit_id=f.optional_id("unit_id", N_("unit")) if to_unit else None,
                message=f.text("message", rules.MESSAGE_MAX, N_("message")),
                value_ids=f.ticked("value_")[: rules.MAX_VALUES + 1],
                level=f.text("level", 20), is_private=f.flag("private"),
                work_ref=f.text("work_ref", rules.WORK_REF_MAX, N_("dossier or case number")))
            self.giving = False
            self.allowance_left = given.left
            done.success = N_("Recognition sent. {n} of your allowance left this month.", n=given.left)
            await self._first_page()
        return done.toast


class RecognitionHomeState(AuthState):
    """The recognition card of the home page."""

    allowance_left: int = 0
    allowance_total: int = 0
    received: int = 0
    my_person_id: int = 0

    @rx.event
    async def load(self):
        """One's allowance and recognitions received (one read)."""
        with self._attempt(error=None):
            left, mine = await self._read_each(functools.partial(queries.allowance, now=clock.now()),
                                               queries.my_card)
            self.allowance_left, self.allowance_total = left.left, left.total
            self.received, self.my_person_id = mine.received, mine.person_id


class PersonState(FeedBase, AuthState):
    """A person's recognition profile."""

    card: dto.PersonCard | None = None
    chart: list[dict[str, str | int]] = []
    tab: str = "received"
    _person_id: int = 0

    def _feed(self) -> Callable[..., dto.FeedPage]:
        key = "received_by" if self.tab == "received" else "given_by"
        return functools.partial(queries.feed, page=self.page, **{key: self._person_id})

    async def _reload(self) -> None:
        if self._person_id:  # never the whole feed in place of a profile's
            await super()._reload()

    @rx.event
    async def load(self):
        """Page load: the person named in the address."""
        self.page, self.tab, self.card, self.items, self.chart = 1, "received", None, [], []
        self._person_id = _address_id(self, "person_id")
        with self._attempt():
            self.card, feed = await self._read_each(
                functools.partial(queries.person_card, person_id=self._person_id), self._feed())
            self.chart = [{"value": v.name, "count": v.count} for v in self.card.values]
            self._show_feed(feed)

    @rx.event
    async def set_tab(self, value: str):
        """Received or given."""
        self.tab = "given" if value == "given" else "received"
        await self._first_page()


class CitizensState(MorePaged, AuthState):
    """A unit head's citizens' thanks: notes to moderate, ratings, links and QR sheets."""

    status: str = "pending"
    rows: list[dto.PendingThanks] = []
    rollups: list[dto.RatingRollup] = []
    unit_options: list[Option] = []
    #: The reject dialog: the note asked about (its text shown), and the dialog's own refusal.
    rejecting: str = ""
    reject_error: str = ""
    reject_error_fields: dict[str, str] = {}
    #: The same dialog withdraws today's approval (the person concerned reads the reason).
    withdrawing: bool = False
    _reject_id: int = 0

    def _lists(self) -> tuple[Callable[..., Any], ...]:
        """The reads of the notes' current page and of the ratings."""
        return (functools.partial(queries.thanks_for_moderation, status=self.status, page=self.page,
                                  now=clock.now()),
                queries.rating_rollups)

    def _show_lists(self, notes: tuple[list[dto.PendingThanks], bool],
                    rollups: list[dto.RatingRollup]) -> None:
        (self.rows, self.has_more), self.rollups = notes, rollups

    async def _reload(self) -> None:
        self._show_lists(*await self._read_each(*self._lists()))

    @rx.event
    async def load(self):
        """Page load: one's units, the waiting notes and the ratings (one read)."""
        self.page, self.status = 1, "pending"
        with self._attempt() as done:
            units, *lists = await self._read_each(queries.moderated_units, *self._lists())
            self.unit_options = [Option(str(uid), name) for uid, name in units]
            self._show_lists(*lists)
        if not done.ok:
            self.rows = []

    @rx.event
    async def set_status(self, value: str):
        """Pending, approved or rejected notes."""
        self.status = value if value in {"pending", "approved", "rejected"} else "pending"
        await self._first_page()

    async def _moderate(self, thanks_id: object, approve: bool):
        with self._attempt(error=None, toast_errors=True, success=(
                N_("Approved: the note is shown and the rating counts.") if approve
                else N_("Rejected: the note stays hidden."))) as done:
            await self._call(service.moderate_thanks, thanks_id=as_int(thanks_id, N_("note")),
                             approve=approve)
            await self._refresh()
        return done.toast

    @rx.event
    async def approve(self, thanks_id: int):
        """Show a citizen's note and count the rating."""
        return await self._moderate(thanks_id, True)

    @rx.event
    def reject(self, thanks_id: int):
        """Ask why before hiding a citizen's note (the dialog confirms it)."""
        try:
            wanted = as_int(thanks_id, N_("note"))
        except Invalid:
            return
        row = next((r for r in self.rows if r.id == wanted and r.status == "pending"), None)
        if row is not None:
            self._reject_id, self.rejecting, self.withdrawing = row.id, row.note or row.target, False
            self.reject_error, self.reject_error_fields = "", {}

    @rx.event
    def withdraw(self, thanks_id: int):
        """Ask why before withdrawing today's approval of a note (the dialog confirms it)."""
        try:
            wanted = as_int(thanks_id, N_("note"))
        except Invalid:
            return
        row = next((r for r in self.rows if r.id == wanted and r.status == "approved"), None)
        if row is not None:
            self._reject_id, self.rejecting, self.withdrawing = row.id, row.note or row.target, True
            self.reject_error, self.reject_error_fields = "", {}

    @rx.event
    def cancel_reject(self, _open: bool = False):
        """Close the reject dialog without rejecting."""
        self._reject_id, self.rejecting, self.withdrawing = 0, "", False

    @rx.event
    async def confirm_reject(self, form: dict):
        """Hide the note asked about, or withdraw its approval made today, with the reason given."""
        if not self._reject_id:
            return None
        success = (N_("The approval is withdrawn: the note is waiting again and its points are taken back.")
                   if self.withdrawing else
                   N_("Rejected: the note stays hidden. You can put it back today from the “Rejected” tab."))
        with self._attempt(error="reject_error", success=success) as done:
            reason = Form(form).text("reason", rules.MODERATION_REASON_MAX, N_("reason"))
            if self.withdrawing:
                await self._call(service.undo_approval, thanks_id=self._reject_id, reason=reason)
            else:
                await self._call(service.moderate_thanks, thanks_id=self._reject_id, approve=False, reason=reason)
            self._reject_id, self.rejecting, self.withdrawing = 0, "", False
            await self._refresh()
        return done.toast

    @rx.event
    async def undo_reject(self, thanks_id: int):
        """Put a note rejected today back among the waiting ones."""
        with self._attempt(error=None, toast_errors=True,
                           success=N_("The note is back among the notes waiting.")) as done:
            await self._call(service.undo_rejection, thanks_id=as_int(thanks_id, N_("note")))
            await self._refresh()
        return done.toast

    @rx.event
    async def create_links(self, form: dict):
        """Give every person of a unit a thanks link, then open the printable sheet."""
        with self._attempt(error=None, toast_errors=True) as done:
            unit_id = Form(form).id("unit_id", N_("unit"))
            created = await self._call(service.ensure_unit_links, unit_id=unit_id)
            done.success = N_("{n} new links created.", n=created)
        return [done.toast, rx.redirect(f"{routes.RECOGNITION_QR}/{unit_id}")] if done.ok else done.toast

    @rx.event
    async def add_counter(self, form: dict):
        """A thanks link for a service counter."""
        with self._attempt(error=None, toast_errors=True, success=N_("Counter added.")) as done:
            f = Form(form)
            unit_id = f.id("unit_id", N_("unit"))
            await self._call(service.add_counter, unit_id=unit_id,
                             counter_name=f.text("counter_name", 120))
        return [done.toast, rx.redirect(f"{routes.RECOGNITION_QR}/{unit_id}")] if done.ok else done.toast


class QrState(AuthState):
    """The printable QR sheet of a unit."""

    cards: list[dto.QrCard] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Page load: the unit named in the address."""
        self.cards = []
        with self._attempt() as done:
            # Printed codes must not depend on the address this head happened to open the app by.
            self.cards = await self._read(queries.qr_sheet, unit_id=_address_id(self, "qr_unit"),
                                          base_url=str(get_settings().public_url))
        if done.ok and not self.cards:
            self.error = self._t("This unit has no thanks links yet. Create them from the Citizens' thanks page.")


class ValuesState(AuthState):
    """The officer's values catalogue."""

    rows: list[dto.ValueRow] = []
    error: str = ""
    error_fields: dict[str, str] = {}
    #: Bumped after a value is added: the form starts empty again; a refusal keeps what was typed.
    form_key: int = 0

    async def _reload(self) -> None:
        self.rows = await self._read(queries.values_catalogue, include_inactive=True)

    @rx.event
    async def load(self):
        """Page load (the query refuses anyone but an officer, naming what is refused)."""
        self.rows = []
        with self._attempt():
            await self._reload()

    @rx.event
    async def add(self, form: dict):
        """Add a value."""
        with self._attempt(success=N_("Value added.")) as done:
            f = Form(form)
            await self._call(service.add_value, name=f.text("name", rules.VALUE_NAME_MAX, N_("value name")),
                             description=f.text("description", rules.VALUE_DESCRIPTION_MAX,
                                                N_("value description")))
            self.form_key += 1  # a fresh, empty form only once the value is added
            await self._reload()
        return done.toast

    @rx.event
    async def set_active(self, value_id: int, active: bool):
        """Retire a value or bring it back."""
        with self._attempt(error=None, toast_errors=True) as done:
            await self._call(service.set_value_active, value_id=as_int(value_id, N_("value")),
                             active=bool(active))
            await self._reload()
        return done.toast

    @rx.event
    async def load_defaults(self):
        """Add the movement's default values."""
        with self._attempt(error=None, toast_errors=True) as done:
            added = await self._call(service.load_default_values)
            done.success = N_("{n} values added.", n=added)
            await self._reload()
        return done.toast


class FairnessState(AuthState):
    """Signals of reciprocal rings and inward-looking units, for officers."""

    rings: list[dto.RingRow] = []
    units: list[dto.InwardUnitRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Page load: the last 180 days."""
        self.rings, self.units = [], []
        with self._attempt():
            self.rings, self.units = await self._read(queries.fairness, now=clock.now())


class ThanksState(AuthState):
    """The public page a citizen opens from a QR code (no login).

    The page proves it is not a script by a proof of work (ALTCHA's format, issue 18): on load the
    server signs a challenge, the browser's solver (``assets/pow.js``) spends about a second on
    it and hands the answer to ``proof_ready``; ``submit`` sends it with the rating and the
    service checks it and refuses a reused one. A refused proof starts a new challenge and keeps
    what the citizen typed (the form is never remounted).
    """

    found: bool = False
    target_name: str = ""
    target_unit: str = ""
    is_counter: bool = False
    done: bool = False
    done_message: str = ""
    error: str = ""
    error_fields: dict[str, str] = {}
    busy: bool = False
    #: The proof of work: ``working`` while the browser solves, ``done``, or ``failed``.
    pow_state: str = ""
    #: The organisation's dossier-number format, when it set one (issue 18).
    dossier_hint: str = ""
    _link_token: str = ""
    _proof: str = ""

    def _solve(self, challenge: dict[str, Any]) -> Any:
        """Start the browser's solver on ``challenge`` (loading it first if needed)."""
        self._proof, self.pow_state = "", "working"
        return rx.call_script(_SOLVE_SCRIPT.replace("CHALLENGE", json.dumps(challenge)),
                              callback=ThanksState.proof_ready)

    @rx.event
    async def load(self):
        """Page load: who is being thanked, and a fresh challenge for the browser to solve."""
        self.done, self.error, self.error_fields = False, "", {}
        token = as_text(self.router.page.params.get("thanks_token", ""), 64)
        target, settings, challenge = await self._public(service.open_thanks_page, token=token)
        self.dossier_hint = settings.dossier_hint
        self.found = target is not None
        self._link_token = token if target else ""
        self.target_name = target.name if target else ""
        self.target_unit = target.unit_name if target else ""
        self.is_counter = bool(target and target.is_counter)
        self._proof, self.pow_state = "", ""
        if challenge is not None:
            return self._solve(challenge)
        return None

    @rx.event
    def proof_ready(self, proof: Any = ""):
        """The browser's solver finished: keep its answer for ``submit`` ("" when it could not)."""
        value = proof if isinstance(proof, str) and len(proof) <= rules.POW_PROOF_MAX else ""
        if not self._link_token:
            return
        self._proof, self.pow_state = value, ("done" if value else "failed")

    @rx.event
    async def new_check(self):
        """Start the automatic check again (after it failed in this browser)."""
        if not self._link_token or self.pow_state == "working":
            return None
        challenge = await self._public(service.thanks_challenge)
        return self._solve(challenge)

    @rx.event
    async def submit(self, form: dict):
        """Send the rating with the solved challenge; the service checks the proof and spends it.

        An unknown link, or a proof that failed, expired or was already used, is refused by the
        service; a refused proof starts a new check and the typed rating and note stay.
        """
        self.busy = True
        yield
        with self._attempt() as done:
            f = Form(form)
            status = await self._public(
                service.submit_thanks, token=self._link_token,
                attitude=f.number("attitude", what=N_("rating")),
                timeliness=f.number("timeliness", what=N_("rating")),
                guidance=f.number("guidance", what=N_("rating")), note=f.text("note", rules.NOTE_MAX, N_("note")),
                dossier=f.text("dossier", 60), proof=self._proof, client_ip=client_ip(self),
                device=_device_ref(self))
        self.busy = False
        if not done.ok:
            if service.PROOF_FIELD in done.fields and self._link_token and self.pow_state != "working":
                challenge = await self._public(service.thanks_challenge)
                yield self._solve(challenge)
            return
        self._proof = ""
        self.done = True
        self.done_message = (self._t("Thank you! Your rating has been recorded.") if status == "approved" else
                             self._t("Thank you! Your rating has been recorded; your note will be shown "
                                     "once the unit head has read it."))


#: Loads ``assets/pow.js`` once, then solves; resolves to the proof ("" when it cannot run).
_SOLVE_SCRIPT = (
    "(window.engagementPow ? Promise.resolve() : new Promise(function (ok, no) {"
    " var s = document.createElement('script'); s.src = '/pow.js'; s.onload = ok; s.onerror = no;"
    " document.head.appendChild(s); }))"
    ".then(function () { return window.engagementPow.solve(CHALLENGE); })"
    ".catch(function () { return ''; })"
)


def _device_ref(state: rx.State) -> str:
    """The hash of the counter device's cookie of this socket (HttpOnly: set by ``device_route``,
    read at the handshake by ``install_device_reader``), or ""."""
    data = state.router_data if isinstance(state.router_data, dict) else {}
    ref = data.get(DEVICE_REF, "")
    return ref if isinstance(ref, str) else ""


class DevicesState(AuthState):
    """Counter devices on the citizens' page (issue 16): register a tablet, see its link once,
    revoke it."""

    devices: list[dto.DeviceRow] = []
    device_options: list[Option] = []
    #: The enrolment link of the device just registered (shown once, never stored).
    new_link: str = ""
    new_name: str = ""
    device_error: str = ""
    device_error_fields: dict[str, str] = {}
    form_key: int = 0

    async def _reload(self) -> None:
        self.devices = await self._read(queries.counter_devices)

    @rx.event
    async def load(self):
        """Page load: the devices of one's units."""
        self.new_link, self.new_name, self.device_error = "", "", ""
        with self._attempt(error=None) as done:
            units, self.devices = await self._read_each(queries.moderated_units, queries.counter_devices)
            self.device_options = [Option(str(uid), name) for uid, name in units]
        if not done.ok:
            self.devices = []

    @rx.event
    async def register(self, form: dict):
        """Register a tablet at a counter; its one-time link is shown here once."""
        with self._attempt(error="device_error", success=N_("Device registered: open the link on the tablet.")) as done:
            f = Form(form)
            made = await self._call(service.register_device, unit_id=f.id("unit_id", N_("unit")),
                                    name=f.text("device_name", rules.DEVICE_NAME_MAX, N_("device name")))
            self.new_link = device_url(str(get_settings().public_url), made.code)
            self.new_name = made.name
            self.form_key += 1
            await self._reload()
        return done.toast

    @rx.event
    async def revoke(self, device_id: int):
        """Revoke a device: its ratings are limited per network again."""
        with self._attempt(error=None, toast_errors=True,
                           success=N_("Device revoked: its ratings are limited per network again.")) as done:
            await self._call(service.revoke_device, device_id=as_int(device_id, N_("device")))
            self.new_link, self.new_name = "", ""
            await self._reload()
        return done.toast


class HeldRatingsState(MorePaged, AuthState):
    """The citizens' page's queue of held ratings (issue 18): many from one network, or for one
    person, in a day. The unit head counts each (its points are credited) or sets it aside,
    with a reason."""

    held: list[dto.HeldRating] = []
    held_error: str = ""

    async def _reload(self) -> None:
        self.held, self.has_more = await self._read(queries.held_ratings, page=self.page)

    @rx.event
    async def load(self):
        """Page load: the first page of held ratings."""
        self.page, self.held_error = 1, ""
        with self._attempt(error=None) as done:
            await self._reload()
        if not done.ok:
            self.held = []

    @rx.event
    async def decide(self, form: dict):
        """Count a held rating (its points are credited) or set it aside, with the reason."""
        with self._attempt(error="held_error", toast_errors=True) as done:
            f = Form(form)
            wanted = f.id("thanks_id", N_("rating"))
            if not any(r.id == wanted for r in self.held):  # only a rating this page lists
                raise Invalid("Choose a rating from the list.")
            decision = f.stripped("decision", 10)
            if decision not in {"count", "aside"}:
                raise Invalid("Choose whether to count the rating or set it aside.")
            await self._call(service.decide_held, thanks_id=wanted, approve=decision == "count",
                             reason=f.text("reason", 600))
            done.success = (N_("Counted: the rating's points are credited.") if decision == "count"
                            else N_("Set aside: the rating earns no points."))
            await self._reload()
        return done.toast


class ThanksSettingsState(AuthState):
    """The officers' form for the dossier-number formats and the hold thresholds (issue 18)."""

    dossier_formats: str = ""
    hold_per_network: int = rules.HOLD_PER_NETWORK
    hold_per_person: int = rules.HOLD_PER_PERSON
    settings_error: str = ""

    def _show_settings(self, view: dto.ThanksSettingsView) -> None:
        self.dossier_formats, self.hold_per_network, self.hold_per_person = (
            view.dossier_formats, view.hold_per_network, view.hold_per_person)

    @rx.event
    async def load(self):
        """Page load (values page): the current settings, for officers only."""
        self.settings_error = ""
        with self._attempt(error=None):  # anyone else: refused by the query, nothing shown
            self._show_settings(await self._read(queries.thanks_settings_for))

    @rx.event
    async def save(self, form: dict):
        """Keep the formats and thresholds; a format outside the template language is refused."""
        with self._attempt(error="settings_error", success=N_("Citizens' thanks settings saved.")) as done:
            f = Form(form)
            view = await self._call(
                service.set_thanks_settings, dossier_formats=f.text("dossier_formats", 600),
                hold_per_network=f.number("hold_per_network", what=N_("ratings from one network")),
                hold_per_person=f.number("hold_per_person", what=N_("ratings for one person")))
            self._show_settings(view)
        return done.toast
