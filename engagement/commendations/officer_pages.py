"""Pages of the emulation officers' commendation work: the titles catalogue, the register of
titles held, and the eligibility list (which unit heads also see for their units).

Phone first: cards and forms stack in one column on a narrow screen; wide tables scroll sideways
inside their card. The eligibility list has a print layout of its own (the whole list, a plain
table, no navigation) and downloads as XLSX or CSV.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engagement.commendations import queries, rules, service
from engagement.commendations.dto import AwardRow, EligibilityRow, ExclusionRow, RuleRow, SalaryRow, TitleRow
from engagement.commendations.officer_state import (
    DECIDER_CHOICES,
    ERRORS_SHOWN,
    QUOTA_CHOICES,
    STATUS_CHOICES,
    AwardsState,
    CatalogueState,
    EligibilityState,
)
from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.settings import get_settings
from engagement.ui import forms
from engagement.ui.components import card, error_callout, field, named_upload, page_title, pager
from engagement.ui.i18n import t, t_n
from engagement.ui.kit import limited_text, private_page
from engagement.ui.layout import shell

# --- small pieces -------------------------------------------------------------------------------


def _check(label: Any, name: str, checked: Any = False) -> rx.Component:
    return rx.el.label(rx.hstack(rx.checkbox(name=name, default_checked=checked, aria_label=label),
                                 rx.text(label, size="2"), align="center", spacing="2"), style={"display": "block"})


# --- the catalogue ------------------------------------------------------------------------------


def _rule_fields(*, decider: Any = "org_head", depth: Any = "", coefficient: Any = "0", ballot: Any = False,
                 threshold: Any = "0", quota_kind: Any = "none", quota_pct: Any = "0", criteria: Any = "[]",
                 basis_document: Any = "", basis_article: Any = "", note: Any = "") -> list[rx.Component]:
    """The fields of one dated version of a title (prefilled with the given defaults)."""
    S = CatalogueState
    return [
        forms.grid(field(t("In force from"), "valid_from", type="date", required=True, default_value=S.today),
              forms.choice(t("Who decides"), "decider", DECIDER_CHOICES, default=decider)),
        forms.grid(field(t("Level of the unit tree (unit head only)"), "decider_depth", type="number",
                    default_value=depth, hint=t("0 is the top of the tree; empty for the other deciders")),
              field(t("Bonus coefficient (× base salary)"), "coefficient", required=True, default_value=coefficient,
                    input_mode="decimal", hint=t("e.g. 0.3; 0 when there is no bonus"))),
        _check(t("A council ballot is required"), "ballot_required", ballot),
        forms.grid(field(t("Approval threshold (% of ALL council members)"), "threshold_pct", type="number",
                    default_value=threshold),
              forms.choice(t("Quota"), "quota_kind", QUOTA_CHOICES, default=quota_kind),
              field(t("Quota (%)"), "quota_pct", type="number", default_value=quota_pct), wide="3"),
        forms.labelled(t("Criteria (JSON)"), rx.text_area(
            name="criteria", default_value=criteria, rows="8", width="100%",
            style={"fontFamily": "monospace", "fontSize": "0.85em"}),
            t("A JSON list; each criterion has a kind, its values and its basis, as in the versions above.")),
        forms.grid(limited_text(t("Legal basis (document)"), "basis_document", rules.BASIS_MAX, form="rule",
                                required=True, default_value=basis_document,
                                placeholder=t("e.g. Decree 152/2025/NĐ-CP")),
                   limited_text(t("Article"), "basis_article", rules.BASIS_MAX, form="rule",
                                default_value=basis_article, placeholder=t("e.g. Article 50"))),
        limited_text(t("Note"), "note", rules.RULE_NOTE_MAX, form="rule", multiline=True, rows="2",
                     default_value=note),
    ]


def _rule_dialog() -> rx.Component:
    S = CatalogueState
    return forms.dialog(
        S.dialog == "rule", S.close_dialog, t("Override from a date"),
        rx.text(t("The version in force ends the day before; past years keep the rules that applied then."),
                size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            *_rule_fields(decider=S.rule_decider, depth=S.rule_depth, coefficient=S.rule_coefficient,
                          ballot=S.rule_ballot, threshold=S.rule_threshold, quota_kind=S.rule_quota_kind,
                          quota_pct=S.rule_quota_pct, criteria=S.rule_criteria,
                          basis_document=S.rule_basis_document, basis_article=S.rule_basis_article,
                          note=S.rule_note),
            rx.button(t("Save the new version"), type="submit", width="fit-content", id="rule-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_rule, key=S.form_key.to_string() + "-rule"),
        subtitle=S.rule_title)


def _add_dialog() -> rx.Component:
    S = CatalogueState
    return forms.dialog(
        S.dialog == "add", S.close_dialog, t("Add a local entry"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            forms.grid(field(t("Code"), "code", required=True, placeholder=t("e.g. GK_CD"),
                        hint=t("Letters, digits or underscores; it never changes")),
                  limited_text(t("Abbreviation"), "abbreviation", rules.ABBREVIATION_MAX, form="title-add",
                               required=True, placeholder=t("e.g. GKCĐ"))),
            limited_text(t("Name"), "name", rules.TITLE_NAME_MAX, form="title-add", required=True,
                         placeholder=t("e.g. Certificate of merit of the trade union")),
            forms.grid(forms.choice(t("For"), "subject", queries.SUBJECT_NAMES),
                       forms.choice(t("Kind"), "kind", queries.KIND_NAMES)),
            *_rule_fields(),
            rx.button(t("Add to the catalogue"), type="submit", width="fit-content", id="add-title-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_add, key=S.form_key.to_string() + "-add"),
    )


def _version_row(v: RuleRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(v.valid_from, " – ", v.valid_to,
                      rx.cond(v.in_force, rx.fragment(" ", rx.badge(t("in force"), color_scheme="green")))),
        rx.table.cell(v.decider), rx.table.cell(v.coefficient), rx.table.cell(v.bonus_now),
        rx.table.cell(v.ballot), rx.table.cell(v.quota), rx.table.cell(forms.lines(v.criteria)),
        rx.table.cell(v.basis, rx.cond(v.note != "", rx.text(v.note, size="1", color_scheme="gray"))),
    )


def _current(tr: TitleRow) -> rx.Component:
    v = tr.current
    return rx.vstack(
        rx.grid(
            forms.fact(t("In force since"), v.valid_from),
            forms.fact(t("Who decides"), v.decider),
            forms.fact(t("Bonus coefficient"), t("{coefficient} × base salary", coefficient=v.coefficient)),
            forms.fact(t("Bonus at today's base salary"),
                       rx.cond(v.bonus_now != "", t("{amount} VND", amount=v.bonus_now),
                                                             t("no base salary in force"))),
            forms.fact(t("Council ballot"), v.ballot),
            forms.fact(t("Quota"), v.quota),
            columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
        rx.text(t("Criteria"), size="1", color_scheme="gray"),
        rx.cond(v.criteria.length() == 0, rx.text(t("No criteria: an officer's proposal is enough."), size="2"),
                forms.lines(v.criteria)),
        forms.fact(t("Legal basis"), v.basis),
        rx.cond(v.note != "", forms.fact(t("Note"), v.note)),
        spacing="2", align="stretch", width="100%")


def _title_card(tr: TitleRow) -> rx.Component:
    S = CatalogueState
    return rx.card(rx.vstack(
        rx.flex(
            rx.vstack(
                rx.heading(tr.abbreviation, " – ", tr.name, size="4"),
                rx.hstack(rx.badge(tr.subject_label, variant="soft"), rx.badge(tr.kind_label, variant="soft"),
                          rx.cond(tr.is_local, rx.badge(t("Local entry"), color_scheme="blue")),
                          rx.cond(tr.is_active, rx.fragment(), rx.badge(t("Retired"), color_scheme="red")),
                          rx.code(tr.code, size="1"), wrap="wrap", spacing="2"),
                spacing="1", align="start", flex="1", min_width="0"),
            rx.hstack(
                rx.button(rx.icon("calendar_plus", size=16), t("Override from a date"), size="2", variant="soft",
                          on_click=S.open_rule(tr.id), class_name="override-button"),
                rx.cond(tr.is_active,
                        rx.button(t("Retire"), size="2", variant="soft", color_scheme="red",
                                  on_click=S.set_active(tr.id, False)),
                        rx.button(t("Restore"), size="2", variant="soft", color_scheme="green",
                                  on_click=S.set_active(tr.id, True))),
                wrap="wrap", spacing="2"),
            gap="3", width="100%", direction=rx.breakpoints(initial="column", sm="row"), align="start"),
        rx.cond(tr.current, _current(tr), rx.callout(t("No version is in force today."), icon="info", size="1")),
        rx.el.details(
            rx.el.summary(t_n("History: {n} version", "History: {n} versions", tr.versions.length()),
                          style={"cursor": "pointer"}),
            forms.scroll(rx.table.root(
                forms.headers(N_("Period"), N_("Who decides"), N_("Coefficient"), N_("Bonus (VND)"), N_("Ballot"),
                         N_("Quota"), N_("Criteria"), N_("Legal basis")),
                rx.table.body(rx.foreach(tr.versions, _version_row)), size="1", width="100%", min_width="860px")),
        ),
        spacing="3", align="stretch", width="100%"), width="100%", id="title-" + tr.code)


def _salary_row(s: SalaryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(s.valid_from), rx.table.cell(s.amount), rx.table.cell(s.basis),
        rx.table.cell(rx.cond(s.in_force, rx.badge(t("in force"), color_scheme="green"))))


def _salaries() -> rx.Component:
    S = CatalogueState
    return card(
        rx.heading(t("Base salary"), size="4"),
        rx.text(t("Bonuses are the coefficient × the base salary in force on the decision date, rounded up to the "
                  "next 10,000 VND."), size="2", color_scheme="gray"),
        forms.scroll(rx.table.root(forms.headers(N_("From"), N_("VND per month"), N_("Legal basis"), extra=1),
                              rx.table.body(rx.foreach(S.salaries, _salary_row)), size="1", width="100%",
                              id="salary-table")),
        error_callout(S.salary_error),
        rx.form(rx.vstack(
            forms.grid(field(t("From"), "valid_from", type="date", required=True),
                  field(t("VND per month"), "amount", type="number", required=True, placeholder="2340000"),
                  wide="2"),
            limited_text(t("Decree that sets it"), "basis_document", rules.BASIS_MAX, form="salary", required=True,
                         placeholder=t("e.g. Decree 73/2024/NĐ-CP")),
            rx.button(rx.icon("plus", size=16), t("Add"), type="submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=S.add_salary, reset_on_submit=True),
    )


def _exclusion(e: ExclusionRow) -> rx.Component:
    S = CatalogueState
    with_value = (e.code == "recent_recruit") | (e.code == "absent")
    return rx.form(rx.vstack(
        rx.el.label(rx.hstack(rx.switch(name="enabled", default_checked=e.enabled), rx.text(e.label, weight="medium"),
                              align="center", spacing="2"), style={"display": "block"}),
        rx.el.input(type="hidden", name="code", value=e.code),
        rx.flex(
            rx.cond(with_value, rx.box(field(t("Threshold"), "value", type="number",
                                             default_value=e.value.to_string()), width=["100%", "8em"])),
            rx.box(field(t("Legal basis"), "basis_document", default_value=e.basis), flex="1", width="100%"),
            rx.button(t("Save"), type="submit", variant="soft"),
            gap="3", align="end", width="100%", direction=rx.breakpoints(initial="column", sm="row")),
        spacing="2", align="stretch", padding_y="0.5em", border_bottom="1px solid var(--gray-4)"),
        on_submit=S.save_exclusion, key=S.form_key.to_string() + "-" + e.code, id="exclusion-" + e.code)


def _exclusions() -> rx.Component:
    S = CatalogueState
    return card(
        rx.heading(t("Local exclusions"), size="4"),
        rx.text(t("Not national law: switch on only those your organisation's rules set, and name that rule."),
                size="2", color_scheme="gray"),
        error_callout(S.exclusion_error),
        rx.foreach(S.exclusions, _exclusion),
    )


def _year_card() -> rx.Component:
    S = CatalogueState
    s = S.settings
    return card(
        rx.heading(t("The year's settings"), size="4"),
        forms.selector(t("Year"), S.years, S.settings_year, S.select_year, "settings_year"),
        rx.cond(s.opens_iso == "",
                rx.text(t("Registration for {year} has not been opened yet.", year=s.year), size="2",
                        id="year-window"),
                rx.hstack(rx.text(t("Registration window: {opens} – {closes}", opens=s.opens_on, closes=s.closes_on),
                                  size="2", id="year-window"),
                          rx.cond(s.window_open, rx.badge(t("open now"), color_scheme="green"),
                                  rx.badge(t("closed now"), color_scheme="gray")), wrap="wrap", align="center")),
        rx.text(t("HTXSNV cap: {pct}% of those rated HTTNV", pct=s.cap_pct), size="2", id="year-cap"),
        error_callout(S.year_error),
        rx.form(rx.vstack(
            forms.grid(field(t("Registration opens"), "opens_on", type="date", default_value=s.opens_iso),
                  field(t("Registration closes"), "closes_on", type="date", default_value=s.closes_iso),
                  field(t("HTXSNV cap (%)"), "cap_pct", type="number", required=True,
                        default_value=s.cap_pct.to_string()), wide="3"),
            rx.text(t("Leave both dates empty to keep registration closed."), size="1", color_scheme="gray"),
            rx.button(t("Save the year's settings"), type="submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=S.save_year, key=S.form_key.to_string() + "-year"),
    )


def catalogue_page() -> rx.Component:
    """Officers: the titles and forms with their versions, the base salary, the exclusions, the year."""
    S = CatalogueState
    return shell(
        page_title(t("Titles catalogue"),
                   t("Every value is dated and rests on a legal basis; past years keep the rules that applied then.")),
        error_callout(S.error),
        rx.flex(rx.button(rx.icon("plus", size=16), t("Add a local entry"), on_click=S.open_add, id="add-title"),
                width="100%", justify="end", margin_bottom="1em"),
        rx.vstack(rx.foreach(S.titles, _title_card), spacing="3", width="100%", id="catalogue"),
        rx.grid(_year_card(), _salaries(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                margin_top="1.5em"),
        rx.box(_exclusions(), margin_top="1.5em", width="100%"),
        _rule_dialog(),
        _add_dialog(),
    )


# --- the register of titles held ------------------------------------------------------------------


def _award_row(a: AwardRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(a.year), rx.table.cell(rx.text(a.title, weight="medium")), rx.table.cell(a.subject_name),
        rx.table.cell(a.decision_ref), rx.table.cell(a.decided_on), rx.table.cell(a.bonus), rx.table.cell(a.source),
        rx.table.cell(rx.cond(a.revoked, rx.badge(t("Revoked"), color_scheme="red"),
                              rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red",
                                        on_click=AwardsState.open_revoke(a.id)))),
        id="award-" + a.id.to_string(), style={"opacity": rx.cond(a.revoked, "0.6", "1")})


def _entry_form() -> rx.Component:
    S = AwardsState
    collective = S.subject == "collective"
    return card(
        rx.heading(t("Enter a title held"), size="4"),
        rx.text(t("Titles decided before this system, or by a higher authority: past years too, so that "
                  "“consecutive years” criteria work at once."), size="2", color_scheme="gray"),
        error_callout(S.form_error),
        forms.labelled(t("Title or form"), rx.el.select(
            rx.el.option(t("Choose…"), value=""),
            rx.foreach(S.titles, lambda o: rx.el.option(o.label, value=o.id.to_string())),
            value=S.title_choice, on_change=S.choose_title, class_name="native-select", name="title_choice")),
        rx.cond(S.title_choice != "", rx.vstack(
            rx.cond(collective, rx.fragment(), rx.form(
                rx.hstack(rx.box(field(t("Find the person"), "q", placeholder=t("Name without accents, or staff code")),
                                 flex="1"),
                          rx.button(rx.icon("search", size=16), t("Search"), type="submit", variant="soft"),
                          align="end", width="100%"),
                on_submit=S.find_people)),
            rx.cond(S.people_message != "", rx.text(S.people_message, size="2", color_scheme="gray")),
            rx.form(rx.vstack(
                rx.el.input(type="hidden", name="title_id", value=S.title_choice),
                rx.cond(collective, forms.options(t("Unit"), "unit_id", S.units),
                        forms.options(t("Person"), "person_id", S.people,
                                 first=rx.cond(S.people.length() == 0, t("Search first"), t("Choose…")))),
                forms.grid(forms.options(t("Year of the title"), "year", S.years),
                      limited_text(t("Decision no."), "decision_ref", rules.DECISION_REF_MAX, form="award",
                                   required=True, placeholder=t("e.g. 125/QĐ-UBND"))),
                forms.grid(field(t("Decision date"), "decided_on", type="date", required=True),
                      limited_text(t("Decided by"), "decided_by", rules.DECIDED_BY_MAX, form="award",
                                   placeholder=t("e.g. Chairman of the provincial People's Committee"))),
                rx.button(t("Enter in the register"), type="submit", width="fit-content", id="award-submit"),
                spacing="3", align="stretch"), on_submit=S.record, key=S.form_key.to_string() + "-award"),
            spacing="3", align="stretch", width="100%")),
    )


def _import_card() -> rx.Component:
    S = AwardsState
    return card(
        rx.heading(t("Import from a file"), size="4"),
        rx.text(t("Every row must be valid, or nothing is entered; every problem is listed."), size="2"),
        rx.text(t("Columns: {columns}", columns=", ".join(service.AWARD_COLUMNS)), size="2", id="award-columns"),
        rx.text(t("year, title_code, decision_ref and decided_on are required; employee_code for a title of "
                  "individuals, unit_code for collectives; decided_on as yyyy-mm-dd or dd/mm/yyyy; full_name is "
                  "ignored. CSV UTF-8 or XLSX."), size="1", color_scheme="gray"),
        rx.button(rx.icon("download", size=16), t("Download the template"), variant="soft",
                  on_click=S.download_template, width="fit-content"),
        named_upload(rx.upload(
            rx.vstack(rx.icon("file_up", size=28),
                      rx.text(t("Drop a CSV or XLSX file here or tap to choose"), size="2"),
                      rx.text(rx.selected_files("awards_file"), size="1", color_scheme="gray"), align="center"),
            id="awards_file", max_files=1, multiple=False,
            accept={"text/csv": [".csv"],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]},
            border="2px dashed var(--gray-6)", padding="1.5em", border_radius="12px", width="100%"),
                t("Drop a CSV or XLSX file here or tap to choose")),
        rx.button(t("Check and import"), on_click=S.upload(rx.upload_files(upload_id="awards_file")),
                  loading=S.busy, width="fit-content", id="awards-import-submit"),
        error_callout(S.import_error),
        rx.cond(S.import_status != "", rx.text(S.import_status, weight="medium", id="awards-import-status")),
        rx.cond(S.import_error_count > 0, rx.vstack(
            forms.scroll(rx.table.root(
                forms.headers(N_("Line"), N_("Column"), N_("Problem")),
                rx.table.body(rx.foreach(S.import_errors, lambda e: rx.table.row(
                    rx.table.cell(e[0]), rx.table.cell(e[1]), rx.table.cell(e[2])))),
                size="1", width="100%", id="awards-import-errors")),
            rx.cond(S.import_error_count > ERRORS_SHOWN,
                    rx.text(t("Showing the first {n} problems; the report has them all.", n=ERRORS_SHOWN), size="1",
                            color_scheme="gray")),
            rx.button(rx.icon("download", size=16), t("Download every problem (CSV)"), variant="soft",
                      on_click=S.download_errors, width="fit-content"),
            spacing="2", align="stretch", width="100%")),
    )


def _revoke_dialog() -> rx.Component:
    S = AwardsState
    return forms.dialog(
        S.dialog == "revoke", S.close_dialog, t("Revoke a title"),
        rx.text(t("The entry stays in the register with your reason; initiatives it used are freed."), size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            limited_text(t("Reason"), "reason", rules.AWARD_REVOKE_REASON_MAX, form="award-revoke", required=True,
                         placeholder=t("e.g. Entered by mistake; decision 12/QĐ cancelled it")),
            rx.button(t("Revoke"), type="submit", color_scheme="red", width="fit-content", id="revoke-submit"),
            # Not reset: a refused reason stays; the dialog starts empty when opened again.
            spacing="3", align="stretch"), on_submit=S.submit_revoke),
        subtitle=S.revoke_label)


def awards_page() -> rx.Component:
    """Officers: the register of titles held, entering one, revoking one, importing a file."""
    S = AwardsState
    return shell(
        page_title(t("Register of titles"), t("The titles and forms people and units hold, by year.")),
        error_callout(S.error),
        rx.grid(_entry_form(), _import_card(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
        card(
            rx.heading(t("Titles held"), size="4"),
            rx.form(rx.flex(
                rx.box(field(t("Year"), "year", type="number", placeholder=t("All years")), width=["100%", "9em"]),
                rx.box(field(t("Name, staff code or unit"), "q"), flex="1", width="100%"),
                rx.button(rx.icon("search", size=16), t("Search"), type="submit", variant="soft"),
                gap="3", align="end", width="100%", direction=rx.breakpoints(initial="column", sm="row")),
                on_submit=S.search),
            rx.cond(S.rows.length() == 0, rx.text(t("Nothing in the register matches."), color_scheme="gray")),
            forms.scroll(rx.table.root(
                forms.headers(N_("Year"), N_("Title"), N_("Person or unit"), N_("Decision"), N_("Date"),
                              N_("Bonus (VND)"),
                         N_("Source"), extra=1),
                rx.table.body(rx.foreach(S.rows, _award_row)), size="1", width="100%", min_width="760px",
                id="awards-table")),
            rx.cond(S.rows.length() >= 500, rx.text(t("Showing the newest {n}; narrow the search.", n=500), size="1",
                                                    color_scheme="gray")),
            margin_top="1.5em"),
        _revoke_dialog(),
    )


# --- eligibility --------------------------------------------------------------------------------

_STATUS_COLORS = (("eligible", "green"), ("missing", "amber"), ("excluded", "gray"), ("held", "red"))


def _status_badge(r: EligibilityRow) -> rx.Component:
    return rx.badge(r.status_label, color_scheme=rx.match(r.status, *_STATUS_COLORS, "gray"),
                    class_name="status-badge")


def _elig_row(r: EligibilityRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.code), rx.table.cell(rx.text(r.name, weight="medium")), rx.table.cell(r.unit_name),
        rx.table.cell(_status_badge(r)), rx.table.cell(forms.lines(r.reasons)),
        id="elig-" + r.subject_id.to_string(), custom_attrs={"data-status": r.status})


def _count(label: Msg, value: rx.Var, element_id: str, color: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t(label), size="1", color_scheme="gray"),
        rx.heading(rx.el.span(value.to_string(), id=element_id), size="6", color_scheme=color),
        spacing="1"))


def _counts() -> rx.Component:
    S = EligibilityState
    return rx.grid(
        _count(STATUS_CHOICES["eligible"], S.count_eligible, "count-eligible", "green"),
        _count(STATUS_CHOICES["missing"], S.count_missing, "count-missing", "amber"),
        _count(STATUS_CHOICES["excluded"], S.count_excluded, "count-excluded", "gray"),
        _count(STATUS_CHOICES["held"], S.count_held, "count-held", "red"),
        columns=rx.breakpoints(initial="2", md="4"), spacing="3", width="100%")


def _filters() -> rx.Component:
    S = EligibilityState
    return rx.grid(
        forms.selector(t("Year"), S.years, S.year, S.select_year, "year"),
        forms.selector(t("Title or form"), S.titles, S.title_id, S.select_title, "title"),
        forms.selector(t("Unit (and its sub-units)"), S.units, S.unit_id, S.select_unit, "unit"),
        forms.labelled(t("Status"), rx.el.select(
            rx.el.option(t("Every status"), value=""),
            *[rx.el.option(t(label), value=code) for code, label in STATUS_CHOICES.items()],
            value=S.status, on_change=S.select_status, name="status", class_name="native-select")),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="3", width="100%")


def _summary() -> rx.Component:
    S = EligibilityState
    return rx.vstack(
        rx.heading(S.title, " – ", S.title_name, size="5", id="eligibility-title"),
        rx.cond(S.no_rule, rx.callout(t("This title has no rule for {year}: nobody can be judged for it.",
                                        year=S.year), icon="info", color_scheme="amber")),
        _counts(),
        rx.cond(S.quota_text != "", rx.text(S.quota_text, size="2", id="eligibility-quota"),
                rx.text(t("No quota."), size="2", color_scheme="gray", id="eligibility-quota")),
        rx.cond(S.basis != "", rx.text(rx.text.strong(t("Legal basis:")), " ", S.basis, size="2")),
        rx.cond(S.note != "", rx.text(rx.text.strong(t("Note:")), " ", S.note, size="2")),
        spacing="3", align="stretch", width="100%")


def _actions() -> rx.Component:
    S = EligibilityState
    return rx.hstack(
        rx.button(rx.icon("printer", size=16), t("Print"), variant="soft", on_click=S.print_list,
                  id="eligibility-print"),
        rx.menu.root(
            rx.menu.trigger(rx.button(rx.icon("download", size=16), t("Download"), variant="soft",
                                      id="eligibility-download")),
            rx.menu.content(rx.menu.item(t("Whole list (XLSX)"), on_click=S.download("xlsx")),
                            rx.menu.item(t("Whole list (CSV)"), on_click=S.download("csv")))),
        spacing="2", wrap="wrap")


def _eligibility_screen() -> rx.Component:
    S = EligibilityState
    return shell(
        page_title(t("Eligibility"),
                   t("Who meets every criterion of a title for a year, who misses one and why, who is excluded or "
                     "on hold.")),
        error_callout(S.error),
        rx.cond(S.titles.length() > 0, rx.vstack(
            _filters(),
            card(
                rx.flex(rx.box(_summary(), flex="1", min_width="0"), _actions(), gap="3", width="100%",
                        direction=rx.breakpoints(initial="column", md="row"), align="start"),
                forms.scroll(rx.table.root(
                    forms.headers(N_("Code"), N_("Name"), N_("Unit"), N_("Status"), N_("Reasons")),
                    rx.table.body(rx.foreach(S.rows, _elig_row)), size="1", width="100%", min_width="720px",
                    id="eligibility-table")),
                rx.cond(S.total == 0, rx.text(t("Nobody in this list."), color_scheme="gray")),
                rx.cond(S.pages > 1, pager(S.page, S.pages, S.total, S.prev_page, S.next_page)),
            ),
            spacing="4", width="100%", align="stretch")),
    )


_CELL = {"border": "1px solid #999", "padding": "4px 6px", "verticalAlign": "top", "textAlign": "left"}


def _print_row(r: EligibilityRow) -> rx.Component:
    return rx.el.tr(rx.el.td(r.code, style=_CELL), rx.el.td(r.name, style=_CELL), rx.el.td(r.unit_name, style=_CELL),
                    rx.el.td(r.status_label, style=_CELL),
                    rx.el.td(rx.foreach(r.reasons, lambda line: rx.el.div(line)), style=_CELL),
                    custom_attrs={"data-status": r.status})


def _eligibility_print() -> rx.Component:
    """The whole list as a plain table, for the council's meeting: no navigation, no colours."""
    S = EligibilityState
    return rx.box(
        rx.hstack(rx.button(rx.icon("arrow_left", size=16), t("Back"), variant="soft", on_click=S.close_print),
                  rx.spacer(),
                  rx.button(rx.icon("printer", size=16), t("Print"), on_click=rx.call_script("window.print()")),
                  class_name="no-print", width="100%", margin_bottom="1em"),
        rx.text(get_settings().org_name, weight="bold"),
        rx.heading(t("Eligibility list: {title} – {name}", title=S.title, name=S.title_name), size="5"),
        rx.text(t("Year {year} · {unit} and its sub-units", year=S.year, unit=S.unit_name)),
        rx.text(t("Eligible: {eligible} · misses a criterion: {missing} · excluded: {excluded} · on hold: {held}",
                  eligible=S.count_eligible, missing=S.count_missing, excluded=S.count_excluded, held=S.count_held)),
        rx.cond(S.quota_text != "", rx.text(S.quota_text)),
        rx.cond(S.basis != "", rx.text(t("Legal basis:"), " ", S.basis)),
        rx.cond(S.note != "", rx.text(t("Note:"), " ", S.note)),
        rx.text(t("Printed on {moment}", moment=S.printed_on), size="1"),
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(t(h), style=_CELL) for h in (
                N_("Code"), N_("Name"), N_("Unit"), N_("Status"), N_("Reasons"))])),
            rx.el.tbody(rx.foreach(S.print_rows, _print_row)),
            style={"borderCollapse": "collapse", "width": "100%", "marginTop": "1em", "fontSize": "0.85em"},
            id="eligibility-print-table"),
        padding="1.5em", max_width="1100px", margin="0 auto", background="white", color="black",
    )


def eligibility_page() -> rx.Component:
    """Officers (whole organisation) and unit heads (their units): the eligibility list of a title."""
    return rx.cond(EligibilityState.printing, _eligibility_print(), _eligibility_screen())


def add_pages(app: rx.App) -> None:
    """Register the officers' commendation pages."""
    private_page(app, catalogue_page, route=routes.COMMENDATION_CATALOGUE, title=N_("Titles catalogue"),
                 load=CatalogueState.load)
    private_page(app, awards_page, route=routes.COMMENDATION_AWARDS, title=N_("Register of titles"),
                 load=AwardsState.load)
    private_page(app, eligibility_page, route=routes.COMMENDATION_ELIGIBILITY, title=N_("Eligibility"),
                 load=EligibilityState.load)
