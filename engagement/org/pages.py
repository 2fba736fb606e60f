"""Pages of the organisation feature: units, people, import, audit log, profile."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.org.dto import AuditRow, GrantRow, GroupRow, PersonRow, UnitRow
from engagement.org.state import AuditState, ImportState, PeopleState, ProfileState, UnitsState
from engagement.ui.auth import AuthState
from engagement.ui.components import card, error_callout, field, page_title, pager, select_field
from engagement.ui.kit import private_page
from engagement.ui.layout import shell

# --- units ------------------------------------------------------------------------------------


def _unit_actions(u: UnitRow) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("ellipsis"), variant="ghost", size="1",
                                       aria_label="Unit actions")),
        rx.menu.content(
            rx.menu.item("History", on_click=UnitsState.open_history(u.id)),
            rx.cond(
                AuthState.can_manage_units,
                rx.fragment(
                    rx.menu.item("Add sub-unit", on_click=UnitsState.open_create(u.id)),
                    rx.menu.item("Rename", on_click=UnitsState.open_rename(u.id)),
                    rx.menu.item("Move", on_click=UnitsState.open_move(u.id)),
                    rx.menu.separator(),
                    rx.cond(
                        u.is_active,
                        rx.menu.item("Deactivate", color_scheme="red",
                                     on_click=UnitsState.set_active(u.id, False)),
                        rx.menu.item("Reactivate", on_click=UnitsState.set_active(u.id, True)),
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
            rx.badge(u.kind, variant="soft", size="1"),
            rx.cond(~u.is_active, rx.badge("inactive", color_scheme="red", size="1")),
            rx.cond(u.groups != "", rx.badge(u.groups, color_scheme="green", variant="outline",
                                             size="1", display=["none", "none", "inline-flex"])),
            padding_left=(u.depth * 1.25).to_string() + "em",
            align="center",
            spacing="2",
            wrap="wrap",
            flex="1",
        ),
        rx.text(u.people, " people", size="2", color_scheme="gray", white_space="nowrap"),
        _unit_actions(u),
        align="center",
        width="100%",
        padding_y="0.35em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
        opacity=rx.cond(u.is_active, "1", "0.6"),
        class_name="unit-row",
    )


def _unit_dialog() -> rx.Component:
    kind_options = rx.foreach(UnitsState.kinds, lambda k: rx.el.option(k, value=k))
    body = rx.match(
        UnitsState.dialog,
        ("create", rx.form(rx.vstack(
            rx.text(rx.cond(UnitsState.target_name != "", "Under: " + UnitsState.target_name,
                            "At the top level")),
            field("Name", "name", required=True, placeholder="Phòng Tổ chức cán bộ"),
            field("Code", "code", required=True, placeholder="SNV-TCCB",
                  hint="Short and unique; used in CSV imports."),
            rx.text("Kind", size="2", weight="medium"),
            rx.el.select(kind_options, name="kind", default_value="office", class_name="native-select"),
            rx.button("Create unit", type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_create)),
        ("rename", rx.form(rx.vstack(
            field("New name", "name", required=True, default_value=UnitsState.target_name),
            rx.text("The old name stays in the unit's history.", size="1", color_scheme="gray"),
            rx.button("Rename", type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_rename)),
        ("move", rx.form(rx.vstack(
            select_field("New parent unit", "parent_id", UnitsState.unit_options,
                         placeholder="(top level)"),
            rx.text("Its sub-units move with it.", size="1", color_scheme="gray"),
            rx.button("Move", type="submit"), spacing="3", align="stretch"),
            on_submit=UnitsState.submit_move)),
        ("history", rx.vstack(
            rx.cond(UnitsState.history.length() == 0, rx.text("No history yet.")),
            rx.foreach(UnitsState.history, lambda e: rx.hstack(
                rx.text(e.at, size="2", color_scheme="gray", white_space="nowrap"),
                rx.badge(e.kind),
                rx.text(rx.cond(e.old_value != "", e.old_value + " → ", ""), e.new_value, size="2"),
                wrap="wrap", align="center")),
            spacing="2", align="stretch")),
        rx.fragment(),
    )
    title = rx.match(UnitsState.dialog, ("create", "New unit"), ("rename", "Rename unit"),
                     ("move", "Move unit"), ("history", "History"), "")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title, " ", rx.cond(UnitsState.dialog != "create", UnitsState.target_name, "")),
            error_callout(UnitsState.error),
            body,
            rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", margin_top="1em")),
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
                            rx.icon("x", size=12, cursor="pointer",
                                    on_click=UnitsState.remove_from_group(g.id, uid))),
                    variant="soft")),
                wrap="wrap", gap="2"),
            spacing="2", align="start"),
        width="100%",
    )


def units_page() -> rx.Component:
    """The unit tree, with management actions for officers and admins."""
    return shell(
        page_title("Organisation", "Units, sub-units and peer groups."),
        rx.hstack(
            rx.input(placeholder="Filter by name or code…", value=UnitsState.filter_text,
                     on_change=UnitsState.set_filter_text.debounce(300), max_width="320px",
                     width="100%"),
            rx.cond(AuthState.can_manage_units,
                    rx.button(rx.icon("plus"), "New top-level unit", on_click=UnitsState.open_create(0),
                              variant="soft")),
            wrap="wrap", spacing="3", margin_bottom="1em", width="100%",
        ),
        error_callout(rx.cond(UnitsState.dialog == "", UnitsState.error, "")),
        card(rx.foreach(UnitsState.rows, _unit_row), id="unit-tree"),
        rx.heading("Unit groups", size="5", margin_top="1.5em", margin_bottom="0.75em"),
        rx.text("Peer cohorts: leaderboards rank units against the other units of their group.",
                size="2", color_scheme="gray", margin_bottom="0.75em"),
        rx.grid(rx.foreach(UnitsState.groups, _group_card), columns=rx.breakpoints(initial="1", md="2"),
                spacing="3", width="100%"),
        rx.cond(
            AuthState.can_manage_units,
            rx.grid(
                card(rx.heading("New group", size="3"), rx.form(rx.vstack(
                    field("Name", "name", required=True, placeholder="Các sở, ban, ngành"),
                    field("Description", "description"),
                    rx.button("Create group", type="submit"), spacing="2", align="stretch"),
                    on_submit=UnitsState.create_group, reset_on_submit=True)),
                card(rx.heading("Add a unit to a group", size="3"), rx.form(rx.vstack(
                    rx.el.select(rx.el.option("Group…", value=""),
                                 rx.foreach(UnitsState.groups, lambda g: rx.el.option(g.name, value=g.id)),
                                 name="group_id", required=True, class_name="native-select"),
                    select_field("Unit", "unit_id", UnitsState.unit_options, required=True),
                    rx.button("Add", type="submit"), spacing="2", align="stretch"),
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
        rx.table.cell(rx.cond(p.is_active, rx.badge("active", color_scheme="green"),
                              rx.badge("inactive", color_scheme="red"))),
        rx.table.cell(rx.hstack(
            rx.button("Edit", size="1", variant="soft", on_click=PeopleState.open_edit(p.id)),
            rx.cond(AuthState.can_manage_accounts,
                    rx.button("Account", size="1", variant="soft", color_scheme="violet",
                              on_click=PeopleState.open_account(p.id))),
            rx.cond(p.is_active,
                    rx.button("Deactivate", size="1", variant="ghost", color_scheme="red",
                              on_click=PeopleState.set_person_active(p.id, False)),
                    rx.button("Reactivate", size="1", variant="ghost",
                              on_click=PeopleState.set_person_active(p.id, True))),
            spacing="2", wrap="wrap")),
        class_name="person-row",
    )


def _person_form() -> rx.Component:
    e = PeopleState.editing
    return rx.form(
        rx.vstack(
            rx.cond(e.id == 0,
                    field("Employee code", "employee_code", required=True, placeholder="CB00123"),
                    rx.text("Employee code: ", rx.code(e.employee_code))),
            field("Full name", "full_name", required=True, default_value=e.full_name,
                  placeholder="Nguyễn Thị Hoa"),
            field("Position", "position", default_value=e.position, placeholder="Chuyên viên"),
            select_field("Unit", "unit_id", PeopleState.unit_options, required=True,
                         default_value=rx.cond(e.unit_id == 0, "", e.unit_id.to_string())),
            rx.grid(
                field("E-mail", "email", type="email", default_value=e.email),
                field("Phone", "phone", default_value=e.phone),
                columns="2", spacing="3", width="100%"),
            rx.grid(
                select_field("Union branch", "union_branch_id", PeopleState.union_options,
                             placeholder="(none)",
                             default_value=rx.cond(e.union_branch_id == 0, "", e.union_branch_id.to_string())),
                select_field("Youth-union branch", "youth_branch_id", PeopleState.youth_options,
                             placeholder="(none)",
                             default_value=rx.cond(e.youth_branch_id == 0, "", e.youth_branch_id.to_string())),
                columns="2", spacing="3", width="100%"),
            rx.button("Save", type="submit", id="save-person"),
            spacing="3",
            align="stretch",
        ),
        on_submit=PeopleState.save_person,
        key=PeopleState.form_key,
    )


def _grant_row(g: GrantRow) -> rx.Component:
    return rx.hstack(
        rx.badge(g.role_label), rx.text(g.scope, size="2"), rx.spacer(),
        rx.button("Revoke", size="1", variant="ghost", color_scheme="red",
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
                    rx.text("Temporary password (shown once; give it to the person in private):"),
                    rx.code(PeopleState.temp_password, size="5", id="temp-password"),
                    rx.text("They must change it when they first log in.", size="1"),
                    spacing="1"),
                icon="key_round", color_scheme="amber", width="100%"),
        ),
        rx.cond(
            a,
            rx.vstack(
                rx.hstack(rx.text("Username: "), rx.code(a.username),
                          rx.cond(a.is_active, rx.badge("enabled", color_scheme="green"),
                                  rx.badge("disabled", color_scheme="red")),
                          align="center"),
                rx.text("Last login: ", rx.cond(a.last_login != "", a.last_login, "never"), size="2"),
                rx.hstack(
                    rx.button("Reset password", size="2", variant="soft", on_click=PeopleState.reset_password),
                    rx.cond(a.is_active,
                            rx.button("Disable login", size="2", variant="soft", color_scheme="red",
                                      on_click=PeopleState.set_account_active(False)),
                            rx.button("Enable login", size="2", variant="soft",
                                      on_click=PeopleState.set_account_active(True))),
                    wrap="wrap"),
                rx.heading("Roles", size="3", margin_top="0.5em"),
                rx.text("Every account is staff.", size="1", color_scheme="gray"),
                rx.foreach(a.grants, _grant_row),
                rx.form(rx.vstack(
                    rx.el.select(rx.el.option("Role…", value=""),
                                 rx.foreach(PeopleState.role_options, lambda o: rx.el.option(o.label, value=o.value)),
                                 name="role", required=True, class_name="native-select"),
                    select_field("Unit (for a unit head)", "unit_id", PeopleState.unit_options,
                                 placeholder="(not needed)"),
                    select_field("Branch (for a union officer)", "branch_id", PeopleState.branch_options,
                                 placeholder="(not needed)"),
                    rx.button("Grant role", type="submit", size="2"),
                    spacing="2", align="stretch"),
                    on_submit=PeopleState.grant_role, reset_on_submit=True),
                spacing="2", align="stretch", width="100%"),
            rx.form(rx.vstack(
                rx.text("This person has no login. Staff without accounts can still be "
                        "recognised, commended and sign on paper."),
                field("Username", "username", required=True, default_value=PeopleState.suggested_username),
                rx.button("Create account", type="submit", id="create-account"),
                spacing="2", align="stretch"),
                on_submit=PeopleState.create_account, key=PeopleState.form_key),
        ),
        spacing="3", align="stretch", width="100%",
    )


def people_page() -> rx.Component:
    """Search, page, create and edit people; admins also manage accounts and roles."""
    return shell(
        page_title("People", "Staff records. A person does not need a login."),
        rx.flex(
            rx.input(placeholder="Search name (accents optional), code or e-mail…",
                     on_change=PeopleState.set_query.debounce(300), width="100%",
                     max_width="360px", id="people-search"),
            rx.el.select(
                rx.el.option("All units I can see", value=""),
                rx.foreach(PeopleState.unit_options, lambda o: rx.el.option(o.label, value=o.value)),
                on_change=PeopleState.set_unit_filter, class_name="native-select", max_width="320px"),
            rx.hstack(rx.switch(checked=PeopleState.include_inactive,
                                on_change=PeopleState.set_include_inactive),
                      rx.text("Show deactivated", size="2"), align="center"),
            rx.spacer(),
            rx.button(rx.icon("user_plus"), "New person", on_click=PeopleState.open_create, id="new-person"),
            gap="3", wrap="wrap", align="center", width="100%", margin_bottom="1em",
        ),
        error_callout(rx.cond(PeopleState.dialog == "", PeopleState.error, "")),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Unit"),
                    rx.table.column_header_cell("Login", display=["none", "table-cell"]),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell(""),
                )),
                rx.table.body(rx.foreach(PeopleState.rows, _person_row)),
                width="100%",
                id="people-table",
            ),
            overflow_x="auto", width="100%",
        ),
        rx.cond(PeopleState.total == 0, rx.text("No one matches.", color_scheme="gray", padding="1em")),
        rx.box(pager(PeopleState.page, PeopleState.pages, PeopleState.total,
                     PeopleState.prev_page, PeopleState.next_page), margin_top="1em"),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(rx.match(
                    PeopleState.dialog,
                    ("account", "Account — " + PeopleState.editing.full_name),
                    rx.cond(PeopleState.editing.id == 0, "New person", "Edit " + PeopleState.editing.full_name),
                )),
                error_callout(PeopleState.error),
                rx.cond(PeopleState.dialog == "account", _account_panel(), _person_form()),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", margin_top="1em")),
                max_width="600px",
            ),
            open=PeopleState.dialog != "",
            on_open_change=PeopleState.close_dialog,
        ),
    )


# --- import --------------------------------------------------------------------------------


def import_page() -> rx.Component:
    """Upload a CSV of staff: all rows or nothing, with every problem listed."""
    return shell(
        page_title("Import staff", "One row per person. Every row must be valid, or nothing is imported."),
        card(
            rx.text("Columns: employee_code, full_name, unit_code (required); position, email, phone, "
                    "union_branch, youth_branch (optional; branch codes). UTF-8 CSV, comma or semicolon."),
            rx.button(rx.icon("download"), "Download the template", variant="soft",
                      on_click=ImportState.download_template, width="fit-content"),
            rx.upload(
                rx.vstack(rx.icon("file_up", size=32), rx.text("Drop a CSV file here or click to choose"),
                          rx.text(rx.selected_files("staff_csv"), size="1", color_scheme="gray"),
                          align="center"),
                id="staff_csv", accept={"text/csv": [".csv"]}, max_files=1,
                border=f"2px dashed {rx.color('gray', 6)}", padding="2em", border_radius="12px",
            ),
            rx.button("Check and import", on_click=ImportState.upload(rx.upload_files(upload_id="staff_csv")),
                      loading=ImportState.busy, width="fit-content", id="import-submit"),
        ),
        rx.box(height="1em"),
        error_callout(ImportState.error),
        rx.cond(ImportState.status != "", rx.vstack(
            rx.text(ImportState.status, weight="medium", id="import-status"),
            rx.progress(value=ImportState.progress, max=100, width="100%"),
            width="100%", spacing="2")),
        rx.cond(ImportState.error_count > 0, rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell("Line"),
                                             rx.table.column_header_cell("Column"),
                                             rx.table.column_header_cell("Problem"))),
                rx.table.body(rx.foreach(ImportState.errors, lambda e: rx.table.row(
                    rx.table.cell(e[0]), rx.table.cell(e[1]), rx.table.cell(e[2])))),
                width="100%", id="import-errors"),
            rx.cond(ImportState.error_count > 500,
                    rx.text("Showing the first 500 problems.", size="1", color_scheme="gray")),
            overflow_x="auto", width="100%", margin_top="1em")),
    )


# --- audit -----------------------------------------------------------------------------------


def _audit_row(r: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"), rx.table.cell(r.actor),
        rx.table.cell(rx.code(r.action)), rx.table.cell(r.entity, " ", r.entity_id),
        rx.table.cell(rx.text(r.detail, size="1", style={"word_break": "break-all"})),
    )


def audit_page() -> rx.Component:
    """Who did what, newest first."""
    return shell(
        page_title("Audit log", "Every privileged action, newest first."),
        rx.input(placeholder="Filter by action, e.g. account. or unit.", on_change=AuditState.set_prefix.debounce(300),
                 max_width="320px", margin_bottom="1em"),
        error_callout(AuditState.error),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("When", "Who", "Action", "Record", "Detail")])),
            rx.table.body(rx.foreach(AuditState.rows, _audit_row)), width="100%"),
            overflow_x="auto", width="100%"),
        rx.box(pager(AuditState.page, AuditState.pages, AuditState.total, AuditState.prev_page,
                     AuditState.next_page), margin_top="1em"),
    )


# --- profile ---------------------------------------------------------------------------------


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def profile_page() -> rx.Component:
    """My record, my roles, and links to change my password and my notification settings."""
    return shell(
        page_title("My profile"),
        error_callout(ProfileState.error),
        card(
            rx.data_list.root(
                _fact("Full name", ProfileState.me.full_name),
                _fact("Employee code", ProfileState.me.employee_code),
                _fact("Position", ProfileState.me.position),
                _fact("Unit", ProfileState.me.unit_trail),
                _fact("E-mail", ProfileState.me.email),
                _fact("Phone", ProfileState.me.phone),
                _fact("Union branch", ProfileState.me.union_branch),
                _fact("Youth-union branch", ProfileState.me.youth_branch),
                _fact("Username", AuthState.me_username),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.flex(rx.foreach(ProfileState.me.roles, lambda r: rx.badge(r)), wrap="wrap", gap="2"),
            rx.flex(
                rx.link(rx.button("Change password", variant="soft"), href=routes.CHANGE_PASSWORD),
                rx.link(rx.button("Notification settings", variant="soft"),
                        href=routes.NOTIFICATIONS + "#preferences"),
                spacing="3", wrap="wrap",
            ),
            max_width="720px",
        ),
    )


def add_pages(app: rx.App) -> None:
    """Register this feature's pages."""
    private_page(app, units_page, route=routes.UNITS, title="Organisation", load=UnitsState.load)
    private_page(app, people_page, route=routes.PEOPLE, title="People", load=PeopleState.load)
    private_page(app, import_page, route=routes.IMPORT, title="Import staff", load=ImportState.reset_page)
    private_page(app, audit_page, route=routes.AUDIT, title="Audit log", load=AuditState.load)
    private_page(app, profile_page, route=routes.PROFILE, title="My profile", load=ProfileState.load)
