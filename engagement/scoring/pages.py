"""Pages of the scoring feature: leaderboards, the officer's settings, the lobby screen."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.scoring.dto import BoardRow, CriteriaVersion, DisplayRow, EntryRow, SourceTotal
from engagement.scoring.rules import SOURCE_LABELS, Source
from engagement.scoring.state import (
    BOARD_OPTIONS,
    PERIOD_KIND_OPTIONS,
    SOURCE_COLOURS,
    LeaderboardState,
    ScoringAdminState,
    ScreenState,
    StandingState,
)
from engagement.ui.components import card, error_callout, field, page_title, select_field
from engagement.ui.kit import private_page, public_page
from engagement.ui.layout import shell

S = LeaderboardState


def _native_select(value, on_change, options, *, label: str, placeholder: str | None = None) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="1", weight="medium", color_scheme="gray"),
            rx.el.select(
                rx.el.option(placeholder, value="") if placeholder is not None else rx.fragment(),
                rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
                value=value, on_change=on_change, class_name="native-select",
            ),
            spacing="1",
        ),
    )


def _controls() -> rx.Component:
    return rx.flex(
        _native_select(S.board, S.set_board, S.board_choices, label="Leaderboard"),
        _native_select(S.period_kind, S.set_period_kind, PERIOD_KIND_OPTIONS, label="Period"),
        rx.cond(
            S.period_kind == "custom",
            rx.form(
                rx.hstack(
                    rx.el.label(rx.vstack(rx.text("From", size="1", color_scheme="gray"),
                                          rx.input(type="month", name="start", default_value=S.start), spacing="1")),
                    rx.el.label(rx.vstack(rx.text("To", size="1", color_scheme="gray"),
                                          rx.input(type="month", name="end", default_value=S.end), spacing="1")),
                    rx.button("Show", type="submit", variant="soft"),
                    align="end",
                ),
                on_submit=S.set_range,
            ),
            _native_select(S.period, S.set_period, S.period_choices, label="Which"),
        ),
        rx.cond(
            S.board == "people",
            _native_select(S.unit_id, S.set_unit_id, S.unit_options, label="Within",
                           placeholder="The whole organisation"),
            _native_select(S.group_id, S.set_group_id, S.group_options, label="Compare",
                           placeholder="Top-level units"),
        ),
        rx.spacer(),
        rx.hstack(
            rx.button(rx.icon("file_down", size=16), "CSV", variant="soft", on_click=S.export("csv")),
            rx.button(rx.icon("sheet", size=16), "XLSX", variant="soft", on_click=S.export("xlsx")),
            align="end",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _change_badge(row: BoardRow) -> rx.Component:
    return rx.cond(
        row.change_text == "",
        rx.fragment(),
        rx.badge(
            row.change_text,
            color_scheme=rx.cond(row.change_text == "new", "blue",
                                 rx.cond(row.change_text == "=", "gray",
                                         rx.cond(row.change_text.contains("▲"), "green", "red"))),
            variant="soft",
        ),
    )


def _board_row(row: BoardRow) -> rx.Component:
    units = S.result.board != "people"
    return rx.table.row(
        rx.table.cell(rx.text(row.rank, weight="bold")),
        rx.table.cell(_change_badge(row), display=["none", "table-cell"]),
        # The name opens "why this score" too: on a phone the last column is off-screen.
        rx.table.cell(rx.vstack(rx.text(row.name, weight="medium"),
                                rx.text(row.detail, size="1", color_scheme="gray"), spacing="0",
                                on_click=S.open_detail(row.subject_id), cursor="pointer")),
        rx.table.cell(rx.text(row.points, weight=rx.cond(S.result.board == "units_per_member", "regular", "bold"))),
        rx.cond(units, rx.table.cell(row.members, display=["none", "table-cell"])),
        rx.cond(units, rx.table.cell(rx.text(row.per_member,
                                             weight=rx.cond(S.result.board == "units_per_member", "bold", "regular")))),
        rx.table.cell(rx.button("Why", size="1", variant="ghost", on_click=S.open_detail(row.subject_id),
                                aria_label="Why this score")),
    )


def _board_table() -> rx.Component:
    units = S.result.board != "people"
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("#"),
                rx.table.column_header_cell("Change", display=["none", "table-cell"]),
                rx.table.column_header_cell(rx.cond(units, "Unit", "Name")),
                rx.table.column_header_cell("Points"),
                rx.cond(units, rx.table.column_header_cell("Members", display=["none", "table-cell"])),
                rx.cond(units, rx.table.column_header_cell("Per member")),
                rx.table.column_header_cell(""),
            ),
        ),
        rx.table.body(rx.foreach(S.result.rows, _board_row)),
        width="100%",
        variant="surface",
        id="leaderboard",
    )


def _source_badge(item: SourceTotal) -> rx.Component:
    return rx.badge(item.label, ": ", item.points, variant="soft", size="2")


def _entry_row(e: EntryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.day, white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.text(e.label, size="2"),
                                rx.text(e.person, " · ", e.ref, size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.text(e.points, weight="bold", color_scheme=rx.cond(e.points < 0, "red", "green"))),
        rx.table.cell(rx.text(e.reason, size="1")),
    )


def _chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *[rx.recharts.bar(data_key=s.value, name=SOURCE_LABELS[s], stack_id="points", fill=SOURCE_COLOURS[s.value])
          for s in Source],
        rx.recharts.x_axis(data_key="month"),
        rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
        data=S.detail_chart,
        width="100%",
        height=220,
    )


def _detail_dialog() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(d.name),
            rx.dialog.description(rx.text("Why this score · ", d.period_label, ": ", rx.text.strong(d.points),
                                          " points")),
            rx.vstack(
                rx.flex(rx.foreach(d.by_source, _source_badge), wrap="wrap", spacing="2"),
                rx.text("Points per month, last 12 months", size="2", weight="medium"),
                _chart(),
                rx.cond(
                    d.entries_visible,
                    rx.vstack(
                        _small_table(("Day", "Source", "Points", "Note"), d.entry_rows, _entry_row),
                        rx.hstack(
                            rx.button("Newer", size="1", variant="soft", on_click=S.detail_more(-1),
                                      disabled=d.offset <= 0),
                            rx.text(d.entries_total, " entries", size="1"),
                            rx.button("Older", size="1", variant="soft", on_click=S.detail_more(1),
                                      disabled=d.offset + 20 >= d.entries_total),
                            align="center",
                        ),
                        width="100%",
                    ),
                    rx.text("The entries themselves are visible to the person, their unit heads and the emulation "
                            "officers.", size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.flex(rx.dialog.close(rx.button("Close", variant="soft", on_click=S.close_detail)),
                    justify="end", margin_top="1em"),
            max_width="760px",
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )


def leaderboards_page() -> rx.Component:
    """Units and people ranked by emulation points."""
    return shell(
        page_title("Leaderboards", "Emulation points of units and individuals. Open any row to see why."),
        error_callout(S.error),
        card(
            _controls(),
            rx.hstack(rx.heading(S.result.title, size="4"), rx.badge(S.result.period_label, variant="outline"),
                      align="center"),
            rx.cond(
                S.result.rows.length() > 0,
                rx.box(_board_table(), overflow_x="auto", width="100%"),
                rx.text("No points in this period yet.", color_scheme="gray"),
            ),
            rx.hstack(
                rx.button(rx.icon("chevron_left"), "Previous", variant="soft", on_click=S.previous_page,
                          disabled=~S.has_previous_page),
                rx.button("Next", rx.icon("chevron_right"), variant="soft", on_click=S.next_page,
                          disabled=~S.result.has_more),
                spacing="3",
            ),
        ),
        _detail_dialog(),
    )


# --- officer settings ----------------------------------------------------------------------

A = ScoringAdminState


def _static_select(label: str, name: str, options: list) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.el.select(*[rx.el.option(o.label, value=o.value) for o in options], name=name,
                         class_name="native-select"),
            spacing="1",
        ),
        style={"width": "100%", "display": "block"},
    )


def _small_table(headers: tuple[str, ...], rows, render) -> rx.Component:
    """A compact full-width table: a header of ``headers``, then ``render(row)`` for each row."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, render)),
        size="1", width="100%",
    )


def _criterion_row(item: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item["label"]),
        rx.table.cell(rx.input(name="weight_" + item["source"].to(str), default_value=item["weight"].to(str),
                               type="number", min=0, max=1000, width="7em", aria_label="Weight")),
        rx.table.cell(rx.input(name="cap_" + item["source"].to(str), default_value=item["cap"].to(str),
                               type="number", min=1, placeholder="no cap", width="8em", aria_label="Monthly cap")),
    )


def _version_row(v: CriteriaVersion) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(v.version == 0, "defaults", "v" + v.version.to_string())),
        rx.table.cell(v.effective_from),
        rx.table.cell(v.note),
    )


def _display_row(d: DisplayRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.title),
        rx.table.cell(d.board, " · ", d.period_kind, " · ", d.group),
        rx.table.cell(d.created_at),
        rx.table.cell(rx.cond(d.active,
                              rx.button("Revoke", size="1", color_scheme="red", variant="soft",
                                        on_click=A.revoke_display(d.id)),
                              rx.badge("revoked", color_scheme="gray"))),
    )


def scoring_admin_page() -> rx.Component:
    """Criteria, the individual-board switch, manual adjustments and lobby screens (officers)."""
    return shell(
        page_title("Scoring settings", "Emulation criteria, adjustments and lobby screens"),
        error_callout(A.error),
        rx.cond(A.message != "", rx.callout(A.message, icon="check", color_scheme="green", width="100%")),
        rx.grid(
            card(
                rx.heading("Criteria", size="4"),
                rx.text("Points per event and monthly caps. Publishing makes a new version from a month on; "
                        "past months keep the rules they were scored with.", size="2", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        rx.hstack(
                            field("Year", "year", default_value=A.year, type="number"),
                            field("From month", "effective_from", type="month"),
                        ),
                        _small_table(("Source", "Weight", "Monthly cap"), A.current, _criterion_row),
                        field("Note", "note", placeholder="e.g. Council decision 12/QĐ of 5 March"),
                        rx.button("Publish new version", type="submit"),
                        align="stretch",
                    ),
                    on_submit=A.save_criteria,
                    key=A.form_key.to_string() + A.year,
                ),
                _small_table(("Version", "From", "Note"), A.versions, _version_row),
            ),
            rx.vstack(
                card(
                    rx.heading("Individual leaderboards", size="4"),
                    rx.hstack(
                        rx.switch(checked=A.individual_boards, on_change=A.set_individual_boards,
                                  id="individual-boards"),
                        rx.text(rx.cond(A.individual_boards, "Shown to everyone",
                                        "Switched off: only officers see individual rankings")),
                        align="center",
                    ),
                ),
                card(
                    rx.heading("Manual adjustment", size="4"),
                    rx.form(
                        rx.hstack(rx.input(name="q", placeholder="Name or staff code", flex="1"),
                                  rx.button("Find", type="submit", variant="soft")),
                        on_submit=A.find_people,
                    ),
                    rx.form(
                        rx.vstack(
                            select_field("Person", "person_id", A.people, required=True),
                            field("Points (negative to deduct)", "points", type="number", required=True),
                            field("Reason", "reason", required=True,
                                  hint="Shown with the entry; at least 10 characters."),
                            rx.button("Record adjustment", type="submit"),
                            align="stretch",
                        ),
                        on_submit=A.adjust,
                        key=A.form_key.to_string(),
                    ),
                ),
                card(
                    rx.heading("Lobby screens", size="4"),
                    rx.form(
                        rx.vstack(
                            field("Title", "title", required=True, placeholder="Lobby, floor 1"),
                            _static_select("Shows", "board", BOARD_OPTIONS),
                            _static_select("Period", "period_kind", PERIOD_KIND_OPTIONS[:3]),
                            select_field("Units", "group_id", A.group_options, placeholder="Top-level units"),
                            rx.button("Create link", type="submit"),
                            align="stretch",
                        ),
                        on_submit=A.create_display,
                        key=A.form_key.to_string(),
                    ),
                    rx.cond(A.new_link != "", rx.callout(
                        rx.vstack(rx.text("Open this link on the screen. It is shown only now:"),
                                  rx.code(A.new_link, id="new-screen-link", word_break="break-all")),
                        icon="monitor", color_scheme="green")),
                    rx.table.root(rx.table.body(rx.foreach(A.displays, _display_row)), size="1", width="100%"),
                ),
                spacing="4",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
    )


# --- lobby screen ------------------------------------------------------------------------------

def _screen_row(row: BoardRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.heading(row.rank, size="6")),
        rx.table.cell(rx.text(row.name, size="6", weight="medium")),
        rx.table.cell(rx.text(rx.cond(ScreenState.result.board == "units_per_member", row.per_member, row.points),
                              size="6", weight="bold")),
        rx.table.cell(_change_badge(row)),
    )


def screen_page() -> rx.Component:
    """A read-only leaderboard for a lobby screen; reloads itself every minute."""
    return rx.box(
        rx.moment(interval=60_000, format="HH:mm", on_change=ScreenState.refresh, display="none"),
        rx.vstack(
            rx.hstack(rx.icon("trophy", size=36, color=rx.color("accent", 9)),
                      rx.heading(ScreenState.result.title, size="8"), rx.spacer(),
                      rx.badge(ScreenState.result.period_label, size="3"), align="center", width="100%"),
            rx.cond(ScreenState.error != "", rx.callout(ScreenState.error, color_scheme="red", icon="triangle_alert")),
            rx.table.root(rx.table.body(rx.foreach(ScreenState.result.rows, _screen_row)), width="100%", size="3"),
            rx.text("Updated ", ScreenState.updated, size="2", color_scheme="gray"),
            padding="2em",
            spacing="4",
            width="100%",
        ),
        min_height="100vh",
    )


def ranking_card() -> rx.Component:
    """The home page's card: my points, and my unit's place this month (load: StandingState.load)."""
    st = StandingState.standing
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("trophy", size=20), rx.heading("Emulation ranking", size="4"), align="center"),
            rx.hstack(rx.heading(st.my_points, size="7", id="my-points"), rx.text("points this month", size="2"),
                      align="baseline"),
            rx.text(st.my_year_points, " this year", size="2", color_scheme="gray"),
            rx.cond(st.unit_rank > 0,
                    rx.text(st.unit_name, ": #", st.unit_rank, " of ", st.unit_count, " this month", size="2")),
            rx.link("Open the leaderboards", href=routes.LEADERBOARDS, size="2"),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def add_pages(app: rx.App) -> None:
    """Register the scoring pages."""
    private_page(app, leaderboards_page, route=routes.LEADERBOARDS, title="Leaderboards", load=LeaderboardState.load)
    private_page(app, scoring_admin_page, route=routes.SCORING_ADMIN, title="Scoring settings",
                 load=ScoringAdminState.load)
    public_page(app, screen_page, route=routes.SCREEN, title="Leaderboard screen", load=ScreenState.refresh)
