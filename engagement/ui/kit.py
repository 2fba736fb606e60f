"""The small kit every state is written with: forms, attempts, paging, dialogs, page registration.

A handler reads as: resolve, one call, message::

    @rx.event
    async def submit_rename(self, form: dict):
        with self._attempt(success=N_("The unit is renamed.")) as done:
            f = Form(form)
            await self._call(service.rename_unit, unit_id=self._target_id, name=f.text("name", 200))
            await self._reload()
        return done.toast

``AuthState`` (``ui/auth.py``) carries ``_attempt``, ``_call``, ``_read``, ``_read_each`` and
``_public``; the mixins here add paged lists and dialogs to any state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import reflex as rx

from engagement.core import i18n, inputs
from engagement.core.errors import DomainError, Invalid
from engagement.core.i18n import N_, Msg, render
from engagement.ui.components import Option


def _noun(what: str | Msg) -> Msg:
    """A field's name as a message (a plain id is looked up in the catalogue too)."""
    return what if isinstance(what, Msg) else N_(what)


def as_int(value: Any, what: str | Msg = N_("record")) -> int:
    """Parse an id sent by the browser, refusing anything but a positive whole number that an id
    column can hold (``core.inputs.parse_id``: the same message on SQLite and PostgreSQL)."""
    return inputs.parse_id(value, _noun(what))


def as_text(value: Any, limit: int = 2000) -> str:
    """A browser-sent value as bounded text."""
    return ("" if value is None else str(value))[:limit]


def as_date(value: Any, what: str | Msg = N_("date")) -> date:
    """A browser-sent ``yyyy-mm-dd`` (a date input's value) as a date."""
    try:
        day = date.fromisoformat(as_text(value, 10).strip())
    except ValueError:
        raise Invalid("Enter the {what} as a date.", what=_noun(what)) from None
    return inputs.bounded_day(day, _noun(what))


class Form:
    """A submitted form with typed accessors; every bad value raises ``Invalid`` with a message.

    Anything but a dict (a hostile client can send any value) is refused at once.
    """

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise Invalid("The form could not be read. Reload the page and fill it in again.")
        self.data = data

    def text(self, name: str, limit: int = 2000, what: str | Msg | None = None) -> str:
        """A text field ("" when absent).

        Longer than ``limit`` is refused, never cut: the message gives the limit and how much
        was typed, and the field's own message says it under the field. ``what`` names the
        field in the message (else the form's field is named by its message under it).
        """
        raw = "" if self.data.get(name) is None else str(self.data.get(name))
        if len(raw) > limit:
            typed = len(raw)
            if what is None:
                raise Invalid("This text is too long: at most {limit} characters, you typed {typed}. Shorten it "
                              "and send again.", {name: N_("At most {limit} characters", limit=limit)},
                              limit=limit, typed=typed)
            raise Invalid("The {what} is too long: at most {limit} characters, you typed {typed}. Shorten it "
                          "and send again.", {name: N_("At most {limit} characters", limit=limit)},
                          what=_noun(what), limit=limit, typed=typed)
        return raw

    def stripped(self, name: str, limit: int = 2000, what: str | Msg | None = None) -> str:
        """A text field without surrounding spaces."""
        return self.text(name, limit, what).strip()

    def id(self, name: str, what: str | Msg = N_("record")) -> int:
        """A chosen record's id (a positive whole number)."""
        return as_int(self.data.get(name), what)

    def optional_id(self, name: str, what: str | Msg = N_("record")) -> int | None:
        """A chosen record's id, or None when nothing (or "0") was chosen."""
        raw = self.stripped(name, 20)
        return None if raw in ("", "0") else as_int(raw, what)

    def _converted(self, name: str, limit: int, convert: Callable[[str], Any], *, empty: Any,
                   message: Msg) -> Any:
        """A field through ``convert``; ``empty`` when left empty, ``Invalid(message)`` when it fails."""
        raw = self.stripped(name, limit)
        if not raw:
            return empty
        try:
            return convert(raw)
        except ValueError:
            raise Invalid(message) from None

    def number(self, name: str, *, default: int = 0, what: str | Msg = N_("number")) -> int:
        """A whole number; ``default`` when left empty."""
        return self._converted(name, 12, int, empty=default,
                               message=N_("Enter the {what} as a whole number.", what=_noun(what)))

    def decimal(self, name: str, *, what: str | Msg = N_("amount")) -> float | None:
        """A decimal number (comma or point); None when left empty."""
        return self._converted(name, 20, lambda raw: float(raw.replace(",", ".")), empty=None,
                               message=N_("Enter the {what} as a number, e.g. 2.5.", what=_noun(what)))

    def day(self, name: str, what: str | Msg = N_("date")) -> date:
        """A date field (required)."""
        try:
            return as_date(self.data.get(name), what)
        except Invalid as exc:
            raise Invalid(exc.msg, {name: N_("Not a date")}) from None

    def optional_day(self, name: str, what: str | Msg = N_("date")) -> date | None:
        """A date field; None when left empty."""
        return self.day(name, what) if self.stripped(name, 10) else None

    def flag(self, name: str) -> bool:
        """A checkbox or switch: ticked when sent with any value but empty, "off" or "false"."""
        value = self.data.get(name)
        if isinstance(value, bool):
            return value
        return as_text(value, 10).strip().lower() not in ("", "off", "false", "0")

    def lines(self, name: str, *, limit: int = 4000, line_limit: int = 200) -> list[str]:
        """A multi-line box as its non-empty lines (a line longer than ``line_limit`` is refused)."""
        lines = [ln.strip() for ln in self.text(name, limit).splitlines() if ln.strip()]
        for number, line in enumerate(lines, start=1):
            if len(line) > line_limit:
                raise Invalid("Line {number} is too long: at most {limit} characters, it has {typed}.",
                              {name: N_("At most {limit} characters a line", limit=line_limit)},
                              number=number, limit=line_limit, typed=len(line))
        return lines

    def ticked(self, prefix: str) -> list[int]:
        """The ids of ticked boxes named ``<prefix><id>``."""
        out = []
        for key, value in self.data.items():
            if isinstance(key, str) and key.startswith(prefix) and value not in (None, "", False, "off"):
                tail = key[len(prefix):]
                if tail.isdigit() and int(tail) > 0:
                    out.append(int(tail))
        return sorted(out)


@dataclass
class Attempt:
    """What one ``_attempt`` block ended with: ``ok``, the refusal's ``message``, the toast."""

    success: str | Msg = ""
    toast_errors: bool = False
    #: The reader's language (the state's), for the success text.
    lang: str = ""
    ok: bool = True
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def toast(self) -> Any:
        """A success toast (when a success text was given), an error toast if asked, else None."""
        if self.ok:
            return rx.toast.success(render(self.success, self.lang or None)) if self.success else None
        return rx.toast.error(self.message) if self.toast_errors else None


class AttemptBlock:
    """The context manager behind ``AuthState._attempt``: a DomainError becomes the message."""

    def __init__(self, state: Any, result: Attempt, error_var: str | None) -> None:
        self.state, self.result, self.error_var = state, result, error_var

    @property
    def _fields_var(self) -> str | None:
        """``<error>_fields`` when the state keeps per-field messages next to ``<error>``."""
        if not self.error_var:
            return None
        name = f"{self.error_var}_fields"
        return name if name in getattr(type(self.state), "base_vars", {}) else None

    def _show(self, message: str, fields: dict[str, str]) -> None:
        if self.error_var:
            setattr(self.state, self.error_var, message)
        if self._fields_var:
            setattr(self.state, self._fields_var, fields)

    def __enter__(self) -> Attempt:
        # A new attempt starts clean: the last attempt's refusal never stays on screen.
        self._show("", {})
        return self.result

    def __exit__(self, kind: type | None, exc: BaseException | None, _tb: Any) -> bool:
        if exc is None:
            self._show("", {})
            return False
        if not isinstance(exc, DomainError):
            return False
        lang = self.result.lang or None
        self.result.ok, self.result.message = False, exc.render(lang)
        self.result.fields = exc.render_fields(lang) if isinstance(exc, Invalid) else {}
        self._show(self.result.message, self.result.fields)
        return True


class Paged(rx.State, mixin=True):
    """A paged list: ``page``/``pages``/``total`` and the previous/next handlers.

    The state defines ``_reload()`` (reads the current ``page``) and sets the three numbers
    from the page DTO with ``_paged(result)``.
    """

    page: int = 1
    pages: int = 1
    total: int = 0

    async def _reload(self) -> None:
        raise NotImplementedError

    def _paged(self, result: Any) -> Any:
        """Take ``page``, ``pages`` and ``total`` from a page DTO; returns its rows."""
        self.page, self.pages, self.total = result.page, result.pages, result.total
        return result.rows

    async def _turn(self) -> Any:
        """Read the page just turned to; a state overrides it to show a refusal its own way."""
        with self._attempt():
            await self._reload()

    # Paging runs in the background (issue 19): the tab's lock is let go while the page is read
    # (``AuthState._background``, ``ui.auth._trip``); the rows and the page number land together.
    @rx.event(background=True)
    async def next_page(self):
        """The next page."""
        async with self._background():
            if self.page < self.pages:
                self.page += 1
            return await self._turn()

    @rx.event(background=True)
    async def prev_page(self):
        """The previous page."""
        async with self._background():
            self.page = max(1, self.page - 1)
            return await self._turn()


class Dialog(rx.State, mixin=True):
    """One dialog open at a time, named by ``dialog`` ("" when closed)."""

    dialog: str = ""

    def _on_close(self) -> None:
        """What else to forget when the dialog closes (a state overrides it)."""

    @rx.event
    def close_dialog(self, _open: bool = False):
        """Close any dialog (also its ``on_open_change`` handler); ``_on_close`` forgets the rest."""
        self.dialog = ""
        self._on_close()


def unit_options(rows: Sequence[Any], *, with_code: bool = True) -> list[Option]:
    """Active units of a tree (``org.dto.UnitRow`` rows, in tree order) as indented options, each
    named with its parent (``org.labels.unit_label``): two "Văn phòng Sở" can be told apart."""
    from engagement.org.labels import tree_labels

    names = tree_labels(rows)
    return [Option(value=str(u.id),
                   label=("\u2003" * u.depth) + (f"{names[u.id]} ({u.code})" if with_code else names[u.id]))
            for u in rows if u.is_active]


def _loads(load: Any) -> list[Any]:
    return [] if load is None else list(load) if isinstance(load, list | tuple) else [load]


def _register(app: rx.App, component: Callable[[], rx.Component], first: Any, *, route: str,
              title: str | Msg, load: Any) -> None:
    # The browser tab's title is compiled once, in the organisation's language.
    app.add_page(component, route=route, title=render(title, i18n.default_language()),
                 on_load=[first, *_loads(load)])


#: The load handlers of each private page, by route (``AuthState.open_page`` runs them).
_PAGE_LOADS: dict[str, tuple[Any, ...]] = {}


def page_loads(route: str) -> tuple[Any, ...]:
    """The load handlers ``private_page`` registered for ``route`` (none for an unknown route)."""
    return _PAGE_LOADS.get(route, ())


def private_page(app: rx.App, component: Callable[[], rx.Component], *, route: str, title: str | Msg,
                 load: Any = None) -> None:
    """Register a page that needs a login: ONE on_load event, ``AuthState.open_page(route)``.

    It runs the guard and then the page's own load(s) in one background event: the guard's
    read is folded into the page's first read (one trip to the database threads, the actor
    resolved once), and the tab's lock is let go during database work. ``title`` is a message
    id (mark it with ``N_`` where it is not a literal here).
    """
    from engagement.ui.auth import AuthState  # auth imports this module

    _PAGE_LOADS[route] = tuple(_loads(load))
    app.add_page(component, route=route, title=render(title, i18n.default_language()),
                 on_load=[AuthState.open_page(route)])


def public_page(app: rx.App, component: Callable[[], rx.Component], *, route: str, title: str | Msg,
                load: Any = None) -> None:
    """Register a page anyone may open: the browser's language is found first.

    The page sits in ``layout.public_shell`` (a skip link and ``<main>``).
    """
    from engagement.ui.i18n import LangState
    from engagement.ui.layout import public_shell

    def framed() -> rx.Component:
        return public_shell(component())

    framed.__name__ = getattr(component, "__name__", "public_page")
    _register(app, framed, LangState.detect, route=route, title=title, load=load)


# --- messages next to what they concern, and limited text ---------------------------------------
#
# A state keeps a form's refusal in ``<error>`` and the per-field short messages in
# ``<error>_fields: dict[str, str]`` (``AttemptBlock`` fills both, and clears both when an
# attempt starts). The page shows the refusal next to the form's button (``action_error``)
# and each field's message under it (``field_error``), with stable ids
# (``<form>-error``, ``<form>-<field>-error``) for focus and ``aria-describedby``.


def error_id(form: str, name: str = "") -> str:
    """The id of a form's refusal (``name`` empty) or of one field's message."""
    return f"{form}-{name}-error" if name else f"{form}-error"


def action_error(message: rx.Var, *, form: str) -> rx.Component:
    """A form's refusal, shown where its button is (only when ``message`` is not empty)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", id=error_id(form),
                   width="100%"),
    )


def field_error(errors: rx.Var, name: str, *, form: str) -> rx.Component:
    """Field ``name``'s short message under it, when the last attempt named it."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name].to(str), size="2", color_scheme="red", role="alert", id=error_id(form, name)),
    )


def _counter_id(form: str, name: str) -> str:
    return f"{form}-{name}-count"


def _count_on_change(form: str, name: str, limit: int) -> rx.Var:
    """A browser-only change handler writing ``n/limit`` into the field's counter (no round trip)."""
    from reflex.vars import FunctionVar

    target = _counter_id(form, name)
    return rx.Var(
        f'((v) => {{ const c = document.getElementById("{target}"); '
        f'if (c) {{ const n = String(v ?? "").length; c.dataset.count = n + "/{limit}"; '
        f'c.dataset.over = n > {limit} ? "true" : "false"; }} }})'
    ).to(FunctionVar, rx.EventChain)


def _count_on_change_in_browser() -> rx.Var:
    """The change handler for a limit known only in the browser (a Var, e.g. inside ``rx.foreach``):
    the counter is found next to the box being typed in, the limit read from its ``data-limit``."""
    from reflex.vars import FunctionVar

    return rx.Var(
        '((v) => { const e = document.activeElement; '
        'const c = e && e.closest ? e.closest("label")?.querySelector(".char-counter") : null; '
        'if (c) { const n = String(v ?? "").length; const m = Number(c.dataset.limit); '
        'c.dataset.count = n + "/" + m; c.dataset.over = n > m ? "true" : "false"; } })'
    ).to(FunctionVar, rx.EventChain)


def limited_text(label: Any, name: str | rx.Var, limit: int | rx.Var, *, form: str | rx.Var,
                 errors: rx.Var | None = None,
                 multiline: bool = False, default_value: rx.Var | str = "", rows: str = "3",
                 required: bool = False, placeholder: Any = "", hint: Any = "") -> rx.Component:
    """A labelled text box with its ``n/limit`` counter and its message under it.

    The limit is the service's (which refuses longer text with a message naming it); the box
    does not cut what is typed, so nothing is lost silently. ``name``, ``limit`` and ``form`` may
    be Vars (fields listed by the state, e.g. each nominee's achievement report).
    """
    from engagement.ui.i18n import t

    # The count lives in ``data-count`` (shown by ``.char-counter::after`` in styles.css): the
    # change handler rewrites the attribute, never a text node React owns.
    dynamic = any(isinstance(v, rx.Var) for v in (limit, name, form))
    shown = limit.to_string() if isinstance(limit, rx.Var) else str(limit)
    initial = (default_value.to(str).length().to_string() + "/" + shown if isinstance(default_value, rx.Var)
               else f"{len(default_value)}/" + shown)
    counter = (rx.Var.create(form).to(str) + "-" + rx.Var.create(name).to(str) + "-count" if dynamic
               else _counter_id(form, name))
    props: dict[str, Any] = {"name": name, "default_value": default_value, "required": required,
                             "placeholder": placeholder, "width": "100%",
                             "on_change": (_count_on_change_in_browser() if dynamic
                                           else _count_on_change(form, name, limit)),
                             "custom_attrs": {"aria-describedby": counter}}
    control = rx.text_area(rows=rows, **props) if multiline else rx.input(**props)
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            control,
            rx.hstack(
                rx.text(hint, size="1", color_scheme="gray") if (isinstance(hint, rx.Var) or hint) else rx.fragment(),
                rx.spacer(),
                rx.text(size="1", color_scheme="gray", id=counter, class_name="char-counter",
                        title=t("characters used / limit"), custom_attrs={"data-count": initial, "data-limit": limit}),
                width="100%"),
            field_error(errors, name, form=form) if errors is not None else rx.fragment(),
            spacing="1", width="100%", align="stretch"),
        style={"width": "100%", "display": "block"},
    )
