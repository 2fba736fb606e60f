"""What the catalogue tests look at: the text pages show, the messages the code marks.

``untranslated(route)`` builds a page's component tree (as the compiler does) and lists
every literal text a person would read that did not go through ``ui.i18n.t``: a text
child, or a placeholder / label / title / alt / aria-label prop, with letters in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reflex.components.base.bare import Bare
from reflex.components.core.foreach import Foreach
from reflex.vars.sequence import LiteralStringVar

#: Props a person reads (or hears, with a screen reader).
READ_PROPS = ("placeholder", "aria_label", "title", "alt", "label", "content", "description")
LETTERS = re.compile(r"[^\W\d_]{2,}")
#: Text that is the same in every language: names, symbols, file types, the org's name.
SAME_IN_EVERY_LANGUAGE = {"PDF", "CSV", "XLSX", "QR", "ID", "OK", "Email", "E-mail", "Tiếng Việt", "English",
                          "kWh", "kg"}


def _literal(value) -> str | None:
    if isinstance(value, LiteralStringVar):
        return value._var_value
    if isinstance(value, str):
        return value
    return None


def _readable(text: str) -> bool:
    from engagement.settings import get_settings

    text = text.strip()
    if not text or text in SAME_IN_EVERY_LANGUAGE or text == get_settings().org_name:
        return False
    return bool(LETTERS.search(text))


def texts(component) -> Iterator[str]:
    """Every untranslated literal text in a component tree."""
    seen: set[int] = set()
    stack = [component]
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        if isinstance(c, Bare):
            text = _literal(c.contents)
            if text is not None and _readable(text):
                yield text
        for name in READ_PROPS:
            text = _literal(getattr(c, name, None)) if name in getattr(c, "get_props", lambda: ())() else None
            if text is not None and _readable(text):
                yield f"{name}={text}"
        stack.extend(getattr(c, "children", None) or [])
        if isinstance(c, Foreach):
            try:
                stack.append(c._render().render_component())
            except Exception:
                continue


def pages() -> dict[str, object]:
    """Route -> page function of the whole app."""
    from engagement.engagement import app

    return {route: page.component for route, page in app._unevaluated_pages.items()}


def untranslated(route: str) -> list[str]:
    """The untranslated texts of one page."""
    component = pages()[route]
    tree = component() if callable(component) else component
    return sorted(set(texts(tree)))
