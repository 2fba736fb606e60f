"""Reflex state of the good-models pages. Thin: each handler calls one service or query.

The model, adoption and unit a handler acts on are re-checked by the service (the actor's
scope and the record's status); the ids a page chose are kept in backend-only vars.
"""

from __future__ import annotations

import asyncio
import functools

import reflex as rx

from engagement.core import clock, files, i18n
from engagement.core.access import Perm
from engagement.core.errors import Invalid
from engagement.core.i18n import N_
from engagement.good_models import queries, rules, service
from engagement.good_models.dto import AdoptionRow, FileRow, ModelDetail, ModelRow, ResultRow
from engagement.good_models.rules import ResultInput
from engagement.org import queries as org_queries
from engagement.settings import get_settings
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text

#: How many result rows the forms offer.
RESULT_ROWS = 3
UPLOAD_ID = "good_model_files"
NO_MODEL = ModelRow(id=0, title="", year=0, unit_name="", field="", field_label="", status="", status_label="",
                    summary="", decision="", adoptions=0, reported=0)


def _today() -> str:
    return clock.local_day(clock.now(), get_settings().tz).isoformat()


def _results(f: Form) -> list[ResultInput]:
    """The result rows of a form (``r1_indicator``, ``r1_before``, ``r1_after``, ``r1_measure``...)."""
    return [ResultInput(indicator=f.stripped(f"r{i}_indicator", rules.INDICATOR_MAX, N_("indicator")),
                        before=f.decimal(f"r{i}_before", what=N_("value")),
                        after=f.decimal(f"r{i}_after", what=N_("value")),
                        measure=f.stripped(f"r{i}_measure", rules.MEASURE_MAX, N_("unit of measure")))
            for i in range(1, RESULT_ROWS + 1)]


def _field_options() -> list[Option]:
    return [Option(value=code, label=label.render()) for code, label in rules.FIELDS.items()]


class _Uploads(rx.State, mixin=True):
    """Photos and PDFs attached to a form, checked at once from their bytes and kept server-side."""

    files_info: str = ""
    _uploads: list[tuple[bytes, str]] = []

    @rx.event
    async def attach(self, files_: list[rx.UploadFile]):
        """Check the chosen files (photo or PDF) and keep them for the form.

        Who is asking is checked first (unit heads and officers), then each file is read up to the limit.
        """
        self._uploads, self.files_info = [], ""
        kept: list[tuple[bytes, str]] = []
        with self._attempt(error=None, toast_errors=True) as done:
            chosen = await uploads.read_uploads(self, files_, perm=Perm.PROPOSE_MODEL, limit=files.MAX_UPLOAD_BYTES,
                                                max_files=rules.MAX_FILES, default_name="file")
            for data, name in chosen:
                try:
                    await asyncio.to_thread(files.clean_scan, data)
                except Invalid:
                    raise Invalid("“{name}” is neither a photo nor a PDF document. Attach JPEG, PNG or WebP photos "
                                  "or PDF files.", name=as_text(name, 200)) from None
                kept.append((data, as_text(name, 200)))
            self._uploads = kept
            if kept:
                self.files_info = self._tn("{n} file ready", "{n} files ready", len(kept))
        return done.toast

    @rx.event
    def clear_files(self):
        """Forget the attached files."""
        self._uploads, self.files_info = [], ""


class _ModelView(rx.State, mixin=True):
    """One model shown in a dialog: results, files, decision and where it was replicated."""

    shown: ModelRow = NO_MODEL
    summary: str = ""
    evidence: str = ""
    initiative: str = ""
    award: str = ""
    results: list[ResultRow] = []
    attachments: list[FileRow] = []
    adoptions: list[AdoptionRow] = []
    replicated: list[ResultRow] = []
    may_adopt: bool = False
    _model_id: int = 0

    def _show_detail(self, detail: ModelDetail) -> None:
        self.shown, self.summary, self.evidence = detail.row, detail.summary, detail.evidence
        self.initiative, self.award = detail.initiative, detail.award
        self.results, self.attachments = detail.results, detail.files
        self.adoptions, self.replicated, self.may_adopt = detail.adoptions, detail.replicated_results, detail.may_adopt

    @rx.event
    async def open_model(self, model_id: int):
        """Show one model (the query decides whether the caller may see it)."""
        with self._attempt(error=None, toast_errors=True) as done:
            target = as_int(model_id, N_("model"))
            detail = await self._read(queries.model_detail, model_id=target,
                                      today=clock.local_day(clock.now(), get_settings().tz))
            self._model_id = target
            self._show_detail(detail)
            self.dialog = "model"
        return done.toast


class RegisterState(_ModelView, Paged, Dialog, AuthState):
    """The register everyone browses: search, filters, one model's page, adopting it."""

    rows: list[ModelRow] = []
    text: str = ""
    year: str = ""
    unit: str = ""
    field: str = ""
    years: list[Option] = []
    units: list[Option] = []
    fields: list[Option] = []
    acting: list[Option] = []
    error: str = ""
    adopt_error: str = ""
    today: str = ""
    _filters: tuple[str, int, int, str] = ("", 0, 0, "")

    def _on_close(self) -> None:
        self.adopt_error = ""

    async def _reload(self) -> None:
        text, year, unit_id, field = self._filters
        self.rows = self._paged(await self._read(queries.register, text=text, year=year or None,
                                                 unit_id=unit_id or None, field=field, page=self.page))

    @rx.event
    async def load(self):
        """Page load: the first page of the register, the filters' choices."""
        self.error, self.dialog, self.page, self.shown = "", "", 1, NO_MODEL
        self.today, self._filters = _today(), ("", 0, 0, "")
        self.text = self.year = self.unit = self.field = ""
        with self._attempt():
            page, years, tree, acting = await self._read_each(
                functools.partial(queries.register, page=1), queries.register_years, org_queries.unit_tree,
                queries.acting_units)
            self.rows = self._paged(page)
            self.years = [Option(value=str(y), label=str(y)) for y in years]
            self.units = [Option(value=str(u.id), label=("\u2003" * u.depth) + u.name)
                          for u in tree if u.is_active and u.depth <= 2]
            with i18n.using(self._lang()):
                self.fields = _field_options()
            self.acting = [Option(value=str(i), label=name) for i, name in acting]

    @rx.event
    async def search(self, form: dict):
        """Search the register (accents and case aside), by year, unit and field."""
        with self._attempt():
            f = Form(form)
            year = f.number("year", what=N_("year"))
            unit_id = f.optional_id("unit", N_("unit")) or 0
            field = f.stripped("field", 20)
            self._filters = (f.stripped("q", 80), year, unit_id, field if field in rules.FIELDS else "")
            self.text, self.year = self._filters[0], str(year or "")
            self.unit, self.field = str(unit_id or ""), self._filters[3]
            self.page = 1
            await self._reload()

    @rx.event
    async def adopt(self, form: dict):
        """My unit replicates the model shown, from a start date for a planned period."""
        with self._attempt(success=N_("Adoption recorded. Report the results when the period is over."),
                           error="adopt_error") as done:
            f = Form(form)
            await self._call(service.adopt_model, model_id=self._model_id, unit_id=f.id("unit_id", N_("unit")),
                             starts_on=f.day("starts_on", N_("start date")),
                             months=f.number("months", what=N_("planned period")),
                             plan=f.text("plan", rules.PLAN_MAX, N_("plan")))
            detail = await self._read(queries.model_detail, model_id=self._model_id,
                                      today=clock.local_day(clock.now(), get_settings().tz))
            self._show_detail(detail)
            await self._reload()
        return done.toast


class UnitModelsState(_Uploads, Dialog, AuthState):
    """A unit head's page: propose a model, send a returned one again, report adoptions."""

    units: list[Option] = []
    unit_id: int = 0
    proposals: list[ModelRow] = []
    adoptions: list[AdoptionRow] = []
    fields: list[Option] = []
    error: str = ""
    form_error: str = ""
    this_year: str = ""
    target_title: str = ""
    edit_title: str = ""
    edit_summary: str = ""
    edit_evidence: str = ""
    edit_field: str = ""
    form_key: int = 0
    _unit_ids: list[int] = []
    _target_id: int = 0

    def _on_close(self) -> None:
        self.form_error, self._target_id, self.target_title = "", 0, ""

    async def _reload(self) -> None:
        if not self.unit_id:
            self.proposals, self.adoptions = [], []
            return
        view = await self._read(queries.unit_view, unit_id=self.unit_id,
                                today=clock.local_day(clock.now(), get_settings().tz))
        self.proposals, self.adoptions = view.proposals, view.adoptions

    @rx.event
    async def load(self):
        """Page load: the units I act for, the first one's proposals and adoptions."""
        self.error = self.form_error = ""
        self.dialog, self._uploads, self.files_info = "", [], ""
        self.this_year = str(clock.local_day(clock.now(), get_settings().tz).year)
        with i18n.using(self._lang()):
            self.fields = _field_options()
        with self._attempt():
            acting = await self._read(queries.acting_units)
            self._unit_ids = [i for i, _name in acting]
            self.units = [Option(value=str(i), label=name) for i, name in acting]
            self.unit_id = self.unit_id if self.unit_id in self._unit_ids else (self._unit_ids[0] if acting else 0)
            await self._reload()

    @rx.event
    async def select_unit(self, value: str):
        """Show another of my units."""
        try:
            wanted = as_int(value, N_("unit"))
        except Invalid:
            return
        if wanted in self._unit_ids:
            self.unit_id = wanted
            with self._attempt():
                await self._reload()

    @rx.event
    def open_propose(self):
        """Open the proposal form."""
        self.dialog, self.form_error, self._target_id = "propose", "", 0
        self._uploads, self.files_info = [], ""
        self.form_key += 1

    @rx.event
    async def propose(self, form: dict):
        """Propose the unit's model to the officers (with results and files)."""
        with self._attempt(success=N_("Sent to the emulation officers."), error="form_error") as done:
            f = Form(form)
            await self._call(service.propose_model, unit_id=self.unit_id,
                             title=f.stripped("title", rules.TITLE_MAX, N_("model's title")),
                             summary=f.text("summary", rules.TEXT_MAX, N_("description of the change")),
                             evidence=f.text("evidence", rules.TEXT_MAX, N_("evidence")),
                             field=f.stripped("field", 20), year=f.number("year", what=N_("year")),
                             results=_results(f), uploads=list(self._uploads))
            self._uploads, self.files_info, self.dialog = [], "", ""
            await self._reload()
        return [done.toast, rx.clear_selected_files(UPLOAD_ID)] if done.ok else None

    @rx.event
    async def open_resubmit(self, model_id: int):
        """Open the form to correct a returned model and send it again, filled with its full text."""
        try:
            target = as_int(model_id, N_("model"))
        except Invalid:
            return
        if not any(p.id == target and p.status == rules.RETURNED for p in self.proposals):
            return
        with self._attempt():
            detail = await self._read(queries.model_detail, model_id=target,
                                      today=clock.local_day(clock.now(), get_settings().tz))
            self._target_id, self.target_title = target, detail.row.title
            self.edit_title, self.edit_field = detail.row.title, detail.row.field
            self.edit_summary, self.edit_evidence = detail.summary, detail.evidence
            self.dialog, self.form_error, self._uploads, self.files_info = "resubmit", "", [], ""
            self.form_key += 1

    @rx.event
    async def resubmit(self, form: dict):
        """Send the returned model again, corrected."""
        with self._attempt(success=N_("Sent again to the emulation officers."), error="form_error") as done:
            f = Form(form)
            await self._call(service.resubmit_model, model_id=self._target_id,
                             title=f.stripped("title", rules.TITLE_MAX, N_("model's title")),
                             summary=f.text("summary", rules.TEXT_MAX, N_("description of the change")),
                             evidence=f.text("evidence", rules.TEXT_MAX, N_("evidence")),
                             field=f.stripped("field", 20), results=_results(f), uploads=list(self._uploads))
            self._uploads, self.files_info, self.dialog = [], "", ""
            await self._reload()
        return [done.toast, rx.clear_selected_files(UPLOAD_ID)] if done.ok else None

    @rx.event
    def open_report(self, adoption_id: int):
        """Open the form to report an adoption's results."""
        try:
            target = as_int(adoption_id, N_("adoption"))
        except Invalid:
            return
        row = next((a for a in self.adoptions if a.id == target and a.status == rules.ADOPTED), None)
        if row is None:
            return
        self._target_id, self.target_title = row.id, row.model_title
        self.dialog, self.form_error, self._uploads, self.files_info = "report", "", [], ""
        self.form_key += 1

    @rx.event
    async def report(self, form: dict):
        """Report what replicating the model achieved."""
        with self._attempt(success=N_("Result reported. It shows in the register."), error="form_error") as done:
            f = Form(form)
            await self._call(service.report_adoption, adoption_id=self._target_id,
                             report=f.text("report", rules.TEXT_MAX, N_("report")),
                             results=_results(f), uploads=list(self._uploads))
            self._uploads, self.files_info, self.dialog = [], "", ""
            await self._reload()
        return [done.toast, rx.clear_selected_files(UPLOAD_ID)] if done.ok else None


class OfficerModelsState(_ModelView, Dialog, AuthState):
    """The officers' queue: recognise (and publish), return, publish."""

    status: str = rules.PROPOSED
    rows: list[ModelRow] = []
    initiatives: list[Option] = []
    awards: list[Option] = []
    error: str = ""
    decide_error: str = ""
    today: str = ""
    form_key: int = 0

    async def _reload(self) -> None:
        self.rows = await self._read(queries.officer_queue, status=self.status)

    @rx.event
    async def load(self):
        """Page load: the models waiting for a decision, and what they can be linked to."""
        self.error = self.decide_error = ""
        self.status, self.today = rules.PROPOSED, _today()
        with self._attempt():
            rows, (initiatives, awards) = await self._read_each(
                functools.partial(queries.officer_queue, status=rules.PROPOSED), queries.link_options)
            self.rows = rows
            self.initiatives = [Option(value=str(i), label=label) for i, label in initiatives]
            self.awards = [Option(value=str(i), label=label) for i, label in awards]

    @rx.event
    async def show_status(self, value: str):
        """List the models of another status."""
        if value in rules.STATUS_LABELS:
            self.status = value
            with self._attempt():
                await self._reload()

    @rx.event
    async def recognise(self, form: dict):
        """Recognise a proposed model by its decision, linked if chosen; publish it at once if ticked."""
        with self._attempt(success=N_("Recognised."), error="decide_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.recognise_model, model_id=f.id("model_id", N_("model")),
                             decision_ref=f.stripped("decision_ref", rules.DECISION_REF_MAX, N_("decision number")),
                             decided_on=f.day("decided_on", N_("decision date")),
                             initiative_id=f.optional_id("initiative_id", N_("initiative")),
                             award_id=f.optional_id("award_id", N_("award")), publish=f.flag("publish"))
            await self._reload()
            self.form_key += 1
        return done.toast

    @rx.event
    async def return_model(self, form: dict):
        """Return a proposed model to its unit, with the reason."""
        with self._attempt(success=N_("Returned to the unit."), error="decide_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.return_model, model_id=f.id("model_id", N_("model")),
                             reason=f.text("reason", rules.REASON_MAX, N_("reason")))
            await self._reload()
            self.form_key += 1
        return done.toast

    @rx.event
    async def publish(self, model_id: int):
        """Publish a recognised model in the register."""
        with self._attempt(success=N_("Published in the register."), error=None, toast_errors=True) as done:
            await self._call(service.publish_model, model_id=as_int(model_id, N_("model")))
            await self._reload()
        return done.toast
