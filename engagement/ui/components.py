"""Small shared Reflex pieces: cards, fields, messages, pagers.

Every text they take (a title, a label, a hint, a placeholder) may be a plain string or a var,
and callers pass ``t("…")`` for anything a person reads; the fixed texts here go through ``t``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engagement.ui.i18n import t


def _given(text: Any) -> bool:
    """Whether a text argument was given: any var (it may be empty only at run time), or a non-empty str."""
    return isinstance(text, rx.Var) or bool(text)


def page_title(title: str | rx.Var, subtitle: str | rx.Var = "") -> rx.Component:
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


def _labelled(text: str | rx.Var, control: rx.Component, hint: str | rx.Var = "") -> rx.Component:
    # The control sits inside its <label>: the association needs no id, so two forms on one
    # page (a dialog and a side form) can share field names without clashing.
    return rx.el.label(
        rx.vstack(
            rx.text(text, size="2", weight="medium"),
            control,
            rx.text(hint, size="1", color_scheme="gray") if _given(hint) else rx.fragment(),
            spacing="1",
            width="100%",
            align="stretch",
        ),
        style={"width": "100%", "display": "block"},
    )


def field(label: str | rx.Var, name: str, *, type: str = "text", required: bool = False,
          default_value: rx.Var | str = "", placeholder: str | rx.Var = "", hint: str | rx.Var = "",
          **props) -> rx.Component:
    """A labelled input inside a form."""
    return _labelled(
        label,
        rx.input(name=name, type=type, required=required, default_value=default_value,
                 placeholder=placeholder, width="100%", **props),
        hint,
    )


def select_field(label: str | rx.Var, name: str, options: rx.Var, *, default_value: rx.Var | str = "",
                 placeholder: str | rx.Var | None = None, required: bool = False) -> rx.Component:
    """A labelled native select; ``options`` is a list of ``Option`` (value, label).

    ``placeholder`` is the empty first choice ("Choose…" when not given).
    """
    return _labelled(
        label,
        rx.el.select(
            rx.el.option(t("Choose…") if placeholder is None else placeholder, value=""),
            rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
            name=name, default_value=default_value, required=required,
            class_name="native-select",
        ),
    )


def pager(page: rx.Var, pages: rx.Var, total: rx.Var, on_prev, on_next) -> rx.Component:
    """Previous / next with 'page X of Y (N results)'."""
    return rx.hstack(
        rx.button(rx.icon("chevron_left"), t("Previous"), variant="soft", on_click=on_prev,
                  disabled=page <= 1),
        rx.text(t("Page {page} of {pages} · {total} results", page=page, pages=pages, total=total), size="2"),
        rx.button(t("Next"), rx.icon("chevron_right"), variant="soft", on_click=on_next,
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


def named_upload(upload: rx.Component, label: str | rx.Var) -> rx.Component:
    """``upload`` (an ``rx.upload``) with an accessible name on its file input (WCAG 4.1.2).

    Reflex builds the dropzone's ``<input type=file>`` itself and passes it no props, so a
    screen reader announced an unnamed control; the name is set on that input here.
    """

    def inputs(component: rx.Component):
        for child in component.children:
            if getattr(child, "tag", None) == "input":
                yield child
            yield from inputs(child)

    for control in inputs(upload):
        control.custom_attrs["aria-label"] = label
    return upload


def action_header(**props) -> rx.Component:
    """The header of a column of buttons: named for screen readers, blank on screen.

    An empty ``<th>`` leaves a screen reader's column announcement empty (axe
    ``empty-table-header``).
    """
    return rx.table.column_header_cell(rx.el.span(t("Action"), class_name="sr-only"), **props)
