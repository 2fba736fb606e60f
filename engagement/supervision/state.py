"""Reflex state of the spot-check pages. Thin: each handler resolves the actor on the server and
calls one service or query; ids sent by the browser are only hints the services re-check."""

from __future__ import annotations

import asyncio
import functools

import reflex as rx

from engagement.core import clock, files
from engagement.core.access import Perm
from engagement.core.i18n import N_
from engagement.supervision import queries, rules, service
from engagement.supervision.dto import (
    ActionRow,
    ChecklistItem,
    ChecklistRow,
    FindingRow,
    ItemTrend,
    Member,
    MonthRow,
    PlanRow,
    UnitTrend,
    VisitRow,
)
from engagement.supervision.service import FindingInput
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text

#: Only a size guard for a finding's note: the service refuses one over ``rules.FINDING_NOTE_MAX``
#: naming its item, which this form cannot do.
NOTE_GUARD = 20_000


def _this_year() -> int:
    return queries.today_of(clock.now()).year


class SupervisionState(Dialog, AuthState):
    """The hub: my findings (explain), my visits (record), my units' corrective actions (confirm)."""

    findings: list[FindingRow] = []
    visits: list[VisitRow] = []
    actions: list[ActionRow] = []
    unit_visits: list[VisitRow] = []
    can_follow: bool = False
    can_manage: bool = False
    error: str = ""
    respond_error: str = ""
    respond_error_fields: dict[str, str] = {}
    confirm_error: str = ""
    confirm_error_fields: dict[str, str] = {}
    evidence_info: str = ""
    _target: int = 0
    _evidence: bytes = b""
    _evidence_name: str = ""

    def _on_close(self) -> None:
        self._target, self._evidence, self._evidence_name, self.evidence_info = 0, b"", "", ""
        self.respond_error = self.confirm_error = ""

    async def _reload(self) -> None:
        hub = await self._read(queries.hub)
        self.findings, self.visits, self.actions = hub.findings, hub.visits, hub.actions
        self.can_follow, self.can_manage = hub.can_follow, hub.can_manage
        self.unit_visits = hub.unit_visits

    @rx.event
    async def load(self):
        """Page load: my findings, my visits, and my units' open actions, in one read."""
        self.dialog = ""
        self._on_close()
        with self._attempt():
            await self._reload()

    @rx.event
    def open_respond(self, finding_id: int):
        """Open the explanation dialog for one of my findings (the service checks it is mine)."""
        self._target = as_int(finding_id) if str(finding_id).strip().isdigit() else 0
        self.dialog = "respond" if self._target else ""

    @rx.event
    async def submit_respond(self, form: dict):
        """Send my explanation of a finding."""
        with self._attempt(success=N_("Your explanation is recorded."), error="respond_error") as done:
            f = Form(form)
            await self._call(service.respond, finding_id=self._target,
                             text=f.text("text", rules.RESPONSE_MAX, N_("explanation")))
            self.dialog = ""
            self._target = 0
            await self._reload()
        return done.toast

    @rx.event
    def open_confirm(self, action_id: int):
        """Open the confirmation dialog of a corrective action (the service checks the unit)."""
        self._target = as_int(action_id) if str(action_id).strip().isdigit() else 0
        self._evidence, self._evidence_name, self.evidence_info = b"", "", ""
        self.dialog = "confirm" if self._target else ""

    @rx.event
    async def attach_evidence(self, files_: list[rx.UploadFile]):
        """Keep a photo or a scan as the evidence of the action being confirmed (checked at once)."""
        self._evidence, self._evidence_name, self.evidence_info = b"", "", ""
        with self._attempt(error="confirm_error"):
            data, name = await uploads.read_upload(self, files_, perm=Perm.FOLLOW_SUPERVISION,
                                                   limit=files.MAX_UPLOAD_BYTES, default_name="evidence")
            if not data:
                return
            clean = await asyncio.to_thread(files.clean_scan, data)
            self._evidence, self._evidence_name = clean.data, as_text(name, 200).rsplit(".", 1)[0]
            self.evidence_info = self._t("Evidence ready: {name}", name=as_text(name, 200))

    @rx.event
    async def submit_confirm(self, form: dict):
        """Confirm the corrective action is done."""
        with self._attempt(success=N_("The corrective action is closed."), error="confirm_error") as done:
            f = Form(form)
            await self._call(service.confirm_action, action_id=self._target,
                             note=f.text("note", rules.DONE_NOTE_MAX, N_("note")),
                             evidence=self._evidence or None, evidence_name=self._evidence_name)
            self.dialog = ""
            self._on_close()
            await self._reload()
        return [done.toast, rx.clear_selected_files("action_evidence")] if done.ok else done.toast


class VisitState(AuthState):
    """One visit: its checklist and the unit's people; the team records it here."""

    visit_id: int = 0
    unit: str = ""
    day: str = ""
    status: str = ""
    status_label: str = ""
    checklist: str = ""
    person_items: list[ChecklistItem] = []
    unit_items: list[ChecklistItem] = []
    members: list[Member] = []
    findings: list[FindingRow] = []
    may_record: bool = False
    refusal: str = ""
    error: str = ""
    record_error: str = ""
    record_error_fields: dict[str, str] = {}
    photo_error: str = ""
    correct_error: str = ""
    may_correct: bool = False
    result_text: str = ""
    _photo_target: int = 0
    #: The checklist's item keys as the server read them (public vars are the client's to set).
    _unit_keys: list[str] = []
    _person_keys: list[str] = []

    async def _reload(self) -> None:
        sheet = await self._read(queries.visit_sheet, visit_id=self.visit_id)
        self._unit_keys = [i.key for i in sheet.unit_items]
        self._person_keys = [i.key for i in sheet.person_items]
        self.unit, self.day, self.status, self.status_label = sheet.unit, sheet.day, sheet.status, sheet.status_label
        self.checklist, self.person_items, self.unit_items = sheet.checklist, sheet.person_items, sheet.unit_items
        self.members, self.findings = sheet.members, sheet.findings
        self.may_record, self.refusal, self.may_correct = sheet.may_record, sheet.refusal, sheet.may_correct

    @rx.event
    async def load(self):
        """Page load: the visit named in the address (only its team, officers, and its unit's heads
        once recorded, may read it)."""
        self.error = self.record_error = self.photo_error = self.result_text = ""
        raw = str(self.router.page.params.get("visit_id", ""))
        self.visit_id = int(raw) if raw.isdigit() else 0
        self.members, self.findings, self.person_items, self.unit_items = [], [], [], []
        self._unit_keys, self._person_keys = [], []
        self.may_record = False
        with self._attempt():
            await self._reload()

    @rx.event
    async def submit_record(self, form: dict):
        """Record the visit: the ticked people present, each item's result and note."""
        with self._attempt(success=N_("The visit is recorded."), error="record_error", toast_errors=False) as done:
            f = Form(form)
            present = f.ticked("present_")
            inputs: list[FindingInput] = []
            for key in self._unit_keys:
                inputs.append(FindingInput(item_key=key, result=f.stripped(f"u__{key}", 4),
                                           note=f.text(f"un__{key}", NOTE_GUARD)))
            for person_id in present:
                for key in self._person_keys:
                    inputs.append(FindingInput(item_key=key, person_id=person_id,
                                               result=f.stripped(f"r__{person_id}__{key}", 4),
                                               note=f.text(f"n__{person_id}__{key}", NOTE_GUARD)))
            result = await self._call(service.record_visit, visit_id=self.visit_id, present=present, findings=inputs,
                                      note=f.text("note", rules.VISIT_NOTE_MAX, N_("visit's note")))
            self.result_text = self._t(
                "Compliance {rate}%: {failed} item(s) failed, {actions} corrective action(s) opened, "
                "{repeats} repeat failure(s).", rate=result.compliance if result.compliance is not None else "–",
                failed=result.failed, actions=result.actions, repeats=result.repeats)
            await self._reload()
        return done.toast

    @rx.event
    async def attach_photo(self, files_: list[rx.UploadFile]):
        """Add a photo to the finding chosen in the list (the team; the first finding without one)."""
        with self._attempt(success=N_("Photo added."), error="photo_error") as done:
            data, name = await uploads.read_upload(self, files_, perm=Perm.INSPECT, limit=files.MAX_UPLOAD_BYTES,
                                                   default_name="photo")
            if not data:
                return None
            target = self._photo_target
            await self._call(service.attach_photo, finding_id=target, data=data, name=as_text(name, 200))
            await self._reload()
        return [done.toast, rx.clear_selected_files("finding_photo")] if done.ok else None

    @rx.event
    async def submit_correct(self, form: dict):
        """Correct a recorded result (officers; the correction is kept beside the finding)."""
        with self._attempt(success=N_("The result is corrected."), error="correct_error") as done:
            f = Form(form)
            await self._call(service.correct_finding, finding_id=f.id("finding_id", N_("finding")),
                             result=f.stripped("result", 4),
                             reason=f.text("reason", rules.REASON_MAX, N_("reason")))
            await self._reload()
        return done.toast

    @rx.event
    def choose_photo_target(self, finding_id: str):
        """Which finding the next photo is for (the service checks the actor is on its team)."""
        raw = str(finding_id).strip()
        self._photo_target = int(raw) if raw.isdigit() else 0


class ManageState(Paged, Dialog, AuthState):
    """Officers: checklists, plans and teams, ad-hoc visits, every visit."""

    checklists: list[ChecklistRow] = []
    plans: list[PlanRow] = []
    visits: list[VisitRow] = []
    candidates: list[Member] = []
    units: list[Member] = []
    person_lines: str = ""
    unit_lines: str = ""
    checklist_title: str = ""
    error: str = ""
    checklist_error: str = ""
    checklist_error_fields: dict[str, str] = {}
    plan_error: str = ""
    plan_error_fields: dict[str, str] = {}
    visit_error: str = ""
    visit_error_fields: dict[str, str] = {}
    cancel_error: str = ""
    form_key: int = 0
    _target: int = 0
    _target_kind: str = ""

    def _on_close(self) -> None:
        self._target, self._target_kind, self.cancel_error = 0, "", ""

    async def _reload(self) -> None:
        self.visits = self._paged(await self._read(queries.all_visits, page=self.page))

    async def _reload_all(self) -> None:
        self.checklists, self.plans, self.candidates, self.units, page = await self._read_each(
            queries.checklists, queries.plans, queries.team_candidates, queries.unit_choices,
            functools.partial(queries.all_visits, page=self.page))
        self.visits = self._paged(page)
        latest = next((c for c in self.checklists if c.is_latest and c.family == rules.DEFAULT_FAMILY), None)
        if latest is not None:
            self.checklist_title = latest.title
            self.person_lines = "\n".join(i.text for i in latest.items if i.scope == rules.PERSON)
            self.unit_lines = "\n".join(i.text for i in latest.items if i.scope == rules.UNIT)

    @rx.event
    async def load(self):
        """Page load: checklists, plans, team candidates, units and the first page of visits."""
        self.page, self.dialog = 1, ""
        self.error = self.checklist_error = self.plan_error = self.visit_error = ""
        with self._attempt():
            await self._reload_all()

    @rx.event
    async def seed_checklist(self):
        """Publish the default checklist drawn from the commitment's clauses (when none exists)."""
        with self._attempt(success=N_("The checklist is ready."), error="checklist_error") as done:
            await self._call(service.ensure_default_checklist)
            await self._reload_all()
        return done.toast

    @rx.event
    async def publish_checklist(self, form: dict):
        """Publish the next version of the checklist."""
        with self._attempt(success=N_("A new version of the checklist is published."),
                           error="checklist_error") as done:
            f = Form(form)
            await self._call(service.publish_checklist,
                             title=f.text("title", rules.TITLE_MAX, N_("checklist's title")),
                             person_items=f.lines("person_items", limit=12000, line_limit=400),
                             unit_items=f.lines("unit_items", limit=12000, line_limit=400))
            await self._reload_all()
        return done.toast

    @rx.event
    async def create_plan(self, form: dict):
        """Create a plan; the scheduler draws its visits within the hour."""
        with self._attempt(success=N_("The plan is saved; its visits are drawn within the hour."),
                           error="plan_error") as done:
            f = Form(form)
            await self._call(service.create_plan, name=f.text("name", rules.PLAN_NAME_MAX, N_("plan's name")),
                             period=f.stripped("period", 10),
                             visits=f.number("visits", default=0, what=N_("number of visits")),
                             unit_ids=f.ticked("unit_"), team_ids=f.ticked("team_"),
                             response_days=f.number("response_days", default=5, what=N_("days to explain")),
                             action_days=f.number("action_days", default=10, what=N_("days to correct")))
            self.form_key += 1
            await self._reload_all()
        return done.toast

    @rx.event
    async def schedule_visit(self, form: dict):
        """Schedule an ad-hoc visit."""
        with self._attempt(success=N_("The visit is scheduled; its team is told."), error="visit_error") as done:
            f = Form(form)
            await self._call(service.schedule_visit, unit_id=f.id("unit_id", N_("unit")),
                             on=f.day("on", N_("day of the visit")), inspector_ids=f.ticked("inspector_"))
            self.form_key += 1
            await self._reload_all()
        return done.toast

    @rx.event
    def open_cancel(self, kind: str, target: int):
        """Open the cancel dialog of a plan or a visit (the service re-checks everything)."""
        kind = as_text(kind, 10)
        self._target_kind = kind if kind in ("plan", "visit") else ""
        self._target = int(target) if str(target).strip().isdigit() else 0
        self.dialog = "cancel" if self._target and self._target_kind else ""

    @rx.event
    async def submit_cancel(self, form: dict):
        """Cancel the plan or visit, with the reason."""
        with self._attempt(success=N_("Cancelled."), error="cancel_error") as done:
            f = Form(form)
            if self._target_kind == "plan":
                await self._call(service.cancel_plan, plan_id=self._target,
                                 reason=f.text("reason", rules.REASON_MAX, N_("reason")))
            else:
                await self._call(service.cancel_visit, visit_id=self._target,
                                 reason=f.text("reason", rules.REASON_MAX, N_("reason")))
            self.dialog = ""
            self._on_close()
            await self._reload_all()
        return done.toast


class TrendsState(AuthState):
    """Officers: compliance over the year, the units most in need, the items most failed; XLSX."""

    year: int = 0
    months: list[dict] = []
    units: list[UnitTrend] = []
    items: list[ItemTrend] = []
    unit_months: list[MonthRow] = []
    item_months: list[MonthRow] = []
    error: str = ""
    chart_ready: bool = False

    @rx.var
    def year_options(self) -> list[str]:
        """The years to choose from."""
        this = _this_year()
        return [str(y) for y in range(this, this - 5, -1)]

    async def _reload(self) -> None:
        data = await self._read(queries.trends, year=self.year)
        self.units, self.items = data.units, data.items
        self.unit_months, self.item_months = data.unit_months, data.item_months
        self.months = [{"month": m.month, "compliance": m.compliance, "visits": m.visits} for m in data.months]

    @rx.event
    async def load(self):
        """Page load: the tables at once; the chart is drawn after the first paint."""
        self.year = self.year or _this_year()
        self.chart_ready = False
        with self._attempt():
            await self._reload()
        return TrendsState.show_chart

    @rx.event
    def show_chart(self):
        """Draw the chart (kept off the first paint)."""
        self.chart_ready = True

    @rx.event
    async def choose_year(self, value: str):
        """Show another year."""
        raw = as_text(value, 4).strip()
        if raw in self.year_options:
            self.year = int(raw)
            with self._attempt():
                await self._reload()

    @rx.event
    async def export(self):
        """Download the year's trends as XLSX (officers)."""
        with self._attempt(toast_errors=True) as done:
            data = await self._read(queries.trends_xlsx, year=self.year or _this_year())
        if not done.ok:
            return done.toast
        return rx.download(data=data, filename=f"kiem-tra-van-hoa-cong-so-{self.year}.xlsx")
