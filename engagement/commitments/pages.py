"""Pages of the commitments feature: my commitments, signing, campaigns dashboard, verify."""

from __future__ import annotations

import reflex as rx

from engagement.commitments import queries, rules, service
from engagement.commitments.dto import CampaignRow, CompletionRow, MyCommitment, PersonProgress
from engagement.commitments.state import CampaignsState, MyCommitmentsState, SignState, VerifyState
from engagement.core import routes
from engagement.core.i18n import N_
from engagement.ui import files as ui_files
from engagement.ui.auth import AuthState
from engagement.ui.components import (
    action_header,
    card,
    error_callout,
    field,
    named_upload,
    page_title,
    pager,
    select_field,
)
from engagement.ui.i18n import t, t_match, t_n
from engagement.ui.kit import action_error, field_error, limited_text, private_page, public_page
from engagement.ui.layout import shell

STATUS_COLORS = {"signed": "green", "pending": "gray", "declined": "orange", "overdue": "red",
                 "exempted": "blue", "open": "green", "draft": "gray", "closed": "red"}
STATUS_LABELS = {**rules.PERSON_STATUS_LABELS, **rules.CAMPAIGN_STATUS_LABELS}
#: The people filter's choices by status (capitalised, as a list shows them).
STATUS_CHOICES = {"signed": N_("Signed"), "pending": N_("Not signed yet"), "declined": N_("Declined"),
                  "overdue": N_("Overdue"), "exempted": N_("Exempted")}


def status_badge(status: rx.Var) -> rx.Component:
    """A coloured badge for a person's or a campaign's status."""
    return rx.badge(t_match(status, STATUS_LABELS), color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
                    variant="soft")


# --- my commitments ------------------------------------------------------------------------------


def _due_and_status(m: MyCommitment) -> rx.Var:
    """"Due … · campaign open": one message per campaign status (a code, its label translated)."""
    return rx.match(m.campaign_status, *[
        (code, t("Due {day} · campaign {status}", day=m.due, status=label))
        for code, label in rules.CAMPAIGN_STATUS_LABELS.items()],
        t("Due {day} · campaign {status}", day=m.due, status=m.campaign_status))


def _my_row(m: MyCommitment) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(m.name, size="4"), status_badge(m.status), rx.text(m.year, color_scheme="gray"),
                  wrap="wrap", align="center"),
        rx.cond(m.signed_at != "",
                rx.text(rx.cond(m.method == "paper", t("Signed {moment} (on paper) · code", moment=m.signed_at),
                                t("Signed {moment} · code", moment=m.signed_at)), " ", rx.code(m.code), size="2"),
                rx.text(_due_and_status(m), size="2")),
        rx.cond(m.pledges.length() > 0, rx.vstack(
            rx.text(t("My pledges"), weight="medium", size="2"),
            rx.foreach(m.pledges, lambda p: rx.text("• ", p, size="2")), spacing="1")),
        rx.cond(m.response != "", rx.text(m.response, size="2", color_scheme="orange")),
        rx.hstack(
            rx.link(rx.button(rx.cond(m.signed_at != "", t("View"), t("Read and sign")), variant="soft"),
                    href="/commitments/sign/" + m.campaign_id.to_string()),
            rx.cond(m.signature_id > 0, rx.button("PDF", variant="outline",
                                                  on_click=MyCommitmentsState.download_pdf(m.signature_id))),
        ),
        spacing="2", align="start"), width="100%", class_name="my-commitment")


def my_commitments_page() -> rx.Component:
    """Staff: my commitments this year and before, with my pledges."""
    return shell(
        page_title(t("My commitments"), t("Your annual conduct commitments, this year and before.")),
        error_callout(MyCommitmentsState.error),
        rx.cond(MyCommitmentsState.rows.length() == 0, rx.text(t("No commitment is addressed to you yet."))),
        rx.vstack(rx.foreach(MyCommitmentsState.rows, _my_row), spacing="3", width="100%"),
        rx.cond(MyCommitmentsState.collectives.length() > 0, rx.vstack(
            rx.heading(t("Collective commitments of my units"), size="5", margin_top="1em"),
            rx.foreach(MyCommitmentsState.collectives, lambda c: rx.hstack(
                rx.text(rx.cond(
                    c.head_signed_at == "", t("{unit}: not signed by the head yet", unit=c.unit_name),
                    rx.cond(c.countersigned_at != "",
                            t("{unit}: signed by the head {moment}, countersigned {countersigned}", unit=c.unit_name,
                              moment=c.head_signed_at, countersigned=c.countersigned_at),
                            t("{unit}: signed by the head {moment}", unit=c.unit_name, moment=c.head_signed_at))),
                        size="2"),
                rx.cond(c.can_sign, rx.button(t("Sign for the unit"), size="1", on_click=MyCommitmentsState
                                              .open_collective(c.campaign_id, c.unit_id, "sign"))),
                rx.cond(c.can_countersign, rx.button(t("Countersign"), size="1", on_click=MyCommitmentsState
                                                     .open_collective(c.campaign_id, c.unit_id, "countersign"))),
                wrap="wrap", align="center")),
            align="start")),
        _collective_dialog(),
    )


def _collective_dialog() -> rx.Component:
    all_read = MyCommitmentsState.ticked.length() >= MyCommitmentsState.dialog_clauses.length()
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(MyCommitmentsState.dialog == "sign",
                                    t("Sign for the unit: {title}", title=MyCommitmentsState.dialog_title),
                                    t("Countersign: {title}", title=MyCommitmentsState.dialog_title))),
            error_callout(MyCommitmentsState.dialog_error),
            rx.form(rx.vstack(
                rx.foreach(MyCommitmentsState.dialog_clauses, lambda text, i: rx.el.label(rx.hstack(
                    rx.checkbox(checked=MyCommitmentsState.ticked.contains(i + 1),
                                on_change=lambda _v: MyCommitmentsState.toggle(i + 1),
                                aria_label=t("I have read clause {n}", n=i + 1)),
                    rx.text((i + 1).to_string() + ". " + text, size="2"), align="start"),
                    style={"display": "block"})),
                field(t("Type your full name"), "typed_name", required=True),
                field(t("Your password"), "password", type="password", required=True),
                rx.button(t("Sign"), type="submit", disabled=~all_read),
                spacing="3", align="stretch"),
                on_submit=MyCommitmentsState.submit_collective, reset_on_submit=False),
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
            max_width="640px"),
        open=MyCommitmentsState.dialog != "",
        on_open_change=MyCommitmentsState.close_dialog,
    )


# --- signing -------------------------------------------------------------------------------------------


def _clause(text: rx.Var, index: rx.Var) -> rx.Component:
    number = index + 1
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=SignState.ticked.contains(number), on_change=lambda _v: SignState.toggle(number),
                        disabled=~SignState.can_sign, aria_label=t("I have read clause {n}", n=number)),
            rx.text(number.to_string() + ". " + text, size="3"),
            align="start", spacing="3"),
        class_name="clause", style={"display": "block", "cursor": "pointer"})


def sign_page() -> rx.Component:
    """Read every clause, add pledges, type one's name, re-enter the password, sign."""
    all_read = SignState.ticked.length() >= SignState.clauses.length()
    return shell(
        page_title(SignState.name, t("Due {day}", day=SignState.due)),
        error_callout(SignState.error),
        rx.cond(SignState.title != "", card(
            rx.heading(SignState.title, size="5"),
            rx.hstack(rx.text(t("Your status:")), status_badge(SignState.status), rx.text("· ", SignState.unit_name),
                      align="center", wrap="wrap"),
            rx.cond(SignState.preamble != "", rx.text(SignState.preamble)),
            rx.vstack(rx.foreach(SignState.clauses, _clause), spacing="3"),
            rx.cond(SignState.pledges.length() > 0, rx.vstack(
                rx.text(t("My pledges"), weight="medium"),
                rx.foreach(SignState.pledges, lambda p: rx.text("• ", p)), spacing="1")),
        )),
        rx.cond(SignState.signature_id > 0, card(
            rx.callout(rx.text(t("Signed · code"), " ", rx.code(SignState.code)), icon="circle_check",
                       color_scheme="green", id="signed-callout"),
            rx.hstack(rx.button(t("Download PDF"), on_click=SignState.download_pdf),
                      rx.link(t("Verify page"), href=routes.verify(SignState.code))),
        )),
        rx.cond(SignState.blocked_reason != "", rx.callout(SignState.blocked_reason, icon="info",
                                                           color_scheme="orange")),
        rx.cond(SignState.can_sign, card(
            rx.heading(t("Sign"), size="4"),
            rx.form(rx.vstack(
                rx.el.label(rx.vstack(
                    rx.text(t("Personal pledges (optional, one per line, short and measurable)"), size="2",
                            weight="medium"),
                    rx.text_area(name="pledges", placeholder=t("Answer every citizen request within 2 days"),
                                 width="100%"), spacing="1"), style={"display": "block"}),
                field_error(SignState.sign_error_fields, "pledges", form="sign"),
                field(t("Type your full name"), "typed_name", required=True, placeholder=SignState.me_name,
                      hint=t("Exactly as on your record.")),
                field_error(SignState.sign_error_fields, "typed_name", form="sign"),
                field(t("Your password"), "password", type="password", required=True,
                      auto_complete="current-password"),
                field_error(SignState.sign_error_fields, "password", form="sign"),
                rx.cond(~all_read, rx.text(t("Tick every clause above to enable signing."), size="2",
                                           color_scheme="gray")),
                action_error(SignState.sign_error, form="sign"),
                rx.button(t("Sign my commitment"), type="submit", disabled=~all_read, loading=SignState.busy,
                          id="sign-submit"),
                spacing="3", align="stretch"),
                on_submit=SignState.submit, reset_on_submit=False),
        )),
        rx.cond(SignState.can_sign, card(
            rx.heading(t("Decline or ask for clarification"), size="4"),
            error_callout(SignState.respond_error),
            rx.form(rx.vstack(
                rx.el.select(rx.el.option(t("Ask for clarification"), value="clarify"),
                             rx.el.option(t("Decline to sign"), value="decline"), name="kind",
                             class_name="native-select", aria_label=t("Decline or ask for clarification")),
                limited_text(t("Reason (your unit head sees it)"), "reason", rules.REASON_MAX, form="respond",
                             errors=SignState.respond_error_fields, required=True),
                rx.button(t("Send"), type="submit", variant="soft"), spacing="3", align="stretch"),
                on_submit=SignState.respond, reset_on_submit=False),
        )),
    )


# --- campaigns and dashboard ---------------------------------------------------------------------


def _campaign_item(c: CampaignRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(c.name, weight="bold"), status_badge(c.status), align="center", wrap="wrap"),
            rx.text(c.opens, " → ", c.due,
                    rx.cond(c.allow_late, rx.fragment(" ", t("(late signing until {day})", day=c.closes)), ""),
                    " · ", c.units, size="1", color_scheme="gray"),
            spacing="1", align="start", flex="1"),
        rx.button(t("Dashboard"), size="1", variant=rx.cond(CampaignsState.selected == c.id, "solid", "soft"),
                  on_click=CampaignsState.select(c.id.to_string())),
        rx.cond(AuthState.can_manage_commitments, rx.cond(
            c.status == "open",
            rx.button(t("Close…"), size="1", color_scheme="red", variant="soft",
                      on_click=CampaignsState.ask_close(c.id)),
            rx.button(t("Open now"), size="1", variant="soft", on_click=CampaignsState.open_now(c.id)))),
        width="100%", align="center", wrap="wrap", padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}", class_name="campaign-row")


def _create_form() -> rx.Component:
    return card(
        rx.heading(t("Launch a campaign"), size="4"),
        error_callout(CampaignsState.form_error),
        rx.form(rx.vstack(
            rx.grid(
                field(t("Year"), "year", required=True, default_value="2026"),
                field(t("Name"), "name", placeholder=t("Public-service culture commitment 2026")),
                select_field(t("Template"), "template_id", CampaignsState.templates, required=True),
                select_field(t("Audience (unit and its sub-units)"), "unit_id", CampaignsState.unit_options,
                             required=True),
                field(t("Opens on"), "opens_on", type="date", required=True),
                field(t("Due on"), "due_on", type="date", required=True),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
            limited_text(t("Only these positions (optional, one per line)"), "positions", rules.POSITIONS_MAX,
                         form="campaign-create", errors=CampaignsState.form_error_fields, multiline=True, rows="4",
                         placeholder=t("e.g. Specialist")),
            rx.el.label(rx.hstack(rx.checkbox(name="allow_late", aria_label=t("Allow late signing")),
                                  rx.text(t("Allow late signing"), size="2")),
                        style={"display": "block"}),
            rx.el.label(rx.hstack(rx.checkbox(name="collective", default_checked=True,
                                              aria_label=t("Include the collective commitment (unit heads sign, "
                                                           "union chairs countersign)")),
                                  rx.text(t("Include the collective commitment (unit heads sign, union chairs "
                                            "countersign)"), size="2")), style={"display": "block"}),
            rx.button(t("Launch campaign"), type="submit", id="create-campaign"),
            spacing="3", align="stretch"),
            on_submit=CampaignsState.create, reset_on_submit=False),
    )


def _completion_row(r: CompletionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.button(r.name, variant="ghost", size="1", on_click=CampaignsState.drill(r.unit_id),
                                white_space="normal", text_align="left", class_name="drill"),
                      padding_left=(r.depth * 1 + 0.5).to_string() + "em", min_width="14em"),
        rx.table.cell(rx.hstack(rx.progress(value=r.percent, width="6em", aria_label=r.name),
                                rx.text(r.percent, "%", size="1"),
                                align="center")),
        rx.table.cell(r.signed, class_name="signed-count"),
        rx.table.cell(r.pending), rx.table.cell(r.declined), rx.table.cell(r.overdue), rx.table.cell(r.exempted),
        rx.table.cell(r.total),
        rx.table.cell(rx.cond(r.collective != "", rx.badge(t_match(r.collective, queries.COLLECTIVE_LABELS),
                                                            variant="soft"), "")),
        class_name="completion-row", data_unit=r.name,
    )


def _person_row(p: PersonProgress) -> rx.Component:
    unsigned = p.status != "signed"
    return rx.table.row(
        rx.table.cell(p.name), rx.table.cell(p.unit_name), rx.table.cell(status_badge(p.status)),
        rx.table.cell(p.due),
        rx.table.cell(rx.cond(p.paper_on != "",
                              t("{day} on paper (recorded {moment})", day=p.paper_on, moment=p.signed_at),
                              p.signed_at)),
        rx.table.cell(p.note, rx.cond(p.scan_url != "", rx.fragment(" ", rx.link(t("scan"), href=p.scan_url,
                                                                                 is_external=True)))),
        rx.table.cell(rx.cond(unsigned, rx.hstack(
            rx.button(t("Exception"), size="1", variant="soft", on_click=CampaignsState.open_exception(p.person_id)),
            rx.cond(AuthState.can_manage_commitments,
                    rx.button(t("Paper"), size="1", variant="soft",
                              on_click=CampaignsState.open_paper(p.person_id))),
            spacing="1"))),
        class_name="person-progress")


def _campaign_dialog() -> rx.Component:
    body = rx.match(
        CampaignsState.dialog,
        ("exception", rx.form(rx.vstack(
            rx.text(t("Leave, illness: give this person their own due date, or exempt them.")),
            field(t("Own due date"), "due_on", type="date"),
            rx.el.label(rx.hstack(rx.checkbox(name="exempt", aria_label=t("Exempt from this campaign")),
                                  rx.text(t("Exempt from this campaign"), size="2")),
                        style={"display": "block"}),
            field(t("Reason"), "reason", required=True, placeholder=t("Long sick leave")),
            rx.button(t("Record exception"), type="submit"), spacing="3", align="stretch"),
            on_submit=CampaignsState.submit_exception)),
        ("paper", rx.vstack(
            rx.text(t("Record a signature made on paper; it is marked as such everywhere.")),
            rx.el.label(rx.vstack(rx.text(t("Date on the paper"), size="2", weight="medium"),
                                  rx.input(type="date", value=CampaignsState.paper_date,
                                           on_change=CampaignsState.set_paper_date), spacing="1"),
                        style={"display": "block"}),
            rx.el.label(rx.vstack(rx.text(t("Reason"), size="2", weight="medium"),
                                  rx.input(value=CampaignsState.paper_reason, placeholder=t("No account"),
                                           on_change=CampaignsState.set_paper_reason), spacing="1"),
                        style={"display": "block"}),
            named_upload(rx.upload(rx.text(t("Drop the scan here or click to choose (PDF, JPEG, PNG)"), size="2"),
                      id="paper_scan", multiple=False, max_files=1, border="1px dashed", padding="1em",
                      accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]}),
                          t("Drop the scan here or click to choose (PDF, JPEG, PNG)")),
            rx.foreach(rx.selected_files("paper_scan"), lambda f: rx.text(f, size="1")),
            rx.button(t("Record paper signature"),
                      on_click=CampaignsState.submit_paper(rx.upload_files(upload_id="paper_scan"))),
            spacing="3", align="stretch")),
        ("close", rx.vstack(
            rx.text(t("Signing stops now for everyone who has not signed; the signatures given stay. You can "
                      "reopen it with “Open now” while its due date has not passed.")),
            rx.button(t("Close the campaign"), color_scheme="red", on_click=CampaignsState.confirm_close,
                      id="confirm-close"),
            spacing="3", align="stretch")),
        ("template", rx.form(rx.vstack(
            rx.text(t("Saving publishes a new version; campaigns keep the version they started with."), size="2"),
            field(t("Title"), "title", required=True, default_value=CampaignsState.edit_title),
            rx.el.label(rx.vstack(rx.text(t("Preamble"), size="2", weight="medium"),
                                  rx.text_area(name="preamble", default_value=CampaignsState.edit_preamble,
                                               width="100%"), spacing="1"), style={"display": "block"}),
            rx.el.label(rx.vstack(rx.text(t("Clauses (one per line)"), size="2", weight="medium"),
                                  rx.text_area(name="clauses", default_value=CampaignsState.edit_clauses,
                                               width="100%", rows="12"), spacing="1"), style={"display": "block"}),
            rx.button(t("Publish new version"), type="submit"), spacing="3", align="stretch"),
            on_submit=CampaignsState.submit_template)),
        rx.fragment(),
    )
    name = CampaignsState.target_name
    title = rx.match(CampaignsState.dialog, ("exception", t("Due-date exception: {name}", name=name)),
                     ("paper", t("Paper signature: {name}", name=name)), ("template", t("Edit template")),
                     ("close", t("Close “{name}”?", name=name)), "")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            error_callout(CampaignsState.dialog_error),
            body,
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
            max_width="640px"),
        open=CampaignsState.dialog != "",
        on_open_change=CampaignsState.close_dialog,
    )


def _templates_card() -> rx.Component:
    return card(
        rx.heading(t("Templates"), size="4"),
        rx.foreach(CampaignsState.template_rows, lambda tpl: rx.hstack(
            rx.text(tpl.title, " ", rx.badge("v", tpl.version.to_string(), variant="soft"),
                    rx.cond(tpl.is_latest, "", rx.fragment(" ", t("(older version)"))), size="2", flex="1"),
            rx.text(t_n("{n} clause · {moment}", "{n} clauses · {moment}", tpl.clauses.length(),
                        moment=tpl.published_at), size="1", color_scheme="gray"),
            rx.cond(tpl.is_latest, rx.button(t("Edit"), size="1", variant="soft",
                                             on_click=CampaignsState.open_template(tpl.id))),
            width="100%", align="center", wrap="wrap")),
    )


def _dashboard() -> rx.Component:
    return rx.cond(CampaignsState.selected > 0, card(
        rx.hstack(
            rx.heading(t("Completion"), size="4"), rx.spacer(),
            rx.el.select(rx.el.option(t("All unit groups"), value=""),
                         rx.foreach(CampaignsState.group_options, lambda o: rx.el.option(o.label, value=o.value)),
                         on_change=CampaignsState.set_group, class_name="native-select", aria_label=t("Unit group")),
            rx.menu.root(rx.menu.trigger(rx.button(t("Export"), variant="soft")), rx.menu.content(
                rx.menu.item(t("Completion (CSV)"), on_click=CampaignsState.export("completion", "csv")),
                rx.menu.item(t("Completion (XLSX)"), on_click=CampaignsState.export("completion", "xlsx")),
                rx.menu.item(t("Signature register (CSV)"), on_click=CampaignsState.export("register", "csv")),
                rx.menu.item(t("Signature register (XLSX)"), on_click=CampaignsState.export("register", "xlsx")))),
            wrap="wrap", align="center", width="100%"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("Unit"), N_("Done"), N_("Signed"), N_("Not signed yet"), N_("Declined"), N_("Overdue"),
                N_("Exempted"), N_("People"), N_("Collective"))])),
            rx.table.body(rx.foreach(CampaignsState.rows, _completion_row)),
            size="1", width="100%", min_width="720px"), overflow_x="auto", width="100%"),
        rx.cond(CampaignsState.drill_unit > 0, rx.vstack(
            rx.hstack(rx.heading(t("People of {unit}", unit=CampaignsState.drill_name), size="4"), rx.spacer(),
                      rx.button(rx.icon("bell_ring"), t("Remind now"), variant="soft", size="2",
                                on_click=CampaignsState.remind_now, id="remind-now",
                                title=t("Each person who has not signed gets one reminder today at most")),
                      rx.el.select(rx.el.option(t("Everyone"), value=""),
                                   rx.el.option(t("Still to sign"), value="todo"),
                                   *[rx.el.option(t(label), value=code) for code, label in STATUS_CHOICES.items()],
                                   on_change=CampaignsState.set_drill_status, class_name="native-select",
                                   aria_label=t("Status")),
                      width="100%", wrap="wrap"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                    N_("Name"), N_("Unit"), N_("Status"), N_("Due"), N_("Signed"), N_("Note"))],
                                             action_header())),
                rx.table.body(rx.foreach(CampaignsState.people, _person_row)), size="1", width="100%",
                min_width="720px"),
                overflow_x="auto", width="100%"),
            pager(CampaignsState.page, CampaignsState.pages, CampaignsState.total, CampaignsState.prev_page,
                  CampaignsState.next_page),
            width="100%", align="stretch", margin_top="1em")),
    ))


def campaigns_page() -> rx.Component:
    """Officer: launch campaigns and follow completion; unit head: follow their units."""
    return shell(
        page_title(t("Commitment campaigns"),
                   t("Completion per unit, sub-units included; click a unit for its people.")),
        error_callout(CampaignsState.error),
        rx.cond(AuthState.can_manage_commitments, _create_form()),
        card(rx.heading(t("Campaigns"), size="4"),
             rx.cond(CampaignsState.campaigns.length() == 0, rx.text(t("No campaign yet."))),
             rx.foreach(CampaignsState.campaigns, _campaign_item)),
        _dashboard(),
        _campaign_dialog(),
        rx.cond(AuthState.can_manage_commitments, _templates_card()),
        rx.cond(AuthState.can_manage_commitments, card(
            rx.hstack(rx.heading(t("Tamper check"), size="4"),
                      rx.button(t("Verify signature chain"), variant="soft", on_click=CampaignsState.verify_chain)),
            rx.cond(CampaignsState.chain_message != "", rx.callout(
                CampaignsState.chain_message, color_scheme=rx.cond(CampaignsState.chain_ok, "green", "red"),
                id="chain-result")))),
    )


# --- public verify ------------------------------------------------------------------------------------


def verify_page() -> rx.Component:
    """Public: does this signature exist, and is its chain intact?"""
    return rx.center(rx.card(rx.vstack(
        rx.heading(t("Verify a signed commitment"), size="6"),
        rx.cond(~VerifyState.loaded, rx.spinner()),
        rx.cond(VerifyState.loaded & ~VerifyState.sig.found,
                rx.callout(t("No signature has this code."), color_scheme="red", icon="circle_x")),
        rx.cond(VerifyState.sig.found, rx.vstack(
            rx.cond(VerifyState.sig.intact,
                    rx.callout(t("Signature found and its chain is intact."), color_scheme="green",
                               icon="shield_check", id="verify-result"),
                    rx.callout(t("Signature found but its record does NOT match its hash: it may have been altered."),
                               color_scheme="red", icon="shield_alert", id="verify-result")),
            rx.text(rx.text.strong(t("Name:")), " ", VerifyState.sig.name),
            rx.text(rx.text.strong(t("Unit:")), " ", VerifyState.sig.unit),
            rx.text(rx.text.strong(t("Campaign:")), " ", VerifyState.sig.campaign),
            rx.text(rx.text.strong(t("Signed on:")), " ", VerifyState.sig.signed_on,
                    rx.cond(VerifyState.sig.method == "paper", rx.fragment(" ", t("(on paper)")), "")),
            rx.text(rx.text.strong(t("SHA-256 hash:")), " ", rx.code(VerifyState.sig.content_hash), size="1",
                    style={"word_break": "break-all"}),
            spacing="2", align="start")),
        spacing="3", align="stretch"), max_width="560px", width="100%"), padding="2em 1em", min_height="100vh")


def add_pages(app: rx.App) -> None:
    """Register this feature's pages (and who may open paper-signature scans)."""
    ui_files.register(service.SCAN_PURPOSE, service.may_read_scan)
    private_page(app, my_commitments_page, route=routes.COMMITMENTS, title=N_("My commitments"),
                 load=MyCommitmentsState.load)
    private_page(app, sign_page, route=routes.SIGN, title=N_("Sign my commitment"), load=SignState.load)
    private_page(app, campaigns_page, route=routes.CAMPAIGNS, title=N_("Commitment campaigns"),
                 load=CampaignsState.load)
    public_page(app, verify_page, route=routes.VERIFY, title=N_("Verify a commitment"), load=VerifyState.load)
