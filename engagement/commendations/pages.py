"""Pages of commendations for staff and unit heads: my commendations, annual ratings, registrations,
initiatives, discipline and holds. The officers' pages are in ``officer_pages``."""

from __future__ import annotations

import reflex as rx

from engagement.commendations import (
    council_pages,
    decision_pages,
    nomination_pages,
    officer_pages,
    queries,
    rules,
    service,
)
from engagement.commendations.council_pages import discipline_line, hold_text
from engagement.commendations.decisions import AwardEntry
from engagement.commendations.dto import (
    HoldRow,
    InitiativeRow,
    RatingRow,
    RegistrationRow,
    UnitRatingRow,
)
from engagement.commendations.state import (
    InitiativesState,
    MyCommendationsState,
    RatingsState,
    RecordsState,
    RegistrationsState,
    YearLevel,
)
from engagement.core import files, routes
from engagement.core.i18n import N_, Msg
from engagement.ui import files as ui_files
from engagement.ui.components import card, error_callout, field, named_upload, page_title, pager, select_field
from engagement.ui.i18n import t, t_n
from engagement.ui.kit import limited_text, private_page
from engagement.ui.layout import shell

# --- shared pieces -----------------------------------------------------------------------------


def _selector(label, options, value, on_change, name: str, *, first: rx.Component | None = None) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.el.select(*([first] if first is not None else []),
                         rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
                         value=value.to_string(), on_change=on_change, name=name, id=f"{name}-select",
                         class_name="native-select"),
            spacing="1", align="stretch", width="100%"),
        style={"display": "block", "width": "100%"},
    )


def _filters(*controls: rx.Component) -> rx.Component:
    return rx.grid(*controls, columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="3", width="100%",
                   max_width="900px", align="end")


def _two(*cards: rx.Component) -> rx.Component:
    return rx.grid(*cards, columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")


def _heading(text: Msg) -> rx.Component:
    return rx.heading(t(text), size="4")


def _empty(text: Msg) -> rx.Component:
    return rx.text(t(text), size="2", color_scheme="gray")


def _native(name: str, options: list[tuple[str, Msg]], *, default_value=None, required: bool = True,
            placeholder: bool = True, **props) -> rx.Component:
    """A native select of fixed choices (codes with their message labels); ``props``: e.g. its aria_label."""
    return rx.el.select(
        *([rx.el.option(t("Choose…"), value="")] if placeholder else []),
        *[rx.el.option(t(label), value=code) for code, label in options],
        name=name, required=required, class_name="native-select",
        **({"default_value": default_value} if default_value is not None else {}), **props)


def _labelled(label: Msg, control: rx.Component) -> rx.Component:
    return rx.el.label(rx.vstack(rx.text(t(label), size="2", weight="medium"), control, spacing="1",
                                 align="stretch", width="100%"), style={"display": "block", "width": "100%"})


def _text_area(label: Msg, name: str, limit: int, *, form: str, placeholder: Msg | None = None,
               rows: str = "3") -> rx.Component:
    return limited_text(t(label), name, limit, form=form, multiline=True, rows=rows,
                        placeholder=t(placeholder) if placeholder else "")


LEVEL_CHOICES = [(level, rules.LEVEL_NAMES[level]) for level in rules.RATING_CHOICES]
SCOPE_CHOICES = [(scope, rules.SCOPE_NAMES[scope]) for scope in rules.SCOPES]
DISCIPLINE_CHOICES = [(form, rules.DISCIPLINE_NAMES[form]) for form in rules.DISCIPLINE_FORMS]
HOLD_CHOICES = [(reason, rules.HOLD_NAMES[reason]) for reason in rules.HOLD_REASONS]


def _level_badge(level: rx.Var) -> rx.Component:
    return rx.badge(rx.cond(level == "", t("Not rated yet"), level),
                    color_scheme=rx.match(level, (rules.EXCELLENT, "green"), (rules.GOOD, "teal"),
                                          (rules.DONE, "amber"), (rules.FAILED, "red"), "gray"))


def _registration_badge(r: RegistrationRow) -> rx.Component:
    return rx.badge(r.status_label, data_status=r.status,
                    color_scheme=rx.match(r.status, (rules.CONFIRMED, "green"), (rules.WITHDRAWN, "gray"), "amber"))


def _picker(S, label: Msg, *, search_id: str) -> rx.Component:
    """A search box with the people found as buttons, and the ones picked as badges."""
    return rx.vstack(
        rx.el.label(rx.vstack(
            rx.text(t(label), size="2", weight="medium"),
            rx.input(value=S.search_text, on_change=S.set_search_text.debounce(300), id=search_id,
                     placeholder=t("Type a name or an employee code"), width="100%"),
            spacing="1", align="stretch"), style={"display": "block", "width": "100%"}),
        rx.cond(S.search_results.length() > 0, rx.flex(rx.foreach(S.search_results, lambda o: rx.button(
            rx.icon("plus", size=12), o.label, size="1", variant="outline", type="button", on_click=S.pick(o.value),
            class_name="person-option",
            style={"white_space": "normal", "height": "auto", "max_width": "100%", "text_align": "left",
                   "padding_y": "0.25em"})), wrap="wrap", gap="2")),
        rx.cond(S.picked.length() > 0, rx.flex(rx.foreach(S.picked, lambda o: rx.badge(
            o.label, rx.icon("x", size=12, on_click=S.unpick(o.value), cursor="pointer", aria_label=t("Remove")),
            size="2", class_name="person-picked", style={"white_space": "normal", "max_width": "100%"})),
            wrap="wrap", gap="2")),
        spacing="2", align="stretch", width="100%")


def _no_units(S) -> rx.Component:
    return rx.cond((S.units.length() == 0) & (S.error == ""),
                   rx.callout(t("You do not rate any unit."), icon="info"))


# --- 1. my commendations (every staff member) -----------------------------------------------


def _my_registration(r: RegistrationRow) -> rx.Component:
    S = MyCommendationsState
    return rx.flex(
        rx.text(rx.text.strong(r.title), " · ", r.registered_at, size="2", flex="1"),
        _registration_badge(r),
        rx.cond((r.status != rules.WITHDRAWN) & S.window_open,
                rx.button(t("Withdraw"), size="1", variant="soft", color_scheme="red", on_click=S.withdraw(r.id))),
        gap="2", align="center", wrap="wrap", width="100%", class_name="my-registration")


_VERIFY_AWARD = routes.verify_award("")


def _award(a: AwardEntry) -> rx.Component:
    """A title held: its decision, the amount paid and, for a decided one, its certificate's public check."""
    return rx.box(
        rx.hstack(rx.text(rx.text.strong(a.title), " ", a.year, size="2"),
                  rx.cond(a.revoked, rx.badge(t("Revoked"), color_scheme="red")), align="center", wrap="wrap"),
        rx.text(a.title_name, size="1"),
        rx.text(t("Decision {ref} of {day}", ref=a.decision_ref, day=a.decided_on),
                rx.cond(a.decided_by != "", rx.fragment(" · ", a.decided_by)),
                rx.cond(a.amount > 0, rx.fragment(" · ", a.amount_text)), size="1", color_scheme="gray"),
        rx.cond(a.certificate_code != "",
                rx.link(t("Certificate {code}", code=a.certificate_code), href=_VERIFY_AWARD + a.certificate_code,
                        size="1", class_name="certificate-link")),
        class_name="my-award", width="100%")


def _used_for(i: InitiativeRow) -> rx.Component:
    return rx.cond(i.used_for != "", rx.badge(t("Used for {award}", award=i.used_for), color_scheme="blue"),
                   rx.badge(t("Not used for an award yet"), color_scheme="gray", variant="outline"))


def _my_initiative(i: InitiativeRow) -> rx.Component:
    return rx.box(
        rx.text(i.title, weight="medium", size="2"),
        rx.flex(rx.text(i.year, " · ", i.scope_label, " · ", i.decision_ref, size="1", color_scheme="gray"),
                _used_for(i), gap="2", align="center", wrap="wrap"),
        class_name="my-initiative", width="100%")


def _my_rating(r: YearLevel) -> rx.Component:
    return rx.hstack(rx.text(r.year, weight="bold", size="2", min_width="3em"), rx.text(r.label, size="2"),
                     align="center", class_name="my-rating")


def _my_records() -> rx.Component:
    S = MyCommendationsState
    return card(
        _heading(N_("My discipline records and holds")),
        rx.text(t("Only you, the heads of your units and the emulation officers see them; every view is recorded "
                  "in the audit log."), size="2", color_scheme="gray"),
        rx.cond(
            S.records_shown,
            rx.vstack(
                rx.cond(S.disciplines.length() == 0, _empty(N_("No discipline record."))),
                rx.foreach(S.disciplines, discipline_line),
                rx.cond(S.holds.length() == 0, _empty(N_("No hold on your commendations."))),
                rx.foreach(S.holds, lambda h: rx.box(hold_text(h), width="100%", class_name="hold-row")),
                rx.button(t("Hide"), variant="soft", size="2", on_click=S.hide_records, width="fit-content"),
                spacing="2", align="stretch", id="my-records"),
            rx.button(rx.icon("eye", size=16), t("Show my discipline records"), variant="soft",
                      on_click=S.show_records, width="fit-content", id="show-records"),
        ),
    )


def my_page() -> rx.Component:
    """My registration of the year, my titles, my initiatives, my ratings, my records on request."""
    S = MyCommendationsState
    return shell(
        page_title(t("Titles and commendations"),
                   t("What you registered for, the titles you hold, your initiatives and your annual ratings")),
        error_callout(S.error),
        rx.box(_selector(t("Year"), S.years, S.year, S.select_year, "year"), max_width="12em", margin_bottom="1em"),
        _two(
            card(
                rx.heading(t("My registration for {year}", year=S.year), size="4"),
                rx.callout(S.window_text, icon=rx.cond(S.window_open, "calendar_check", "calendar_x"),
                           color_scheme=rx.cond(S.window_open, "green", "gray"), id="window-text"),
                rx.cond(S.registrations.length() == 0, _empty(N_("You have not registered for a title this year."))),
                rx.foreach(S.registrations, _my_registration),
                rx.cond(S.window_open, rx.form(
                    rx.vstack(
                        select_field(t("Title I aim for"), "title_id", S.titles, required=True),
                        error_callout(S.register_error),
                        rx.button(t("Register"), type="submit", width="fit-content", id="register-self"),
                        spacing="2", align="stretch"),
                    on_submit=S.register, key=S.form_key.to_string())),
                id="my-registration"),
            card(
                _heading(N_("My titles")),
                rx.cond(S.awards.length() == 0, _empty(N_("No title in the register yet."))),
                rx.foreach(S.awards, _award),
                id="my-titles"),
            card(
                _heading(N_("Titles of my unit")),
                rx.cond(S.unit_awards.length() == 0, _empty(N_("My unit holds no title in the register yet."))),
                rx.foreach(S.unit_awards, _award),
                id="unit-titles"),
            card(
                _heading(N_("My initiatives")),
                rx.cond(S.initiatives.length() == 0, _empty(N_("No initiative registered with you as an author."))),
                rx.foreach(S.initiatives, _my_initiative),
                id="my-initiatives"),
            card(
                _heading(N_("My annual ratings")),
                rx.cond(S.ratings.length() == 0, _empty(N_("No rating recorded yet."))),
                rx.foreach(S.ratings, _my_rating),
                id="my-ratings"),
        ),
        rx.box(_my_records(), margin_top="1em"),
    )


# --- 2. annual ratings ------------------------------------------------------------------------


def _evidence(r: RatingRow) -> rx.Component:
    def item(text) -> rx.Component:
        # Wraps inside the card on a phone (a badge keeps to one line by default).
        return rx.badge(text, variant="soft", color_scheme="gray",
                        style={"white_space": "normal", "max_width": "100%", "height": "auto"})

    return rx.flex(
        item(t("Commitment: {status}", status=r.commitment_label)),
        item(t("Points: {points}", points=r.points)),
        rx.cond(r.rank != "", item(t("Rank {rank}", rank=r.rank))),
        item(t_n("{n} recognition", "{n} recognitions", r.recognitions)),
        rx.cond(r.citizens != "", item(t("Citizens: {rating}", rating=r.citizens))),
        rx.cond(r.spot_checks != "", item(t("Spot checks: {result}", result=r.spot_checks))),
        gap="1", wrap="wrap", class_name="evidence")


def _small_field(label: Msg, name: str, default, **props) -> rx.Component:
    return _labelled(label, rx.input(name=name, default_value=default, width="100%", **props))


#: The rating form's columns: the rating select wide enough for its labels, the numbers narrow.
RATING_COLUMNS = rx.breakpoints(initial="1fr 1fr", md="minmax(16em, 2fr) minmax(10em, 2fr) 8em 8em auto")
FULL_ROW_ON_PHONE = rx.breakpoints(initial="1 / -1", md="auto")


def _rating_row(r: RatingRow) -> rx.Component:
    S = RatingsState
    return rx.card(
        rx.form(
            rx.el.input(type="hidden", name="person_id", value=r.person_id.to_string()),
            rx.vstack(
                rx.flex(rx.text(r.full_name, weight="bold"), _level_badge(r.level),
                        rx.text(r.employee_code, " · ", r.unit_name, size="1", color_scheme="gray"),
                        gap="2", align="center", wrap="wrap"),
                _evidence(r),
                rx.grid(
                    rx.box(_labelled(N_("Rating"), _native("level", LEVEL_CHOICES, default_value=r.level)),
                           grid_column=FULL_ROW_ON_PHONE),
                    rx.box(_small_field(N_("Reason"), "reason", r.reason, placeholder=t("Required when not rated")),
                           grid_column=FULL_ROW_ON_PHONE),
                    _small_field(N_("Months worked"), "months_worked", r.months_worked, type="number", min="0",
                                 max="12", input_mode="numeric"),
                    _small_field(N_("Days absent"), "absent_days", r.absent_days, type="number", min="0",
                                 max="366", input_mode="numeric"),
                    rx.button(t("Save"), type="submit", size="2", class_name="save-rating", width="fit-content"),
                    grid_template_columns=RATING_COLUMNS, spacing="3", width="100%", align_items="end"),
                rx.cond(S.row_error_id == r.person_id,
                        rx.text(S.row_error, color_scheme="red", size="2", role="alert")),
                spacing="2", align="stretch", width="100%"),
            on_submit=S.save_rating,
            # Keyed by the row's values: a save re-draws that row's form only, never a neighbour's edits.
            key=r.person_id.to_string() + "-" + S.year.to_string() + "-" + r.level + "-" + r.reason + "-"
            + r.months_worked + "-" + r.absent_days),
        width="100%", class_name="rating-row", id="rate-" + r.person_id.to_string())


def _cap() -> rx.Component:
    S = RatingsState
    return card(
        rx.flex(
            rx.vstack(
                rx.text(t("HTXSNV: {n} of at most {allowed} allowed", n=S.excellent, allowed=S.excellent_allowed),
                        weight="bold", id="excellent-count"),
                rx.text(t("The cap is {cap}% of those rated HTTNV.", cap=S.cap_pct),
                        rx.cond(S.excellent_share != "",
                                rx.fragment(" ", t("Now: {share}.", share=S.excellent_share))),
                        size="2", color_scheme="gray"),
                spacing="1", align="start", flex="1"),
            rx.text(S.counts_text, size="2", id="rating-counts"),
            gap="3", direction=rx.breakpoints(initial="column", md="row"), width="100%"),
        rx.cond(S.over_cap, rx.callout(
            t("More people are rated HTXSNV than the cap allows ({allowed}). Review the HTXSNV ratings before the "
              "list goes to the council.", allowed=S.excellent_allowed),
            icon="triangle_alert", color_scheme="red", id="over-cap")),
    )


def _unit_rating_row(u: UnitRatingRow) -> rx.Component:
    S = RatingsState
    return rx.form(
        rx.el.input(type="hidden", name="unit_id", value=u.unit_id.to_string()),
        rx.vstack(
            rx.flex(rx.text(u.name, weight="medium", size="2"), _level_badge(u.level), gap="2", align="center",
                    wrap="wrap"),
            rx.flex(
                rx.box(_native("level", LEVEL_CHOICES, default_value=u.level, aria_label=t("Rating")),
                       flex="1 1 16em", min_width="0"),
                rx.input(name="reason", default_value=u.reason, placeholder=t("Reason (when not rated)"),
                         flex="2 1 10em", min_width="0"),
                rx.button(t("Save"), type="submit", size="2", variant="soft"),
                gap="2", align="center", wrap="wrap", width="100%"),
            spacing="1", align="stretch", width="100%", padding_left=u.depth.to_string() + "em"),
        on_submit=S.save_unit_rating,
        key=u.unit_id.to_string() + "-" + S.year.to_string() + "-" + u.level + "-" + u.reason,
        class_name="unit-rating-row", width="100%",
        style={"borderBottom": f"1px solid {rx.color('gray', 4)}", "paddingBottom": "0.5em"})


def _import() -> rx.Component:
    S = RatingsState
    return card(
        rx.heading(t("Import the ratings of {year}", year=S.year), size="4"),
        rx.text(t("A CSV (UTF-8) or Excel (.xlsx) file with the columns: {columns}. The level is HTXSNV, HTTNV, "
                  "HTNV, KHTNV or NONE (not rated: give the reason). Every row is checked first: if one is wrong, "
                  "nothing is written and every problem is listed.", columns=", ".join(service.RATING_COLUMNS)),
                size="2", color_scheme="gray"),
        rx.button(rx.icon("download"), t("Download the template"), variant="soft", on_click=S.download_template,
                  width="fit-content"),
        named_upload(rx.upload(
            rx.vstack(rx.icon("file_up", size=28), rx.text(t("Drop a CSV or Excel file here or click to choose")),
                      rx.text(rx.selected_files("ratings_file"), size="1", color_scheme="gray"), align="center"),
            id="ratings_file", max_files=1, multiple=False,
            accept={"text/csv": [".csv"],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]},
            border=f"2px dashed {rx.color('gray', 6)}", padding="1.5em", border_radius="12px", width="100%"),
                t("Drop a CSV or Excel file here or click to choose")),
        rx.button(t("Check and import"), on_click=S.import_file(rx.upload_files(upload_id="ratings_file")),
                  loading=S.import_busy, width="fit-content", id="ratings-import-submit"),
        error_callout(S.import_error),
        rx.cond(S.import_status != "", rx.text(S.import_status, weight="medium", id="ratings-import-status")),
        rx.cond(S.import_error_count > 0, rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("Line")),
                                             rx.table.column_header_cell(t("Column")),
                                             rx.table.column_header_cell(t("Problem")))),
                rx.table.body(rx.foreach(S.import_errors, lambda e: rx.table.row(
                    rx.table.cell(e[0]), rx.table.cell(e[1]), rx.table.cell(e[2])))),
                width="100%", id="ratings-import-errors"),
            rx.cond(S.import_error_count > 500,
                    rx.text(t("Showing the first {n} problems.", n=500), size="1", color_scheme="gray")),
            overflow_x="auto", width="100%")),
    )


def ratings_page() -> rx.Component:
    """Rate the people and units of my units, with the evidence beside each person; import a file."""
    S = RatingsState
    return shell(
        page_title(t("Annual ratings"), t("Rate the people of your units with the evidence of the year in view")),
        error_callout(S.error),
        _no_units(S),
        rx.cond(S.units.length() > 0, rx.vstack(
            _filters(
                _selector(t("Unit"), S.units, S.unit_id, S.select_unit, "unit"),
                _selector(t("Year"), S.years, S.year, S.select_year, "year"),
                rx.el.label(rx.vstack(
                    rx.text(t("Search"), size="2", weight="medium"),
                    rx.input(value=S.search, on_change=S.set_search.debounce(400), id="rating-search",
                             placeholder=t("Name or employee code"), width="100%"),
                    spacing="1", align="stretch"), style={"display": "block", "width": "100%"}),
            ),
            rx.el.label(rx.hstack(rx.switch(checked=S.only_unrated, on_change=S.set_only_unrated, id="only-unrated"),
                                  rx.text(t("Only people not rated yet"), size="2"), align="center", spacing="2")),
            _cap(),
            rx.cond(S.saved != "", rx.callout(S.saved, icon="check", color_scheme="green", id="rating-saved")),
            rx.text(t_n("{n} person", "{n} people", S.total), size="2", color_scheme="gray", id="sheet-total"),
            rx.cond(S.total == 0, _empty(N_("Nobody to show."))),
            rx.vstack(rx.foreach(S.rows, _rating_row), spacing="3", width="100%"),
            rx.cond(S.pages > 1, pager(S.page, S.pages, S.total, S.prev_page, S.next_page)),
            card(
                _heading(N_("Collective ratings of the units")),
                rx.text(t("The unit's own rating for the year (the collective titles read it)."), size="2",
                        color_scheme="gray"),
                error_callout(S.unit_error),
                rx.vstack(rx.foreach(S.unit_rows, _unit_rating_row), spacing="2", width="100%"),
                id="unit-ratings"),
            _import(),
            spacing="4", width="100%", align="stretch")),
    )


# --- 3. registrations ----------------------------------------------------------------------


def _registration_row(r: RegistrationRow) -> rx.Component:
    S = RegistrationsState
    return rx.flex(
        rx.vstack(
            rx.text(rx.text.strong(r.subject_name), " · ", r.title, size="2"),
            rx.text(r.unit_name, " · ", r.registered_at, size="1", color_scheme="gray"),
            spacing="0", flex="1", min_width="0"),
        _registration_badge(r),
        rx.hstack(
            rx.cond(r.status == rules.REGISTERED,
                    rx.button(rx.icon("check", size=14), t("Confirm"), size="1", color_scheme="green",
                              on_click=S.confirm(r.id), class_name="confirm-registration")),
            rx.cond(r.status != rules.WITHDRAWN,
                    rx.button(t("Withdraw"), size="1", variant="soft", color_scheme="red",
                              on_click=S.withdraw(r.id), class_name="withdraw-registration")),
            spacing="2"),
        gap="2", align="center", wrap="wrap", width="100%", class_name="registration-row",
        id="registration-" + r.id.to_string(), padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def _register_person() -> rx.Component:
    S = RegistrationsState
    return card(
        _heading(N_("Register a person")),
        rx.text(t("Registered by you, the registration is confirmed at once."), size="2", color_scheme="gray"),
        _picker(S, N_("Person of this unit"), search_id="registration-search"),
        rx.form(rx.vstack(
            select_field(t("Title aimed for"), "title_id", S.people_titles, required=True),
            error_callout(S.person_error),
            rx.button(t("Register"), type="submit", width="fit-content", id="register-person"),
            spacing="2", align="stretch"), on_submit=S.register_person, key=S.form_key.to_string() + "-p"),
        id="register-person-card")


def _register_unit() -> rx.Component:
    S = RegistrationsState
    return card(
        _heading(N_("Register a unit")),
        rx.form(rx.vstack(
            select_field(t("Unit"), "unit_id", S.units, required=True, default_value=S.unit_id.to_string()),
            select_field(t("Collective title"), "title_id", S.unit_titles, required=True),
            error_callout(S.unit_error),
            rx.button(t("Register the unit"), type="submit", width="fit-content", id="register-unit"),
            spacing="2", align="stretch"), on_submit=S.register_unit,
            key=S.form_key.to_string() + "-u" + S.unit_id.to_string()),
    )


def _covenant() -> rx.Component:
    S = RegistrationsState
    return card(
        _heading(N_("Record a covenant")),
        rx.text(t("A collective emulation covenant (giao ước thi đua) signed by the unit and at least one other."),
                size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            rx.grid(
                select_field(t("Unit"), "unit_id", S.units, required=True, default_value=S.unit_id.to_string()),
                field(t("Signed on"), "signed_on", type="date", required=True),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
            limited_text(t("Title of the covenant"), "title", rules.COVENANT_TITLE_MAX, form="covenant", required=True,
                         placeholder=t("e.g. {example}", example="Giao ước thi đua năm 2026 khối Văn phòng")),
            _text_area(N_("Content (optional)"), "content", rules.COVENANT_CONTENT_MAX, form="covenant"),
            rx.text(t("Units that signed it"), size="2", weight="medium"),
            rx.flex(rx.foreach(S.all_units, lambda u: rx.el.label(
                rx.el.input(type="checkbox", name="u_" + u.value), " ", u.label,
                style={"whiteSpace": "pre", "fontSize": "0.9em", "display": "block"})),
                direction="column", max_height="14em", overflow_y="auto", padding="0.5em", width="100%",
                border=f"1px solid {rx.color('gray', 5)}", border_radius="8px"),
            error_callout(S.covenant_error),
            rx.button(t("Record the covenant"), type="submit", width="fit-content"),
            spacing="3", align="stretch"), on_submit=S.record_covenant,
            key=S.form_key.to_string() + "-c" + S.unit_id.to_string()),
    )


def registrations_page() -> rx.Component:
    """Registrations of my units: confirm, withdraw, register people and units, record covenants."""
    S = RegistrationsState
    return shell(
        page_title(t("Emulation registration"),
                   t("The titles your people and units aim for this year, and the covenants they sign")),
        error_callout(S.error),
        _no_units(S),
        rx.cond(S.units.length() > 0, rx.vstack(
            _filters(_selector(t("Unit"), S.units, S.unit_id, S.select_unit, "unit"),
                     _selector(t("Year"), S.years, S.year, S.select_year, "year")),
            rx.callout(S.window_text, icon="calendar_days", color_scheme=rx.cond(S.window_open, "green", "gray"),
                       id="window-text"),
            card(
                rx.heading(t("Registrations for {year}", year=S.year), size="4"),
                rx.cond(S.rows.length() == 0, _empty(N_("No registration yet."))),
                rx.vstack(rx.foreach(S.rows, _registration_row), spacing="0", width="100%"),
                id="registrations"),
            _two(_register_person(), _register_unit()),
            _covenant(),
            spacing="4", width="100%", align="stretch")),
    )


# --- 4. initiatives -------------------------------------------------------------------------


def _initiative_row(i: InitiativeRow) -> rx.Component:
    return rx.box(
        rx.flex(rx.text(i.title, weight="bold", size="2", flex="1", min_width="0"), _used_for(i), gap="2",
                align="center", wrap="wrap"),
        rx.text(i.year, " · ", i.scope_label, " · ", t("Decision {ref} of {day}", ref=i.decision_ref,
                                                       day=i.decided_on), size="1", color_scheme="gray"),
        rx.text(t("Authors: {names}", names=i.authors), " · ", i.unit_name, size="1"),
        rx.cond(i.file_id > 0, rx.link(rx.icon("paperclip", size=12), " ", t("Document"),
                                       href="/files/" + i.file_id.to_string(), is_external=True, size="1")),
        class_name="initiative-row", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def _initiative_form() -> rx.Component:
    S = InitiativesState
    return card(
        _heading(N_("Record an initiative")),
        rx.text(t("An initiative serves as a criterion for one award only; once used, the register shows where."),
                size="2", color_scheme="gray"),
        _picker(S, N_("Authors"), search_id="author-search"),
        rx.form(rx.vstack(
            limited_text(t("Title of the initiative"), "title", rules.INITIATIVE_TITLE_MAX, form="initiative",
                         required=True),
            rx.grid(
                field(t("Year"), "year", type="number", required=True, default_value=S.this_year.to_string()),
                _labelled(N_("Recognised at"), _native("scope", SCOPE_CHOICES, default_value="unit")),
                limited_text(t("Decision number"), "decision_ref", rules.DECISION_REF_MAX, form="initiative",
                             required=True, placeholder=t("e.g. {example}", example="QĐ 12/QĐ-SNV")),
                field(t("Decision date"), "decided_on", type="date", required=True, max=S.today),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
            select_field(t("Unit that registers it"), "unit_id", S.units, required=True, default_value=S.default_unit),
            named_upload(rx.upload(
                rx.vstack(rx.icon("paperclip", size=24),
                          rx.text(t("The decision or the initiative (optional): drop a PDF or a photo here or tap "
                                    "to choose"), size="2"),
                          rx.text(t("Up to {mb} MB.", mb=files.MAX_UPLOAD_BYTES // 1048576), size="1",
                                  color_scheme="gray"),
                          align="center", spacing="1"),
                id="initiative_document", max_files=1, multiple=False,
                accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
                        "image/webp": [".webp"]},
                on_drop=S.attach_document(rx.upload_files(upload_id="initiative_document")),
                border=f"2px dashed {rx.color('gray', 6)}", padding="1em", border_radius="12px", width="100%"),
                    t("The decision or the initiative (optional): drop a PDF or a photo here or tap "
                                    "to choose")),
            rx.cond(S.document_info != "", rx.hstack(
                rx.icon("file", size=16), rx.text(S.document_info, size="2", id="document-info"),
                rx.button(t("Remove"), size="1", variant="ghost", type="button", on_click=S.clear_document),
                align="center")),
            error_callout(S.form_error),
            rx.button(t("Record the initiative"), type="submit", width="fit-content", id="record-initiative"),
            spacing="3", align="stretch"), on_submit=S.submit, key=S.form_key.to_string() + "-" + S.default_unit),
        id="initiative-form")


def initiatives_page() -> rx.Component:
    """The initiatives register of my units, and the form to record one."""
    S = InitiativesState
    return shell(
        page_title(t("Initiatives"), t("Initiatives (sáng kiến) recognised for the people of your units")),
        error_callout(S.error),
        _two(
            card(
                rx.flex(_heading(N_("Registered initiatives")), rx.spacer(),
                        rx.box(_selector(t("Year"), S.years, S.year_filter, S.select_year, "year",
                                         first=rx.el.option(t("Every year"), value="")), min_width="9em"),
                        align="end", gap="3", wrap="wrap"),
                rx.cond(S.rows.length() == 0, _empty(N_("No initiative registered."))),
                rx.vstack(rx.foreach(S.rows, _initiative_row), spacing="0", width="100%"),
                id="initiatives"),
            _initiative_form(),
        ),
    )


# --- 5. discipline and holds ------------------------------------------------------------------


def _hold_row(h: HoldRow) -> rx.Component:
    S = RecordsState
    return rx.flex(
        rx.box(hold_text(h), flex="1", min_width="0"),
        rx.cond(S.can_hold & ~h.lifted,
                rx.button(t("Lift"), size="1", variant="soft", on_click=S.lift_hold(h.id), class_name="lift-hold")),
        gap="2", align="center", wrap="wrap", width="100%", class_name="hold-row", padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def _discipline_form() -> rx.Component:
    S = RecordsState
    return card(
        _heading(N_("Record discipline")),
        rx.form(rx.vstack(
            _labelled(N_("Form of discipline"), _native("form", DISCIPLINE_CHOICES)),
            rx.grid(field(t("From"), "starts_on", type="date", required=True),
                    field(t("To"), "ends_on", type="date", required=True),
                    columns="2", spacing="3", width="100%"),
            limited_text(t("Decision number"), "decision_ref", rules.DECISION_REF_MAX, form="discipline",
                         required=True),
            limited_text(t("Note"), "note", rules.RECORD_NOTE_MAX, form="discipline", placeholder=t("optional")),
            error_callout(S.discipline_error),
            rx.button(t("Record the discipline"), type="submit", width="fit-content", id="record-discipline"),
            spacing="3", align="stretch"), on_submit=S.record_discipline, key=S.form_key.to_string() + "-d"),
    )


def _hold_form() -> rx.Component:
    S = RecordsState
    return card(
        _heading(N_("Hold commendations")),
        rx.text(t("A held person cannot be proposed for a commendation (Decree 152/2025, Art. 4)."), size="2",
                color_scheme="gray"),
        rx.form(rx.vstack(
            _labelled(N_("Reason for the hold"), _native("reason", HOLD_CHOICES)),
            rx.grid(field(t("From"), "starts_on", type="date", required=True, default_value=S.today),
                    field(t("Until (optional)"), "ends_on", type="date"),
                    columns="2", spacing="3", width="100%"),
            limited_text(t("Note"), "note", rules.RECORD_NOTE_MAX, form="hold", placeholder=t("optional")),
            error_callout(S.hold_error),
            rx.button(t("Place the hold"), type="submit", color_scheme="red", width="fit-content", id="place-hold"),
            spacing="3", align="stretch"), on_submit=S.place_hold, key=S.form_key.to_string() + "-h"),
    )


def records_page() -> rx.Component:
    """A person's discipline records and holds (each view audited), and the forms to record them."""
    S = RecordsState
    return shell(
        page_title(t("Discipline and holds"),
                   t("Personnel data: every view of a person's records is written in the audit log")),
        error_callout(S.error),
        card(_picker(S, N_("Find a person of your units"), search_id="records-search"), max_width="700px"),
        rx.cond(S.person_id > 0, rx.vstack(
            card(
                rx.heading(S.person_name, size="5", id="records-person"),
                rx.text(S.person_code, " · ", S.person_unit, size="2", color_scheme="gray"),
                _heading(N_("Discipline records")),
                rx.cond(S.disciplines.length() == 0, _empty(N_("No discipline record."))),
                rx.foreach(S.disciplines, discipline_line),
                _heading(N_("Holds")),
                error_callout(S.hold_error),
                rx.cond(S.holds.length() == 0, _empty(N_("No hold."))),
                rx.vstack(rx.foreach(S.holds, _hold_row), spacing="0", width="100%"),
                id="records"),
            _two(rx.cond(S.can_record, _discipline_form()), rx.cond(S.can_hold, _hold_form())),
            spacing="4", width="100%", align="stretch", margin_top="1em")),
    )


# --- registration ----------------------------------------------------------------------------


def add_pages(app: rx.App) -> None:
    """Register the pages of staff and unit heads, the initiative documents' reader, and the officers' pages."""
    ui_files.register(queries.INITIATIVE_FILE, queries.may_see_initiative_file)
    private_page(app, my_page, route=routes.COMMENDATIONS, title=N_("Titles and commendations"),
                 load=MyCommendationsState.load)
    private_page(app, ratings_page, route=routes.COMMENDATION_RATINGS, title=N_("Annual ratings"),
                 load=RatingsState.load)
    private_page(app, registrations_page, route=routes.COMMENDATION_REGISTRATIONS, title=N_("Emulation registration"),
                 load=RegistrationsState.load)
    private_page(app, initiatives_page, route=routes.COMMENDATION_INITIATIVES, title=N_("Initiatives"),
                 load=InitiativesState.load)
    private_page(app, records_page, route=routes.COMMENDATION_RECORDS, title=N_("Discipline and holds"),
                 load=RecordsState.load)
    officer_pages.add_pages(app)
    nomination_pages.add_pages(app)
    council_pages.add_pages(app)
    decision_pages.add_pages(app)
