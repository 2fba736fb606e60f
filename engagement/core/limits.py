"""The one rule for text limits: longer than its limit is refused, never cut.

Every service checks the text it stores with ``within`` (or ``clean_line`` for a one-line
name): the message names the field and its limit and says how much was typed, and the
field's own short message goes under it (``Invalid.fields``). Pages show the same limit as a
``n/limit`` counter (``ui.kit.limited_text``).
"""

from __future__ import annotations

import unicodedata

from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg


def too_long(*, what: str | Msg, limit: int, typed: int, field: str) -> Invalid:
    """The refusal of a text longer than its limit."""
    return Invalid("The {what} is too long: at most {limit} characters, you typed {typed}. Shorten it and send "
                   "again.", {field: N_("At most {limit} characters", limit=limit)},
                   what=what if isinstance(what, Msg) else N_(what), limit=limit, typed=typed)


def within(text: str | None, *, limit: int, what: str | Msg, field: str) -> str:
    """``text`` (None as ""), refused when longer than ``limit`` characters.

    Raises:
        Invalid: naming ``what`` and ``limit``; ``field`` is the form field concerned.
    """
    value = "" if text is None else str(text)
    if len(value) > limit:
        raise too_long(what=what, limit=limit, typed=len(value), field=field)
    return value


def clean_line(text: str | None, *, limit: int, what: str | Msg, field: str) -> str:
    """A one-line text (a name, a title): spaces collapsed, NFC, then ``within`` its limit."""
    return within(" ".join(unicodedata.normalize("NFC", text or "").split()), limit=limit, what=what,
                  field=field)
