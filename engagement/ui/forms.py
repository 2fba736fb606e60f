"""Small page pieces the feature pages share: labelled controls, native selects, grids, facts,
tables that scroll on a phone, and the one-dialog-at-a-time dialog.

Labels and texts given as message ids (``N_``) or plain strings are rendered with ``t``; a Var
(already ``t(...)``) is shown as it is.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engagement.core.i18n import Msg
from engagement.ui.components import action_header
from engagement.ui.i18n import t


def _text(value: Any) -> Any:
    return value if isinstance(value, rx.Var | rx.Component) else t(value)


def labelled(label: Any, control: rx.Component, hint: Any = "") -> rx.Component:
    """A label above its control (the control inside the <label>: no ids needed)."""
    return rx.el.label(
        rx.vstack(rx.text(_text(label), size="2", weight="medium"), control,
                  *([rx.text(hint, size="1", color_scheme="gray")] if isinstance(hint, rx.Var) or hint else []),
                  spacing="1", align="stretch", width="100%"),
        style={"display": "block", "width": "100%"})


def choice(label: Any, name: str, choices: dict[str, Msg], *, default: Any = "", first: Any = None,
           **props) -> rx.Component:
    """A labelled native select of fixed choices (labels are message ids); ``first``: a "" choice."""
    return labelled(label, rx.el.select(
        *([rx.el.option(first, value="")] if first is not None else []),
        *[rx.el.option(t(text), value=code) for code, text in choices.items()],
        name=name, default_value=default, class_name="native-select", **props))


def options(label: Any, name: str, rows: rx.Var, *, default: Any = "", required: bool = True,
            first: Any = None, **props) -> rx.Component:
    """A labelled native select of options read from the state (``Option`` rows), "Choose…" first."""
    return labelled(label, rx.el.select(
        rx.el.option(t("Choose…") if first is None else first, value=""),
        rx.foreach(rows, lambda o: rx.el.option(o.label, value=o.value)),
        name=name, default_value=default, required=required, class_name="native-select", **props))


def selector(label: Any, rows: rx.Var, value: rx.Var, on_change: Any, name: str, *, first: Any = None,
             **props) -> rx.Component:
    """A filter select that acts at once (``first``: an "all" choice with the value "")."""
    return labelled(label, rx.el.select(
        *([rx.el.option(first, value="")] if first is not None else []),
        rx.foreach(rows, lambda o: rx.el.option(o.label, value=o.value)),
        value=value.to_string(), on_change=on_change, name=name, class_name="native-select", **props))


def grid(*children: rx.Component, wide: str = "2") -> rx.Component:
    """One column on a phone, ``wide`` from a small screen up."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm=wide), spacing="3", width="100%")


def fact(label: Any, value: Any) -> rx.Component:
    """A small grey label above its value."""
    return rx.box(rx.text(_text(label), size="1", color_scheme="gray"), rx.text(value, size="2"), min_width="0")


def lines(items: rx.Var) -> rx.Component:
    """A list of texts as bullet points."""
    return rx.el.ul(rx.foreach(items, lambda line: rx.el.li(rx.text(line, size="2"))),
                    style={"margin": "0", "paddingLeft": "1.2em"})


def scroll(table: rx.Component) -> rx.Component:
    """A wide table scrolling sideways inside its card on a phone."""
    return rx.box(table, overflow_x="auto", width="100%")


def heading(text: Msg | str) -> rx.Component:
    """A card's heading."""
    return rx.heading(t(text), size="4")


def empty(text: Msg | str) -> rx.Component:
    """What an empty list says."""
    return rx.text(t(text), size="2", color_scheme="gray")


def headers(*names: Msg, extra: int = 0) -> rx.Component:
    """A table's header row; ``extra`` action columns (named for screen readers) at the end."""
    return rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(n)) for n in names],
                                        *[action_header() for _ in range(extra)]))


def dialog(open_: Any, on_close: Any, title: Any, *body: rx.Component, subtitle: Any = None) -> rx.Component:
    """A dialog with its title, an optional subtitle, the body and a Cancel button."""
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(title),
        *([rx.text(subtitle, size="2", color_scheme="gray")] if subtitle is not None else []),
        *body,
        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", margin_top="1em", type="button")),
        max_width="640px", width="100%"), open=open_, on_open_change=on_close)
