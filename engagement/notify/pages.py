"""The notifications page."""

from __future__ import annotations

import reflex as rx

from engagement.notify.dto import NotificationRow
from engagement.notify.state import NotificationsState
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
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    app.add_page(notifications_page, route=routes.NOTIFICATIONS, title="Notifications",
                 on_load=[AuthState.guard, NotificationsState.load])
