"""The messages-and-jobs page (system admin): each scheduled job, and the outbox."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.jobs.dto import BackupRow, JobRow
from engagement.jobs.state import NotifyAdminState
from engagement.notify.dto import OutboxRow
from engagement.ui.components import action_header, error_callout, page_title, pager
from engagement.ui.i18n import t, t_match
from engagement.ui.kit import private_page
from engagement.ui.layout import shell

#: Outbox statuses as the page names them.
STATUSES = {"pending": N_("Queued"), "sending": N_("Sending"), "sent": N_("Sent"), "failed": N_("Failed"),
            "held": N_("Held after a restore"), "discarded": N_("Discarded")}
#: The status filter: every status, or one.
FILTERS = {"all": N_("All"), **STATUSES}
#: Channels as the page names them.
CHANNELS = {"in_app": N_("In the app"), "email": N_("E-mail")}


def _job_row(j: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(j.label, weight="medium"), rx.text(j.job_id, size="1", color_scheme="gray")),
        rx.table.cell(j.schedule),
        rx.table.cell(j.last_run),
        rx.table.cell(j.next_run),
        rx.table.cell(j.messages),
        rx.table.cell(rx.text(j.last_error, color_scheme="red", size="1")),
        rx.table.cell(rx.button(t("Run now"), size="1", variant="soft",
                                on_click=NotifyAdminState.run_now(j.job_id))),
    )


def _outbox_row(m: OutboxRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.created),
        rx.table.cell(m.recipient),
        rx.table.cell(t_match(m.channel, CHANNELS)),
        rx.table.cell(rx.text(m.title), rx.text(m.kind, " · ", m.subject, size="1", color_scheme="gray")),
        rx.table.cell(rx.badge(t_match(m.status, STATUSES), color_scheme=rx.match(
            m.status, ("sent", "green"), ("failed", "red"), ("sending", "blue"), "amber"))),
        rx.table.cell(m.attempts),
        rx.table.cell(rx.cond(m.status == "sent", m.sent, m.next_attempt),
                      rx.text(m.last_error, size="1", color_scheme="red")),
        rx.table.cell(rx.cond(
            m.status == "failed",
            rx.button(t("Retry"), size="1", variant="soft", on_click=NotifyAdminState.retry(m.id)),
            rx.cond(m.status == "held", rx.flex(
                rx.button(t("Send"), size="1", variant="soft",
                          on_click=NotifyAdminState.settle_held("release", m.id)),
                rx.button(t("Discard"), size="1", variant="soft", color_scheme="red",
                          on_click=NotifyAdminState.settle_held("discard", m.id)),
                gap="1")))),
    )


def _backup_row(b: BackupRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(b.taken),
        rx.table.cell(rx.cond(b.name != "", b.name, "-")),
        rx.table.cell(b.size),
        rx.table.cell(rx.cond(b.ok, b.rows, "")),
        rx.table.cell(rx.cond(b.ok, rx.badge(t("OK"), color_scheme="green"),
                              rx.badge(t("Failed"), color_scheme="red")),
                      rx.text(b.problem, size="1", color_scheme="red")),
    )


def _held_callout() -> rx.Component:
    return rx.cond(NotifyAdminState.held > 0, rx.callout(
        rx.flex(
            rx.text(t("{n} e-mails are held after a restore: they were waiting when the backup was taken and "
                      "may have gone out since. Send them, or discard them if their recipients already have them.",
                      n=NotifyAdminState.held)),
            rx.flex(
                rx.button(t("Send all held"), size="1", on_click=NotifyAdminState.settle_held("release", 0)),
                rx.button(t("Discard all held"), size="1", variant="soft", color_scheme="red",
                          on_click=NotifyAdminState.settle_held("discard", 0)),
                gap="2"),
            direction="column", gap="2"),
        icon="triangle_alert", color_scheme="amber", size="1", margin_y="1em"))


def _backups_card() -> rx.Component:
    return rx.card(
        rx.heading(t("Backups"), size="4"),
        rx.text(t("Daily backups go to {folder}; the newest {keep} are kept.", folder=NotifyAdminState.backup_dir,
                  keep=NotifyAdminState.backup_keep), size="2", color_scheme="gray"),
        rx.cond(NotifyAdminState.backups.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in (
                        N_("Taken"), N_("File"), N_("Size"), N_("Rows"), N_("Status"))])),
                    rx.table.body(rx.foreach(NotifyAdminState.backups, _backup_row)),
                    width="100%", size="1"), overflow_x="auto", width="100%"),
                rx.text(t("No backup yet: the first one is written tonight, or run the job now."), size="2")),
        width="100%", margin_y="1em",
    )


def admin_page() -> rx.Component:
    """The scheduled jobs and the message outbox (system admin)."""
    return shell(
        page_title(t("Messages and jobs"), t("Every message goes through this outbox before it is sent.")),
        error_callout(NotifyAdminState.error),
        rx.cond(NotifyAdminState.notice != "",
                rx.callout(NotifyAdminState.notice, icon="check", color_scheme="green", size="1")),
        rx.cond(~NotifyAdminState.smtp_configured,
                rx.callout(t("No mail server is configured (ENGAGEMENT_SMTP_HOST): e-mails wait in the "
                             "outbox and go out once one is set."), icon="info", color_scheme="amber",
                           size="1")),
        rx.card(
            rx.heading(t("Scheduled jobs"), size="4"),
            rx.text(rx.cond(NotifyAdminState.lease_holder != "",
                            t("Scheduler held by: {holder}", holder=NotifyAdminState.lease_holder),
                            t("Scheduler held by: nobody (not running)")),
                    size="2", color_scheme="gray"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) if h else action_header() for h in (
                    N_("Job"), N_("Schedule"), N_("Last run"), N_("Next run"), N_("Messages"),
                    N_("Last error"), "")])),
                rx.table.body(rx.foreach(NotifyAdminState.jobs, _job_row)),
                width="100%", size="1"), overflow_x="auto", width="100%"),
            width="100%", margin_y="1em",
        ),
        _backups_card(),
        _held_callout(),
        rx.card(
            rx.flex(
                rx.heading(t("Outbox"), size="4"),
                rx.spacer(),
                rx.text(t("{pending} e-mails waiting, {failed} failed", pending=NotifyAdminState.pending,
                          failed=NotifyAdminState.failed), size="2"),
                rx.select.root(
                    rx.select.trigger(aria_label=t("Status")),
                    rx.select.content(*[rx.select.item(t(label), value=code) for code, label in FILTERS.items()]),
                    default_value="all", on_change=NotifyAdminState.filter_status, size="1"),
                gap="3", align="center", wrap="wrap", width="100%",
            ),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) if h else action_header() for h in (
                    N_("Created"), N_("To"), N_("Channel"), N_("Message"), N_("Status"), N_("Tries"),
                    N_("Sent / next try"), "")])),
                rx.table.body(rx.foreach(NotifyAdminState.rows, _outbox_row)),
                width="100%", size="1"), overflow_x="auto", width="100%"),
            pager(NotifyAdminState.page, NotifyAdminState.pages, NotifyAdminState.total,
                  NotifyAdminState.prev_page, NotifyAdminState.next_page),
            width="100%",
        ),
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    private_page(app, admin_page, route=routes.NOTIFY_ADMIN, title=N_("Messages and jobs"),
                 load=NotifyAdminState.load)
