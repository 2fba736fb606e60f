"""Translations: one mechanism for pages, states, services, jobs and documents.

English is the source text (the message id); every other language has a gettext catalogue,
``engagement/locale/<code>/LC_MESSAGES/messages.po``, read once per process (it is compiled
in memory on first use, so a stale ``.mo`` file can never disagree with the ``.po``).
Placeholders are named, ``{name}``, and filled after translation, so a translator may move
them. Which language a piece of server code writes in is the *current* language: a context
variable the edge sets for the reader (``using``), the organisation's default otherwise.

The markers, which ``make i18n`` extracts (the keywords are in ``babel.cfg``):

- ``_("…", **params)``: translate now, in the current language (services, queries, jobs).
- ``_n("one …", "{n} …", n, **params)``: the same with plural forms.
- ``N_("…", **params)``: a message to translate later (``Msg``), where the reader is not yet
  known: a refusal, a toast written by a state, a label in a module-level table.
- The error classes of ``core.errors`` take a message id and its parameters the same way.
- Pages use ``ui.i18n.t`` (every language compiled into the frontend).
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engagement.settings import LANGUAGES, get_settings

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
#: Each language's own name, as its speakers write it (the language switch shows these).
NATIVE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
#: The Babel locale of each language (dates, numbers, collation).
LOCALES = {"vi": "vi_VN", "en": "en_GB"}

_current: ContextVar[str | None] = ContextVar("engagement_language", default=None)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def default_language() -> str:
    """The organisation's language (``ENGAGEMENT_LANGUAGE``)."""
    return get_settings().language


def normalise(code: Any) -> str:
    """A supported language code for ``code`` (the default for anything else)."""
    text = str(code or "").strip().lower().replace("_", "-")
    base = text.split("-", 1)[0]
    return base if base in LANGUAGES else default_language()


def supported(code: Any) -> bool:
    """Whether ``code`` is exactly one of the interface languages."""
    return isinstance(code, str) and code in LANGUAGES


def current() -> str:
    """The language server code writes in now."""
    return _current.get() or default_language()


@contextmanager
def using(code: str | None) -> Iterator[str]:
    """Write in ``code`` (normalised) inside the block: the reader's, or a recipient's."""
    lang = normalise(code)
    token = _current.set(lang)
    try:
        yield lang
    finally:
        _current.reset(token)


def negotiate(accept_language: str | None) -> str:
    """The best language for a browser's ``Accept-Language`` header (the default if none fits)."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        base = tag.strip().lower().split("-", 1)[0]
        if base in LANGUAGES and weight > 0:
            choices.append((-weight, i, base))
    return min(choices)[2] if choices else default_language()


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (no catalogue: the source text)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they are not translations yet
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(msgid: str, lang: str, *, plural: str | None = None, n: int | None = None) -> str:
    """The text of ``msgid`` in ``lang``, placeholders unfilled."""
    catalog = _translations(normalise(lang))
    if plural is not None:
        return catalog.ngettext(msgid, plural, int(n or 0))
    return catalog.gettext(msgid) if msgid else msgid


class _Keep(dict):
    """Leaves an unknown ``{name}`` as it is rather than failing the whole message."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, params: Mapping[str, Any], lang: str) -> str:
    """``text`` with its ``{name}`` placeholders filled (messages among the params rendered too)."""
    if not params or "{" not in text:
        return text
    values = _Keep({k: (v.render(lang) if isinstance(v, Msg | Amount) else v) for k, v in params.items()})
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a message (the catalogue test compares them)."""
    return set(_PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class Amount:
    """A whole number in a message parameter, written in the reader's convention (``2.340.000`` in
    Vietnamese, ``2,340,000`` in English): for money and counts, never for years or codes."""

    value: int

    def render(self, lang: str | None = None) -> str:
        from babel.numbers import format_decimal

        return format_decimal(self.value, format="#,##0", locale=LOCALES[normalise(lang) if lang else current()])


@dataclass(frozen=True)
class Msg:
    """A message to translate when its reader is known: an id, its parameters, maybe a plural."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (the current language by default)."""
        code = normalise(lang) if lang else current()
        params = dict(self.params)
        if self.plural is not None:
            params.setdefault("n", self.n)
        return fill(translate(self.msgid, code, plural=self.plural, n=self.n), params, code)

    def __str__(self) -> str:
        return self.render()


def N_(msgid: str, /, **params: Any) -> Msg:
    """Mark a message for translation later (when its reader is known)."""
    return Msg(msgid, params)


def N_n(singular: str, plural: str, n: int, /, **params: Any) -> Msg:
    """``N_`` with plural forms; ``{n}`` is filled with ``n``."""
    return Msg(singular, params, plural, n)


def _(msgid: str, /, **params: Any) -> str:
    """Translate now, in the current language."""
    return Msg(msgid, params).render()


def _n(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """Translate now with plural forms; ``{n}`` is filled with ``n``."""
    return Msg(singular, params, plural, n).render()


def render(value: Msg | str | None, lang: str | None = None) -> str:
    """Any message as text in ``lang``: a ``Msg`` rendered, a plain string looked up as an id."""
    if value is None:
        return ""
    if isinstance(value, Msg):
        return value.render(lang)
    return translate(value, normalise(lang) if lang else current())


def both(msgid: str) -> dict[str, str]:
    """``msgid`` in every language, placeholders unfilled (the frontend compiles these)."""
    return {lang: translate(msgid, lang) for lang in LANGUAGES}
