"""Reflex state of the commitments pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import reflex as rx

from engagement.commitments import pdf, queries, rules, service
from engagement.commitments.dto import (
    CampaignRow,
    CollectiveRow,
    CompletionRow,
    MyCommitment,
    PersonProgress,
    PublicSignature,
    SignatureInfo,
    TemplateRow,
)
from engagement.core import clock, formats, i18n
from engagement.core.access import Perm, can
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg, N_n
from engagement.org import queries as org_queries
from engagement.settings import get_settings
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.client import client_ip
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text, unit_options

MAX_SCAN_BYTES = 10 * 1024 * 1024
#: What a browser-sent id names, for the refusal of a bad one.
CAMPAIGN, UNIT, TEMPLATE = N_("campaign"), N_("unit"), N_("template")


def _signed(result: SignatureInfo | service.PasswordRefused) -> SignatureInfo:
    """The signature given, or the password refusal as an ``Invalid`` for the form's message.

    The refusal was returned (not raised) so that its failed attempt is already committed;
    raising here, after the transaction, rolls nothing back.
    """
    if isinstance(result, service.PasswordRefused):
        raise Invalid(result.message, result.fields)
    return result


async def _evidence(state: AuthState, f: Form) -> dict[str, Any]:
    """What every signature keeps from the form and the request: typed name, password, client.

    The password goes to the service as a proof, checked here outside any transaction
    (argon2 on the hashing threads); the service settles it in its write transaction.
    """
    password = f.text("password", 256)
    proof = await state._prove_own_password(password) if password else ""
    return {"typed_name": f.text("typed_name", 120), "password": proof,
            "client_ip": client_ip(state), "user_agent": state.router.headers.user_agent}


def _pick(rows: list[Any], value: Any, what: Msg, key: str = "id") -> Any:
    """The row of a list already shown whose ``key`` is the browser-sent id (None for any other value)."""
    try:
        wanted = as_int(value, what)
    except Invalid:
        return None
    return next((r for r in rows if getattr(r, key) == wanted), None)


def _toggled(ticked: list[int], number: Any, count: int) -> list[int]:
    """Clause ``number`` (from 1, at most ``count``) ticked or unticked as read."""
    try:
        n = as_int(number, N_("clause"))
    except Invalid:
        return ticked
    if n > count:
        return ticked
    return [k for k in ticked if k != n] if n in ticked else sorted([*ticked, n])


async def _pdf_download(state: AuthState, signature_id: object):
    with state._attempt(error=None, toast_errors=True) as done:
        facts = await state._read(queries.signature_for_pdf, signature_id=as_int(signature_id, N_("signature")))
        data = await asyncio.to_thread(pdf.render, facts, state._lang())
    return rx.download(data=data, filename=f"cam-ket-{facts['code']}.pdf") if done.ok else done.toast


class MyCommitmentsState(Dialog, AuthState):
    """Staff: my commitments, past years, my pledges; heads and union chairs: collective ones."""

    rows: list[MyCommitment] = []
    collectives: list[CollectiveRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Read my commitments."""
        now = clock.now()
        with self._attempt():
            self.rows, self.collectives = await self._read_each(
                functools.partial(queries.my_commitments, now=now), functools.partial(queries.collectives, now=now))

    @rx.event
    async def download_pdf(self, signature_id: int):
        """The PDF of one of my signatures."""
        return await _pdf_download(self, signature_id)

    # The collective commitment: the unit head signs, the union chair countersigns.
    dialog_title: str = ""
    dialog_clauses: list[str] = []
    ticked: list[int] = []
    dialog_error: str = ""
    _campaign_id: int = 0
    _unit_id: int = 0
    _signature_id: int = 0

    def _on_close(self) -> None:
        self.dialog_error = ""

    def _find(self, campaign_id: object, unit_id: object) -> CollectiveRow | None:
        try:
            cid, uid = as_int(campaign_id, CAMPAIGN), as_int(unit_id, UNIT)
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
    def toggle(self, number: int):
        """Tick or untick a clause of the collective commitment."""
        self.ticked = _toggled(self.ticked, number, len(self.dialog_clauses))

    @rx.event
    async def submit_collective(self, form: dict):
        """Sign or countersign, with typed name and password."""
        if self.dialog not in ("sign", "countersign"):
            return None
        with self._attempt(success=N_("Collective commitment signed."), error="dialog_error") as done:
            evidence = await _evidence(self, Form(form))
            if self.dialog == "sign":
                _signed(await self._call(service.sign_collective, campaign_id=self._campaign_id,
                                         unit_id=self._unit_id, ticked=list(self.ticked), **evidence))
            else:
                _signed(await self._call(service.countersign, signature_id=self._signature_id, **evidence))
            self.dialog = ""
            self.collectives = await self._read(queries.collectives, now=clock.now())
        return done.toast


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
    #: The signing form's refusal (next to its button) and per-field messages (under each field).
    sign_error: str = ""
    sign_error_fields: dict[str, str] = {}
    respond_error: str = ""
    respond_error_fields: dict[str, str] = {}
    busy: bool = False
    done_message: str = ""

    async def _reload(self, campaign_id: int) -> None:
        view = await self._read(queries.sign_view, campaign_id=campaign_id, now=clock.now())
        self.campaign_id = view.campaign_id
        self.name, self.title, self.preamble, self.clauses = view.name, view.title, view.preamble, view.clauses
        self.status, self.due, self.can_sign = view.status, view.due, view.can_sign
        self.blocked_reason, self.unit_name = view.blocked_reason, view.unit_name
        self.code, self.signature_id, self.pledges = view.code, view.signature_id, view.pledges

    @rx.event
    async def load(self):
        """Read the campaign named in the address."""
        self.error = self.respond_error = self.sign_error = self.done_message = ""
        self.sign_error_fields, self.respond_error_fields = {}, {}
        self.ticked, self.campaign_id, self.busy = [], 0, False
        with self._attempt():
            await self._reload(as_int(self.router.page.params.get("campaign_id", ""), CAMPAIGN))

    @rx.event
    def toggle(self, number: int):
        """Tick or untick clause ``number`` (from 1) as read."""
        self.ticked = _toggled(self.ticked, number, len(self.clauses))

    @rx.event
    async def submit(self, form: dict):
        """Sign: typed name and password are checked on the server (argon2 off the loop)."""
        if not self.campaign_id:
            return
        self.respond_error, self.respond_error_fields = "", {}
        with self._attempt(success=N_("Your commitment is signed."), error="sign_error") as done:
            f = Form(form)
            self.busy = True
            yield
            info = _signed(await self._call(
                service.sign, campaign_id=self.campaign_id, ticked=list(self.ticked),
                pledges=rules.split_lines(f.text("pledges", 2000)), **(await _evidence(self, f))))
            self.done_message = self._t("Signed. Your signature code is {code}.", code=info.code)
            await self._reload(self.campaign_id)
        self.busy = False
        if done.ok:
            yield done.toast

    @rx.event
    async def respond(self, form: dict):
        """Decline, or ask for clarification, with a reason."""
        self.sign_error, self.sign_error_fields = "", {}
        with self._attempt(success=N_("Your unit head will see your message."), error="respond_error") as done:
            f = Form(form)
            await self._call(service.respond, campaign_id=self.campaign_id, kind=f.text("kind", 20),
                             reason=f.text("reason", 4000))
            await self._reload(self.campaign_id)
        return done.toast

    @rx.event
    async def download_pdf(self):
        """The PDF of my signature in this campaign."""
        return await _pdf_download(self, self.signature_id)


def _officer_reads(session, *, actor):
    """The officer's extra choices (template versions, the unit tree); None for anyone else."""
    if not can(actor, Perm.MANAGE_COMMITMENTS):
        return None
    return (queries.templates(session, actor=actor),
            org_queries.unit_tree(session, actor=actor, include_inactive=False))


class CampaignsState(Paged, Dialog, AuthState):
    """Officers launch and follow campaigns; unit heads follow their units.

    The paged list is the people of the unit drilled into.
    """

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
    error: str = ""
    form_error: str = ""
    form_error_fields: dict[str, str] = {}
    chain_message: str = ""
    chain_ok: bool = True
    template_rows: list[TemplateRow] = []
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
        self.rows = await self._read(queries.completion, campaign_id=self.selected,
                                     group_id=self.group_id or None, now=clock.now())

    async def _reload(self) -> None:
        """The current page of the drilled unit's people."""
        if not self.drill_unit:
            return
        self.people = self._paged(await self._read(
            queries.people, campaign_id=self.selected, unit_id=self.drill_unit, status=self.drill_status,
            page=self.page, now=clock.now()))

    async def _load(self) -> None:
        self.error = self.form_error = self.chain_message = ""
        self.drill_unit, self.people = 0, []
        with self._attempt():
            self.campaigns, officer, groups = await self._read_each(
                functools.partial(queries.campaigns, now=clock.now()), _officer_reads, org_queries.groups)
            self._can_manage = officer is not None
            if officer is not None:
                self.template_rows, units = officer
                self.templates = [Option(str(tpl.id), f"{tpl.title} (v{tpl.version})")
                                  for tpl in self.template_rows if tpl.is_latest and tpl.kind == rules.Kind.PERSONAL]
                self._collective_id = next((tpl.id for tpl in self.template_rows
                                            if tpl.is_latest and tpl.kind == rules.Kind.COLLECTIVE), 0)
                self.unit_options = unit_options(units, with_code=False)
            self.group_options = [Option(str(g.id), g.name) for g in groups]
            if self.selected not in {c.id for c in self.campaigns}:
                self.selected = self.campaigns[0].id if self.campaigns else 0
            await self._load_completion()

    @rx.event
    async def load(self):
        """Campaigns, the form's choices, and the newest campaign's completion."""
        await self._load()

    @rx.event
    async def select(self, campaign_id: str):
        """Show another campaign's completion."""
        with self._attempt():
            cid = as_int(campaign_id, CAMPAIGN)
            if cid in {c.id for c in self.campaigns}:
                self.selected, self.drill_unit = cid, 0
                await self._load_completion()

    @rx.event
    async def set_group(self, group_id: str):
        """Filter by unit group ("" for all units)."""
        with self._attempt():
            self.group_id = as_int(group_id, N_("group")) if str(group_id).strip() else 0
            await self._load_completion()

    @rx.event
    async def drill(self, unit_id: int):
        """The people of one unit (and its sub-units)."""
        with self._attempt():
            uid = as_int(unit_id, UNIT)
            match = next((r for r in self.rows if r.unit_id == uid), None)
            if match is not None:
                self.drill_unit, self.drill_name, self.page = uid, match.name, 1
                await self._reload()

    @rx.event
    async def set_drill_status(self, status: str):
        """Filter the people by status ("todo": still to sign)."""
        value = as_text(status, 20)
        self.drill_status = value if value in {"", "todo", *queries.STATUS_ORDER} else ""
        self.page = 1
        with self._attempt():
            await self._reload()

    @rx.event
    async def create(self, form: dict):
        """Launch a campaign (officers)."""
        with self._attempt(success=N_("Campaign created."), error="form_error") as done:
            f = Form(form)
            year_text = f.text("year", 4)
            self.selected = await self._call(
                service.create_campaign, year=int(year_text) if year_text.isdigit() else 0,
                name=f.text("name", 200), template_id=f.id("template_id", TEMPLATE),
                unit_ids=[f.id("unit_id", UNIT)], opens_on=f.text("opens_on", 20), due_on=f.text("due_on", 20),
                allow_late=f.flag("allow_late"), positions=f.text("positions", 2000),
                collective_template_id=(self._collective_id or None) if f.flag("collective") else None)
        if done.ok:
            await self._load()
        return done.toast

    async def _set_open(self, fn, campaign_id: object, message: Msg):
        with self._attempt(success=message, error=None, toast_errors=True) as done:
            await self._call(fn, campaign_id=as_int(campaign_id, CAMPAIGN))
            self.campaigns = await self._read(queries.campaigns, now=clock.now())
        return done.toast

    @rx.event
    async def open_now(self, campaign_id: int):
        """Open a draft (or reopen) now."""
        return await self._set_open(service.open_campaign, campaign_id, N_("Campaign open."))

    @rx.event
    async def close_now(self, campaign_id: int):
        """Close an open campaign now."""
        return await self._set_open(service.close_campaign, campaign_id, N_("Campaign closed."))

    @rx.event
    async def remind_now(self):
        """Remind the drilled unit's people who have not signed (at most once a day each)."""
        if not self.selected or not self.drill_unit:
            return None
        with self._attempt(error=None, toast_errors=True) as done:
            n = await self._call(service.remind_now, campaign_id=self.selected, unit_id=self.drill_unit)
            done.success = N_n("Reminded {n} person who has not signed; anyone reminded today was skipped.",
                               "Reminded {n} people who have not signed; anyone reminded today was skipped.", n)
        return done.toast

    @rx.event
    def ask_close(self, campaign_id: int):
        """Ask before closing: the dialog names the campaign and how to undo it."""
        row = _pick(self.campaigns, campaign_id, CAMPAIGN)
        if row is None or not self._can_manage:
            return
        self._target_id, self.target_name, self.dialog, self.dialog_error = row.id, row.name, "close", ""

    @rx.event
    async def confirm_close(self):
        """Close the campaign the dialog asked about."""
        if self.dialog != "close" or not self._target_id:
            return None
        with self._attempt(success=N_("Campaign closed. Changed your mind? “Open now” reopens it while its due "
                                      "date has not passed."), error="dialog_error") as done:
            await self._call(service.close_campaign, campaign_id=self._target_id)
            self.dialog = ""
            self.campaigns = await self._read(queries.campaigns, now=clock.now())
        return done.toast

    @rx.event
    async def export(self, what: str, fmt: str):
        """Download the completion table or the signature register."""
        if not self.selected:
            return None
        fmt = "xlsx" if fmt == "xlsx" else "csv"
        fn = queries.export_register if what == "register" else queries.export_completion
        kw = {} if what == "register" else {"group_id": self.group_id or None}
        with self._attempt(error=None, toast_errors=True) as done:
            data, filename = await self._read(fn, campaign_id=self.selected, fmt=fmt, now=clock.now(), **kw)
        return rx.download(data=data, filename=filename) if done.ok else done.toast

    @rx.event
    async def verify_chain(self):
        """Check the whole signature chain (officers)."""
        with self._attempt(error=None) as done:
            report = await self._read(queries.chain_report)
        self.chain_ok = done.ok and report.intact
        if not done.ok:
            self.chain_message = done.message
        elif report.intact:
            with i18n.using(self._lang()):
                count = formats.number(report.checked, 0)
            self.chain_message = self._tn("Chain intact: {n} signature checked.",
                                          "Chain intact: {n} signatures checked.", report.checked, n=count)
        else:
            self.chain_message = self._t("Chain BROKEN: {breaks}", breaks="; ".join(report.breaks[:10]))
        if done.ok and report.head:
            self.chain_message = f"{self.chain_message} {report.head}."

    # --- dialogs: exception, paper signature, template edit -------------------------------------

    def _on_close(self) -> None:
        self.dialog_error = ""

    async def _recorded(self) -> None:
        """After an exception or a paper signature: close the dialog, count again."""
        self.dialog = ""
        await self._load_completion()
        await self._reload()

    def _open_person(self, kind: str, person_id: object) -> None:
        row = _pick(self.people, person_id, N_("person"), "person_id")
        if row is None:
            return
        self._target_id, self.target_name, self.dialog, self.dialog_error = row.person_id, row.name, kind, ""
        self.paper_reason = ""
        self.paper_date = clock.local_day(clock.now(), get_settings().tz).isoformat()

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
        with self._attempt(success=N_("Exception recorded."), error="dialog_error") as done:
            f = Form(form)
            await self._call(service.set_exception, campaign_id=self.selected, person_id=self._target_id,
                             reason=f.text("reason", 500), due_on=f.text("due_on", 20), exempt=f.flag("exempt"))
            await self._recorded()
        return done.toast

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
        with self._attempt(success=N_("Paper signature recorded."), error="dialog_error") as done:
            scan, name = await uploads.read_upload(self, files, perm=Perm.MANAGE_COMMITMENTS, limit=MAX_SCAN_BYTES,
                                                   default_name="scan",
                                                   too_large=N_("The scan is too large (at most 10 MB)."))
            name = as_text(name or "scan", 150)
            await self._call(service.record_paper_signature, campaign_id=self.selected, person_id=self._target_id,
                             reason=self.paper_reason, scan=scan, scan_name=name, signed_on=self.paper_date)
            await self._recorded()
        return done.toast

    @rx.event
    def open_template(self, template_id: int):
        """Edit a template (publishes a new version)."""
        row = _pick(self.template_rows, template_id, TEMPLATE)
        if row is None:
            return
        self._target_id, self.dialog, self.dialog_error = row.id, "template", ""
        self.edit_title, self.edit_preamble, self.edit_clauses = row.title, row.preamble, "\n".join(row.clauses)

    @rx.event
    async def submit_template(self, form: dict):
        """Publish the edited text as a new version."""
        with self._attempt(success=N_("New template version published. Campaigns keep the version they "
                                      "started with."), error="dialog_error") as done:
            f = Form(form)
            await self._call(service.publish_template, template_id=self._target_id, title=f.text("title", 200),
                             preamble=f.text("preamble", 3000), clauses=rules.split_lines(f.text("clauses", 40000)))
            self.dialog = ""
        if done.ok:
            await self._load()
        return done.toast


class VerifyState(AuthState):
    """The public verify page: no login, no personal data beyond name, unit, campaign, date."""

    sig: PublicSignature = PublicSignature(found=False)
    loaded: bool = False

    @rx.event
    async def load(self):
        """Look the reference in the address up."""
        self.sig = await self._public_read(queries.public_signature,
                                           reference=as_text(self.router.page.params.get("ref", ""), 80))
        self.loaded = True
