"""The frame of every private page: top bar, navigation by role, content."""

from __future__ import annotations

import reflex as rx
from reflex.vars import FunctionVar
from reflex_components_core.el.elements.inline import A as PlainAnchor

from engagement.core import i18n, routes
from engagement.core.i18n import N_, Msg
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.i18n import LangState, language_options, t

#: (label, route, icon, visible): the label is a message id, rendered with ``t`` where shown.
Item = tuple[Msg, str, str, "rx.Var | bool"]


def _nav_groups() -> list[tuple[Msg | None, list[Item]]]:
    """The navigation in groups (a group's heading shows only when one of its items does)."""
    return [
        (None, [
            (N_("Home"), routes.HOME, "house", True),
            (N_("My profile"), routes.PROFILE, "user", True),
        ]),
        (N_("Movement"), [
            (N_("My commitments"), routes.COMMITMENTS, "signature", True),
            (N_("Recognition"), routes.RECOGNITION, "heart_handshake", True),
            (N_("Green office"), routes.GREEN, "sprout", True),
            (N_("Spot checks"), routes.SUPERVISION, "clipboard_list", True),
            (N_("Leaderboards"), routes.LEADERBOARDS, "trophy", True),
            (N_("Titles and commendations"), routes.COMMENDATIONS, "award", True),
            (N_("Good models"), routes.GOOD_MODELS, "lightbulb", True),
            (N_("Organisation"), routes.UNITS, "network", True),
        ]),
        (N_("Follow-up"), [
            (N_("Campaigns"), routes.CAMPAIGNS, "clipboard_check", AuthState.can_follow_commitments),
            (N_("Citizens' thanks"), routes.RECOGNITION_CITIZENS, "qr_code", AuthState.can_moderate_thanks),
            (N_("Verify activities"), routes.GREEN_VERIFY, "badge_check", AuthState.can_verify_green),
            (N_("Duty rosters"), routes.GREEN_ROSTERS, "calendar_days", AuthState.can_verify_green),
            (N_("Office checklist"), routes.GREEN_ASSESSMENT, "list_checks", AuthState.can_assess_office),
        ]),
        (N_("Commendations"), [
            (N_("Annual ratings"), routes.COMMENDATION_RATINGS, "star", AuthState.can_rate),
            (N_("Emulation registration"), routes.COMMENDATION_REGISTRATIONS, "clipboard_pen", AuthState.can_rate),
            (N_("Initiatives"), routes.COMMENDATION_INITIATIVES, "lightbulb", AuthState.can_rate),
            (N_("Discipline and holds"), routes.COMMENDATION_RECORDS, "shield_alert", AuthState.can_record_discipline),
            (N_("Eligibility"), routes.COMMENDATION_ELIGIBILITY, "list_checks", AuthState.can_view_eligibility),
            (N_("Nominations"), routes.COMMENDATION_NOMINATIONS, "folder_open", AuthState.can_nominate),
            (N_("Council sessions"), routes.COMMENDATION_COUNCIL, "vote", AuthState.can_vote
             | AuthState.can_process_nominations),
            (N_("Decisions"), routes.COMMENDATION_DECISIONS, "stamp", AuthState.can_issue_decisions),
            (N_("Commendation reports"), routes.COMMENDATION_REPORTS, "chart_bar", AuthState.can_view_eligibility),
            (N_("Titles catalogue"), routes.COMMENDATION_CATALOGUE, "book_open", AuthState.can_manage_titles),
            (N_("Register of titles"), routes.COMMENDATION_AWARDS, "medal", AuthState.can_manage_titles),
            (N_("My unit's good models"), routes.GOOD_MODELS_UNIT, "lightbulb", AuthState.can_propose_models),
            (N_("Good models: decisions"), routes.GOOD_MODELS_REVIEW, "stamp", AuthState.can_recognise_models),
            (N_("Review report of the movement"), routes.REVIEW, "file_chart_column", AuthState.can_view_review),
        ]),
        (N_("Settings"), [
            (N_("Recognition values"), routes.RECOGNITION_VALUES, "tags", AuthState.can_manage_values),
            (N_("Recognition fairness"), routes.RECOGNITION_FAIRNESS, "scale", AuthState.can_view_fairness),
            (N_("Scoring settings"), routes.SCORING_ADMIN, "sliders_horizontal", AuthState.can_manage_scoring),
        ]),
        (N_("Administration"), [
            (N_("People"), routes.PEOPLE, "users", AuthState.can_view_people),
            (N_("Import staff"), routes.IMPORT, "file_up", AuthState.can_import),
            (N_("Audit log"), routes.AUDIT, "scroll_text", AuthState.can_view_audit),
            (N_("Messages and jobs"), routes.NOTIFY_ADMIN, "mail", AuthState.can_manage_notifications),
        ]),
    ]


def _any_visible(items: list[Item]) -> rx.Var | bool:
    if any(v is True for *_rest, v in items):
        return True
    visible = items[0][3]
    for *_rest, v in items[1:]:
        visible = visible | v
    return visible


def _nav_link(label: Msg, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(t(label), size="3"), align="center", spacing="2"),
        href=href,
        underline="none",
        padding="0.5em 0.75em",
        border_radius="8px",
        width="100%",
        _hover={"background": rx.color("accent", 3)},
    )


def _gated(visible: rx.Var | bool, component: rx.Component) -> rx.Component:
    return component if visible is True else rx.cond(visible, component)


def sidebar() -> rx.Component:
    """Navigation for wide screens; only what the role may use."""
    return rx.vstack(
        *[part for heading, items in _nav_groups() for part in (
            ([_gated(_any_visible(items), rx.text(t(heading), size="1", weight="bold", color_scheme="gray",
                                                  padding="0.75em 0.75em 0.1em", text_transform="uppercase",
                                                  letter_spacing="0.04em"))] if heading else [])
            + [_gated(v, _nav_link(label, href, icon)) for label, href, icon, v in items])],
        spacing="1",
        width="15em",
        min_width="15em",
        padding="1em 0.5em",
        border_right=f"1px solid {rx.color('gray', 5)}",
        min_height="calc(100vh - 60px)",
    )


def mobile_menu() -> rx.Component:
    """The same navigation as a menu on narrow screens."""
    return rx.box(
        rx.menu.root(
            rx.menu.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label=t("Menu"))),
            rx.menu.content(
                *[part for heading, items in _nav_groups() for part in (
                    ([_gated(_any_visible(items), rx.menu.separator())] if heading else [])
                    + [_gated(v, rx.menu.item(rx.link(t(label), href=href, underline="none")))
                       for label, href, _icon, v in items])],
            ),
        ),
        display=["block", "block", "none"],
    )


def language_switch(on_change) -> rx.Component:
    """The interface language as a compact native select (the header's, and the login page's).

    Shows the tab's language (the organisation's default while none is chosen); ``on_change``
    is ``AuthState.choose_language`` for a logged-in person, ``LangState.choose_public`` before login.
    """
    return rx.el.select(
        *[rx.el.option(name, value=code) for code, name in language_options()],
        value=rx.cond(LangState.lang == "", i18n.default_language(), LangState.lang),
        on_change=on_change,
        class_name="native-select",
        aria_label=t("Language"),
        title=t("Language"),
        id="language-switch",
        style={"width": "auto", "maxWidth": "8.5em"},
    )


def bell() -> rx.Component:
    """The notifications bell with the unread count.

    Its name includes the number it shows (WCAG 2.5.3): "Notifications, 3 unread".
    """
    return rx.link(
        rx.box(
            rx.icon("bell", size=20),
            rx.cond(
                AuthState.unread_notifications > 0,
                rx.badge(AuthState.unread_notifications, color_scheme="red", variant="solid",
                         radius="full", size="1", position="absolute", top="-8px", right="-10px",
                         id="unread-count"),
            ),
            position="relative",
            padding="0.25em",
        ),
        href=routes.NOTIFICATIONS,
        color_scheme="gray",
        high_contrast=True,
        aria_label=rx.cond(AuthState.unread_notifications > 0,
                           t("Notifications, {count} unread", count=AuthState.unread_notifications),
                           t("Notifications")),
        id="bell",
        margin_right="0.75em",
    )


def topbar() -> rx.Component:
    """Organisation name, and the user menu with logout."""
    return rx.hstack(
        rx.hstack(
            mobile_menu(),
            rx.icon("leaf", color=rx.color("accent", 9)),
            rx.link(rx.heading(get_settings().org_name, size="4"), href=routes.HOME,
                    underline="none", color_scheme="gray", high_contrast=True),
            rx.text("· ", t("Emulation movement"), size="2", color_scheme="gray",
                    display=["none", "none", "block"]),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        language_switch(AuthState.choose_language),
        bell(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.avatar(fallback=AuthState.me_initials, size="1", radius="full"),
                    # Named even on a phone (no name shown) and before the name has loaded.
                    rx.el.span(t("Account menu"), class_name="sr-only"),
                    rx.text(AuthState.me_name, display=["none", "block"]),
                    variant="ghost",
                    id="user-menu",
                ),
            ),
            rx.menu.content(
                rx.menu.item(rx.link(t("My profile"), href=routes.PROFILE, underline="none")),
                rx.menu.item(rx.link(t("Change password"), href=routes.CHANGE_PASSWORD, underline="none")),
                rx.menu.separator(),
                rx.menu.item(t("Log out"), on_click=AuthState.logout, color_scheme="red", id="logout"),
            ),
        ),
        align="center",
        height="60px",
        padding_x="1em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


MAIN_ID = "main"


def skip_link() -> rx.Component:
    """The first stop of the keyboard: straight to the page's content (WCAG 2.4.1).

    Hidden until it has focus (assets/styles.css). Reflex renders the anchor as a router link,
    which does not move focus to the ``#main`` it points at, so a click (or Enter) focuses
    ``<main tabindex=-1>`` itself: a function compiled into the page, not a script the
    server sends (the CSP refuses neither).
    """
    focus_main = rx.Var(f"() => document.getElementById('{MAIN_ID}')?.focus()").to(FunctionVar)
    # A plain <a>, not the router link ``rx.el.a`` becomes: the router resolves "#main" against the
    # matched route, which on a dynamic page (/commendations/council/3) briefly gave
    # "/commendations/council/#main", another page, so axe no longer saw a skip link.
    return PlainAnchor.create(t("Skip to main content"), href=f"#{MAIN_ID}", class_name="skip-link",
                              id="skip-link", on_click=rx.call_function(focus_main))


def main_landmark(*children: rx.Component, **props) -> rx.Component:
    """The page's ``<main>``: the skip link's target, focusable by script only."""
    return rx.el.main(*children, id=MAIN_ID, tab_index=-1, class_name="main-landmark", **props)


def shell(*children: rx.Component) -> rx.Component:
    """A private page: skip link, top bar (banner), navigation, and the content in ``<main>``."""
    return rx.box(
        skip_link(),
        rx.el.header(
            topbar(),
            style={"position": "sticky", "top": "0", "zIndex": "10", "width": "100%",
                   "background": rx.color("gray", 1)},
        ),
        rx.hstack(
            rx.el.nav(sidebar(), aria_label=t("Main navigation"), class_name="sidebar-nav",
                      display=["none", "none", "block"]),
            main_landmark(
                *children,
                padding=["1em", "1.5em", "2em"],
                width="100%",
                max_width="1200px",
                min_width="0",
            ),
            align="start",
            spacing="0",
            width="100%",
        ),
        width="100%",
    )


def public_shell(*children: rx.Component) -> rx.Component:
    """A page anyone may open: the skip link and the content in ``<main>``."""
    return rx.fragment(skip_link(), main_landmark(*children))
