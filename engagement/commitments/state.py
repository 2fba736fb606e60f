"""Reflex state of the commitments pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio

import reflex as rx

from engagement.commitments import pdf, queries, rules, service
from engagement.commitments.dto import (
    CampaignRow,
    CollectiveRow,
    CompletionRow,
    MyCommitment,
    PersonProgress,
    TemplateRow,
)
from engagement.core import clock
from engagement.core.access import Perm, can
from engagement.core.db import read_only
from engagement.core.errors import DomainError, Invalid
from engagement.org import queries as org_queries
from engagement.settings import get_settings
from engagement.ui.auth import AuthState, as_int, as_text
from engagement.ui.components import Option

MAX_SCAN_BYTES = 10 * 1024 * 1024


def _now_kw(fn):
    """Queries that need ``now`` get it from the clock here (reads only)."""
    def call(session, *, actor, **kw):
        return fn(session, actor=actor, now=clock.now(), **kw)
    return call


async def _pdf_download(state: AuthState, signature_id: object):
    try:
        sid = as_int(signature_id, "signature")
        facts = await state._read(queries.signature_for_pdf, signature_id=sid)
        data = await asyncio.to_thread(pdf.render, facts)
    except DomainError as exc:
        return rx.toast.error(exc.message)
    return rx.download(data=data, filename=f"cam-ket-{facts['code']}.pdf")


class MyCommitmentsState(AuthState):
    """Staff: my commitments, past years, my pledges; heads and union chairs: collective ones."""

    rows: list[MyCommitment] = []
    collectives: list[CollectiveRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Read my commitments."""
        try:
            self.rows = await self._read(_now_kw(queries.my_commitments))
            self.collectives = await self._read(_now_kw(queries.collectives))
            self.error = ""
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def download_pdf(self, signature_id: int):
        """The PDF of one of my signatures."""
        return await _pdf_download(self, signature_id)

    # The collective commitment: the unit head signs, the union chair countersigns.
    dialog: str = ""
    dialog_title: str = ""
    dialog_clauses: list[str] = []
    ticked: list[int] = []
    dialog_error: str = ""
    _campaign_id: int = 0
    _unit_id: int = 0
    _signature_id: int = 0

    def _find(self, campaign_id: object, unit_id: object) -> CollectiveRow | None:
        try:
            cid, uid = as_int(campaign_id, "campaign"), as_int(unit_id, "unit")
        except Invalid:
            return None
        return next((c for c in self.collectives if c.campaign_id == cid and c.unit_id == uid), None)

    @rx.event
    def open_collective(self, campaign_id: int, unit_id: int, kind: str):
        """Open the sign ("sign") or countersign ("countersign") dialog of a collective commitment."""
        row = self._find(campaign_id, unit_id)
        if row is None or kind not in ("sign", "countersign"):
            return
        self.dialog, self.dialog_title, self.dialog_error, self.ticked = kind, row.title, "", []
        self.dialog_clauses = row.clauses if kind == "sign" else []
        self._campaign_id, self._unit_id, self._signature_id = row.campaign_id, row.unit_id, row.head_signature_id

    @rx.event
    def close_dialog(self, _open: bool = False):
        """Close the dialog."""
        self.dialog = ""

    @rx.event
    def toggle(self, number: int):
        """Tick or untick a clause of the collective commitment."""
        try:
            n = as_int(number, "clause")
        except Invalid:
            return
        if n <= len(self.dialog_clauses):
            self.ticked = [t for t in self.ticked if t != n] if n in self.ticked else sorted([*self.ticked, n])

    @rx.event
    async def submit_collective(self, form: dict):
        """Sign or countersign, with typed name and password."""
        form = form if isinstance(form, dict) else {}
        common = {"typed_name": as_text(form.get("typed_name"), 120),
                  "password": as_text(form.get("password"), 256),
                  "client_ip": self.router.session.client_ip, "user_agent": self.router.headers.user_agent}
        try:
            if self.dialog == "sign":
                await self._call(service.sign_collective, campaign_id=self._campaign_id, unit_id=self._unit_id,
                                 ticked=list(self.ticked), **common)
            elif self.dialog == "countersign":
                await self._call(service.countersign, signature_id=self._signature_id, **common)
            else:
                return None
        except DomainError as exc:
            self.dialog_error = exc.message
            return None
        self.dialog = ""
        self.collectives = await self._read(_now_kw(queries.collectives))
        return rx.toast.success("Collective commitment signed.")


class SignState(AuthState):
    """Reading and signing one campaign's commitment."""

    campaign_id: int = 0
    name: str = ""
    title: str = ""
    preamble: str = ""
    clauses: list[str] = []
    status: str = ""
    due: str = ""
    can_sign: bool = False
    blocked_reason: str = ""
    unit_name: str = ""
    code: str = ""
    signature_id: int = 0
    pledges: list[str] = []
    ticked: list[int] = []
    error: str = ""
    respond_error: str = ""
    busy: bool = False
    done_message: str = ""

    async def _reload(self, campaign_id: int) -> None:
        view = await self._read(_now_kw(queries.sign_view), campaign_id=campaign_id)
        self.campaign_id = view.campaign_id
        self.name, self.title, self.preamble, self.clauses = view.name, view.title, view.preamble, view.clauses
        self.status, self.due, self.can_sign = view.status, view.due, view.can_sign
        self.blocked_reason, self.unit_name = view.blocked_reason, view.unit_name
        self.code, self.signature_id, self.pledges = view.code, view.signature_id, view.pledges

    @rx.event
    async def load(self):
        """Read the campaign named in the address."""
        self.error = self.respond_error = self.done_message = ""
        self.ticked = []
        self.campaign_id = 0
        self.busy = False
        try:
            await self._reload(as_int(self.router.page.params.get("campaign_id", ""), "campaign"))
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    def toggle(self, number: int):
        """Tick or untick clause ``number`` (from 1) as read."""
        try:
            n = as_int(number, "clause")
        except Invalid:
            return
        if n > len(self.clauses):
            return
        self.ticked = [t for t in self.ticked if t != n] if n in self.ticked else sorted([*self.ticked, n])

    @rx.event
    async def submit(self, form: dict):
        """Sign: typed name and password are checked on the server (argon2 off the loop)."""
        form = form if isinstance(form, dict) else {}
        if not self.campaign_id:
            return
        self.busy = True
        yield
        try:
            info = await self._call(
                service.sign, campaign_id=self.campaign_id, ticked=list(self.ticked),
                pledges=rules.split_lines(as_text(form.get("pledges"), 2000)),
                typed_name=as_text(form.get("typed_name"), 120), password=as_text(form.get("password"), 256),
                client_ip=self.router.session.client_ip, user_agent=self.router.headers.user_agent)
        except DomainError as exc:
            self.busy = False
            self.error = exc.message
            return
        self.busy = False
        self.error = ""
        self.done_message = f"Signed. Your signature code is {info.code}."
        await self._reload(self.campaign_id)
        yield rx.toast.success("Your commitment is signed.")

    @rx.event
    async def respond(self, form: dict):
        """Decline, or ask for clarification, with a reason."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.respond, campaign_id=self.campaign_id,
                             kind=as_text(form.get("kind"), 20), reason=as_text(form.get("reason"), 1000))
        except DomainError as exc:
            self.respond_error = exc.message
            return None
        self.respond_error = ""
        await self._reload(self.campaign_id)
        return rx.toast.success("Your unit head will see your message.")

    @rx.event
    async def download_pdf(self):
        """The PDF of my signature in this campaign."""
        return await _pdf_download(self, self.signature_id)


class CampaignsState(AuthState):
    """Officers launch and follow campaigns; unit heads follow their units."""

    campaigns: list[CampaignRow] = []
    templates: list[Option] = []
    unit_options: list[Option] = []
    group_options: list[Option] = []
    selected: int = 0
    group_id: int = 0
    rows: list[CompletionRow] = []
    drill_unit: int = 0
    drill_name: str = ""
    drill_status: str = ""
    people: list[PersonProgress] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    error: str = ""
    form_error: str = ""
    chain_message: str = ""
    chain_ok: bool = True
    template_rows: list[TemplateRow] = []
    dialog: str = ""
    dialog_error: str = ""
    target_name: str = ""
    edit_title: str = ""
    edit_preamble: str = ""
    edit_clauses: str = ""
    paper_reason: str = ""
    paper_date: str = ""
    _target_id: int = 0
    _collective_id: int = 0
    _can_manage: bool = False

    async def _load_completion(self) -> None:
        if not self.selected:
            self.rows = []
            return
        self.rows = await self._read(_now_kw(queries.completion), campaign_id=self.selected,
                                     group_id=self.group_id or None)

    @rx.event
    async def load(self):
        """Campaigns, the form's choices, and the newest campaign's completion."""
        self.error = self.form_error = self.chain_message = ""
        self.drill_unit = 0
        self.people = []
        try:
            self.campaigns = await self._read(_now_kw(queries.campaigns))
            actor = await self._actor()
            self._can_manage = can(actor, Perm.MANAGE_COMMITMENTS)
            if self._can_manage:
                self.template_rows = await self._read(queries.templates)
                self.templates = [Option(str(t.id), f"{t.title} (v{t.version})")
                                  for t in self.template_rows if t.is_latest and t.kind == rules.Kind.PERSONAL]
                self._collective_id = next((t.id for t in self.template_rows
                                            if t.is_latest and t.kind == rules.Kind.COLLECTIVE), 0)
                self.unit_options = [Option(str(u.id), ("\u2003" * u.depth) + u.name)
                                     for u in await self._read(org_queries.unit_tree, include_inactive=False)]
            self.group_options = [Option(str(g.id), g.name) for g in await self._read(org_queries.groups)]
            if self.selected not in {c.id for c in self.campaigns}:
                self.selected = self.campaigns[0].id if self.campaigns else 0
            await self._load_completion()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def select(self, campaign_id: str):
        """Show another campaign's completion."""
        try:
            cid = as_int(campaign_id, "campaign")
        except Invalid:
            return
        if cid in {c.id for c in self.campaigns}:
            self.selected = cid
            self.drill_unit = 0
            try:
                await self._load_completion()
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    async def set_group(self, group_id: str):
        """Filter by unit group ("" for all units)."""
        try:
            self.group_id = as_int(group_id, "group") if str(group_id).strip() else 0
            await self._load_completion()
        except DomainError as exc:
            self.error = exc.message

    async def _people(self) -> None:
        result = await self._read(_now_kw(queries.people), campaign_id=self.selected, unit_id=self.drill_unit,
                                  status=self.drill_status, page=self.page)
        self.people, self.page, self.pages, self.total = result.rows, result.page, result.pages, result.total

    @rx.event
    async def drill(self, unit_id: int):
        """The people of one unit (and its sub-units)."""
        try:
            uid = as_int(unit_id, "unit")
            match = next((r for r in self.rows if r.unit_id == uid), None)
            if match is None:
                return
            self.drill_unit, self.drill_name, self.page = uid, match.name, 1
            await self._people()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def set_drill_status(self, status: str):
        """Filter the people by status ("todo": still to sign)."""
        value = as_text(status, 20)
        self.drill_status = value if value in {"", "todo", *queries.STATUS_ORDER} else ""
        self.page = 1
        if self.drill_unit:
            try:
                await self._people()
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    async def next_page(self):
        """Next page of people."""
        if self.drill_unit and self.page < self.pages:
            self.page += 1
            await self._people()

    @rx.event
    async def prev_page(self):
        """Previous page of people."""
        if self.drill_unit and self.page > 1:
            self.page -= 1
            await self._people()

    @rx.event
    async def create(self, form: dict):
        """Launch a campaign (officers)."""
        form = form if isinstance(form, dict) else {}
        try:
            year_text = as_text(form.get("year"), 4)
            year = int(year_text) if year_text.isdigit() else 0
            cid = await self._call(
                service.create_campaign, year=year, name=as_text(form.get("name"), 200),
                template_id=as_int(form.get("template_id"), "template"),
                unit_ids=[as_int(form.get("unit_id"), "unit")],
                opens_on=as_text(form.get("opens_on"), 20), due_on=as_text(form.get("due_on"), 20),
                allow_late=form.get("allow_late") in ("on", True, "true"),
                positions=as_text(form.get("positions"), 2000),
                collective_template_id=(self._collective_id or None)
                if form.get("collective") in ("on", True, "true") else None)
        except DomainError as exc:
            self.form_error = exc.message
            return None
        self.form_error = ""
        self.selected = cid
        await self.load()
        self.selected = cid
        await self._load_completion()
        return rx.toast.success("Campaign created.")

    async def _set_open(self, fn, campaign_id: object, message: str):
        try:
            await self._call(fn, campaign_id=as_int(campaign_id, "campaign"))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self.campaigns = await self._read(_now_kw(queries.campaigns))
        return rx.toast.success(message)

    @rx.event
    async def open_now(self, campaign_id: int):
        """Open a draft (or reopen) now."""
        return await self._set_open(service.open_campaign, campaign_id, "Campaign open.")

    @rx.event
    async def close_now(self, campaign_id: int):
        """Close an open campaign now."""
        return await self._set_open(service.close_campaign, campaign_id, "Campaign closed.")

    @rx.event
    async def export(self, what: str, fmt: str):
        """Download the completion table or the signature register."""
        fmt = "xlsx" if fmt == "xlsx" else "csv"
        fn = queries.export_register if what == "register" else queries.export_completion
        kw = {} if what == "register" else {"group_id": self.group_id or None}
        if not self.selected:
            return None
        try:
            data, filename = await self._read(_now_kw(fn), campaign_id=self.selected, fmt=fmt, **kw)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        return rx.download(data=data, filename=filename)

    @rx.event
    async def verify_chain(self):
        """Check the whole signature chain (officers)."""
        try:
            report = await self._read(queries.chain_report)
        except DomainError as exc:
            self.chain_message, self.chain_ok = exc.message, False
            return
        self.chain_ok = report.intact
        self.chain_message = (f"Chain intact: {report.checked} signatures checked." if report.intact else
                              f"Chain BROKEN: {'; '.join(report.breaks[:10])}")


    # --- dialogs: exception, paper signature, template edit -------------------------------------

    @rx.event
    def close_dialog(self, _open: bool = False):
        """Close any dialog."""
        self.dialog = ""
        self.dialog_error = ""

    def _open_person(self, kind: str, person_id: object) -> None:
        try:
            pid = as_int(person_id, "person")
        except Invalid:
            return
        row = next((p for p in self.people if p.person_id == pid), None)
        if row is None:
            return
        self._target_id, self.target_name, self.dialog, self.dialog_error = pid, row.name, kind, ""
        self.paper_reason, self.paper_date = "", clock.now().astimezone(get_settings().tz).date().isoformat()

    @rx.event
    def open_exception(self, person_id: int):
        """Give a person their own due date or an exemption."""
        self._open_person("exception", person_id)

    @rx.event
    def open_paper(self, person_id: int):
        """Record a paper signature for a person (officers)."""
        if self._can_manage:
            self._open_person("paper", person_id)

    @rx.event
    async def submit_exception(self, form: dict):
        """Record the exception."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.set_exception, campaign_id=self.selected, person_id=self._target_id,
                             reason=as_text(form.get("reason"), 500), due_on=as_text(form.get("due_on"), 20),
                             exempt=form.get("exempt") in ("on", True, "true"))
        except DomainError as exc:
            self.dialog_error = exc.message
            return None
        self.dialog = ""
        await self._load_completion()
        await self._people()
        return rx.toast.success("Exception recorded.")

    @rx.event
    def set_paper_reason(self, value: str):
        """The reason typed in the paper-signature dialog."""
        self.paper_reason = as_text(value, 500)

    @rx.event
    def set_paper_date(self, value: str):
        """The date written on the paper."""
        self.paper_date = as_text(value, 20)

    @rx.event
    async def submit_paper(self, files: list[rx.UploadFile]):
        """Record the paper signature with its scan."""
        scan, name = b"", "scan"
        try:
            if files:
                upload = files[0]
                scan = await upload.read(MAX_SCAN_BYTES + 1)  # never hold more than the limit + 1
                name = as_text(getattr(upload, "filename", "") or "scan", 150)
            if len(scan) > MAX_SCAN_BYTES:
                raise Invalid("The scan is too large (at most 10 MB).")
            await self._call(service.record_paper_signature, campaign_id=self.selected, person_id=self._target_id,
                             reason=self.paper_reason, scan=scan, scan_name=name, signed_on=self.paper_date)
        except DomainError as exc:
            self.dialog_error = exc.message
            return None
        self.dialog = ""
        await self._load_completion()
        await self._people()
        return rx.toast.success("Paper signature recorded.")

    @rx.event
    def open_template(self, template_id: int):
        """Edit a template (publishes a new version)."""
        try:
            tid = as_int(template_id, "template")
        except Invalid:
            return
        row = next((t for t in self.template_rows if t.id == tid), None)
        if row is None:
            return
        self._target_id, self.dialog, self.dialog_error = tid, "template", ""
        self.edit_title, self.edit_preamble, self.edit_clauses = row.title, row.preamble, "\n".join(row.clauses)

    @rx.event
    async def submit_template(self, form: dict):
        """Publish the edited text as a new version."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.publish_template, template_id=self._target_id,
                             title=as_text(form.get("title"), 200), preamble=as_text(form.get("preamble"), 3000),
                             clauses=rules.split_lines(as_text(form.get("clauses"), 40000)))
        except DomainError as exc:
            self.dialog_error = exc.message
            return None
        self.dialog = ""
        await self.load()
        return rx.toast.success("New template version published. Campaigns keep the version they started with.")


class VerifyState(rx.State):
    """The public verify page: no login, no personal data beyond name, unit, campaign, date."""

    found: bool = False
    intact: bool = False
    loaded: bool = False
    code: str = ""
    content_hash: str = ""
    name: str = ""
    unit: str = ""
    campaign: str = ""
    signed_on: str = ""
    method: str = ""

    @rx.event
    async def load(self):
        """Look the reference in the address up."""
        ref = as_text(self.router.page.params.get("ref", ""), 80)

        def work():
            with read_only() as session:
                return queries.public_signature(session, reference=ref)

        result = await asyncio.to_thread(work)
        self.loaded = True
        self.found, self.intact, self.code = result.found, result.intact, result.code
        self.content_hash, self.name, self.unit = result.content_hash, result.name, result.unit
        self.campaign, self.signed_on, self.method = result.campaign, result.signed_on, result.method
