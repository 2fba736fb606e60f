"""Pages of recognition: the feed and give form, profiles, citizens' thanks (public page,
moderation, QR sheets), the values catalogue and the fairness signals."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_, Msg
from engagement.recognition.dto import (
    DeviceRow,
    FeedItem,
    HeldRating,
    PendingThanks,
    QrCard,
    RatingRollup,
    ValueRow,
)
from engagement.recognition.rules import (
    DEVICE_NAME_MAX,
    MESSAGE_HINT,
    MESSAGE_MAX,
    MESSAGE_MIN,
    MODERATION_REASON_MAX,
    NOTE_MAX,
    REVOKE_REASON_MAX,
    VALUE_DESCRIPTION_MAX,
    VALUE_NAME_MAX,
    WORK_REF_MAX,
)
from engagement.recognition.state import (
    CitizensState,
    DevicesState,
    FairnessState,
    FeedBase,
    HeldRatingsState,
    PersonState,
    QrState,
    RecognitionHomeState,
    RecognitionState,
    ThanksSettingsState,
    ThanksState,
    ValuesState,
)
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.components import action_header, card, error_callout, field, page_title, select_field
from engagement.ui.i18n import t, t_n
from engagement.ui.kit import action_error, limited_text, private_page, public_page
from engagement.ui.layout import main_landmark, shell

_LEVEL_COLOURS = {"thanks": "green", "great": "blue", "outstanding": "amber"}


def _native_select(options, value, on_change, placeholder: Msg, label: Msg) -> rx.Component:
    return rx.el.select(
        rx.el.option(t(placeholder), value=""),
        rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
        value=value, on_change=on_change, class_name="native-select", aria_label=t(label),
        style={"max_width": "18em"},
    )


def _feed_item(item: FeedItem, state: type[FeedBase]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(item.giver_name, href=routes.RECOGNITION_PERSON + "/" + item.giver_id.to_string(),
                        weight="bold"),
                rx.icon("arrow_right", size=14),
                rx.cond(
                    item.first_recipient_id > 0,
                    rx.link(item.recipients,
                            href=routes.RECOGNITION_PERSON + "/" + item.first_recipient_id.to_string(),
                            weight="bold"),
                    rx.text(item.recipients, weight="bold"),
                ),
                rx.spacer(),
                rx.badge(item.level_label, color_scheme=rx.match(
                    item.level, *_LEVEL_COLOURS.items(), "gray")),
                rx.cond(item.is_private, rx.badge(rx.icon("lock", size=12), t("Private"),
                                                  color_scheme="gray")),
                wrap="wrap", align="center", width="100%", spacing="2",
            ),
            rx.text(item.message, white_space="pre-wrap", class_name="recognition-message"),
            rx.hstack(
                rx.text(item.value_names, size="1", color_scheme="green", weight="medium"),
                rx.cond(item.work_ref != "", rx.code(t("Dossier {ref}", ref=item.work_ref), size="1")),
                rx.spacer(),
                rx.text(item.at, size="1", color_scheme="gray"),
                wrap="wrap", width="100%", align="center",
            ),
            rx.hstack(
                rx.button(rx.icon("heart", size=14), t("Thank you too · {n}", n=item.reactions),
                          size="1", variant=rx.cond(item.i_reacted, "solid", "soft"),
                          disabled=item.i_reacted, on_click=state.react(item.id)),
                rx.cond(item.can_revoke,
                        rx.button(t("Revoke…"), size="1", variant="ghost", color_scheme="red",
                                  on_click=state.open_revoke(item.id))),
                spacing="3", align="center",
            ),
            rx.foreach(item.comments, lambda c: rx.text(
                rx.text.strong(c.author), " ", c.body, rx.text(" · " + c.at, size="1", color_scheme="gray"),
                size="2")),
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="recognition_id", value=item.id.to_string()),
                    rx.input(name="body", placeholder=t("Add a comment…"), max_length=300, size="1",
                             flex="1", aria_label=t("Comment")),
                    rx.button(t("Send"), size="1", variant="soft", type="submit"),
                    width="100%",
                ),
                on_submit=state.add_comment, reset_on_submit=True, width="100%",
            ),
            spacing="2", align="stretch",
        ),
        width="100%",
        class_name="recognition-item",
    )


def _revoke_dialog(state: type[FeedBase]) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Revoke this recognition")),
            rx.text(t("The recognition disappears from feeds and its points are reversed; the record "
                      "and your reason are kept."), size="2"),
            error_callout(state.error),
            rx.form(
                rx.vstack(
                    limited_text(t("Reason"), "reason", REVOKE_REASON_MAX, form="revoke", required=True,
                                 placeholder=t("e.g. Inappropriate content…")),
                    rx.button(t("Revoke"), type="submit", color_scheme="red"),
                    spacing="3", align="stretch"),
                on_submit=state.submit_revoke,
            ),
            rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", margin_top="1em")),
            max_width="480px",
        ),
        open=state.revoking_id > 0,
        on_open_change=state.close_revoke,
    )


def _feed_pager(state: type[FeedBase]) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("chevron_left"), t("Newer"), variant="soft", on_click=state.prev_page,
                  disabled=state.page <= 1),
        rx.text(t("Page {n}", n=state.page), size="2"),
        rx.button(t("Older"), rx.icon("chevron_right"), variant="soft", on_click=state.next_page,
                  disabled=~state.has_more),
        align="center", spacing="3",
    )


def _give_dialog() -> rx.Component:
    S = RecognitionState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Recognise a colleague")),
            rx.text(t("You have {left} of {total} left for {month}.", left=S.allowance_left,
                      total=S.allowance_total, month=S.allowance_month), size="2", color_scheme="gray"),
            error_callout(S.give_error),
            rx.vstack(
                rx.el.label(
                    rx.hstack(rx.checkbox(checked=S.give_to_unit, on_change=S.set_give_to_unit,
                                          aria_label=t("Recognise a whole unit")),
                              rx.text(t("Recognise a whole unit"), size="2"), spacing="2"),
                ),
                rx.cond(
                    ~S.give_to_unit,
                    rx.vstack(
                        rx.el.label(rx.vstack(
                            rx.text(t("Who? (type a name)"), size="2", weight="medium"),
                            rx.input(value=S.search_text, on_change=S.set_search_text.debounce(300),
                                     placeholder=t("e.g. {example}", example="Nguyễn Văn An"), width="100%",
                                     id="recipient-search"),
                            spacing="1", align="stretch"), style={"width": "100%"}),
                        rx.flex(rx.foreach(S.search_results, lambda o: rx.button(
                            rx.icon("plus", size=12), o.label, size="1", variant="outline",
                            on_click=S.choose(o.value), class_name="recipient-option",
                            style={"white_space": "normal", "height": "auto", "max_width": "100%",
                                   "text_align": "left", "padding_y": "0.25em"})),
                            wrap="wrap", gap="2"),
                        rx.flex(rx.foreach(S.chosen, lambda o: rx.badge(
                            o.label, rx.icon("x", size=12, on_click=S.unchoose(o.value), cursor="pointer",
                                             aria_label=t("Remove")),
                            size="2", class_name="recipient-chosen",
                            style={"white_space": "normal", "max_width": "100%"})), wrap="wrap", gap="2"),
                        spacing="2", align="stretch", width="100%",
                    ),
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.cond(S.give_to_unit,
                            select_field(t("Unit"), "unit_id", S.unit_options, required=True)),
                    # No max_length: the browser would cut a long paste silently; the service refuses
                    # it with the limit instead, and the counter shows it while typing.
                    limited_text(t("Message"), "message", MESSAGE_MAX, form="give", multiline=True, rows="4",
                                 errors=S.give_error_fields, required=True, placeholder=t(MESSAGE_HINT),
                                 hint=t("At least {n} characters. Say what they did and what it changed (for "
                                        "citizens, for the team).", n=MESSAGE_MIN)),
                    rx.text(t("Values honoured (1 to 3)"), size="2", weight="medium"),
                    rx.flex(rx.foreach(S.values, lambda v: rx.el.label(
                        rx.hstack(rx.el.input(type="checkbox", name="value_" + v.id.to_string()),
                                  rx.text(v.name, size="2"), spacing="1", align="center"),
                        class_name="value-choice", style={"margin_right": "0.9em"})),
                        wrap="wrap", row_gap="0.4em"),
                    select_field(t("Recognition level"), "level", S.level_options, default_value="thanks",
                                 required=True),
                    limited_text(t("Dossier or case number (optional)"), "work_ref", WORK_REF_MAX, form="give",
                                 errors=S.give_error_fields, placeholder=t("e.g. {example}", example="HS-2026-00123")),
                    rx.el.label(rx.hstack(rx.el.input(type="checkbox", name="private"),
                                          rx.text(t("Private: only the receivers and their unit head "
                                                    "see it"), size="2"),
                                          spacing="2", align="center")),
                    rx.button(t("Send recognition"), type="submit", id="give-submit"),
                    spacing="3", align="stretch",
                ),
                on_submit=S.submit_give, reset_on_submit=False, key=S.form_key.to_string(),
            ),
            rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", margin_top="1em")),
            max_width="600px",
        ),
        open=S.giving,
        on_open_change=S.close_give,
    )


def recognition_page() -> rx.Component:
    """The organisation and unit feeds, with the give form."""
    S = RecognitionState
    return shell(
        page_title(t("Recognition"),
                   t("Thank colleagues for good service: say what they did and what it changed.")),
        error_callout(S.error),
        rx.hstack(
            rx.button(rx.icon("heart_handshake"), t("Recognise someone"), on_click=S.open_give,
                      size="3", id="open-give"),
            rx.badge(t("{left} of {total} left this month", left=S.allowance_left, total=S.allowance_total),
                     size="2", variant="soft"),
            wrap="wrap", align="center", spacing="3",
        ),
        rx.hstack(
            _native_select(S.unit_options, S.unit_filter, S.set_unit_filter, N_("All units"), N_("Unit")),
            _native_select(S.value_options, S.value_filter, S.set_value_filter, N_("All values"), N_("Value")),
            rx.button(t("My unit"), variant="soft", on_click=S.my_unit),
            wrap="wrap", spacing="2", margin_y="1em", align="center",
        ),
        rx.vstack(
            rx.cond(S.items.length() == 0,
                    rx.text(t("No recognition here yet. Be the first to thank a colleague."),
                            color_scheme="gray")),
            rx.foreach(S.items, lambda i: _feed_item(i, RecognitionState)),
            spacing="3", width="100%", id="feed",
        ),
        rx.box(_feed_pager(S), margin_top="1em"),
        _give_dialog(),
        _revoke_dialog(S),
    )


def person_page() -> rx.Component:
    """A person's recognitions received and given, and the values received."""
    S = PersonState
    return shell(
        error_callout(S.error),
        rx.cond(
            S.card,
            rx.vstack(
                page_title(S.card.full_name, S.card.position + " · " + S.card.unit_name),
                rx.grid(
                    card(rx.text(t("Received"), size="2"), rx.heading(S.card.received, size="7",
                                                                      id="received-count")),
                    card(rx.text(t("Given"), size="2"), rx.heading(S.card.given, size="7")),
                    card(rx.text(t("Citizens' rating"), size="2"),
                         rx.heading(S.card.citizen_average, size="7"),
                         rx.text(t_n("{n} approved rating", "{n} approved ratings", S.card.citizen_ratings),
                                 size="1", color_scheme="gray")),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                ),
                rx.cond(
                    S.chart.length() > 0,
                    card(rx.heading(t("Values received"), size="4"),
                         rx.recharts.bar_chart(
                             rx.recharts.bar(data_key="count", fill=rx.color("accent", 9)),
                             rx.recharts.x_axis(data_key="value", tick={"fontSize": 11}),
                             rx.recharts.y_axis(allow_decimals=False),
                             rx.recharts.graphing_tooltip(),
                             data=S.chart, width="100%", height=240,
                         )),
                ),
                rx.tabs.root(
                    # The tabs filter the list below (no Radix tab panels): they control it.
                    rx.tabs.list(rx.tabs.trigger(t("Received"), value="received", aria_controls="person-feed"),
                                 rx.tabs.trigger(t("Given"), value="given", aria_controls="person-feed")),
                    value=S.tab, on_change=S.set_tab,
                ),
                rx.vstack(
                    rx.cond(S.items.length() == 0, rx.text(t("Nothing here yet."), color_scheme="gray")),
                    rx.foreach(S.items, lambda i: _feed_item(i, PersonState)),
                    id="person-feed", spacing="3", width="100%", align="stretch",
                ),
                _feed_pager(S),
                spacing="3", width="100%", align="stretch",
            ),
        ),
        _revoke_dialog(S),
    )


# --- citizens' thanks ------------------------------------------------------------------------


def _stars(n) -> rx.Component:
    return rx.text(n.to_string() + "★", size="2")


def _thanks_row(row: PendingThanks) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row.target, weight="bold"), rx.text("· " + row.unit_name, size="2",
                                                                  color_scheme="gray"),
                      rx.spacer(), rx.text(row.at, size="1", color_scheme="gray"), wrap="wrap", width="100%"),
            rx.hstack(rx.text(t("Attitude"), size="2"), _stars(row.attitude), rx.text(t("Timeliness"), size="2"),
                      _stars(row.timeliness), rx.text(t("Guidance"), size="2"), _stars(row.guidance),
                      rx.code(row.dossier_ref, size="1"), wrap="wrap", spacing="2"),
            rx.cond(row.note != "", rx.blockquote(row.note, size="2", class_name="citizen-note")),
            rx.cond(row.status == "pending", rx.hstack(
                rx.button(t("Approve"), size="2", on_click=CitizensState.approve(row.id),
                          class_name="approve-thanks"),
                rx.button(t("Reject…"), size="2", color_scheme="red", variant="soft",
                          on_click=CitizensState.reject(row.id)),
                spacing="2")),
            rx.cond(row.reason != "", rx.text(t("Rejected because: {reason}", reason=row.reason), size="2",
                                              color_scheme="gray")),
            rx.cond(row.can_undo & (row.status == "rejected"),
                    rx.button(t("Undo the rejection"), size="1", variant="soft",
                              on_click=CitizensState.undo_reject(row.id))),
            rx.cond(row.can_undo & (row.status == "approved"),
                    rx.button(t("Withdraw the approval…"), size="1", variant="soft", color_scheme="red",
                              on_click=CitizensState.withdraw(row.id))),
            spacing="2", align="stretch",
        ),
        width="100%",
    )


def _reject_thanks_dialog() -> rx.Component:
    S = CitizensState
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(rx.cond(S.withdrawing, t("Withdraw the approval of this note?"), t("Reject this note?"))),
        rx.blockquote(S.rejecting, size="2"),
        rx.text(rx.cond(S.withdrawing,
                        t("The note goes back among the notes waiting and its points are taken back. The person "
                          "it is about reads the reason."),
                        t("The note stays hidden and its rating does not count. You can put it back today.")),
                size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            limited_text(t("Reason (kept with the note)"), "reason", MODERATION_REASON_MAX, form="thanks-reject",
                         errors=S.reject_error_fields, required=True,
                         placeholder=rx.cond(S.withdrawing, t("Approved by mistake: the note is not about the "
                                                              "service"), t("Advertising, not about the service"))),
            action_error(S.reject_error, form="thanks-reject"),
            rx.hstack(rx.button(rx.cond(S.withdrawing, t("Withdraw the approval"), t("Reject")), type="submit",
                                color_scheme="red"),
                      rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray",
                                on_click=S.cancel_reject(False)),
                      spacing="2"),
            spacing="3", align="stretch"), on_submit=S.confirm_reject, reset_on_submit=False),
        max_width="520px"), open=S.rejecting != "", on_open_change=S.cancel_reject)


def _rollup_row(r: RatingRollup) -> rx.Component:
    return rx.table.row(rx.table.cell(r.label), rx.table.cell(r.count), rx.table.cell(r.attitude),
                        rx.table.cell(r.timeliness), rx.table.cell(r.guidance),
                        rx.table.cell(rx.text(r.overall, weight="bold")))


def citizens_page() -> rx.Component:
    """A unit head's page: notes to moderate, ratings, and the QR codes of their units."""
    S = CitizensState
    return shell(
        page_title(t("Citizens' thanks"), t("Citizens rate the service through a QR code per person or "
                                            "counter; notes are shown once you approve them.")),
        error_callout(S.error),
        rx.grid(
            card(
                rx.heading(t("QR codes for a unit"), size="4"),
                rx.form(rx.vstack(
                    select_field(t("Unit"), "unit_id", S.unit_options, required=True),
                    rx.button(t("Create missing links and open the printable sheet"), type="submit",
                              id="open-qr-sheet"),
                    spacing="2", align="stretch"), on_submit=S.create_links),
            ),
            card(
                rx.heading(t("Add a service counter"), size="4"),
                rx.form(rx.vstack(
                    select_field(t("Unit"), "unit_id", S.unit_options, required=True),
                    field(t("Counter name"), "counter_name", required=True,
                          placeholder=t("e.g. Counter 1 - Justice and civil status")),
                    rx.button(t("Add counter"), type="submit"),
                    spacing="2", align="stretch"), on_submit=S.add_counter),
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        rx.heading(t("Notes"), size="5", margin_top="1em"),
        rx.tabs.root(
            # The tabs filter the notes below (no Radix tab panels): they control that list.
            rx.tabs.list(rx.tabs.trigger(t("Waiting"), value="pending", aria_controls="citizen-notes"),
                         rx.tabs.trigger(t("Approved"), value="approved", aria_controls="citizen-notes"),
                         rx.tabs.trigger(t("Rejected"), value="rejected", aria_controls="citizen-notes")),
            value=S.status, on_change=S.set_status, margin_y="0.5em",
        ),
        rx.vstack(
            rx.cond(S.rows.length() == 0, rx.text(t("Nothing here."), color_scheme="gray")),
            rx.foreach(S.rows, _thanks_row),
            spacing="2", width="100%", id="citizen-notes",
        ),
        rx.hstack(
            rx.button(t("Newer"), variant="soft", on_click=S.prev_page, disabled=S.page <= 1),
            rx.button(t("Older"), variant="soft", on_click=S.next_page, disabled=~S.has_more),
            spacing="2", margin_y="0.5em",
        ),
        _reject_thanks_dialog(),
        held_section(),
        devices_section(),
        rx.heading(t("Ratings (approved)"), size="5", margin_top="1em"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("Who"), N_("Ratings"), N_("Attitude"), N_("Timeliness"), N_("Guidance"), N_("Overall"))])),
            rx.table.body(rx.foreach(S.rollups, _rollup_row)),
            width="100%"), overflow_x="auto", width="100%"),
    )


def _qr_card(c: QrCard) -> rx.Component:
    return rx.vstack(
        rx.image(src=c.png_data_uri, width="160px", height="160px", alt=t("QR code for {name}", name=c.label)),
        rx.text(c.label, weight="bold", text_align="center"),
        rx.text(c.sublabel, size="1", color_scheme="gray", text_align="center"),
        rx.text(t("Scan to rate our service"), size="1", text_align="center"),
        rx.link(t("Open the link"), href=c.url, size="1", class_name="qr-link no-print", is_external=True),
        align="center", spacing="1", padding="0.75em", border=f"1px dashed {rx.color('gray', 7)}",
        class_name="qr-card", style={"break_inside": "avoid"},
    )


def qr_page() -> rx.Component:
    """A printable sheet: one QR code per person and counter of a unit (in ``<main>``, without the menus)."""
    return main_landmark(rx.box(
        rx.hstack(
            rx.link(rx.icon("arrow_left"), t("Back"), href=routes.RECOGNITION_CITIZENS),
            rx.spacer(),
            rx.button(rx.icon("printer"), t("Print"), on_click=rx.call_script("window.print()")),
            class_name="no-print", width="100%", margin_bottom="1em",
        ),
        rx.heading(t("{org} — thank our staff", org=get_settings().org_name), size="5", margin_bottom="0.5em"),
        error_callout(QrState.error),
        rx.grid(rx.foreach(QrState.cards, _qr_card), columns=rx.breakpoints(initial="2", sm="3", md="4"),
                spacing="3", width="100%"),
        padding="1.5em", max_width="1000px", margin="0 auto",
    ))


# --- officers ------------------------------------------------------------------------------


def _value_row(v: ValueRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(v.name, weight="medium")),
        rx.table.cell(rx.text(v.description, size="2")),
        rx.table.cell(rx.cond(v.is_active, rx.badge(t("Active"), color_scheme="green"),
                              rx.badge(t("Retired"), color_scheme="gray"))),
        rx.table.cell(rx.cond(v.is_active,
                              rx.button(t("Retire"), size="1", variant="soft", color_scheme="red",
                                        on_click=ValuesState.set_active(v.id, False)),
                              rx.button(t("Bring back"), size="1", variant="soft",
                                        on_click=ValuesState.set_active(v.id, True)))),
    )


def values_page() -> rx.Component:
    """The officer's catalogue of values."""
    return shell(
        page_title(t("Recognition values"), t("Values a recognition can honour. Retired values stay on "
                                              "past recognitions.")),
        error_callout(ValuesState.error),
        rx.cond(AuthState.can_manage_values, rx.vstack(
            card(rx.form(rx.hstack(
                rx.box(limited_text(t("Name"), "name", VALUE_NAME_MAX, form="value", errors=ValuesState.error_fields,
                                    required=True, placeholder=t("e.g. Creativity")), flex="1", min_width="12em"),
                rx.box(limited_text(t("Description"), "description", VALUE_DESCRIPTION_MAX, form="value",
                                    errors=ValuesState.error_fields), flex="2", min_width="12em"),
                rx.button(t("Add value"), type="submit"), align="end", wrap="wrap", width="100%"),
                on_submit=ValuesState.add, reset_on_submit=False, key=ValuesState.form_key.to_string())),
            rx.box(rx.button(t("Add the movement's default values"), variant="soft",
                             on_click=ValuesState.load_defaults)),
            thanks_settings_card(),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) if h else action_header() for h in (
                    N_("Value"), N_("Description"), N_("Status"), "")])),
                rx.table.body(rx.foreach(ValuesState.rows, _value_row)), width="100%"),
                overflow_x="auto", width="100%"),
            spacing="3", width="100%", align="stretch",
        )),
    )


def fairness_page() -> rx.Component:
    """Signals for officers; nothing happens automatically."""
    return shell(
        page_title(t("Recognition fairness"), t("Last 180 days. These are signals to look into, not "
                                                "verdicts: nothing happens to anyone automatically.")),
        error_callout(FairnessState.error),
        card(
            rx.heading(t("People who mostly recognise each other"), size="4"),
            rx.cond(FairnessState.rings.length() == 0, rx.text(t("None found."), color_scheme="gray")),
            rx.foreach(FairnessState.rings, lambda r: rx.text(
                t("{a} → {b}: {a_to_b} · back: {b_to_a}", a=r.a_name, b=r.b_name, a_to_b=r.a_to_b,
                  b_to_a=r.b_to_a), size="2")),
        ),
        card(
            rx.heading(t("Units whose recognitions stay inside"), size="4"),
            rx.cond(FairnessState.units.length() == 0, rx.text(t("None found."), color_scheme="gray")),
            rx.foreach(FairnessState.units, lambda u: rx.text(
                t("{unit}: {inside} of {total} inside ({share})", unit=u.unit_name, inside=u.inside,
                  total=u.total, share=u.share), size="2")),
            margin_top="1em",
        ),
    )


# --- the public page -------------------------------------------------------------------------

_RATING_LABELS = (("attitude", N_("Attitude")), ("timeliness", N_("Timeliness")), ("guidance", N_("Guidance")))


def _rating_input(name: str, label: Msg) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(t(label), size="3", weight="medium")),
        rx.hstack(*[rx.el.label(
            rx.vstack(rx.el.input(type="radio", name=name, value=str(n), required=True),
                      rx.text(f"{n}★", size="2"), align="center", spacing="1"),
            class_name="star-choice") for n in range(1, 6)], spacing="4"),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _proof_status() -> rx.Component:
    """The automatic check's progress, announced politely to screen readers (no pointer needed:
    it runs by itself; a failed check is retried with a button)."""
    S = ThanksState
    return rx.box(
        rx.match(
            S.pow_state,
            ("working", rx.hstack(rx.spinner(size="1"), rx.text(t("Verifying that you are not a robot…"), size="2"),
                                  align="center", spacing="2")),
            ("done", rx.hstack(rx.icon("shield_check", size=16, color=rx.color("green", 11)),
                               rx.text(t("Verified: you can send your rating."), size="2"), align="center",
                               spacing="2")),
            ("failed", rx.hstack(rx.text(t("The automatic check could not finish in this browser."), size="2"),
                                 rx.button(t("Check again"), type="button", size="1", variant="soft",
                                           on_click=S.new_check),
                                 align="center", spacing="2", wrap="wrap")),
            rx.fragment(),
        ),
        rx.cond(S.error_fields.contains("altcha"), rx.text(S.error_fields["altcha"], size="1", color_scheme="red")),
        role="status", aria_live="polite", id="thanks-proof", min_height="1.5em",
    )


def thanks_page() -> rx.Component:
    """What a citizen sees after scanning a QR code: no account, no personal data asked."""
    S = ThanksState
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("leaf", color=rx.color("accent", 9)),
                          rx.heading(get_settings().org_name, size="4"), align="center"),
                rx.cond(
                    ~S.found,
                    rx.callout(t("This thank-you link is not valid. Ask at the counter for a new one."),
                               icon="triangle_alert", color_scheme="orange"),
                    rx.cond(
                        S.done,
                        rx.callout(S.done_message, icon="heart", color_scheme="green", id="thanks-done"),
                        rx.form(
                            rx.vstack(
                                rx.heading(rx.cond(S.is_counter,
                                                   t("Rate the service at {name}", name=S.target_name),
                                                   t("Rate the service of {name}", name=S.target_name)),
                                           size="5"),
                                rx.text(S.target_unit, color_scheme="gray"),
                                error_callout(S.error),
                                *[_rating_input(n, lbl) for n, lbl in _RATING_LABELS],
                                field(t("Dossier or receipt number"), "dossier", required=True,
                                      placeholder="000.00.00.H00-260301-0001",
                                      hint=rx.cond(S.dossier_hint != "", S.dossier_hint,
                                                   t("Printed on the receipt of your procedure."))),
                                limited_text(t("A thank-you note (optional)"), "note", NOTE_MAX, form="thanks",
                                             multiline=True, hint=t("Shown once the unit head has read it.")),
                                _proof_status(),
                                rx.button(t("Send"), type="submit", size="3", loading=S.busy,
                                          id="thanks-submit"),
                                spacing="3", align="stretch",
                            ),
                            # Never remounted: a refusal (a failed check included) keeps what was typed.
                            on_submit=S.submit, reset_on_submit=False,
                        ),
                    ),
                ),
                spacing="4", align="stretch",
            ),
            width="100%", max_width="520px", padding="1.5em",
        ),
        min_height="100vh", padding="1em",
    )


def home_card() -> rx.Component:
    """The recognition card of the home page."""
    S = RecognitionHomeState
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("heart_handshake", size=20), rx.heading(t("Recognition"), size="4"),
                      align="center"),
            rx.text(t("Received: {n}", n=S.received), size="2"),
            rx.text(t("Left to give this month: {left} of {total}", left=S.allowance_left,
                      total=S.allowance_total), size="2"),
            rx.hstack(
                rx.link(rx.button(t("Recognise someone"), size="2"), href=routes.RECOGNITION),
                rx.link(t("My recognitions"), href=routes.RECOGNITION_PERSON + "/"
                        + S.my_person_id.to_string(), size="2"),
                align="center", wrap="wrap", spacing="3",
            ),
            spacing="2", align="start",
        ),
        width="100%",
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    private_page(app, recognition_page, route=routes.RECOGNITION, title=N_("Recognition"),
                 load=RecognitionState.load)
    private_page(app, person_page, route=routes.RECOGNITION_PERSON + "/[person_id]",
                 title=N_("Recognition profile"), load=PersonState.load)
    private_page(app, citizens_page, route=routes.RECOGNITION_CITIZENS, title=N_("Citizens' thanks"),
                 load=[CitizensState.load, HeldRatingsState.load, DevicesState.load])
    private_page(app, qr_page, route=routes.RECOGNITION_QR + "/[qr_unit]", title=N_("QR sheet"),
                 load=QrState.load)
    private_page(app, values_page, route=routes.RECOGNITION_VALUES, title=N_("Recognition values"),
                 load=[ValuesState.load, ThanksSettingsState.load])
    private_page(app, fairness_page, route=routes.RECOGNITION_FAIRNESS, title=N_("Recognition fairness"),
                 load=FairnessState.load)
    # The citizens' page needs no login: no guard.
    public_page(app, thanks_page, route=routes.THANKS + "/[thanks_token]", title=N_("Thank you"),
                load=ThanksState.load)


# --- counter devices (issue 16) ---------------------------------------------------------------


def _device_row(d: DeviceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(d.name, weight="medium")), rx.table.cell(d.unit_name),
        rx.table.cell(rx.badge(d.status_label, color_scheme=rx.match(d.status, ("active", "green"),
                                                                      ("waiting", "amber"), "gray"))),
        rx.table.cell(d.registered), rx.table.cell(d.last_used),
        rx.table.cell(rx.cond(d.status != "revoked",
                              rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red",
                                        on_click=DevicesState.revoke(d.id)))),
    )


def devices_section() -> rx.Component:
    """Tablets at the counters of one's units: ratings given on them are limited per dossier, not per
    network (a one-stop centre shares one network)."""
    S = DevicesState
    return rx.vstack(
        rx.heading(t("Counter devices"), size="5", margin_top="1em"),
        rx.text(t("Citizens at a one-stop centre share one network, which allows only a few ratings a day. Register "
                  "the tablet at a counter: its ratings are limited per dossier instead."), size="2",
                color_scheme="gray"),
        card(rx.form(rx.vstack(
            error_callout(S.device_error),
            rx.hstack(
                rx.box(select_field(t("Unit"), "unit_id", S.device_options, required=True), min_width="14em"),
                rx.box(limited_text(t("Device name"), "device_name", DEVICE_NAME_MAX, form="device",
                                    errors=S.device_error_fields, required=True,
                                    placeholder=t("e.g. Tablet at counter 1")), flex="1", min_width="14em"),
                rx.button(t("Register a device"), type="submit"),
                align="end", wrap="wrap", spacing="2", width="100%"),
            spacing="2", align="stretch"), on_submit=S.register, reset_on_submit=False,
            key=S.form_key.to_string())),
        rx.cond(S.new_link != "", rx.callout.root(rx.callout.icon(rx.icon("tablet")), rx.vstack(
            rx.text(t("Open this link once on the tablet “{name}” and press “Register this tablet”. It is shown only "
                      "now and works once, for 7 days.", name=S.new_name), size="2"),
            rx.code(S.new_link, id="device-link", style={"overflow_wrap": "anywhere"}),
            spacing="1"), color_scheme="blue", width="100%")),
        rx.cond(S.devices.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("Device"), N_("Unit"), N_("State"), N_("Registered"), N_("Last used"), N_("Action"))])),
            rx.table.body(rx.foreach(S.devices, _device_row)), width="100%"), overflow_x="auto", width="100%")),
        spacing="2", width="100%", align="stretch", id="counter-devices",
    )


# --- held ratings and the citizens' thanks settings (issue 18) -------------------------------


def _held_row(row: HeldRating) -> rx.Component:
    S = HeldRatingsState
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row.target, weight="bold"), rx.text("· " + row.unit_name, size="2", color_scheme="gray"),
                      rx.spacer(), rx.text(row.at, size="1", color_scheme="gray"), wrap="wrap", width="100%"),
            rx.hstack(rx.text(t("Attitude"), size="2"), _stars(row.attitude), rx.text(t("Timeliness"), size="2"),
                      _stars(row.timeliness), rx.text(t("Guidance"), size="2"), _stars(row.guidance),
                      rx.code(row.dossier_ref, size="1"), wrap="wrap", spacing="2"),
            rx.badge(row.why, color_scheme="orange", width="fit-content"),
            rx.cond(row.note != "", rx.blockquote(row.note, size="2", class_name="citizen-note")),
            rx.form(
                rx.el.input(type="hidden", name="thanks_id", value=row.id.to_string()),
                rx.hstack(
                    rx.el.label(rx.vstack(
                        rx.text(t("Decision"), size="2", weight="medium"),
                        rx.el.select(rx.el.option(t("Count it"), value="count"),
                                     rx.el.option(t("Set it aside (no points)"), value="aside"),
                                     name="decision", class_name="native-select"),
                        spacing="1")),
                    rx.box(field(t("Reason"), "reason", required=True,
                                 placeholder=t("e.g. the dossier exists and was handled at this counter")),
                           flex="1", min_width="14em"),
                    rx.button(t("Decide"), type="submit", size="2", class_name="decide-held"),
                    align="end", wrap="wrap", spacing="2", width="100%"),
                on_submit=S.decide, reset_on_submit=True),
            spacing="2", align="stretch",
        ),
        width="100%",
    )


def held_section() -> rx.Component:
    """The queue of held ratings on the citizens' page (shown only when there is one)."""
    S = HeldRatingsState
    return rx.cond(
        S.held.length() > 0,
        rx.vstack(
            rx.heading(t("Ratings held for your decision"), size="5", margin_top="1em"),
            rx.text(t("Many ratings came today from one network, or for one person: their points count only "
                      "once you decide. Check the dossier numbers against the one-stop system."), size="2",
                    color_scheme="gray"),
            error_callout(S.held_error),
            rx.foreach(S.held, _held_row),
            rx.hstack(
                rx.button(t("Newer"), variant="soft", on_click=S.prev_page, disabled=S.page <= 1),
                rx.button(t("Older"), variant="soft", on_click=S.next_page, disabled=~S.has_more),
                spacing="2"),
            spacing="2", width="100%", align="stretch", id="held-ratings",
        ),
    )


def thanks_settings_card() -> rx.Component:
    """The officers' settings for citizens' thanks, on the values page."""
    S = ThanksSettingsState
    return rx.cond(AuthState.can_manage_values, card(
        rx.heading(t("Citizens' thanks"), size="4"),
        rx.form(rx.vstack(
            error_callout(S.settings_error),
            rx.el.label(rx.vstack(
                rx.text(t("Dossier-number formats of your one-stop systems (one a line; empty: any number)"),
                        size="2", weight="medium"),
                rx.text_area(name="dossier_formats", default_value=S.dossier_formats, rows="3", width="100%",
                             placeholder=t("e.g. {example}", example="000.00.00.H00-YYMMDD-0000"), max_length=600),
                rx.text(t("0 stands for a digit, A for a letter, YYMMDD or YYYYMMDD for a date; every other "
                          "character is written as it is."), size="1", color_scheme="gray"),
                spacing="1", align="stretch"), style={"width": "100%"}),
            rx.hstack(
                field(t("Hold for the unit head from this many ratings a day from one network"), "hold_per_network",
                      type="number", default_value=S.hold_per_network.to_string(), required=True),
                field(t("... or for one person or counter"), "hold_per_person", type="number",
                      default_value=S.hold_per_person.to_string(), required=True),
                wrap="wrap", spacing="3", width="100%"),
            rx.button(t("Save"), type="submit", width="fit-content"),
            spacing="2", align="stretch"), on_submit=S.save, key=S.dossier_formats),
    ))
