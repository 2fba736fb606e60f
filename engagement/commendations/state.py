"""Reflex state of the commendation pages for staff and unit heads. Thin: each handler calls one
service or reads a page in one trip.

Everything a handler acts on is re-checked by the service: a person's or unit's id may come from
a form (it is hostile), the service refuses what the actor's units do not reach. The years, the
chosen unit and the chosen person live in vars set only by the handlers here (no auto setters).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from engagement.commendations import decisions, queries, rules, service
from engagement.commendations.dto import (
    DisciplineRow,
    HoldRow,
    InitiativeRow,
    RatingRow,
    RegistrationRow,
    UnitRatingRow,
    YearSettings,
)
from engagement.core import clock, files, formats, i18n, sheets
from engagement.core.access import Actor, Perm
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg
from engagement.org import queries as org_queries
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Form, Paged, as_int, as_text, unit_options

#: How many past years the year selectors offer (with this year and the next).
PAST_YEARS = 6
#: People found by a search box.
SEARCH_SIZE = 10
#: Rows of an import's error report shown (the count says how many there are).
ERRORS_SHOWN = 500
#: The template of the ratings import (the columns service.import_ratings reads).
RATING_EXAMPLE = "CB00001,HTTNV,,12,0,Nguyễn Văn A"


@dataclass(frozen=True)
class YearLevel:
    """One of my own ratings."""

    year: int
    level: str
    label: str


def this_year() -> int:
    """The organisation's calendar year today."""
    return queries.today(clock.now()).year


def year_options() -> list[Option]:
    """Next year, this year and the past years, newest first."""
    now = this_year()
    return [Option(str(y), str(y)) for y in range(now + 1, now - PAST_YEARS - 1, -1)]


async def _on_registration(state: Any, use_case: Any, registration_id: Any, success: Msg) -> Any:
    """One registration confirmed or withdrawn by ``use_case`` (the service re-checks who may), then
    the page read again; a refusal becomes an error toast."""
    with state._attempt(success=success, toast_errors=True) as done:
        await state._call(use_case, registration_id=as_int(registration_id, N_("registration")))
        await state._reload()
    return done.toast


def _listed_year(value: Any) -> int:
    """A year from a selector: one of the offered years, else a refusal."""
    wanted = as_text(value, 6).strip()
    offered = {o.value for o in year_options()}
    if wanted not in offered:
        raise Invalid("Choose a year from the list.")
    return int(wanted)


def _listed(value: Any, ids: list[int], what: Msg) -> int:
    """An id from a selector that must be one of ``ids``."""
    wanted = as_int(value, what)
    if wanted not in ids:
        raise Invalid("Choose a {what} from the list.", what=what)
    return wanted


def _optional_number(f: Form, name: str, what: Msg) -> int | None:
    """A whole number field; None when left empty."""
    raw = f.stripped(name, 6)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid("Enter the {what} as a whole number.", what=what) from None


def _rated_unit_options(units: list[tuple[int, str, int]]) -> list[Option]:
    """The units a head rates as indented options (their own top unit flush left)."""
    top = min((depth for _id, _name, depth in units), default=0)
    return [Option(str(uid), "\u2003" * (depth - top) + name) for uid, name, depth in units]


def _kept(current: int, ids: list[int]) -> int:
    return current if current in ids else (ids[0] if ids else 0)


def _window_text(w: YearSettings, lang: str) -> str:
    """The year's registration window in words."""
    today = queries.today(clock.now()).isoformat()
    if not w.opens_iso:
        msg = N_("Registration for {year} has not been opened yet; the emulation officer opens it.", year=w.year)
    elif w.window_open:
        msg = N_("Registration for {year} is open from {opens} to {closes}.", year=w.year, opens=w.opens_on,
                 closes=w.closes_on)
    elif today < w.opens_iso:
        msg = N_("Registration for {year} opens on {day}.", year=w.year, day=w.opens_on)
    else:
        msg = N_("Registration for {year} closed on {day}; ask the emulation officer.", year=w.year, day=w.closes_on)
    return msg.render(lang)


class YearPick(rx.State, mixin=True):
    """A page about one year (this year unless another is chosen)."""

    year: int = 0
    years: list[Option] = []
    error: str = ""

    async def _reload(self) -> None:
        raise NotImplementedError

    def _start_year(self) -> None:
        self.years = year_options()
        if str(self.year) not in {o.value for o in self.years}:
            self.year = this_year()

    @rx.event
    async def select_year(self, value: str):
        """Show another year."""
        with self._attempt():
            self.year = _listed_year(value)
            await self._reload()


class UnitPick(rx.State, mixin=True):
    """A page about one of the units the actor rates."""

    units: list[Option] = []
    unit_id: int = 0

    async def _reload(self) -> None:
        raise NotImplementedError

    def _show_units(self, units: list[tuple[int, str, int]]) -> int:
        self.units = _rated_unit_options(units)
        self.unit_id = _kept(self.unit_id, [u for u, _n, _d in units])
        return self.unit_id

    @rx.event
    async def select_unit(self, value: str):
        """Show another of my units."""
        with self._attempt():
            self.unit_id = _listed(value, [as_int(o.value) for o in self.units], N_("unit"))
            await self._reload()


# --- my commendations (every staff member) ------------------------------------------------------


def _my_records(session: Session, *, actor: Actor | None, now: Any) -> Any:
    """My own discipline records and holds (audited like any other view)."""
    return service.personnel_records(session, actor=actor, person_id=actor.person_id if actor else 0, now=now)


def _my_page(session: Session, *, actor: Actor | None, year: int, now) -> tuple[Any, list, list]:
    """My year, the titles I hold and those my unit holds (every year, with their decisions): one trip."""
    mine = queries.my_commendations(session, actor=actor, year=year, now=now)
    me = actor.person_id if actor else 0
    return (mine, decisions.history(session, actor=actor, person_id=me),
            decisions.history(session, actor=actor, unit_id=actor.unit_id if actor else 0))


class MyCommendationsState(YearPick, AuthState):
    """My registration of a year, my titles and my unit's, my initiatives, my ratings, my records on request."""

    window_text: str = ""
    window_open: bool = False
    registrations: list[RegistrationRow] = []
    awards: list[decisions.AwardEntry] = []
    unit_awards: list[decisions.AwardEntry] = []
    initiatives: list[InitiativeRow] = []
    ratings: list[YearLevel] = []
    titles: list[Option] = []
    register_error: str = ""
    records_shown: bool = False
    disciplines: list[DisciplineRow] = []
    holds: list[HoldRow] = []
    form_key: int = 0

    async def _reload(self) -> None:
        self._start_year()
        mine, self.awards, self.unit_awards = await self._read(_my_page, year=self.year, now=clock.now())
        lang = self._lang()
        self.window_text, self.window_open = _window_text(mine.window, lang), mine.window.window_open
        self.registrations, self.initiatives = mine.registrations, mine.initiatives
        self.ratings = [YearLevel(y, level, i18n.render(rules.LEVEL_NAMES.get(level, level), lang))
                        for y, level in mine.ratings]
        self.titles = [Option(str(o.id), o.label) for o in mine.titles]
        self.form_key += 1

    @rx.event
    async def load(self):
        """Page load: this year (unless another was chosen), in one read."""
        self.register_error, self.records_shown, self.disciplines, self.holds = "", False, [], []
        self._start_year()
        with self._attempt():
            await self._reload()

    @rx.event
    async def register(self, form: dict):
        """Register myself for an individual title in the year's window."""
        with self._attempt(success=N_("Registered. Your unit head confirms it."), error="register_error",
                           toast_errors=True) as done:
            f = Form(form)
            title_id = _listed(f.stripped("title_id", 12), [as_int(o.value) for o in self.titles], N_("title"))
            await self._call(service.register_self, year=self.year, title_id=title_id)
            await self._reload()
        return done.toast

    @rx.event
    async def withdraw(self, registration_id: int):
        """Withdraw one of my registrations."""
        return await _on_registration(self, service.withdraw_registration, registration_id,
                                      N_("Registration withdrawn."))

    @rx.event
    async def show_records(self):
        """Show my discipline records and holds (the view is written in the audit log)."""
        with self._attempt(toast_errors=True) as done:
            records = await self._call(_my_records)
            self.disciplines, self.holds, self.records_shown = records.disciplines, records.holds, True
        return done.toast

    @rx.event
    def hide_records(self):
        """Hide my records again."""
        self.records_shown, self.disciplines, self.holds = False, [], []


# --- annual ratings (unit heads, officers) ----------------------------------------------------


def _rating_page(session: Session, *, actor: Actor | None, unit_id: int, year: int, page: int, text: str,
                 only_unrated: bool) -> tuple[list[tuple[int, str, int]], int, Any]:
    """The units I rate, the one shown, and its sheet: one trip."""
    units = queries.rated_units(session, actor=actor)
    chosen = _kept(unit_id, [u for u, _n, _d in units])
    sheet = queries.rating_sheet(session, actor=actor, unit_id=chosen, year=year, page=page, text=text,
                                 only_unrated=only_unrated) if chosen else None
    return units, chosen, sheet


class RatingsState(Paged, UnitPick, YearPick, AuthState):
    """The rating sheet of a unit subtree and year: people with their evidence, units, and the import."""

    rows: list[RatingRow] = []
    unit_rows: list[UnitRatingRow] = []
    search: str = ""
    only_unrated: bool = False
    counts_text: str = ""
    excellent: int = 0
    excellent_share: str = ""
    cap_pct: int = 20
    excellent_allowed: int = 0
    over_cap: bool = False
    saved: str = ""
    row_error: str = ""
    row_error_id: int = 0
    unit_error: str = ""
    import_busy: bool = False
    import_status: str = ""
    import_errors: list[list[str]] = []
    import_error_count: int = 0
    import_error: str = ""

    def _show_sheet(self, sheet: Any) -> None:
        if sheet is None:
            self.rows, self.unit_rows, self.page, self.pages, self.total = [], [], 1, 1, 0
            self.counts_text, self.excellent, self.excellent_share, self.over_cap = "", 0, "", False
            return
        self.rows = self._paged(sheet)
        self.unit_rows = sheet.units
        lang = self._lang()
        with i18n.using(lang):
            parts = [f"{level} {formats.number(sheet.counts.get(level, 0), 0)}" for level in rules.RATING_CHOICES
                     if sheet.counts.get(level, 0)]
        rated = sum(sheet.counts.values())
        self.counts_text = N_("{rated} rated: {counts}", rated=rated, counts=" · ".join(parts)).render(lang) \
            if rated else N_("Nobody is rated for this year yet.").render(lang)
        self.excellent = sheet.counts.get(rules.EXCELLENT, 0)
        self.excellent_share, self.cap_pct = sheet.excellent_share, sheet.cap_pct
        self.excellent_allowed, self.over_cap = sheet.excellent_allowed, sheet.over_cap

    async def _reload(self) -> None:
        self.saved = self.row_error = ""
        self.row_error_id = 0
        self._start_year()
        units, self.unit_id, sheet = await self._read(
            _rating_page, unit_id=self.unit_id, year=self.year, page=self.page, text=self.search,
            only_unrated=self.only_unrated)
        self._show_units(units)
        self._show_sheet(sheet)

    @rx.event
    async def load(self):
        """Page load: my units, the first one's sheet for this year (one read)."""
        self.page, self.import_status, self.import_errors, self.import_error_count = 1, "", [], 0
        self.import_error = self.unit_error = ""
        self.import_busy = False
        self._start_year()
        with self._attempt():
            await self._reload()

    @rx.event
    async def select_year(self, value: str):
        """Show another year (from its first page)."""
        with self._attempt():
            self.year, self.page = _listed_year(value), 1
            await self._reload()

    @rx.event
    async def select_unit(self, value: str):
        """Show another of my units (from its first page)."""
        with self._attempt():
            self.unit_id = _listed(value, [as_int(o.value) for o in self.units], N_("unit"))
            self.page = 1
            await self._reload()

    @rx.event
    async def set_search(self, value: str):
        """Find people on the sheet by name (accents optional) or code."""
        self.search, self.page = as_text(value, 60), 1
        with self._attempt():
            await self._reload()

    @rx.event
    async def set_only_unrated(self, value: bool):
        """Only the people not rated yet."""
        self.only_unrated, self.page = value is True, 1
        with self._attempt():
            await self._reload()

    @rx.event
    async def save_rating(self, form: dict):
        """Record (or correct) one person's rating of the year shown."""
        person_id = 0
        with self._attempt(error="row_error", toast_errors=True) as done:
            f = Form(form)
            person_id = f.id("person_id", N_("person"))
            outcome = await self._call(
                service.rate_person, person_id=person_id, year=self.year, level=f.stripped("level", 10),
                reason=f.text("reason", rules.RATING_REASON_MAX, N_("reason")),
                months_worked=_optional_number(f, "months_worked", N_("months worked")),
                absent_days=_optional_number(f, "absent_days", N_("days absent")))
            name = next((r.full_name for r in self.rows if r.person_id == person_id), "")
            done.success = (N_("Nothing changed for {name}.", name=name) if outcome == "same"
                            else N_("Rating saved for {name}.", name=name))
            await self._reload()
            self.saved = done.success.render(self._lang())
        if not done.ok:
            self.row_error_id = person_id
        return done.toast

    @rx.event
    async def save_unit_rating(self, form: dict):
        """Record (or correct) a unit's collective rating of the year shown."""
        with self._attempt(success=N_("Collective rating saved."), error="unit_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.rate_unit, unit_id=f.id("unit_id", N_("unit")), year=self.year,
                             level=f.stripped("level", 10),
                             reason=f.text("reason", rules.RATING_REASON_MAX, N_("reason")))
            await self._reload()
        return done.toast

    @rx.event
    def download_template(self):
        """A CSV with the columns the import reads and one example row."""
        return rx.download(data=",".join(service.RATING_COLUMNS) + "\n" + RATING_EXAMPLE + "\n",
                           filename=f"ratings-{self.year}.csv")

    @rx.event
    async def import_file(self, files_: list[rx.UploadFile]):
        """Import the year's ratings from CSV or XLSX: every row, or none and every error listed."""
        self.import_status, self.import_errors, self.import_error_count, self.import_error = "", [], 0, ""
        with self._attempt(error="import_error") as readable:
            data, name = await uploads.read_upload(self, files_, perm=Perm.RATE_PEOPLE, limit=files.MAX_UPLOAD_BYTES,
                                                   default_name="ratings.csv")
            if not data:
                raise Invalid("Choose a CSV or Excel (.xlsx) file first.")
            name = as_text(name, 200)
        if not readable.ok:
            return
        self.import_busy = True
        self.import_status = self._t("Checking every row…")
        yield
        # The file is parsed inside the service, in _call's worker thread (off the event loop).
        with self._attempt(error="import_error") as imported:
            report = await self._call(service.import_ratings, data=data, filename=name, year=self.year)
        self.import_busy = False
        if not imported.ok:
            self.import_status = ""
            return
        lang = self._lang()
        with i18n.using(lang):
            if report.errors:
                self.import_error_count = len(report.errors)
                self.import_errors = [[str(line), column, message]
                                      for line, column, message in report.errors[:ERRORS_SHOWN]]
                self.import_status = sheets.problems_summary([line for line, _c, _m in report.errors]).render(lang)
                return
            self.import_status = self._tn("Imported {n} rating for {year}.", "Imported {n} ratings for {year}.",
                                          report.written, n=formats.number(report.written, 0), year=self.year)
        with self._attempt():
            await self._reload()
        yield rx.toast.success(self.import_status)


# --- registrations (unit heads) ----------------------------------------------------------------


def _registration_page(session: Session, *, actor: Actor | None, unit_id: int, year: int,
                       now: Any) -> tuple[Any, ...]:
    """The units I rate, the one shown, its registrations, the titles, the tree and the window: one trip."""
    units = queries.rated_units(session, actor=actor)
    chosen = _kept(unit_id, [u for u, _n, _d in units])
    rows = queries.registrations(session, actor=actor, unit_id=chosen, year=year) if chosen else []
    return (units, chosen, rows, queries.title_options(session, subject=rules.INDIVIDUAL, kind=rules.TITLE),
            queries.title_options(session, subject=rules.COLLECTIVE, kind=rules.TITLE),
            org_queries.unit_tree(session, actor=actor, include_inactive=False),
            queries.year_settings(session, year=year, now=now))


def _search(session: Session, *, actor: Actor | None, text: str, unit_id: int | None) -> list[Option]:
    """People I may see matching ``text`` (within a unit subtree when given), for a picker."""
    found = org_queries.search_people(session, actor=actor, text=text, unit_id=unit_id, page_size=SEARCH_SIZE)
    return [Option(str(p.id), f"{p.full_name} · {p.employee_code} · {p.unit_name}") for p in found.rows]


class PersonPicker(rx.State, mixin=True):
    """A search box that picks one person (``multiple``: several) from the people I may see."""

    search_text: str = ""
    search_results: list[Option] = []
    picked: list[Option] = []
    _found: dict[int, str] = {}
    _picked: dict[int, str] = {}

    def _search_unit(self) -> int | None:
        """The unit subtree searched (None: everyone I may see)."""
        return None

    def _multiple(self) -> bool:
        return False

    def _clear_pick(self) -> None:
        self.search_text, self.search_results, self.picked = "", [], []
        self._found, self._picked = {}, {}

    def _show_picked(self) -> None:
        self.picked = [Option(str(k), v) for k, v in self._picked.items()]

    @rx.event
    async def set_search_text(self, value: str):
        """Find people by name (accents optional) or employee code."""
        self.search_text = as_text(value, 60)
        if len(self.search_text.strip()) < 2:
            self.search_results, self._found = [], {}
            return
        with self._attempt():
            found = await self._read(_search, text=self.search_text, unit_id=self._search_unit())
            self._found = {int(o.value): o.label for o in found}
            self.search_results = [o for o in found if int(o.value) not in self._picked]

    @rx.event
    async def pick(self, person_id: str):
        """Take a person from the search results."""
        with self._attempt(error=None):
            pid = as_int(person_id, N_("person"))
            if pid in self._found:
                if not self._multiple():
                    self._picked = {}
                if len(self._picked) < 20:
                    self._picked[pid] = self._found[pid]
                self._show_picked()
                self.search_results = [o for o in self.search_results if o.value != str(pid)]
                await self._on_pick(pid)

    async def _on_pick(self, person_id: int) -> None:
        """What else to do when a person is picked (a state overrides it)."""

    @rx.event
    def unpick(self, person_id: str):
        """Drop a picked person."""
        with self._attempt(error=None):
            self._picked.pop(as_int(person_id, N_("person")), None)
            self._show_picked()


class RegistrationsState(PersonPicker, UnitPick, YearPick, AuthState):
    """Registrations of my units for a year: confirm, withdraw, register a person or a unit, covenants."""

    rows: list[RegistrationRow] = []
    people_titles: list[Option] = []
    unit_titles: list[Option] = []
    all_units: list[Option] = []
    window_text: str = ""
    window_open: bool = False
    person_error: str = ""
    unit_error: str = ""
    covenant_error: str = ""
    form_key: int = 0

    def _search_unit(self) -> int | None:
        return self.unit_id or None

    async def _reload(self) -> None:
        self._start_year()
        units, chosen, self.rows, people_titles, unit_titles, tree, window = await self._read(
            _registration_page, unit_id=self.unit_id, year=self.year, now=clock.now())
        self.unit_id = chosen
        self._show_units(units)
        self.people_titles = [Option(str(o.id), o.label) for o in people_titles]
        self.unit_titles = [Option(str(o.id), o.label) for o in unit_titles]
        self.all_units = unit_options(tree, with_code=False)
        self.window_text, self.window_open = _window_text(window, self._lang()), window.window_open

    @rx.event
    async def load(self):
        """Page load: my units, the first one's registrations for this year, the titles (one read)."""
        self.person_error = self.unit_error = self.covenant_error = ""
        self._clear_pick()
        self._start_year()
        with self._attempt():
            await self._reload()

    @rx.event
    async def confirm(self, registration_id: int):
        """Confirm a person's own registration."""
        return await _on_registration(self, service.confirm_registration, registration_id,
                                      N_("Registration confirmed."))

    @rx.event
    async def withdraw(self, registration_id: int):
        """Withdraw a registration of my units."""
        return await _on_registration(self, service.withdraw_registration, registration_id,
                                      N_("Registration withdrawn."))

    @rx.event
    async def register_person(self, form: dict):
        """Register the person picked for an individual title (confirmed at once)."""
        with self._attempt(error="person_error", toast_errors=True) as done:
            f = Form(form)
            if not self._picked:
                raise Invalid("Find the person first: type a name and pick them from the list.")
            person_id = next(iter(self._picked))
            title_id = _listed(f.stripped("title_id", 12), [as_int(o.value) for o in self.people_titles],
                               N_("title"))
            await self._call(service.register_person, person_id=person_id, year=self.year, title_id=title_id)
            done.success = N_("{name} is registered.", name=self._picked[person_id].split(" · ")[0])
            self._clear_pick()
            self.form_key += 1
            await self._reload()
        return done.toast

    @rx.event
    async def register_unit(self, form: dict):
        """Register one of my units for a collective title."""
        with self._attempt(success=N_("The unit is registered."), error="unit_error", toast_errors=True) as done:
            f = Form(form)
            title_id = _listed(f.stripped("title_id", 12), [as_int(o.value) for o in self.unit_titles],
                               N_("title"))
            await self._call(service.register_unit, unit_id=f.id("unit_id", N_("unit")), year=self.year,
                             title_id=title_id)
            self.form_key += 1
            await self._reload()
        return done.toast

    @rx.event
    async def record_covenant(self, form: dict):
        """Record a covenant of the unit shown with the units that signed it."""
        with self._attempt(success=N_("Covenant recorded."), error="covenant_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.record_covenant, unit_id=f.id("unit_id", N_("unit")), year=self.year,
                             title=f.text("title", rules.COVENANT_TITLE_MAX, N_("covenant's title")),
                             signed_on=f.day("signed_on", N_("signing date")),
                             content=f.text("content", rules.COVENANT_CONTENT_MAX, N_("covenant's content")),
                             signatory_unit_ids=f.ticked("u_")[:500])
            self.form_key += 1
        return done.toast


# --- initiatives (unit heads, officers) --------------------------------------------------------


def _initiatives_page(session: Session, *, actor: Actor | None, year: int) -> tuple[Any, Any]:
    return (queries.initiatives(session, actor=actor, year=year or None), queries.rated_units(session, actor=actor))


class InitiativesState(PersonPicker, AuthState):
    """The initiatives register of my units, and the form to record one."""

    rows: list[InitiativeRow] = []
    year_filter: int = 0
    years: list[Option] = []
    units: list[Option] = []
    this_year: int = 0
    today: str = ""
    error: str = ""
    form_error: str = ""
    document_info: str = ""
    default_unit: str = ""
    form_key: int = 0
    _document: bytes = b""
    _document_name: str = ""

    def _multiple(self) -> bool:
        return True

    async def _reload(self) -> None:
        self.rows, units = await self._read(_initiatives_page, year=self.year_filter)
        self.units = _rated_unit_options(units)
        self.default_unit = self.units[0].value if self.units else ""

    def _forget_document(self) -> None:
        self._document, self._document_name, self.document_info = b"", "", ""

    @rx.event
    async def load(self):
        """Page load: the register (every year) and my units, in one read."""
        self.years, self.this_year = year_options(), this_year()
        self.today = queries.today(clock.now()).isoformat()
        self.form_error = ""
        self._clear_pick()
        self._forget_document()
        with self._attempt():
            await self._reload()

    @rx.event
    async def select_year(self, value: str):
        """Only one year's initiatives ("" for every year)."""
        with self._attempt():
            self.year_filter = _listed_year(value) if as_text(value, 6).strip() else 0
            await self._reload()

    @rx.event
    async def attach_document(self, files_: list[rx.UploadFile]):
        """Keep the decision's scan (PDF or photo) for the form, checked at once."""
        self._forget_document()
        with self._attempt(error="form_error"):
            data, name = await uploads.read_upload(self, files_, perm=Perm.RATE_PEOPLE, limit=files.MAX_UPLOAD_BYTES,
                                                   default_name="document")
            if not data:
                return
            if not data.startswith(b"%PDF-"):
                await asyncio.to_thread(files.clean_image, data)  # refuses what is not a photo
            name = as_text(name, 200)
            self._document, self._document_name = data, name
            with i18n.using(self._lang()):
                size = formats.number(len(data) // 1024 + 1, 0)
            self.document_info = self._t("Document ready: {name} ({kb} KB)", name=name, kb=size)

    @rx.event
    def clear_document(self):
        """Forget the attached document."""
        self._forget_document()

    @rx.event
    async def submit(self, form: dict):
        """Record an initiative with its authors (and its document)."""
        with self._attempt(success=N_("Initiative recorded."), error="form_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(
                service.record_initiative,
                title=f.text("title", rules.INITIATIVE_TITLE_MAX, N_("initiative's title")),
                year=f.number("year", what=N_("year")),
                scope=f.stripped("scope", 12),
                decision_ref=f.text("decision_ref", rules.DECISION_REF_MAX, N_("decision number")),
                decided_on=f.optional_day("decided_on", N_("decision date")), unit_id=f.id("unit_id", N_("unit")),
                author_ids=list(self._picked), document=self._document or None,
                document_name=self._document_name)
            self._clear_pick()
            self._forget_document()
            self.form_key += 1
            await self._reload()
        if not done.ok:
            return done.toast
        return [done.toast, rx.clear_selected_files("initiative_document")]


# --- discipline and holds (RECORD_DISCIPLINE) ---------------------------------------------------


class RecordsState(PersonPicker, AuthState):
    """A person's discipline records and holds: each view is audited; forms to record them."""

    person_id: int = 0
    person_name: str = ""
    person_code: str = ""
    person_unit: str = ""
    disciplines: list[DisciplineRow] = []
    holds: list[HoldRow] = []
    can_record: bool = False
    can_hold: bool = False
    today: str = ""
    error: str = ""
    discipline_error: str = ""
    hold_error: str = ""
    form_key: int = 0
    _person_id: int = 0

    def _show_records(self, records: Any) -> None:
        self._person_id = self.person_id = records.person_id
        self.person_name, self.person_code, self.person_unit = (records.full_name, records.employee_code,
                                                                records.unit_name)
        self.disciplines, self.holds = records.disciplines, records.holds
        self.can_record, self.can_hold = records.can_record, records.can_hold

    def _forget_person(self) -> None:
        self._person_id = self.person_id = 0
        self.person_name = self.person_code = self.person_unit = ""
        self.disciplines, self.holds, self.can_record, self.can_hold = [], [], False, False

    async def _view(self) -> None:
        self._show_records(await self._call(service.personnel_records, person_id=as_int(self._person_id,
                                                                                       N_("person"))))

    @rx.event
    def load(self):
        """Page load: nobody chosen (a view is read, and audited, only when asked for)."""
        self.today = queries.today(clock.now()).isoformat()
        self.error = self.discipline_error = self.hold_error = ""
        self._clear_pick()
        self._forget_person()

    async def _on_pick(self, person_id: int) -> None:
        self._forget_person()
        self._person_id = person_id
        self.discipline_error = self.hold_error = ""
        with self._attempt():
            await self._view()
        if self.error:
            self._forget_person()

    @rx.event
    async def record_discipline(self, form: dict):
        """Record a disciplinary measure of the person shown."""
        with self._attempt(success=N_("Discipline recorded."), error="discipline_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.record_discipline, person_id=as_int(self._person_id, N_("person")),
                             form=f.stripped("form", 12), starts_on=f.optional_day("starts_on", N_("start date")),
                             ends_on=f.optional_day("ends_on", N_("end date")),
                             decision_ref=f.text("decision_ref", rules.DECISION_REF_MAX, N_("decision number")),
                             note=f.text("note", rules.RECORD_NOTE_MAX, N_("note")))
            self.form_key += 1
            await self._view()
        return done.toast

    @rx.event
    async def place_hold(self, form: dict):
        """Hold the person's commendations from a date (officers)."""
        with self._attempt(success=N_("Hold placed."), error="hold_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.place_hold, person_id=as_int(self._person_id, N_("person")),
                             reason=f.stripped("reason", 12), starts_on=f.optional_day("starts_on", N_("start date")),
                             ends_on=f.optional_day("ends_on", N_("end date")),
                             note=f.text("note", rules.RECORD_NOTE_MAX, N_("note")))
            self.form_key += 1
            await self._view()
        return done.toast

    @rx.event
    async def lift_hold(self, hold_id: int):
        """Lift one of the person's holds (it stays on record)."""
        with self._attempt(success=N_("Hold lifted."), error="hold_error", toast_errors=True) as done:
            wanted = as_int(hold_id, N_("hold"))
            if wanted not in {h.id for h in self.holds}:
                raise Invalid("Choose a {what} from the list.", what=N_("hold"))
            await self._call(service.lift_hold, hold_id=wanted)
            await self._view()
        return done.toast
