"""Reflex state of the emulation officers' commendation pages: the titles catalogue (with the base
salary, the exclusions and the year's settings), the register of titles held, and the eligibility
list. Thin: each handler calls one service or reads a page in one trip.

The services authorise every call (``NotAllowed``); a handler only validates its arguments (a
form, an id: all hostile) and shows the outcome. The ids a dialog acts on live in backend-only
vars; the filters of a list are re-checked by the service each time it is read.
"""

from __future__ import annotations

import asyncio
import functools
import math
from dataclasses import replace
from typing import Any

import reflex as rx
from sqlmodel import Session

from engagement.commendations import queries, rules, service
from engagement.commendations.dto import (
    AwardRow,
    EligibilityRow,
    EligibilityView,
    ExclusionRow,
    SalaryRow,
    TitleOption,
    TitleRow,
    YearSettings,
)
from engagement.commendations.state import _listed_year, this_year, year_options
from engagement.core import clock, export, files, formats, i18n, sheets
from engagement.core.access import Actor, Perm, path_within, reach, require
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg
from engagement.org import queries as org_queries
from engagement.settings import get_settings
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text, unit_options

TITLE, UNIT, PERSON, AWARD = N_("title"), N_("unit"), N_("person"), N_("award")
#: Past years the year selectors offer (with this year and the next).
#: People a search box lists.
SEARCH_SIZE = 15
#: Rows of an import's error report shown on the page (every one is in the downloadable report).
ERRORS_SHOWN = 2000
#: One example row of the awards import template (the columns are ``service.AWARD_COLUMNS``).
AWARD_EXAMPLE = ("2025", "LDTT", "CB00001", "", "125/QĐ-SNV", "2026-01-15", "Giám đốc Sở Nội vụ", "Nguyễn Văn A")

#: Choices of the catalogue forms (labels are message ids, shown through ``t``).
DECIDER_CHOICES: dict[str, Msg] = {
    "org_head": N_("Head of the organisation"),
    "unit_head": N_("A unit head, at a level of the tree"),
    "higher": N_("Higher authority (the organisation proposes)"),
}
QUOTA_CHOICES: dict[str, Msg] = {
    "none": N_("No quota"),
    "eligible": N_("A share of those eligible"),
    "headcount": N_("A share of the head count"),
}
#: The eligibility statuses in the order the list and its filter show them.
STATUS_CHOICES: dict[str, Msg] = {status: rules.STATUS_NAMES[status] for status in service.STATUS_ORDER}
#: The exclusions with a threshold (months since recruitment, days absent).
WITH_VALUE = ("recent_recruit", "absent")
#: The columns of the eligibility export.
EXPORT_HEADERS = (N_("Code"), N_("Name"), N_("Unit"), N_("Status"), N_("Reasons"))


def _any_year(value: Any) -> int:
    """A year typed in a filter: four digits from 2000 to next year, else a refusal."""
    text = as_text(value, 6).strip()
    if not (text.isdigit() and 2000 <= int(text) <= this_year() + 1):
        raise Invalid("Choose a year from 2000 to {last}.", last=this_year() + 1)
    return int(text)


def _listed(value: Any, ids: list[int], what: Msg) -> int:
    """An id from a selector that must be one of ``ids``."""
    wanted = as_int(value, what)
    if wanted not in ids:
        raise Invalid("Choose a {what} from the list.", what=what)
    return wanted


def _kept(current: int, ids: list[int]) -> int:
    """The id shown so far while it is still offered, else the first offered (0 for none)."""
    return current if current in ids else (ids[0] if ids else 0)


def _number(value: int, lang: str) -> str:
    """A count in the reader's language (``1.234`` in Vietnamese)."""
    with i18n.using(lang):
        return formats.number(value, 0)


# --- reads the pages make in one trip (each authorised like the page's service) ----------------


def _current_values(session: Session, *, actor: Actor | None, now: Any) -> dict[int, dict[str, Any]]:
    """The raw values of each title's version in force today (else its latest), to prefill the
    "override from a date" form; ``TitleRow`` carries them only as display text.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.MANAGE_TITLES)
    day = queries.today(now)
    out: dict[int, dict[str, Any]] = {}
    for title, versions in queries.titles_with_versions(session, active_only=False):
        rule = rules.in_force(versions, day) or (versions[-1] if versions else None)
        if rule is None:
            continue
        out[title.id] = {
            "decider": rule.decider, "decider_depth": "" if rule.decider_depth is None else str(rule.decider_depth),
            "coefficient": rules.coefficient_text(rule.coefficient_pct), "ballot": rule.ballot_required,
            "threshold": str(rule.threshold_pct), "quota_kind": rule.quota_kind, "quota_pct": str(rule.quota_pct),
            "basis_document": rule.basis_document, "basis_article": rule.basis_article, "note": rule.note}
    return out


def _year_settings(session: Session, *, actor: Actor | None, year: int, now: Any) -> YearSettings:
    """A year's registration window and HTXSNV cap, for the officers' page.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.MANAGE_TITLES)
    return queries.year_settings(session, year=year, now=now)


def _title_options(session: Session, *, actor: Actor | None) -> list[TitleOption]:
    """The active titles for a selector (names of the catalogue: anyone logged in)."""
    return queries.title_options(session)


def _eligibility_units(session: Session, actor: Actor | None) -> list[Option]:
    """The units whose eligibility the actor may see: the whole tree (officers), or the subtrees
    of their units (heads), as indented options."""
    where = reach(actor, Perm.VIEW_ELIGIBILITY)
    tree = org_queries.unit_tree(session, actor=actor, include_inactive=False)
    if not where.org:
        tree = [u for u in tree if any(path_within(u.path, p) for p in where.unit_paths)]
        top = min((u.depth for u in tree), default=0)
        tree = [replace(u, depth=u.depth - top) for u in tree]
    return unit_options(tree)


def _eligibility_start(
    session: Session, *, actor: Actor | None, year: int, title_id: int, unit_id: int, status: str, now: Any,
) -> tuple[list[TitleOption], list[Option], int, int, EligibilityView | None]:
    """The eligibility page's selectors and its first page, in one transaction.

    Keeps the title and unit chosen so far while they are still offered, else the first ones.

    Raises:
        NotAllowed: the actor may not see any eligibility list.
    """
    require(actor, Perm.VIEW_ELIGIBILITY)
    titles = queries.title_options(session)
    units = _eligibility_units(session, actor)
    title_id = _kept(title_id, [t.id for t in titles])
    unit_id = _kept(unit_id, [int(u.value) for u in units])
    view = None
    if title_id and unit_id:
        view = service.eligibility(session, actor=actor, year=year, title_id=title_id, unit_id=unit_id,
                                   status=status, page=1, now=now)
    return titles, units, title_id, unit_id, view


# --- form fields shared by the two catalogue forms ----------------------------------------------


def _coefficient_pct(f: Form) -> int:
    """The bonus coefficient (e.g. 0.3 or 1,5) in hundredths."""
    value = f.decimal("coefficient", what=N_("bonus coefficient"))
    if value is None:
        raise Invalid("Enter the bonus coefficient, e.g. 0.3 (0 when there is no bonus).",
                      {"coefficient": N_("Required")})
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise Invalid("The bonus coefficient must be between 0 and 100.", {"coefficient": N_("Out of range")})
    return round(value * 100)


def _rule_values(f: Form) -> dict[str, Any]:
    """The values of a rule version from a catalogue form (the service checks their ranges)."""
    decider = f.stripped("decider", 12)
    depth = f.number("decider_depth", default=-1, what=N_("level of the unit tree"))
    quota_kind = f.stripped("quota_kind", 12) or "none"
    return {
        "valid_from": f.day("valid_from", N_("start date")), "decider": decider,
        "decider_depth": depth if decider == "unit_head" and depth >= 0 else None,
        "coefficient_pct": _coefficient_pct(f), "ballot_required": f.flag("ballot_required"),
        "threshold_pct": f.number("threshold_pct", what=N_("approval threshold")),
        "quota_kind": quota_kind,
        "quota_pct": f.number("quota_pct", what=N_("quota")) if quota_kind != "none" else 0,
        "criteria": f.text("criteria", 20_000).strip() or "[]",
        "basis_document": f.stripped("basis_document", rules.BASIS_MAX, N_("basis document")),
        "basis_article": f.stripped("basis_article", rules.BASIS_MAX, N_("article")),
        "note": f.stripped("note", rules.RULE_NOTE_MAX, N_("note")),
    }


# --- the catalogue ------------------------------------------------------------------------------


_NO_YEAR = YearSettings(year=0, opens_on="", closes_on="", opens_iso="", closes_iso="", cap_pct=20,
                        window_open=False)


class CatalogueState(Dialog, AuthState):
    """Titles and forms with their dated versions, the base salary table, the exclusions and the
    year's settings (officers)."""

    titles: list[TitleRow] = []
    salaries: list[SalaryRow] = []
    exclusions: list[ExclusionRow] = []
    settings: YearSettings = _NO_YEAR
    settings_year: int = 0
    years: list[Option] = []
    today: str = ""
    error: str = ""
    dialog_error: str = ""
    salary_error: str = ""
    exclusion_error: str = ""
    year_error: str = ""
    #: Bumped on every read, so that forms with default values show the values just read.
    form_key: int = 0
    # The "override from a date" form, prefilled from the version in force.
    rule_title: str = ""
    rule_subject: str = ""
    rule_decider: str = "org_head"
    rule_depth: str = ""
    rule_coefficient: str = "0"
    rule_ballot: bool = False
    rule_threshold: str = "0"
    rule_quota_kind: str = "none"
    rule_quota_pct: str = "0"
    rule_criteria: str = "[]"
    rule_basis_document: str = ""
    rule_basis_article: str = ""
    rule_note: str = ""
    _target_id: int = 0
    _values: dict[int, dict[str, Any]] = {}

    def _on_close(self) -> None:
        self._target_id = 0
        self.dialog_error = ""

    async def _reload(self) -> None:
        now = clock.now()
        catalogue, self._values, self.settings = await self._read_each(
            functools.partial(queries.catalogue_view, now=now), functools.partial(_current_values, now=now),
            functools.partial(_year_settings, year=self.settings_year, now=now))
        self.titles, self.salaries, self.exclusions = catalogue.titles, catalogue.salaries, catalogue.exclusions
        self.form_key += 1

    @rx.event
    async def load(self):
        """Page load: the catalogue, the tables and this year's settings, in one read."""
        self.error = self.dialog_error = self.salary_error = self.exclusion_error = self.year_error = ""
        self.dialog, self._target_id = "", 0
        self.years = year_options()
        self.today = queries.today(clock.now()).isoformat()
        if str(self.settings_year) not in {o.value for o in self.years}:
            self.settings_year = this_year()
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self.titles, self.salaries, self.exclusions, self._values = [], [], [], {}

    @rx.event
    async def select_year(self, value: str):
        """Show another year's registration window and cap."""
        with self._attempt(error="year_error"):
            year = _listed_year(value)
            self.settings = await self._read(_year_settings, year=year, now=clock.now())
            self.settings_year = year
            self.form_key += 1

    @rx.event
    def open_rule(self, title_id: int):
        """Open "override from a date" for a title, every value prefilled from its current version."""
        with self._attempt(error=None):
            wanted = as_int(title_id, TITLE)
            title = next((t for t in self.titles if t.id == wanted), None)
            if title is None:
                return
            values = self._values.get(wanted, {})
            self._target_id = wanted
            self.rule_title = f"{title.abbreviation} – {title.name}"
            self.rule_subject = title.subject
            self.rule_decider = values.get("decider", "org_head")
            self.rule_depth = values.get("decider_depth", "")
            self.rule_coefficient = values.get("coefficient", "0")
            self.rule_ballot = bool(values.get("ballot", False))
            self.rule_threshold = values.get("threshold", "0")
            self.rule_quota_kind = values.get("quota_kind", "none")
            self.rule_quota_pct = values.get("quota_pct", "0")
            self.rule_criteria = title.current.criteria_json if title.current else (
                title.versions[0].criteria_json if title.versions else "[]")
            self.rule_basis_document = values.get("basis_document", "")
            self.rule_basis_article = values.get("basis_article", "")
            self.rule_note = values.get("note", "")
            self.dialog_error, self.dialog = "", "rule"
            self.form_key += 1

    @rx.event
    async def submit_rule(self, form: dict):
        """Override the title's values from a date, with the basis of the change."""
        with self._attempt(success=N_("The new rule is saved; past years keep the rules that applied then."),
                           error="dialog_error") as done:
            values = _rule_values(Form(form))
            await self._call(service.set_rule, title_id=as_int(self._target_id, TITLE), **values)
            self.dialog, self._target_id = "", 0
            await self._reload()
        return done.toast

    @rx.event
    def open_add(self):
        """Open "add a local entry"."""
        self._target_id = 0
        self.dialog_error, self.dialog = "", "add"
        self.form_key += 1

    @rx.event
    async def submit_add(self, form: dict):
        """Add a local catalogue entry with its first version."""
        with self._attempt(success=N_("The entry is added to the catalogue."), error="dialog_error") as done:
            f = Form(form)
            values = _rule_values(f)
            await self._call(service.add_title, code=f.stripped("code", 40),
                             abbreviation=f.stripped("abbreviation", rules.ABBREVIATION_MAX, N_("abbreviation")),
                             name=f.stripped("name", rules.TITLE_NAME_MAX, N_("title's name")),
                             subject=f.stripped("subject", 12),
                             kind=f.stripped("kind", 8), **values)
            self.dialog = ""
            await self._reload()
        return done.toast

    @rx.event
    async def set_active(self, title_id: int, active: bool):
        """Retire an entry (no new registrations or awards) or bring it back."""
        on = active is True
        message = N_("The entry is back in use.") if on else N_("The entry is retired; what it was used for stays.")
        with self._attempt(success=message, toast_errors=True) as done:
            await self._call(service.set_title_active, title_id=as_int(title_id, TITLE), active=on)
            await self._reload()
        return done.toast

    @rx.event
    async def add_salary(self, form: dict):
        """Record a new base salary from a date."""
        with self._attempt(success=N_("The base salary is added; bonuses decided from that day use it."),
                           error="salary_error") as done:
            f = Form(form)
            await self._call(service.add_base_salary, valid_from=f.day("valid_from", N_("start date")),
                             amount=f.number("amount", what=N_("base salary")),
                             basis_document=f.stripped("basis_document", rules.BASIS_MAX, N_("basis document")))
            await self._reload()
        return done.toast

    @rx.event
    async def save_exclusion(self, form: dict):
        """Switch a local exclusion on or off, with its threshold and basis."""
        with self._attempt(success=N_("The exclusion rule is saved."), error="exclusion_error") as done:
            f = Form(form)
            code = f.stripped("code", 40)
            await self._call(service.set_exclusion, code=code, enabled=f.flag("enabled"),
                             value=f.number("value", what=N_("threshold")) if code in WITH_VALUE else 0,
                             basis_document=f.stripped("basis_document", rules.EXCLUSION_BASIS_MAX,
                                                       N_("basis document")))
            await self._reload()
        return done.toast

    @rx.event
    async def save_year(self, form: dict):
        """Open (or change) the shown year's registration window and set its HTXSNV cap."""
        with self._attempt(success=N_("The year's settings are saved."), error="year_error") as done:
            f = Form(form)
            year = _listed_year(self.settings_year)
            await self._call(service.set_year, year=year, opens_on=f.optional_day("opens_on", N_("opening date")),
                             closes_on=f.optional_day("closes_on", N_("closing date")),
                             excellent_cap_pct=f.number("cap_pct", what=N_("HTXSNV cap")))
            self.settings = await self._read(_year_settings, year=year, now=clock.now())
            self.form_key += 1
        return done.toast


# --- the register of titles held ------------------------------------------------------------------


class AwardsState(Dialog, AuthState):
    """The register of titles held: search it, enter a title, revoke one, import from a file."""

    rows: list[AwardRow] = []
    filter_year: str = ""
    query: str = ""
    years: list[Option] = []
    titles: list[TitleOption] = []
    units: list[Option] = []
    people: list[Option] = []
    title_choice: str = ""
    subject: str = ""
    people_message: str = ""
    revoke_label: str = ""
    error: str = ""
    form_error: str = ""
    dialog_error: str = ""
    import_status: str = ""
    import_error_count: int = 0
    import_errors: list[list[str]] = []
    import_error: str = ""
    busy: bool = False
    form_key: int = 0
    _target_id: int = 0
    _all_errors: list[tuple[int, str, str]] = []

    def _on_close(self) -> None:
        self._target_id = 0
        self.dialog_error = ""

    def _filters(self) -> dict[str, Any]:
        return {"year": int(self.filter_year) if self.filter_year.isdigit() else None, "text": self.query}

    async def _reload(self) -> None:
        self.rows = await self._read(queries.awards, **self._filters())

    def _reset_import(self) -> None:
        self.import_status, self.import_error, self.import_error_count = "", "", 0
        self.import_errors, self._all_errors, self.busy = [], [], False

    @rx.event
    async def load(self):
        """Page load: the register, the titles and the units, in one read."""
        self.error = self.form_error = self.dialog_error = self.people_message = ""
        self.dialog, self._target_id, self.people = "", 0, []
        self._reset_import()
        self.years = year_options()
        with self._attempt() as done:
            self.rows, self.titles, tree = await self._read_each(
                functools.partial(queries.awards, **self._filters()), _title_options,
                functools.partial(org_queries.unit_tree, include_inactive=False))
            self.units = unit_options(tree)
            if self.title_choice not in {str(t.id) for t in self.titles}:
                self.title_choice, self.subject = "", ""
        if not done.ok:
            self.rows, self.titles, self.units = [], [], []

    @rx.event
    async def search(self, form: dict):
        """Filter the register by year and by a name or code."""
        with self._attempt():
            f = Form(form)
            year = f.stripped("year", 6)
            self.filter_year = str(_any_year(year)) if year else ""
            self.query = f.stripped("q", 60)
            await self._reload()

    @rx.event
    def choose_title(self, value: str):
        """The title of the entry form: it decides whether a person or a unit received it."""
        wanted = as_text(value, 20).strip()
        match = next((t for t in self.titles if str(t.id) == wanted), None)
        self.title_choice = str(match.id) if match else ""
        self.subject = match.subject if match else ""

    @rx.event
    async def find_people(self, form: dict):
        """Search people by name (without accents) or staff code, for the entry form."""
        self.people_message = ""
        with self._attempt(error="form_error"):
            text = Form(form).stripped("q", 60)
            if len(text) < 2:
                raise Invalid("Type at least two letters of the name, or the staff code.")
            page = await self._read(org_queries.search_people, text=text, page_size=SEARCH_SIZE)
            self.people = [Option(str(p.id), f"{p.full_name} · {p.employee_code} · {p.unit_name}")
                           for p in page.rows]
            if not self.people:
                self.people_message = self._t("Nobody matches; try part of the name without accents, or the "
                                              "staff code.")

    @rx.event
    async def record(self, form: dict):
        """Enter a title already awarded (also for past years)."""
        with self._attempt(success=N_("The title is entered in the register."), error="form_error") as done:
            f = Form(form)
            title_id = f.id("title_id", TITLE)
            subject = next((t.subject for t in self.titles if t.id == title_id), rules.INDIVIDUAL)
            who = ({"unit_id": f.id("unit_id", UNIT)} if subject == rules.COLLECTIVE
                   else {"person_id": f.id("person_id", PERSON)})
            await self._call(service.record_award, title_id=title_id, year=f.number("year", what=N_("year")),
                             decision_ref=f.stripped("decision_ref", rules.DECISION_REF_MAX, N_("decision number")),
                             decided_on=f.optional_day("decided_on", N_("decision date")),
                             decided_by=f.stripped("decided_by", rules.DECIDED_BY_MAX, N_("decided by")), **who)
            self.people, self.form_key = [], self.form_key + 1
            await self._reload()
        return done.toast

    @rx.event
    def open_revoke(self, award_id: int):
        """Ask for the reason before revoking an entry of the register."""
        with self._attempt(error=None):
            wanted = as_int(award_id, AWARD)
            row = next((r for r in self.rows if r.id == wanted and not r.revoked), None)
            if row is not None:
                self._target_id = wanted
                self.revoke_label = f"{row.title} {row.year} · {row.subject_name} · {row.decision_ref}"
                self.dialog_error, self.dialog = "", "revoke"

    @rx.event
    async def submit_revoke(self, form: dict):
        """Revoke the entry with its reason (kept; its initiatives are freed)."""
        with self._attempt(success=N_("The title is revoked; the entry stays with your reason."),
                           error="dialog_error") as done:
            await self._call(service.revoke_award, award_id=as_int(self._target_id, AWARD),
                             reason=Form(form).stripped("reason", rules.AWARD_REVOKE_REASON_MAX, N_("reason")))
            self.dialog, self._target_id = "", 0
            await self._reload()
        return done.toast

    @rx.event
    def download_template(self):
        """A CSV with the expected columns and one example row."""
        return rx.download(data=export.to_csv(service.AWARD_COLUMNS, [AWARD_EXAMPLE]),
                           filename="titles-import-template.csv")

    @rx.event
    def download_errors(self):
        """Every problem of the last import, as a CSV."""
        if not self._all_errors:
            return None
        return rx.download(data=export.to_csv((N_("Line"), N_("Column"), N_("Problem")), self._all_errors,
                                              lang=self._lang()), filename="titles-import-problems.csv")

    @rx.event
    async def upload(self, files_: list[rx.UploadFile]):
        """Check every row of a CSV or XLSX file, then enter them all, or none and list every problem."""
        self._reset_import()
        with self._attempt(error="import_error"):
            data, filename = await uploads.read_upload(self, files_, perm=Perm.MANAGE_TITLES,
                                                       limit=files.MAX_UPLOAD_BYTES, default_name="titles.csv")
            if not data:
                raise Invalid("Choose a CSV or XLSX file first.")
            filename = as_text(filename, 200)
            self.busy = True
            self.import_status = self._t("Checking every row…")
            yield
            report = await self._call(service.import_awards, data=data, filename=filename)
            lang = self._lang()
            if report.errors:
                self._all_errors = list(report.errors)
                self.import_error_count = len(report.errors)
                self.import_errors = [[str(line), column, message]
                                      for line, column, message in report.errors[:ERRORS_SHOWN]]
                self.import_status = sheets.problems_summary([line for line, _c, _m in report.errors]).render(lang)
            else:
                self.import_status = self._tn("Entered {n} title in the register.",
                                              "Entered {n} titles in the register.", report.written,
                                              n=_number(report.written, lang))
                await self._reload()
        self.busy = False
        if self.import_error:
            self.import_status = ""


# --- eligibility --------------------------------------------------------------------------------


class EligibilityState(Paged, AuthState):
    """Who of a unit subtree meets a title's criteria for a year, who misses one, who is excluded
    or held (officers org-wide, unit heads for their units); printable and exportable."""

    year: int = 0
    years: list[Option] = []
    title_id: int = 0
    titles: list[Option] = []
    unit_id: int = 0
    units: list[Option] = []
    status: str = ""
    rows: list[EligibilityRow] = []
    title: str = ""
    title_name: str = ""
    unit_name: str = ""
    basis: str = ""
    note: str = ""
    quota_text: str = ""
    no_rule: bool = False
    count_eligible: int = 0
    count_missing: int = 0
    count_excluded: int = 0
    count_held: int = 0
    printing: bool = False
    print_rows: list[EligibilityRow] = []
    printed_on: str = ""
    error: str = ""
    _codes: dict[int, str] = {}

    def _show(self, view: EligibilityView | None) -> None:
        if view is None:
            self.rows, self.page, self.pages, self.total = [], 1, 1, 0
            self.title = self.title_name = self.basis = self.note = self.quota_text = ""
            self.no_rule = False
            self.count_eligible = self.count_missing = self.count_excluded = self.count_held = 0
            return
        self.rows = self._paged(view)
        self.title, self.title_name, self.basis, self.note = view.title, view.title_name, view.basis, view.note
        self.quota_text, self.no_rule = view.quota_text, view.no_rule
        self.count_eligible = view.counts.get(rules.ELIGIBLE, 0)
        self.count_missing = view.counts.get(rules.MISSING, 0)
        self.count_excluded = view.counts.get(rules.EXCLUDED, 0)
        self.count_held = view.counts.get(rules.HELD, 0)
        self.unit_name = next((o.label.strip("\u2003") for o in self.units if o.value == str(self.unit_id)), "")

    def _query(self, **extra: Any) -> dict[str, Any]:
        return {"year": self.year, "title_id": self.title_id, "unit_id": self.unit_id, "status": self.status,
                **extra}

    async def _reload(self) -> None:
        self._show(await self._call(service.eligibility, **self._query(page=self.page)))

    async def _turn(self) -> None:
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self._show(None)

    @rx.event
    async def load(self):
        """Page load: the selectors and the first page of the list, in one transaction."""
        self.error, self.printing, self.print_rows, self.page = "", False, [], 1
        self.years = year_options()
        if str(self.year) not in {o.value for o in self.years}:
            self.year = this_year()
        if self.status not in STATUS_CHOICES:
            self.status = ""
        with self._attempt() as done:
            titles, self.units, self.title_id, self.unit_id, view = await self._call(
                _eligibility_start, **self._query())
            self.titles = [Option(str(t.id), t.label) for t in titles]
            self._codes = {t.id: t.code for t in titles}
            self._show(view)
        if not done.ok:
            self.titles, self.units = [], []
            self._show(None)

    async def _choose(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.page = 1
        await self._reload()

    @rx.event
    async def select_year(self, value: str):
        """Show another year."""
        with self._attempt():
            await self._choose(year=_listed_year(value))

    @rx.event
    async def select_title(self, value: str):
        """Show another title."""
        with self._attempt():
            await self._choose(title_id=_listed(value, [int(o.value) for o in self.titles], TITLE))

    @rx.event
    async def select_unit(self, value: str):
        """Show another unit (and its sub-units)."""
        with self._attempt():
            await self._choose(unit_id=_listed(value, [int(o.value) for o in self.units], UNIT))

    @rx.event
    async def select_status(self, value: str):
        """Show only one status ("" for all)."""
        wanted = as_text(value, 20).strip()
        with self._attempt():
            await self._choose(status=wanted if wanted in STATUS_CHOICES else "")

    @rx.event
    async def print_list(self):
        """The whole list (every status of the filter) as a plain table, then the browser's print."""
        with self._attempt(error=None, toast_errors=True) as done:
            view = await self._call(service.eligibility, **self._query(page_size=0))
            self.print_rows = view.rows
            self.printed_on = clock.local(clock.now(), get_settings().tz).strftime("%d/%m/%Y %H:%M")
            self.printing = True
        if not done.ok:
            return done.toast
        # The print layout renders first; the dialog opens once it is on the screen.
        return rx.call_script("setTimeout(function () { window.print(); }, 500)")

    @rx.event
    def close_print(self):
        """Back from the print layout."""
        self.printing, self.print_rows = False, []

    @rx.event
    async def download(self, fmt: str):
        """The whole list (every status of the filter) as XLSX or CSV."""
        fmt = "xlsx" if fmt == "xlsx" else "csv"
        lang = self._lang()
        with self._attempt(error=None, toast_errors=True) as done:
            view = await self._call(service.eligibility, **self._query(page_size=0))
            data = await asyncio.to_thread(_export_bytes, view, fmt, lang)
        if not done.ok:
            return done.toast
        code = self._codes.get(view.title_id, str(view.title_id))
        return rx.download(data=data, filename=f"eligibility-{code}-{view.year}.{fmt}")


def _export_bytes(view: EligibilityView, fmt: str, lang: str) -> bytes:
    """The eligibility list as a spreadsheet (cells neutralised by ``core.export``)."""
    rows = [(r.code, r.name, r.unit_name, r.status_label, "; ".join(r.reasons)) for r in view.rows]
    if fmt == "xlsx":
        return export.to_xlsx(N_("Eligibility {year}", year=view.year), EXPORT_HEADERS, rows, lang=lang)
    return export.to_csv(EXPORT_HEADERS, rows, lang=lang)
