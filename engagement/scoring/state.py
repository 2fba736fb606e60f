"""Reflex state of the leaderboard pages. Thin: each handler calls one query or service."""

from __future__ import annotations

import asyncio
import functools
from datetime import date
from typing import TYPE_CHECKING, Any

import reflex as rx

from engagement.core import clock, formats, i18n, routes
from engagement.core.errors import DomainError
from engagement.core.export import to_csv, to_xlsx
from engagement.core.i18n import N_
from engagement.org import queries as org_queries
from engagement.scoring import queries, rules, service
from engagement.scoring.dto import Board, BoardRow, Breakdown, CriteriaVersion, DisplayRow, Standing
from engagement.scoring.rules import BOARDS, Source, month_key
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Form, as_int, as_text, unit_options

if TYPE_CHECKING:
    from sqlmodel import Session

    from engagement.core.access import Actor

_EMPTY_BOARD = Board(board="units", title="", period_label="")
_EMPTY_BREAKDOWN = Breakdown(subject="", subject_id=0, name="", period_label="", points=0)
_NO_STANDING = Standing(month="", my_points=0, my_year_points=0)
#: The menus' choices as (code, label message): rendered per reader (pages: ``t``; states:
#: the tab's language), never kept as text in one language.
BOARD_CHOICES: list[tuple[str, i18n.Msg]] = list(BOARDS.items())
PERIOD_KINDS: list[tuple[str, i18n.Msg]] = [("month", N_("Month")), ("quarter", N_("Quarter")),
                                             ("year", N_("Year")), ("custom", N_("Custom range (months)"))]
SOURCE_COLOURS = {"commitment": "#2f9e44", "recognition": "#e8590c", "green": "#12b886",
                  "commendation": "#7048e8", "citizen": "#1c7ed6", "manual": "#868e96",
                  "inspection": "#f59f00"}
#: Rows on a leaderboard page, and entries on a page of 'why this score'.
BOARD_PAGE = 50
ENTRY_PAGE = 20


def today() -> date:
    """The organisation's calendar day now."""
    return clock.local_day(clock.now(), get_settings().tz)


def period_options(kind: str, day: date, lang: str | None = None) -> list[Option]:
    """Recent periods of a kind, newest first (24 months, 8 quarters, 3 years), labelled in ``lang``."""
    with i18n.using(lang):
        return [Option(value, label) for value, label in rules.period_options(kind, day)]


def _chosen(value: str) -> int | None:
    """A menu's id as a number; None for "" (or anything that is not one)."""
    return int(value) if value.isascii() and value.isdigit() else None


def _group_options(groups: list[Any]) -> list[Option]:
    return [Option(str(g.id), g.name) for g in groups]


def _board_or_refusal(session: Session, *, actor: Actor | None, **query: Any) -> Board | DomainError:
    """A board read with the page's menus: a refusal comes back as a value, so the menus still show."""
    try:
        return queries.leaderboard(session, actor=actor, **query)
    except DomainError as exc:
        return exc


class LeaderboardState(AuthState):
    """Leaderboards, 'why this score', charts and exports."""

    board: str = "units"
    period_kind: str = "month"
    period: str = ""
    start: str = ""
    end: str = ""
    group_id: str = ""
    unit_id: str = ""
    offset: int = 0
    result: Board = _EMPTY_BOARD
    group_options: list[Option] = []
    unit_options: list[Option] = []
    individual_allowed: bool = True
    error: str = ""
    detail_open: bool = False
    detail: Breakdown = _EMPTY_BREAKDOWN
    detail_offset: int = 0
    detail_chart: list[dict] = []
    detail_subject: str = ""
    _detail_id: int = 0

    @rx.var
    def period_choices(self) -> list[Option]:
        """The periods the period menu offers, in the tab's language."""
        lang = self.lang if i18n.supported(self.lang) else None
        return period_options(self.period_kind if self.period_kind != "custom" else "month", today(), lang)

    @rx.var
    def board_choices(self) -> list[Option]:
        """Boards this person may open, in the tab's language."""
        lang = self.lang if i18n.supported(self.lang) else None
        return [Option(code, label.render(lang)) for code, label in BOARD_CHOICES
                if code != "people" or self.individual_allowed]

    @rx.var
    def has_previous_page(self) -> bool:
        """Whether 'Previous' applies."""
        return self.offset > 0

    def _period(self) -> dict[str, Any]:
        """The chosen period as the queries take it: a period key, or a custom start/end."""
        custom = self.period_kind == "custom"
        return {"period": None if custom else (self.period or None),
                "start": self.start if custom else None, "end": self.end if custom else None}

    def _query(self, **extra: Any) -> dict[str, Any]:
        """The board the menus choose, as ``queries.leaderboard`` takes it."""
        return {"board": self.board, "today": today(), **self._period(), "group_id": _chosen(self.group_id),
                "unit_id": _chosen(self.unit_id) if self.board == "people" else None, **extra}

    def _show_board(self, board: Board | DomainError) -> None:
        refused = isinstance(board, DomainError)
        self.result = _EMPTY_BOARD if refused else board
        self.error = board.render(self._lang()) if refused else ""

    async def _refresh(self) -> None:
        with self._attempt() as done:
            self.result = await self._read(queries.leaderboard, **self._query(offset=self.offset, limit=BOARD_PAGE))
        if not done.ok:
            self.result = _EMPTY_BOARD

    async def _first_page(self) -> None:
        self.offset = 0
        await self._refresh()

    @rx.event
    async def load(self):
        """Page load: the menus and this month's unit board, in one read."""
        self.detail_open = False
        if not self.period:
            self.period = month_key(today())
        if not self.start:
            self.start, self.end = month_key(date(today().year, 1, 1)), month_key(today())
        self.offset = 0
        with self._attempt() as done:
            groups, units, self.individual_allowed, board = await self._read_each(
                org_queries.groups, functools.partial(org_queries.unit_tree, include_inactive=False),
                queries.individual_boards_visible,
                functools.partial(_board_or_refusal, **self._query(offset=0, limit=BOARD_PAGE)))
        if not done.ok:
            return
        self.group_options = _group_options(groups)
        self.unit_options = unit_options(units, with_code=False)
        if self.board == "people" and not self.individual_allowed:
            self.board = "units"  # switched off since this person chose it: the unit board instead
            await self._refresh()
        else:
            self._show_board(board)

    # The menus read in the background (issue 19): the tab's lock is let go during the read.
    @rx.event(background=True)
    async def set_board(self, value: str):
        """Switch between unit and individual boards."""
        async with self._background():
            self.board = as_text(value, 30)
            await self._first_page()

    @rx.event(background=True)
    async def set_period_kind(self, value: str):
        """Month, quarter, year or a custom range."""
        async with self._background():
            kind = as_text(value, 10)
            self.period_kind = kind if kind in {"month", "quarter", "year", "custom"} else "month"
            if self.period_kind != "custom":
                self.period = period_options(self.period_kind, today())[0].value
            await self._first_page()

    @rx.event(background=True)
    async def set_period(self, value: str):
        """Choose the period."""
        async with self._background():
            self.period = as_text(value, 8)
            await self._first_page()

    @rx.event
    async def set_range(self, form: dict):
        """A custom range: from month to month."""
        with self._attempt() as done:
            f = Form(form)
            self.start, self.end, self.period_kind = f.text("start", 7), f.text("end", 7), "custom"
        if done.ok:
            await self._first_page()

    @rx.event
    async def set_group_id(self, value: str):
        """Rank the units of one peer cohort (empty: top-level units)."""
        self.group_id = as_text(value, 12)
        await self._first_page()

    @rx.event
    async def set_unit_id(self, value: str):
        """Rank the people of one unit (empty: the whole organisation)."""
        self.unit_id = as_text(value, 12)
        await self._first_page()

    @rx.event
    async def next_page(self):
        """The next 50."""
        if self.result.has_more:
            self.offset += BOARD_PAGE
            await self._refresh()

    @rx.event
    async def previous_page(self):
        """The previous 50."""
        self.offset = max(0, self.offset - BOARD_PAGE)
        await self._refresh()

    async def _load_detail(self) -> None:
        """The open row's breakdown and its last 12 months, in one read."""
        subject = "person" if self.result.board == "people" else "unit"
        day = today()
        self.detail, history = await self._read_each(
            functools.partial(queries.breakdown, subject=subject, subject_id=self._detail_id, today=day,
                              offset=self.detail_offset, **self._period()),
            functools.partial(queries.history, subject=subject, subject_id=self._detail_id, today=day))
        self.detail_chart = [{"month": h.label or h.month, **{s.value: h.by_source.get(s.value, 0) for s in Source}}
                             for h in history]
        self.detail_subject = subject

    @rx.event
    async def open_detail(self, subject_id: int):
        """'Why this score': the entries behind a row, by source, and its points over time."""
        with self._attempt(error=None, toast_errors=True) as done:
            self._detail_id = as_int(subject_id)
            self.detail_offset = 0
            await self._load_detail()
        if done.ok:
            self.detail_open = True
        return done.toast

    @rx.event
    async def detail_more(self, step: int):
        """Page through the entries of the open breakdown."""
        if self._detail_id <= 0:
            return None
        self.detail_offset = max(0, self.detail_offset + (ENTRY_PAGE if step == 1 else -ENTRY_PAGE))
        with self._attempt(error=None, toast_errors=True) as done:
            await self._load_detail()
        return done.toast

    @rx.event
    def close_detail(self):
        """Close the breakdown."""
        self.detail_open = False

    @rx.event
    def set_detail_open(self, value: bool):
        """The dialog's own open/close."""
        self.detail_open = bool(value) and self._detail_id > 0

    async def _export_rows(self) -> tuple[list[str], list[list]]:
        page = await self._read(queries.leaderboard, **self._query(export=True))
        rows: list[BoardRow] = page.rows
        if self.board == "people":
            headers = [self._t("Rank"), self._t("Name"), self._t("Unit"), self._t("Points"), self._t("Change")]
            body = [[r.rank, r.name, r.detail, r.points, r.change_text] for r in rows]
        else:
            headers = [self._t("Rank"), self._t("Unit"), self._t("Code"), self._t("Points"), self._t("Members"),
                       self._t("Points per member"), self._t("Change")]
            body = [[r.rank, r.name, r.detail, r.points, r.members, r.per_member, r.change_text] for r in rows]
        return headers, body

    @rx.event
    async def export(self, kind: str):
        """Download the whole board (every page) as CSV or XLSX, written off the event loop."""
        with self._attempt(error=None, toast_errors=True) as done:
            headers, body = await self._export_rows()
        if not done.ok:
            return done.toast
        # The file name keeps the period's key (ASCII, no "/"), whatever the reader's language.
        custom = self.period_kind == "custom"
        period = f"{self.start}_to_{self.end}" if custom else (self.period or month_key(today()))
        name = f"leaderboard-{self.board}-{period}"
        if kind == "xlsx":
            data = await asyncio.to_thread(to_xlsx, self._t("Leaderboard"), headers, body)
            return rx.download(data=data, filename=f"{name}.xlsx")
        return rx.download(data=await asyncio.to_thread(to_csv, headers, body), filename=f"{name}.csv")


class ScoringAdminState(AuthState):
    """The officer's page: criteria, the individual-board switch, adjustments, lobby screens."""

    year: str = ""
    versions: list[CriteriaVersion] = []
    current: list[dict] = []
    individual_boards: bool = True
    people: list[Option] = []
    displays: list[DisplayRow] = []
    new_link: str = ""
    group_options: list[Option] = []
    error: str = ""
    message: str = ""
    form_key: int = 0

    async def _reload(self, *, with_groups: bool = False) -> None:
        """The year's criteria, the screens and the switch (and the groups menu), in one read."""
        year = _chosen(self.year) or today().year
        self.year = str(year)
        reads = [functools.partial(queries.criteria_versions, year=year), queries.displays,
                 queries.individual_boards_on]
        if with_groups:
            reads.append(org_queries.groups)
        self.versions, self.displays, self.individual_boards, *groups = await self._read_each(*reads)
        if groups:
            self.group_options = _group_options(groups[0])
        latest = self.versions[0].rules
        # The source's label is picked by the page from the code (t_match), in the tab's language.
        self.current = [{"source": s.value, "weight": str(latest[s.value][0]),
                         "cap": "" if latest[s.value][1] is None else str(latest[s.value][1])} for s in Source]

    @rx.event
    async def load(self):
        """Page load."""
        self.message, self.new_link = "", ""
        with self._attempt():
            await self._reload(with_groups=True)

    @rx.event
    async def save_criteria(self, form: dict):
        """Publish a new version of the year's criteria."""
        self.message = ""
        with self._attempt() as done:
            f = Form(form)
            criteria = {s.value: (f.text(f"weight_{s.value}", 10), f.text(f"cap_{s.value}", 10)) for s in Source}
            year = f.stripped("year", 4, N_("year"))
            version = await self._call(service.set_criteria, year=year,
                                       effective_from=f.text("effective_from", 7), criteria=criteria,
                                       note=f.text("note", rules.NOTE_MAX, N_("note")))
            # The list then shows the year just published (not the one shown before).
            self.year = year
            await self._reload()
        if not done.ok:
            if done.fields:
                self.error = " ".join(done.fields.values())
            return
        self.message = self._t("Version {version} published.", version=version)
        self.form_key += 1

    @rx.event
    async def set_individual_boards(self, value: bool):
        """Switch individual leaderboards on or off for the organisation."""
        with self._attempt() as done:
            await self._call(service.set_options, individual_boards=bool(value))
            await self._reload()
        if done.ok:
            self.message = (self._t("Individual leaderboards are on.") if self.individual_boards
                            else self._t("Individual leaderboards are off."))

    @rx.event
    async def find_people(self, form: dict):
        """Search people for an adjustment."""
        with self._attempt() as done:
            page = await self._read(org_queries.search_people, text=Form(form).text("q", 60), page_size=20)
        if not done.ok:
            return
        self.people = [Option(str(p.id), f"{p.full_name} · {p.employee_code} · {p.unit_name}") for p in page.rows]
        if not self.people:
            self.message = self._t("Nobody matches; try part of the name without accents, or the staff code.")

    @rx.event
    async def adjust(self, form: dict):
        """Add or remove points for one person, with a reason."""
        with self._attempt() as done:
            f = Form(form)
            points = await self._call(service.adjust, person_id=f.id("person_id", "person"),
                                      points=f.text("points", 10),
                                      reason=f.text("reason", rules.REASON_MAX, N_("reason")))
        if done.ok:
            with i18n.using(self._lang()):
                signed = ("+" if points > 0 else "") + formats.number(points, 0)
            self.message = self._t("Adjustment of {points} points recorded.", points=signed)
            self.form_key += 1

    @rx.event
    async def create_display(self, form: dict):
        """Create a lobby-screen link (shown once)."""
        with self._attempt() as done:
            f = Form(form)
            link = await self._call(service.create_display, title=f.text("title", 200), board=f.text("board", 30),
                                    period_kind=f.text("period_kind", 10), group_id=f.text("group_id", 12))
            await self._reload()
        if done.ok:
            self.new_link = get_settings().public_url + routes.screen(link.token)
            self.form_key += 1

    @rx.event
    async def revoke_display(self, display_id: int):
        """Stop a lobby screen link."""
        with self._attempt() as done:
            await self._call(service.revoke_display, display_id=as_int(display_id, "screen"))
            await self._reload()
        if done.ok:
            self.message = self._t("The screen link no longer works.")

    @rx.event
    async def set_year(self, value: str):
        """Look at another year's criteria (the Year box, when it loses focus)."""
        wanted = as_text(value, 4).strip()
        if wanted == self.year or _chosen(wanted) is None:
            return
        self.message = ""
        self.year = wanted
        with self._attempt():
            await self._reload()


class ScreenState(AuthState):
    """A lobby screen: no login; the unguessable link is the credential. Refreshes itself."""

    result: Board = _EMPTY_BOARD
    error: str = ""
    updated: str = ""

    def _link(self) -> str:
        value = self.router.url.query_parameters.get("k", "")
        return value if isinstance(value, str) else ""

    @rx.event
    async def refresh(self, _tick: str = ""):
        """Load (and every minute reload) the board."""
        with self._attempt() as done:
            self.result = await self._public_read(queries.display_board, token=self._link(), today=today())
        if not done.ok:
            self.result = _EMPTY_BOARD
            return
        self.updated = clock.local(clock.now(), get_settings().tz).strftime("%H:%M")


class StandingState(AuthState):
    """The home page's ranking card."""

    standing: Standing = _NO_STANDING

    @rx.event
    async def load(self):
        """Read my points and my unit's place (on the home page's load)."""
        with self._attempt(error=None) as done:
            self.standing = await self._read(queries.my_standing, today=today())
        if not done.ok:
            self.standing = _NO_STANDING
