"""Domain errors: every message is written for the civil servant who will read it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request; ``message`` says what to do about it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The actor may not do this (or is not logged in)."""


class NotFound(DomainError):
    """The record does not exist or is outside the actor's reach."""


class Invalid(DomainError):
    """The input is wrong; ``fields`` maps a field name to its message."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Conflict(DomainError):
    """The request clashes with the current state of a record."""


class Throttled(DomainError):
    """Too many attempts; try again later."""
