"""Reflex state of the review-report page. Thin: one export, built and rendered off the event loop."""

from __future__ import annotations

import reflex as rx

from engagement.core import clock, i18n
from engagement.core.i18n import N_
from engagement.review import queries, rules
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Form


class ReviewState(AuthState):
    """Choose the period (a year, the 2019-2025 plan, its mid-term, any dates) and download."""

    kinds: list[Option] = []
    kind: str = rules.YEAR
    this_year: str = ""
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        """Page load: the choices of period."""
        self.error, self.busy, self.kind = "", False, rules.YEAR
        self.this_year = str(clock.local_day(clock.now(), get_settings().tz).year)
        with i18n.using(self._lang()):
            self.kinds = [Option(value=code, label=label.render()) for code, label in rules.PERIOD_KINDS.items()]

    @rx.event
    def choose_kind(self, value: str):
        """Show the fields of the chosen kind of period."""
        if value in rules.PERIOD_KINDS:
            self.kind = value

    @rx.event
    async def download(self, form: dict):
        """Build the report for the chosen period and download it as PDF or XLSX."""
        with self._attempt(error="error", toast_errors=True) as done:
            f = Form(form)
            kind = f.stripped("kind", 10)
            self.busy = True
            yield
            custom = kind == rules.CUSTOM
            data, name = await self._read(
                queries.export, kind=kind, year=f.number("year", what=N_("year")) or None,
                start=f.optional_day("start", N_("first day")) if custom else None,
                end=f.optional_day("end", N_("last day")) if custom else None,
                fmt="xlsx" if f.stripped("fmt", 5) == "xlsx" else "pdf", now=clock.now())
        self.busy = False
        if not done.ok:
            yield done.toast
            return
        yield rx.download(data=data, filename=name)
