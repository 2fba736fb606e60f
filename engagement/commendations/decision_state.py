"""Reflex state of the decision pages (issue 15): the officers' decisions page (approved nominees
waiting, issuing a decision, proposing upward, the decisions with their PDFs and certificates,
revocation, the chain check), the registers and reports of awards, and the public check of a
certificate.

Thin: each handler validates its arguments (a form, an id: all hostile) and calls one service of
``decisions``, which authorises every call (the issuer's work needs ``ISSUE_DECISIONS``, the
registers ``VIEW_PERSONNEL``). The decision and the award a handler acts on live in backend-only
vars set from the rows the page listed; the service re-checks them anyway.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

import reflex as rx
from sqlmodel import Session

from engagement.commendations import decisions, queries, rules
from engagement.commendations.decisions import AwaitingRow, AwardEntry, CertificateCheck, DecisionRow
from engagement.commendations.state import _listed_year, this_year, year_options
from engagement.core import clock, formats, i18n, routes
from engagement.core.access import Actor, Perm, path_within, reach, require
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg, N_n
from engagement.org import queries as org_queries
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text, unit_options

DECISION, AWARD, PERSON, UNIT, TITLE = N_("decision"), N_("award"), N_("person"), N_("unit"), N_("title")
#: The prefixes of the nominee tick boxes of the two forms.
DECIDE_PREFIX, UPWARD_PREFIX = "decide-", "upward-"
#: Decisions per page.
DECISIONS_PAGE = 20
#: Awards per page of the register.
REGISTER_PAGE = 25
#: People a search box lists.
SEARCH_SIZE = 10
#: The legal basis a new decision starts with (the decision is written in Vietnamese: it is a
#: document of record, whatever the reader's language).
DEFAULT_BASIS = (
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;\n"
    "Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ về phân cấp, phân quyền "
    "trong lĩnh vực thi đua, khen thưởng; quy định chi tiết và hướng dẫn thi hành một số điều của Luật Thi đua, "
    "khen thưởng;\n"
    "Xét đề nghị của Hội đồng Thi đua - Khen thưởng."
)
#: The grounds of a revocation (Law 06/2022 Art. 93(1)), in the order the select offers them.
GROUND_CHOICES: dict[str, Msg] = dict(rules.REVOCATION_GROUNDS)
#: The "revoked" filter of the register.
REVOKED_CHOICES: dict[str, Msg] = {"no": N_("Standing only"), "yes": N_("Revoked only")}


# --- what the pages show (built here from the service's rows) ------------------------------------


@dataclass(frozen=True)
class AwaitingLine:
    """An approved nominee as the form lists it, with its council's count as text."""

    nominee_id: int
    nomination_id: int
    year: int
    name: str
    code: str
    unit_name: str
    votes: str  # "5/7" or ""
    session_title: str


@dataclass(frozen=True)
class AwaitingGroup:
    """The approved nominees of one title."""

    title_id: int
    title: str
    title_name: str
    upward: bool
    rows: list[AwaitingLine]


@dataclass(frozen=True)
class DecisionLine:
    """A decision of the list, its amount as text."""

    id: int
    reference: str
    year: int
    decided_on: str
    issuer_name: str
    signer: str
    awards: int
    total: str
    content_hash: str


@dataclass(frozen=True)
class StatLine:
    """One row of the yearly statistics, amounts as text."""

    title: str
    title_name: str
    level_label: str
    individuals: int
    collectives: int
    amount: str
    revoked: int
    refund: str


def _groups(rows: list[AwaitingRow]) -> list[AwaitingGroup]:
    """Rows (already in the annex order: lower titles first) grouped by title."""
    out: list[AwaitingGroup] = []
    for r in rows:
        line = AwaitingLine(nominee_id=r.nominee_id, nomination_id=r.nomination_id, year=r.year, name=r.name,
                            code=r.code, unit_name=r.unit_name,
                            votes=f"{r.agree}/{r.members}" if r.members else "", session_title=r.session_title)
        if out and out[-1].title_id == r.title_id:
            out[-1].rows.append(line)
        else:
            out.append(AwaitingGroup(title_id=r.title_id, title=r.title, title_name=r.title_name, upward=r.upward,
                                     rows=[line]))
    return out


def _money(value: int) -> str:
    """An amount of VND in the current language's convention (call under ``i18n.using``)."""
    return formats.number(value, 0)


def _slug(text: str) -> str:
    """A decision number as part of a file name: ``12/QĐ-SNV`` -> ``12-QD-SNV``."""
    return "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text.replace("Đ", "D").replace("đ", "d"))


def _number_or_none(f: Form, name: str, what: Msg) -> int | None:
    """A whole number field; None when left empty."""
    raw = f.stripped(name, 15).replace(".", "").replace(",", "").replace(" ", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Invalid("Enter the {what} as a whole number.", {name: N_("Not valid")}, what=what)
    return int(raw)


# --- reads the pages make in one trip --------------------------------------------------------------


def _register_units(session: Session, *, actor: Actor | None) -> list[Option]:
    """The units whose awards the actor may read in the registers: the whole tree (officers), or
    the subtrees of their units (heads), as indented options.

    Raises:
        NotAllowed: neither an officer nor a unit head.
    """
    require(actor, Perm.VIEW_PERSONNEL)
    where = reach(actor, Perm.VIEW_PERSONNEL)
    tree = org_queries.unit_tree(session, actor=actor, include_inactive=False)
    if not where.org:
        tree = [u for u in tree if any(path_within(u.path, p) for p in where.unit_paths)]
        top = min((u.depth for u in tree), default=0)
        tree = [replace(u, depth=u.depth - top) for u in tree]
    return unit_options(tree)


def _title_options(session: Session, *, actor: Actor | None) -> list[Option]:
    """Every title of the catalogue (names are not personal data: anyone logged in)."""
    return [Option(str(t.id), t.label) for t in queries.title_options(session)]


def _reports_start(session: Session, *, actor: Actor | None, filters: dict[str, Any], page_size: int,
                   stat_year: int) -> tuple[list[Option], list[Option], dict[str, Any], decisions.AwardPage,
                                            decisions.YearStatistics]:
    """The reports page's selectors, the register's first page and a year's statistics, in one transaction.

    A unit or title kept from an earlier visit that is no longer offered is dropped from the
    filters; the statistics show ``stat_year``, or (0) the newest year in the actor's register.

    Raises:
        NotAllowed: neither an officer nor a unit head.
    """
    units = _register_units(session, actor=actor)
    titles = _title_options(session, actor=actor)
    kept = dict(filters)
    if kept.get("unit_id") is not None and str(kept["unit_id"]) not in {o.value for o in units}:
        kept["unit_id"] = None
    if kept.get("title_id") is not None and str(kept["title_id"]) not in {o.value for o in titles}:
        kept["title_id"] = None
    page = decisions.awards_register(session, actor=actor, page=1, page_size=page_size, **kept)
    if not stat_year:
        newest = decisions.awards_register(session, actor=actor, page=1, page_size=1).rows
        stat_year = newest[0].year if newest else this_year()
    return units, titles, kept, page, decisions.statistics(session, actor=actor, year=stat_year)


# --- the decisions page --------------------------------------------------------------------------------


class DecisionsState(Paged, Dialog, AuthState):
    """The issuer's page (officers): approved nominees by title, the decision form, proposing
    upward, the decisions with their PDFs, an open decision's awards (certificates, revocation),
    and the check of the decisions' chain."""

    decide_groups: list[AwaitingGroup] = []
    upward_groups: list[AwaitingGroup] = []
    waiting: int = 0
    rows: list[DecisionLine] = []
    chain_loaded: bool = False
    chain_checked: int = 0
    chain_breaks: list[str] = []
    #: The chain's newest published head (issue 17), as the report words it.
    chain_head: str = ""
    issuer_code: str = ""
    issuer_name: str = ""
    signer_name: str = ""
    signer_title: str = ""
    basis: str = DEFAULT_BASIS
    today: str = ""
    error: str = ""
    decide_error: str = ""
    upward_error: str = ""
    awards_error: str = ""
    dialog_error: str = ""
    issued: str = ""
    form_key: int = 0
    # The decision whose awards are shown.
    open_id: int = 0
    open_reference: str = ""
    open_awards: list[AwardEntry] = []
    # The revocation dialog.
    revoke_label: str = ""
    revoke_amount: str = ""
    _sessions: dict[int, int] = {}
    _target_award: int = 0
    _paid: dict[int, int] = {}

    def _on_close(self) -> None:
        self._target_award = 0
        self.dialog_error = ""

    def _lines(self, page: decisions.DecisionPage) -> list[DecisionLine]:
        with i18n.using(self._lang()):
            return [DecisionLine(id=d.id, reference=d.reference, year=d.year, decided_on=d.decided_on,
                                 issuer_name=d.issuer_name, signer=d.signer, awards=d.awards,
                                 total=_money(d.total_amount), content_hash=d.content_hash)
                    for d in self._paged(page)]

    def _show_awaiting(self, rows: list[AwaitingRow]) -> None:
        groups = _groups(rows)
        self.decide_groups = [g for g in groups if not g.upward]
        self.upward_groups = [g for g in groups if g.upward]
        self.waiting = len(rows)
        self._sessions = {r.nominee_id: r.session_id for r in rows}

    def _show_chain(self, report: decisions.DecisionChainReport) -> None:
        self.chain_loaded, self.chain_checked, self.chain_breaks = True, report.checked, list(report.breaks)
        self.chain_head = report.head

    def _prefill(self, rows: list[DecisionRow]) -> None:
        """The issuer and the signer of the newest decision, for the next one (typed once, kept after)."""
        if self.issuer_code or not rows:
            return
        newest = rows[0]
        self.issuer_code, self.issuer_name = newest.issuer_code, newest.issuer_name
        if not self.signer_name:
            self.signer_name, self.signer_title = newest.signer_name, newest.signer_title

    async def _reload(self) -> None:
        self.rows = self._lines(await self._read(decisions.decision_list, page=self.page, page_size=DECISIONS_PAGE))

    async def _reload_all(self) -> None:
        # The whole chain is checked when asked ("Check the decisions' chain") and after a revocation,
        # not on every visit: it reads every decision and award ever issued.
        awaiting, page = await self._read_each(
            decisions.awaiting_decision,
            functools.partial(decisions.decision_list, page=self.page, page_size=DECISIONS_PAGE))
        self._show_awaiting(awaiting)
        self._prefill(page.rows)
        self.rows = self._lines(page)
        self.chain_loaded, self.chain_checked, self.chain_breaks = False, 0, []  # a new decision: check again
        self.form_key += 1

    async def _show_awards(self, decision_id: int) -> None:
        awards = await self._read(decisions.decision_awards, decision_id=decision_id)
        self.open_id, self.open_awards = decision_id, awards
        self._paid = {a.id: a.amount for a in awards}
        row = next((r for r in self.rows if r.id == decision_id), None)
        if row is not None:
            self.open_reference = row.reference
        elif awards:
            self.open_reference = awards[0].decision_ref

    def _forget_open(self) -> None:
        self.open_id, self.open_reference, self.open_awards, self._paid = 0, "", [], {}

    @rx.event
    async def load(self):
        """Page load: the nominees waiting and the first page of decisions, in one read."""
        self.error = self.decide_error = self.upward_error = self.awards_error = self.dialog_error = ""
        self.dialog, self._target_award, self.issued, self.page = "", 0, "", 1
        self.today = queries.today(clock.now()).isoformat()
        self._forget_open()
        with self._attempt() as done:
            await self._reload_all()
        if not done.ok:
            self.decide_groups, self.upward_groups, self.rows, self.waiting = [], [], [], 0
            self.chain_loaded, self.chain_breaks, self._sessions = False, [], {}

    @rx.event
    async def issue(self, form: dict):
        """Issue a decision awarding the ticked nominees (numbered by the service, never by the form)."""
        with self._attempt(error="decide_error") as done:
            f = Form(form)
            ids = f.ticked(DECIDE_PREFIX)
            sessions = {self._sessions.get(i, 0) for i in ids}
            common = sessions.pop() if len(sessions) == 1 else 0
            self.issuer_code, self.issuer_name = f.stripped("issuer_code", 40), f.stripped("issuer_name", 200)
            self.signer_name, self.signer_title = f.stripped("signer_name", 120), f.stripped("signer_title", 200)
            self.basis = f.text("basis", rules.DECISION_BASIS_MAX, N_("legal basis"))
            result = await self._call(
                decisions.issue_decision, issuer_code=self.issuer_code, issuer_name=self.issuer_name,
                decided_on=f.day("decided_on", N_("decision date")), signer_name=self.signer_name,
                signer_title=self.signer_title, basis=self.basis, nominee_ids=ids, session_id=common or None)
            with i18n.using(self._lang()):
                total = _money(result.total_amount)
            done.success = N_n("Decision {ref} is recorded: {n} award, {total} VND in all.",
                               "Decision {ref} is recorded: {n} awards, {total} VND in all.", len(result.awards),
                               ref=result.reference, total=total)
            self.issued = self._render(done.success)
            self.page = 1
            await self._reload_all()
            await self._show_awards(result.id)
        return done.toast

    @rx.event
    async def propose(self, form: dict):
        """Propose the ticked nominees upward; the dossier (PDF and XLSX) downloads."""
        with self._attempt(error="upward_error",
                           success=N_("Proposed upward; the dossier is downloading (PDF and XLSX).")) as done:
            dossier = await self._call(decisions.propose_upward, nominee_ids=Form(form).ticked(UPWARD_PREFIX))
            await self._reload_all()
        if not done.ok:
            return None
        return [done.toast, rx.download(data=dossier.pdf, filename=dossier.pdf_name),
                rx.download(data=dossier.xlsx, filename=dossier.xlsx_name)]

    @rx.event
    async def download_decision(self, decision_id: int):
        """The decision with its annex as PDF."""
        with self._attempt(error=None, toast_errors=True) as done:
            wanted = as_int(decision_id, DECISION)
            pdf = await self._read(decisions.decision_pdf, decision_id=wanted)
        if not done.ok:
            return done.toast
        row = next((r for r in self.rows if r.id == wanted), None)
        name = f"quyet-dinh-{_slug(row.reference)}-{row.year}" if row else f"quyet-dinh-{wanted}"
        return rx.download(data=pdf, filename=f"{name}.pdf")

    @rx.event
    async def open_decision(self, decision_id: int):
        """Show a decision's awards (certificates, revocation); again to hide them."""
        self.awards_error = ""
        with self._attempt(error="awards_error"):
            wanted = as_int(decision_id, DECISION)
            if wanted == self.open_id:
                self._forget_open()
                return
            await self._show_awards(wanted)

    @rx.event
    async def download_certificate(self, award_id: int):
        """An awardee's printable certificate (A4 landscape, with its QR code)."""
        with self._attempt(error=None, toast_errors=True) as done:
            wanted = as_int(award_id, AWARD)
            pdf = await self._read(decisions.certificate_pdf, award_id=wanted)
        if not done.ok:
            return done.toast
        award = next((a for a in self.open_awards if a.id == wanted), None)
        code = award.certificate_code if award else str(wanted)
        return rx.download(data=pdf, filename=f"giay-chung-nhan-{code}.pdf")

    @rx.event
    def open_revoke(self, award_id: int):
        """Ask for the legal ground, the reason and the amount to recover before revoking an award."""
        with self._attempt(error=None):
            wanted = as_int(award_id, AWARD)
            award = next((a for a in self.open_awards if a.id == wanted and not a.revoked), None)
            if award is None:
                return
            self._target_award = wanted
            self.revoke_label = f"{award.title} {award.year} · {award.name} · {award.decision_ref}"
            self.revoke_amount = str(award.amount)
            self.dialog_error, self.dialog = "", "revoke"
            self.form_key += 1

    @rx.event
    async def submit_revoke(self, form: dict):
        """Revoke the award: kept and marked, its points reversed, the verify page says revoked."""
        with self._attempt(success=N_("The award is revoked; its certificate now shows as revoked."),
                           error="dialog_error") as done:
            f = Form(form)
            target = as_int(self._target_award, AWARD)
            await self._call(decisions.revoke, award_id=target, ground=f.stripped("ground", 20),
                             reason=f.stripped("reason", rules.AWARD_REVOKE_REASON_MAX, N_("reason")),
                             refund_amount=_number_or_none(f, "refund", N_("amount to refund")))
            self.dialog, self._target_award = "", 0
            if self.open_id:
                await self._show_awards(self.open_id)
            self._show_chain(await self._read(decisions.decision_chain_report))
        return done.toast

    @rx.event
    async def check_chain(self):
        """Check the decisions' chain again."""
        with self._attempt(error=None, toast_errors=True) as done:
            self._show_chain(await self._read(decisions.decision_chain_report))
        return done.toast


# --- registers and reports -----------------------------------------------------------------------------


class ReportsState(Paged, AuthState):
    """The registers of awards (officers: all; unit heads: their units): the register filtered by
    year, unit, title and revocation, paged and exportable; a person's or a unit's whole history;
    the yearly statistics per title and level, exportable."""

    years: list[Option] = []
    units: list[Option] = []
    titles: list[Option] = []
    filter_year: str = ""
    filter_unit: str = ""
    filter_title: str = ""
    filter_revoked: str = ""
    rows: list[AwardEntry] = []
    stat_year: int = 0
    stats: list[StatLine] = []
    stat_individuals: int = 0
    stat_collectives: int = 0
    stat_amount: str = "0"
    stat_revoked: int = 0
    people: list[Option] = []
    people_message: str = ""
    history_label: str = ""
    history_rows: list[AwardEntry] = []
    history_shown: bool = False
    error: str = ""
    register_error: str = ""
    stats_error: str = ""
    history_error: str = ""

    def _filters(self) -> dict[str, Any]:
        revoked = {"yes": True, "no": False}.get(self.filter_revoked)
        return {"year": int(self.filter_year) if self.filter_year.isdigit() else None,
                "unit_id": int(self.filter_unit) if self.filter_unit.isdigit() else None,
                "title_id": int(self.filter_title) if self.filter_title.isdigit() else None, "revoked": revoked}

    def _register(self, **extra: Any) -> functools.partial:
        return functools.partial(decisions.awards_register, page=self.page, page_size=REGISTER_PAGE,
                                 **self._filters(), **extra)

    async def _reload(self) -> None:
        self.rows = self._paged(await self._read(self._register()))

    def _show_stats(self, stats: decisions.YearStatistics) -> None:
        with i18n.using(self._lang()):
            self.stats = [StatLine(title=r.title, title_name=r.title_name, level_label=r.level_label,
                                   individuals=r.individuals, collectives=r.collectives, amount=_money(r.amount),
                                   revoked=r.revoked, refund=_money(r.refund)) for r in stats.rows]
            self.stat_amount = _money(stats.amount)
        self.stat_year, self.stat_individuals, self.stat_collectives = stats.year, stats.individuals, stats.collectives
        self.stat_revoked = stats.revoked

    @rx.event
    async def load(self):
        """Page load: the selectors, the register's first page and a year's statistics, in one read."""
        self.error = self.register_error = self.stats_error = self.history_error = self.people_message = ""
        self.page, self.people, self.history_rows, self.history_label, self.history_shown = 1, [], [], "", False
        self.years = year_options()
        if str(self.stat_year) not in {o.value for o in self.years}:
            self.stat_year = 0  # the newest year in the register
        with self._attempt() as done:
            self.units, self.titles, kept, page, stats = await self._read(
                _reports_start, filters=self._filters(), page_size=REGISTER_PAGE, stat_year=self.stat_year)
            self.filter_unit = str(kept["unit_id"]) if kept["unit_id"] else ""
            self.filter_title = str(kept["title_id"]) if kept["title_id"] else ""
            self.rows = self._paged(page)
            self._show_stats(stats)
        if not done.ok:
            self.units, self.titles, self.rows, self.stats = [], [], [], []

    async def _filter(self, name: str, value: str) -> None:
        setattr(self, name, value)
        self.page = 1
        await self._reload()

    @rx.event
    async def select_year(self, value: str):
        """Show one year ("" for every year)."""
        with self._attempt(error="register_error"):
            wanted = as_text(value, 6).strip()
            await self._filter("filter_year", str(_listed_year(wanted)) if wanted else "")

    @rx.event
    async def select_unit(self, value: str):
        """Show one unit and the units below it ("" for all the actor may see)."""
        with self._attempt(error="register_error"):
            wanted = as_text(value, 12).strip()
            if wanted and wanted not in {o.value for o in self.units}:
                raise Invalid("Choose a {what} from the list.", what=UNIT)
            await self._filter("filter_unit", wanted)

    @rx.event
    async def select_title(self, value: str):
        """Show one title or form ("" for all)."""
        with self._attempt(error="register_error"):
            wanted = as_text(value, 12).strip()
            if wanted and wanted not in {o.value for o in self.titles}:
                raise Invalid("Choose a {what} from the list.", what=TITLE)
            await self._filter("filter_title", wanted)

    @rx.event
    async def select_revoked(self, value: str):
        """Show the standing awards, the revoked ones, or both ("")."""
        with self._attempt(error="register_error"):
            wanted = as_text(value, 6).strip()
            await self._filter("filter_revoked", wanted if wanted in REVOKED_CHOICES else "")

    @rx.event
    async def export_register(self, fmt: str):
        """The register as filtered (every page; standing and revoked) as XLSX or CSV."""
        kind = "xlsx" if fmt == "xlsx" else "csv"
        filters = self._filters()
        filters.pop("revoked")
        with self._attempt(error=None, toast_errors=True) as done:
            data, filename = await self._read(decisions.export_awards, fmt=kind, **filters)
        return rx.download(data=data, filename=filename) if done.ok else done.toast

    @rx.event
    async def select_stat_year(self, value: str):
        """The statistics of another year."""
        with self._attempt(error="stats_error"):
            year = _listed_year(value)
            self._show_stats(await self._read(decisions.statistics, year=year))

    @rx.event
    async def export_stats(self, fmt: str):
        """The year's statistics as XLSX or CSV."""
        kind = "xlsx" if fmt == "xlsx" else "csv"
        with self._attempt(error=None, toast_errors=True) as done:
            data, filename = await self._read(decisions.export_statistics, year=self.stat_year or this_year(),
                                              fmt=kind)
        return rx.download(data=data, filename=filename) if done.ok else done.toast

    @rx.event
    async def find_people(self, form: dict):
        """Search people by name (without accents) or staff code, for a person's history."""
        self.people_message = ""
        with self._attempt(error="history_error"):
            text = Form(form).stripped("q", 60)
            if len(text) < 2:
                raise Invalid("Type at least two letters of the name, or the staff code.")
            page = await self._read(org_queries.search_people, text=text, page_size=SEARCH_SIZE)
            self.people = [Option(str(p.id), f"{p.full_name} · {p.employee_code} · {p.unit_name}") for p in page.rows]
            if not self.people:
                self.people_message = self._t("Nobody matches; try part of the name without accents, or the "
                                              "staff code.")

    @rx.event
    async def person_history(self, person_id: str):
        """A person's whole history of awards, every year."""
        with self._attempt(error="history_error") as done:
            wanted = as_int(person_id, PERSON)
            self.history_rows = await self._read(decisions.history, person_id=wanted)
            label = next((o.label for o in self.people if o.value == str(wanted)), "")
            self.history_label, self.history_shown = label.split(" · ")[0], True
        if not done.ok:
            self.history_rows, self.history_shown = [], False

    @rx.event
    async def unit_history(self, unit_id: str):
        """A unit's whole history of awards (the unit's own titles), every year."""
        with self._attempt(error="history_error") as done:
            wanted = as_int(unit_id, UNIT)
            self.history_rows = await self._read(decisions.history, unit_id=wanted)
            label = next((o.label for o in self.units if o.value == str(wanted)), "")
            self.history_label, self.history_shown = label.strip("\u2003"), True
        if not done.ok:
            self.history_rows, self.history_shown = [], False


# --- the public check of a certificate --------------------------------------------------------------


class VerifyAwardState(AuthState):
    """The public page a certificate's QR code opens: valid, revoked, or unknown. No login."""

    check: CertificateCheck = CertificateCheck(found=False)
    code: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        """Look the code in the address up."""
        self.loaded = False
        self.code = as_text(self.router.page.params.get("code", ""), 40).strip()
        self.check = await self._public_read(decisions.verify_certificate, code=self.code)
        self.loaded = True

    @rx.event
    def look_up(self, form: dict):
        """Check another code typed on the page."""
        typed = as_text(form.get("code") if isinstance(form, dict) else "", 40)
        code = rules.normalise_certificate_code(typed)
        if code is None:
            self.code, self.check, self.loaded = typed.strip(), CertificateCheck(found=False), True
            return None
        return rx.redirect(routes.verify_award(code))

