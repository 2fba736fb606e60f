"""Reflex state of the leaderboard pages. Thin: each handler calls one query or service."""

from __future__ import annotations

import asyncio
from datetime import date
from zoneinfo import ZoneInfo

import reflex as rx

from engagement.core import clock
from engagement.core.access import Perm, can
from engagement.core.db import read_only
from engagement.core.errors import DomainError
from engagement.core.export import to_csv, to_xlsx
from engagement.org import queries as org_queries
from engagement.scoring import queries, service
from engagement.scoring.dto import Board, BoardRow, Breakdown, CriteriaVersion, DisplayRow, Standing
from engagement.scoring.rules import SOURCE_LABELS, PeriodKind, Source, month_key, quarter_key
from engagement.settings import get_settings
from engagement.ui import routes
from engagement.ui.auth import AuthState, as_int, as_text
from engagement.ui.components import Option

_EMPTY_BOARD = Board(board="units", title="", period_label="")
_EMPTY_BREAKDOWN = Breakdown(subject="", subject_id=0, name="", period_label="", points=0)
BOARD_OPTIONS = [Option(k, v) for k, v in service.BOARDS.items()]
PERIOD_KIND_OPTIONS = [Option("month", "Month"), Option("quarter", "Quarter"), Option("year", "Year"),
                       Option("custom", "Custom range (months)")]
SOURCE_COLOURS = {"commitment": "#2f9e44", "recognition": "#e8590c", "green": "#12b886",
                  "commendation": "#7048e8", "citizen": "#1c7ed6", "manual": "#868e96"}


def today() -> date:
    """The organisation's calendar day now."""
    return service.local_day(clock.now())


def period_options(kind: str, day: date) -> list[Option]:
    """Recent periods of a kind, newest first (24 months, 8 quarters, 3 years)."""
    out: list[Option] = []
    if kind == PeriodKind.YEAR:
        return [Option(str(day.year - i), str(day.year - i)) for i in range(3)]
    y, m = day.year, day.month
    seen: set[str] = set()
    for _ in range(24):
        key = month_key(date(y, m, 1)) if kind == PeriodKind.MONTH else quarter_key(date(y, m, 1))
        if key not in seen:
            seen.add(key)
            out.append(Option(key, key))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[:24] if kind == PeriodKind.MONTH else out[:8]


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
        """The periods the period menu offers."""
        return period_options(self.period_kind if self.period_kind != "custom" else "month", today())

    @rx.var
    def board_choices(self) -> list[Option]:
        """Boards this person may open."""
        return [o for o in BOARD_OPTIONS if o.value != "people" or self.individual_allowed]

    @rx.var
    def has_previous_page(self) -> bool:
        """Whether 'Previous' applies."""
        return self.offset > 0

    async def _fetch(self) -> None:
        custom = self.period_kind == "custom"
        self.result = await self._read(
            queries.leaderboard, board=self.board, today=today(),
            period=None if custom else (self.period or None),
            start=self.start if custom else None, end=self.end if custom else None,
            group_id=int(self.group_id) if self.group_id.isdigit() else None,
            unit_id=int(self.unit_id) if self.unit_id.isdigit() and self.board == "people" else None,
            offset=self.offset, limit=50,
        )

    async def _refresh(self):
        try:
            await self._fetch()
        except DomainError as exc:
            self.error = exc.message
            self.result = _EMPTY_BOARD
            return
        self.error = ""

    def _may_see_individuals(self) -> bool:
        def work() -> bool:
            with read_only() as session:
                return service.options(session).individual_boards
        return work()

    @rx.event
    async def load(self):
        """Page load: the menus and this month's unit board."""
        self.detail_open = False
        try:
            groups = await self._read(org_queries.groups)
            units = await self._read(org_queries.unit_tree, include_inactive=False)
        except DomainError as exc:
            self.error = exc.message
            return
        actor = await self._actor()
        allowed = await asyncio.to_thread(self._may_see_individuals)
        self.individual_allowed = allowed or can(actor, Perm.MANAGE_SCORING)
        if self.board == "people" and not self.individual_allowed:
            self.board = "units"
        self.group_options = [Option(str(g.id), g.name) for g in groups]
        self.unit_options = [Option(str(u.id), ("\u2003" * u.depth) + u.name) for u in units]
        if not self.period:
            self.period = month_key(today())
        if not self.start:
            self.start = month_key(date(today().year, 1, 1))
            self.end = month_key(today())
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_board(self, value: str):
        """Switch between unit and individual boards."""
        self.board = as_text(value, 30)
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_period_kind(self, value: str):
        """Month, quarter, year or a custom range."""
        kind = as_text(value, 10)
        self.period_kind = kind if kind in {"month", "quarter", "year", "custom"} else "month"
        if self.period_kind != "custom":
            self.period = period_options(self.period_kind, today())[0].value
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_period(self, value: str):
        """Choose the period."""
        self.period = as_text(value, 8)
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_range(self, form: dict):
        """A custom range: from month to month."""
        if not isinstance(form, dict):
            return
        self.start = as_text(form.get("start"), 7)
        self.end = as_text(form.get("end"), 7)
        self.period_kind = "custom"
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_group_id(self, value: str):
        """Rank the units of one peer cohort (empty: top-level units)."""
        self.group_id = as_text(value, 12)
        self.offset = 0
        await self._refresh()

    @rx.event
    async def set_unit_id(self, value: str):
        """Rank the people of one unit (empty: the whole organisation)."""
        self.unit_id = as_text(value, 12)
        self.offset = 0
        await self._refresh()

    @rx.event
    async def next_page(self):
        """The next 50."""
        if self.result.has_more:
            self.offset += 50
            await self._refresh()

    @rx.event
    async def previous_page(self):
        """The previous 50."""
        self.offset = max(0, self.offset - 50)
        await self._refresh()

    async def _load_detail(self) -> None:
        subject = "person" if self.result.board == "people" else "unit"
        custom = self.period_kind == "custom"
        self.detail = await self._read(
            queries.breakdown, subject=subject, subject_id=self._detail_id, today=today(),
            period=None if custom else (self.period or None), start=self.start if custom else None,
            end=self.end if custom else None, offset=self.detail_offset)
        history = await self._read(queries.history, subject=subject, subject_id=self._detail_id, today=today())
        self.detail_chart = [{"month": h.month, **{s.value: h.by_source.get(s.value, 0) for s in Source}}
                             for h in history]
        self.detail_subject = subject

    @rx.event
    async def open_detail(self, subject_id: int):
        """'Why this score': the entries behind a row, by source, and its points over time."""
        try:
            self._detail_id = as_int(subject_id)
            self.detail_offset = 0
            await self._load_detail()
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self.detail_open = True
        return None

    @rx.event
    async def detail_more(self, step: int):
        """Page through the entries of the open breakdown."""
        if self._detail_id <= 0:
            return
        step = 20 if step == 1 else -20
        self.detail_offset = max(0, self.detail_offset + step)
        try:
            await self._load_detail()
        except DomainError as exc:
            return rx.toast.error(exc.message)
        return None

    @rx.event
    def close_detail(self):
        """Close the breakdown."""
        self.detail_open = False

    @rx.event
    def set_detail_open(self, value: bool):
        """The dialog's own open/close."""
        self.detail_open = bool(value) and self._detail_id > 0

    async def _export_rows(self) -> tuple[list[str], list[list]]:
        custom = self.period_kind == "custom"
        page = await self._read(
            queries.leaderboard, board=self.board, today=today(),
            period=None if custom else (self.period or None), start=self.start if custom else None,
            end=self.end if custom else None,
            group_id=int(self.group_id) if self.group_id.isdigit() else None,
            unit_id=int(self.unit_id) if self.unit_id.isdigit() and self.board == "people" else None,
            export=True)
        rows: list[BoardRow] = page.rows
        if self.board == "people":
            headers = ["Rank", "Name", "Unit", "Points", "Change"]
            body = [[r.rank, r.name, r.detail, r.points, r.change_text] for r in rows]
        else:
            headers = ["Rank", "Unit", "Code", "Points", "Members", "Points per member", "Change"]
            body = [[r.rank, r.name, r.detail, r.points, r.members, r.per_member, r.change_text] for r in rows]
        return headers, body

    @rx.event
    async def export(self, kind: str):
        """Download the whole board (every page) as CSV or XLSX."""
        try:
            headers, body = await self._export_rows()
        except DomainError as exc:
            return rx.toast.error(exc.message)
        name = f"leaderboard-{self.board}-{self.result.period_label.replace(' ', '_')}"
        if kind == "xlsx":
            data = await asyncio.to_thread(to_xlsx, "Leaderboard", headers, body)
            return rx.download(data=data, filename=f"{name}.xlsx")
        return rx.download(data=to_csv(headers, body), filename=f"{name}.csv")


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

    async def _reload(self) -> None:
        year = int(self.year) if self.year.isdigit() else today().year
        self.year = str(year)
        self.versions = await self._read(queries.criteria_versions, year=year)
        latest = self.versions[0].rules
        self.current = [{"source": s.value, "label": SOURCE_LABELS[s], "weight": str(latest[s.value][0]),
                         "cap": "" if latest[s.value][1] is None else str(latest[s.value][1])} for s in Source]
        self.displays = await self._read(queries.displays)
        self.individual_boards = await asyncio.to_thread(self._options)

    def _options(self) -> bool:
        with read_only() as session:
            return service.options(session).individual_boards

    @rx.event
    async def load(self):
        """Page load."""
        self.error = ""
        self.message = ""
        self.new_link = ""
        try:
            await self._reload()
            self.group_options = [Option(str(g.id), g.name) for g in await self._read(org_queries.groups)]
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def save_criteria(self, form: dict):
        """Publish a new version of the year's criteria."""
        if not isinstance(form, dict):
            return
        criteria = {s.value: (as_text(form.get(f"weight_{s.value}"), 10), as_text(form.get(f"cap_{s.value}"), 10))
                    for s in Source}
        try:
            version = await self._call(service.set_criteria, year=as_text(form.get("year"), 4),
                                       effective_from=as_text(form.get("effective_from"), 7),
                                       criteria=criteria, note=as_text(form.get("note"), 500))
            await self._reload()
        except DomainError as exc:
            self.error = exc.message
            fields = getattr(exc, "fields", {})
            if fields:
                self.error = " ".join(fields.values())
            return
        self.error = ""
        self.message = f"Version {version} published."
        self.form_key += 1

    @rx.event
    async def set_individual_boards(self, value: bool):
        """Switch individual leaderboards on or off for the organisation."""
        try:
            await self._call(service.set_options, individual_boards=bool(value))
            await self._reload()
        except DomainError as exc:
            self.error = exc.message
            return
        self.message = "Individual leaderboards are " + ("on." if self.individual_boards else "off.")

    @rx.event
    async def find_people(self, form: dict):
        """Search people for an adjustment."""
        if not isinstance(form, dict):
            return
        try:
            page = await self._read(org_queries.search_people, text=as_text(form.get("q"), 60), page_size=20)
        except DomainError as exc:
            self.error = exc.message
            return
        self.people = [Option(str(p.id), f"{p.full_name} · {p.employee_code} · {p.unit_name}") for p in page.rows]
        if not self.people:
            self.message = "Nobody matches; try part of the name without accents, or the staff code."

    @rx.event
    async def adjust(self, form: dict):
        """Add or remove points for one person, with a reason."""
        if not isinstance(form, dict):
            return
        try:
            points = await self._call(service.adjust, person_id=as_int(form.get("person_id"), "person"),
                                      points=as_text(form.get("points"), 10), reason=as_text(form.get("reason"), 500))
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.message = f"Adjustment of {points:+d} points recorded."
        self.form_key += 1

    @rx.event
    async def create_display(self, form: dict):
        """Create a lobby-screen link (shown once)."""
        if not isinstance(form, dict):
            return
        try:
            link = await self._call(service.create_display, title=as_text(form.get("title"), 200),
                                    board=as_text(form.get("board"), 30),
                                    period_kind=as_text(form.get("period_kind"), 10),
                                    group_id=as_text(form.get("group_id"), 12))
            await self._reload()
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.new_link = f"{get_settings().public_url}{routes.SCREEN}?k={link.token}"
        self.form_key += 1

    @rx.event
    async def revoke_display(self, display_id: int):
        """Stop a lobby screen link."""
        try:
            await self._call(service.revoke_display, display_id=as_int(display_id, "screen"))
            await self._reload()
        except DomainError as exc:
            self.error = exc.message
            return
        self.message = "The screen link no longer works."

    @rx.event
    async def set_year(self, value: str):
        """Look at another year's criteria."""
        self.year = as_text(value, 4)
        try:
            await self._reload()
        except DomainError as exc:
            self.error = exc.message


class ScreenState(rx.State):
    """A lobby screen: no login; the unguessable link is the credential. Refreshes itself."""

    result: Board = _EMPTY_BOARD
    error: str = ""
    updated: str = ""

    def _token(self) -> str:
        value = self.router.url.query_parameters.get("k", "")
        return value if isinstance(value, str) else ""

    def _fetch(self, token: str) -> Board:
        with read_only() as session:
            return queries.display_board(session, token=token, today=today())

    @rx.event
    async def refresh(self, _tick: str = ""):
        """Load (and every minute reload) the board."""
        try:
            self.result = await asyncio.to_thread(self._fetch, self._token())
        except DomainError as exc:
            self.error = exc.message
            self.result = _EMPTY_BOARD
            return
        self.error = ""
        self.updated = clock.local(clock.now(), ZoneInfo(get_settings().timezone)).strftime("%H:%M")


class StandingState(AuthState):
    """The home page's ranking card."""

    standing: Standing = Standing(month="", my_points=0, my_year_points=0)

    @rx.event
    async def load(self):
        """Read my points and my unit's place (on the home page's load)."""
        try:
            self.standing = await self._read(queries.my_standing, today=today())
        except DomainError:
            self.standing = Standing(month="", my_points=0, my_year_points=0)
