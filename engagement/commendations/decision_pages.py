"""Pages of decisions (issue 15): the officers' decisions page (approved nominees waiting, the
decision form, proposing upward, the decisions issued with their PDFs, each decision's awards
with their certificates and revocation, the check of the decisions' chain), the registers and
reports of awards, and the public check of a certificate that its QR code opens.

Phone first: cards stack in one column on a narrow screen, the nominees of the forms are tick
boxes one a line, and the wide tables scroll sideways inside their card.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engagement.commendations import rules
from engagement.commendations.decision_state import (
    DECIDE_PREFIX,
    GROUND_CHOICES,
    REVOKED_CHOICES,
    UPWARD_PREFIX,
    AwaitingGroup,
    AwaitingLine,
    DecisionLine,
    DecisionsState,
    ReportsState,
    StatLine,
    VerifyAwardState,
)
from engagement.commendations.decisions import AwardEntry
from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.ui import forms
from engagement.ui.components import card, error_callout, field, page_title, pager
from engagement.ui.i18n import t
from engagement.ui.kit import limited_text, private_page, public_page
from engagement.ui.layout import shell

#: The public check of a certificate, without its code.
_VERIFY = routes.verify_award("")

# --- small pieces -------------------------------------------------------------------------------


def _dialog(open_: Any, on_close: Any, title: Any, *body: rx.Component, subtitle: Any = None) -> rx.Component:
    return rx.dialog.root(rx.dialog.content(rx.vstack(
        rx.dialog.title(title, margin_bottom="0"),
        *([rx.text(subtitle, size="2", color_scheme="gray")] if subtitle is not None else []),
        *body,
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
        spacing="3", align="stretch"), max_width="560px", width="100%"), open=open_, on_open_change=on_close)


def _downloads(on_choose: Any, button_id: str) -> rx.Component:
    """A "Download" menu offering XLSX and CSV."""
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("download", size=16), t("Download"), variant="soft", id=button_id)),
        rx.menu.content(rx.menu.item("XLSX", on_click=on_choose("xlsx")),
                        rx.menu.item("CSV", on_click=on_choose("csv"))))


def _status(a: AwardEntry) -> rx.Component:
    """Standing, or revoked with the day and the ground."""
    return rx.cond(
        a.revoked,
        rx.vstack(rx.badge(t("Revoked on {day}", day=a.revoked_on), color_scheme="red", class_name="award-status"),
                  rx.cond(a.revoked_ground != "", rx.text(a.revoked_ground, size="1", color_scheme="gray")),
                  spacing="1", align="start"),
        rx.badge(t("Standing"), color_scheme="green", class_name="award-status"))


# --- the decisions page -----------------------------------------------------------------------------


def _chain() -> rx.Component:
    S = DecisionsState
    return rx.cond(S.chain_loaded, rx.card(rx.flex(
        rx.cond(S.chain_breaks.length() == 0,
                rx.hstack(rx.icon("shield_check", color="var(--green-9)"),
                          rx.text(t("Decisions' chain intact: {n} checked.", n=S.chain_checked), size="2",
                                  id="chain-status"), align="center"),
                rx.vstack(rx.hstack(rx.icon("shield_alert", color="var(--red-9)"),
                                    rx.text(t("Decisions' chain: {n} breaks found.", n=S.chain_breaks.length()),
                                            size="2", weight="bold", color_scheme="red", id="chain-status"),
                                    align="center"),
                          rx.el.ul(rx.foreach(S.chain_breaks, lambda b: rx.el.li(rx.text(b, size="1"))),
                                   style={"margin": "0", "paddingLeft": "1.2em"}),
                          spacing="1", align="start")),
        rx.cond(S.chain_head != "", rx.text(S.chain_head, size="1", color_scheme="gray", id="chain-head")),
        rx.spacer(),
        rx.button(rx.icon("refresh_cw", size=16), t("Check again"), size="1", variant="soft", on_click=S.check_chain),
        gap="3", width="100%", align="center", wrap="wrap"), width="100%"),
        rx.card(rx.flex(
            rx.icon("shield", color="var(--gray-9)"),
            rx.text(t("Check that no decision, number or award has been changed since it was issued."), size="2",
                    flex="1", min_width="0"),
            rx.button(rx.icon("shield_check", size=16), t("Check the decisions' chain"), size="1", variant="soft",
                      on_click=S.check_chain, id="chain-check"),
            gap="3", width="100%", align="center", wrap="wrap"), width="100%"))


def _nominee_box(prefix: str, line: AwaitingLine) -> rx.Component:
    return rx.el.label(rx.hstack(
        rx.checkbox(name=prefix + line.nominee_id.to_string(), class_name="nominee-tick", aria_label=line.name),
        rx.vstack(
            rx.text(line.name, weight="medium", size="2"),
            rx.text(line.code, " · ", line.unit_name, " · ", line.year.to_string(), size="1", color_scheme="gray"),
            rx.cond(line.votes != "", rx.text(t("Council: {votes} of all members agreed", votes=line.votes),
                                              " · ", line.session_title, size="1", color_scheme="gray")),
            spacing="0", align="start", min_width="0"),
        align="start", spacing="2"), style={"display": "block"},
        id="waiting-" + line.nominee_id.to_string())


def _groups(groups: rx.Var, prefix: str) -> rx.Component:
    def group(g: AwaitingGroup) -> rx.Component:
        return rx.vstack(
            rx.heading(g.title, " – ", g.title_name, size="3"),
            rx.foreach(g.rows, lambda line: _nominee_box(prefix, line)),
            spacing="2", align="stretch", width="100%")
    return rx.vstack(rx.foreach(groups, group), spacing="4", align="stretch", width="100%")


def _issue_form() -> rx.Component:
    S = DecisionsState
    return card(
        rx.heading(t("Issue a decision"), size="4"),
        rx.text(t("Tick the nominees the council approved, then fill in the decision as it is signed. The number is "
                  "the next of the issuer this year; nobody types it."), size="2", color_scheme="gray"),
        rx.cond(S.issued != "", rx.callout(S.issued, icon="circle_check", color_scheme="green", id="decision-issued")),
        error_callout(S.decide_error),
        rx.cond(S.decide_groups.length() == 0,
                forms.empty(N_("No nominee approved by the council is waiting for a decision here.")),
                rx.form(rx.vstack(
                    _groups(S.decide_groups, DECIDE_PREFIX),
                    rx.separator(),
                    forms.grid(field(t("Issuer's code (in the number)"), "issuer_code", required=True,
                                default_value=S.issuer_code, placeholder=t("e.g. SNV"),
                                hint=t("12/QĐ-SNV reads the code SNV")),
                          field(t("Issuer"), "issuer_name", required=True, default_value=S.issuer_name,
                                placeholder=t("e.g. Sở Nội vụ tỉnh ..."))),
                    forms.grid(field(t("Date of the decision"), "decided_on", type="date", required=True,
                                default_value=S.today),
                          field(t("Signed by"), "signer_name", required=True, default_value=S.signer_name,
                                placeholder=t("Full name")),
                          field(t("Signer's title"), "signer_title", required=True, default_value=S.signer_title,
                                placeholder=t("e.g. Giám đốc Sở Nội vụ")), wide="3"),
                    limited_text(t("Legal basis"), "basis", rules.DECISION_BASIS_MAX, form="issue", multiline=True,
                                 rows="5", default_value=S.basis, required=True,
                                 hint=t("One “Căn cứ ...” a line, as the decision reads.")),
                    rx.button(rx.icon("stamp", size=16), t("Issue the decision"), type="submit", width="fit-content",
                              id="issue-decision"),
                    spacing="3", align="stretch"), on_submit=S.issue, key=S.form_key.to_string() + "-issue")),
    )


def _upward_form() -> rx.Component:
    S = DecisionsState
    return rx.cond(S.upward_groups.length() > 0, card(
        rx.heading(t("Propose upward"), size="4"),
        rx.text(t("These titles are decided by a higher authority: the dossier (one PDF, and the list as XLSX) "
                  "downloads for you to send."), size="2", color_scheme="gray"),
        error_callout(S.upward_error),
        rx.form(rx.vstack(
            _groups(S.upward_groups, UPWARD_PREFIX),
            rx.button(rx.icon("send", size=16), t("Propose upward and download the dossier"), type="submit",
                      width="fit-content", id="propose-upward"),
            spacing="3", align="stretch"), on_submit=S.propose, key=S.form_key.to_string() + "-upward"),
    ))


def _decision_row(d: DecisionLine) -> rx.Component:
    S = DecisionsState
    return rx.table.row(
        rx.table.cell(rx.text(d.reference, weight="medium"), rx.text(d.decided_on, size="1", color_scheme="gray")),
        rx.table.cell(rx.text(d.issuer_name), rx.text(d.signer, size="1", color_scheme="gray")),
        rx.table.cell(d.awards.to_string()), rx.table.cell(d.total),
        rx.table.cell(rx.flex(
            rx.button(rx.icon("file_text", size=14), "PDF", size="1", variant="soft",
                      on_click=S.download_decision(d.id), class_name="decision-pdf"),
            rx.button(rx.cond(S.open_id == d.id, rx.icon("chevron_up", size=14), rx.icon("chevron_down", size=14)),
                      t("Awards"), size="1", variant=rx.cond(S.open_id == d.id, "solid", "soft"),
                      on_click=S.open_decision(d.id), class_name="decision-awards"),
            gap="2", wrap="wrap")),
        id="decision-" + d.id.to_string())


def _decisions() -> rx.Component:
    S = DecisionsState
    return card(
        rx.heading(t("Decisions issued"), size="4"),
        rx.cond(S.total == 0, forms.empty(N_("No decision has been issued yet."))),
        rx.cond(S.total > 0, forms.scroll(rx.table.root(
            forms.headers(N_("Number"), N_("Issuer"), N_("Awards"), N_("Amount (VND)"), extra=1),
            rx.table.body(rx.foreach(S.rows, _decision_row)), size="1", width="100%", min_width="600px",
            id="decisions-table"))),
        rx.cond(S.pages > 1, pager(S.page, S.pages, S.total, S.prev_page, S.next_page)),
    )


def _award_row(a: AwardEntry) -> rx.Component:
    S = DecisionsState
    return rx.table.row(
        rx.table.cell(a.golden_book_no.to_string()), rx.table.cell(a.title),
        rx.table.cell(rx.text(a.name, weight="medium"),
                      rx.text(a.code, " · ", a.unit_name, size="1", color_scheme="gray")),
        rx.table.cell(a.amount_text),
        rx.table.cell(rx.vstack(rx.link(rx.code(a.certificate_code), href=_VERIFY + a.certificate_code,
                                        is_external=True), _status(a), spacing="1", align="start")),
        rx.table.cell(rx.cond(~a.revoked, rx.flex(
            rx.button(rx.icon("printer", size=14), t("Certificate"), size="1", variant="soft",
                      on_click=S.download_certificate(a.id), class_name="certificate-pdf"),
            rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red", on_click=S.open_revoke(a.id),
                      class_name="revoke-award"),
            gap="2", wrap="wrap"))),
        id="award-" + a.id.to_string())


def _open_awards() -> rx.Component:
    S = DecisionsState
    return rx.cond(S.open_id != 0, card(
        rx.heading(t("Awards of decision {ref}", ref=S.open_reference), size="4", id="open-decision"),
        error_callout(S.awards_error),
        forms.scroll(rx.table.root(
            forms.headers(N_("Golden book no."), N_("Title"), N_("Person or unit"), N_("Amount (VND)"),
                     N_("Certificate code"), extra=1),
            rx.table.body(rx.foreach(S.open_awards, _award_row)), size="1", width="100%", min_width="640px",
            id="awards-table")),
    ), error_callout(S.awards_error))


def _revoke_dialog() -> rx.Component:
    S = DecisionsState
    return _dialog(
        S.dialog == "revoke", S.close_dialog, t("Revoke an award"),
        rx.text(t("The award stays in the register, marked revoked with its ground; its points are taken back and "
                  "anyone checking the certificate sees it revoked."), size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            forms.labelled(t("Legal ground"), rx.el.select(
                rx.el.option(t("Choose…"), value=""),
                *[rx.el.option(t(label), value=code) for code, label in GROUND_CHOICES.items()],
                name="ground", required=True, class_name="native-select", id="revoke-ground")),
            limited_text(t("Reason"), "reason", rules.AWARD_REVOKE_REASON_MAX, form="decision-revoke", multiline=True,
                         required=True, placeholder=t("The finding and the document that establishes it")),
            field(t("Amount to refund (VND)"), "refund", type="number", default_value=S.revoke_amount,
                  hint=t("By default all the award paid; 0 when nothing is recovered.")),
            rx.button(t("Revoke"), type="submit", color_scheme="red", width="fit-content", id="revoke-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_revoke, key=S.form_key.to_string() + "-revoke"),
        subtitle=S.revoke_label)


def decisions_page() -> rx.Component:
    """Officers: approved nominees waiting, issuing a decision, proposing upward, the decisions,
    their certificates and revocations."""
    S = DecisionsState
    return shell(
        page_title(t("Decisions"), t("Award the nominees the council approved, print the decision and the "
                                     "certificates, revoke an award.")),
        error_callout(S.error),
        rx.vstack(
            _chain(),
            _issue_form(),
            _upward_form(),
            _decisions(),
            _open_awards(),
            spacing="4", align="stretch", width="100%"),
        _revoke_dialog(),
    )


# --- registers and reports -----------------------------------------------------------------------


def _register_row(a: AwardEntry) -> rx.Component:
    return rx.table.row(
        rx.table.cell(a.year.to_string()), rx.table.cell(rx.tooltip(rx.text(a.title), content=a.title_name)),
        rx.table.cell(rx.text(a.name, weight="medium"), rx.text(a.code, size="1", color_scheme="gray")),
        rx.table.cell(a.unit_name), rx.table.cell(a.decision_ref), rx.table.cell(a.decided_on),
        rx.table.cell(a.amount_text),
        rx.table.cell(rx.cond(a.golden_book_no, a.golden_book_no.to_string(), "")),
        rx.table.cell(rx.cond(a.certificate_code != "",
                              rx.link(rx.code(a.certificate_code), href=_VERIFY + a.certificate_code,
                                      is_external=True))),
        rx.table.cell(_status(a)),
        id="entry-" + a.id.to_string())


_REGISTER_HEADERS = (N_("Year"), N_("Title"), N_("Person or unit"), N_("Unit"), N_("Decision"), N_("Date"),
                     N_("Amount (VND)"), N_("Golden book no."), N_("Certificate code"), N_("Status"))


def _register() -> rx.Component:
    S = ReportsState
    return card(
        rx.flex(rx.heading(t("Register of awards"), size="4"), rx.spacer(),
                _downloads(S.export_register, "register-download"), width="100%", align="center", gap="3"),
        rx.grid(
            forms.selector(t("Year"), S.years, S.filter_year, S.select_year, "register-year",
                           id="register-year-select", first=t("All years")),
            forms.selector(t("Unit (and its sub-units)"), S.units, S.filter_unit, S.select_unit, "register-unit",
                           id="register-unit-select",
                      first=t("Every unit")),
            forms.selector(t("Title or form"), S.titles, S.filter_title, S.select_title, "register-title",
                           id="register-title-select",
                      first=t("Every title")),
            forms.labelled(t("Revoked"), rx.el.select(
                rx.el.option(t("Standing and revoked"), value=""),
                *[rx.el.option(t(label), value=code) for code, label in REVOKED_CHOICES.items()],
                value=S.filter_revoked, on_change=S.select_revoked, name="register-revoked",
                id="register-revoked-select", class_name="native-select")),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="3", width="100%"),
        error_callout(S.register_error),
        rx.cond(S.total == 0, forms.empty(N_("Nothing in the register matches."))),
        rx.cond(S.total > 0, forms.scroll(rx.table.root(
            forms.headers(*_REGISTER_HEADERS),
            rx.table.body(rx.foreach(S.rows, _register_row)), size="1", width="100%", min_width="980px",
            id="register-table"))),
        rx.cond(S.pages > 1, pager(S.page, S.pages, S.total, S.prev_page, S.next_page)),
    )


def _stat_row(r: StatLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.title, weight="medium"), rx.text(r.title_name, size="1", color_scheme="gray")),
        rx.table.cell(r.level_label), rx.table.cell(r.individuals.to_string()),
        rx.table.cell(r.collectives.to_string()), rx.table.cell(r.amount), rx.table.cell(r.revoked.to_string()),
        rx.table.cell(r.refund))


def _statistics() -> rx.Component:
    S = ReportsState
    return card(
        rx.flex(rx.heading(t("Statistics of the year"), size="4"), rx.spacer(),
                _downloads(S.export_stats, "stats-download"), width="100%", align="center", gap="3"),
        rx.box(forms.selector(t("Year"), S.years, S.stat_year, S.select_stat_year, "stats-year",
                              id="stats-year-select"), max_width="12em"),
        error_callout(S.stats_error),
        rx.cond(S.stats.length() == 0, forms.empty(N_("No award in this year."))),
        rx.cond(S.stats.length() > 0, forms.scroll(rx.table.root(
            forms.headers(N_("Title or form"), N_("Awarding level"), N_("Individuals"), N_("Collectives"),
                          N_("Amount (VND)"), N_("Revoked"), N_("To refund (VND)")),
            rx.table.body(
                rx.foreach(S.stats, _stat_row),
                rx.table.row(rx.table.cell(rx.text(t("Total"), weight="bold")), rx.table.cell(""),
                             rx.table.cell(rx.text(S.stat_individuals.to_string(), weight="bold")),
                             rx.table.cell(rx.text(S.stat_collectives.to_string(), weight="bold")),
                             rx.table.cell(rx.text(S.stat_amount, weight="bold")),
                             rx.table.cell(rx.text(S.stat_revoked.to_string(), weight="bold")), rx.table.cell(""))),
            size="1", width="100%", min_width="720px", id="stats-table"))),
    )


def _history() -> rx.Component:
    S = ReportsState
    return card(
        rx.heading(t("History of a person or a unit"), size="4"),
        rx.grid(
            rx.vstack(
                rx.form(rx.flex(
                    rx.box(field(t("Person: name or staff code"), "q", placeholder=t("e.g. Nguyen Van A")), flex="1",
                           width="100%"),
                    rx.button(rx.icon("search", size=16), t("Search"), type="submit", variant="soft"),
                    gap="3", align="end", width="100%"), on_submit=S.find_people, id="history-search"),
                rx.cond(S.people_message != "", rx.text(S.people_message, size="2", color_scheme="gray")),
                rx.flex(rx.foreach(S.people, lambda o: rx.button(o.label, size="1", variant="soft",
                                                                 on_click=S.person_history(o.value),
                                                                 class_name="history-person")),
                        wrap="wrap", gap="2"),
                spacing="2", align="stretch", width="100%"),
            forms.labelled(t("Or a unit"), rx.el.select(
                rx.el.option(t("Choose…"), value=""),
                rx.foreach(S.units, lambda o: rx.el.option(o.label, value=o.value)),
                on_change=S.unit_history, name="history-unit", id="history-unit-select", class_name="native-select")),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
        error_callout(S.history_error),
        rx.cond(S.history_shown, rx.vstack(
            rx.heading(S.history_label, size="3", id="history-label"),
            rx.cond(S.history_rows.length() == 0, forms.empty(N_("No award in the register."))),
            rx.cond(S.history_rows.length() > 0, forms.scroll(rx.table.root(
                forms.headers(*_REGISTER_HEADERS),
                rx.table.body(rx.foreach(S.history_rows, _register_row)), size="1", width="100%",
                min_width="980px", id="history-table"))),
            spacing="2", align="stretch", width="100%")),
    )


def reports_page() -> rx.Component:
    """Officers (the whole organisation) and unit heads (their units): registers, histories, statistics."""
    S = ReportsState
    return shell(
        page_title(t("Commendation reports"),
                   t("The register of awards by year, unit and title; a person's or unit's whole history; the "
                     "yearly statistics.")),
        error_callout(S.error),
        rx.vstack(_register(), _statistics(), _history(), spacing="4", align="stretch", width="100%"),
    )


# --- the public check of a certificate ----------------------------------------------------------------


def _fact(label: Msg, value: Any) -> rx.Component:
    return rx.text(rx.text.strong(t(label)), " ", value, size="2")


def verify_award_page() -> rx.Component:
    """Public: is this certificate valid, revoked, or unknown?"""
    S = VerifyAwardState
    c = S.check
    return rx.center(rx.card(rx.vstack(
        rx.heading(t("Verify a certificate of commendation"), size="6"),
        rx.cond(~S.loaded, rx.spinner()),
        rx.cond(S.loaded & ~c.found,
                rx.callout(t("No certificate has this code. Check the code printed under the QR code."),
                           color_scheme="red", icon="circle_x", id="verify-result",
                           custom_attrs={"data-result": "unknown"})),
        rx.cond(c.found, rx.vstack(
            rx.cond(c.valid,
                    rx.callout(t("Valid: this award stands and its decision is intact."), color_scheme="green",
                               icon="shield_check", id="verify-result", custom_attrs={"data-result": "valid"}),
                    rx.cond(c.revoked,
                            rx.callout(t("Revoked on {day}: {ground}", day=c.revoked_on, ground=c.revoked_ground),
                                       color_scheme="red", icon="shield_x", id="verify-result",
                                       custom_attrs={"data-result": "revoked"}),
                            rx.callout(t("The records no longer match the decision: do not rely on this "
                                         "certificate; ask the emulation officer."),
                                       color_scheme="red", icon="shield_alert", id="verify-result",
                                       custom_attrs={"data-result": "altered"}))),
            _fact(N_("Awarded to:"), c.name),
            rx.cond(c.unit != "", _fact(N_("Unit:"), c.unit)),
            _fact(N_("Title:"), c.title),
            _fact(N_("Year:"), c.year.to_string()),
            _fact(N_("Decision:"), t("{ref} of {day}", ref=c.decision_number, day=c.decided_on)),
            _fact(N_("Issued by:"), c.issuer),
            _fact(N_("Certificate code:"), rx.code(c.code)),
            spacing="2", align="start", id="verify-facts")),
        rx.separator(),
        rx.form(rx.flex(
            rx.box(field(t("Check another code"), "code", placeholder=t("The 16 characters under the QR code")),
                   flex="1", width="100%"),
            rx.button(t("Check"), type="submit", variant="soft"),
            gap="3", align="end", width="100%"), on_submit=S.look_up),
        spacing="3", align="stretch"), max_width="600px", width="100%"), padding="2em 1em", min_height="100vh")


def add_pages(app: rx.App) -> None:
    """Register the decisions page, the reports page and the public check of a certificate."""
    private_page(app, decisions_page, route=routes.COMMENDATION_DECISIONS, title=N_("Decisions"),
                 load=DecisionsState.load)
    private_page(app, reports_page, route=routes.COMMENDATION_REPORTS, title=N_("Commendation reports"),
                 load=ReportsState.load)
    public_page(app, verify_award_page, route=routes.VERIFY_AWARD, title=N_("Verify a certificate"),
                load=VerifyAwardState.load)
