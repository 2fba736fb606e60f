"""The notifications page."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.notify.dto import NotificationRow, PreferenceRow
from engagement.notify.rules import CATEGORIES, MODE_LABELS
from engagement.notify.state import NotificationsState
from engagement.ui.auth import AuthState
from engagement.ui.components import error_callout, page_title, pager
from engagement.ui.i18n import t, t_match
from engagement.ui.kit import private_page
from engagement.ui.layout import shell


def _row(n: NotificationRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.cond(n.unread, rx.badge(t("New"), color_scheme="green"), rx.fragment()),
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
        page_title(t("Notifications")),
        error_callout(NotificationsState.error),
        rx.hstack(
            rx.text(t("{n} unread", n=AuthState.unread_notifications), size="2"),
            rx.spacer(),
            rx.button(t("Mark all as read"), variant="soft", on_click=NotificationsState.read_all,
                      disabled=AuthState.unread_notifications == 0),
            width="100%", align="center",
        ),
        rx.card(
            rx.cond(NotificationsState.rows.length() == 0,
                    rx.text(t("Nothing yet. When a colleague recognises you, you will see it here."),
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
        rx.text(t_match(p.category, CATEGORIES), size="2", flex="1", min_width="12em"),
        rx.radio_group.root(
            rx.flex(
                *[rx.radio_group.item(t(label), value=mode.value) for mode, label in MODE_LABELS.items()],
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
        rx.heading(t("How messages reach me"), size="4"),
        rx.text(t("Reminders you must act on still appear here even when a kind is off. E-mail goes to "
                  "the address on your staff record."), size="2", color_scheme="gray"),
        rx.cond(
            (NotificationsState.prefs.length() > 0) & ~NotificationsState.prefs[0].has_email,
            rx.callout(t("You have no e-mail address on record: ask your unit's HR officer to add "
                         "one, or messages stay in the app."), icon="info", color_scheme="amber", size="1"),
        ),
        rx.foreach(NotificationsState.prefs, _pref_row),
        rx.text(NotificationsState.pref_saved, size="1", color_scheme="green"),
        id="preferences", width="100%", margin_top="1.5em",
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    private_page(app, notifications_page, route=routes.NOTIFICATIONS, title=N_("Notifications"),
                 load=NotificationsState.load)
