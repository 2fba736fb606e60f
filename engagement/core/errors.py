"""Domain errors: every message is written for the civil servant who will read it.

A service raises a message id (the English text) with named parameters, never a finished
sentence: ``raise Conflict("“{unit}” still has active members.", unit=unit.name)``. The edge
renders it in the reader's language (``render(lang)``); ``str(error)`` and ``.message``
render it in the current language (``core.i18n.current``).
"""

from __future__ import annotations

from typing import Any

from engagement.core.i18n import N_, Msg, render


class DomainError(Exception):
    """A rule refused the request; the message says what to do about it."""

    def __init__(self, message: str | Msg, /, **params: Any) -> None:
        self.msg = message if isinstance(message, Msg) else Msg(message, params)
        super().__init__(self.msg.msgid)

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (the current language by default)."""
        return self.msg.render(lang)

    @property
    def message(self) -> str:
        """The message in the current language."""
        return self.msg.render()

    def __str__(self) -> str:
        return self.msg.render()


class NotAllowed(DomainError):
    """The actor may not do this (or is not logged in)."""


class NotFound(DomainError):
    """The record does not exist or is outside the actor's reach."""


class Invalid(DomainError):
    """The input is wrong; ``fields`` maps a field name to its message (an id or a ``Msg``)."""

    def __init__(self, message: str | Msg, /, fields: dict[str, str | Msg] | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.raw_fields = dict(fields or {})

    @property
    def fields(self) -> dict[str, str]:
        """The field messages in the current language."""
        return self.render_fields()

    def render_fields(self, lang: str | None = None) -> dict[str, str]:
        """The field messages in ``lang``."""
        return {name: render(text, lang) for name, text in self.raw_fields.items()}


class Conflict(DomainError):
    """The request clashes with the current state of a record."""


class Throttled(DomainError):
    """Too many attempts; try again later."""


class Busy(Conflict):
    """The database refused the change because of concurrent ones, even after retries.

    Nothing was saved; the same action a moment later normally succeeds.
    """

    def __init__(self, message: str | Msg | None = None, /, **params: Any) -> None:
        super().__init__(message or N_("The system is busy; your change was not saved, try again."), **params)


class OutOfRange(Invalid):
    """A value no column can hold reached the database (an id like 2**63, a date past 9999).

    ``unit_of_work`` turns the database's own error (OverflowError on SQLite, DataError on
    PostgreSQL) into this one message, the same on both; nothing was saved.
    """

    def __init__(self, message: str | Msg | None = None, /, **params: Any) -> None:
        super().__init__(message or N_("A value sent is outside what can be stored (a number, a date or a text "
                                       "too large). Check what you entered, reload the page and try again."),
                         **params)
