"""Pages of the scoring feature: leaderboards, the officer's settings, the lobby screen."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.scoring.dto import BoardRow, CriteriaVersion, DisplayRow, EntryRow, SourceTotal
from engagement.scoring.rules import NOTE_MAX, REASON_MAX, SOURCE_LABELS, Source
from engagement.scoring.state import (
    BOARD_CHOICES,
    PERIOD_KINDS,
    SOURCE_COLOURS,
    LeaderboardState,
    ScoringAdminState,
    ScreenState,
    StandingState,
)
from engagement.ui.components import action_header, card, error_callout, field, page_title, select_field
from engagement.ui.i18n import t, t_match, t_n
from engagement.ui.kit import limited_text, private_page, public_page
from engagement.ui.layout import shell

S = LeaderboardState
#: The sources' labels by code, for ``t_match``.
SOURCE_LABEL_BY_CODE: dict[str, Msg] = {s.value: SOURCE_LABELS[s] for s in Source}


def _choices(options) -> list[rx.Component] | rx.Component:
    """The <option>s of a menu: a state's list of ``Option`` (labels written by the state, in
    the tab's language), or a fixed list of (code, message) rendered with ``t``."""
    if isinstance(options, list):
        return [rx.el.option(t(label), value=code) for code, label in options]
    return rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value))


def _native_select(value, on_change, options, *, label, placeholder=None) -> rx.Component:
    choices = _choices(options)
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="1", weight="medium", color_scheme="gray"),
            rx.el.select(
                rx.el.option(placeholder, value="") if placeholder is not None else rx.fragment(),
                *(choices if isinstance(choices, list) else [choices]),
                value=value, on_change=on_change, class_name="native-select",
            ),
            spacing="1",
        ),
    )


def _controls() -> rx.Component:
    return rx.flex(
        _native_select(S.board, S.set_board, S.board_choices, label=t("Leaderboard")),
        _native_select(S.period_kind, S.set_period_kind, PERIOD_KINDS, label=t("Period")),
        rx.cond(
            S.period_kind == "custom",
            rx.form(
                rx.hstack(
                    rx.el.label(rx.vstack(rx.text(t("From"), size="1", color_scheme="gray"),
                                          rx.input(type="month", name="start", default_value=S.start), spacing="1")),
                    rx.el.label(rx.vstack(rx.text(t("To"), size="1", color_scheme="gray"),
                                          rx.input(type="month", name="end", default_value=S.end), spacing="1")),
                    rx.button(t("Show"), type="submit", variant="soft"),
                    align="end",
                ),
                on_submit=S.set_range,
            ),
            _native_select(S.period, S.set_period, S.period_choices, label=t("Which")),
        ),
        rx.cond(
            S.board == "people",
            _native_select(S.unit_id, S.set_unit_id, S.unit_options, label=t("Within"),
                           placeholder=t("The whole organisation")),
            _native_select(S.group_id, S.set_group_id, S.group_options, label=t("Compare"),
                           placeholder=t("Top-level units")),
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
    # The text is written by the query in the reader's language; the colour follows the code.
    return rx.cond(
        row.trend == "",
        rx.fragment(),
        rx.badge(
            row.change_text,
            color_scheme=rx.match(row.trend, ("new", "blue"), ("same", "gray"), ("up", "green"), "red"),
            variant="soft",
        ),
    )


def _board_row(row: BoardRow) -> rx.Component:
    units = S.result.board != "people"
    return rx.table.row(
        rx.table.cell(rx.text(row.rank, weight="bold")),
        rx.table.cell(_change_badge(row), display=["none", "table-cell"]),
        # The name opens "why this score" too; on a phone the button sits under the name (a last
        # column would be off-screen at 390 px), on a wider screen in its own column.
        rx.table.cell(rx.vstack(rx.text(row.name, weight="medium"),
                                rx.text(row.detail, size="1", color_scheme="gray"),
                                rx.button(t("Why this score"), size="1", variant="soft",
                                          display=["inline-flex", "none"], class_name="why-phone",
                                          on_click=S.open_detail(row.subject_id).stop_propagation,
                                          margin_top="0.3em"),
                                spacing="0", on_click=S.open_detail(row.subject_id), cursor="pointer")),
        rx.table.cell(rx.text(row.points_text,
                              weight=rx.cond(S.result.board == "units_per_member", "regular", "bold"))),
        rx.cond(units, rx.table.cell(row.members_text, display=["none", "table-cell"])),
        rx.cond(units, rx.table.cell(rx.text(row.per_member_text,
                                             weight=rx.cond(S.result.board == "units_per_member", "bold", "regular")))),
        # The visible text is the button's whole name (WCAG 2.5.3: no hidden, different label).
        rx.table.cell(rx.button(t("Why this score"), size="1", variant="ghost",
                                on_click=S.open_detail(row.subject_id)), display=["none", "table-cell"]),
    )


def _board_table() -> rx.Component:
    units = S.result.board != "people"
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("#"),
                rx.table.column_header_cell(t("Change"), display=["none", "table-cell"]),
                rx.table.column_header_cell(rx.cond(units, t("Unit"), t("Name"))),
                rx.table.column_header_cell(t("Points")),
                rx.cond(units, rx.table.column_header_cell(t("Members"), display=["none", "table-cell"])),
                rx.cond(units, rx.table.column_header_cell(t("Per member"))),
                action_header(display=["none", "table-cell"]),
            ),
        ),
        rx.table.body(rx.foreach(S.result.rows, _board_row)),
        width="100%",
        variant="surface",
        id="leaderboard",
    )


def _source_badge(item: SourceTotal) -> rx.Component:
    return rx.badge(t("{source}: {points}", source=item.label, points=item.points_text), variant="soft", size="2")


def _entry_row(e: EntryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.day, white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.text(e.label, size="2"),
                                rx.text(e.person, " · ", e.ref, size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.text(e.points_text, weight="bold", color_scheme=rx.cond(e.points < 0, "red", "green"))),
        rx.table.cell(rx.text(e.reason, size="1")),
    )


def _chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *[rx.recharts.bar(data_key=s.value, name=t(SOURCE_LABELS[s]), stack_id="points",
                          fill=SOURCE_COLOURS[s.value])
          for s in Source],
        rx.recharts.x_axis(data_key="month"),
        rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
        # Which colour is which source, under the bars (issue 16): the badges above give the totals.
        rx.recharts.legend(vertical_align="bottom", icon_type="square", wrapper_style={"fontSize": "12px"}),
        data=S.detail_chart,
        width="100%",
        height=260,
    )


def _detail_dialog() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(d.name),
            rx.dialog.description(rx.text(t("Why this score · {period}:", period=d.period_label), " ",
                                          rx.text.strong(t("{points} points", points=d.points_text)))),
            rx.vstack(
                rx.flex(rx.foreach(d.by_source, _source_badge), wrap="wrap", spacing="2"),
                rx.text(t("Points per month, last 12 months"), size="2", weight="medium"),
                _chart(),
                rx.cond(
                    d.entries_visible,
                    rx.vstack(
                        _small_table((t("Day"), t("Source"), t("Points"), t("Note")), d.entry_rows, _entry_row),
                        rx.hstack(
                            rx.button(t("Newer"), size="1", variant="soft", on_click=S.detail_more(-1),
                                      disabled=d.offset <= 0),
                            rx.text(t_n("{n} entry", "{n} entries", d.entries_total), size="1"),
                            rx.button(t("Older"), size="1", variant="soft", on_click=S.detail_more(1),
                                      disabled=d.offset + 20 >= d.entries_total),
                            align="center",
                        ),
                        width="100%",
                    ),
                    rx.text(t("The entries themselves are visible to the person, their unit heads and the emulation "
                              "officers."), size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.flex(rx.dialog.close(rx.button(t("Close"), variant="soft", on_click=S.close_detail)),
                    justify="end", margin_top="1em"),
            max_width="760px",
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )


def leaderboards_page() -> rx.Component:
    """Units and people ranked by emulation points."""
    return shell(
        page_title(t("Leaderboards"), t("Emulation points of units and individuals. Open any row to see why.")),
        error_callout(S.error),
        card(
            _controls(),
            rx.hstack(rx.heading(S.result.title, size="4"), rx.badge(S.result.period_label, variant="outline"),
                      align="center"),
            rx.cond(
                S.result.rows.length() > 0,
                rx.box(_board_table(), overflow_x="auto", width="100%"),
                rx.text(t("No points in this period yet."), color_scheme="gray"),
            ),
            rx.hstack(
                rx.button(rx.icon("chevron_left"), t("Previous"), variant="soft", on_click=S.previous_page,
                          disabled=~S.has_previous_page),
                rx.button(t("Next"), rx.icon("chevron_right"), variant="soft", on_click=S.next_page,
                          disabled=~S.result.has_more),
                spacing="3",
            ),
        ),
        _detail_dialog(),
    )


# --- officer settings ----------------------------------------------------------------------

A = ScoringAdminState


def _static_select(label, name: str, options: list[tuple[str, Msg]]) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.el.select(*_choices(options), name=name, class_name="native-select"),
            spacing="1",
        ),
        style={"width": "100%", "display": "block"},
    )


def _small_table(headers: tuple, rows, render) -> rx.Component:
    """A compact full-width table: a header of ``headers``, then ``render(row)`` for each row."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, render)),
        size="1", width="100%",
    )


def _criterion_row(item: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(t_match(item["source"].to(str), SOURCE_LABEL_BY_CODE)),
        rx.table.cell(rx.input(name="weight_" + item["source"].to(str), default_value=item["weight"].to(str),
                               type="number", min=rx.cond(item["source"].to(str) == "inspection", -1000, 0),
                               max=1000, width="7em", aria_label=t("Weight"))),
        rx.table.cell(rx.input(name="cap_" + item["source"].to(str), default_value=item["cap"].to(str),
                               type="number", min=1, placeholder=t("no cap"), width="8em",
                               aria_label=t("Monthly cap"))),
    )


def _version_row(v: CriteriaVersion) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(v.version == 0, t("defaults"), t("v{version}", version=v.version.to_string()))),
        rx.table.cell(v.effective_from),
        rx.table.cell(v.note),
    )


def _display_row(d: DisplayRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.title),
        rx.table.cell(d.board, " · ", d.period_kind, " · ", d.group),
        rx.table.cell(d.created_at),
        rx.table.cell(rx.cond(d.active,
                              rx.button(t("Revoke"), size="1", color_scheme="red", variant="soft",
                                        on_click=A.revoke_display(d.id)),
                              rx.badge(t("revoked"), color_scheme="gray"))),
    )


def scoring_admin_page() -> rx.Component:
    """Criteria, the individual-board switch, manual adjustments and lobby screens (officers)."""
    return shell(
        page_title(t("Scoring settings"), t("Emulation criteria, adjustments and lobby screens")),
        error_callout(A.error),
        rx.cond(A.message != "", rx.callout(A.message, icon="check", color_scheme="green", width="100%")),
        rx.grid(
            card(
                rx.heading(t("Criteria"), size="4"),
                rx.text(t("Points per event and monthly caps. Publishing makes a new version from a month on; "
                          "past months keep the rules they were scored with."), size="2", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        rx.hstack(
                            field(t("Year"), "year", default_value=A.year, type="number", on_blur=A.set_year),
                            field(t("From month"), "effective_from", type="month"),
                        ),
                        _small_table((t("Source"), t("Weight"), t("Monthly cap")), A.current, _criterion_row),
                        limited_text(t("Note"), "note", NOTE_MAX, form="criteria",
                                     placeholder=t("e.g. Council decision 12/QĐ of 5 March")),
                        rx.button(t("Publish new version"), type="submit"),
                        align="stretch",
                    ),
                    on_submit=A.save_criteria,
                    key=A.form_key.to_string() + A.year,
                ),
                _small_table((t("Version"), t("From"), t("Note")), A.versions, _version_row),
            ),
            rx.vstack(
                card(
                    rx.heading(t("Individual leaderboards"), size="4"),
                    rx.hstack(
                        rx.switch(checked=A.individual_boards, on_change=A.set_individual_boards,
                                  id="individual-boards", aria_label=t("Individual leaderboards")),
                        rx.text(rx.cond(A.individual_boards, t("Shown to everyone"),
                                        t("Switched off: only officers see individual rankings"))),
                        align="center",
                    ),
                ),
                card(
                    rx.heading(t("Manual adjustment"), size="4"),
                    rx.form(
                        rx.hstack(rx.input(name="q", placeholder=t("Name or staff code"), flex="1"),
                                  rx.button(t("Find"), type="submit", variant="soft")),
                        on_submit=A.find_people,
                    ),
                    rx.form(
                        rx.vstack(
                            select_field(t("Person"), "person_id", A.people, required=True),
                            field(t("Points (negative to deduct)"), "points", type="number", required=True),
                            limited_text(t("Reason"), "reason", REASON_MAX, form="adjust", required=True,
                                         hint=t("Shown with the entry; at least 10 characters.")),
                            rx.button(t("Record adjustment"), type="submit"),
                            align="stretch",
                        ),
                        on_submit=A.adjust,
                        key=A.form_key.to_string(),
                    ),
                ),
                card(
                    rx.heading(t("Lobby screens"), size="4"),
                    rx.form(
                        rx.vstack(
                            field(t("Title"), "title", required=True, placeholder=t("Lobby, floor 1")),
                            _static_select(t("Shows"), "board", BOARD_CHOICES),
                            _static_select(t("Period"), "period_kind", PERIOD_KINDS[:3]),
                            select_field(t("Units"), "group_id", A.group_options, placeholder=t("Top-level units")),
                            rx.button(t("Create link"), type="submit"),
                            align="stretch",
                        ),
                        on_submit=A.create_display,
                        key=A.form_key.to_string(),
                    ),
                    rx.cond(A.new_link != "", rx.callout(
                        rx.vstack(rx.text(t("Open this link on the screen. It is shown only now:")),
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
        rx.table.cell(rx.text(rx.cond(ScreenState.result.board == "units_per_member", row.per_member_text,
                                      row.points_text), size="6", weight="bold")),
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
            rx.text(t("Updated {time}", time=ScreenState.updated), size="2", color_scheme="gray"),
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
            rx.hstack(rx.icon("trophy", size=20), rx.heading(t("Emulation ranking"), size="4"), align="center"),
            rx.hstack(rx.heading(st.my_points_text, size="7", id="my-points"),
                      rx.text(t("points this month"), size="2"), align="baseline"),
            rx.text(t("{points} this year", points=st.my_year_points_text), size="2", color_scheme="gray"),
            rx.cond(st.unit_rank > 0,
                    rx.text(t("{unit}: #{rank} of {count} this month", unit=st.unit_name, rank=st.unit_rank,
                              count=st.unit_count), size="2")),
            rx.link(t("Open the leaderboards"), href=routes.LEADERBOARDS, size="2"),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def add_pages(app: rx.App) -> None:
    """Register the scoring pages."""
    private_page(app, leaderboards_page, route=routes.LEADERBOARDS, title=N_("Leaderboards"),
                 load=LeaderboardState.load)
    private_page(app, scoring_admin_page, route=routes.SCORING_ADMIN, title=N_("Scoring settings"),
                 load=ScoringAdminState.load)
    public_page(app, screen_page, route=routes.SCREEN, title=N_("Leaderboard screen"), load=ScreenState.refresh)
