"""Pages of nominations (issue 15): the list with the "new nomination" form, the dossier of one
nomination (nominees, evidence, achievement reports, attachments, history, public comments and
the actions of the proposer and of the officers), and the public notice anyone may comment on.

Phone first: cards stack in one column on a narrow screen, each nominee is a card of its own, and
the few tables scroll sideways inside their card. Attachments are links to the authorised
``/files/<id>`` route, never to ``/_upload``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engagement.commendations import nominations, rules
from engagement.commendations.nomination_state import (
    APPRAISAL_CHOICES,
    LONG_FIELD,
    OCCASION_CHOICES,
    STATUS_CHOICES,
    UPLOAD_ID,
    DossierState,
    FileLink,
    NominationsState,
    NomineeCard,
    NoticeLink,
    NoticeState,
)
from engagement.commendations.nominations import CommentRow, EventRow, NominationRow, NoticeNominee, ReportField
from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.settings import get_settings
from engagement.ui import files as ui_files
from engagement.ui import forms
from engagement.ui.auth import AuthState
from engagement.ui.components import card, error_callout, field, named_upload, page_title, pager
from engagement.ui.i18n import LangState, t
from engagement.ui.kit import limited_text, private_page, public_page
from engagement.ui.layout import language_switch, shell

# --- small pieces -------------------------------------------------------------------------------


def _text_box(label: Any, name: str, limit: int, *, form: str, default: Any = "", rows: str = "3",
              required: bool = False, placeholder: Any = "") -> rx.Component:
    """A long text with its ``n/limit`` counter: no ``max_length``, which would cut a paste silently
    (the service refuses longer text, naming the field and the limit)."""
    return limited_text(label, name, limit, form=form, multiline=True, rows=rows, default_value=default,
                        required=required, placeholder=placeholder)


_STATUS_COLORS = ((rules.DRAFT, "gray"), (rules.SUBMITTED, "blue"), (rules.RECEIVED, "cyan"),
                  (rules.RETURNED, "amber"), (rules.APPRAISED, "teal"), (rules.NOTICE, "violet"),
                  (rules.COUNCIL, "indigo"), (rules.DECIDED, "green"), (rules.PROPOSED, "green"),
                  (rules.CLOSED, "red"))
_ELIGIBILITY_COLORS = ((rules.ELIGIBLE, "green"), (rules.MISSING, "amber"), (rules.EXCLUDED, "gray"),
                       (rules.HELD, "red"))


def _status_badge(status: rx.Var, label: rx.Var, **props) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *_STATUS_COLORS, "gray"), custom_attrs={"data-status": status},
                    **props)


# --- 1. the list ----------------------------------------------------------------------------------


def _row(r: NominationRow) -> rx.Component:
    return rx.link(rx.card(rx.vstack(
        rx.flex(
            rx.text(rx.text.strong(r.title), " ", r.year, " · ", r.unit_name, size="3", flex="1", min_width="0"),
            _status_badge(r.status, r.status_label),
            gap="2", align="center", wrap="wrap", width="100%"),
        rx.text(rx.cond(r.reference != "", r.reference, t("No. {id}", id=r.id)), " · ",
                t("{n} nominee(s)", n=r.nominees), " · ", t("version {n}", n=r.version), size="2",
                color_scheme="gray"),
        rx.flex(
            rx.cond(r.due_on != "", rx.badge(t("Appraise by {day}", day=r.due_on),
                                             color_scheme=rx.cond(r.overdue, "red", "gray"), variant="soft")),
            rx.text(t("Changed {moment}", moment=r.updated_at), size="1", color_scheme="gray"),
            gap="2", align="center", wrap="wrap"),
        spacing="1", align="stretch", width="100%"), width="100%"),
        href=routes.COMMENDATION_NOMINATIONS + "/" + r.id.to_string(), underline="none", width="100%",
        class_name="nomination-row", id="nomination-" + r.id.to_string())


def _new_dialog() -> rx.Component:
    S = NominationsState
    return forms.dialog(
        S.dialog == "new", S.close_dialog, t("New nomination"),
        rx.text(t("The proposing unit proposes people and units of its own subtree; the dossier opens next, to "
                  "add the nominees."), size="2"),
        error_callout(S.form_error),
        rx.form(rx.vstack(
            forms.grid(forms.options(t("Year"), "year", S.years, default=S.default_year),
                  forms.options(t("Proposing unit"), "unit_id", S.units)),
            forms.options(t("Title or form of commendation"), "title_id", S.titles),
            forms.grid(forms.choice(t("Commendation for"), "occasion", OCCASION_CHOICES, default="year"),
                  limited_text(t("Movement, campaign or achievement"), "occasion_ref", rules.OCCASION_REF_MAX,
                               form="nomination-new", hint=t("Required unless it is for the year's results"))),
            limited_text(t("Reference of the proposal (tờ trình)"), "reference", rules.REFERENCE_MAX,
                         form="nomination-new", placeholder=t("e.g. 12/TTr-SNV")),
            _text_box(t("Summary"), "summary", rules.SUMMARY_MAX, form="nomination-new",
                      placeholder=t("What the proposal is about")),
            rx.button(t("Start the nomination"), type="submit", width="fit-content", id="nomination-create"),
            spacing="3", align="stretch"), on_submit=S.create, key=S.form_key.to_string() + "-new"),
    )


def nominations_page() -> rx.Component:
    """Unit heads (their units) and officers (everything): the nominations and a new one."""
    S = NominationsState
    return shell(
        page_title(t("Nominations"), t("Proposals for titles and forms of commendation, from the draft to the "
                                       "council.")),
        error_callout(S.error),
        rx.flex(
            rx.box(forms.labelled(t("Status"), rx.el.select(
                rx.el.option(t("Every status"), value=""),
                *[rx.el.option(t(label), value=code) for code, label in STATUS_CHOICES.items()],
                value=S.status, on_change=S.select_status, name="status", class_name="native-select",
                id="nomination-status")), width=["100%", "16em"]),
            rx.el.label(rx.hstack(rx.switch(checked=S.mine, on_change=S.set_mine, id="nomination-mine"),
                                  rx.text(t("Only the ones I started"), size="2"), align="center", spacing="2")),
            rx.spacer(),
            rx.cond(AuthState.can_nominate & (S.units.length() > 0),
                    rx.button(rx.icon("plus", size=16), t("New nomination"), on_click=S.open_new,
                              id="nomination-new")),
            gap="3", align="end", wrap="wrap", width="100%", margin_bottom="1em"),
        rx.cond((S.total == 0) & (S.error == ""), forms.empty(N_("No nomination matches."))),
        rx.grid(rx.foreach(S.rows, _row), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
                id="nominations-list"),
        rx.cond(S.pages > 1, pager(S.page, S.pages, S.total, S.prev_page, S.next_page)),
        _new_dialog(),
    )


# --- 2. the dossier ------------------------------------------------------------------------------


def _header() -> rx.Component:
    S = DossierState
    return card(
        rx.flex(
            rx.vstack(
                rx.heading(S.title, " ", S.year, " – ", S.title_name, size="5", id="dossier-title"),
                rx.text(S.unit_name, rx.cond(S.reference != "", rx.fragment(" · ", S.reference)), size="2",
                        color_scheme="gray"),
                spacing="1", align="start", flex="1", min_width="0"),
            _status_badge(S.status, S.status_label, size="2", id="dossier-status"),
            gap="3", width="100%", direction=rx.breakpoints(initial="column", sm="row"), align="start"),
        rx.grid(
            forms.fact(t("Commendation for"), rx.cond(S.occasion_ref != "", S.occasion_label + ": " + S.occasion_ref,
                                    S.occasion_label)),
            forms.fact(t("Version submitted"), rx.cond(S.version > 0, S.version.to_string(), t("Not submitted yet"))),
            rx.cond(S.due_on != "", forms.fact(t("Appraisal due by"), S.due_on)),
            columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%"),
        rx.cond(S.summary != "", rx.text(S.summary, size="2", white_space="pre-wrap")),
    )


def _actions() -> rx.Component:
    S = DossierState
    return rx.cond(
        S.may_submit | S.may_receive | S.may_return | S.may_publish | S.may_close | S.may_upward,
        card(
            error_callout(S.action_error),
            rx.flex(
                rx.cond(S.may_submit, rx.button(rx.icon("send", size=16), t("Submit to the officers"),
                                                on_click=S.submit, id="dossier-submit")),
                rx.cond(S.may_receive, rx.button(rx.icon("inbox", size=16), t("Receive as complete"),
                                                 on_click=S.receive, id="dossier-receive")),
                rx.cond(S.may_return, rx.button(rx.icon("undo_2", size=16), t("Return for completion"),
                                                variant="soft", color_scheme="amber", on_click=S.open_return,
                                                id="dossier-return")),
                rx.cond(S.may_publish, rx.button(rx.icon("megaphone", size=16), t("Publish a public notice"),
                                                 on_click=S.open_publish, id="dossier-publish")),
                rx.cond(S.may_close, rx.button(rx.icon("archive", size=16), t("Close without an award"),
                                               variant="soft", color_scheme="red", on_click=S.open_close,
                                               id="dossier-close")),
                rx.cond(S.may_upward, rx.button(rx.icon("download", size=16),
                                                t("Download the dossier sent to the higher level"), variant="soft",
                                                on_click=S.download_upward, id="dossier-upward")),
                gap="2", wrap="wrap"),
            rx.cond(S.may_submit, rx.text(
                t("Every nominee must be eligible (or have an officer's override) and have a complete report."),
                size="1", color_scheme="gray")),
        ))


def _notice_link(n: NoticeLink) -> rx.Component:
    return rx.flex(
        rx.link(rx.icon("external_link", size=14), " ", n.title, href=n.url, is_external=True,
                class_name="notice-link"),
        rx.text(t("{opens} – {closes}", opens=n.opens_on, closes=n.closes_on), size="1", color_scheme="gray"),
        rx.cond(n.is_open, rx.badge(t("Open for comments"), color_scheme="green"),
                rx.badge(t("Closed"), color_scheme="gray")),
        gap="2", align="center", wrap="wrap")


def _notices() -> rx.Component:
    S = DossierState
    return rx.cond(S.notices.length() > 0, card(
        forms.heading(N_("Public notice")),
        rx.text(t("Anyone with the link may read the notice and comment while it is open."), size="2",
                color_scheme="gray"),
        rx.foreach(S.notices, _notice_link), id="dossier-notices"))


def _file(f: FileLink) -> rx.Component:
    return rx.flex(
        rx.icon(rx.cond(f.is_image, "image", "file_text"), size=16),
        rx.link(f.label, href=f.url, is_external=True, size="2", class_name="dossier-file"),
        rx.text(f.filename, " · ", f.size, size="1", color_scheme="gray"),
        gap="2", align="center", wrap="wrap")


def _eligibility(n: NomineeCard) -> rx.Component:
    S = DossierState
    return rx.vstack(
        rx.flex(
            rx.badge(n.eligibility_label, color_scheme=rx.match(n.eligibility, *_ELIGIBILITY_COLORS, "gray"),
                     custom_attrs={"data-eligibility": n.eligibility}, class_name="eligibility-badge"),
            rx.cond(n.appraisal != "", rx.badge(n.appraisal_label, variant="outline",
                                                color_scheme=rx.cond(n.appraisal == rules.APPRAISED_ELIGIBLE,
                                                                     "green", "red"))),
            rx.cond(S.may_override & n.may_override,
                    rx.button(t("Override this criterion"), size="1", variant="soft", color_scheme="amber",
                              on_click=S.open_override(n.id), class_name="override-button")),
            gap="2", align="center", wrap="wrap"),
        rx.cond(n.reasons.length() > 0, forms.lines(n.reasons)),
        rx.cond(n.override_reason != "", rx.callout(t("Overridden by an officer: {reason}", reason=n.override_reason),
                                                    icon="info", size="1", color_scheme="amber")),
        rx.cond(n.appraisal_note != "", rx.text(t("Appraisal note: {note}", note=n.appraisal_note), size="2")),
        spacing="2", align="stretch", width="100%")


def _evidence(n: NomineeCard) -> rx.Component:
    return rx.el.details(
        rx.el.summary(t("Evidence the app holds"), style={"cursor": "pointer"}),
        rx.grid(rx.foreach(n.facts, lambda fact: forms.fact(fact.label, fact.value)),
                columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%", margin_top="0.5em"),
        rx.text(t("Initiatives"), size="1", color_scheme="gray", margin_top="0.5em"),
        rx.cond(n.initiatives.length() > 0, forms.lines(n.initiatives), forms.empty(N_("None recorded."))),
        rx.text(t("Titles held before"), size="1", color_scheme="gray", margin_top="0.5em"),
        rx.cond(n.prior_titles.length() > 0, forms.lines(n.prior_titles), forms.empty(N_("None recorded."))),
        class_name="nominee-evidence")


def _report_input(fld: ReportField, nominee_id: rx.Var) -> rx.Component:
    # A counter, not ``max_length`` (which cuts a paste silently); ids unique per nominee.
    form = "report-" + nominee_id.to_string()
    return rx.cond(
        fld.max_length > LONG_FIELD,
        limited_text(fld.label, fld.name, fld.max_length, form=form, multiline=True, rows="4",
                     default_value=fld.value),
        limited_text(fld.label, fld.name, fld.max_length, form=form, default_value=fld.value))


def _report_line(fld: ReportField) -> rx.Component:
    return rx.cond(fld.value != "", rx.box(rx.text(fld.label, size="1", color_scheme="gray"),
                                           rx.text(fld.value, size="2", white_space="pre-wrap")))


def _report(n: NomineeCard) -> rx.Component:
    S = DossierState
    return rx.el.details(
        rx.el.summary(t("Achievement report"),
                      rx.cond(n.report_missing.length() > 0,
                              rx.badge(t("incomplete"), color_scheme="amber", margin_left="0.5em")),
                      style={"cursor": "pointer"}),
        rx.cond(n.report_missing.length() > 0,
                rx.text(t("Still missing:"), " ", n.report_missing.join(", "), size="2", color_scheme="amber")),
        rx.cond(
            S.can_edit,
            rx.form(rx.vstack(
                rx.el.input(type="hidden", name="nominee_id", value=n.id.to_string()),
                rx.foreach(n.report, lambda fld: _report_input(fld, n.id)),
                rx.cond(S.report_error_id == n.id, error_callout(S.report_error)),
                rx.button(t("Save the report"), type="submit", width="fit-content", class_name="report-save"),
                spacing="3", align="stretch", margin_top="0.5em"),
                on_submit=S.save_report, key=S.form_key.to_string() + "-r-" + n.id.to_string()),
            rx.vstack(rx.foreach(n.report, _report_line), spacing="2", align="stretch", margin_top="0.5em")),
        open=n.report_missing.length() > 0, class_name="nominee-report")


def _nominee(n: NomineeCard) -> rx.Component:
    S = DossierState
    return rx.card(rx.vstack(
        rx.flex(
            rx.vstack(rx.heading(n.name, size="4"), rx.text(n.unit_name, size="2", color_scheme="gray"),
                      spacing="0", align="start", flex="1", min_width="0"),
            rx.cond(S.can_edit, rx.button(rx.icon("x", size=14), t("Take out"), size="1", variant="soft",
                                          color_scheme="red", on_click=S.remove_nominee(n.id),
                                          class_name="nominee-remove")),
            gap="2", align="start", width="100%"),
        _eligibility(n),
        _evidence(n),
        _report(n),
        rx.cond(n.files.length() > 0, rx.vstack(rx.text(t("Attachments"), size="1", color_scheme="gray"),
                                                rx.foreach(n.files, _file), spacing="1", align="stretch")),
        spacing="3", align="stretch", width="100%"), width="100%", class_name="nominee-card",
        id="nominee-" + n.id.to_string())


def _picker() -> rx.Component:
    """A search box for the people of the proposing unit, the ones found as buttons."""
    S = DossierState
    return rx.vstack(
        forms.labelled(t("Find a person of the proposing unit"), rx.input(
            value=S.search_text, on_change=S.set_search_text.debounce(300), id="nominee-search",
            placeholder=t("Type a name or an employee code"), width="100%")),
        rx.cond(S.search_results.length() > 0, rx.flex(rx.foreach(S.search_results, lambda o: rx.button(
            rx.icon("plus", size=12), o.label, size="1", variant="outline", type="button", on_click=S.pick(o.value),
            class_name="person-option",
            style={"white_space": "normal", "height": "auto", "max_width": "100%", "text_align": "left",
                   "padding_y": "0.25em"})), wrap="wrap", gap="2")),
        rx.cond(S.picked.length() > 0, rx.flex(
            rx.foreach(S.picked, lambda o: rx.badge(o.label, size="2", class_name="person-picked",
                                                    style={"white_space": "normal", "max_width": "100%"})),
            rx.button(t("Propose"), on_click=S.add_person, id="nominee-add"),
            wrap="wrap", gap="2", align="center")),
        spacing="2", align="stretch", width="100%")


def _add_nominee() -> rx.Component:
    S = DossierState
    return rx.cond(S.can_edit, card(
        forms.heading(N_("Add a nominee")),
        error_callout(S.nominee_error),
        rx.cond(
            S.subject == rules.COLLECTIVE,
            rx.form(rx.flex(
                rx.box(forms.options(t("Unit"), "unit_id", S.unit_choices), flex="1", width="100%"),
                rx.button(t("Propose"), type="submit", id="nominee-add-unit"),
                gap="3", align="end", width="100%", direction=rx.breakpoints(initial="column", sm="row")),
                on_submit=S.add_unit, key=S.form_key.to_string() + "-unit"),
            _picker()),
        rx.text(t("Their eligibility and the evidence are read at once; someone on hold cannot be proposed."),
                size="1", color_scheme="gray"),
        id="dossier-add"))


def _appraisal_row(n: NomineeCard) -> rx.Component:
    return rx.box(
        rx.text(n.name, weight="medium", size="2"),
        forms.grid(
            forms.labelled(t("Outcome"), rx.el.select(
                rx.el.option(t("Choose…"), value=""),
                *[rx.el.option(t(label), value=code) for code, label in APPRAISAL_CHOICES.items()],
                name="outcome_" + n.id.to_string(), required=True, class_name="native-select")),
            forms.labelled(t("Note"), rx.input(name="note_" + n.id.to_string(), width="100%",
                                          placeholder=t("Required when not eligible")))),
        width="100%", class_name="appraisal-row")


def _appraisal() -> rx.Component:
    S = DossierState
    return rx.cond(S.may_appraise, card(
        forms.heading(N_("Appraisal")),
        rx.text(t("Give each nominee's outcome; say why for anyone not eligible, so the proposer knows."), size="2",
                color_scheme="gray"),
        rx.form(rx.vstack(
            rx.foreach(S.nominees, _appraisal_row),
            rx.button(t("Record the appraisal"), type="submit", width="fit-content", id="dossier-appraise"),
            spacing="3", align="stretch"), on_submit=S.appraise, key=S.form_key.to_string() + "-a"),
        id="dossier-appraisal"))


def _attachments() -> rx.Component:
    S = DossierState
    return card(
        forms.heading(N_("Attachments")),
        rx.cond((S.files.length() == 0) & ~S.can_edit, forms.empty(N_("No attachment."))),
        rx.foreach(S.files, _file),
        rx.cond(S.can_edit, rx.vstack(
            named_upload(rx.upload(
                rx.vstack(rx.icon("file_up", size=28), rx.text(t("Drop a PDF or an image here or tap to choose"),
                                                                 size="2"),
                          rx.text(rx.selected_files(UPLOAD_ID), size="1", color_scheme="gray"), align="center"),
                id=UPLOAD_ID, max_files=1, multiple=False,
                accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
                        "image/webp": [".webp"]},
                on_drop=S.keep_upload(rx.upload_files(upload_id=UPLOAD_ID)),
                border="2px dashed var(--gray-6)", padding="1.2em", border_radius="12px", width="100%"),
                    t("Drop a PDF or an image here or tap to choose")),
            rx.cond(S.upload_info != "", rx.flex(
                rx.text(S.upload_info, size="2", id="upload-info"),
                rx.button(t("Forget it"), size="1", variant="soft", color_scheme="gray", on_click=S.forget_upload),
                gap="2", align="center", wrap="wrap")),
            error_callout(S.file_error),
            rx.form(rx.vstack(
                forms.grid(limited_text(t("Label"), "label", rules.FILE_LABEL_MAX, form="attach",
                                        placeholder=t("e.g. Minutes of the unit's meeting")),
                      forms.options(t("About"), "nominee_id", S.attach_targets, required=False,
                               first=t("The whole dossier"))),
                rx.button(rx.icon("paperclip", size=16), t("Attach"), type="submit", width="fit-content",
                          disabled=S.upload_info == "", id="dossier-attach"),
                spacing="3", align="stretch"), on_submit=S.attach, key=S.form_key.to_string() + "-f"),
            rx.text(t("PDF or images only, checked from their content; only those who may see the dossier can open "
                      "them."), size="1", color_scheme="gray"),
            spacing="3", align="stretch", width="100%")),
        id="dossier-files")


def _event(e: EventRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.at), rx.table.cell(rx.cond(e.from_label != "", e.from_label + " → ", ""), e.to_label),
        rx.table.cell(e.actor_name), rx.table.cell(e.reason), rx.table.cell(e.version))


def _history() -> rx.Component:
    S = DossierState
    return card(
        forms.heading(N_("History")),
        forms.scroll(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("When"), N_("Status"), N_("By"), N_("Reason"), N_("Version"))])),
            rx.table.body(rx.foreach(S.events, _event)), size="1", width="100%", min_width="640px",
            id="dossier-events")),
        rx.cond(S.versions.length() > 0, rx.vstack(
            rx.text(t("Versions submitted (each kept with its SHA-256)"), size="1", color_scheme="gray"),
            rx.foreach(S.versions, lambda v: rx.text(
                t("Version {n} · {moment}", n=v.version, moment=v.submitted_at), " · ",
                rx.code(v.sha256, size="1", style={"wordBreak": "break-all"}), size="2", class_name="dossier-version")),
            spacing="1", align="stretch")),
    )


def _comment(c: CommentRow) -> rx.Component:
    S = DossierState
    return rx.box(
        rx.text(rx.text.strong(rx.cond(c.name != "", c.name, t("Anonymous"))),
                rx.cond(c.contact != "", rx.fragment(" · ", c.contact)), " · ", c.created_at,
                rx.cond(c.nominee_name != "", rx.fragment(" · ", t("about {name}", name=c.nominee_name))),
                size="2"),
        rx.text(c.text, size="2", white_space="pre-wrap"),
        rx.cond(
            c.answered_at != "",
            rx.callout(t("Answered {moment}: {answer}", moment=c.answered_at, answer=c.answer), icon="check", size="1",
                       color_scheme="green"),
            rx.cond(S.can_process, rx.form(rx.flex(
                rx.el.input(type="hidden", name="comment_id", value=c.id.to_string()),
                rx.box(rx.text_area(name="answer", rows="2", width="100%", required=True,
                                    placeholder=t("The answer, recorded with the dossier")), flex="1", width="100%"),
                rx.button(t("Answer"), type="submit", class_name="comment-answer"),
                gap="2", align="end", width="100%", direction=rx.breakpoints(initial="column", sm="row")),
                on_submit=S.answer, key=S.form_key.to_string() + "-c-" + c.id.to_string()),
                rx.badge(t("Not answered yet"), color_scheme="amber"))),
        padding_y="0.5em", border_bottom="1px solid var(--gray-4)", width="100%", class_name="dossier-comment")


def _comments() -> rx.Component:
    S = DossierState
    return rx.cond(S.comments.length() > 0, card(
        forms.heading(N_("Public comments")),
        rx.cond(S.unanswered > 0, rx.text(t("{n} comment(s) still to answer: the council cannot open before.",
                                            n=S.unanswered), size="2", color_scheme="amber")),
        error_callout(S.comment_error),
        rx.foreach(S.comments, _comment), id="dossier-comments"))


def _reason_dialog(name: str, title: Msg, intro: Msg, button: Msg, on_submit: Any, *, color: str = "amber",
                   placeholder: Msg | None = None) -> rx.Component:
    S = DossierState
    return forms.dialog(
        S.dialog == name, S.close_dialog, t(title),
        rx.text(t(intro), size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            _text_box(t("Reason"), "reason", rules.MOVE_REASON_MAX, form=name, required=True,
                      placeholder=t(placeholder) if placeholder else ""),
            rx.button(t(button), type="submit", color_scheme=color, width="fit-content", id=f"{name}-submit"),
            spacing="3", align="stretch"), on_submit=on_submit, key=S.form_key.to_string() + "-" + name))


def _override_dialog() -> rx.Component:
    S = DossierState
    return forms.dialog(
        S.dialog == "override", S.close_dialog, t("Override one criterion"),
        rx.text(t("The nominee misses exactly one criterion; your reason stays on the dossier and in every later "
                  "version."), size="2"),
        forms.lines(S.dialog_reasons),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            _text_box(t("Reason"), "reason", rules.MOVE_REASON_MAX, form="override", required=True),
            rx.button(t("Override"), type="submit", color_scheme="amber", width="fit-content", id="override-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_override, key=S.form_key.to_string() + "-o"),
        subtitle=S.dialog_label)


def _publish_dialog() -> rx.Component:
    S = DossierState
    return forms.dialog(
        S.dialog == "publish", S.close_dialog, t("Publish a public notice"),
        rx.text(t("The nominees appraised eligible are listed on a public page (name, unit, title, summary) that "
                  "anyone may comment on; it opens today."), size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            limited_text(t("Title of the notice"), "title", rules.NOTICE_TITLE_MAX, form="publish", required=True,
                         default_value=S.notice_title),
            rx.box(field(t("Open for (working days)"), "days", type="number", required=True,
                         default_value=S.notice_days, min="1", max="30"), width=["100%", "12em"]),
            rx.button(t("Publish"), type="submit", width="fit-content", id="publish-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_publish, key=S.form_key.to_string() + "-p"))


def _dossier_body() -> rx.Component:
    S = DossierState
    return rx.vstack(
        _header(),
        _actions(),
        _notices(),
        rx.heading(t("Nominees"), size="5", margin_top="0.5em"),
        rx.cond(S.nominees.length() == 0, forms.empty(N_("No nominee yet."))),
        rx.grid(rx.foreach(S.nominees, _nominee), columns=rx.breakpoints(initial="1", lg="2"), spacing="3",
                width="100%", id="dossier-nominees"),
        _add_nominee(),
        _appraisal(),
        _attachments(),
        _comments(),
        _history(),
        spacing="4", align="stretch", width="100%")


def dossier_page() -> rx.Component:
    """One nomination's dossier, for the proposer, the officers and (while on the agenda) the council."""
    S = DossierState
    return shell(
        rx.link(rx.icon("arrow_left", size=14), " ", t("All nominations"), href=routes.COMMENDATION_NOMINATIONS,
                size="2"),
        error_callout(S.error),
        rx.cond(S.found, _dossier_body()),
        _reason_dialog("return", N_("Return for completion"),
                       N_("Say what the proposer must complete or correct; they are told at once."),
                       N_("Return the dossier"), S.submit_return,
                       placeholder=N_("e.g. Add the minutes of the unit's meeting")),
        _override_dialog(),
        _publish_dialog(),
        _reason_dialog("close", N_("Close without an award"),
                       N_("The nomination ends here; the reason stays on the dossier."), N_("Close the nomination"),
                       S.submit_close, color="red"),
    )


# --- 3. the public notice ------------------------------------------------------------------------


def _notice_nominee(n: NoticeNominee) -> rx.Component:
    return rx.box(
        rx.text(rx.text.strong(n.name), " · ", n.unit_name, size="3"),
        rx.text(n.title, size="2", color_scheme="gray"),
        rx.cond(n.summary != "", rx.text(n.summary, size="2", white_space="pre-wrap")),
        padding_y="0.6em", border_bottom="1px solid var(--gray-4)", width="100%", class_name="notice-nominee")


def _comment_form() -> rx.Component:
    S = NoticeState
    return rx.form(
        rx.vstack(
            forms.heading(N_("Your comment")),
            error_callout(S.error),
            forms.options(t("About"), "nominee_id", S.choices, required=False, first=t("The whole list")),
            _text_box(t("Comment"), "text", rules.COMMENT_MAX, form="notice", required=True, rows="4"),
            forms.grid(limited_text(t("Your name (optional)"), "name", rules.COMMENTER_MAX, form="notice"),
                  limited_text(t("Phone or e-mail (optional)"), "contact", rules.CONTACT_MAX, form="notice",
                        hint=t("Only the emulation officers see it, to answer you."))),
            rx.button(t("Send"), type="submit", size="3", loading=S.busy, id="notice-submit"),
            spacing="3", align="stretch"),
        on_submit=S.submit, reset_on_submit=False, key=S.form_key.to_string(), width="100%")


def notice_page() -> rx.Component:
    """The public notice of nominees: no login; comments while it is open, read-only afterwards."""
    S = NoticeState
    return rx.center(
        rx.card(
            rx.vstack(
                rx.flex(rx.hstack(rx.icon("megaphone", color=rx.color("accent", 9)),
                                  rx.heading(get_settings().org_name, size="4"), align="center"),
                        rx.spacer(), language_switch(LangState.choose_public), align="center", width="100%",
                        gap="2"),
                rx.cond(
                    ~S.found,
                    rx.callout(t("This notice does not exist. Check the address you were given."),
                               icon="triangle_alert", color_scheme="orange", id="notice-missing"),
                    rx.vstack(
                        rx.heading(S.title, size="5", id="notice-title"),
                        rx.flex(
                            rx.text(t("From {opens} to {closes}", opens=S.opens_on, closes=S.closes_on), size="2"),
                            rx.cond(S.is_open, rx.badge(t("Open for comments"), color_scheme="green"),
                                    rx.badge(t("Closed for comments"), color_scheme="gray")),
                            gap="2", align="center", wrap="wrap"),
                        rx.text(t("The people and units proposed for a title or a form of commendation. Anyone may "
                                  "comment while the notice is open; every comment is answered."), size="2",
                                color_scheme="gray"),
                        rx.vstack(rx.foreach(S.nominees, _notice_nominee), spacing="0", width="100%",
                                  id="notice-nominees"),
                        rx.cond(
                            S.is_open,
                            rx.cond(S.done,
                                    rx.vstack(rx.callout(S.done_message, icon="check", color_scheme="green",
                                                         id="notice-done"),
                                              rx.button(t("Write another comment"), variant="soft",
                                                        on_click=S.write_another, width="fit-content"),
                                              spacing="2", align="stretch"),
                                    _comment_form()),
                            rx.text(t("Comments are closed."), size="2", color_scheme="gray")),
                        spacing="3", align="stretch", width="100%"),
                ),
                spacing="4", align="stretch",
            ),
            width="100%", max_width="720px", padding="1.5em",
        ),
        min_height="100vh", padding="1em",
    )


# --- registration ----------------------------------------------------------------------------


def add_pages(app: rx.App) -> None:
    """Register the nomination pages, the public notice, and the attachments' reader of /files."""
    ui_files.register(nominations.NOMINATION_FILE, nominations.may_see_nomination_file)
    private_page(app, nominations_page, route=routes.COMMENDATION_NOMINATIONS, title=N_("Nominations"),
                 load=NominationsState.load)
    private_page(app, dossier_page, route=routes.COMMENDATION_NOMINATION, title=N_("Nomination dossier"),
                 load=DossierState.load)
    public_page(app, notice_page, route=routes.NOTICE, title=N_("Public notice"), load=NoticeState.load)
