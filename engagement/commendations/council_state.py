"""Reflex state of the council pages (issue 15): the sessions (officers schedule them; members see
theirs), and one session as its secretary runs it (attendance, opening, rounds, written votes,
closing, the minutes) and as a member votes in it.

Thin: each handler validates its arguments (a form, an id: all hostile) and calls one service of
``council``, which authorises every call. The session a page acts on is read from the route once,
at load, into a backend-only var; the item, member or nominee a handler names must be one the page
listed, and the service re-checks it anyway.

The secret ballot: a vote's choice travels only in the event that casts it. No var (public or
backend) ever holds it; after voting the page says "Your vote is recorded", and the results of a
round appear only once the secretary has closed it (the service gives no counts before).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx
from sqlmodel import Session

from engagement.commendations import council, minutes, rules, service
from engagement.commendations.council import AgendaChoice, MemberRow, SessionView
from engagement.commendations.dto import DisciplineRow, HoldRow
from engagement.core import clock, routes
from engagement.core.access import Actor, Perm, can, require_login
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.i18n import N_, Msg
from engagement.settings import get_settings
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, as_int, as_text

SESSION, MEMBER, NOMINEE = N_("council session"), N_("member"), N_("nominee")
ITEM = NOMINEE
#: The quorum a session may ask for, as a share of ALL members (``council.schedule_session``).
QUORUM_CHOICES: dict[str, Msg] = {
    "2/3": N_("Two thirds of all members (2/3)"),
    "3/4": N_("Three quarters of all members (3/4)"),
    "4/5": N_("Four fifths of all members (4/5)"),
}
#: A member's attendance as the secretary records it.
ATTENDANCE_CHOICES: dict[str, Msg] = {
    "present": N_("Present"),
    "written": N_("Absent, votes in writing"),
    "absent": N_("Absent"),
}
#: How far ahead the "schedule a session" form proposes the day.
DEFAULT_DAYS_AHEAD = 7


# --- what the pages show (built here from the service's rows) ------------------------------------


@dataclass(frozen=True)
class SessionLine:
    """A session in a list, with a link to its page."""

    id: int
    title: str
    scheduled_at: str
    place: str
    status: str
    status_label: str
    position_label: str  # the reader's seat ("" in the officers' list)
    to_vote: int  # nominees the reader may vote on now
    url: str


@dataclass(frozen=True)
class AgendaLine:
    """A nominee the officer may tick for a new session's agenda."""

    nominee_id: int
    name: str
    unit_name: str
    title_name: str
    year: int
    notice_closes: str
    url: str  # the dossier


@dataclass(frozen=True)
class RoundLine:
    """One round of an item: "Voting: n of m have voted" while open, the counts once closed."""

    round: int
    closed: bool
    status: str
    voters: str  # who has voted, never how (the secretary's view only; "" otherwise)


@dataclass(frozen=True)
class ItemCard:
    """A nominee on the agenda as the session page shows it."""

    item_id: int
    position: int
    nominee_name: str
    unit_name: str
    title_name: str
    year: int
    dossier_url: str
    round: int
    round_open: bool
    outcome: str
    outcome_label: str
    recusals: list[str]
    rounds: list[RoundLine]
    my_recused: bool
    my_voted: bool
    my_can_vote: bool
    may_open_round: bool  # a first or second round may be opened (the service checks the order)
    may_read_records: bool = False  # an individual nominee, a session not yet closed (the service decides)


def _quorum(value: Any) -> tuple[int, int]:
    """A quorum chosen from ``QUORUM_CHOICES``."""
    text = as_text(value, 20).strip() or "2/3"
    if text not in QUORUM_CHOICES:
        raise Invalid("The quorum is a share of all members, such as 2/3 or 4/5.", {"quorum": N_("Not valid")})
    num, den = text.split("/")
    return int(num), int(den)


def _moment(value: Any) -> datetime:
    """A ``datetime-local`` input's value (the organisation's local time) as aware UTC."""
    text = as_text(value, 25).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if not text or moment is None or moment.tzinfo is not None:
        raise Invalid("Choose the day and time of the session.", {"scheduled_at": N_("Required")})
    return moment.replace(tzinfo=get_settings().tz).astimezone(UTC)


def _listed(value: Any, ids: list[int], what: Msg) -> int:
    """An id that must be one the page listed."""
    wanted = as_int(value, what)
    if wanted not in ids:
        raise Invalid("Choose a {what} from the list.", what=what)
    return wanted


def _line(view: SessionView, *, mine: bool) -> SessionLine:
    position = rules.POSITION_NAMES[view.my_position].render() if mine and view.my_position else ""
    return SessionLine(id=view.id, title=view.title, scheduled_at=view.scheduled_at, place=view.place,
                       status=view.status, status_label=view.status_label, position_label=position,
                       to_vote=sum(1 for i in view.items if i.my_can_vote) if mine else 0,
                       url=routes.council_session(view.id))


def _card(view: SessionView, item: council.ItemRow, *, secretary: bool) -> ItemCard:
    return ItemCard(
        item_id=item.item_id, position=item.position, nominee_name=item.nominee_name, unit_name=item.unit_name,
        title_name=item.title_name, year=item.year,
        dossier_url=routes.nomination(item.nomination_id) if item.nomination_id else "",
        round=item.round, round_open=item.round_open, outcome=item.outcome, outcome_label=item.outcome_label,
        recusals=[f"{r.name} ({r.reason_label})" for r in item.recusals],
        rounds=[RoundLine(round=r.round, closed=r.closed, status=r.status,
                          voters=", ".join(r.voters) if secretary else "") for r in item.rounds],
        my_recused=item.my_recused, my_voted=item.my_voted, my_can_vote=item.my_can_vote,
        may_open_round=(view.status == rules.SESSION_OPEN and not item.round_open and not item.outcome
                        and item.round < rules.MAX_ROUNDS),
        may_read_records=(bool(item.person_id) and view.status != rules.SESSION_CLOSED and bool(view.my_position)
                          and not item.my_recused))


def _written_choices(view: SessionView, item: council.ItemRow) -> list[Option]:
    """The absent members voting in writing who may vote on an item (not recused); "(has voted)"
    after the name of those who took part in the open round already."""
    recused = {r.person_id for r in item.recusals}
    voted = set(item.rounds[-1].voters) if item.round_open and item.rounds else set()
    out = []
    for m in view.members:
        if m.written and not m.present and m.person_id not in recused:
            label = m.name + (" ✓" if m.name in voted else "")
            out.append(Option(str(m.person_id), label))
    return out


# --- reads the pages make in one trip (each authorised by the service it calls) -----------------


@dataclass(frozen=True)
class _CouncilPage:
    officer: bool
    member: bool
    sessions: list[SessionLine]
    mine: list[SessionLine]
    chairs: list[Option]
    nominees: list[AgendaLine]


def _council_page(session: Session, *, actor: Actor | None) -> _CouncilPage:
    """The officers' sessions with the choices of a new one, and the reader's own sessions.

    Raises:
        NotAllowed: neither an emulation officer nor a council member.
    """
    actor = require_login(actor)
    officer, member = can(actor, Perm.PROCESS_NOMINATIONS), can(actor, Perm.VOTE)
    if not officer and not member:
        raise NotAllowed("Only emulation officers and council members can open the council's sessions.")
    listed, chairs, nominees = [], [], []
    if officer:
        listed = [SessionLine(id=i, title=title, scheduled_at=when, place="", status="", status_label=label,
                              position_label="", to_vote=0, url=routes.council_session(i))
                  for i, title, when, label in council.sessions(session, actor=actor)]
        chairs = [Option(str(m.person_id), f"{m.name} · {m.unit_name}" if m.unit_name else m.name)
                  for m in council.council_members(session, actor=actor)]
        nominees = [_agenda_line(c) for c in council.schedulable_nominees(session, actor=actor)]
    # An officer without a seat has no sessions of their own; anyone with one sees them.
    mine = [_line(v, mine=True) for v in council.my_sessions(session, actor=actor)]
    return _CouncilPage(officer=officer, member=member or bool(mine), sessions=listed, mine=mine, chairs=chairs,
                        nominees=nominees)


def _agenda_line(c: AgendaChoice) -> AgendaLine:
    return AgendaLine(nominee_id=c.nominee_id, name=c.name, unit_name=c.unit_name, title_name=c.title_name,
                      year=c.year, notice_closes=c.notice_closes, url=routes.nomination(c.nomination_id))


def _session_page(session: Session, *, actor: Actor | None,
                  session_id: int) -> tuple[SessionView, bool, bool]:
    """The session as its secretary or an officer runs it (True), else as a member reads it (False);
    and whether the reader is a member recorded absent.

    Raises:
        NotAllowed: neither the secretary, an officer nor a member. NotFound: no such session.
    """
    actor = require_login(actor)
    try:
        view, runs = council.secretary_view(session, actor=actor, session_id=session_id), True
    except NotAllowed:
        view, runs = council.my_session(session, actor=actor, session_id=session_id), False
    me = next((m for m in view.members if m.person_id == actor.person_id), None)
    return view, runs, me is not None and not me.present


# --- the sessions -------------------------------------------------------------------------------


class CouncilState(Dialog, AuthState):
    """Officers: every session and "schedule a session"; council members: the sessions they sit in."""

    is_officer: bool = False
    is_member: bool = False
    sessions: list[SessionLine] = []
    mine: list[SessionLine] = []
    chairs: list[Option] = []
    nominees: list[AgendaLine] = []
    default_when: str = ""
    min_when: str = ""
    error: str = ""
    form_error: str = ""
    form_key: int = 0

    def _on_close(self) -> None:
        self.form_error = ""

    def _clear(self) -> None:
        self.is_officer = self.is_member = False
        self.sessions, self.mine, self.chairs, self.nominees = [], [], [], []

    async def _reload(self) -> None:
        page = await self._read(_council_page)
        self.is_officer, self.is_member = page.officer, page.member
        self.sessions, self.mine, self.chairs, self.nominees = page.sessions, page.mine, page.chairs, page.nominees

    @rx.event
    async def load(self):
        """Page load: the sessions, and for officers the members and nominees a new one may take."""
        self.error = self.form_error = ""
        self.dialog = ""
        local = clock.local(clock.now(), get_settings().tz)
        self.min_when = local.strftime("%Y-%m-%dT%H:%M")
        self.default_when = (local + timedelta(days=DEFAULT_DAYS_AHEAD)).replace(
            hour=8, minute=0).strftime("%Y-%m-%dT%H:%M")
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self._clear()

    @rx.event
    def open_schedule(self):
        """Open the "schedule a session" form."""
        self.form_error, self.dialog = "", "schedule"
        self.form_key += 1

    @rx.event
    async def schedule(self, form: dict):
        """Schedule a session with the ticked nominees; every council member is told; its page opens."""
        with self._attempt(success=N_("The session is scheduled and every council member is told."),
                           error="form_error") as done:
            f = Form(form)
            listed = [int(o.value) for o in self.chairs]
            chair = _listed(f.stripped("chair", 12), listed, MEMBER)
            secretary = _listed(f.stripped("secretary", 12), listed, MEMBER)
            ticked = f.ticked("nominee_")
            offered = {n.nominee_id for n in self.nominees}
            if any(n not in offered for n in ticked):
                raise Invalid("Choose a {what} from the list.", what=NOMINEE)
            if not ticked:
                raise Invalid("Put at least one nominee on the agenda.", {"nominee_ids": N_("Required")})
            num, den = _quorum(f.stripped("quorum", 20))
            new_id = await self._call(
                council.schedule_session, title=f.stripped("title", 400), scheduled_at=_moment(f.data.get("when")),
                place=f.stripped("place", 400), nominee_ids=ticked, chair_person_id=chair,
                secretary_person_id=secretary, quorum_num=num, quorum_den=den)
            self.dialog = ""
        if not done.ok:
            return None
        return [done.toast, rx.redirect(routes.council_session(new_id))]


# --- one session -----------------------------------------------------------------------------------


class CouncilSessionState(Dialog, AuthState):
    """One council session: its secretary (or an officer) records attendance, opens it, opens and
    closes the rounds, records written votes and closes it; a member reads the dossiers and votes."""

    found: bool = False
    council_id: int = 0  # display only (not ``session_id``: the route's own argument)
    title: str = ""
    scheduled_at: str = ""
    place: str = ""
    status: str = ""
    status_label: str = ""
    chair_name: str = ""
    secretary_name: str = ""
    members_total: int = 0
    present: int = 0
    written: int = 0
    quorum_needed: int = 0
    quorum_met: bool = False
    quorum_share: str = ""
    opened_at: str = ""
    closed_at: str = ""
    members: list[MemberRow] = []
    items: list[ItemCard] = []
    #: What the page offers (display only: every service checks the actor and the status itself).
    may_run: bool = False  # attendance, opening and closing: the secretary or an officer
    may_ballot: bool = False  # rounds and written votes: the secretary only
    is_member: bool = False
    my_position_label: str = ""
    my_absent: bool = False
    error: str = ""
    action_error: str = ""
    dialog_error: str = ""
    vote_message: str = ""
    written_label: str = ""
    written_choices: list[Option] = []
    #: The nominee's discipline records and holds, read (and audited) when a member asks.
    records_name: str = ""
    records_disciplines: list[DisciplineRow] = []
    records_holds: list[HoldRow] = []
    form_key: int = 0
    _session_id: int = 0
    _target_id: int = 0
    _written: dict[int, list[Option]] = {}  # per item: the members voting in writing on it
    _persons: dict[int, int] = {}  # per item: the individual nominee

    def _on_close(self) -> None:
        self._target_id = 0
        self.dialog_error, self.written_label, self.written_choices = "", "", []
        self.records_name, self.records_disciplines, self.records_holds = "", [], []

    def _clear(self) -> None:
        self.found, self.council_id, self._session_id = False, 0, 0
        self.members, self.items, self._written = [], [], {}
        self.title = self.status = self.status_label = ""
        self.may_run = self.may_ballot = self.is_member = self.my_absent = False

    def _show(self, view: SessionView, runs: bool, absent: bool) -> None:
        secretary = runs and view.i_am_secretary
        self.found, self.council_id, self._session_id = True, view.id, view.id
        self.title, self.scheduled_at, self.place = view.title, view.scheduled_at, view.place
        self.status, self.status_label = view.status, view.status_label
        self.chair_name, self.secretary_name = view.chair_name, view.secretary_name
        self.members_total, self.present, self.written = view.members_total, view.present, view.written
        self.quorum_needed, self.quorum_met = view.quorum_needed, view.quorum_met
        self.quorum_share = f"{view.quorum_num}/{view.quorum_den}"
        self.opened_at, self.closed_at = view.opened_at, view.closed_at
        self.members = list(view.members)
        self.items = [_card(view, i, secretary=runs) for i in view.items]
        self.may_run, self.may_ballot = runs, secretary
        self.is_member = bool(view.my_position)
        self.my_position_label = rules.POSITION_NAMES[view.my_position].render(self._lang()) \
            if view.my_position else ""
        self.my_absent = absent
        self._written = {i.item_id: _written_choices(view, i) for i in view.items}
        self._persons = {i.item_id: i.person_id for i in view.items if i.person_id}
        self.form_key += 1

    async def _reload(self) -> None:
        self._show(*await self._read(_session_page, session_id=as_int(self._session_id, SESSION)))

    def _listed_item(self, value: Any) -> int:
        return _listed(value, [i.item_id for i in self.items], ITEM)

    async def _act(self, fn: Any, *, success: Msg | str) -> Any:
        """One service of the council on this session, then the session read again; a refusal shows in
        ``action_error``."""
        with self._attempt(success=success, error="action_error", toast_errors=True) as done:
            await self._call(fn, session_id=as_int(self._session_id, SESSION))
            self.dialog, self._target_id = "", 0
            await self._reload()
        return done.toast

    @rx.event
    async def load(self):
        """Page load: the session of the address, as the reader may see it, in one read."""
        self.error = self.action_error = self.dialog_error = self.vote_message = ""
        self.dialog = ""
        self._on_close()
        self._clear()
        with self._attempt():
            self._session_id = as_int(self.router.page.params.get("session_id", ""), SESSION)
            await self._reload()
        if self.error:
            self._clear()

    @rx.event
    async def refresh(self):
        """Read the session again: how many have voted, the rounds just closed."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            await self._reload()
        return done.toast

    # -- the secretary or an officer --

    @rx.event
    async def set_attendance(self, person_id: int, value: str):
        """Record a member present, absent voting in writing, or absent (before the session opens)."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            person = _listed(person_id, [m.person_id for m in self.members], MEMBER)
            choice = as_text(value, 10).strip()
            if choice not in ATTENDANCE_CHOICES:
                raise Invalid("Choose present, absent voting in writing, or absent.")
            await self._call(council.record_attendance, session_id=as_int(self._session_id, SESSION),
                             person_id=person, present=choice == "present", written=choice == "written")
            await self._reload()
        return done.toast

    @rx.event
    async def open_session(self):
        """Open the session: the quorum is there and every public comment is answered."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            opened = await self._call(council.open_session, session_id=as_int(self._session_id, SESSION))
            done.success = N_("The session is open: {present} of {total} members present; {recusals} recusal(s).",
                              present=opened.present, total=opened.members_total, recusals=opened.recusals)
            await self._reload()
        return done.toast

    @rx.event
    async def close_session(self):
        """Close the session once every nominee has been voted on."""
        return await self._act(council.close_session, success=N_("The session is closed; the minutes are ready."))

    @rx.event
    async def open_round(self, item_id: int):
        """Open a round of voting on a nominee (lower titles first)."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            item = self._listed_item(item_id)
            round_no = await self._call(council.open_round, item_id=item)
            done.success = N_("Round {round} is open: members may vote now.", round=round_no)
            await self._reload()
        return done.toast

    @rx.event
    async def close_round(self, item_id: int):
        """Close the open round of a nominee: its counts and outcome show from now."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            item = self._listed_item(item_id)
            result = await self._call(council.close_round, item_id=item)
            verdict = rules.OUTCOME_NAMES[result.outcome] if result.outcome else N_("Not approved in this round")
            done.success = N_("Round {round} is closed: agree {agree}, disagree {disagree} of {total} members. "
                              "{verdict}", round=result.round, agree=result.agree, disagree=result.disagree,
                              total=result.members_total, verdict=verdict)
            await self._reload()
        return done.toast

    @rx.event
    def open_written(self, item_id: int):
        """Ask which absent member's written vote to record on a nominee, and what it says."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            wanted = self._listed_item(item_id)
            item = next(i for i in self.items if i.item_id == wanted)
            allowed = self._written.get(wanted, [])
            if not item.round_open or not allowed:
                raise Invalid("No round is open on this nominee, or no absent member votes on it in writing.")
            self._on_close()
            self._target_id = wanted
            self.written_label = f"{item.position}. {item.nominee_name} — {item.title_name}"
            self.written_choices = list(allowed)
            self.dialog = "written"
            self.form_key += 1
        return None if done.ok else done.toast

    @rx.event
    async def show_records(self, item_id: int):
        """The discipline records and holds of a nominee before the council (each view is audited)."""
        with self._attempt(error="action_error", toast_errors=True) as done:
            item = self._listed_item(item_id)
            person_id = self._persons.get(item, 0)
            if not person_id:
                raise Invalid("Only a person nominated has discipline records.")
            records = await self._call(service.personnel_records, person_id=person_id)
            self.records_name = records.full_name
            self.records_disciplines, self.records_holds = records.disciplines, records.holds
            self.dialog = "records"
        return done.toast

    @rx.event
    async def submit_written(self, form: dict):
        """Record the written vote of an absent member, as written on their ballot (never kept here)."""
        with self._attempt(success=N_("The written vote is recorded."), error="dialog_error") as done:
            f = Form(form)
            item = as_int(self._target_id, ITEM)
            person = _listed(f.stripped("person_id", 12), [int(o.value) for o in self._written.get(item, [])],
                             MEMBER)
            choice = f.stripped("choice", 10)
            if choice not in ("agree", "disagree"):
                raise Invalid("Choose agree or disagree.", {"agree": N_("Required")})
            await self._call(council.record_written_vote, item_id=item, person_id=person, agree=choice == "agree")
            self.dialog, self._target_id = "", 0
            await self._reload()
        return done.toast

    # -- a member --

    @rx.event
    async def vote(self, item_id: int, agree: bool):
        """Cast my secret ballot on a nominee in the round open now. The choice is not kept anywhere
        in the page: it says only that the vote is recorded."""
        self.vote_message = ""
        with self._attempt(error="action_error", toast_errors=True) as done:
            item = self._listed_item(item_id)
            if agree is not True and agree is not False:
                raise Invalid("Choose agree or disagree.", {"agree": N_("Required")})
            await self._call(council.vote, item_id=item, agree=agree)
            done.success = N_("Your vote is recorded.")
            self.vote_message = self._t("Your vote is recorded.")
            await self._reload()
        return done.toast

    # -- the minutes --

    async def _download(self, *, tally: bool) -> Any:
        with self._attempt(error=None, toast_errors=True) as done:
            session_id = as_int(self._session_id, SESSION)
            data = await self._read(council.minutes_data, session_id=session_id)
            # Rendered off the event loop, after the read; in the organisation's language (a record).
            pdf = await asyncio.to_thread(minutes.tally_pdf if tally else minutes.minutes_pdf, data)
        if not done.ok:
            return done.toast
        name = "bien-ban-kiem-phieu" if tally else "bien-ban-hop"
        return rx.download(data=pdf, filename=f"{name}-{session_id}.pdf")

    @rx.event
    async def download_minutes(self):
        """The minutes of the session (biên bản họp) as a PDF."""
        return await self._download(tally=False)

    @rx.event
    async def download_tally(self):
        """The ballot count (biên bản kiểm phiếu) as a PDF."""
        return await self._download(tally=True)

