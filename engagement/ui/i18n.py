"""Translated text on pages: every language compiled into the frontend, the tab holds a code.

``t("Save")`` is evaluated when the app is compiled: it looks the message up in every
catalogue and returns one expression that picks the text by the tab's ``LangState.lang``
(``lang === "en" ? "Save" : "Lưu"``). Switching language changes one short string in the
tab's state; no text travels from the server, and no catalogue sits in any tab's memory.
Parameters may be state vars: ``t("{n} people", n=State.total)``.

Text a handler writes (a toast, a refusal, a label in a DTO) is rendered on the server in
the tab's language: ``self._t("…")`` in a state, ``core.i18n._`` under ``using(lang)``, which
``AuthState._call`` and its siblings set for the services they run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import reflex as rx
from reflex.vars import LiteralVar, Var

from engagement.core import i18n
from engagement.settings import LANGUAGES

LANG_COOKIE = "engagement_lang"


class LangState(rx.State):
    """The reader's language. ``lang`` is what the tab shows ("" until known: the default)."""

    lang: str = ""
    #: The language chosen in this browser (before login; an account's choice wins after).
    lang_choice: str = rx.Cookie("", name=LANG_COOKIE, path="/", max_age=400 * 86400, same_site="lax")

    def _lang(self) -> str:
        """The tab's language code (the organisation's default until one is known)."""
        return self.lang if i18n.supported(self.lang) else i18n.default_language()

    def _t(self, msgid: str, /, **params: Any) -> str:
        """A message in the tab's language (for toasts and messages a handler writes)."""
        return i18n.Msg(msgid, params).render(self._lang())

    def _tn(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """``_t`` with plural forms; ``{n}`` is filled with ``n``."""
        return i18n.Msg(singular, params, plural, n).render(self._lang())

    def _render(self, message: i18n.Msg | str | None) -> str:
        """A ``Msg`` (or a message id) in the tab's language."""
        return i18n.render(message, self._lang())

    def _show_language(self, code: str) -> Any:
        """Make ``code`` the tab's language; returns the script that sets the page's ``lang``."""
        self.lang = i18n.normalise(code)
        return rx.call_script(f"document.documentElement.lang = {json.dumps(self.lang)}")

    @rx.event
    def detect(self):
        """on_load of public pages: the browser's choice, else its Accept-Language."""
        choice = self.lang_choice if i18n.supported(self.lang_choice) else ""
        return self._show_language(choice or i18n.negotiate(self.router.headers.accept_language))

    @rx.event
    def choose_public(self, code: str):
        """The language switch before login: remembered in this browser."""
        if not i18n.supported(code):
            return rx.toast.error(self._t("Choose a language from the list."))
        self.lang_choice = code
        self._show_language(code)
        return rx.call_script("window.location.reload()")


def _piece(value: Any, lang: str) -> Any:
    """One parameter as text of ``lang`` (a var stays a var)."""
    if isinstance(value, Var):
        return value.to(str)  # a cast (no JSON quoting); also makes rx.match/rx.cond results concatenable
    if isinstance(value, i18n.Msg):
        return value.render(lang)
    return str(value)


def _compose(text: str, params: Mapping[str, Any], lang: str) -> Any:
    """``text`` with its placeholders replaced by the params: a str, or a var when one is a var."""
    pieces: list[Any] = []
    cursor = 0
    for match in i18n._PLACEHOLDER.finditer(text):
        pieces.append(text[cursor:match.start()])
        name = match.group(1)
        pieces.append(_piece(params[name], lang) if name in params else match.group(0))
        cursor = match.end()
    pieces.append(text[cursor:])
    pieces = [p for p in pieces if not (isinstance(p, str) and p == "")]
    if all(isinstance(p, str) for p in pieces):
        return "".join(pieces)
    out: Any = None
    for p in pieces:
        part = LiteralVar.create(p) if isinstance(p, str) else p
        out = part if out is None else out + part
    return out


def _pick(per_lang: dict[str, Any]) -> Any:
    """One expression choosing ``per_lang[LangState.lang]``, the default language otherwise."""
    default = i18n.default_language()
    result = per_lang[default]
    others = [lang for lang in LANGUAGES if lang != default]
    if isinstance(result, str) and all(isinstance(v, str) and v == result for v in per_lang.values()):
        return result
    for lang in others:
        result = rx.cond(LangState.lang == lang, per_lang[lang], result)
    return result


def t(msgid: str | i18n.Msg, /, **params: Any) -> Any:
    """A message as the page shows it: every language compiled in, picked by the tab's language."""
    if isinstance(msgid, i18n.Msg):
        if msgid.plural is not None:
            return t_n(msgid.msgid, msgid.plural, msgid.n, **{**msgid.params, **params})
        msgid, params = msgid.msgid, {**msgid.params, **params}
    return _pick({lang: _compose(i18n.translate(msgid, lang), params, lang) for lang in LANGUAGES})


def t_n(singular: str, plural: str, n: Any, /, **params: Any) -> Any:
    """``t`` with plural forms chosen by ``n`` (a number or a var); ``{n}`` is filled with it."""
    params = {"n": n, **params}
    per_lang: dict[str, Any] = {}
    for lang in LANGUAGES:
        one = _compose(i18n.translate(singular, lang, plural=plural, n=1), params, lang)
        many = _compose(i18n.translate(singular, lang, plural=plural, n=2), params, lang)
        if isinstance(n, Var):
            same = isinstance(one, str) and isinstance(many, str) and one == many
            per_lang[lang] = one if same else rx.cond(n == 1, one, many)
        else:
            per_lang[lang] = one if n == 1 else many
    return _pick(per_lang)


def t_match(value: Any, labels: Mapping[str, str | i18n.Msg], default: str | i18n.Msg = "") -> Any:
    """The label of a code (a var), e.g. a status: ``t_match(row.status, {"approved": N_("Approved")})``.

    Mark the labels with ``N_`` so that ``make i18n`` finds them.
    """
    cases = [(code, t(label)) for code, label in labels.items()]
    return rx.match(value, *cases, t(default) if default else value)


def language_options() -> list[tuple[str, str]]:
    """(code, the language's own name) for the switches."""
    return [(code, i18n.NATIVE_NAMES.get(code, code)) for code in LANGUAGES]
