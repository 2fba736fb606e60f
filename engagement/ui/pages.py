"""Pages that belong to no single feature: login, home dashboard, password change."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.org import queries as org_queries
from engagement.recognition import pages as recognition_pages
from engagement.recognition.state import RecognitionHomeState
from engagement.scoring import pages as scoring_pages
from engagement.scoring.state import StandingState
from engagement.settings import get_settings
from engagement.ui.auth import AuthState, LoginState, PasswordState
from engagement.ui.components import error_callout, field, page_title
from engagement.ui.i18n import LangState, t
from engagement.ui.kit import private_page, public_page
from engagement.ui.layout import language_switch, shell


class HomeState(AuthState):
    """The dashboard's facts about the logged-in person."""

    unit_name: str = ""
    unit_trail: str = ""
    position: str = ""
    roles: list[str] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Read the person's unit and roles."""
        with self._attempt():
            me = await self._read(org_queries.profile)
            self.unit_name, self.unit_trail = me.unit_name, me.unit_trail
            self.position, self.roles = me.position, me.roles


def login_page() -> rx.Component:
    """Username and password."""
    return rx.center(
        rx.card(
            # The language switch sits outside the form: its value is not a login field.
            rx.flex(language_switch(LangState.choose_public), justify="end", width="100%",
                    margin_bottom="0.5em"),
            rx.form(
                rx.vstack(
                    rx.hstack(rx.icon("leaf", size=28, color=rx.color("accent", 9)),
                              rx.heading(get_settings().org_name, size="6"), align="center"),
                    rx.text(t("Workplace culture & emulation movement"), color_scheme="gray"),
                    error_callout(LoginState.error),
                    field(t("Username"), "username", required=True, auto_complete="username",
                          auto_focus=True),
                    field(t("Password"), "password", type="password", required=True,
                          auto_complete="current-password"),
                    rx.button(t("Log in"), type="submit", width="100%", size="3", loading=LoginState.busy,
                              id="login-submit"),
                    rx.text(t("Forgot your password? Your system administrator can reset it."),
                            size="1", color_scheme="gray"),
                    spacing="4",
                    align="stretch",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="100%",
            max_width="420px",
            padding="2em",
        ),
        min_height="100vh",
        padding="1em",
    )


def home_page() -> rx.Component:
    """The dashboard: who and where I am; cards that later features fill."""
    return shell(
        page_title(t("Welcome, {name}", name=AuthState.me_name)),
        error_callout(HomeState.error),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.hstack(rx.icon("building_2", size=20), rx.heading(t("My unit"), size="4")),
                    rx.text(HomeState.unit_name, size="5", weight="bold", id="my-unit"),
                    rx.text(HomeState.unit_trail, size="2", color_scheme="gray"),
                    rx.text(HomeState.position, size="2"),
                    spacing="2",
                    align="start",
                ),
            ),
            rx.card(
                rx.vstack(
                    rx.hstack(rx.icon("id_card", size=20), rx.heading(t("My roles"), size="4")),
                    rx.flex(rx.foreach(HomeState.roles, lambda r: rx.badge(r, size="2")),
                            wrap="wrap", gap="2", id="my-roles"),
                    spacing="2",
                    align="start",
                ),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.heading(t("Movement"), size="5", margin_top="1.5em", margin_bottom="0.75em"),
        rx.grid(
            rx.card(rx.vstack(
                rx.hstack(rx.icon("signature", size=20), rx.heading(t("Conduct commitment"), size="4")),
                rx.text(t("Read and sign this year's commitment; see past years and your pledges."), size="2",
                        color_scheme="gray"),
                rx.link(rx.button(t("My commitments"), variant="soft"), href=routes.COMMITMENTS),
                spacing="2", align="start"), width="100%"),
            recognition_pages.home_card(),
            rx.card(
                rx.vstack(
                    rx.hstack(rx.icon("sprout", size=20), rx.heading(t("Green office"), size="4"), align="center"),
                    rx.text(t("Log cleaning, waste sorting, plant care and volunteering; follow your unit's "
                              "progress."), size="2", color_scheme="gray"),
                    rx.link(rx.button(t("Log an activity"), variant="soft", size="2"), href=routes.GREEN),
                    spacing="2",
                    align="start",
                ),
                width="100%",
            ),
            scoring_pages.ranking_card(),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
    )


def change_password_page() -> rx.Component:
    """Change one's password (forced after an admin reset)."""
    return shell(
        page_title(t("Change password"),
                   t("At least 10 characters; a short sentence is easy to remember and hard to guess.")),
        rx.card(
            rx.form(
                rx.vstack(
                    error_callout(PasswordState.error),
                    field(t("Current (or temporary) password"), "current", type="password",
                          required=True, auto_complete="current-password"),
                    field(t("New password"), "new", type="password", required=True,
                          auto_complete="new-password"),
                    field(t("Repeat the new password"), "confirm", type="password", required=True,
                          auto_complete="new-password"),
                    rx.button(t("Change password"), type="submit", id="change-password-submit"),
                    spacing="3",
                    align="stretch",
                ),
                on_submit=PasswordState.submit,
                reset_on_submit=True,
            ),
            max_width="480px",
        ),
    )


def add_pages(app: rx.App) -> None:
    """Register this module's pages."""
    public_page(app, login_page, route=routes.LOGIN, title=N_("Log in"), load=LoginState.redirect_if_logged_in)
    private_page(app, home_page, route=routes.HOME, title=N_("Home"),
                 load=[HomeState.load, StandingState.load, RecognitionHomeState.load])
    private_page(app, change_password_page, route=routes.CHANGE_PASSWORD, title=N_("Change password"),
                 load=PasswordState.reset_form)
