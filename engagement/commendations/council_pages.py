"""Pages of the emulation and commendation council (issue 15): the sessions (officers schedule one
with an agenda of appraised nominees; members see the sessions they sit in), and one session as
its secretary runs it (attendance, opening, rounds, written votes, closing, the minutes) and as a
member reads the dossiers and votes.

Phone first: every nominee of the agenda is a card of its own with its actions under it; the
attendance table scrolls sideways inside its card. A vote is asked again before it is cast (an
alert dialog that lives only in the browser): the choice goes to the server in that one event and
nowhere else; the page then says "You have voted", never how.
"""

from __future__ import annotations

import reflex as rx

from engagement.commendations import rules
from engagement.commendations.council import MemberRow
from engagement.commendations.council_state import (
    ATTENDANCE_CHOICES,
    QUORUM_CHOICES,
    AgendaLine,
    CouncilSessionState,
    CouncilState,
    ItemCard,
    RoundLine,
    SessionLine,
)
from engagement.commendations.dto import DisciplineRow, HoldRow
from engagement.core import routes
from engagement.core.i18n import N_
from engagement.ui import forms
from engagement.ui.components import card, error_callout, field, page_title
from engagement.ui.i18n import t
from engagement.ui.kit import limited_text, private_page
from engagement.ui.layout import shell

# --- small pieces -------------------------------------------------------------------------------


_SESSION_COLORS = ((rules.SESSION_SCHEDULED, "blue"), (rules.SESSION_OPEN, "green"), (rules.SESSION_CLOSED, "gray"))
_OUTCOME_COLORS = ((rules.APPROVED, "green"), (rules.REJECTED, "red"))


def _session_badge(status: rx.Var, label: rx.Var, **props) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *_SESSION_COLORS, "gray"),
                    custom_attrs={"data-status": status}, **props)


# --- 1. the sessions ----------------------------------------------------------------------------


def _session_row(s: SessionLine) -> rx.Component:
    return rx.link(rx.card(rx.vstack(
        rx.flex(
            rx.text(rx.text.strong(s.title), size="3", flex="1", min_width="0"),
            rx.cond(s.status != "", _session_badge(s.status, s.status_label),
                    rx.badge(s.status_label, color_scheme="gray")),
            gap="2", align="center", wrap="wrap", width="100%"),
        rx.text(s.scheduled_at, rx.cond(s.place != "", rx.fragment(" · ", s.place)), size="2", color_scheme="gray"),
        rx.cond((s.position_label != "") | (s.to_vote > 0), rx.flex(
            rx.cond(s.position_label != "", rx.badge(s.position_label, variant="outline")),
            rx.cond(s.to_vote > 0, rx.badge(t("{n} to vote on now", n=s.to_vote), color_scheme="amber")),
            gap="2", wrap="wrap")),
        spacing="1", align="stretch", width="100%"), width="100%"),
        href=s.url, underline="none", width="100%", class_name="council-session-row",
        id="council-session-" + s.id.to_string())


def _agenda_choice(n: AgendaLine) -> rx.Component:
    return rx.el.label(
        rx.flex(
            rx.checkbox(name="nominee_" + n.nominee_id.to_string(), class_name="agenda-choice", aria_label=n.name),
            rx.vstack(
                rx.text(rx.text.strong(n.name), " · ", n.unit_name, size="2"),
                rx.text(n.title_name, " ", n.year, size="1", color_scheme="gray"),
                rx.cond(n.notice_closes != "", rx.text(t("Public notice until {day}", day=n.notice_closes), size="1",
                                                       color_scheme="gray")),
                spacing="0", align="start", flex="1", min_width="0"),
            rx.link(rx.icon("external_link", size=14), href=n.url, is_external=True, aria_label=t("Dossier")),
            gap="2", align="start", width="100%"),
        style={"display": "block", "width": "100%", "padding": "0.4em 0",
               "borderBottom": "1px solid var(--gray-4)"})


def _schedule_dialog() -> rx.Component:
    S = CouncilState
    return forms.dialog(
        S.dialog == "schedule", S.close_dialog, t("Schedule a session"),
        rx.text(t("Every council member sits in the session and is told at once; the dossiers on the agenda open "
                  "to them until it closes."), size="2"),
        error_callout(S.form_error),
        rx.form(rx.vstack(
            limited_text(t("Name of the session"), "title", 300, form="schedule", required=True,
                         placeholder=t("e.g. Meeting to consider the commendations of the year")),
            forms.grid(field(t("Day and time"), "when", type="datetime-local", required=True,
                        default_value=S.default_when, min=S.min_when),
                  limited_text(t("Place"), "place", 300, form="schedule", placeholder=t("e.g. Meeting room 1"))),
            forms.grid(forms.options(t("Chair"), "chair", S.chairs),
                       forms.options(t("Secretary"), "secretary", S.chairs)),
            forms.choice(t("Quorum to open"), "quorum", QUORUM_CHOICES, default="2/3"),
            rx.text(t("Nominees on the agenda (appraised eligible)"), size="2", weight="medium"),
            rx.cond(S.nominees.length() == 0, forms.empty(N_("No nominee is ready for the council."))),
            rx.box(rx.foreach(S.nominees, _agenda_choice), max_height="40vh", overflow_y="auto", width="100%",
                   id="agenda-choices"),
            rx.text(t("The agenda is put in voting order: lower titles first."), size="1", color_scheme="gray"),
            rx.button(t("Schedule the session"), type="submit", width="fit-content", id="schedule-submit"),
            spacing="3", align="stretch"), on_submit=S.schedule, key=S.form_key.to_string() + "-s"),
    )


def council_page() -> rx.Component:
    """Officers: every session and "schedule a session"; council members: the sessions they sit in."""
    S = CouncilState
    return shell(
        page_title(t("Council sessions"), t("The emulation and commendation council: sessions, agenda and the secret "
                                            "ballot.")),
        error_callout(S.error),
        rx.cond(S.is_officer, card(
            rx.flex(forms.heading(N_("Sessions")), rx.spacer(),
                    rx.button(rx.icon("calendar_plus", size=16), t("Schedule a session"), on_click=S.open_schedule,
                              id="council-schedule"),
                    gap="2", align="center", wrap="wrap", width="100%"),
            rx.cond(S.sessions.length() == 0, forms.empty(N_("No session yet."))),
            rx.grid(rx.foreach(S.sessions, _session_row), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                    width="100%", id="council-sessions"))),
        rx.cond(S.is_member, card(
            forms.heading(N_("My sessions")),
            rx.cond(S.mine.length() == 0, forms.empty(N_("You do not sit in any session yet."))),
            rx.grid(rx.foreach(S.mine, _session_row), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                    width="100%", id="my-sessions"))),
        _schedule_dialog(),
    )


# --- 2. one session ------------------------------------------------------------------------------


def _header() -> rx.Component:
    S = CouncilSessionState
    return card(
        rx.flex(
            rx.vstack(
                rx.heading(S.title, size="5", id="session-title"),
                rx.text(S.scheduled_at, rx.cond(S.place != "", rx.fragment(" · ", S.place)), size="2",
                        color_scheme="gray"),
                spacing="1", align="start", flex="1", min_width="0"),
            _session_badge(S.status, S.status_label, size="2", id="session-status"),
            gap="3", width="100%", direction=rx.breakpoints(initial="column", sm="row"), align="start"),
        rx.grid(
            forms.fact(t("Chair"), S.chair_name),
            forms.fact(t("Secretary"), S.secretary_name),
            forms.fact(t("Attendance"), t("{present} of {total} present, {written} voting in writing",
                                          present=S.present, total=S.members_total, written=S.written)),
            forms.fact(t("Quorum"), t("{needed} ({share} of all members)", needed=S.quorum_needed,
                                      share=S.quorum_share)),
            columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="3", width="100%"),
        rx.cond(S.my_position_label != "", rx.text(t("Your seat: {position}", position=S.my_position_label),
                                                   size="2")),
        rx.flex(
            rx.button(rx.icon("refresh_cw", size=16), t("Refresh"), variant="soft", on_click=S.refresh,
                      id="session-refresh"),
            rx.cond(S.may_run | (S.status == rules.SESSION_CLOSED), rx.fragment(
                rx.button(rx.icon("file_text", size=16), t("Minutes (PDF)"), variant="soft",
                          on_click=S.download_minutes, id="minutes-pdf"),
                rx.button(rx.icon("file_check", size=16), t("Ballot count (PDF)"), variant="soft",
                          on_click=S.download_tally, id="tally-pdf"))),
            gap="2", wrap="wrap"),
    )


def _attendance_select(m: MemberRow) -> rx.Component:
    S = CouncilSessionState
    return rx.el.select(
        *[rx.el.option(t(label), value=code) for code, label in ATTENDANCE_CHOICES.items()],
        value=rx.cond(m.present, "present", rx.cond(m.written, "written", "absent")),
        on_change=lambda value: S.set_attendance(m.person_id, value),
        class_name="native-select attendance-select", aria_label=m.name,
        id="attendance-" + m.person_id.to_string())


def _member_row(m: MemberRow) -> rx.Component:
    S = CouncilSessionState
    editable = S.may_run & (S.status == rules.SESSION_SCHEDULED)
    return rx.table.row(
        rx.table.cell(m.name), rx.table.cell(m.unit_name), rx.table.cell(m.position_label),
        rx.table.cell(rx.cond(editable, _attendance_select(m),
                              rx.badge(m.attendance_label, color_scheme=rx.cond(
                                  m.present, "green", rx.cond(m.written, "amber", "gray"))))),
        class_name="member-row")


def _attendance() -> rx.Component:
    S = CouncilSessionState
    return card(
        forms.heading(N_("Members and attendance")),
        rx.cond(S.may_run & (S.status == rules.SESSION_SCHEDULED), rx.text(
            t("Record who is present and who, absent, votes in writing; then open the session. It opens only with "
              "the quorum present and every public comment on the nominees answered."), size="2",
            color_scheme="gray")),
        forms.scroll(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                N_("Full name"), N_("Unit"), N_("Position"), N_("Attendance"))])),
            rx.table.body(rx.foreach(S.members, _member_row)), size="1", width="100%", min_width="560px",
            id="session-members")),
        rx.cond(S.may_run & (S.status == rules.SESSION_SCHEDULED), rx.flex(
            rx.button(rx.icon("play", size=16), t("Open the session"), on_click=S.open_session, id="session-open"),
            rx.text(t("{present} present; {needed} needed to open.", present=S.present, needed=S.quorum_needed),
                    size="2", color_scheme=rx.cond(S.quorum_met, "green", "amber")),
            gap="3", align="center", wrap="wrap")),
        id="session-attendance")


def _round(r: RoundLine) -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong(t("Round {round}", round=r.round)), ": ", r.status, size="2", class_name="round-status"),
        rx.cond(r.voters != "", rx.text(t("Have voted: {names}", names=r.voters), size="1", color_scheme="gray")),
        spacing="0", align="stretch")


def _vote_button(item: ItemCard, agree: bool) -> rx.Component:
    """Agree or Disagree, asked again in a dialog that lives only in the browser."""
    S = CouncilSessionState
    label = N_("Agree") if agree else N_("Disagree")
    color = "green" if agree else "red"
    name = "agree" if agree else "disagree"
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(t(label), color_scheme=color, type="button", class_name=f"vote-{name}")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Vote: agree") if agree else t("Vote: disagree")),
            rx.alert_dialog.description(t("{name} — {title}. The ballot is secret and cannot be changed once cast.",
                                          name=item.nominee_name, title=item.title_name)),
            rx.hstack(rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                      rx.alert_dialog.action(rx.button(t("Cast my vote"), color_scheme=color,
                                                       on_click=S.vote(item.item_id, agree),
                                                       class_name=f"vote-confirm-{name}")),
                      spacing="3", justify="end", margin_top="1em")),
    )


def _my_vote(item: ItemCard) -> rx.Component:
    """What the reading member may do on an item: vote, or see that they did (never how)."""
    S = CouncilSessionState
    return rx.cond(
        item.my_recused,
        rx.badge(t("You are recused from this nominee"), color_scheme="gray", class_name="my-recused"),
        rx.cond(
            item.my_can_vote,
            rx.flex(_vote_button(item, True), _vote_button(item, False), gap="2", wrap="wrap",
                    class_name="vote-buttons"),
            rx.cond(item.my_voted,
                    rx.badge(rx.icon("check", size=14), t("You have voted"), color_scheme="green",
                             class_name="my-voted"),
                    rx.cond(S.my_absent & item.round_open,
                            rx.text(t("You are recorded as absent: the secretary records your written vote."),
                                    size="1", color_scheme="gray")))))


def _ballot_actions(item: ItemCard) -> rx.Component:
    """The secretary's buttons on an item."""
    S = CouncilSessionState
    return rx.cond(S.may_ballot & (S.status == rules.SESSION_OPEN), rx.flex(
        rx.cond(item.may_open_round,
                rx.button(rx.icon("play", size=14), rx.cond(item.round == 0, t("Open round"), t("Open a second round")),
                          size="2", on_click=S.open_round(item.item_id), class_name="round-open")),
        rx.cond(item.round_open, rx.fragment(
            rx.button(rx.icon("square", size=14), t("Close round"), size="2", color_scheme="amber",
                      on_click=S.close_round(item.item_id), class_name="round-close"),
            rx.cond(S.written > 0, rx.button(rx.icon("pen_line", size=14), t("Record a written vote"), size="2",
                                             variant="soft", on_click=S.open_written(item.item_id),
                                             class_name="written-open")))),
        gap="2", wrap="wrap"))


def discipline_line(d: DisciplineRow) -> rx.Component:
    """A disciplinary measure: its form, period, decision and note."""
    return rx.box(
        rx.text(rx.text.strong(d.form_label), " · ", d.starts_on, " – ", d.ends_on, size="2"),
        rx.text(t("Decision {ref}", ref=d.decision_ref), rx.cond(d.note != "", rx.fragment(" · ", d.note)),
                size="1", color_scheme="gray"),
        class_name="discipline-row", width="100%")


def hold_text(h: HoldRow) -> rx.Component:
    """A hold on commendations: its reason, whether in force, its period and note."""
    return rx.vstack(
        rx.hstack(rx.text(h.reason_label, weight="medium", size="2"),
                  rx.cond(h.in_force, rx.badge(t("In force"), color_scheme="red"),
                          rx.cond(h.lifted, rx.badge(t("Lifted"), color_scheme="gray"),
                                  rx.badge(t("Not in force"), color_scheme="gray"))),
                  align="center", wrap="wrap"),
        rx.text(rx.cond(h.ends_on != "", t("From {start} to {end}", start=h.starts_on, end=h.ends_on),
                        t("From {start}, until lifted", start=h.starts_on)),
                rx.cond(h.note != "", rx.fragment(" · ", h.note)), size="1", color_scheme="gray"),
        spacing="1", align="start")


def _item(item: ItemCard) -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.text(rx.text.strong(item.position.to_string() + ". " + item.nominee_name), " · ", item.unit_name,
                    size="3", flex="1", min_width="0"),
            rx.badge(item.outcome_label, color_scheme=rx.match(item.outcome, *_OUTCOME_COLORS, "gray"),
                     custom_attrs={"data-outcome": item.outcome}, class_name="item-outcome"),
            gap="2", align="center", wrap="wrap", width="100%"),
        rx.text(item.title_name, " ", item.year, size="2", color_scheme="gray"),
        rx.flex(
            rx.cond(item.dossier_url != "", rx.link(rx.icon("folder_open", size=14), " ", t("Open the dossier"),
                                                    href=item.dossier_url, size="2", class_name="dossier-link")),
            rx.cond(item.may_read_records,
                    rx.button(rx.icon("shield_alert", size=14), t("Discipline and holds"), size="1", variant="ghost",
                              on_click=CouncilSessionState.show_records(item.item_id), class_name="records-open")),
            gap="3", align="center", wrap="wrap"),
        rx.cond(item.recusals.length() > 0,
                rx.vstack(rx.foreach(item.recusals, lambda r: rx.text(t("Recused: {who}", who=r), size="1",
                                                                      color_scheme="gray")),
                          spacing="0", align="stretch", class_name="item-recusals")),
        rx.foreach(item.rounds, _round),
        _my_vote(item),
        _ballot_actions(item),
        spacing="2", align="stretch", width="100%"),
        width="100%", class_name="agenda-item", id="agenda-item-" + item.item_id.to_string())


def _agenda() -> rx.Component:
    S = CouncilSessionState
    return rx.vstack(
        rx.heading(t("Agenda, in voting order"), size="5", margin_top="0.5em"),
        rx.text(t("Per nominee: agree or disagree, by secret ballot. Results count against all members and show only "
                  "once the secretary closes the round."), size="2", color_scheme="gray"),
        rx.cond(S.vote_message != "", rx.callout(S.vote_message, icon="check", color_scheme="green",
                                                 id="vote-recorded")),
        rx.grid(rx.foreach(S.items, _item), columns=rx.breakpoints(initial="1", lg="2"), spacing="3", width="100%",
                id="session-agenda"),
        rx.cond(S.may_run & (S.status == rules.SESSION_OPEN), card(
            rx.text(t("Once every nominee has been voted on, close the session; the minutes and the ballot count are "
                      "then final."), size="2"),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button(rx.icon("lock", size=16), t("Close the session"), color_scheme="red",
                                                  variant="soft", width="fit-content", id="session-close")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title(t("Close the session?")),
                    rx.alert_dialog.description(t("No round can be opened afterwards; a nominee not approved after a "
                                                  "first round without a second is not approved.")),
                    rx.hstack(rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                              rx.alert_dialog.action(rx.button(t("Close the session"), color_scheme="red",
                                                               on_click=S.close_session, id="session-close-confirm")),
                              spacing="3", justify="end", margin_top="1em"))))),
        spacing="3", align="stretch", width="100%")


def _written_dialog() -> rx.Component:
    S = CouncilSessionState
    return forms.dialog(
        S.dialog == "written", S.close_dialog, t("Record a written vote"),
        rx.text(t("For a member absent from the session who voted in writing; the minutes mark it as such."),
                size="2"),
        error_callout(S.dialog_error),
        rx.form(rx.vstack(
            forms.options(t("Member"), "person_id", S.written_choices),
            forms.labelled(t("The written ballot says"), rx.radio_group.root(
                rx.flex(rx.radio_group.item(value="agree"), rx.text(t("Agree"), size="2"),
                        rx.radio_group.item(value="disagree", margin_left="1em"), rx.text(t("Disagree"), size="2"),
                        gap="2", align="center"),
                name="choice", required=True)),
            rx.button(t("Record the written vote"), type="submit", width="fit-content", id="written-submit"),
            spacing="3", align="stretch"), on_submit=S.submit_written, key=S.form_key.to_string() + "-w"),
        subtitle=S.written_label)


def _records_dialog() -> rx.Component:
    S = CouncilSessionState
    return forms.dialog(
        S.dialog == "records", S.close_dialog, t("Discipline and holds: {name}", name=S.records_name),
        rx.text(t("Shown to council members while the nominee is before the council; every view is recorded in "
                  "the audit log."), size="2", color_scheme="gray"),
        rx.vstack(
            rx.cond(S.records_disciplines.length() == 0, rx.text(t("No discipline record."), size="2")),
            rx.foreach(S.records_disciplines, discipline_line),
            rx.cond(S.records_holds.length() == 0, rx.text(t("No hold on commendations."), size="2")),
            rx.foreach(S.records_holds, lambda h: rx.box(hold_text(h), width="100%", class_name="hold-row")),
            spacing="2", align="stretch", id="council-records"))


def session_page() -> rx.Component:
    """One council session, for its secretary, the officers and its members."""
    S = CouncilSessionState
    return shell(
        rx.link(rx.icon("arrow_left", size=14), " ", t("All sessions"), href=routes.COMMENDATION_COUNCIL, size="2"),
        error_callout(S.error),
        rx.cond(S.found, rx.vstack(
            _header(),
            error_callout(S.action_error),
            _attendance(),
            _agenda(),
            spacing="4", align="stretch", width="100%")),
        _written_dialog(),
        _records_dialog(),
    )


# --- registration ----------------------------------------------------------------------------


def add_pages(app: rx.App) -> None:
    """Register the council's pages (the minutes are downloads of the session page: no stored file)."""
    private_page(app, council_page, route=routes.COMMENDATION_COUNCIL, title=N_("Council sessions"),
                 load=CouncilState.load)
    private_page(app, session_page, route=routes.COMMENDATION_SESSION, title=N_("Council session"),
                 load=CouncilSessionState.load)
