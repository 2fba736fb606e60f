"""Pages of the organisation feature: units, people, import, audit log, profile."""

from __future__ import annotations

import reflex as rx

from engagement.core import i18n, routes
from engagement.core.access import ROLE_NAMES, Role
from engagement.core.i18n import N_
from engagement.org.dto import AuditRow, GrantRow, GroupRow, ImportPreviewRow, PersonRow, UnitRow
from engagement.org.labels import GENDER_LABELS, UNIT_EVENT_LABELS, UNIT_KIND_LABELS
from engagement.org.queries import AUDIT_COUNT_CAP
from engagement.org.rules import GENDERS
from engagement.org.state import AuditState, ImportState, PeopleState, ProfileState, UnitsState
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
from engagement.ui.i18n import language_options, t, t_match, t_n
from engagement.ui.kit import private_page
from engagement.ui.layout import shell

# --- units ------------------------------------------------------------------------------------


def _unit_actions(u: UnitRow) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("ellipsis"), variant="ghost", size="1",
                                       aria_label=t("Unit actions"))),
        rx.menu.content(
            rx.menu.item(t("History"), on_click=UnitsState.open_history(u.id)),
            rx.cond(
                AuthState.can_manage_units,
                rx.fragment(
                    rx.menu.item(t("Add sub-unit"), on_click=UnitsState.open_create(u.id)),
                    rx.menu.item(t("Rename"), on_click=UnitsState.open_rename(u.id)),
                    rx.menu.item(t("Move"), on_click=UnitsState.open_move(u.id)),
                    rx.menu.separator(),
                    rx.cond(
                        u.is_active,
                        rx.menu.item(t("Deactivate"), color_scheme="red",
                                     on_click=UnitsState.set_active(u.id, False)),
                        rx.menu.item(t("Reactivate"), on_click=UnitsState.set_active(u.id, True)),
                    ),
                ),
            ),
        ),
    )


def _unit_row(u: UnitRow) -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.icon(rx.cond(u.depth == 0, "landmark", "building_2"), size=16),
            rx.text(u.name, weight=rx.cond(u.depth <= 1, "bold", "regular")),
            rx.code(u.code, size="1", variant="ghost"),
            rx.badge(t_match(u.kind, UNIT_KIND_LABELS), variant="soft", size="1"),
            rx.cond(~u.is_active, rx.badge(t("inactive"), color_scheme="red", size="1")),
            rx.cond(u.groups != "", rx.badge(u.groups, color_scheme="green", variant="outline",
                                             size="1", display=["none", "none", "inline-flex"])),
            padding_left=(u.depth * 1.25).to_string() + "em",
            align="center",
            spacing="2",
            wrap="wrap",
            flex="1",
        ),
        rx.text(t_n("{n} person", "{n} people", u.people), size="2", color_scheme="gray", white_space="nowrap"),
        _unit_actions(u),
        align="center",
        width="100%",
        padding_y="0.35em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
        opacity=rx.cond(u.is_active, "1", "0.6"),
        class_name="unit-row",
    )


def _unit_dialog() -> rx.Component:
    kind_options = rx.foreach(UnitsState.kinds, lambda k: rx.el.option(t_match(k, UNIT_KIND_LABELS), value=k))
    body = rx.match(
        UnitsState.dialog,
        ("create", rx.form(rx.vstack(
            rx.text(rx.cond(UnitsState.target_name != "", t("Under: {unit}", unit=UnitsState.target_name),
                            t("At the top level"))),
            field(t("Name"), "name", required=True, placeholder=t("e.g. Phòng Tổ chức cán bộ")),
            field(t("Code"), "code", required=True, placeholder=t("e.g. SNV-TCCB")),
            rx.text(t("Short and unique; used in CSV imports."), size="1", color_scheme="gray"),
            rx.el.label(rx.vstack(
                rx.text(t("Kind"), size="2", weight="medium"),
                rx.el.select(kind_options, name="kind", default_value="office", class_name="native-select"),
                spacing="1", align="stretch"), style={"width": "100%", "display": "block"}),
            rx.button(t("Create unit"), type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_create)),
        ("rename", rx.form(rx.vstack(
            field(t("New name"), "name", required=True, default_value=UnitsState.target_name),
            rx.text(t("The old name stays in the unit's history."), size="1", color_scheme="gray"),
            rx.button(t("Rename"), type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_rename)),
        ("move", rx.form(rx.vstack(
            select_field(t("New parent unit"), "parent_id", UnitsState.unit_options,
                         placeholder=t("(top level)")),
            rx.text(t("Its sub-units move with it."), size="1", color_scheme="gray"),
            rx.button(t("Move"), type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_move)),
        ("history", rx.vstack(
            rx.cond(UnitsState.history.length() == 0, rx.text(t("No history yet."))),
            rx.foreach(UnitsState.history, lambda e: rx.hstack(
                rx.text(e.at, size="2", color_scheme="gray", white_space="nowrap"),
                rx.badge(t_match(e.kind, UNIT_EVENT_LABELS)),
                rx.text(rx.cond(e.old_value != "", e.old_value + " → ", ""), e.new_value, size="2"),
                wrap="wrap", align="center")),
            spacing="2", align="stretch")),
        rx.fragment(),
    )
    name = UnitsState.target_name
    title = rx.match(UnitsState.dialog, ("create", t("New unit")), ("rename", t("Rename unit {unit}", unit=name)),
                     ("move", t("Move unit {unit}", unit=name)), ("history", t("History of {unit}", unit=name)), "")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            error_callout(UnitsState.error),
            body,
            rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
            max_width="520px",
        ),
        open=UnitsState.dialog != "",
        on_open_change=UnitsState.close_dialog,
    )


def _group_card(g: GroupRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(g.name, size="3"),
            rx.text(g.description, size="2", color_scheme="gray"),
            rx.flex(
                rx.foreach(g.unit_ids, lambda uid, i: rx.badge(
                    g.unit_names.split(", ")[i],
                    rx.cond(AuthState.can_manage_units,
                            rx.icon("x", size=12, cursor="pointer", aria_label=t("Remove from the group"),
                                    on_click=UnitsState.remove_from_group(g.id, uid))),
                    variant="soft")),
                wrap="wrap", gap="2"),
            spacing="2", align="start"),
        width="100%",
    )


def units_page() -> rx.Component:
    """The unit tree, with management actions for officers and admins."""
    return shell(
        page_title(t("Organisation"), t("Units, sub-units and peer groups.")),
        rx.hstack(
            rx.input(placeholder=t("Filter by name or code…"), value=UnitsState.filter_text,
                     on_change=UnitsState.set_filter_text.debounce(300), max_width="320px",
                     width="100%"),
            rx.cond(AuthState.can_manage_units,
                    rx.button(rx.icon("plus"), t("New top-level unit"), on_click=UnitsState.open_create(0),
                              variant="soft")),
            wrap="wrap", spacing="3", margin_bottom="1em", width="100%",
        ),
        error_callout(rx.cond(UnitsState.dialog == "", UnitsState.error, "")),
        card(rx.foreach(UnitsState.rows, _unit_row), id="unit-tree"),
        rx.heading(t("Unit groups"), size="5", margin_top="1.5em", margin_bottom="0.75em"),
        rx.text(t("Peer cohorts: leaderboards rank units against the other units of their group."),
                size="2", color_scheme="gray", margin_bottom="0.75em"),
        rx.grid(rx.foreach(UnitsState.groups, _group_card), columns=rx.breakpoints(initial="1", md="2"),
                spacing="3", width="100%"),
        rx.cond(
            AuthState.can_manage_units,
            rx.grid(
                card(rx.heading(t("New group"), size="3"), rx.form(rx.vstack(
                    field(t("Name"), "name", required=True, placeholder=t("e.g. Các sở, ban, ngành")),
                    field(t("Description"), "description"),
                    rx.button(t("Create group"), type="submit"), spacing="2", align="stretch"),
                    on_submit=UnitsState.create_group, reset_on_submit=True)),
                card(rx.heading(t("Add a unit to a group"), size="3"), rx.form(rx.vstack(
                    rx.el.select(rx.el.option(t("Group…"), value=""),
                                 rx.foreach(UnitsState.groups, lambda g: rx.el.option(g.name, value=g.id)),
                                 name="group_id", required=True, class_name="native-select",
                                 aria_label=t("Group")),
                    select_field(t("Unit"), "unit_id", UnitsState.unit_options, required=True,
                                 placeholder=t("Choose…")),
                    rx.button(t("Add"), type="submit"), spacing="2", align="stretch"),
                    on_submit=UnitsState.add_to_group)),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%", margin_top="1em",
            ),
        ),
        _unit_dialog(),
    )


# --- people -----------------------------------------------------------------------------------


def _person_row(p: PersonRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(
            rx.text(p.full_name, weight="medium"),
            rx.text(p.employee_code, " · ", p.position, size="1", color_scheme="gray"),
            spacing="0")),
        rx.table.cell(p.unit_name),
        rx.table.cell(rx.cond(p.has_account, rx.badge(p.username, variant="soft"),
                              rx.text("—", color_scheme="gray")),
                      display=["none", "table-cell"]),
        rx.table.cell(rx.cond(p.is_active, rx.badge(t("active"), color_scheme="green"),
                              rx.badge(t("inactive"), color_scheme="red"))),
        rx.table.cell(rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=PeopleState.open_edit(p.id)),
            rx.cond(AuthState.can_manage_accounts,
                    rx.button(t("Account"), size="1", variant="soft", color_scheme="violet",
                              on_click=PeopleState.open_account(p.id))),
            rx.cond(p.is_active,
                    rx.button(t("Deactivate"), size="1", variant="ghost", color_scheme="red",
                              on_click=PeopleState.set_person_active(p.id, False)),
                    rx.button(t("Reactivate"), size="1", variant="ghost",
                              on_click=PeopleState.set_person_active(p.id, True))),
            spacing="2", wrap="wrap")),
        class_name="person-row",
    )


def _labelled_select(label: rx.Var, name: str, value: rx.Var) -> rx.Component:
    """The gender choice: empty (not given), Nam or Nữ, as the dossier forms write it."""
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.el.select(rx.el.option(t("(not given)"), value=""),
                         *[rx.el.option(t(GENDER_LABELS[g]), value=g) for g in GENDERS],
                         name=name, default_value=value, class_name="native-select"),
            spacing="1", width="100%", align="stretch"),
        style={"width": "100%", "display": "block"},
    )


def _person_form() -> rx.Component:
    e = PeopleState.editing
    return rx.form(
        rx.vstack(
            rx.cond(e.id == 0,
                    field(t("Employee code"), "employee_code", required=True, placeholder=t("e.g. CB00123")),
                    rx.text(t("Employee code:"), " ", rx.code(e.employee_code))),
            field(t("Full name"), "full_name", required=True, default_value=e.full_name,
                  placeholder=t("e.g. Nguyễn Thị Hoa")),
            field(t("Position"), "position", default_value=e.position, placeholder=t("e.g. Chuyên viên")),
            select_field(t("Unit"), "unit_id", PeopleState.unit_options, required=True, placeholder=t("Choose…"),
                         default_value=rx.cond(e.unit_id == 0, "", e.unit_id.to_string())),
            rx.grid(
                field(t("E-mail"), "email", type="email", default_value=e.email),
                field(t("Phone"), "phone", default_value=e.phone),
                columns="2", spacing="3", width="100%"),
            rx.grid(
                _labelled_select(t("Gender"), "gender", e.gender),
                field(t("Date of birth"), "birth_date", type="date", default_value=e.birth_date),
                field(t("Rank or grade (ngạch/hạng)"), "rank", default_value=e.rank,
                      placeholder=t("e.g. Chuyên viên chính")),
                field(t("Date of recruitment"), "recruited_on", type="date", default_value=e.recruited_on),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
            rx.grid(
                select_field(t("Union branch"), "union_branch_id", PeopleState.union_options,
                             placeholder=t("(none)"),
                             default_value=rx.cond(e.union_branch_id == 0, "", e.union_branch_id.to_string())),
                select_field(t("Youth-union branch"), "youth_branch_id", PeopleState.youth_options,
                             placeholder=t("(none)"),
                             default_value=rx.cond(e.youth_branch_id == 0, "", e.youth_branch_id.to_string())),
                columns="2", spacing="3", width="100%"),
            rx.button(t("Save"), type="submit", id="save-person"),
            spacing="3",
            align="stretch",
        ),
        on_submit=PeopleState.save_person,
        key=PeopleState.form_key,
    )


def _grant_row(g: GrantRow) -> rx.Component:
    return rx.hstack(
        rx.badge(g.role_label), rx.text(g.scope, size="2"), rx.spacer(),
        rx.button(t("Revoke"), size="1", variant="ghost", color_scheme="red",
                  on_click=PeopleState.revoke_role(g.id)),
        align="center", width="100%",
    )


def _account_panel() -> rx.Component:
    a = PeopleState.account
    return rx.vstack(
        rx.cond(
            PeopleState.temp_password != "",
            rx.callout(
                rx.vstack(
                    rx.text(t("Temporary password (shown once; give it to the person in private):")),
                    rx.code(PeopleState.temp_password, size="5", id="temp-password"),
                    rx.text(t("They must change it when they first log in."), size="1"),
                    spacing="1"),
                icon="key_round", color_scheme="amber", width="100%"),
        ),
        rx.cond(
            a,
            rx.vstack(
                rx.hstack(rx.text(t("Username:")), rx.code(a.username),
                          rx.cond(a.is_active, rx.badge(t("enabled"), color_scheme="green"),
                                  rx.badge(t("disabled"), color_scheme="red")),
                          align="center"),
                rx.text(rx.cond(a.last_login != "", t("Last login: {moment}", moment=a.last_login),
                                t("Last login: never")), size="2"),
                rx.hstack(
                    rx.button(t("Reset password"), size="2", variant="soft", on_click=PeopleState.reset_password),
                    rx.cond(a.is_active,
                            rx.button(t("Disable login"), size="2", variant="soft", color_scheme="red",
                                      on_click=PeopleState.set_account_active(False)),
                            rx.button(t("Enable login"), size="2", variant="soft",
                                      on_click=PeopleState.set_account_active(True))),
                    wrap="wrap"),
                rx.heading(t("Roles"), size="3", margin_top="0.5em"),
                rx.text(t("Every account is staff."), size="1", color_scheme="gray"),
                rx.foreach(a.grants, _grant_row),
                rx.form(rx.vstack(
                    rx.el.select(rx.el.option(t("Role…"), value=""),
                                 *[rx.el.option(t(ROLE_NAMES[r]), value=r.value) for r in Role if r is not Role.STAFF],
                                 name="role", required=True, class_name="native-select", aria_label=t("Role")),
                    select_field(t("Unit (for a unit head)"), "unit_id", PeopleState.unit_options,
                                 placeholder=t("(not needed)")),
                    select_field(t("Branch (for a union officer)"), "branch_id", PeopleState.branch_options,
                                 placeholder=t("(not needed)")),
                    rx.button(t("Grant role"), type="submit", size="2"),
                    spacing="2", align="stretch"),
                    on_submit=PeopleState.grant_role, reset_on_submit=True),
                spacing="2", align="stretch", width="100%"),
            rx.form(rx.vstack(
                rx.text(t("This person has no login. Staff without accounts can still be "
                          "recognised, commended and sign on paper.")),
                field(t("Username"), "username", required=True, default_value=PeopleState.suggested_username),
                rx.button(t("Create account"), type="submit", id="create-account"),
                spacing="2", align="stretch"),
                on_submit=PeopleState.create_account, key=PeopleState.form_key),
        ),
        spacing="3", align="stretch", width="100%",
    )


def people_page() -> rx.Component:
    """Search, page, create and edit people; admins also manage accounts and roles."""
    return shell(
        page_title(t("People"), t("Staff records. A person does not need a login.")),
        rx.flex(
            rx.input(placeholder=t("Search name (accents optional), code or e-mail…"),
                     aria_label=t("Search people"),
                     on_change=PeopleState.set_query.debounce(300), width="100%",
                     max_width="360px", id="people-search"),
            rx.el.select(
                rx.el.option(t("All units I can see"), value=""),
                rx.foreach(PeopleState.unit_options, lambda o: rx.el.option(o.label, value=o.value)),
                on_change=PeopleState.set_unit_filter, class_name="native-select", max_width="320px",
                aria_label=t("Unit")),
            rx.el.label(rx.hstack(rx.switch(checked=PeopleState.include_inactive,
                                            on_change=PeopleState.set_include_inactive),
                                  rx.text(t("Show deactivated"), size="2"), align="center")),
            rx.spacer(),
            rx.button(rx.icon("user_plus"), t("New person"), on_click=PeopleState.open_create, id="new-person"),
            gap="3", wrap="wrap", align="center", width="100%", margin_bottom="1em",
        ),
        error_callout(rx.cond(PeopleState.dialog == "", PeopleState.error, "")),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("Name")),
                    rx.table.column_header_cell(t("Unit")),
                    rx.table.column_header_cell(t("Login"), display=["none", "table-cell"]),
                    rx.table.column_header_cell(t("Status")),
                    action_header(),
                )),
                rx.table.body(rx.foreach(PeopleState.rows, _person_row)),
                width="100%",
                id="people-table",
            ),
            overflow_x="auto", width="100%",
        ),
        rx.cond(PeopleState.total == 0, rx.text(t("No one matches."), color_scheme="gray", padding="1em")),
        rx.box(pager(PeopleState.page, PeopleState.pages, PeopleState.total,
                     PeopleState.prev_page, PeopleState.next_page), margin_top="1em"),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(rx.match(
                    PeopleState.dialog,
                    ("account", t("Account — {name}", name=PeopleState.editing.full_name)),
                    rx.cond(PeopleState.editing.id == 0, t("New person"),
                            t("Edit {name}", name=PeopleState.editing.full_name)),
                )),
                error_callout(PeopleState.error),
                rx.cond(PeopleState.dialog == "account", _account_panel(), _person_form()),
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", margin_top="1em")),
                max_width="600px",
            ),
            open=PeopleState.dialog != "",
            on_open_change=PeopleState.close_dialog,
        ),
    )


# --- import --------------------------------------------------------------------------------


_KIND_LABELS = {"new": N_("New"), "changed": N_("Changed"), "unchanged": N_("Unchanged"),
                "refused": N_("Refused")}
_KIND_COLOURS = {"new": "green", "changed": "amber", "unchanged": "gray", "refused": "red"}


def _preview_row(r: ImportPreviewRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.line),
        rx.table.cell(rx.badge(t_match(r.kind, _KIND_LABELS),
                               color_scheme=rx.match(r.kind, *_KIND_COLOURS.items(), "gray"))),
        rx.table.cell(rx.vstack(rx.text(r.full_name, weight="medium"),
                                rx.text(r.employee_code, " · ", r.unit, size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.vstack(rx.foreach(r.changes, lambda c: rx.text(c, size="2")),
                                spacing="1")),
        class_name="preview-row",
    )


def _count_badge(kind: str, count: rx.Var) -> rx.Component:
    return rx.badge(t_match(kind, _KIND_LABELS), ": ", count, color_scheme=_KIND_COLOURS[kind], size="2")


def _preview() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Preview"), size="4"),
        rx.flex(_count_badge("new", ImportState.count_new), _count_badge("changed", ImportState.count_changed),
                _count_badge("unchanged", ImportState.count_unchanged),
                _count_badge("refused", ImportState.count_refused), gap="2", wrap="wrap", id="preview-counts"),
        rx.el.label(rx.hstack(
            rx.text(t("Show"), size="2"),
            rx.el.select(rx.el.option(t("All rows"), value=""),
                         *[rx.el.option(t(_KIND_LABELS[k]), value=k) for k in _KIND_LABELS],
                         value=ImportState.show_kind, on_change=ImportState.set_show_kind,
                         class_name="native-select"),
            align="center", spacing="2")),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(rx.table.column_header_cell(t("Line")),
                                         rx.table.column_header_cell(t("What happens")),
                                         rx.table.column_header_cell(t("Person")),
                                         rx.table.column_header_cell(t("Changes or problems")))),
            rx.table.body(rx.foreach(ImportState.preview_rows, _preview_row)), width="100%", id="import-preview"),
            overflow_x="auto", width="100%"),
        rx.cond(ImportState.preview_hidden > 0,
                rx.text(t("{n} more rows are not listed; choose what to show above.", n=ImportState.preview_hidden),
                        size="1", color_scheme="gray")),
        rx.cond(
            ImportState.count_refused > 0,
            rx.callout(t("Fix the refused rows and check the file again: nothing is imported while one row is "
                         "refused."), icon="triangle_alert", color_scheme="red", width="100%"),
            rx.button(t("Confirm the import"), on_click=ImportState.confirm(rx.upload_files(upload_id="staff_csv")),
                      loading=ImportState.busy, width="fit-content", id="import-confirm", color_scheme="green"),
        ),
        spacing="3", width="100%", align="stretch", margin_top="1em",
    )


def import_page() -> rx.Component:
    """Upload a staff file, see what it would change, then confirm: all rows or nothing."""
    return shell(
        page_title(t("Import staff"), t("One row per person. Every row must be valid, or nothing is imported.")),
        card(
            rx.text(t("Columns: employee_code, full_name, unit_code (required); position, email, phone, "
                      "union_branch, youth_branch (branch codes), gender (Nam/Nữ), birth_date, rank, "
                      "recruited_on (dates as dd/mm/yyyy) are optional. Vietnamese column names (Mã cán bộ, "
                      "Họ và tên, Mã đơn vị, Ngày sinh...) are accepted. UTF-8 CSV, comma or semicolon, or Excel.")),
            rx.text(t("A row whose employee code is already on record updates that person (a move to another "
                      "unit is kept in their history). An empty cell does not erase what is on record, and an "
                      "import never deactivates anyone."), size="2", color_scheme="gray"),
            rx.button(rx.icon("download"), t("Download the template"), variant="soft",
                      on_click=ImportState.download_template, width="fit-content"),
            named_upload(rx.upload(
                rx.vstack(rx.icon("file_up", size=32),
                          rx.text(t("Drop a CSV or Excel (.xlsx) file here or click to choose")),
                          rx.text(rx.selected_files("staff_csv"), size="1", color_scheme="gray"),
                          align="center"),
                id="staff_csv", max_files=1,
                accept={"text/csv": [".csv"],
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]},
                border=f"2px dashed {rx.color('gray', 6)}", padding="2em", border_radius="12px",
            ), t("Drop a CSV or Excel (.xlsx) file here or click to choose")),
            rx.button(t("Check the file"), on_click=ImportState.upload(rx.upload_files(upload_id="staff_csv")),
                      loading=ImportState.busy, width="fit-content", id="import-submit"),
        ),
        rx.box(height="1em"),
        error_callout(ImportState.error),
        rx.cond(ImportState.status != "", rx.vstack(
            rx.text(ImportState.status, weight="medium", id="import-status"),
            rx.progress(value=ImportState.progress, max=100, width="100%"),
            width="100%", spacing="2")),
        rx.cond(ImportState.previewed, _preview()),
        rx.cond((ImportState.error_count > 0) & ~ImportState.previewed, rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("Line")),
                                             rx.table.column_header_cell(t("Column")),
                                             rx.table.column_header_cell(t("Problem")))),
                rx.table.body(rx.foreach(ImportState.errors, lambda e: rx.table.row(
                    rx.table.cell(e[0]), rx.table.cell(e[1]), rx.table.cell(e[2])))),
                width="100%", id="import-errors"),
            rx.cond(ImportState.error_count > 500,
                    rx.text(t("Showing the first {n} problems.", n=500), size="1", color_scheme="gray")),
            overflow_x="auto", width="100%", margin_top="1em")),
    )


# --- audit -----------------------------------------------------------------------------------


def _audit_row(r: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.actor),
        rx.table.cell(rx.text(r.action_label, size="2", weight="medium")),
        rx.table.cell(rx.vstack(rx.text(r.entity_label, size="1", color_scheme="gray"),
                                rx.text(rx.cond(r.record != "", r.record, r.entity_id), size="2"), spacing="0")),
        rx.table.cell(rx.vstack(rx.foreach(r.changes, lambda c: rx.text(c, size="2")),
                                spacing="1")),
        class_name="audit-row",
    )


def _audit_filters() -> rx.Component:
    return rx.flex(
        rx.input(placeholder=t("Person: name or employee code"), aria_label=t("Person"), value=AuditState.person,
                 on_change=AuditState.set_person.debounce(400), width="100%", max_width="260px", id="audit-person"),
        rx.el.select(rx.el.option(t("Every kind of record"), value=""),
                     rx.foreach(AuditState.entity_options, lambda o: rx.el.option(o.label, value=o.value)),
                     value=AuditState.entity, on_change=AuditState.set_entity, class_name="native-select",
                     aria_label=t("Kind of record"), max_width="240px"),
        rx.el.select(rx.el.option(t("Every action"), value=""),
                     rx.foreach(AuditState.action_options, lambda o: rx.el.option(o.label, value=o.value)),
                     value=AuditState.action, on_change=AuditState.set_action, class_name="native-select",
                     aria_label=t("Action"), max_width="280px"),
        rx.el.label(rx.hstack(rx.text(t("From"), size="2"),
                              rx.input(type="date", value=AuditState.date_from, on_change=AuditState.set_date_from),
                              align="center", spacing="2")),
        rx.el.label(rx.hstack(rx.text(t("To"), size="2"),
                              rx.input(type="date", value=AuditState.date_to, on_change=AuditState.set_date_to),
                              align="center", spacing="2")),
        rx.button(t("Clear the filters"), variant="ghost", on_click=AuditState.clear_filters),
        gap="3", wrap="wrap", align="center", width="100%", margin_bottom="1em",
    )


def audit_page() -> rx.Component:
    """Who did what to which record, and what changed, newest first."""
    return shell(
        page_title(t("Audit log"), t("Every privileged action, newest first, with what it changed.")),
        _audit_filters(),
        error_callout(AuditState.error),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           (t("When"), t("Done by"), t("Action taken"), t("Record"),
                                            t("What changed"))])),
            rx.table.body(rx.foreach(AuditState.rows, _audit_row)), width="100%", id="audit-table"),
            overflow_x="auto", width="100%"),
        rx.cond(AuditState.total == 0, rx.text(t("No entry matches these filters."), color_scheme="gray",
                                                padding="1em")),
        rx.cond(AuditState.capped, rx.text(t("More than {n} entries match; only the newest {n} can be paged "
                                             "through. Narrow the filters to see older ones.", n=AUDIT_COUNT_CAP),
                                           size="1", color_scheme="gray")),
        rx.box(pager(AuditState.page, AuditState.pages, AuditState.total, AuditState.prev_page,
                     AuditState.next_page), margin_top="1em"),
    )


# --- profile ---------------------------------------------------------------------------------


def _fact(label: str | rx.Var, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _language_choice() -> rx.Component:
    """The interface language of my account (saved, then the page reloads in it)."""
    shown = rx.cond(AuthState.lang == "", i18n.default_language(), AuthState.lang)
    return rx.el.label(
        rx.vstack(
            rx.text(t("Interface language"), size="2", weight="medium"),
            rx.el.select(
                *[rx.el.option(name, value=code, lang=code) for code, name in language_options()],
                value=shown, on_change=AuthState.choose_language, class_name="native-select",
                aria_label=t("Interface language"), id="profile-language", max_width="240px",
            ),
            spacing="1", align="start",
        ),
        style={"display": "block"},
    )


def profile_page() -> rx.Component:
    """My record, my roles, and links to change my password and my notification settings."""
    return shell(
        page_title(t("My profile")),
        error_callout(ProfileState.error),
        card(
            rx.data_list.root(
                _fact(t("Full name"), ProfileState.me.full_name),
                _fact(t("Employee code"), ProfileState.me.employee_code),
                _fact(t("Position"), ProfileState.me.position),
                _fact(t("Unit"), ProfileState.me.unit_trail),
                _fact(t("E-mail"), ProfileState.me.email),
                _fact(t("Phone"), ProfileState.me.phone),
                _fact(t("Union branch"), ProfileState.me.union_branch),
                _fact(t("Youth-union branch"), ProfileState.me.youth_branch),
                _fact(t("Username"), AuthState.me_username),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.flex(rx.foreach(ProfileState.me.roles, lambda r: rx.badge(r)), wrap="wrap", gap="2"),
            _language_choice(),
            rx.flex(
                rx.link(rx.button(t("Change password"), variant="soft"), href=routes.CHANGE_PASSWORD),
                rx.link(rx.button(t("Notification settings"), variant="soft"),
                        href=routes.NOTIFICATIONS + "#preferences"),
                rx.link(rx.button(t("My titles and commendations"), variant="soft"), href=routes.COMMENDATIONS),
                spacing="3", wrap="wrap",
            ),
            max_width="720px",
        ),
    )


def add_pages(app: rx.App) -> None:
    """Register this feature's pages."""
    private_page(app, units_page, route=routes.UNITS, title=N_("Organisation"), load=UnitsState.load)
    private_page(app, people_page, route=routes.PEOPLE, title=N_("People"), load=PeopleState.load)
    private_page(app, import_page, route=routes.IMPORT, title=N_("Import staff"), load=ImportState.reset_page)
    private_page(app, audit_page, route=routes.AUDIT, title=N_("Audit log"), load=AuditState.load)
    private_page(app, profile_page, route=routes.PROFILE, title=N_("My profile"), load=ProfileState.load)
