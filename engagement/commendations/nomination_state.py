"""Reflex state of the nomination pages (issue 15): the list of nominations with the "new
nomination" form, the dossier (hồ sơ đề nghị) of one nomination with every action its status and
the reader's role allow, and the public notice anyone may comment on.

Thin: each handler validates its arguments (a form, an id: all hostile) and calls one service of
``nominations``, which authorises every call. The nomination a dossier page acts on is read from
the route once, at load, into a backend-only var; the nominee, comment or file a handler names
must be one the page listed, and the service re-checks it anyway.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import reflex as rx
from sqlmodel import Session, select

from engagement.commendations import decisions, models, nominations, queries, rules
from engagement.commendations.evidence import COMMITMENT_NAMES
from engagement.commendations.nominations import (
    CommentRow,
    Dossier,
    EventRow,
    NominationRow,
    NomineeView,
    NoticeNominee,
    ReportField,
    VersionRow,
)
from engagement.commendations.state import (
    PersonPicker,
    _listed,
    _listed_year,
    _rated_unit_options,
    this_year,
    year_options,
)
from engagement.core import clock, files, formats, i18n, routes
from engagement.core.access import Actor, Perm, can, path_within
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg
from engagement.org import queries as org_queries
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.client import client_ip
from engagement.ui.components import Option
from engagement.ui.files import file_url
from engagement.ui.kit import Dialog, Form, Paged, as_int, as_text, unit_options

NOMINATION, NOMINEE, COMMENT = N_("nomination"), N_("nominee"), N_("comment")
TITLE, UNIT, STATUS = N_("title"), N_("unit"), N_("status")
#: The upload box of the dossier's attachments.
UPLOAD_ID = "nomination_file"
#: The status filter of the list, in the order of the flow ("" is every status).
STATUS_CHOICES: dict[str, Msg] = dict(rules.NOMINATION_NAMES)
#: What a nomination can be for.
OCCASION_CHOICES: dict[str, Msg] = dict(rules.OCCASIONS)
#: The appraisal choices of one nominee.
APPRAISAL_CHOICES: dict[str, Msg] = {
    rules.APPRAISED_ELIGIBLE: N_("Eligible"),
    rules.APPRAISED_INELIGIBLE: N_("Not eligible"),
}
#: Report fields longer than this get a text box of several lines.
LONG_FIELD = 300


# --- what the dossier page shows (built here from the service's rows) ---------------------------


@dataclass(frozen=True)
class Fact:
    """One line of evidence: a label and its value, both in the reader's language."""

    label: str
    value: str


@dataclass(frozen=True)
class FileLink:
    """An attachment with the authorised address that serves it."""

    id: int
    nominee_id: int
    label: str
    filename: str
    url: str
    is_image: bool
    size: str


@dataclass(frozen=True)
class NomineeCard:
    """A nominee as the dossier shows them: eligibility with its reasons, the appraisal, the
    report's fields and the evidence the app holds, as display text."""

    id: int
    subject: str
    name: str
    unit_name: str
    eligibility: str
    eligibility_label: str
    reasons: list[str]
    may_override: bool
    override_reason: str
    appraisal: str
    appraisal_label: str
    appraisal_note: str
    report: list[ReportField]
    report_missing: list[str]
    facts: list[Fact]
    initiatives: list[str]
    prior_titles: list[str]
    files: list[FileLink]


@dataclass(frozen=True)
class NoticeLink:
    """A public notice listing nominees of this nomination."""

    title: str
    url: str
    opens_on: str
    closes_on: str
    is_open: bool


def _text(message: Msg | str, lang: str) -> str:
    return message.render(lang) if isinstance(message, Msg) else str(message)


def _number(value: Any, lang: str) -> str:
    with i18n.using(lang):
        return formats.number(value if isinstance(value, int | float) else 0, 0)


def _facts(ev: dict, subject: str, year: int, lang: str) -> list[Fact]:
    """The evidence snapshot of a nominee (``NomineeView.evidence``) as labelled lines."""
    out: list[Fact] = []

    def add(label: Msg, value: Msg | str) -> None:
        out.append(Fact(label.render(lang), _text(value, lang)))

    rating = ev.get("rating")
    add(N_("Rating of {year}", year=year),
        rules.LEVEL_NAMES.get(rating, N_("Not rated yet")) if rating else N_("Not rated yet"))
    if subject == rules.INDIVIDUAL:
        add(N_("Conduct commitment"), COMMITMENT_NAMES.get(ev.get("commitment", "none"), COMMITMENT_NAMES["none"]))
    else:
        add(N_("Members"), _number(ev.get("members", 0), lang))
    add(N_("Points in {year}", year=year), _number(ev.get("points", 0), lang))
    rank, rank_of = ev.get("rank"), ev.get("rank_of", 0)
    if rank:
        among = (N_("{rank} of {of} in the unit", rank=rank, of=rank_of) if ev.get("rank_among") == "unit"
                 else N_("{rank} of {of} units at the same level", rank=rank, of=rank_of))
        add(N_("Rank"), among)
    else:
        add(N_("Rank"), N_("No points yet"))
    if subject == rules.INDIVIDUAL:
        add(N_("Recognitions received"), _number(ev.get("recognitions", 0), lang))
        count = ev.get("citizen_count", 0) or 0
        add(N_("Citizens' ratings"), N_("{average} / 5 from {n} rating(s)", average=ev.get("citizen_avg", ""), n=count)
            if count else N_("None"))
    green = ev.get("green") or {}
    if green.get("available"):
        add(N_("Green-office activities approved"), _number(green.get("approved", 0), lang))
    else:
        add(N_("Green-office activities"), N_("Not counted for a person yet"))
    computed = ev.get("computed_on", "")
    if computed:
        with contextlib.suppress(ValueError):
            add(N_("Evidence as of"), formats.day(date.fromisoformat(computed)))
    return out


def _initiative_lines(ev: dict, lang: str) -> list[str]:
    lines = []
    for item in ev.get("initiatives") or []:
        scope = rules.SCOPE_NAMES.get(item.get("scope", ""), "")
        text = N_("{year} · {title} ({scope})", year=item.get("year", ""), title=item.get("title", ""),
                  scope=scope).render(lang)
        if item.get("decision_ref"):
            text += f" · {item['decision_ref']}"
        if item.get("used"):
            text += " · " + N_("already used for an award").render(lang)
        lines.append(text)
    return lines


def _prior_lines(ev: dict) -> list[str]:
    return [" · ".join(str(p) for p in (item.get("year", ""), item.get("title", ""), item.get("decision_ref", ""))
                       if p)
            for item in ev.get("prior_titles") or []]


def _file_link(row: nominations.FileRow, lang: str) -> FileLink:
    with i18n.using(lang):
        size = N_("{kb} KB", kb=formats.number(row.size // 1024 + 1, 0)).render(lang)
    return FileLink(id=row.id, nominee_id=row.nominee_id, label=row.label or row.filename, filename=row.filename,
                    url=file_url(row.file_id), is_image=row.content_type.startswith("image/"), size=size)


def _card(n: NomineeView, year: int, links: list[FileLink], lang: str) -> NomineeCard:
    return NomineeCard(
        id=n.id, subject=n.subject, name=n.name, unit_name=n.unit_name, eligibility=n.eligibility,
        eligibility_label=n.eligibility_label, reasons=n.reasons, may_override=n.may_override,
        override_reason=n.override_reason, appraisal=n.appraisal, appraisal_label=n.appraisal_label,
        appraisal_note=n.appraisal_note, report=n.report, report_missing=n.report_missing,
        facts=_facts(n.evidence, n.subject, year, lang), initiatives=_initiative_lines(n.evidence, lang),
        prior_titles=_prior_lines(n.evidence), files=[f for f in links if f.nominee_id == n.id])


# --- reads the pages make in one trip (each authorised by the service it calls) -----------------


def _list_page(session: Session, *, actor: Actor | None, status: str, mine: bool, page: int,
               now: Any) -> tuple[nominations.NominationPage, list[Option], list[Option]]:
    """The list, the titles and the proposing units the actor may choose, in one transaction.

    Raises:
        NotAllowed: the actor neither proposes nor processes nominations.
    """
    listing = nominations.nominations(session, actor=actor, status=status, mine=mine, page=page, now=now)
    titles = [Option(str(o.id), o.label) for o in queries.title_options(session)]
    if not can(actor, Perm.NOMINATE):
        return listing, titles, []
    if can(actor, Perm.PROCESS_NOMINATIONS):
        units = unit_options(org_queries.unit_tree(session, actor=actor, include_inactive=False), with_code=False)
    else:
        units = _rated_unit_options(queries.rated_units(session, actor=actor))
    return listing, titles, units


def _notices(session: Session, nomination_id: int, today: date) -> list[NoticeLink]:
    """The public notices that list a nominee of this nomination (the caller has checked the reader).

    The dossier does not carry them; the notice itself is public, its address is what matters here.
    """
    nominee_ids = select(models.Nominee.id).where(models.Nominee.nomination_id == nomination_id)
    notice_ids = select(models.NoticeItem.notice_id).where(models.NoticeItem.nominee_id.in_(nominee_ids))
    rows = session.exec(select(models.Notice).where(models.Notice.id.in_(notice_ids)).order_by(models.Notice.id))
    return [NoticeLink(title=n.title, url=routes.notice(n.token), opens_on=formats.day(n.opens_on),
                       closes_on=formats.day(n.closes_on), is_open=rules.notice_open(n.opens_on, n.closes_on, today))
            for n in rows]


def _collective_units(session: Session, actor: Actor | None, unit_id: int) -> list[Option]:
    """The proposing unit and the units below it, for proposing a unit (collective titles)."""
    tree = org_queries.unit_tree(session, actor=actor, include_inactive=False)
    top = next((u for u in tree if u.id == unit_id), None)
    if top is None:
        return []
    below = [replace(u, depth=u.depth - top.depth) for u in tree if path_within(u.path, top.path)]
    return unit_options(below, with_code=False)


def _dossier_page(session: Session, *, actor: Actor | None, nomination_id: int,
                  today: date) -> tuple[Dossier, list[NoticeLink], list[Option]]:
    """The dossier, its public notices and (while a collective dossier is editable) the units one may
    propose, in one transaction.

    Raises:
        NotFound: no such nomination, or one the actor may not see.
    """
    dossier = nominations.dossier(session, actor=actor, nomination_id=nomination_id)
    units = _collective_units(session, actor, dossier.unit_id) \
        if dossier.can_edit and dossier.subject == rules.COLLECTIVE else []
    return dossier, _notices(session, dossier.id, today), units


# --- the list and the "new nomination" form ------------------------------------------------------


class NominationsState(Paged, Dialog, AuthState):
    """Nominations the actor proposes (their units) or processes (officers): filtered, paged; and
    the form that starts a new one and opens its dossier."""

    rows: list[NominationRow] = []
    status: str = ""
    mine: bool = False
    years: list[Option] = []
    default_year: str = ""
    titles: list[Option] = []
    units: list[Option] = []
    error: str = ""
    form_error: str = ""
    form_key: int = 0

    def _on_close(self) -> None:
        self.form_error = ""

    async def _reload(self) -> None:
        self.rows = self._paged(await self._read(nominations.nominations, status=self.status, mine=self.mine,
                                                 page=self.page, now=clock.now()))

    async def _turn(self) -> None:
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self.rows = []

    @rx.event
    async def load(self):
        """Page load: the first page of the list, the titles and my units, in one read."""
        self.error = self.form_error = ""
        self.dialog, self.page = "", 1
        self.years, self.default_year = year_options(), str(this_year())
        if self.status not in STATUS_CHOICES:
            self.status = ""
        with self._attempt() as done:
            listing, self.titles, self.units = await self._read(
                _list_page, status=self.status, mine=self.mine, page=1, now=clock.now())
            self.rows = self._paged(listing)
        if not done.ok:
            self.rows, self.titles, self.units = [], [], []

    @rx.event
    async def select_status(self, value: str):
        """Only one status ("" for every status)."""
        wanted = as_text(value, 20).strip()
        self.status, self.page = (wanted if wanted in STATUS_CHOICES else ""), 1
        return await self._turn()

    @rx.event
    async def set_mine(self, value: bool):
        """Only the nominations I started."""
        self.mine, self.page = value is True, 1
        return await self._turn()

    @rx.event
    def open_new(self):
        """Open the "new nomination" form."""
        self.form_error, self.dialog = "", "new"
        self.form_key += 1

    @rx.event
    async def create(self, form: dict):
        """Start a nomination as a draft, then open its dossier."""
        with self._attempt(success=N_("The nomination is started as a draft: add the nominees."),
                           error="form_error") as done:
            f = Form(form)
            year = _listed_year(f.stripped("year", 6))
            title_id = _listed(f.stripped("title_id", 12), [as_int(o.value) for o in self.titles], TITLE)
            unit_id = _listed(f.stripped("unit_id", 12), [as_int(o.value) for o in self.units], UNIT)
            occasion = f.stripped("occasion", 12)
            new_id = await self._call(
                nominations.create_nomination, year=year, title_id=title_id, unit_id=unit_id,
                occasion=occasion if occasion in OCCASION_CHOICES else "", occasion_ref=f.stripped("occasion_ref", 300),
                reference=f.stripped("reference", 120), summary=f.text("summary", 4000))
            self.dialog = ""
        if not done.ok:
            return None
        return [done.toast, rx.redirect(routes.nomination(new_id))]


# --- the dossier ----------------------------------------------------------------------------------


class DossierState(PersonPicker, Dialog, AuthState):
    """One nomination's dossier: the status and its history, the versions, the nominees with their
    eligibility, evidence, report and attachments, the public notices and comments, and the
    actions of the proposer (edit, submit) and of the officers (receive, return, appraise,
    override, publish, close, answer)."""

    found: bool = False
    dossier_id: int = 0
    year: int = 0
    title: str = ""
    title_name: str = ""
    subject: str = ""
    unit_name: str = ""
    reference: str = ""
    summary: str = ""
    occasion_label: str = ""
    occasion_ref: str = ""
    status: str = ""
    status_label: str = ""
    version: int = 0
    due_on: str = ""
    nominees: list[NomineeCard] = []
    files: list[FileLink] = []
    events: list[EventRow] = []
    versions: list[VersionRow] = []
    comments: list[CommentRow] = []
    notices: list[NoticeLink] = []
    unit_choices: list[Option] = []
    attach_targets: list[Option] = []
    # What the page offers (display only: every service checks the actor and the status itself).
    can_edit: bool = False
    can_process: bool = False
    may_submit: bool = False
    may_receive: bool = False
    may_return: bool = False
    may_appraise: bool = False
    may_override: bool = False
    may_publish: bool = False
    may_close: bool = False
    may_upward: bool = False  # a second copy of the dossier sent to the higher level
    unanswered: int = 0
    error: str = ""
    action_error: str = ""
    nominee_error: str = ""
    report_error: str = ""
    report_error_id: int = 0
    file_error: str = ""
    dialog_error: str = ""
    comment_error: str = ""
    upload_info: str = ""
    dialog_label: str = ""
    dialog_reasons: list[str] = []
    notice_title: str = ""
    notice_days: str = ""
    form_key: int = 0
    _nomination_id: int = 0
    _unit_id: int = 0
    _target_id: int = 0
    _upload: bytes = b""
    _upload_name: str = ""

    # -- helpers --

    def _search_unit(self) -> int | None:
        # People are searched in the proposing unit and below it only (the service re-checks).
        return self._unit_id or -1

    def _on_close(self) -> None:
        self._target_id = 0
        self.dialog_error, self.dialog_label, self.dialog_reasons = "", "", []

    def _forget_upload(self) -> None:
        self._upload, self._upload_name, self.upload_info = b"", "", ""

    def _clear(self) -> None:
        self.found, self.dossier_id, self._nomination_id, self._unit_id = False, 0, 0, 0
        self.nominees, self.files, self.events, self.versions, self.comments, self.notices = [], [], [], [], [], []
        self.unit_choices, self.attach_targets = [], []
        self.title = self.title_name = self.status = self.status_label = self.unit_name = ""
        self.can_edit = self.can_process = False
        self.may_submit = self.may_receive = self.may_return = self.may_appraise = False
        self.may_override = self.may_publish = self.may_close = self.may_upward = False

    def _show(self, dossier: Dossier, notices: list[NoticeLink], units: list[Option]) -> None:
        lang = self._lang()
        links = [_file_link(row, lang) for row in dossier.files]
        self.found, self.dossier_id, self._nomination_id, self._unit_id = True, dossier.id, dossier.id, dossier.unit_id
        self.year, self.title, self.title_name, self.subject = dossier.year, dossier.title, dossier.title_name, \
            dossier.subject
        self.unit_name, self.reference, self.summary = dossier.unit_name, dossier.reference, dossier.summary
        self.occasion_label, self.occasion_ref = dossier.occasion_label, dossier.occasion_ref
        self.status, self.status_label, self.version, self.due_on = dossier.status, dossier.status_label, \
            dossier.version, dossier.due_on
        self.nominees = [_card(n, dossier.year, links, lang) for n in dossier.nominees]
        self.files = [f for f in links if not f.nominee_id]
        self.events, self.versions, self.comments, self.notices = dossier.events, dossier.versions, \
            dossier.comments, notices
        self.unit_choices = units
        self.attach_targets = [Option(str(n.id), n.name) for n in dossier.nominees]
        self.can_edit, self.can_process = dossier.can_edit, dossier.can_process
        status, officer = dossier.status, dossier.can_process
        self.may_submit = dossier.can_edit and (status, rules.SUBMITTED) in rules.NOMINATION_FLOW
        self.may_receive = officer and (status, rules.RECEIVED) in rules.NOMINATION_FLOW
        self.may_return = officer and (status, rules.RETURNED) in rules.NOMINATION_FLOW
        self.may_appraise = officer and (status, rules.APPRAISED) in rules.NOMINATION_FLOW
        self.may_override = officer and status in nominations.OVERRIDABLE
        self.may_publish = officer and (status, rules.NOTICE) in rules.NOMINATION_FLOW
        self.may_close = officer and (status, rules.CLOSED) in rules.NOMINATION_FLOW
        self.may_upward = officer and status == rules.PROPOSED
        self.unanswered = sum(1 for c in dossier.comments if not c.answered_at)
        self.form_key += 1

    async def _reload(self) -> None:
        shown = await self._read(_dossier_page, nomination_id=as_int(self._nomination_id, NOMINATION),
                                 today=queries.today(clock.now()))
        self._show(*shown)

    def _listed_nominee(self, value: Any) -> NomineeCard:
        wanted = as_int(value, NOMINEE)
        found = next((n for n in self.nominees if n.id == wanted), None)
        if found is None:
            raise Invalid("Choose a {what} from the list.", what=NOMINEE)
        return found

    async def _act(self, fn: Any, *, success: Msg, error: str = "action_error", target: str = "nomination_id",
                   **kwargs: Any) -> Any:
        """One service on this nomination (passed as ``target``: "nomination_id", "nomination_ids" or ""
        for none), then the dossier read again; a refusal shows in ``error``."""
        with self._attempt(success=success, error=error, toast_errors=True) as done:
            if target:
                nomination_id = as_int(self._nomination_id, NOMINATION)
                kwargs[target] = [nomination_id] if target == "nomination_ids" else nomination_id
            await self._call(fn, **kwargs)
            self.dialog, self._target_id = "", 0
            await self._reload()
        return done.toast

    # -- load --

    @rx.event
    async def load(self):
        """Page load: the nomination of the address, with everything the reader may see, in one read."""
        self.error = self.action_error = self.nominee_error = self.report_error = self.file_error = ""
        self.comment_error = ""
        self.report_error_id = 0
        self.dialog = ""
        self._on_close()
        self._clear_pick()
        self._forget_upload()
        self._clear()
        with self._attempt():
            self._nomination_id = as_int(self.router.page.params.get("nomination_id", ""), NOMINATION)
            await self._reload()
        if self.error:
            self._clear()

    # -- the proposer: nominees, reports, attachments, submit --

    @rx.event
    async def add_person(self):
        """Propose the person picked (individual titles)."""
        with self._attempt(error="nominee_error", toast_errors=True) as done:
            if not self._picked:
                raise Invalid("Find the person first: type a name and pick them from the list.")
            person_id = next(iter(self._picked))
            await self._call(nominations.add_nominee, nomination_id=as_int(self._nomination_id, NOMINATION),
                             person_id=person_id)
            done.success = N_("{name} is proposed.", name=self._picked[person_id].split(" · ")[0])
            self._clear_pick()
            await self._reload()
        return done.toast

    @rx.event
    async def add_unit(self, form: dict):
        """Propose a unit of the proposing unit's subtree (collective titles)."""
        with self._attempt(success=N_("The unit is proposed."), error="nominee_error", toast_errors=True) as done:
            unit_id = _listed(Form(form).stripped("unit_id", 12), [as_int(o.value) for o in self.unit_choices], UNIT)
            await self._call(nominations.add_nominee, nomination_id=as_int(self._nomination_id, NOMINATION),
                             unit_id=unit_id)
            await self._reload()
        return done.toast

    @rx.event
    async def remove_nominee(self, nominee_id: int):
        """Take a nominee out of the draft (or returned) nomination."""
        with self._attempt(success=N_("The nominee is taken out of the nomination."), error="nominee_error",
                           toast_errors=True) as done:
            nominee = self._listed_nominee(nominee_id)
            await self._call(nominations.remove_nominee, nominee_id=nominee.id)
            await self._reload()
        return done.toast

    @rx.event
    async def save_report(self, form: dict):
        """Save a nominee's achievement report (the fields of the form for the nominee's subject)."""
        nominee_id = 0
        with self._attempt(success=N_("The achievement report is saved."), error="report_error",
                           toast_errors=True) as done:
            f = Form(form)
            nominee = self._listed_nominee(f.stripped("nominee_id", 12))
            nominee_id = nominee.id
            limits = rules.report_fields(nominee.subject)
            fields = {name: f.text(name, limit + 200) for name, limit in limits.items() if name in f.data}
            await self._call(nominations.set_report, nominee_id=nominee.id, fields=fields)
            await self._reload()
        self.report_error_id = 0 if done.ok else nominee_id
        return done.toast

    @rx.event
    async def keep_upload(self, files_: list[rx.UploadFile]):
        """Keep a chosen file (PDF or image) for the attachment form; its content is checked on attaching."""
        self._forget_upload()
        self.file_error = ""
        with self._attempt(error="file_error"):
            data, name = await uploads.read_upload(self, files_, perm=Perm.NOMINATE, limit=files.MAX_UPLOAD_BYTES,
                                                   default_name="ho-so")
            if not data:
                return
            name = as_text(name, 200)
            self._upload, self._upload_name = data, name
            with i18n.using(self._lang()):
                size = formats.number(len(data) // 1024 + 1, 0)
            self.upload_info = self._t("File ready: {name} ({kb} KB)", name=name, kb=size)

    @rx.event
    def forget_upload(self):
        """Forget the file chosen for an attachment."""
        self._forget_upload()

    @rx.event
    async def attach(self, form: dict):
        """Attach the file kept to the dossier or to one of its nominees, with a label."""
        with self._attempt(success=N_("The file is attached."), error="file_error", toast_errors=True) as done:
            f = Form(form)
            if not self._upload:
                raise Invalid("Choose a PDF or an image file first.")
            target = f.stripped("nominee_id", 12)
            nominee_id = self._listed_nominee(target).id if target not in ("", "0") else None
            await self._call(nominations.attach_file, nomination_id=as_int(self._nomination_id, NOMINATION),
                             nominee_id=nominee_id, data=self._upload, name=self._upload_name,
                             label=f.stripped("label", 200))
            self._forget_upload()
            await self._reload()
        if not done.ok:
            return done.toast
        return [done.toast, rx.clear_selected_files(UPLOAD_ID)]

    @rx.event
    async def submit(self):
        """Submit the dossier to the emulation officers (a version of it is kept)."""
        return await self._act(nominations.submit, success=N_("The nomination is submitted to the emulation "
                                                              "officers."))

    # -- the officers --

    @rx.event
    async def receive(self):
        """Receive the submitted dossier as complete: the appraisal deadline starts."""
        return await self._act(nominations.receive, success=N_("The nomination is received; appraise it before "
                                                               "the deadline."))

    @rx.event
    def open_return(self):
        """Ask what the proposer must complete before returning the dossier."""
        self._on_close()
        self.dialog = "return"

    @rx.event
    async def submit_return(self, form: dict):
        """Return the dossier to the proposer with the reason."""
        with self._attempt(error="dialog_error"):
            reason = Form(form).stripped("reason", 1000)
        if self.dialog_error:
            return None
        return await self._act(nominations.return_for_completion, success=N_("The nomination is returned to the "
                                                                             "proposer."),
                               error="dialog_error", reason=reason)

    @rx.event
    async def appraise(self, form: dict):
        """Record the appraisal of every nominee: eligible or not eligible, with a note."""
        with self._attempt(error="action_error"):
            f = Form(form)
            outcomes = {n.id: (f.stripped(f"outcome_{n.id}", 20), f.stripped(f"note_{n.id}", 1000))
                        for n in self.nominees}
        if self.action_error:
            return rx.toast.error(self.action_error)
        return await self._act(nominations.appraise, success=N_("The appraisal is recorded."),
                               outcomes=outcomes)

    @rx.event
    def open_override(self, nominee_id: int):
        """Ask for the written reason before letting a nominee who misses one criterion go forward."""
        with self._attempt(error=None):
            nominee = self._listed_nominee(nominee_id)
            if self.may_override and nominee.may_override:
                self._on_close()
                self._target_id = nominee.id
                self.dialog_label, self.dialog_reasons = nominee.name, nominee.reasons
                self.dialog = "override"

    @rx.event
    async def submit_override(self, form: dict):
        """Override the one missed criterion with the reason (it stays on the dossier)."""
        with self._attempt(error="dialog_error"):
            reason = Form(form).stripped("reason", 1000)
            nominee_id = as_int(self._target_id, NOMINEE)
        if self.dialog_error:
            return None
        return await self._act(nominations.override, success=N_("The override is recorded with your reason."),
                               error="dialog_error", target="", nominee_id=nominee_id,
                               reason=reason)

    @rx.event
    def open_publish(self):
        """Prepare the public notice: a title and how many working days it stays open."""
        self._on_close()
        self.notice_title = self._t("Public notice of the nominees for {title} {year}", title=self.title,
                                    year=self.year)
        self.notice_days = str(nominations.NOTICE_DAYS)
        self.form_key += 1
        self.dialog = "publish"

    @rx.event
    async def submit_publish(self, form: dict):
        """Publish the nominees appraised eligible on a public notice open for comments from today."""
        with self._attempt(error="dialog_error"):
            f = Form(form)
            title, days = f.stripped("title", 300), f.number("days", default=nominations.NOTICE_DAYS,
                                                             what=N_("number of working days"))
        if self.dialog_error:
            return None
        return await self._act(nominations.publish_notice, success=N_("The public notice is published."),
                               error="dialog_error", target="nomination_ids", title=title, days=days)

    @rx.event
    def open_close(self):
        """Ask why before closing the nomination without an award."""
        self._on_close()
        self.dialog = "close"

    @rx.event
    async def submit_close(self, form: dict):
        """Close the nomination without an award, with the reason."""
        with self._attempt(error="dialog_error"):
            reason = Form(form).stripped("reason", 1000)
        if self.dialog_error:
            return None
        return await self._act(nominations.close, success=N_("The nomination is closed."), error="dialog_error",
                               reason=reason)

    @rx.event
    async def download_upward(self):
        """The dossier sent to the higher level (the PDF and the list as XLSX), made again."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            dossier = await self._read(decisions.upward_dossier, nomination_id=as_int(self._nomination_id, NOMINATION),
                                       now=clock.now(), lang=self._lang())
        if not done.ok:
            return done.toast
        return [rx.download(data=dossier.pdf, filename=dossier.pdf_name),
                rx.download(data=dossier.xlsx, filename=dossier.xlsx_name)]

    @rx.event
    async def answer(self, form: dict):
        """Answer a public comment (the council cannot open while one is unanswered)."""
        with self._attempt(success=N_("The answer is recorded."), error="comment_error", toast_errors=True) as done:
            f = Form(form)
            comment_id = _listed(f.stripped("comment_id", 12), [c.id for c in self.comments], COMMENT)
            await self._call(nominations.answer_comment, comment_id=comment_id, answer=f.text("answer", 4000))
            await self._reload()
        return done.toast


# --- the public notice (no login) ---------------------------------------------------------------


class NoticeState(AuthState):
    """The public notice a citizen opens from its link: the nominees, and comments while it is open."""

    found: bool = False
    title: str = ""
    opens_on: str = ""
    closes_on: str = ""
    is_open: bool = False
    nominees: list[NoticeNominee] = []
    choices: list[Option] = []
    done: bool = False
    done_message: str = ""
    error: str = ""
    busy: bool = False
    form_key: int = 0
    _token: str = ""

    async def _reload(self) -> None:
        page = await self._public_read(nominations.notice_page, token=self._token,
                                       today=queries.today(clock.now()))
        self.found, self.title, self.opens_on, self.closes_on = True, page.title, page.opens_on, page.closes_on
        self.is_open, self.nominees = page.is_open, page.nominees
        self.choices = [Option(str(n.nominee_id), f"{n.name} · {n.unit_name}") for n in page.nominees]

    @rx.event
    async def load(self):
        """Page load: the notice of the address (an unknown one says so)."""
        self.done, self.done_message, self.error, self.busy = False, "", "", False
        self.found, self.nominees, self.choices, self.is_open = False, [], [], False
        self._token = as_text(self.router.page.params.get("token", ""), 64).strip()
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self.found, self._token = False, ""
        self.form_key += 1

    @rx.event
    async def submit(self, form: dict):
        """Send a comment (name and contact optional); the service keeps its rate limit."""
        self.busy = True
        yield
        with self._attempt() as done:
            f = Form(form)
            nominee = f.stripped("nominee_id", 12)
            nominee_id = _listed(nominee, [as_int(o.value) for o in self.choices], NOMINEE) \
                if nominee not in ("", "0") else None
            await self._public(nominations.submit_comment, token=self._token, nominee_id=nominee_id,
                               name=f.stripped("name", 120), contact=f.stripped("contact", 200),
                               text=f.text("text", 4000), client_ip=client_ip(self))
        self.busy = False
        if done.ok:
            self.done = True
            self.done_message = self._t("Thank you! Your comment has been recorded; the emulation officers "
                                        "answer every comment before the council meets.")
            self.form_key += 1

    @rx.event
    async def write_another(self):
        """Back to the form for another comment (the notice is read again: it may have closed)."""
        self.done, self.done_message, self.error = False, "", ""
        with self._attempt() as done:
            if not self._token:
                raise Invalid("This notice does not exist. Check the address you were given.")
            await self._reload()
        if not done.ok:
            self.found = False
        self.form_key += 1

