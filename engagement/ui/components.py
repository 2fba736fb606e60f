"""Small shared Reflex pieces: cards, fields, messages, pagers."""

from __future__ import annotations

import reflex as rx


def page_title(title: str, subtitle: str | rx.Var = "") -> rx.Component:
    """The heading of a page."""
    return rx.vstack(
        rx.heading(title, size="7"),
        rx.cond(subtitle != "", rx.text(subtitle, color_scheme="gray")) if isinstance(subtitle, rx.Var)
        else (rx.text(subtitle, color_scheme="gray") if subtitle else rx.fragment()),
        spacing="1",
        margin_bottom="1em",
        align="start",
    )


def card(*children: rx.Component, **props) -> rx.Component:
    """A padded card."""
    return rx.card(rx.vstack(*children, spacing="3", align="stretch"), width="100%", **props)


def error_callout(message: rx.Var) -> rx.Component:
    """A red message, shown only when ``message`` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def _labelled(text: str, control: rx.Component, hint: str = "") -> rx.Component:
    # The control sits inside its <label>: the association needs no id, so two forms on one
    # page (a dialog and a side form) can share field names without clashing.
    return rx.el.label(
        rx.vstack(
            rx.text(text, size="2", weight="medium"),
            control,
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
            spacing="1",
            width="100%",
            align="stretch",
        ),
        style={"width": "100%", "display": "block"},
    )


def field(label: str, name: str, *, type: str = "text", required: bool = False,
          default_value: rx.Var | str = "", placeholder: str = "", hint: str = "",
          **props) -> rx.Component:
    """A labelled input inside a form."""
    return _labelled(
        label,
        rx.input(name=name, type=type, required=required, default_value=default_value,
                 placeholder=placeholder, width="100%", **props),
        hint,
    )


def select_field(label: str, name: str, options: rx.Var, *, default_value: rx.Var | str = "",
                 placeholder: str = "Choose…", required: bool = False) -> rx.Component:
    """A labelled native select; ``options`` is a list of ``Option`` (value, label)."""
    return _labelled(
        label,
        rx.el.select(
            rx.el.option(placeholder, value=""),
            rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
            name=name, default_value=default_value, required=required,
            class_name="native-select",
        ),
    )


def pager(page: rx.Var, pages: rx.Var, total: rx.Var, on_prev, on_next) -> rx.Component:
    """Previous / next with 'page X of Y (N results)'."""
    return rx.hstack(
        rx.button(rx.icon("chevron_left"), "Previous", variant="soft", on_click=on_prev,
                  disabled=page <= 1),
        rx.text(f"Page {page} of {pages} · {total} results", size="2"),
        rx.button("Next", rx.icon("chevron_right"), variant="soft", on_click=on_next,
                  disabled=page >= pages),
        align="center",
        spacing="3",
        wrap="wrap",
    )


from dataclasses import dataclass  # noqa: E402


@dataclass(frozen=True)
class Option:
    """One choice in a select."""

    value: str
    label: str
