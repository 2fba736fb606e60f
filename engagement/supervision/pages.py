"""Pages of conduct spot checks: the hub (my findings, my visits, my units' corrective actions),
recording a visit, the officers' management page and the trends."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.supervision import queries
from engagement.supervision.dto import ActionRow, FindingRow, ItemTrend, PlanRow, UnitTrend, VisitRow
from engagement.supervision.rules import (
    ACTION_STATUS_NAMES,
    DONE_NOTE_MAX,
    EVIDENCE_PURPOSE,
    PHOTO_PURPOSE,
    PLAN_NAME_MAX,
    REASON_MAX,
    RESPONSE_MAX,
    RESULT_NAMES,
    TITLE_MAX,
    VISIT_NOTE_MAX,
    VISIT_STATUS_NAMES,
)
from engagement.supervision.state import ManageState, SupervisionState, TrendsState, VisitState
from engagement.ui import files as ui_files
from engagement.ui.components import card, error_callout, field, named_upload, page_title, pager
from engagement.ui.i18n import t, t_match
from engagement.ui.kit import action_error, limited_text, private_page
from engagement.ui.layout import shell


def _result(result: rx.Var) -> rx.Component:
    return rx.badge(t_match(result, RESULT_NAMES),
                    color_scheme=rx.match(result, ("pass", "green"), ("fail", "red"), "gray"))


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color_scheme="gray")


# --- the hub ---------------------------------------------------------------------------------------


def _finding_row(r: FindingRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.day),
        rx.table.cell(r.unit),
        rx.table.cell(rx.vstack(rx.text(r.item, size="2"),
                                rx.cond(r.repeat, rx.badge(t("Repeat within a year"), color_scheme="orange")),
                                spacing="1")),
        rx.table.cell(_result(r.result)),
        rx.table.cell(rx.vstack(rx.text(r.note, size="2"),
                                rx.cond(r.photo_url != "", rx.link(t("Photo"), href=r.photo_url, is_external=True)),
                                rx.foreach(r.responses, lambda x: rx.text("↳ ", x, size="1", color_scheme="gray")),
                                spacing="1")),
        rx.table.cell(rx.cond(r.action_id > 0, rx.text(r.action_label, " · ", r.action_due, size="2"))),
        rx.table.cell(rx.cond(r.may_respond, rx.button(
            t("Explain"), size="1", variant="soft", id="respond-" + r.id.to_string(),
            on_click=SupervisionState.open_respond(r.id)),
            rx.text(t("Until {day}", day=r.respond_by), size="1", color_scheme="gray"))),
    )


def _action_row(a: ActionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(a.unit),
        rx.table.cell(a.subject),
        rx.table.cell(rx.vstack(rx.text(a.item, size="2"), rx.text(a.note, size="1", color_scheme="gray"),
                                rx.cond(a.repeat, rx.badge(t("Repeat within a year"), color_scheme="orange")),
                                spacing="1")),
        rx.table.cell(a.day),
        rx.table.cell(rx.text(a.due, color_scheme=rx.cond(a.overdue, "red", "gray"))),
        rx.table.cell(rx.badge(t_match(a.status, ACTION_STATUS_NAMES))),
        rx.table.cell(rx.cond(a.may_confirm, rx.button(
            t("Confirm done"), size="1", id="confirm-" + a.id.to_string(),
            on_click=SupervisionState.open_confirm(a.id)))),
    )


def _visit_row(v: VisitRow, *, manage: bool = False) -> rx.Component:
    return rx.table.row(
        rx.table.cell(v.day),
        rx.table.cell(v.unit),
        rx.table.cell(v.plan),
        rx.table.cell(v.team),
        rx.table.cell(rx.badge(t_match(v.status, VISIT_STATUS_NAMES))),
        rx.table.cell(v.compliance),
        rx.table.cell(rx.hstack(
            rx.link(rx.cond(v.may_record, t("Record"), t("Open")), href="/supervision/visits/" + v.id.to_string(),
                    id="visit-" + v.id.to_string()),
            rx.cond(manage & (v.status == "scheduled"), rx.button(
                t("Cancel"), size="1", variant="ghost", color_scheme="red",
                on_click=ManageState.open_cancel("visit", v.id))) if manage else rx.fragment(),
            spacing="2")),
    )


def _visits_table(rows, *, manage: bool = False) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
            N_("Day"), N_("Unit"), N_("Plan"), N_("Team"), N_("Status"), N_("Compliance"), N_("Actions"))])),
        rx.table.body(rx.foreach(rows, lambda v: _visit_row(v, manage=manage))),
        width="100%", size="1")


def _respond_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Explain this finding")),
        rx.form(rx.vstack(
            limited_text(t("Your explanation (kept with the finding; nothing is deleted)"), "text", RESPONSE_MAX,
                         form="respond", multiline=True, rows="4", required=True,
                         errors=SupervisionState.respond_error_fields),
            action_error(SupervisionState.respond_error, form="respond"),
            rx.button(t("Send"), type="submit", id="respond-submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=SupervisionState.submit_respond, reset_on_submit=False),
        rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="520px"), open=SupervisionState.dialog == "respond", on_open_change=SupervisionState.close_dialog)


def _confirm_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Confirm the corrective action is done")),
        rx.form(rx.vstack(
            limited_text(t("What was done (optional)"), "note", DONE_NOTE_MAX, form="confirm"),
            named_upload(rx.upload(
                rx.text(t("Evidence (optional): drop a photo or a PDF here or tap to choose"), size="2"),
                id="action_evidence", max_files=1, multiple=False,
                accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "application/pdf": [".pdf"]},
                on_drop=SupervisionState.attach_evidence(rx.upload_files(upload_id="action_evidence")),
                border=f"2px dashed {rx.color('gray', 6)}", padding="1em", border_radius="12px", width="100%"),
                t("Evidence (optional): drop a photo or a PDF here or tap to choose")),
            rx.cond(SupervisionState.evidence_info != "", rx.text(SupervisionState.evidence_info, size="2",
                                                                  id="evidence-info")),
            action_error(SupervisionState.confirm_error, form="confirm"),
            rx.button(t("Confirm done"), type="submit", id="confirm-submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=SupervisionState.submit_confirm, reset_on_submit=False),
        rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="520px"), open=SupervisionState.dialog == "confirm", on_open_change=SupervisionState.close_dialog)


def hub_page() -> rx.Component:
    """My findings and explanations; the visits I inspect; my units' corrective actions."""
    return shell(
        page_title(t("Spot checks"), t("Checks of how the commitment's conduct is kept at work: findings, "
                                       "explanations and corrective actions.")),
        error_callout(SupervisionState.error),
        rx.cond(SupervisionState.can_manage, rx.hstack(
            rx.link(t("Checklists, plans and visits"), href=routes.SUPERVISION_MANAGE, id="link-manage"),
            rx.link(t("Trends"), href=routes.SUPERVISION_TRENDS, id="link-trends"), spacing="4")),
        card(rx.heading(t("My findings"), size="4"),
             rx.cond(SupervisionState.findings.length() > 0, rx.table.root(
                 rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                     N_("Day"), N_("Unit"), N_("Item"), N_("Result"), N_("Note"), N_("Corrective action"),
                     N_("Explanation"))])),
                 rx.table.body(rx.foreach(SupervisionState.findings, _finding_row)), width="100%", size="1",
                 id="my-findings"), _empty(t("No findings about you yet.")))),
        rx.cond(SupervisionState.visits.length() > 0, card(
            rx.heading(t("Visits I inspect"), size="4"),
            rx.text(t("Unannounced: the date is known only to the team until the visit is recorded."), size="2",
                    color_scheme="gray"),
            _visits_table(SupervisionState.visits), id="my-visits")),
        rx.cond(SupervisionState.can_follow, card(
            rx.heading(t("Corrective actions in my units"), size="4"),
            rx.cond(SupervisionState.actions.length() > 0, rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                    N_("Unit"), N_("Person or unit"), N_("Item"), N_("Visit"), N_("Due"), N_("Status"),
                    N_("Actions"))])),
                rx.table.body(rx.foreach(SupervisionState.actions, _action_row)), width="100%", size="1",
                id="unit-actions"), _empty(t("No open corrective action."))))),
        rx.cond(SupervisionState.unit_visits.length() > 0, card(
            rx.heading(t("Recorded visits in my units"), size="4"),
            _visits_table(SupervisionState.unit_visits), id="unit-visits")),
        _respond_dialog(),
        _confirm_dialog(),
    )


# --- a visit ---------------------------------------------------------------------------------------

RESULT_CHOICES = (("pass", N_("Pass")), ("fail", N_("Fail")), ("na", N_("Not applicable")))


def _result_select(name, label) -> rx.Component:
    return rx.el.select(*[rx.el.option(t(text), value=value) for value, text in RESULT_CHOICES], name=name,
                        default_value="pass", class_name="native-select", aria_label=label)


def _unit_item(item) -> rx.Component:
    return rx.hstack(
        rx.text(item.text, size="2", width="50%"),
        _result_select("u__" + item.key, item.text),
        rx.input(name="un__" + item.key, placeholder=t("What was seen (needed for a failure)"), width="40%",
                 aria_label=item.text),
        width="100%", align="center", wrap="wrap")


def _member_block(m) -> rx.Component:
    return rx.box(
        rx.el.label(rx.el.input(type="checkbox", name="present_" + m.id.to_string(), id="present-" + m.id.to_string()),
                    " ", rx.text.strong(m.name), " · ", m.position),
        rx.vstack(rx.foreach(VisitState.person_items, lambda item: rx.hstack(
            rx.text(item.text, size="1", width="50%"),
            _result_select("r__" + m.id.to_string() + "__" + item.key, m.name + " · " + item.text),
            rx.input(name="n__" + m.id.to_string() + "__" + item.key, placeholder=t("What was seen"), width="40%",
                     size="1", aria_label=m.name + " · " + item.text),
            width="100%", align="center", wrap="wrap")), spacing="1", padding_left="1.5em"),
        padding="0.5em", border=f"1px solid {rx.color('gray', 5)}", border_radius="8px", width="100%")


def _recorded_row(r: FindingRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.subject), rx.table.cell(r.item), rx.table.cell(_result(r.result)),
        rx.table.cell(rx.vstack(rx.text(r.note, size="2"),
                                rx.cond(r.repeat, rx.badge(t("Repeat within a year"), color_scheme="orange")),
                                spacing="1")),
        rx.table.cell(rx.cond(r.photo_url != "", rx.link(t("Photo"), href=r.photo_url, is_external=True))),
        rx.table.cell(rx.cond(r.action_id > 0, rx.text(r.action_label, " · ", r.action_due, size="2"))),
    )


def visit_page() -> rx.Component:
    """Record a visit (the team), or read it (officers; the unit's heads once recorded)."""
    return shell(
        page_title(t("Spot check: {unit}", unit=VisitState.unit),
                   t("{day} · {checklist} · {status}", day=VisitState.day, checklist=VisitState.checklist,
                     status=VisitState.status_label)),
        error_callout(VisitState.error),
        rx.cond(VisitState.result_text != "", rx.callout(VisitState.result_text, icon="check", color_scheme="green",
                                                         id="visit-result")),
        rx.cond(VisitState.may_record, card(
            rx.heading(t("Record the visit"), size="4"),
            rx.text(t("Tick the people present and give each item's result. A failed item opens a corrective "
                      "action with a due date."), size="2", color_scheme="gray"),
            rx.form(rx.vstack(
                rx.heading(t("For the unit"), size="3"),
                rx.foreach(VisitState.unit_items, _unit_item),
                rx.heading(t("People of the unit at the time"), size="3"),
                rx.foreach(VisitState.members, _member_block),
                limited_text(t("Note on the visit (optional)"), "note", VISIT_NOTE_MAX, form="visit"),
                action_error(VisitState.record_error, form="visit"),
                rx.button(t("Record the visit"), type="submit", id="visit-submit", width="fit-content"),
                spacing="3", align="stretch"), on_submit=VisitState.submit_record, reset_on_submit=False),
            id="record-card"),
            rx.cond(VisitState.refusal != "", rx.callout(VisitState.refusal, icon="info", id="visit-refusal"))),
        rx.cond(VisitState.findings.length() > 0, card(
            rx.heading(t("Findings"), size="4"),
            rx.table.root(rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("Person or unit"), N_("Item"), N_("Result"), N_("Note"), N_("Photo"), N_("Corrective action"))])),
                rx.table.body(rx.foreach(VisitState.findings, _recorded_row)), width="100%", size="1",
                id="visit-findings"),
            rx.hstack(
                rx.el.select(rx.el.option(t("Add a photo to…"), value=""),
                             rx.foreach(VisitState.findings, lambda r: rx.cond(
                                 r.photo_url == "", rx.el.option(r.subject + " · " + r.item, value=r.id.to_string()))),
                             on_change=VisitState.choose_photo_target, class_name="native-select",
                             aria_label=t("Add a photo to…"), id="photo-target"),
                named_upload(rx.upload(rx.text(t("Drop a photo here or tap to choose"), size="2"),
                                       id="finding_photo", max_files=1, multiple=False,
                                       accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
                                               "image/webp": [".webp"]},
                                       on_drop=VisitState.attach_photo(rx.upload_files(upload_id="finding_photo")),
                                       border=f"2px dashed {rx.color('gray', 6)}", padding="0.75em",
                                       border_radius="12px"), t("Drop a photo here or tap to choose")),
                spacing="3", align="center", wrap="wrap"),
            action_error(VisitState.photo_error, form="photo"),
            rx.cond(VisitState.may_correct, rx.form(rx.vstack(
                rx.heading(t("Correct a result"), size="3"),
                rx.hstack(
                    rx.el.select(rx.el.option(t("Choose…"), value=""),
                                 rx.foreach(VisitState.findings, lambda r: rx.el.option(
                                     r.subject + " · " + r.item, value=r.id.to_string())),
                                 name="finding_id", class_name="native-select", aria_label=t("Finding"),
                                 id="correct-finding"),
                    _result_select("result", t("Result")),
                    spacing="3", wrap="wrap"),
                limited_text(t("Reason (kept with the correction)"), "reason", REASON_MAX, form="correct",
                             required=True),
                action_error(VisitState.correct_error, form="correct"),
                rx.button(t("Correct"), type="submit", id="correct-submit", width="fit-content"),
                spacing="2", align="stretch"), on_submit=VisitState.submit_correct, reset_on_submit=True)))),
        rx.link(t("Back to spot checks"), href=routes.SUPERVISION),
    )


# --- officers --------------------------------------------------------------------------------------


def _plan_row(p: PlanRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(p.name, weight="medium")), rx.table.cell(p.period),
        rx.table.cell(rx.text(p.units.join(", "), size="1")), rx.table.cell(rx.text(p.team.join(", "), size="1")),
        rx.table.cell(t("{recorded} recorded of {drawn} drawn ({planned} planned)", recorded=p.visits_recorded,
                        drawn=p.visits_drawn, planned=p.visits_planned)),
        rx.table.cell(rx.cond(p.cancelled, rx.badge(t("Cancelled"), color_scheme="gray"), rx.button(
            t("Cancel"), size="1", variant="ghost", color_scheme="red",
            on_click=ManageState.open_cancel("plan", p.id)))),
    )


def _ticks(rows, prefix: str) -> rx.Component:
    return rx.flex(rx.foreach(rows, lambda m: rx.el.label(
        rx.el.input(type="checkbox", name=prefix + m.id.to_string()), " ", m.name,
        style={"whiteSpace": "nowrap", "fontSize": "0.9em"})),
        wrap="wrap", gap="3", max_height="12em", overflow_y="auto", padding="0.5em",
        border=f"1px solid {rx.color('gray', 5)}", border_radius="8px")


def _cancel_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Cancel")),
        rx.form(rx.vstack(
            limited_text(t("Reason"), "reason", REASON_MAX, form="cancel", required=True),
            action_error(ManageState.cancel_error, form="cancel"),
            rx.button(t("Cancel it"), type="submit", color_scheme="red", id="cancel-submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=ManageState.submit_cancel, reset_on_submit=False),
        rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="480px"), open=ManageState.dialog == "cancel", on_open_change=ManageState.close_dialog)


def manage_page() -> rx.Component:
    """Checklists, plans and teams, ad-hoc visits and every visit (officers)."""
    return shell(
        page_title(t("Spot checks: checklists, plans and visits"),
                   t("Plans are turned into unannounced visits by the scheduler, weighted towards units not "
                     "visited recently and units with earlier failures, on working days.")),
        error_callout(ManageState.error),
        card(rx.heading(t("Checklist"), size="4"),
             rx.cond(ManageState.checklists.length() == 0, rx.button(
                 t("Start from the commitment's clauses"), on_click=ManageState.seed_checklist, id="seed-checklist")),
             rx.form(rx.vstack(
                 limited_text(t("Title"), "title", TITLE_MAX, form="checklist",
                              default_value=ManageState.checklist_title, required=True),
                 rx.el.label(rx.vstack(rx.text(t("Items checked for each person present (one a line)"), size="2",
                                               weight="medium"),
                                       rx.text_area(name="person_items", default_value=ManageState.person_lines,
                                                    rows="7", width="100%", id="person-items"), spacing="1")),
                 rx.el.label(rx.vstack(rx.text(t("Items checked for the unit (one a line)"), size="2",
                                               weight="medium"),
                                       rx.text_area(name="unit_items", default_value=ManageState.unit_lines, rows="3",
                                                    width="100%", id="unit-items"), spacing="1")),
                 action_error(ManageState.checklist_error, form="checklist"),
                 rx.button(t("Publish a new version"), type="submit", id="checklist-submit", width="fit-content"),
                 spacing="3", align="stretch"), on_submit=ManageState.publish_checklist, reset_on_submit=False,
                 key=ManageState.checklist_title),
             rx.foreach(ManageState.checklists, lambda c: rx.text(
                 t("Version {version} · {title} · {day}", version=c.version, title=c.title, day=c.published),
                 size="1", color_scheme="gray"))),
        card(rx.heading(t("New plan"), size="4"),
             rx.form(rx.vstack(
                 limited_text(t("Name"), "name", PLAN_NAME_MAX, form="plan", required=True,
                              placeholder=t("e.g. {example}", example="Kiểm tra văn hoá công sở quý IV/2026")),
                 rx.hstack(field(t("Period (a month 2026-11 or a quarter 2026-Q4)"), "period", required=True),
                           field(t("Number of visits"), "visits", type="number", default_value="6"),
                           field(t("Working days to explain"), "response_days", type="number", default_value="5"),
                           field(t("Working days to correct"), "action_days", type="number", default_value="10"),
                           width="100%", wrap="wrap"),
                 rx.text(t("Units to visit"), size="2", weight="medium"), _ticks(ManageState.units, "unit_"),
                 rx.text(t("Inspection team"), size="2", weight="medium"), _ticks(ManageState.candidates, "team_"),
                 action_error(ManageState.plan_error, form="plan"),
                 rx.button(t("Save the plan"), type="submit", id="plan-submit", width="fit-content"),
                 spacing="3", align="stretch"), on_submit=ManageState.create_plan, reset_on_submit=False,
                 key=ManageState.form_key.to_string()),
             rx.table.root(rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                 N_("Plan"), N_("Period"), N_("Units"), N_("Team"), N_("Visits"), N_("Actions"))])),
                 rx.table.body(rx.foreach(ManageState.plans, _plan_row)), width="100%", size="1", id="plans")),
        card(rx.heading(t("Ad-hoc visit"), size="4"),
             rx.form(rx.vstack(
                 rx.el.label(rx.vstack(rx.text(t("Unit"), size="2", weight="medium"), rx.el.select(
                     rx.el.option(t("Choose…"), value=""),
                     rx.foreach(ManageState.units, lambda u: rx.el.option(u.name, value=u.id.to_string())),
                     name="unit_id", class_name="native-select", id="adhoc-unit"), spacing="1")),
                 field(t("Day of the visit"), "on", type="date", required=True),
                 rx.text(t("Inspectors"), size="2", weight="medium"), _ticks(ManageState.candidates, "inspector_"),
                 action_error(ManageState.visit_error, form="adhoc"),
                 rx.button(t("Schedule the visit"), type="submit", id="adhoc-submit", width="fit-content"),
                 spacing="3", align="stretch"), on_submit=ManageState.schedule_visit, reset_on_submit=False,
                 key=ManageState.form_key.to_string())),
        card(rx.heading(t("All visits"), size="4"),
             _visits_table(ManageState.visits, manage=True),
             rx.cond(ManageState.pages > 1, pager(ManageState.page, ManageState.pages, ManageState.total,
                                                  ManageState.prev_page, ManageState.next_page))),
        _cancel_dialog(),
    )


def _unit_trend(u: UnitTrend) -> rx.Component:
    return rx.table.row(rx.table.cell(u.unit), rx.table.cell(u.visits), rx.table.cell(u.checked),
                        rx.table.cell(u.failed), rx.table.cell(rx.cond(u.compliance.is_not_none(),
                                                                       u.compliance.to_string() + "%", "–")),
                        rx.table.cell(u.open_actions),
                        rx.table.cell(rx.text(u.overdue_actions, color_scheme=rx.cond(u.overdue_actions > 0, "red",
                                                                                      "gray"))))


def _item_trend(i: ItemTrend) -> rx.Component:
    return rx.table.row(rx.table.cell(i.item), rx.table.cell(i.checked), rx.table.cell(i.failed),
                        rx.table.cell(rx.cond(i.compliance.is_not_none(), i.compliance.to_string() + "%", "–")),
                        rx.table.cell(i.repeats))


def _month_table(rows, table_id: str) -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(rx.table.column_header_cell(""),
                                     *[rx.table.column_header_cell(f"{m:02d}") for m in range(1, 13)])),
        rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
            rx.table.row_header_cell(rx.text(r.name, size="1")),
            *[rx.table.cell(rx.text(r.cells[i], size="1")) for i in range(12)]))),
        width="100%", size="1", id=table_id), overflow_x="auto", width="100%")


def trends_page() -> rx.Component:
    """Compliance by month; units most in need; items most failed; XLSX (officers)."""
    return shell(
        page_title(t("Spot-check trends"), t("Compliance = items passed out of items checked (not applicable left "
                                             "out).")),
        error_callout(TrendsState.error),
        rx.hstack(
            rx.el.select(rx.foreach(TrendsState.year_options, lambda y: rx.el.option(y, value=y)),
                         value=TrendsState.year.to_string(), on_change=TrendsState.choose_year,
                         class_name="native-select", aria_label=t("Year"), id="trends-year"),
            rx.button(rx.icon("download"), t("Export XLSX"), on_click=TrendsState.export, variant="soft",
                      id="trends-export"),
            spacing="3", align="center"),
        card(rx.heading(t("Compliance by month"), size="4"),
             rx.cond(TrendsState.chart_ready, rx.recharts.line_chart(
                 rx.recharts.line(data_key="compliance", name=t("Compliance (%)"), stroke="#2f9e44",
                                  connect_nulls=True),
                 rx.recharts.x_axis(data_key="month"), rx.recharts.y_axis(domain=[0, 100]),
                 rx.recharts.graphing_tooltip(), data=TrendsState.months, width="100%", height=240),
                 rx.skeleton(height="240px"))),
        card(rx.heading(t("Units most in need"), size="4"),
             rx.table.root(rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                 N_("Unit"), N_("Visits"), N_("Items checked"), N_("Failed"), N_("Compliance"), N_("Open actions"),
                 N_("Overdue actions"))])),
                 rx.table.body(rx.foreach(TrendsState.units, _unit_trend)), width="100%", size="1",
                 id="trend-units")),
        card(rx.heading(t("Compliance by unit and month"), size="4"),
             _month_table(TrendsState.unit_months, "trend-unit-months")),
        card(rx.heading(t("Compliance by item and month"), size="4"),
             _month_table(TrendsState.item_months, "trend-item-months")),
        card(rx.heading(t("Items most failed"), size="4"),
             rx.table.root(rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                 N_("Checklist item"), N_("Items checked"), N_("Failed"), N_("Compliance"),
                 N_("Repeat failures"))])),
                 rx.table.body(rx.foreach(TrendsState.items, _item_trend)), width="100%", size="1",
                 id="trend-items")),
    )


def add_pages(app: rx.App) -> None:
    """Register the spot-check pages and the readers of finding photos and action evidence."""
    ui_files.register(PHOTO_PURPOSE, queries.may_see_photo)
    ui_files.register(EVIDENCE_PURPOSE, queries.may_see_photo)
    private_page(app, hub_page, route=routes.SUPERVISION, title=N_("Spot checks"), load=SupervisionState.load)
    private_page(app, visit_page, route=routes.SUPERVISION_VISIT, title=N_("Spot check"), load=VisitState.load)
    private_page(app, manage_page, route=routes.SUPERVISION_MANAGE, title=N_("Spot checks: checklists, plans and "
                                                                            "visits"), load=ManageState.load)
    private_page(app, trends_page, route=routes.SUPERVISION_TRENDS, title=N_("Spot-check trends"),
                 load=TrendsState.load)
