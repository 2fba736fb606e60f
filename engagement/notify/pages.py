"""The notifications page."""

from __future__ import annotations

import reflex as rx

from engagement.notify.dto import JobRow, NotificationRow, OutboxRow, PreferenceRow
from engagement.notify.rules import MODE_LABELS
from engagement.notify.state import NotificationsState, NotifyAdminState
from engagement.ui import routes
from engagement.ui.auth import AuthState
from engagement.ui.components import error_callout, page_title, pager
from engagement.ui.layout import shell


def _row(n: NotificationRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.cond(n.unread, rx.badge("New", color_scheme="green"), rx.fragment()),
            rx.vstack(
                rx.text(n.title, weight=rx.cond(n.unread, "bold", "regular")),
                rx.cond(n.body != "", rx.text(n.body, size="2", color_scheme="gray")),
                rx.text(n.at, size="1", color_scheme="gray"),
                spacing="1", align="start", flex="1",
            ),
            align="start", spacing="3", width="100%",
        ),
        on_click=NotificationsState.open_one(n.id),
        cursor="pointer",
        padding="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        _hover={"background": rx.color("accent", 2)},
        role="link",
        class_name="notification-row",
        width="100%",
    )


def notifications_page() -> rx.Component:
    """One's notifications, newest first."""
    return shell(
        page_title("Notifications"),
        error_callout(NotificationsState.error),
        rx.hstack(
            rx.text(AuthState.unread_notifications, " unread", size="2"),
            rx.spacer(),
            rx.button("Mark all as read", variant="soft", on_click=NotificationsState.read_all,
                      disabled=AuthState.unread_notifications == 0),
            width="100%", align="center",
        ),
        rx.card(
            rx.cond(NotificationsState.rows.length() == 0,
                    rx.text("Nothing yet. When a colleague recognises you, you will see it here.",
                            color_scheme="gray")),
            rx.foreach(NotificationsState.rows, _row),
            width="100%", margin_y="1em",
        ),
        pager(NotificationsState.page, NotificationsState.pages, NotificationsState.total,
              NotificationsState.prev_page, NotificationsState.next_page),
        _preferences(),
    )


def _pref_row(p: PreferenceRow) -> rx.Component:
    return rx.flex(
        rx.text(p.label, size="2", flex="1", min_width="12em"),
        rx.radio_group.root(
            rx.flex(
                *[rx.radio_group.item(label, value=mode.value) for mode, label in
                  ((m, MODE_LABELS[m]) for m in MODE_LABELS)],
                column_gap="1.5em", row_gap="0.4em", wrap="wrap",
            ),
            value=p.mode,
            on_change=lambda mode: NotificationsState.choose(p.category, mode),
            size="2",
        ),
        gap="2", wrap="wrap", align="center", width="100%", padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="preference-row",
    )


def _preferences() -> rx.Component:
    return rx.card(
        rx.heading("How messages reach me", size="4"),
        rx.text("Reminders you must act on still appear here even when a kind is off. E-mail goes to "
                "the address on your staff record.", size="2", color_scheme="gray"),
        rx.cond(
            (NotificationsState.prefs.length() > 0) & ~NotificationsState.prefs[0].has_email,
            rx.callout("You have no e-mail address on record: ask your unit's HR officer to add "
                       "one, or messages stay in the app.", icon="info", color_scheme="amber", size="1"),
        ),
        rx.foreach(NotificationsState.prefs, _pref_row),
        rx.text(NotificationsState.pref_saved, size="1", color_scheme="green"),
        id="preferences", width="100%", margin_top="1.5em",
    )


# --- admin: outbox and jobs ------------------------------------------------------------------


def _job_row(j: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(j.label, weight="medium"), rx.text(j.job_id, size="1", color_scheme="gray")),
        rx.table.cell(j.schedule),
        rx.table.cell(j.last_run),
        rx.table.cell(j.next_run),
        rx.table.cell(j.messages),
        rx.table.cell(rx.text(j.last_error, color_scheme="red", size="1")),
        rx.table.cell(rx.button("Run now", size="1", variant="soft",
                                on_click=NotifyAdminState.run_now(j.job_id))),
    )


def _outbox_row(m: OutboxRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.created),
        rx.table.cell(m.recipient),
        rx.table.cell(m.channel),
        rx.table.cell(rx.text(m.title), rx.text(m.kind, " · ", m.subject, size="1", color_scheme="gray")),
        rx.table.cell(rx.badge(m.status, color_scheme=rx.match(
            m.status, ("sent", "green"), ("failed", "red"), ("sending", "blue"), "amber"))),
        rx.table.cell(m.attempts),
        rx.table.cell(rx.cond(m.status == "sent", m.sent, m.next_attempt),
                      rx.text(m.last_error, size="1", color_scheme="red")),
        rx.table.cell(rx.cond(m.status == "failed",
                              rx.button("Retry", size="1", variant="soft",
                                        on_click=NotifyAdminState.retry(m.id)))),
    )


def admin_page() -> rx.Component:
    """The scheduled jobs and the message outbox (system admin)."""
    return shell(
        page_title("Messages and jobs", "Every message goes through this outbox before it is sent."),
        error_callout(NotifyAdminState.error),
        rx.cond(NotifyAdminState.notice != "",
                rx.callout(NotifyAdminState.notice, icon="check", color_scheme="green", size="1")),
        rx.cond(~NotifyAdminState.smtp_configured,
                rx.callout("No mail server is configured (ENGAGEMENT_SMTP_HOST): e-mails wait in the "
                           "outbox and go out once one is set.", icon="info", color_scheme="amber",
                           size="1")),
        rx.card(
            rx.heading("Scheduled jobs", size="4"),
            rx.text("Scheduler held by: ", rx.cond(NotifyAdminState.lease_holder != "",
                                                   NotifyAdminState.lease_holder, "nobody (not running)"),
                    size="2", color_scheme="gray"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    "Job", "Schedule", "Last run", "Next run", "Messages", "Last error", "")])),
                rx.table.body(rx.foreach(NotifyAdminState.jobs, _job_row)),
                width="100%", size="1"), overflow_x="auto", width="100%"),
            width="100%", margin_y="1em",
        ),
        rx.card(
            rx.flex(
                rx.heading("Outbox", size="4"),
                rx.spacer(),
                rx.text(NotifyAdminState.pending, " e-mails waiting, ", NotifyAdminState.failed,
                        " failed", size="2"),
                rx.select(["all", "pending", "sending", "sent", "failed"], default_value="all",
                          on_change=NotifyAdminState.filter_status, size="1"),
                gap="3", align="center", wrap="wrap", width="100%",
            ),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    "Created", "To", "Channel", "Message", "Status", "Tries", "Sent / next try", "")])),
                rx.table.body(rx.foreach(NotifyAdminState.rows, _outbox_row)),
                width="100%", size="1"), overflow_x="auto", width="100%"),
            pager(NotifyAdminState.page, NotifyAdminState.pages, NotifyAdminState.total,
                  NotifyAdminState.prev_page, NotifyAdminState.next_page),
            width="100%",
        ),
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    app.add_page(notifications_page, route=routes.NOTIFICATIONS, title="Notifications",
                 on_load=[AuthState.guard, NotificationsState.load, NotificationsState.load_prefs])
    app.add_page(admin_page, route=routes.NOTIFY_ADMIN, title="Messages and jobs",
                 on_load=[AuthState.guard, NotifyAdminState.load])
