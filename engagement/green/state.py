"""Reflex state of the green-office pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable

import reflex as rx

from engagement.core import clock, files, formats, i18n
from engagement.core.access import Perm
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, N_n
from engagement.green import queries, rules, service
from engagement.green.dto import (
    ActionRow,
    ActivityRow,
    AssessmentRow,
    CampaignRow,
    DutyRow,
    GalleryItem,
    ImpactRow,
    PersonOption,
    UnitProgress,
)
from engagement.settings import get_settings
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_date, as_int, as_text

PROGRESS_PAGE = 25


def _listed(value: object, listed: Iterable[object]) -> int:
    """A selector's value as the id it names when that id is one of the options, else 0."""
    try:
        wanted = as_int(value)
    except Invalid:
        return 0
    return wanted if str(wanted) in {str(x) for x in listed} else 0


def _kept(current: int, ids: list[int]) -> int:
    """The id shown so far while it is still listed, else the first listed (0 for none)."""
    return current if current in ids else (ids[0] if ids else 0)


class GreenState(Paged, AuthState):
    """Campaigns: log an activity, see my activities (the paged list), progress, impact and photos."""

    campaigns: list[CampaignRow] = []
    campaign_id: int = 0
    campaign_name: str = ""
    campaign_text: str = ""
    takes_part: bool = False
    actions: list[ActionRow] = []
    colleagues: list[PersonOption] = []
    progress: list[UnitProgress] = []
    progress_page: int = 1
    progress_pages: int = 1
    progress_total: int = 0
    impact: list[ImpactRow] = []
    gallery: list[GalleryItem] = []
    mine: list[ActivityRow] = []
    duties: list[DutyRow] = []
    photo_info: str = ""
    error: str = ""
    #: The log form's refusal (next to its button), its per-field messages, and its key (a new
    #: key empties the form after a success; a refusal keeps everything typed).
    log_error: str = ""
    log_error_fields: dict[str, str] = {}
    log_key: int = 0
    create_error: str = ""
    create_error_fields: dict[str, str] = {}
    target_error: str = ""
    edit_error: str = ""
    edit_error_fields: dict[str, str] = {}
    edit_name: str = ""
    edit_description: str = ""
    edit_ends_on: str = ""
    edit_backdate: str = "7"
    today: str = ""
    busy: bool = False
    _all_progress: list[UnitProgress] = []
    _photo: bytes = b""
    _photo_name: str = ""

    @rx.var
    def campaign_options(self) -> list[Option]:
        """Campaigns for the selector."""
        return [Option(value=str(c.id), label=f"{c.name} ({c.starts_on}–{c.ends_on})") for c in self.campaigns]

    @rx.var
    def unit_options(self) -> list[Option]:
        """Participating units, for the targets form."""
        return [Option(value=str(u.unit_id), label=u.unit_name) for u in self._all_progress]

    def _show_progress_page(self) -> None:
        self.progress_total = len(self._all_progress)
        self.progress_pages = max(1, -(-self.progress_total // PROGRESS_PAGE))
        self.progress_page = min(max(1, self.progress_page), self.progress_pages)
        start = (self.progress_page - 1) * PROGRESS_PAGE
        self.progress = self._all_progress[start:start + PROGRESS_PAGE]

    def _show_campaign(self, view: queries.CampaignView) -> None:
        self.campaigns, chosen = view.campaigns, view.chosen
        self.campaign_id = chosen.id if chosen else 0
        if chosen is None:
            self.campaign_name = self.campaign_text = ""
            self.takes_part = False
        else:
            self.campaign_name = chosen.name
            self.edit_name, self.edit_description = chosen.name, chosen.description
            self.edit_ends_on, self.edit_backdate = chosen.ends_iso, str(chosen.backdate_days)
            self.campaign_text = self._t("{first} – {last} · log within {days} day(s) of the activity. {description}",
                                         first=chosen.starts_on, last=chosen.ends_on, days=chosen.backdate_days,
                                         description=chosen.description)
            self.takes_part = chosen.takes_part
        self.actions, self._all_progress = view.actions, view.progress
        self.impact, self.gallery = view.impact, view.gallery
        self._show_progress_page()

    async def _reload(self) -> None:
        self.mine = self._paged(await self._read(queries.my_activities, page=self.page))

    async def _reload_campaign(self) -> None:
        self._show_campaign(await self._read(queries.campaign_view, campaign_id=self.campaign_id,
                                             now=clock.now()))

    @rx.event
    async def load(self):
        """Page load, in one read: campaigns and the one shown, colleagues, my activities and duties."""
        self.error = self.create_error = self.target_error = self.photo_info = ""
        self._photo, self._photo_name = b"", ""
        self.busy = False
        now = clock.now()
        self.today = clock.local_day(now, get_settings().tz).isoformat()
        self.page = 1
        with self._attempt():
            view, self.colleagues, mine, self.duties = await self._read_each(
                functools.partial(queries.campaign_view, campaign_id=self.campaign_id, now=now),
                queries.colleagues, functools.partial(queries.my_activities, page=1),
                functools.partial(queries.my_duties, now=now))
            self._show_campaign(view)
            self.mine = self._paged(mine)

    @rx.event
    async def select_campaign(self, value: str):
        """Show another campaign."""
        wanted = _listed(value, (c.id for c in self.campaigns))
        if wanted:
            self.campaign_id, self.progress_page = wanted, 1
            with self._attempt():
                await self._reload_campaign()

    @rx.event
    async def attach_photo(self, files_: list[rx.UploadFile]):
        """Check the chosen photo at once (from its bytes) and keep it for the form."""
        self._photo, self._photo_name, self.photo_info = b"", "", ""
        with self._attempt():
            # Who is asking first, then at most one byte past the limit; decoded only after that.
            data, name = await uploads.read_upload(
                self, files_, perm=Perm.LOG_GREEN, limit=files.MAX_UPLOAD_BYTES, default_name="photo",
                too_large=N_("The photo is larger than {mb} MB. Take it again at a lower resolution or send a "
                             "smaller copy.", mb=files.MAX_UPLOAD_BYTES // 1048576))
            if not data:
                return
            name = as_text(name, 200)
            clean = await asyncio.to_thread(files.clean_image, data)
            self._photo, self._photo_name = clean.data, name.rsplit(".", 1)[0]
            with i18n.using(self._lang()):
                size = formats.number(len(clean.data) // 1024 + 1, 0)
            self.photo_info = self._t("Photo ready: {name} ({kb} KB after cleaning)", name=name, kb=size)

    @rx.event
    def clear_photo(self):
        """Forget the attached photo."""
        self._photo, self._photo_name, self.photo_info = b"", "", ""

    @rx.event
    async def submit_log(self, form: dict):
        """Log an activity for me and the colleagues ticked; it waits for verification."""
        # The refusal shows next to the button and under its field; the form keeps what was typed
        # (it is only emptied, by a new ``log_key``, once the activity is logged).
        with self._attempt(error="log_error") as done:
            f = Form(form)
            await self._call(
                service.log_activity, campaign_id=self.campaign_id, action_id=f.id("action_id", N_("action")),
                occurred_on=f.day("occurred_on", N_("date of the activity")), participant_ids=f.ticked("p_"),
                note=f.text("note", rules.NOTE_MAX, N_("note")), impact_amount=f.decimal("impact"),
                photo=self._photo or None, photo_name=self._photo_name)
        if not done.ok:
            return None
        self.log_key += 1
        self._photo, self._photo_name, self.photo_info = b"", "", ""
        self.page = 1
        with self._attempt():
            await self._reload()
        return [rx.toast.success(self._t("Logged. Your union officer will verify it.")),
                rx.clear_selected_files("green_photo")]

    @rx.event
    def next_progress(self):
        """Next page of units."""
        self.progress_page += 1
        self._show_progress_page()

    @rx.event
    def prev_progress(self):
        """Previous page of units."""
        self.progress_page -= 1
        self._show_progress_page()

    @rx.event
    async def set_target(self, form: dict):
        """Set one participating unit's targets (officers)."""
        with self._attempt(success=N_("Target saved."), error="target_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(service.set_unit_target, campaign_id=self.campaign_id,
                             unit_id=f.id("unit_id", N_("unit")),
                             target_points=f.number("target_points", what=N_("points target")),
                             target_rate=f.number("target_rate", what=N_("participation target")))
            await self._reload_campaign()
        return done.toast

    @rx.event
    async def create_campaign(self, form: dict):
        """Create a campaign from a template (officers)."""
        with self._attempt(success=N_("Campaign created with its default actions."), error="create_error",
                           toast_errors=True) as done:
            f = Form(form)
            self.campaign_id = await self._call(
                service.create_campaign, name=f.text("name", rules.CAMPAIGN_NAME_MAX, N_("campaign name")),
                description=f.text("description", rules.CAMPAIGN_DESCRIPTION_MAX, N_("campaign description")),
                kind=f.text("kind", 20), starts_on=f.day("starts_on", N_("start date")),
                ends_on=f.day("ends_on", N_("end date")),
                backdate_days=f.number("backdate_days", default=7, what=N_("back-dating window")),
                target_points=f.number("target_points", what=N_("points target")),
                target_rate=f.number("target_rate", what=N_("participation target")))
            await self._reload_campaign()
        return done.toast

    @rx.event
    async def update_campaign(self, form: dict):
        """Rename the selected campaign, or change its description, end date or window (officers)."""
        with self._attempt(success=N_("Campaign saved."), error="edit_error", toast_errors=True) as done:
            f = Form(form)
            await self._call(
                service.update_campaign, campaign_id=self.campaign_id,
                name=f.text("name", rules.CAMPAIGN_NAME_MAX, N_("campaign name")),
                description=f.text("description", rules.CAMPAIGN_DESCRIPTION_MAX, N_("campaign description")),
                ends_on=f.day("ends_on", N_("end date")),
                backdate_days=f.number("backdate_days", default=7, what=N_("back-dating window")))
            await self._reload_campaign()
        return done.toast

    @rx.event
    async def end_campaign(self):
        """End the selected campaign today (officers)."""
        with self._attempt(error="edit_error", toast_errors=True) as done:
            last = await self._call(service.end_campaign, campaign_id=self.campaign_id)
            done.success = N_("The campaign ends on {day}; what was logged stays.", day=formats.day(last))
            await self._reload_campaign()
        return done.toast


class VerifyState(Paged, Dialog, AuthState):
    """The union officer's verification queue and spot checks."""

    rows: list[ActivityRow] = []
    sample: list[ActivityRow] = []
    reject_title: str = ""
    error: str = ""
    #: The reject dialog's own refusal (shown once, in the dialog, next to its button).
    reject_error: str = ""
    reject_error_fields: dict[str, str] = {}
    #: Decided today by this officer's branches: each decision can still be undone, with a reason.
    today_rows: list[ActivityRow] = []
    undo_title: str = ""
    undo_error: str = ""
    undo_error_fields: dict[str, str] = {}
    _target_id: int = 0

    async def _reload(self) -> None:
        page, today = await self._read_each(functools.partial(queries.verification_queue, page=self.page),
                                            functools.partial(queries.decided_today, now=clock.now()))
        self.rows, self.today_rows = self._paged(page), today

    def _drop_from_sample(self, activity_id: int) -> None:
        self.sample = [s for s in self.sample if s.id != activity_id]

    async def _turn(self) -> None:
        with self._attempt() as done:
            await self._reload()
        if not done.ok:
            self.rows, self.total = [], 0

    @rx.event
    async def load(self):
        """Page load: the first page of pending activities."""
        self.sample, self.dialog, self.page = [], "", 1
        await self._turn()

    @rx.event
    async def approve(self, activity_id: int):
        """Approve one activity: it counts from now on."""
        with self._attempt(success=N_("Approved."), error=None, toast_errors=True) as done:
            target = as_int(activity_id, N_("activity"))
            await self._call(service.approve_activity, activity_id=target)
            self._drop_from_sample(target)
            await self._reload()
        return done.toast

    @rx.event
    def open_reject(self, activity_id: int):
        """Ask for the reason before rejecting."""
        with self._attempt(error=None):
            target = as_int(activity_id, N_("activity"))
            match = next((r for r in [*self.rows, *self.sample] if r.id == target), None)
            if match is not None:
                self._target_id = target
                self.reject_title = f"{match.action_name} · {match.logged_by} · {match.occurred_on}"
                self.error, self.reject_error, self.reject_error_fields, self.dialog = "", "", {}, "reject"

    @rx.event
    async def submit_reject(self, form: dict):
        """Reject (or revoke an approval) with the reason the member will see."""
        with self._attempt(success=N_("Rejected; the member sees your reason."), error="reject_error") as done:
            f = Form(form)
            await self._call(service.reject_activity, activity_id=as_int(self._target_id, N_("activity")),
                             reason=f.text("reason", rules.REJECT_REASON_MAX, N_("reason")))
            self.dialog = ""
            self._drop_from_sample(self._target_id)
            await self._reload()
        return done.toast

    @rx.event
    def open_undo(self, activity_id: int):
        """Ask for the reason before undoing today's decision."""
        with self._attempt(error=None):
            target = as_int(activity_id, N_("activity"))
            match = next((r for r in self.today_rows if r.id == target), None)
            if match is not None:
                self._target_id = target
                self.undo_title = f"{match.action_name} · {match.logged_by} · {match.occurred_on}"
                self.error, self.undo_error, self.undo_error_fields, self.dialog = "", "", {}, "undo"

    @rx.event
    async def submit_undo(self, form: dict):
        """Undo today's approval or rejection: back to the queue, points reversed, the member told."""
        with self._attempt(success=N_("Undone: the activity is waiting for verification again."),
                           error="undo_error") as done:
            f = Form(form)
            await self._call(service.undo_decision, activity_id=as_int(self._target_id, N_("activity")),
                             reason=f.text("reason", rules.REJECT_REASON_MAX, N_("reason")))
            self.dialog = ""
            self._drop_from_sample(self._target_id)
            await self._reload()
        return done.toast

    @rx.event
    async def draw_sample(self):
        """Pick approved activities at random for a second look."""
        with self._attempt():
            self.sample = await self._read(queries.spot_check_sample, size=5)


#: The days of the week (Monday = 0), for the roster form (pages show them with ``t``).
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))


class RosterState(AuthState):
    """Duty rosters of the branches an officer keeps."""

    branches: list[Option] = []
    branch_id: int = 0
    duties: list[DutyRow] = []
    slots: list[Option] = []
    members: list[Option] = []
    rosters: list[Option] = []
    error: str = ""
    change_error: str = ""
    form_key: int = 0

    async def _duties(self) -> None:
        if not self.branch_id:
            self.duties, self.slots, self.members, self.rosters = [], [], [], []
            return
        branch, now = self.branch_id, clock.now()
        self.duties, slots, members, rosters = await self._read_each(
            functools.partial(queries.upcoming_roster, branch_id=branch, now=now),
            functools.partial(queries.duty_slots, branch_id=branch, now=now),
            functools.partial(queries.branch_member_options, branch_id=branch),
            functools.partial(queries.branch_rosters, branch_id=branch, now=now))
        self.slots = [Option(value=s.value, label=s.label) for s in slots]
        self.members = [Option(value=str(m.id), label=m.name) for m in members]
        self.rosters = [Option(value=str(r.id),
                               label=self._tn("{title} ({n} coming duty)", "{title} ({n} coming duties)", r.coming,
                                              title=r.title)) for r in rosters]
        self.form_key += 1

    @rx.event
    async def load(self):
        """Page load: my branches and the first one's coming duties."""
        with self._attempt() as done:
            rows = await self._read(queries.roster_branches)
            self.branches = [Option(value=str(b.id), label=self._tn("{name} ({n} member)", "{name} ({n} members)",
                                                                    b.members, name=b.name)) for b in rows]
            self.branch_id = _kept(self.branch_id, [b.id for b in rows])
            await self._duties()
        if not done.ok:
            self.branches, self.duties = [], []

    @rx.event
    async def select_branch(self, value: str):
        """Show another branch's roster."""
        wanted = _listed(value, (b.value for b in self.branches))
        if wanted:
            self.branch_id = wanted
            with self._attempt():
                await self._duties()

    @rx.event
    async def create(self, form: dict):
        """Create a recurring duty and assign the branch's members in turn."""
        with self._attempt(success=N_("Roster created; members are assigned in turn."), toast_errors=True) as done:
            f = Form(form)
            await self._call(
                service.create_roster, branch_id=as_int(self.branch_id, N_("branch")),
                title=f.text("title", rules.ROSTER_TITLE_MAX, N_("duty")),
                weekday=f.number("weekday", default=-1, what=N_("weekday")),
                every_weeks=f.number("every_weeks", default=1, what=N_("interval")),
                per_slot=f.number("per_slot", default=2, what=N_("number of people")),
                starts_on=f.day("starts_on", N_("first date")), ends_on=f.day("ends_on", N_("last date")))
            await self._duties()
        return done.toast

    @rx.event
    async def replace(self, form: dict):
        """Give one person's duty on a date to another member of the branch."""
        with self._attempt(success=N_("Duty handed over; both people are told."), error="change_error",
                           toast_errors=True) as done:
            f = Form(form)
            parts = f.text("slot", 60).split("|")
            if len(parts) != 3:
                raise Invalid("Choose the duty to hand over.")
            await self._call(
                service.replace_on_duty, roster_id=as_int(parts[0], N_("roster")),
                on_date=as_date(parts[1], N_("duty date")), person_out=as_int(parts[2], N_("person")),
                person_in=f.id("person_in", N_("replacement")))
            await self._duties()
        return done.toast

    @rx.event
    async def cancel(self, form: dict):
        """Stop a roster after today."""
        with self._attempt(error="change_error", toast_errors=True) as done:
            removed = await self._call(service.cancel_roster, roster_id=Form(form).id("roster_id", N_("roster")))
            done.success = N_n("Roster stopped: {n} coming duty removed.", "Roster stopped: {n} coming duties removed.",
                               removed)
            await self._duties()
        return done.toast


class AssessState(AuthState):
    """A unit head's quarterly green-office checklist and its history."""

    units: list[Option] = []
    unit_id: int = 0
    history: list[AssessmentRow] = []
    error: str = ""
    done: str = ""

    async def _history(self) -> None:
        self.history = await self._read(queries.assessment_history, unit_id=self.unit_id) if self.unit_id else []

    @rx.event
    async def load(self):
        """Page load: the units I may assess."""
        self.done = ""
        with self._attempt() as loaded:
            rows = await self._read(queries.assessable_units)
            self.units = [Option(value=str(u.id), label=u.name) for u in rows]
            self.unit_id = _kept(self.unit_id, [u.id for u in rows])
            await self._history()
        if not loaded.ok:
            self.units, self.history = [], []

    @rx.event
    async def select_unit(self, value: str):
        """Show another unit's history."""
        wanted = _listed(value, (u.value for u in self.units))
        if wanted:
            self.unit_id = wanted
            with self._attempt():
                await self._history()

    @rx.event
    async def submit(self, form: dict):
        """Record this quarter's checklist."""
        with self._attempt(toast_errors=True) as recorded:
            f = Form(form)
            answers = {key: f.number(key, default=-1, what=N_("answer")) for key, _q in rules.CHECKLIST}
            score = await self._call(service.submit_assessment, unit_id=as_int(self.unit_id, N_("unit")),
                                     answers=answers, note=f.text("note", rules.ASSESSMENT_NOTE_MAX, N_("note")))
            await self._history()
            recorded.success = N_("Recorded: {score}%.", score=score)
            self.done = self._render(recorded.success)
        return recorded.toast
