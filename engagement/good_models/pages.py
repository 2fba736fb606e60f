"""Pages of the register of good models: the register, a unit's models, the officers' decisions."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.good_models import queries, rules
from engagement.good_models.dto import AdoptionRow, FileRow, ModelRow, ResultRow
from engagement.good_models.state import RESULT_ROWS, UPLOAD_ID, OfficerModelsState, RegisterState, UnitModelsState
from engagement.ui import files as ui_files
from engagement.ui.auth import AuthState
from engagement.ui.components import card, error_callout, field, page_title, pager, select_field
from engagement.ui.i18n import t, t_n
from engagement.ui.kit import limited_text, private_page
from engagement.ui.layout import shell


def _status(row: ModelRow) -> rx.Component:
    return rx.badge(row.status_label, color_scheme=rx.match(
        row.status, ("published", "green"), ("recognised", "blue"), ("returned", "red"), "amber"))


def _meta(row: ModelRow) -> rx.Component:
    return rx.text(row.unit_name, " · ", row.year, " · ", row.field_label, size="2", color_scheme="gray")


def _replication(row: ModelRow) -> rx.Component:
    return rx.text(t_n("Replicated in {n} unit", "Replicated in {n} units", row.adoptions), " · ",
                   t_n("{n} result reported", "{n} results reported", row.reported), size="1", color_scheme="gray")


def _area(label: rx.Var | str, name: str, limit: int, *, form: str, default_value: rx.Var | str = "",
          required: bool = False, placeholder: rx.Var | str = "") -> rx.Component:
    """A long text with its ``n/limit`` counter (the service refuses longer text, naming the field)."""
    return limited_text(label, name, limit, form=form, multiline=True, rows="4", default_value=default_value,
                        required=required, placeholder=placeholder)


def _result_inputs() -> rx.Component:
    rows = [rx.grid(
        rx.input(name=f"r{i}_indicator", placeholder=t("Indicator, e.g. days to settle a dossier"), width="100%"),
        rx.input(name=f"r{i}_before", placeholder=t("Before"), input_mode="decimal", width="100%"),
        rx.input(name=f"r{i}_after", placeholder=t("After"), input_mode="decimal", width="100%"),
        rx.input(name=f"r{i}_measure", placeholder=t("Unit, e.g. days"), width="100%"),
        columns=rx.breakpoints(initial="1", sm="4"), spacing="2", width="100%") for i in range(1, RESULT_ROWS + 1)]
    return rx.vstack(rx.text(t("Measured results (before and after)"), size="2", weight="medium"), *rows,
                     spacing="2", width="100%")


def _upload(state) -> rx.Component:
    return rx.vstack(
        rx.upload(
            rx.vstack(rx.icon("paperclip", size=22),
                      rx.text(t("Photos or documents: drop them here or tap to choose"), size="2"),
                      rx.text(t("JPEG, PNG, WebP or PDF, up to {mb} MB each. Location data is removed from photos.",
                                mb=10), size="1", color_scheme="gray"),
                      align="center", spacing="1"),
            id=UPLOAD_ID, multiple=True, max_files=rules.MAX_FILES,
            accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"],
                    "application/pdf": [".pdf"]},
            on_drop=state.attach(rx.upload_files(upload_id=UPLOAD_ID)),
            border=f"2px dashed {rx.color('gray', 6)}", padding="1em", border_radius="12px", width="100%"),
        rx.cond(state.files_info != "", rx.hstack(
            rx.text(state.files_info, size="2", id="files-info"),
            rx.button(t("Remove"), size="1", variant="ghost", type="button", on_click=state.clear_files))),
        width="100%", spacing="1")


# --- the register ------------------------------------------------------------------------------------


def _model_card(row: ModelRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.link(rx.heading(row.title, size="4"), on_click=RegisterState.open_model(row.id), cursor="pointer",
                id="model-" + row.id.to_string()),
        _meta(row),
        rx.text(row.summary, size="2"),
        rx.cond(row.decision != "", rx.text(t("Decision {ref}", ref=row.decision), size="1")),
        _replication(row),
        spacing="2", align="start"), width="100%")


def _result_table(rows: rx.Var, with_where: bool = False) -> rx.Component:
    def line(r: ResultRow) -> rx.Component:
        cells = [rx.table.cell(r.where)] if with_where else []
        return rx.table.row(*cells, rx.table.cell(r.indicator), rx.table.cell(r.before, " ", r.measure),
                            rx.table.cell(r.after, " ", r.measure), rx.table.cell(r.change))

    heads = [t("Unit")] if with_where else []
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                       [*heads, t("Indicator"), t("Before"), t("After"), t("Change")]])),
        rx.table.body(rx.foreach(rows, line)), size="1", width="100%")


def _attachment(a: FileRow) -> rx.Component:
    return rx.cond(a.is_image,
                   rx.link(rx.image(src=a.url, alt=a.name, height="90px", border_radius="6px"), href=a.url,
                           is_external=True),
                   rx.link(rx.hstack(rx.icon("file_text", size=16), rx.text(a.name, size="2")), href=a.url,
                           is_external=True))


def _adoption_line(a: AdoptionRow) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(a.unit_name, weight="medium"), rx.badge(a.status_label), align="center"),
        rx.text(t("From {first} for {months} month(s), report due {due}", first=a.starts_on, months=a.months,
                  due=a.due_on), size="1", color_scheme="gray"),
        rx.cond(a.effects != "", rx.text(a.effects, size="2")),
        rx.cond(a.report != "", rx.text(a.report, size="2", color_scheme="gray")),
        padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%")


def _adopt_form() -> rx.Component:
    s = RegisterState
    return rx.cond(s.may_adopt & (s.acting.length() > 0), rx.form(
        rx.vstack(
            rx.heading(t("Adopt this model in my unit"), size="3"),
            select_field(t("Unit"), "unit_id", s.acting, required=True),
            rx.grid(field(t("Start date"), "starts_on", type="date", required=True, default_value=s.today),
                    field(t("Planned period (months)"), "months", type="number", required=True, default_value="6"),
                    columns="2", spacing="3", width="100%"),
            limited_text(t("How the unit will apply it"), "plan", rules.PLAN_MAX, form="adopt", multiline=True,
                         rows="2", placeholder=t("optional")),
            error_callout(s.adopt_error),
            rx.button(t("Adopt"), type="submit", width="fit-content", id="adopt-submit"),
            spacing="2", align="stretch", width="100%"),
        on_submit=s.adopt, reset_on_submit=False))


def _model_dialog(s=RegisterState) -> rx.Component:
    """The model's page in a dialog; the adoption form only on the register (``RegisterState``)."""
    adopt = rx.fragment() if s is not RegisterState else _adopt_form()
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(s.shown.title),
        rx.vstack(
            rx.hstack(_status(s.shown), _meta(s.shown), align="center", wrap="wrap"),
            rx.text(s.summary, white_space="pre-wrap"),
            rx.cond(s.evidence != "", rx.box(rx.text(t("Evidence"), weight="medium", size="2"),
                                              rx.text(s.evidence, size="2", white_space="pre-wrap"))),
            rx.cond(s.shown.decision != "", rx.text(t("Recognised by decision {ref}", ref=s.shown.decision), size="2")),
            rx.cond(s.initiative != "", rx.text(t("Initiative: {name}", name=s.initiative), size="2")),
            rx.cond(s.award != "", rx.text(t("Award: {name}", name=s.award), size="2")),
            rx.cond(s.results.length() > 0, _result_table(s.results)),
            rx.cond(s.attachments.length() > 0, rx.flex(rx.foreach(s.attachments, _attachment), wrap="wrap",
                                                         gap="2")),
            rx.heading(t("Where it was replicated"), size="3"),
            rx.cond(s.adoptions.length() > 0, rx.vstack(rx.foreach(s.adoptions, _adoption_line), width="100%",
                                                        spacing="0"),
                    rx.text(t("No unit has adopted it yet."), size="2", color_scheme="gray")),
            rx.cond(s.replicated.length() > 0, _result_table(s.replicated, with_where=True)),
            adopt,
            spacing="3", align="stretch", width="100%"),
        rx.dialog.close(rx.button(t("Close"), variant="soft", margin_top="1em")),
        max_width="860px"),
        open=s.dialog == "model", on_open_change=s.close_dialog)


def register_page() -> rx.Component:
    """The register of good models everyone can browse and search."""
    s = RegisterState
    return shell(
        page_title(t("Good models"),
                   t("Good models and effective ways of working recognised in the organisation, and where they were "
                     "replicated")),
        rx.hstack(
            rx.cond(AuthState.can_propose_models, rx.link(rx.button(t("My unit's models"), variant="soft"),
                                                          href=routes.GOOD_MODELS_UNIT)),
            rx.cond(AuthState.can_recognise_models, rx.link(rx.button(t("Decide on proposals"), variant="soft"),
                                                            href=routes.GOOD_MODELS_REVIEW)),
            spacing="2"),
        error_callout(s.error),
        card(rx.form(rx.grid(
            field(t("Search"), "q", placeholder=t("Title, description or unit, with or without accents"),
                  default_value=s.text),
            select_field(t("Year"), "year", s.years, placeholder=t("All years")),
            select_field(t("Unit"), "unit", s.units, placeholder=t("All units")),
            select_field(t("Field"), "field", s.fields, placeholder=t("All fields")),
            rx.button(t("Search"), type="submit", align_self="end", id="models-search"),
            columns=rx.breakpoints(initial="1", md="5"), spacing="3", width="100%"), on_submit=s.search)),
        rx.cond(s.rows.length() > 0, rx.vstack(rx.foreach(s.rows, _model_card), width="100%", spacing="3"),
                rx.text(t("No published model matches."), color_scheme="gray")),
        pager(s.page, s.pages, s.total, s.prev_page, s.next_page),
        _model_dialog(),
    )


# --- a unit's models ----------------------------------------------------------------------------------


def _proposal_line(row: ModelRow) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(row.title, weight="medium"), _status(row), align="center", wrap="wrap"),
        _meta(row),
        rx.cond(row.return_reason != "", rx.callout(t("Returned: {reason}", reason=row.return_reason),
                                                    color_scheme="red", size="1")),
        rx.cond(row.decision != "", rx.text(t("Decision {ref}", ref=row.decision), size="1")),
        rx.cond(row.status == "published", _replication(row)),
        rx.cond(row.status == "returned", rx.button(t("Correct and send again"), size="1", variant="soft",
                                                    on_click=UnitModelsState.open_resubmit(row.id))),
        padding_y="0.5em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%")


def _my_adoption(a: AdoptionRow) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(a.model_title, weight="medium"), rx.badge(a.status_label),
                  rx.cond(a.is_due, rx.badge(t("Report due"), color_scheme="red")), align="center", wrap="wrap"),
        rx.text(t("From {first} for {months} month(s), report due {due}", first=a.starts_on, months=a.months,
                  due=a.due_on), size="1", color_scheme="gray"),
        rx.cond(a.effects != "", rx.text(a.effects, size="2")),
        rx.cond(a.status == "adopted", rx.button(t("Report the results"), size="1", variant="soft",
                                                 on_click=UnitModelsState.open_report(a.id))),
        padding_y="0.5em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%")


def _proposal_form(submit, button: Msg, *, editing: bool) -> rx.Component:
    s = UnitModelsState
    form = "model-resubmit" if editing else "model-propose"
    return rx.form(rx.vstack(
        limited_text(t("Title"), "title", rules.TITLE_MAX, form=form, required=True,
                     default_value=s.edit_title if editing else ""),
        rx.grid(
            rx.el.label(rx.vstack(
                rx.text(t("Field"), size="2", weight="medium"),
                rx.el.select(rx.el.option(t("Choose…"), value=""),
                             rx.foreach(s.fields, lambda o: rx.el.option(o.label, value=o.value)),
                             name="field", required=True, default_value=s.edit_field if editing else "",
                             class_name="native-select"),
                spacing="1", align="stretch"), style={"display": "block"}),
            rx.fragment() if editing else field(t("Year"), "year", type="number", required=True,
                                                default_value=s.this_year),
            columns="2", spacing="3", width="100%"),
        _area(t("What it changed in the unit's work"), "summary", rules.TEXT_MAX, form=form, required=True,
              default_value=s.edit_summary if editing else ""),
        _area(t("Evidence (how it was measured, who confirmed it)"), "evidence", rules.TEXT_MAX, form=form,
              default_value=s.edit_evidence if editing else ""),
        _result_inputs(),
        _upload(s),
        error_callout(s.form_error),
        rx.button(t(button), type="submit", width="fit-content", id="model-submit"),
        spacing="3", align="stretch", width="100%"),
        on_submit=submit, key=s.form_key.to_string() + ("-resubmit" if editing else "-propose"))


def _unit_dialogs() -> rx.Component:
    s = UnitModelsState
    return rx.fragment(
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title(t("Propose a good model")),
            _proposal_form(s.propose, N_("Send to the officers"), editing=False),
            rx.dialog.close(rx.button(t("Close"), variant="soft", margin_top="1em")), max_width="760px"),
            open=s.dialog == "propose", on_open_change=s.close_dialog),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title(t("Correct and send again: {title}", title=s.target_title)),
            _proposal_form(s.resubmit, N_("Send again"), editing=True),
            rx.dialog.close(rx.button(t("Close"), variant="soft", margin_top="1em")), max_width="760px"),
            open=s.dialog == "resubmit", on_open_change=s.close_dialog),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title(t("Results of replicating “{title}”", title=s.target_title)),
            rx.form(rx.vstack(
                _area(t("What the unit achieved"), "report", rules.TEXT_MAX, form="adoption-report", required=True),
                _result_inputs(),
                _upload(s),
                error_callout(s.form_error),
                rx.button(t("Report"), type="submit", width="fit-content", id="report-submit"),
                spacing="3", align="stretch", width="100%"), on_submit=s.report,
                key=s.form_key.to_string() + "-report"),
            rx.dialog.close(rx.button(t("Close"), variant="soft", margin_top="1em")), max_width="760px"),
            open=s.dialog == "report", on_open_change=s.close_dialog),
    )


def unit_page() -> rx.Component:
    """A unit head's page: propose models, follow them, report adoptions."""
    s = UnitModelsState
    return shell(
        page_title(t("My unit's good models"), t("Propose a model, follow the officers' decision, report adoptions")),
        error_callout(s.error),
        rx.cond(s.units.length() > 0, rx.vstack(
            rx.hstack(
                rx.el.select(rx.foreach(s.units, lambda o: rx.el.option(o.label, value=o.value)),
                             value=s.unit_id.to_string(), on_change=s.select_unit, class_name="native-select",
                             aria_label=t("Unit")),
                rx.button(t("Propose a good model"), on_click=s.open_propose, id="open-propose"),
                rx.link(rx.button(t("Browse the register"), variant="soft"), href=routes.GOOD_MODELS),
                spacing="3", wrap="wrap", align="center"),
            rx.grid(
                card(rx.heading(t("Proposals"), size="4"),
                     rx.cond(s.proposals.length() > 0, rx.vstack(rx.foreach(s.proposals, _proposal_line),
                                                                 spacing="0", width="100%"),
                             rx.text(t("No model proposed yet."), color_scheme="gray"))),
                card(rx.heading(t("Models we replicate"), size="4"),
                     rx.cond(s.adoptions.length() > 0, rx.vstack(rx.foreach(s.adoptions, _my_adoption),
                                                                 spacing="0", width="100%"),
                             rx.text(t("Adopt a model from the register to replicate it here."),
                                     color_scheme="gray"))),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
            width="100%", spacing="4"),
            rx.text(t("Only unit heads (for their units) and emulation officers propose and adopt good models."),
                    color_scheme="gray")),
        _unit_dialogs(),
    )


# --- the officers' decisions ------------------------------------------------------------------------------


def _queue_line(row: ModelRow) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text("#", row.id, " ", row.title, weight="medium"), _status(row),
                  rx.button(t("Details and evidence"), size="1", variant="ghost",
                            on_click=OfficerModelsState.open_model(row.id)), align="center", wrap="wrap"),
        _meta(row),
        rx.text(row.summary, size="2"),
        rx.cond(row.decision != "", rx.text(t("Decision {ref}", ref=row.decision), size="1")),
        rx.cond(row.status == "recognised", rx.button(t("Publish in the register"), size="1",
                                                      on_click=OfficerModelsState.publish(row.id))),
        padding_y="0.5em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%")


STATUS_FILTER = [(rules.PROPOSED, N_("Proposed")), (rules.RECOGNISED, N_("Recognised")),
                 (rules.RETURNED, N_("Returned")), (rules.PUBLISHED, N_("Published"))]


def officer_page() -> rx.Component:
    """Officers recognise, return and publish good models."""
    s = OfficerModelsState
    models = rx.foreach(s.rows, lambda r: rx.el.option("#", r.id, " ", r.title, " · ", r.unit_name,
                                                       value=r.id.to_string()))
    pick = rx.el.label(rx.vstack(
        rx.text(t("Model"), size="2", weight="medium"),
        rx.el.select(rx.el.option(t("Choose…"), value=""), models, name="model_id", required=True,
                     class_name="native-select"), spacing="1", align="stretch"), style={"display": "block"})
    return shell(
        page_title(t("Good models: decisions"), t("Recognise proposed models by decision, return them with a reason, "
                                                  "publish them in the register")),
        error_callout(s.error),
        rx.el.select(*[rx.el.option(t(label), value=code) for code, label in STATUS_FILTER], value=s.status,
                     on_change=s.show_status, class_name="native-select", aria_label=t("Status"),
                     style={"maxWidth": "16em"}),
        error_callout(s.decide_error),
        rx.cond(s.status == rules.PROPOSED, rx.grid(
            card(rx.heading(t("Recognise"), size="4"), rx.form(rx.vstack(
                pick,
                rx.grid(limited_text(t("Decision number"), "decision_ref", rules.DECISION_REF_MAX, form="recognise",
                                     required=True, placeholder=t("e.g. 15/QĐ-UBND")),
                        field(t("Decision date"), "decided_on", type="date", required=True, default_value=s.today),
                        columns="2", spacing="3", width="100%"),
                select_field(t("Linked initiative"), "initiative_id", s.initiatives, placeholder=t("None")),
                select_field(t("Linked award"), "award_id", s.awards, placeholder=t("None")),
                rx.el.label(rx.el.input(type="checkbox", name="publish", default_checked=True), " ",
                            t("Publish in the register at once")),
                rx.button(t("Recognise"), type="submit", width="fit-content", id="recognise-submit"),
                spacing="3", align="stretch", width="100%"), on_submit=s.recognise,
                key=s.form_key.to_string() + "-recognise")),
            card(rx.heading(t("Return to the unit"), size="4"), rx.form(rx.vstack(
                pick,
                _area(t("Reason (the unit reads it)"), "reason", rules.REASON_MAX, form="model-return", required=True),
                rx.button(t("Return"), type="submit", color_scheme="red", variant="soft", width="fit-content"),
                spacing="3", align="stretch", width="100%"), on_submit=s.return_model,
                key=s.form_key.to_string() + "-return")),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")),
        card(rx.cond(s.rows.length() > 0, rx.vstack(rx.foreach(s.rows, _queue_line), spacing="0", width="100%"),
                     rx.text(t("Nothing in this list."), color_scheme="gray"))),
        _model_dialog(OfficerModelsState),
    )


def add_pages(app: rx.App) -> None:
    """Register this feature's pages and its authorised file reader."""
    ui_files.register(rules.FILE_PURPOSE, queries.may_see_file)
    private_page(app, register_page, route=routes.GOOD_MODELS, title=N_("Good models"), load=RegisterState.load)
    private_page(app, unit_page, route=routes.GOOD_MODELS_UNIT, title=N_("My unit's good models"),
                 load=UnitModelsState.load)
    private_page(app, officer_page, route=routes.GOOD_MODELS_REVIEW, title=N_("Good models: decisions"),
                 load=OfficerModelsState.load)
