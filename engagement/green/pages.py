"""Pages of the green-office feature: campaigns, verification, rosters, self-assessment."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.green import queries
from engagement.green.dto import ActionRow, ActivityRow, GalleryItem, ImpactRow, UnitProgress
from engagement.green.rules import (
    ASSESSMENT_NOTE_MAX,
    CAMPAIGN_DESCRIPTION_MAX,
    CAMPAIGN_NAME_MAX,
    CHECKLIST,
    KIND_LABELS,
    NOTE_MAX,
    PHOTO_PURPOSE,
    REJECT_REASON_MAX,
    ROSTER_TITLE_MAX,
    STATUS_LABELS,
)
from engagement.green.state import WEEKDAYS, AssessState, GreenState, RosterState, VerifyState
from engagement.ui import files as ui_files
from engagement.ui.auth import AuthState
from engagement.ui.components import card, error_callout, field, named_upload, page_title, pager, select_field
from engagement.ui.i18n import t, t_match, t_n
from engagement.ui.kit import action_error, field_error, limited_text, private_page
from engagement.ui.layout import shell


def _status(status: rx.Var) -> rx.Component:
    return rx.badge(t_match(status, STATUS_LABELS),
                    color_scheme=rx.match(status, ("approved", "green"), ("rejected", "red"), "amber"))


def _selector(label, options, value, on_change, name: str) -> rx.Component:
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
        rx.cond(a.photo_required,
                t("{action} · {points} pt · photo required · {limit}", action=a.name, points=a.points,
                  limit=a.limit_text),
                t("{action} · {points} pt · {limit}", action=a.name, points=a.points, limit=a.limit_text)),
        value=a.id.to_string())


def _log_form() -> rx.Component:
    return card(
        rx.heading(t("Log an activity"), size="4"),
        rx.cond(
            GreenState.takes_part,
            rx.form(
                rx.vstack(
                    rx.el.label(rx.vstack(
                        rx.text(t("Action"), size="2", weight="medium"),
                        rx.el.select(rx.el.option(t("Choose…"), value=""),
                                     rx.foreach(GreenState.actions, _action_option), name="action_id", required=True,
                                     class_name="native-select"),
                        spacing="1", align="stretch"), style={"display": "block"}),
                    rx.grid(
                        rx.box(field(t("Date"), "occurred_on", type="date", required=True,
                                     default_value=GreenState.today),
                               field_error(GreenState.log_error_fields, "occurred_on", form="green-log")),
                        rx.box(field(t("Amount (kg, sheets, kWh, plants, hours)"), "impact",
                                     placeholder=t("optional"), input_mode="decimal"),
                               field_error(GreenState.log_error_fields, "impact", form="green-log")),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
                    limited_text(t("Note"), "note", NOTE_MAX, form="green-log", errors=GreenState.log_error_fields,
                                 placeholder=t("Cleaning of the second-floor offices")),
                    rx.cond(
                        GreenState.colleagues.length() > 0,
                        rx.box(
                            rx.text(t("Colleagues who took part (each is credited)"), size="2", weight="medium"),
                            rx.flex(
                                rx.foreach(GreenState.colleagues, lambda p: rx.el.label(
                                    rx.el.input(type="checkbox", name="p_" + p.id.to_string()),
                                    " ", p.name, style={"whiteSpace": "nowrap", "fontSize": "0.9em"})),
                                wrap="wrap", gap="3", max_height="9em", overflow_y="auto", padding="0.5em",
                                border=f"1px solid {rx.color('gray', 5)}", border_radius="8px"),
                            width="100%"),
                    ),
                    named_upload(rx.upload(
                        rx.vstack(rx.icon("camera", size=28),
                                  rx.text(t("Photo evidence: drop a photo here or tap to choose"), size="2"),
                                  rx.text(t("JPEG, PNG or WebP, up to {mb} MB. Location data is removed.", mb=10),
                                          size="1", color_scheme="gray"),
                                  align="center", spacing="1"),
                        id="green_photo", max_files=1, multiple=False,
                        accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                        on_drop=GreenState.attach_photo(rx.upload_files(upload_id="green_photo")),
                        border=f"2px dashed {rx.color('gray', 6)}", padding="1.25em", border_radius="12px",
                        width="100%",
                    ), t("Photo evidence: drop a photo here or tap to choose")),
                    rx.cond(GreenState.photo_info != "", rx.hstack(
                        rx.icon("image", size=16), rx.text(GreenState.photo_info, size="2", id="photo-info"),
                        rx.button(t("Remove"), size="1", variant="ghost", type="button",
                                  on_click=GreenState.clear_photo),
                        align="center")),
                    field_error(GreenState.log_error_fields, "photo", form="green-log"),
                    action_error(GreenState.log_error, form="green-log"),
                    rx.button(t("Send for verification"), type="submit", id="green-log-submit", width="fit-content"),
                    spacing="3", align="stretch", width="100%",
                ),
                on_submit=GreenState.submit_log,
                reset_on_submit=False,
                key=GreenState.log_key.to_string(),
            ),
            rx.text(t("Your unit does not take part in this campaign."), color_scheme="gray"),
        ),
    )


def _progress_row(r: UnitProgress) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(r.unit_name, weight="medium", flex="1"),
            rx.text(rx.el.span(r.points, id="points-" + r.unit_id.to_string()), " ",
                    rx.cond(r.target_points > 0, t("/ {target} pt", target=r.target_points), t("pt")),
                    size="2", white_space="nowrap"),
            align="center", width="100%"),
        rx.progress(value=rx.cond(r.target_points > 0, r.percent, 0), max=100, width="100%",
                    aria_label=t("Progress of {unit}", unit=r.unit_name), id="progress-" + r.unit_id.to_string()),
        rx.text(rx.cond(
            r.target_rate > 0,
            t("{active} of {members} members active ({rate}%, target {target}%) · {per_member} pt per member",
              active=r.active_members, members=r.members, rate=r.rate, target=r.target_rate,
              per_member=r.per_member),
            t("{active} of {members} members active ({rate}%) · {per_member} pt per member",
              active=r.active_members, members=r.members, rate=r.rate, per_member=r.per_member)),
            size="1", color_scheme="gray"),
        class_name="progress-row", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
    )


def _impact(i: ImpactRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(i.action_name, size="2", color_scheme="gray"),
        rx.heading(rx.cond(i.unit != "", t("{amount} {unit}", amount=i.total, unit=i.unit_label),
                           t_n("{n} time", "{n} times", i.activities)), size="5"),
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
                  rx.text(t("{points} pt", points=a.points), size="2"), align="center", wrap="wrap", width="100%"),
        rx.hstack(rx.text(t("{campaign} · with {people}", campaign=a.campaign_name, people=a.participants),
                          size="1", color_scheme="gray"),
                  rx.cond(a.photo_url != "", rx.link(t("photo"), href=a.photo_url, is_external=True, size="1")),
                  wrap="wrap", spacing="2"),
        rx.cond(a.reject_reason != "", rx.callout(t("Reason: {reason}", reason=a.reject_reason),
                                                 icon="message_circle_warning", color_scheme="red", size="1")),
        class_name="my-activity", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
    )


def _form_card(title: str | Msg, *fields: rx.Component, on_submit, note: str | Msg = "", error=None,
               reset_on_submit: bool = False, **form_props) -> rx.Component:
    """A card with a heading, an optional grey note and error, and a form of ``fields``.

    ``title`` and ``note`` are message ids (shown through ``t``).
    """
    return card(
        rx.heading(t(title), size="4"),
        *([rx.text(t(note), size="2", color_scheme="gray")] if note else []),
        *([error_callout(error)] if error is not None else []),
        rx.form(rx.vstack(*fields, spacing="3", align="stretch"), on_submit=on_submit,
                reset_on_submit=reset_on_submit, **form_props),
    )


def _list_card(title: str | Msg, rows, empty: str | Msg, render) -> rx.Component:
    """A card with a heading and one line per row, or ``empty`` in grey when there is none (message ids)."""
    return card(rx.heading(t(title), size="4"),
                rx.cond(rows.length() == 0, rx.text(t(empty), color_scheme="gray")),
                rx.foreach(rows, render))


def _officer_form(visible, title: str | Msg, note: str | Msg, error, *fields: rx.Component, on_submit,
                  **form_props) -> rx.Component:
    """A form card under the campaign that only officers see (their services check it again)."""
    return rx.cond(visible, rx.box(_form_card(title, *fields, on_submit=on_submit, note=note, error=error,
                                              **form_props), margin_top="1.5em", width="100%"))


def _create_campaign() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green, N_("New campaign"),
        N_("Starts with the default actions of its kind; participating units are the departments and communes."),
        GreenState.create_error,
        limited_text(t("Name"), "name", CAMPAIGN_NAME_MAX, form="green-create", required=True,
                     errors=GreenState.create_error_fields, placeholder=t("Green, clean and beautiful office 2026")),
        limited_text(t("Description"), "description", CAMPAIGN_DESCRIPTION_MAX, form="green-create", multiline=True,
                     rows="2", errors=GreenState.create_error_fields),
        rx.el.label(rx.vstack(rx.text(t("Kind"), size="2", weight="medium"), rx.el.select(
            *[rx.el.option(t(label), value=code) for code, label in KIND_LABELS.items()],
            name="kind", class_name="native-select"), spacing="1", align="stretch"), style={"display": "block"}),
        rx.grid(field(t("Starts"), "starts_on", type="date", required=True),
                field(t("Ends"), "ends_on", type="date", required=True),
                field(t("Back-dating (days)"), "backdate_days", type="number", default_value="7"),
                field(t("Points target per unit"), "target_points", type="number", default_value="0"),
                field(t("Participation target (%)"), "target_rate", type="number", default_value="0"),
                columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
        rx.button(t("Create campaign"), type="submit", width="fit-content"),
        on_submit=GreenState.create_campaign)


def _targets_form() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green & (GreenState.campaign_id > 0), N_("Unit target"), "", GreenState.target_error,
        select_field(t("Unit"), "unit_id", GreenState.unit_options, required=True, placeholder=t("Choose…")),
        rx.grid(field(t("Points target"), "target_points", type="number", default_value="0"),
                field(t("Participation target (%)"), "target_rate", type="number", default_value="0"),
                columns="2", spacing="3", width="100%"),
        rx.button(t("Save target"), type="submit", width="fit-content"),
        on_submit=GreenState.set_target)


def _end_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(t("End it today"), type="button", color_scheme="red", variant="soft")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("End the campaign today?")),
            rx.alert_dialog.description(t(
                "Nothing can be logged for a later day. What was logged stays, can still be "
                "verified and keeps its points.")),
            rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it running"), variant="soft")),
                      rx.alert_dialog.action(rx.button(t("End it today"), color_scheme="red",
                                                       on_click=GreenState.end_campaign)),
                      spacing="3", justify="end", margin_top="1em"),
        ),
    )


def _edit_campaign() -> rx.Component:
    return _officer_form(
        AuthState.can_manage_green & (GreenState.campaign_id > 0), N_("Edit this campaign"),
        N_("The start date and kind stay. Activities already logged keep their points."), GreenState.edit_error,
        limited_text(t("Name"), "name", CAMPAIGN_NAME_MAX, form="green-edit", required=True,
                     errors=GreenState.edit_error_fields, default_value=GreenState.edit_name),
        limited_text(t("Description"), "description", CAMPAIGN_DESCRIPTION_MAX, form="green-edit", multiline=True,
                     rows="2", errors=GreenState.edit_error_fields, default_value=GreenState.edit_description),
        rx.grid(field(t("Ends"), "ends_on", type="date", required=True, default_value=GreenState.edit_ends_on),
                field(t("Back-dating (days)"), "backdate_days", type="number",
                      default_value=GreenState.edit_backdate),
                columns="2", spacing="3", width="100%"),
        rx.hstack(rx.button(t("Save campaign"), type="submit"), _end_button(), spacing="3"),
        on_submit=GreenState.update_campaign, key=GreenState.campaign_id.to_string())


def campaigns_page() -> rx.Component:
    """Log activities, follow my unit's progress, impact and photos."""
    return shell(
        page_title(t("Green office"), t("Civilised, modern, green, clean and beautiful offices")),
        error_callout(GreenState.error),
        rx.cond(
            GreenState.campaigns.length() == 0,
            rx.callout(t("No campaign is running yet."), icon="info"),
            rx.vstack(
                _selector(t("Campaign"), GreenState.campaign_options, GreenState.campaign_id,
                          GreenState.select_campaign, "campaign"),
                rx.text(GreenState.campaign_text, size="2", color_scheme="gray"),
                rx.grid(
                    rx.vstack(
                        _log_form(),
                        card(rx.heading(t("My activities"), size="4"),
                             rx.cond(GreenState.total == 0, rx.text(t("Nothing logged yet."), color_scheme="gray")),
                             rx.foreach(GreenState.mine, _mine_row),
                             rx.cond(GreenState.pages > 1, pager(
                                 GreenState.page, GreenState.pages, GreenState.total,
                                 GreenState.prev_page, GreenState.next_page))),
                        rx.cond(GreenState.duties.length() > 0, card(
                            rx.heading(t("My duty dates"), size="4"),
                            rx.foreach(GreenState.duties, lambda d: rx.text(
                                rx.text.strong(d.on_date), " · ", d.title, " · ", d.people, size="2")))),
                        spacing="4", width="100%"),
                    rx.vstack(
                        card(rx.heading(t("Unit progress"), size="4"),
                             rx.text(t("Only approved activities count. Per-member points compare big and small "
                                       "units fairly."), size="1", color_scheme="gray"),
                             rx.foreach(GreenState.progress, _progress_row),
                             rx.cond(GreenState.progress_pages > 1, pager(
                                 GreenState.progress_page, GreenState.progress_pages, GreenState.progress_total,
                                 GreenState.prev_progress, GreenState.next_progress))),
                        spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
                rx.heading(t("Impact"), size="5", margin_top="0.5em"),
                rx.grid(rx.foreach(GreenState.impact, _impact), columns=rx.breakpoints(initial="2", md="3", lg="4"),
                        spacing="3", width="100%"),
                rx.heading(t("Photos of approved activities"), size="5", margin_top="0.5em"),
                rx.cond(GreenState.gallery.length() == 0,
                        rx.text(t("No approved photos you can see yet."), color_scheme="gray")),
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
                rx.link(rx.image(src=a.photo_url, alt=t("Evidence photo"), width="8em", height="6em",
                                 object_fit="cover", border_radius="6px"), href=a.photo_url, is_external=True),
                rx.center(rx.icon("image_off"), width="8em", height="6em", background=rx.color("gray", 3),
                          border_radius="6px")),
        rx.vstack(
            rx.hstack(rx.text(a.action_name, weight="bold"), _status(a.status), wrap="wrap", align="center"),
            rx.text(a.logged_by, " · ", a.unit_name, " · ", a.occurred_on, size="2"),
            rx.text(t("Credited: {people}", people=a.participants), size="1", color_scheme="gray"),
            rx.cond(a.impact != "", rx.text(t("Amount: {amount}", amount=a.impact), size="2")),
            rx.cond(a.note != "", rx.text("“", a.note, "”", size="2", style={"fontStyle": "italic"})),
            rx.hstack(
                rx.cond(sample, rx.fragment(),
                        rx.button(rx.icon("check"), t("Approve"), color_scheme="green", size="2",
                                  on_click=VerifyState.approve(a.id), class_name="approve-button")),
                rx.button(rx.icon("x"), t("Revoke approval") if sample else t("Reject"), color_scheme="red",
                          variant="soft", size="2", on_click=VerifyState.open_reject(a.id)),
                spacing="2", wrap="wrap"),
            spacing="1", align="start"),
        gap="3", direction=rx.breakpoints(initial="column", sm="row")), width="100%",
        class_name="queue-row" if not sample else "sample-row")


def _reject_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Reject or revoke")),
        rx.text(VerifyState.reject_title, size="2"),
        rx.form(rx.vstack(
            limited_text(t("Reason the member will see"), "reason", REJECT_REASON_MAX, form="green-reject",
                         errors=VerifyState.reject_error_fields, required=True, multiline=True,
                         placeholder=t("The photo does not show the cleaning result; please take it again")),
            action_error(VerifyState.reject_error, form="green-reject"),
            rx.button(t("Reject"), type="submit", color_scheme="red", width="fit-content"),
            spacing="3", align="stretch"), on_submit=VerifyState.submit_reject, reset_on_submit=False),
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="520px"), open=VerifyState.dialog == "reject", on_open_change=VerifyState.close_dialog)


def _decided_row(a: ActivityRow) -> rx.Component:
    """One decision taken today, with its way back (the same day only)."""
    return rx.flex(
        rx.vstack(
            rx.hstack(rx.text(a.action_name, weight="medium"), _status(a.status), wrap="wrap", align="center"),
            rx.text(a.logged_by, " · ", a.unit_name, " · ", a.occurred_on, size="1", color_scheme="gray"),
            spacing="1", align="start", flex="1", min_width="0"),
        rx.button(rx.icon("undo_2", size=16), t("Undo…"), size="1", variant="soft", color_scheme="gray",
                  on_click=VerifyState.open_undo(a.id), class_name="undo-decision"),
        gap="2", align="center", justify="between", wrap="wrap", width="100%", class_name="decided-row",
        padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}")


def _decided_today() -> rx.Component:
    return rx.cond(VerifyState.today_rows.length() > 0, card(
        rx.heading(t("Decided today"), size="4"),
        rx.text(t("A decision taken by mistake can be undone today, with a reason: the activity goes back to the "
                  "queue, its points are reversed and the member is told."), size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(VerifyState.today_rows, _decided_row), spacing="0", width="100%"),
        margin_top="1.5em"))


def _undo_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Undo today's decision")),
        rx.text(VerifyState.undo_title, size="2"),
        rx.form(rx.vstack(
            limited_text(t("Reason (kept with the activity; the member sees it)"), "reason", REJECT_REASON_MAX,
                         form="green-undo", errors=VerifyState.undo_error_fields, required=True, multiline=True,
                         placeholder=t("Approved the wrong activity by mistake")),
            action_error(VerifyState.undo_error, form="green-undo"),
            rx.button(t("Undo the decision"), type="submit", width="fit-content", id="green-undo-submit"),
            spacing="3", align="stretch"), on_submit=VerifyState.submit_undo, reset_on_submit=False),
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", margin_top="1em")),
        max_width="520px"), open=VerifyState.dialog == "undo", on_open_change=VerifyState.close_dialog)


def verify_page() -> rx.Component:
    """Approve or reject logged activities; spot-check approved ones."""
    return shell(
        page_title(t("Verify green activities"),
                   t("Only approved activities count. The member sees a rejection's reason.")),
        error_callout(VerifyState.error),
        rx.text(t("{n} waiting", n=VerifyState.total), size="2", color_scheme="gray", id="queue-total"),
        rx.vstack(rx.foreach(VerifyState.rows, lambda a: _queue_row(a)), spacing="3", width="100%"),
        rx.cond(VerifyState.pages > 1, pager(VerifyState.page, VerifyState.pages, VerifyState.total,
                                             VerifyState.prev_page, VerifyState.next_page)),
        rx.heading(t("Spot check"), size="5", margin_top="1.5em"),
        rx.text(t("Draw approved activities at random and look again; revoke an approval that does not hold."),
                size="2", color_scheme="gray"),
        rx.button(rx.icon("shuffle"), t("Draw {n} at random", n=5), variant="soft", on_click=VerifyState.draw_sample,
                  margin_y="0.75em"),
        rx.vstack(rx.foreach(VerifyState.sample, lambda a: _queue_row(a, sample=True)), spacing="3", width="100%"),
        _decided_today(),
        _reject_dialog(),
        _undo_dialog(),
    )


# --- rosters and self-assessment -------------------------------------------------------------


def _two_columns(*cards: rx.Component) -> rx.Component:
    return rx.grid(*cards, columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")


def _chosen_page(title: str | Msg, subtitle: str | Msg, error,
                 choose: tuple[str | Msg, rx.Var, rx.Var, rx.EventHandler, str],
                 *sections: rx.Component) -> rx.Component:
    """A page about one chosen branch or unit: its selector (``choose``: label, options, chosen
    id, change handler, field name), then its sections (when there is anything to choose).

    ``title``, ``subtitle`` and the selector's label are message ids (shown through ``t``)."""
    label, options, *rest = choose
    return shell(page_title(t(title), t(subtitle)), error_callout(error), rx.cond(
        options.length() > 0, rx.vstack(_selector(t(label), options, *rest), *sections, spacing="4", width="100%",
                                        align="stretch")))


def roster_page() -> rx.Component:
    """Duty rosters of my branches."""
    branch = (N_("Branch"), RosterState.branches, RosterState.branch_id, RosterState.select_branch, "branch")
    return _chosen_page(
        N_("Duty rosters"), N_("Recurring duties such as weekly cleaning, shared in turn by branch members"),
        RosterState.error, branch,
        _two_columns(
            _form_card(
                N_("New roster"),
                limited_text(t("Duty"), "title", ROSTER_TITLE_MAX, form="roster", required=True,
                             default_value=t("Office cleaning")),
                rx.el.label(rx.vstack(rx.text(t("Day of the week"), size="2", weight="medium"), rx.el.select(
                    *[rx.el.option(t(day), value=str(i)) for i, day in enumerate(WEEKDAYS)],
                    name="weekday", default_value="4", class_name="native-select"), spacing="1", align="stretch"),
                    style={"display": "block"}),
                rx.grid(field(t("Every (weeks)"), "every_weeks", type="number", default_value="1"),
                        field(t("People each time"), "per_slot", type="number", default_value="2"),
                        field(t("First date"), "starts_on", type="date", required=True),
                        field(t("Last date"), "ends_on", type="date", required=True),
                        columns="2", spacing="3", width="100%"),
                rx.button(t("Create and assign"), type="submit", width="fit-content"),
                on_submit=RosterState.create),
            _list_card(N_("Coming duties"), RosterState.duties, N_("No duties planned."), lambda d: rx.text(
                rx.text.strong(d.on_date), " · ", d.title, " · ", d.people, size="2"))),
        rx.cond(RosterState.slots.length() > 0, _two_columns(
            _form_card(
                N_("Hand a duty over"),
                select_field(t("Duty"), "slot", RosterState.slots, required=True, placeholder=t("Choose…")),
                select_field(t("Who takes it"), "person_in", RosterState.members, required=True,
                             placeholder=t("Choose…")),
                rx.button(t("Hand over"), type="submit", width="fit-content"),
                note=N_("Someone on leave or ill: put another member of the branch in their place. Both are told."),
                error=RosterState.change_error, on_submit=RosterState.replace,
                key=RosterState.form_key.to_string() + "-replace"),
            _form_card(
                N_("Stop a roster"),
                select_field(t("Roster"), "roster_id", RosterState.rosters, required=True,
                             placeholder=t("Choose…")),
                rx.button(t("Stop after today"), type="submit", color_scheme="red", variant="soft",
                          width="fit-content"),
                note=N_("Removes its duties after today; today's and past duties stay."),
                on_submit=RosterState.cancel, key=RosterState.form_key.to_string() + "-cancel"))),
    )


def _criterion(key: str, question: Msg) -> rx.Component:
    return rx.el.label(rx.flex(
        rx.text(t(question), size="2", flex="1"),
        rx.el.select(rx.el.option(t("Choose…"), value=""), rx.el.option(t("Yes"), value="2"),
                     rx.el.option(t("Partly"), value="1"), rx.el.option(t("No"), value="0"),
                     name=key, required=True, class_name="native-select", style={"maxWidth": "9em"}),
        gap="3", align="center", direction=rx.breakpoints(initial="column", sm="row")),
        style={"display": "block", "width": "100%"})


def assessment_page() -> rx.Component:
    """Quarterly green, clean, beautiful office checklist."""
    unit = (N_("Unit"), AssessState.units, AssessState.unit_id, AssessState.select_unit, "unit")
    return _chosen_page(
        N_("Office self-assessment"), N_("Once a quarter, the unit head scores the office"), AssessState.error, unit,
        _two_columns(
            _form_card(
                N_("This quarter"),
                *[_criterion(key, q) for key, q in CHECKLIST],
                limited_text(t("Note"), "note", ASSESSMENT_NOTE_MAX, form="assessment", placeholder=t("optional")),
                rx.button(t("Record the assessment"), type="submit", width="fit-content"),
                rx.cond(AssessState.done != "", rx.text(AssessState.done, color_scheme="green")),
                # Not reset: a refused checklist keeps its answers and note (once a quarter, so
                # keeping them after success does no harm).
                on_submit=AssessState.submit),
            _list_card(N_("Score history"), AssessState.history, N_("Not assessed yet."), lambda h: rx.box(
                rx.hstack(rx.text(h.period, weight="medium"), rx.spacer(), rx.text(h.score, "%")),
                rx.progress(value=h.score, max=100, aria_label=h.period),
                rx.text(h.filled_at, size="1", color_scheme="gray"),
                width="100%"))),
    )


def add_pages(app: rx.App) -> None:
    """Register this feature's pages and its authorised photo reader."""
    ui_files.register(PHOTO_PURPOSE, queries.may_see_photo)
    private_page(app, campaigns_page, route=routes.GREEN, title=N_("Green office"), load=GreenState.load)
    private_page(app, verify_page, route=routes.GREEN_VERIFY, title=N_("Verify green activities"),
                 load=VerifyState.load)
    private_page(app, roster_page, route=routes.GREEN_ROSTERS, title=N_("Duty rosters"), load=RosterState.load)
    private_page(app, assessment_page, route=routes.GREEN_ASSESSMENT, title=N_("Office self-assessment"),
                 load=AssessState.load)
