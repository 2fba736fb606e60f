"""Pages of the green-office feature: campaigns, verification, rosters, self-assessment."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.green import queries
from engagement.green.dto import ActionRow, ActivityRow, GalleryItem, ImpactRow, UnitProgress
from engagement.green.rules import CHECKLIST, PHOTO_PURPOSE
from engagement.green.state import WEEKDAYS, AssessState, GreenState, RosterState, VerifyState
from engagement.ui import files as ui_files
from engagement.ui.auth import AuthState
from engagement.ui.components import card, error_callout, field, page_title, pager, select_field
from engagement.ui.kit import private_page
from engagement.ui.layout import shell


def _status(status: rx.Var) -> rx.Component:
    return rx.badge(status, color_scheme=rx.match(status, ("approved", "green"), ("rejected", "red"), "amber"))


def _selector(label: str, options, value, on_change, name: str) -> rx.Component:
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.el.select(rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
                         value=value.to_string(), on_change=on_change, name=name, class_name="native-select"),
            spacing="1", align="stretch", width="100%"),
        style={"display": "block", "width": "100%", "maxWidth": "560px"},
    )


# --- campaigns -------------------------------------------------------------------------------


def _action_option(a: ActionRow) -> rx.Component:
    return rx.el.option(
        a.name, " · ", a.points.to_string(), " pt",
        rx.cond(a.photo_required, " · photo required", ""), " · ", a.limit_text,
        value=a.id.to_string())


def _log_form() -> rx.Component:
    return card(
        rx.heading("Log an activity", size="4"),
        rx.cond(
            GreenState.takes_part,
            rx.form(
                rx.vstack(
                    rx.el.label(rx.vstack(
                        rx.text("Action", size="2", weight="medium"),
                        rx.el.select(rx.el.option("Choose…", value=""), rx.foreach(GreenState.actions, _action_option),
                                     name="action_id", required=True, class_name="native-select"),
                        spacing="1", align="stretch"), style={"display": "block"}),
                    rx.grid(
                        field("Date", "occurred_on", type="date", required=True, default_value=GreenState.today),
                        field("Amount (kg, sheets, kWh, plants, hours)", "impact", placeholder="optional",
                              input_mode="decimal"),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
                    field("Note", "note", placeholder="Tổng vệ sinh phòng làm việc tầng 2"),
                    rx.cond(
                        GreenState.colleagues.length() > 0,
                        rx.box(
                            rx.text("Colleagues who took part (each is credited)", size="2", weight="medium"),
                            rx.flex(
                                rx.foreach(GreenState.colleagues, lambda p: rx.el.label(
                                    rx.el.input(type="checkbox", name="p_" + p.id.to_string()),
                                    " ", p.name, style={"whiteSpace": "nowrap", "fontSize": "0.9em"})),
                                wrap="wrap", gap="3", max_height="9em", overflow_y="auto", padding="0.5em",
                                border=f"1px solid {rx.color('gray', 5)}", border_radius="8px"),
                            width="100%"),
                    ),
                    rx.upload(
                        rx.vstack(rx.icon("camera", size=28),
                                  rx.text("Photo evidence: drop a photo here or tap to choose", size="2"),
                                  rx.text("JPEG, PNG or WebP, up to 10 MB. Location data is removed.",
                                          size="1", color_scheme="gray"),
                                  align="center", spacing="1"),
                        id="green_photo", max_files=1, multiple=False,
                        accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                        on_drop=GreenState.attach_photo(rx.upload_files(upload_id="green_photo")),
                        border=f"2px dashed {rx.color('gray', 6)}", padding="1.25em", border_radius="12px",
                        width="100%",
                    ),
                    rx.cond(GreenState.photo_info != "", rx.hstack(
                        rx.icon("image", size=16), rx.text(GreenState.photo_info, size="2", id="photo-info"),
                        rx.button("Remove", size="1", variant="ghost", type="button", on_click=GreenState.clear_photo),
                        align="center")),
                    rx.button("Send for verification", type="submit", id="green-log-submit", width="fit-content"),
                    spacing="3", align="stretch", width="100%",
                ),
                on_submit=GreenState.submit_log,
                reset_on_submit=True,
            ),
            rx.text("Your unit does not take part in this campaign.", color_scheme="gray"),
        ),
    )


def _progress_row(r: UnitProgress) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(r.unit_name, weight="medium", flex="1"),
            rx.text(rx.el.span(r.points, id="points-" + r.unit_id.to_string()), " pt",
                    rx.cond(r.target_points > 0, " / " + r.target_points.to_string(), ""),
                    size="2", white_space="nowrap"),
            align="center", width="100%"),
        rx.progress(value=rx.cond(r.target_points > 0, r.percent, 0), max=100, width="100%",
                    aria_label="Progress of " + r.unit_name, id="progress-" + r.unit_id.to_string()),
        rx.text(r.active_members, " of ", r.members, " members active (", r.rate, "%",
                rx.cond(r.target_rate > 0, ", target " + r.target_rate.to_string() + "%", ""),
                ") · ", r.per_member, " pt per member", size="1", color_scheme="gray"),
        class_name="progress-row", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
    )


def _impact(i: ImpactRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(i.action_name, size="2", color_scheme="gray"),
        rx.heading(rx.cond(i.unit != "", i.total + " " + i.unit, i.activities.to_string() + " times"), size="5"),
        spacing="1"))


def _photo(g: GalleryItem) -> rx.Component:
    return rx.link(
        rx.image(src=g.photo_url, alt=g.caption, width="100%", height="9em", object_fit="cover",
                 border_radius="8px", loading="lazy"),
        rx.text(g.caption, size="1", color_scheme="gray"),
        href=g.photo_url, is_external=True, underline="none",
    )


def _mine_row(a: ActivityRow) -> rx.Component:
    return rx.box(
        rx.hstack(_status(a.status), rx.text(a.action_name, weight="medium"),
                  rx.text(a.occurred_on, size="2", color_scheme="gray"), rx.spacer(),
                  rx.text(a.points, " pt", size="2"), align="center", wrap="wrap", width="100%"),
        rx.hstack(rx.text(a.campaign_name, " · with ", a.participants, size="1", color_scheme="gray"),
                  rx.cond(a.photo_url != "", rx.link("photo", href=a.photo_url, is_external=True, size="1")),
                  wrap="wrap", spacing="2"),
        rx.cond(a.reject_reason != "", rx.callout("Reason: " + a.reject_reason, icon="message_circle_warning",
                                                 color_scheme="red", size="1")),
        class_name="my-activity", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
    )


def _form_card(title: str, *fields: rx.Component, on_submit, note: str = "", error=None,
               reset_on_submit: bool = False, **form_props) -> rx.Component:
    """A card with a heading, an optional grey note and error, and a form of ``fields``."""
    return card(
        rx.heading(title, size="4"),
        *([rx.text(note, size="2", color_scheme="gray")] if note else []),
        *([error_callout(error)] if error is not None else []),
        rx.form(rx.vstack(*fields, spacing="3", align="stretch"), on_submit=on_submit,
                reset_on_submit=reset_on_submit, **form_props),
    )


def _list_card(title: str, rows, empty: str, render) -> rx.Component:
    """A card with a heading and one line per row, or ``empty`` in grey when there is none."""
    return card(rx.heading(title, size="4"),
                rx.cond(rows.length() == 0, rx.text(empty, color_scheme="gray")),
                rx.foreach(rows, render))


def _officer_form(visible, title: str, note: str, error, *fields: rx.Component, on_submit,
                  **form_props) -> rx.Component:
    """A form card under the campaign that only officers see (their services check it again)."""
    return rx.cond(visible, rx.box(_form_card(title, *fields, on_submit=on_submit, note=note, error=error,
                                              **form_props), margin_top="1.5em", width="100%"))


def _create_campaign() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green, "New campaign",
        "Starts with the default actions of its kind; participating units are the departments and communes.",
        GreenState.create_error,
        field("Name", "name", required=True, placeholder="Công sở xanh – sạch – đẹp 2026"),
        field("Description", "description"),
        rx.el.label(rx.vstack(rx.text("Kind", size="2", weight="medium"), rx.el.select(
            rx.el.option("Green office", value="green"), rx.el.option("Volunteer", value="volunteer"),
            name="kind", class_name="native-select"), spacing="1", align="stretch"), style={"display": "block"}),
        rx.grid(field("Starts", "starts_on", type="date", required=True),
                field("Ends", "ends_on", type="date", required=True),
                field("Back-dating (days)", "backdate_days", type="number", default_value="7"),
                field("Points target per unit", "target_points", type="number", default_value="0"),
                field("Participation target (%)", "target_rate", type="number", default_value="0"),
                columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
        rx.button("Create campaign", type="submit", width="fit-content"),
        on_submit=GreenState.create_campaign)


def _targets_form() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green & (GreenState.campaign_id > 0), "Unit target", "", GreenState.target_error,
        select_field("Unit", "unit_id", GreenState.unit_options, required=True),
        rx.grid(field("Points target", "target_points", type="number", default_value="0"),
                field("Participation target (%)", "target_rate", type="number", default_value="0"),
                columns="2", spacing="3", width="100%"),
        rx.button("Save target", type="submit", width="fit-content"),
        on_submit=GreenState.set_target)


def _end_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("End it today", type="button", color_scheme="red", variant="soft")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("End the campaign today?"),
            rx.alert_dialog.description(
                "Nothing can be logged for a later day. What was logged stays, can still be "
                "verified and keeps its points."),
            rx.hstack(rx.alert_dialog.cancel(rx.button("Keep it running", variant="soft")),
                      rx.alert_dialog.action(rx.button("End it today", color_scheme="red",
                                                       on_click=GreenState.end_campaign)),
                      spacing="3", justify="end", margin_top="1em"),
        ),
    )


def _edit_campaign() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green & (GreenState.campaign_id > 0), "Edit this campaign",
        "The start date and kind stay. Activities already logged keep their points.", GreenState.edit_error,
        field("Name", "name", required=True, default_value=GreenState.edit_name),
        field("Description", "description", default_value=GreenState.edit_description),
        rx.grid(field("Ends", "ends_on", type="date", required=True, default_value=GreenState.edit_ends_on),
                field("Back-dating (days)", "backdate_days", type="number", default_value=GreenState.edit_backdate),
                columns="2", spacing="3", width="100%"),
        rx.hstack(rx.button("Save campaign", type="submit"), _end_button(), spacing="3"),
        on_submit=GreenState.update_campaign, key=GreenState.campaign_id.to_string())


def campaigns_page() -> rx.Component:
    """Log activities, follow my unit's progress, impact and photos."""
    return shell(
        page_title("Green office", "Civilised, modern, green, clean and beautiful offices"),
        error_callout(GreenState.error),
        rx.cond(
            GreenState.campaigns.length() == 0,
            rx.callout("No campaign is running yet.", icon="info"),
            rx.vstack(
                _selector("Campaign", GreenState.campaign_options, GreenState.campaign_id,
                          GreenState.select_campaign, "campaign"),
                rx.text(GreenState.campaign_text, size="2", color_scheme="gray"),
                rx.grid(
                    rx.vstack(
                        _log_form(),
                        card(rx.heading("My activities", size="4"),
                             rx.cond(GreenState.total == 0, rx.text("Nothing logged yet.", color_scheme="gray")),
                             rx.foreach(GreenState.mine, _mine_row),
                             rx.cond(GreenState.pages > 1, pager(
                                 GreenState.page, GreenState.pages, GreenState.total,
                                 GreenState.prev_page, GreenState.next_page))),
                        rx.cond(GreenState.duties.length() > 0, card(
                            rx.heading("My duty dates", size="4"),
                            rx.foreach(GreenState.duties, lambda d: rx.text(
                                rx.text.strong(d.on_date), " · ", d.title, " · ", d.people, size="2")))),
                        spacing="4", width="100%"),
                    rx.vstack(
                        card(rx.heading("Unit progress", size="4"),
                             rx.text("Only approved activities count. Per-member points compare big and small "
                                     "units fairly.", size="1", color_scheme="gray"),
                             rx.foreach(GreenState.progress, _progress_row),
                             rx.cond(GreenState.progress_pages > 1, pager(
                                 GreenState.progress_page, GreenState.progress_pages, GreenState.progress_total,
                                 GreenState.prev_progress, GreenState.next_progress))),
                        spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
                rx.heading("Impact", size="5", margin_top="0.5em"),
                rx.grid(rx.foreach(GreenState.impact, _impact), columns=rx.breakpoints(initial="2", md="3", lg="4"),
                        spacing="3", width="100%"),
                rx.heading("Photos of approved activities", size="5", margin_top="0.5em"),
                rx.cond(GreenState.gallery.length() == 0,
                        rx.text("No approved photos you can see yet.", color_scheme="gray")),
                rx.grid(rx.foreach(GreenState.gallery, _photo), columns=rx.breakpoints(initial="2", md="4"),
                        spacing="3", width="100%"),
                spacing="4", width="100%", align="stretch"),
        ),
        _targets_form(),
        _edit_campaign(),
        _create_campaign(),
    )


# --- verification ----------------------------------------------------------------------------


def _queue_row(a: ActivityRow, sample: bool = False) -> rx.Component:
    return rx.card(rx.flex(
        rx.cond(a.photo_url != "",
                rx.link(rx.image(src=a.photo_url, alt="Evidence photo", width="8em", height="6em",
                                 object_fit="cover", border_radius="6px"), href=a.photo_url, is_external=True),
                rx.center(rx.icon("image_off"), width="8em", height="6em", background=rx.color("gray", 3),
                          border_radius="6px")),
        rx.vstack(
            rx.hstack(rx.text(a.action_name, weight="bold"), _status(a.status), wrap="wrap", align="center"),
            rx.text(a.logged_by, " · ", a.unit_name, " · ", a.occurred_on, size="2"),
            rx.text("Credited: ", a.participants, size="1", color_scheme="gray"),
            rx.cond(a.impact != "", rx.text("Amount: ", a.impact, size="2")),
            rx.cond(a.note != "", rx.text("“", a.note, "”", size="2", style={"fontStyle": "italic"})),
            rx.hstack(
                rx.cond(sample, rx.fragment(),
                        rx.button(rx.icon("check"), "Approve", color_scheme="green", size="2",
                                  on_click=VerifyState.approve(a.id), class_name="approve-button")),
                rx.button(rx.icon("x"), rx.cond(sample, "Revoke approval", "Reject"), color_scheme="red",
                          variant="soft", size="2", on_click=VerifyState.open_reject(a.id)),
                spacing="2", wrap="wrap"),
            spacing="1", align="start"),
        gap="3", direction=rx.breakpoints(initial="column", sm="row")), width="100%",
        class_name="queue-row" if not sample else "sample-row")


def _reject_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("Reject or revoke"),
        rx.text(VerifyState.reject_title, size="2"),
        error_callout(VerifyState.error),
        rx.form(rx.vstack(
            field("Reason the member will see", "reason", required=True,
                  placeholder="Ảnh chưa thể hiện kết quả vệ sinh; vui lòng chụp lại"),
            rx.button("Reject", type="submit", color_scheme="red", width="fit-content"),
            spacing="3", align="stretch"), on_submit=VerifyState.submit_reject, reset_on_submit=True),
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="520px"), open=VerifyState.dialog == "reject", on_open_change=VerifyState.close_dialog)


def verify_page() -> rx.Component:
    """Approve or reject logged activities; spot-check approved ones."""
    return shell(
        page_title("Verify green activities", "Only approved activities count. The member sees a rejection's reason."),
        error_callout(VerifyState.error),
        rx.text(VerifyState.total, " waiting", size="2", color_scheme="gray", id="queue-total"),
        rx.vstack(rx.foreach(VerifyState.rows, lambda a: _queue_row(a)), spacing="3", width="100%"),
        rx.cond(VerifyState.pages > 1, pager(VerifyState.page, VerifyState.pages, VerifyState.total,
                                             VerifyState.prev_page, VerifyState.next_page)),
        rx.heading("Spot check", size="5", margin_top="1.5em"),
        rx.text("Draw approved activities at random and look again; revoke an approval that does not hold.",
                size="2", color_scheme="gray"),
        rx.button(rx.icon("shuffle"), "Draw 5 at random", variant="soft", on_click=VerifyState.draw_sample,
                  margin_y="0.75em"),
        rx.vstack(rx.foreach(VerifyState.sample, lambda a: _queue_row(a, sample=True)), spacing="3", width="100%"),
        _reject_dialog(),
    )


# --- rosters and self-assessment -------------------------------------------------------------


def _two_columns(*cards: rx.Component) -> rx.Component:
    return rx.grid(*cards, columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")


def _chosen_page(title: str, subtitle: str, error, choose: tuple[str, rx.Var, rx.Var, rx.EventHandler, str],
                 *sections: rx.Component) -> rx.Component:
    """A page about one chosen branch or unit: its selector (``choose``: label, options, chosen
    id, change handler, field name), then its sections (when there is anything to choose)."""
    options = choose[1]
    return shell(page_title(title, subtitle), error_callout(error), rx.cond(
        options.length() > 0, rx.vstack(_selector(*choose), *sections, spacing="4", width="100%", align="stretch")))


def roster_page() -> rx.Component:
    """Duty rosters of my branches."""
    branch = ("Branch", RosterState.branches, RosterState.branch_id, RosterState.select_branch, "branch")
    return _chosen_page(
        "Duty rosters", "Recurring duties such as weekly cleaning, shared in turn by branch members",
        RosterState.error, branch,
        _two_columns(
            _form_card(
                "New roster",
                field("Duty", "title", required=True, default_value="Tổng vệ sinh cơ quan"),
                rx.el.label(rx.vstack(rx.text("Day of the week", size="2", weight="medium"), rx.el.select(
                    *[rx.el.option(day, value=str(i)) for i, day in enumerate(WEEKDAYS)],
                    name="weekday", default_value="4", class_name="native-select"), spacing="1", align="stretch"),
                    style={"display": "block"}),
                rx.grid(field("Every (weeks)", "every_weeks", type="number", default_value="1"),
                        field("People each time", "per_slot", type="number", default_value="2"),
                        field("First date", "starts_on", type="date", required=True),
                        field("Last date", "ends_on", type="date", required=True),
                        columns="2", spacing="3", width="100%"),
                rx.button("Create and assign", type="submit", width="fit-content"),
                on_submit=RosterState.create),
            _list_card("Coming duties", RosterState.duties, "No duties planned.", lambda d: rx.text(
                rx.text.strong(d.on_date), " · ", d.title, " · ", d.people, size="2"))),
        rx.cond(RosterState.slots.length() > 0, _two_columns(
            _form_card(
                "Hand a duty over",
                select_field("Duty", "slot", RosterState.slots, required=True),
                select_field("Who takes it", "person_in", RosterState.members, required=True),
                rx.button("Hand over", type="submit", width="fit-content"),
                note="Someone on leave or ill: put another member of the branch in their place. Both are told.",
                error=RosterState.change_error, on_submit=RosterState.replace,
                key=RosterState.form_key.to_string() + "-replace"),
            _form_card(
                "Stop a roster",
                select_field("Roster", "roster_id", RosterState.rosters, required=True),
                rx.button("Stop after today", type="submit", color_scheme="red", variant="soft",
                          width="fit-content"),
                note="Removes its duties after today; today's and past duties stay.",
                on_submit=RosterState.cancel, key=RosterState.form_key.to_string() + "-cancel"))),
    )


def _criterion(key: str, question: str) -> rx.Component:
    return rx.el.label(rx.flex(
        rx.text(question, size="2", flex="1"),
        rx.el.select(rx.el.option("Choose…", value=""), rx.el.option("Yes", value="2"),
                     rx.el.option("Partly", value="1"), rx.el.option("No", value="0"),
                     name=key, required=True, class_name="native-select", style={"maxWidth": "9em"}),
        gap="3", align="center", direction=rx.breakpoints(initial="column", sm="row")),
        style={"display": "block", "width": "100%"})


def assessment_page() -> rx.Component:
    """Quarterly green, clean, beautiful office checklist."""
    unit = ("Unit", AssessState.units, AssessState.unit_id, AssessState.select_unit, "unit")
    return _chosen_page(
        "Office self-assessment", "Once a quarter, the unit head scores the office", AssessState.error, unit,
        _two_columns(
            _form_card(
                "This quarter",
                *[_criterion(key, q) for key, q in CHECKLIST],
                field("Note", "note", placeholder="optional"),
                rx.button("Record the assessment", type="submit", width="fit-content"),
                rx.cond(AssessState.done != "", rx.text(AssessState.done, color_scheme="green")),
                on_submit=AssessState.submit, reset_on_submit=True),
            _list_card("Score history", AssessState.history, "Not assessed yet.", lambda h: rx.box(
                rx.hstack(rx.text(h.period, weight="medium"), rx.spacer(), rx.text(h.score, "%")),
                rx.progress(value=h.score, max=100), rx.text(h.filled_at, size="1", color_scheme="gray"),
                width="100%"))),
    )


def add_pages(app: rx.App) -> None:
    """Register this feature's pages and its authorised photo reader."""
    ui_files.register(PHOTO_PURPOSE, queries.may_see_photo)
    private_page(app, campaigns_page, route=routes.GREEN, title="Green office", load=GreenState.load)
    private_page(app, verify_page, route=routes.GREEN_VERIFY, title="Verify green activities",
                 load=VerifyState.load)
    private_page(app, roster_page, route=routes.GREEN_ROSTERS, title="Duty rosters", load=RosterState.load)
    private_page(app, assessment_page, route=routes.GREEN_ASSESSMENT, title="Office self-assessment",
                 load=AssessState.load)
