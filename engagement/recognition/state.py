"""Reflex state of the recognition pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx

from engagement.core import clock
from engagement.core.db import read_only, unit_of_work
from engagement.core.errors import DomainError, Invalid
from engagement.org import queries as org_queries
from engagement.recognition import queries, rules, service
from engagement.recognition.dto import (
    FeedItem,
    InwardUnitRow,
    PendingThanks,
    PersonCard,
    QrCard,
    RatingRollup,
    RingRow,
    ValueRow,
)
from engagement.settings import get_settings
from engagement.ui import routes
from engagement.ui.auth import AuthState, as_int, as_text
from engagement.ui.components import Option

LEVEL_OPTIONS = [Option(value=k, label=f"{label} (costs {c} per person)")
                 for k, (label, c) in rules.LEVELS.items()]


def _opt_id(value: object) -> int | None:
    text = as_text(value, 20).strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


class FeedBase(rx.State, mixin=True):
    """What every feed shares: reactions, comments, revocation, paging (a mixin: each page's
    State gets its own copy of these handlers)."""

    items: list[FeedItem] = []
    page: int = 1
    has_more: bool = False
    error: str = ""
    revoking_id: int = 0
    _revoke_id: int = 0

    async def _reload(self) -> None:
        """Subclasses read their page of the feed."""
        self.items = []
        self.has_more = False

    async def _refresh(self) -> None:
        try:
            await self._reload()
            self.error = ""
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def next_page(self):
        """Older recognitions."""
        if self.has_more:
            self.page += 1
        await self._refresh()

    @rx.event
    async def prev_page(self):
        """Newer recognitions."""
        self.page = max(1, self.page - 1)
        await self._refresh()

    @rx.event
    async def react(self, recognition_id: int):
        """Say "thank you too"."""
        try:
            await self._call(service.react, recognition_id=as_int(recognition_id))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._refresh()
        return None

    @rx.event
    async def add_comment(self, form: dict):
        """Comment under a recognition."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.comment, recognition_id=as_int(form.get("recognition_id")),
                             body=as_text(form.get("body"), 400))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._refresh()
        return None

    @rx.event
    def open_revoke(self, recognition_id: int):
        """Ask an officer for the reason (only for a recognition on the page)."""
        rid = _opt_id(recognition_id)
        if rid and any(i.id == rid and i.can_revoke for i in self.items):
            self._revoke_id = rid
            self.revoking_id = rid
            self.error = ""

    @rx.event
    def close_revoke(self, _open: bool = False):
        """Close the revoke dialog."""
        self._revoke_id = 0
        self.revoking_id = 0

    @rx.event
    async def submit_revoke(self, form: dict):
        """Revoke with a reason (kept with the recognition)."""
        form = form if isinstance(form, dict) else {}
        if not self._revoke_id:
            return None
        try:
            await self._call(service.revoke, recognition_id=self._revoke_id,
                             reason=as_text(form.get("reason"), 500))
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self._revoke_id = 0
        self.revoking_id = 0
        await self._refresh()
        return rx.toast.success("The recognition was revoked; the record and your reason are kept.")


class RecognitionState(FeedBase, AuthState):
    """The organisation / unit feed and the form to give recognition."""

    unit_filter: str = ""
    value_filter: str = ""
    unit_options: list[Option] = []
    value_options: list[Option] = []
    values: list[ValueRow] = []
    level_options: list[Option] = LEVEL_OPTIONS
    allowance_left: int = 0
    allowance_total: int = 0
    allowance_month: str = ""
    giving: bool = False
    give_error: str = ""
    give_to_unit: bool = False
    search_text: str = ""
    search_results: list[Option] = []
    chosen: list[Option] = []
    form_key: int = 0
    _chosen: dict[int, str] = {}
    _found: dict[int, str] = {}

    async def _reload(self) -> None:
        result = await self._read(queries.feed, unit_id=_opt_id(self.unit_filter),
                                  value_id=_opt_id(self.value_filter), page=self.page)
        self.items = result.items
        self.has_more = result.has_more

    async def _load_allowance(self) -> None:
        left = await self._read(service.allowance, now=clock.now())
        self.allowance_left = left.left
        self.allowance_total = left.total
        self.allowance_month = left.month

    @rx.event
    async def load(self):
        """Page load: filters, the first page, one's allowance."""
        self.page = 1
        self.giving = False
        try:
            units = await self._read(org_queries.unit_tree, include_inactive=False)
            self.values = await self._read(queries.values_catalogue)
            await self._load_allowance()
        except DomainError as exc:
            self.error = exc.message
            return
        self.unit_options = [Option(str(u.id), ("\u2003" * u.depth) + u.name) for u in units]
        self.value_options = [Option(str(v.id), v.name) for v in self.values]
        await self._refresh()

    @rx.event
    async def set_unit_filter(self, value: str):
        """The unit feed: recognitions received in a unit and its sub-units."""
        self.unit_filter = str(_opt_id(value) or "")
        self.page = 1
        await self._refresh()

    @rx.event
    async def set_value_filter(self, value: str):
        """Only recognitions citing a value."""
        self.value_filter = str(_opt_id(value) or "")
        self.page = 1
        await self._refresh()

    @rx.event
    async def my_unit(self):
        """Show my unit's feed."""
        actor = await self._actor()
        self.unit_filter = str(actor.unit_id) if actor else ""
        self.page = 1
        await self._refresh()

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
        try:
            found = await self._read(queries.find_colleagues, text=self.search_text)
        except DomainError as exc:
            self.give_error = exc.message
            return
        self._found = dict(found)
        self.search_results = [Option(str(pid), label) for pid, label in found if pid not in self._chosen]

    @rx.event
    def choose(self, person_id: str):
        """Add a colleague from the search results."""
        pid = _opt_id(person_id)
        if pid is None or pid not in self._found or len(self._chosen) >= rules.MAX_RECIPIENTS:
            return
        self._chosen[pid] = self._found[pid]
        self.chosen = [Option(str(k), v) for k, v in self._chosen.items()]
        self.search_results = [o for o in self.search_results if o.value != str(pid)]

    @rx.event
    def unchoose(self, person_id: str):
        """Remove a chosen colleague."""
        pid = _opt_id(person_id)
        self._chosen.pop(pid or 0, None)
        self.chosen = [Option(str(k), v) for k, v in self._chosen.items()]

    @rx.event
    async def submit_give(self, form: dict):
        """Send the recognition."""
        form = form if isinstance(form, dict) else {}
        value_ids = [int(k[6:]) for k, v in form.items()
                     if isinstance(k, str) and k.startswith("value_") and k[6:].isdigit() and v]
        unit_id = _opt_id(form.get("unit_id")) if self.give_to_unit else None
        try:
            given = await self._call(
                service.give, person_ids=[] if self.give_to_unit else list(self._chosen),
                unit_id=unit_id, message=as_text(form.get("message"), 2000),
                value_ids=value_ids[: rules.MAX_VALUES + 1], level=as_text(form.get("level"), 20),
                is_private=bool(form.get("private")), work_ref=as_text(form.get("work_ref"), 60))
        except DomainError as exc:
            self.give_error = exc.message
            return None
        self.giving = False
        self.give_error = ""
        self.allowance_left = given.left
        self.page = 1
        await self._refresh()
        return rx.toast.success(f"Recognition sent. {given.left} of your allowance left this month.")


class RecognitionHomeState(AuthState):
    """The recognition card of the home page."""

    allowance_left: int = 0
    allowance_total: int = 0
    received: int = 0
    my_person_id: int = 0

    @rx.event
    async def load(self):
        """One's allowance and recognitions received."""
        try:
            left = await self._read(service.allowance, now=clock.now())
            mine = await self._read(queries.my_card)
        except DomainError:
            return
        self.allowance_left, self.allowance_total = left.left, left.total
        self.received = mine.received
        self.my_person_id = mine.person_id


class PersonState(FeedBase, AuthState):
    """A person's recognition profile."""

    card: PersonCard | None = None
    chart: list[dict[str, str | int]] = []
    tab: str = "received"
    _person_id: int = 0

    async def _reload(self) -> None:
        if not self._person_id:
            return
        key = "received_by" if self.tab == "received" else "given_by"
        result = await self._read(queries.feed, page=self.page, **{key: self._person_id})
        self.items = result.items
        self.has_more = result.has_more

    @rx.event
    async def load(self):
        """Page load: the person named in the address."""
        self.page = 1
        self.tab = "received"
        self.card = None
        self.items = []
        pid = _opt_id(self.router.page.params.get("person_id", ""))
        if pid is None:
            self.error = "This person does not exist."
            return
        self._person_id = pid
        try:
            self.card = await self._read(queries.person_card, person_id=pid)
        except DomainError as exc:
            self.error = exc.message
            return
        self.chart = [{"value": v.name, "count": v.count} for v in self.card.values]
        await self._refresh()

    @rx.event
    async def set_tab(self, value: str):
        """Received or given."""
        self.tab = "given" if value == "given" else "received"
        self.page = 1
        await self._refresh()


class CitizensState(AuthState):
    """A unit head's citizens' thanks: notes to moderate, ratings, links and QR sheets."""

    status: str = "pending"
    rows: list[PendingThanks] = []
    page: int = 1
    has_more: bool = False
    rollups: list[RatingRollup] = []
    unit_options: list[Option] = []
    error: str = ""

    async def _reload(self) -> None:
        self.rows, self.has_more = await self._read(queries.thanks_for_moderation,
                                                    status=self.status, page=self.page)
        self.rollups = await self._read(queries.rating_rollups)

    async def _refresh(self) -> None:
        try:
            await self._reload()
            self.error = ""
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def load(self):
        """Page load."""
        self.page = 1
        self.status = "pending"
        try:
            units = await self._read(queries.moderated_units)
        except DomainError as exc:
            self.error = exc.message
            self.rows = []
            return
        self.unit_options = [Option(str(uid), name) for uid, name in units]
        await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        """Pending, approved or rejected notes."""
        self.status = value if value in {"pending", "approved", "rejected"} else "pending"
        self.page = 1
        await self._refresh()

    @rx.event
    async def next_page(self):
        """Older notes."""
        if self.has_more:
            self.page += 1
        await self._refresh()

    @rx.event
    async def prev_page(self):
        """Newer notes."""
        self.page = max(1, self.page - 1)
        await self._refresh()

    async def _moderate(self, thanks_id: object, approve: bool):
        try:
            await self._call(service.moderate_thanks, thanks_id=as_int(thanks_id, "note"),
                             approve=approve)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._refresh()
        return rx.toast.success("Approved: the note is shown and the rating counts."
                                if approve else "Rejected: the note stays hidden.")

    @rx.event
    async def approve(self, thanks_id: int):
        """Show a citizen's note and count the rating."""
        return await self._moderate(thanks_id, True)

    @rx.event
    async def reject(self, thanks_id: int):
        """Keep a citizen's note hidden."""
        return await self._moderate(thanks_id, False)

    @rx.event
    async def create_links(self, form: dict):
        """Give every person of a unit a thanks link, then open the printable sheet."""
        form = form if isinstance(form, dict) else {}
        try:
            unit_id = as_int(form.get("unit_id"), "unit")
            created = await self._call(service.ensure_unit_links, unit_id=unit_id)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        return [rx.toast.success(f"{created} new links created."),
                rx.redirect(f"{routes.RECOGNITION_QR}/{unit_id}")]

    @rx.event
    async def add_counter(self, form: dict):
        """A thanks link for a service counter."""
        form = form if isinstance(form, dict) else {}
        try:
            unit_id = as_int(form.get("unit_id"), "unit")
            await self._call(service.add_counter, unit_id=unit_id,
                             counter_name=as_text(form.get("counter_name"), 120))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        return [rx.toast.success("Counter added."), rx.redirect(f"{routes.RECOGNITION_QR}/{unit_id}")]


class QrState(AuthState):
    """The printable QR sheet of a unit."""

    cards: list[QrCard] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Page load: the unit named in the address."""
        self.cards = []
        unit_id = _opt_id(self.router.page.params.get("qr_unit", ""))
        # Printed codes must not depend on the address this head happened to open the app by.
        base = get_settings().public_url
        if unit_id is None:
            self.error = "This unit does not exist."
            return
        try:
            self.cards = await self._read(queries.qr_sheet, unit_id=unit_id, base_url=str(base))
            self.error = "" if self.cards else ("This unit has no thanks links yet. Create them "
                                                "from the Citizens' thanks page.")
        except DomainError as exc:
            self.error = exc.message


class ValuesState(AuthState):
    """The officer's values catalogue."""

    rows: list[ValueRow] = []
    error: str = ""

    async def _reload(self) -> None:
        try:
            self.rows = await self._read(queries.values_catalogue, include_inactive=True)
            self.error = ""
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def load(self):
        """Page load."""
        if not self.can_manage_values:
            self.error = "You do not have permission for this. Ask a system administrator if you need it."
            self.rows = []
            return
        await self._reload()

    @rx.event
    async def add(self, form: dict):
        """Add a value."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.add_value, name=as_text(form.get("name"), 120),
                             description=as_text(form.get("description"), 500))
        except DomainError as exc:
            self.error = exc.message
            return None
        await self._reload()
        return rx.toast.success("Value added.")

    @rx.event
    async def set_active(self, value_id: int, active: bool):
        """Retire a value or bring it back."""
        try:
            await self._call(service.set_value_active, value_id=as_int(value_id, "value"),
                             active=bool(active))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._reload()
        return None

    @rx.event
    async def load_defaults(self):
        """Add the movement's default values."""
        try:
            added = await self._call(service.load_default_values)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._reload()
        return rx.toast.success(f"{added} values added.")


class FairnessState(AuthState):
    """Signals of reciprocal rings and inward-looking units, for officers."""

    rings: list[RingRow] = []
    units: list[InwardUnitRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Page load: the last 180 days."""
        self.rings, self.units = [], []
        try:
            self.rings, self.units = await self._read(queries.fairness, now=clock.now())
            self.error = ""
        except DomainError as exc:
            self.error = exc.message


class ThanksState(AuthState):
    """The public page a citizen opens from a QR code (no login)."""

    found: bool = False
    target_name: str = ""
    target_unit: str = ""
    is_counter: bool = False
    question: str = ""
    done: bool = False
    done_message: str = ""
    error: str = ""
    busy: bool = False
    form_key: int = 0
    _token: str = ""
    _answer: int = 0

    def _new_question(self) -> None:
        self.question, self._answer = rules.challenge(secrets.randbelow(10_000))
        self.form_key += 1

    @rx.event
    async def load(self):
        """Page load: who is being thanked, and a fresh question."""
        self.done = False
        self.error = ""
        token = as_text(self.router.page.params.get("thanks_token", ""), 64)

        def work():
            with read_only() as session:
                return queries.thanks_target(session, token=token)

        target = await asyncio.to_thread(work)
        self.found = target is not None
        self._token = token if target else ""
        self.target_name = target.name if target else ""
        self.target_unit = target.unit_name if target else ""
        self.is_counter = bool(target and target.is_counter)
        self._new_question()

    @rx.event
    async def submit(self, form: dict):
        """Send the rating; the question's answer is checked against the server's copy."""
        form = form if isinstance(form, dict) else {}
        if not self._token or not self._answer:
            self.error = "This thank-you link is not valid any more. Ask at the counter for a new one."
            return
        expected, token = self._answer, self._token
        self._answer = 0  # one try per question
        client_ip = self.router.session.client_ip

        def rating(name: str) -> int:
            text = as_text(form.get(name), 2)
            return int(text) if text.isdigit() else 0

        def work() -> str:
            with unit_of_work() as session:
                return service.submit_thanks(
                    session, token=token, attitude=rating("attitude"),
                    timeliness=rating("timeliness"), guidance=rating("guidance"),
                    note=as_text(form.get("note"), 1200), dossier=as_text(form.get("dossier"), 60),
                    answer=as_text(form.get("answer"), 10), expected=expected,
                    client_ip=client_ip, now=clock.now())

        self.busy = True
        yield
        try:
            status = await asyncio.to_thread(work)
        except (DomainError, Invalid) as exc:
            self.busy = False
            self.error = exc.message
            self._new_question()
            return
        self.busy = False
        self.error = ""
        self.done = True
        self.done_message = ("Thank you! Your rating has been recorded." if status == "approved" else
                             "Thank you! Your rating has been recorded; your note will be shown "
                             "once the unit head has read it.")
