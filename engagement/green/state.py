"""Reflex state of the green-office pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx

from engagement.core import clock, files
from engagement.core.errors import DomainError, Invalid
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
from engagement.ui.auth import AuthState, as_int, as_text
from engagement.ui.components import Option

PROGRESS_PAGE = 25


def _date(value: object, what: str = "date") -> date:
    try:
        return date.fromisoformat(as_text(value, 10).strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a date.") from None


def _number(value: object, *, default: int = 0, what: str = "number") -> int:
    text = as_text(value, 12).strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"Enter the {what} as a whole number.") from None


def _amount(value: object) -> float | None:
    text = as_text(value, 20).strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid("Enter the amount as a number, e.g. 2.5.") from None


class GreenState(AuthState):
    """Campaigns: log an activity, see my activities, progress, impact and photos."""

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
    mine_page: int = 1
    mine_pages: int = 1
    mine_total: int = 0
    duties: list[DutyRow] = []
    photo_info: str = ""
    error: str = ""
    create_error: str = ""
    target_error: str = ""
    edit_error: str = ""
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

    def _show_progress_page(self) -> None:
        self.progress_total = len(self._all_progress)
        self.progress_pages = max(1, -(-self.progress_total // PROGRESS_PAGE))
        self.progress_page = min(max(1, self.progress_page), self.progress_pages)
        start = (self.progress_page - 1) * PROGRESS_PAGE
        self.progress = self._all_progress[start:start + PROGRESS_PAGE]

    async def _load_campaign(self) -> None:
        chosen = next((c for c in self.campaigns if c.id == self.campaign_id), None)
        if chosen is None:
            self.campaign_name = self.campaign_text = ""
            self.takes_part = False
            self.actions, self._all_progress, self.impact, self.gallery = [], [], [], []
            self._show_progress_page()
            return
        self.campaign_name = chosen.name
        self.edit_name, self.edit_description = chosen.name, chosen.description
        self.edit_ends_on, self.edit_backdate = chosen.ends_iso, str(chosen.backdate_days)
        self.campaign_text = (f"{chosen.starts_on} – {chosen.ends_on} · "
                              f"log within {chosen.backdate_days} day(s) of the activity. {chosen.description}")
        self.takes_part = chosen.takes_part
        self.actions = await self._read(queries.actions, campaign_id=chosen.id)
        self._all_progress = await self._read(queries.unit_progress, campaign_id=chosen.id)
        self._show_progress_page()
        self.impact = await self._read(queries.impact_totals, campaign_id=chosen.id)
        self.gallery = await self._read(queries.gallery, campaign_id=chosen.id)

    async def _load_mine(self) -> None:
        try:
            page = await self._read(queries.my_activities, page=self.mine_page)
        except DomainError as exc:
            self.error = exc.message
            return
        self.mine, self.mine_page, self.mine_pages, self.mine_total = page.rows, page.page, page.pages, page.total

    @rx.event
    async def load(self):
        """Page load: campaigns, the first open one I take part in, my activities and duties."""
        self.error = self.create_error = self.target_error = self.photo_info = ""
        self._photo, self._photo_name = b"", ""
        self.busy = False
        now = clock.now()
        self.today = service.today(now).isoformat()
        try:
            self.campaigns = await self._read(queries.campaigns, now=now)
            if not any(c.id == self.campaign_id for c in self.campaigns):
                # The longest-running open campaign of my unit (the list is newest first).
                best = next((c for c in reversed(self.campaigns) if c.takes_part and c.is_open),
                            self.campaigns[0] if self.campaigns else None)
                self.campaign_id = best.id if best else 0
            await self._load_campaign()
            self.colleagues = await self._read(queries.colleagues)
            self.mine_page = 1
            await self._load_mine()
            self.duties = await self._read(queries.my_duties, now=now)
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def select_campaign(self, value: str):
        """Show another campaign."""
        try:
            wanted = as_int(value, "campaign")
        except Invalid:
            return
        if any(c.id == wanted for c in self.campaigns):
            self.campaign_id = wanted
            self.progress_page = 1
            try:
                await self._load_campaign()
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    async def attach_photo(self, files_: list[rx.UploadFile]):
        """Check the chosen photo at once (from its bytes) and keep it for the form."""
        self._photo, self._photo_name, self.photo_info = b"", "", ""
        if not files_:
            return
        upload = files_[0]
        # Read at most one byte past the limit: enough to refuse a huge file without holding it.
        data = await upload.read(files.MAX_UPLOAD_BYTES + 1)
        if len(data) > files.MAX_UPLOAD_BYTES:
            self.error = (f"The photo is larger than {files.MAX_UPLOAD_BYTES // 1048576} MB. Take it again at a "
                          "lower resolution or send a smaller copy.")
            return
        name = as_text(getattr(upload, "filename", "") or "photo", 200)
        try:
            clean = await asyncio.to_thread(files.clean_image, data)
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self._photo, self._photo_name = clean.data, name.rsplit(".", 1)[0]
        self.photo_info = f"Photo ready: {name} ({len(clean.data) // 1024 + 1} KB after cleaning)"

    @rx.event
    def clear_photo(self):
        """Forget the attached photo."""
        self._photo, self._photo_name, self.photo_info = b"", "", ""

    @rx.event
    async def submit_log(self, form: dict):
        """Log an activity for me and the colleagues ticked; it waits for verification."""
        form = form if isinstance(form, dict) else {}
        try:
            participants = []
            for key, value in list(form.items())[:200]:
                if isinstance(key, str) and key.startswith("p_") and value:
                    participants.append(as_int(key[2:], "colleague"))
            await self._call(
                service.log_activity, campaign_id=self.campaign_id,
                action_id=as_int(form.get("action_id"), "action"),
                occurred_on=_date(form.get("occurred_on"), "date of the activity"),
                participant_ids=participants, note=as_text(form.get("note"), 1000),
                impact_amount=_amount(form.get("impact")), photo=self._photo or None,
                photo_name=self._photo_name,
            )
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self._photo, self._photo_name, self.photo_info = b"", "", ""
        self.mine_page = 1
        await self._load_mine()
        return [rx.toast.success("Logged. Your union officer will verify it."), rx.clear_selected_files("green_photo")]

    @rx.event
    async def next_mine(self):
        """Next page of my activities."""
        if self.mine_page < self.mine_pages:
            self.mine_page += 1
            await self._load_mine()

    @rx.event
    async def prev_mine(self):
        """Previous page of my activities."""
        self.mine_page = max(1, self.mine_page - 1)
        await self._load_mine()

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

    @rx.var
    def unit_options(self) -> list[Option]:
        """Participating units, for the targets form."""
        return [Option(value=str(u.unit_id), label=u.unit_name) for u in self._all_progress]

    @rx.event
    async def set_target(self, form: dict):
        """Set one participating unit's targets (officers)."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(
                service.set_unit_target, campaign_id=self.campaign_id, unit_id=as_int(form.get("unit_id"), "unit"),
                target_points=_number(form.get("target_points"), what="points target"),
                target_rate=_number(form.get("target_rate"), what="participation target"))
        except DomainError as exc:
            self.target_error = exc.message
            return rx.toast.error(exc.message)
        self.target_error = ""
        await self._load_campaign()
        return rx.toast.success("Target saved.")

    @rx.event
    async def create_campaign(self, form: dict):
        """Create a campaign from a template (officers)."""
        form = form if isinstance(form, dict) else {}
        try:
            new_id = await self._call(
                service.create_campaign, name=as_text(form.get("name"), 200),
                description=as_text(form.get("description"), 2000), kind=as_text(form.get("kind"), 20),
                starts_on=_date(form.get("starts_on"), "start date"),
                ends_on=_date(form.get("ends_on"), "end date"),
                backdate_days=_number(form.get("backdate_days"), default=7, what="back-dating window"),
                target_points=_number(form.get("target_points"), what="points target"),
                target_rate=_number(form.get("target_rate"), what="participation target"),
            )
        except DomainError as exc:
            self.create_error = exc.message
            return rx.toast.error(exc.message)
        self.create_error = ""
        self.campaign_id = new_id
        self.campaigns = await self._read(queries.campaigns, now=clock.now())
        await self._load_campaign()
        return rx.toast.success("Campaign created with its default actions.")


    async def _reload_campaigns(self) -> None:
        self.campaigns = await self._read(queries.campaigns, now=clock.now())
        await self._load_campaign()

    @rx.event
    async def update_campaign(self, form: dict):
        """Rename the selected campaign, or change its description, end date or window (officers)."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(
                service.update_campaign, campaign_id=self.campaign_id, name=as_text(form.get("name"), 200),
                description=as_text(form.get("description"), 2000), ends_on=_date(form.get("ends_on"), "end date"),
                backdate_days=_number(form.get("backdate_days"), default=7, what="back-dating window"))
        except DomainError as exc:
            self.edit_error = exc.message
            return rx.toast.error(exc.message)
        self.edit_error = ""
        await self._reload_campaigns()
        return rx.toast.success("Campaign saved.")

    @rx.event
    async def end_campaign(self):
        """End the selected campaign today (officers)."""
        try:
            last = await self._call(service.end_campaign, campaign_id=self.campaign_id)
        except DomainError as exc:
            self.edit_error = exc.message
            return rx.toast.error(exc.message)
        self.edit_error = ""
        await self._reload_campaigns()
        return rx.toast.success(f"The campaign ends on {last.strftime('%d/%m/%Y')}; what was logged stays.")


class VerifyState(AuthState):
    """The union officer's verification queue and spot checks."""

    rows: list[ActivityRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    sample: list[ActivityRow] = []
    reject_open: bool = False
    reject_title: str = ""
    error: str = ""
    _target_id: int = 0

    async def _reload(self) -> None:
        try:
            result = await self._read(queries.verification_queue, page=self.page)
        except DomainError as exc:
            self.error = exc.message
            self.rows, self.total = [], 0
            return
        self.rows, self.page, self.pages, self.total = result.rows, result.page, result.pages, result.total

    @rx.event
    async def load(self):
        """Page load: the first page of pending activities."""
        self.error = ""
        self.sample = []
        self.reject_open = False
        self.page = 1
        await self._reload()

    @rx.event
    async def approve(self, activity_id: int):
        """Approve one activity: it counts from now on."""
        try:
            await self._call(service.approve_activity, activity_id=as_int(activity_id, "activity"))
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        await self._reload()
        self.sample = [s for s in self.sample if s.id != activity_id]
        return rx.toast.success("Approved.")

    @rx.event
    def open_reject(self, activity_id: int):
        """Ask for the reason before rejecting."""
        try:
            target = as_int(activity_id, "activity")
        except Invalid:
            return
        match = next((r for r in [*self.rows, *self.sample] if r.id == target), None)
        if match is None:
            return
        self._target_id = target
        self.reject_title = f"{match.action_name} · {match.logged_by} · {match.occurred_on}"
        self.error = ""
        self.reject_open = True

    @rx.event
    def close_reject(self, _open: bool = False):
        """Close the reject dialog."""
        self.reject_open = False

    @rx.event
    async def submit_reject(self, form: dict):
        """Reject (or revoke an approval) with the reason the member will see."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(service.reject_activity, activity_id=as_int(self._target_id, "activity"),
                             reason=as_text(form.get("reason"), 500))
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self.reject_open = False
        self.sample = [s for s in self.sample if s.id != self._target_id]
        await self._reload()
        return rx.toast.success("Rejected; the member sees your reason.")

    @rx.event
    async def draw_sample(self):
        """Pick approved activities at random for a second look."""
        try:
            self.sample = await self._read(queries.spot_check_sample, size=5)
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    async def next_page(self):
        """Next page of the queue."""
        if self.page < self.pages:
            self.page += 1
            await self._reload()

    @rx.event
    async def prev_page(self):
        """Previous page of the queue."""
        self.page = max(1, self.page - 1)
        await self._reload()


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
        now = clock.now()
        self.duties = await self._read(queries.upcoming_roster, branch_id=self.branch_id, now=now)
        self.slots = [Option(value=s.value, label=s.label)
                      for s in await self._read(queries.duty_slots, branch_id=self.branch_id, now=now)]
        self.members = [Option(value=str(m.id), label=m.name)
                        for m in await self._read(queries.branch_member_options, branch_id=self.branch_id)]
        self.rosters = [Option(value=str(r.id), label=f"{r.title} ({r.coming} coming duties)")
                        for r in await self._read(queries.branch_rosters, branch_id=self.branch_id, now=now)]
        self.form_key += 1

    @rx.event
    async def load(self):
        """Page load: my branches and the first one's coming duties."""
        self.error = ""
        try:
            rows = await self._read(queries.roster_branches)
            self.branches = [Option(value=str(b.id), label=f"{b.name} ({b.members} members)") for b in rows]
            if not any(b.id == self.branch_id for b in rows):
                self.branch_id = rows[0].id if rows else 0
            await self._duties()
        except DomainError as exc:
            self.error = exc.message
            self.branches, self.duties = [], []

    @rx.event
    async def select_branch(self, value: str):
        """Show another branch's roster."""
        try:
            wanted = as_int(value, "branch")
        except Invalid:
            return
        if any(b.value == str(wanted) for b in self.branches):
            self.branch_id = wanted
            try:
                await self._duties()
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    async def create(self, form: dict):
        """Create a recurring duty and assign the branch's members in turn."""
        form = form if isinstance(form, dict) else {}
        try:
            await self._call(
                service.create_roster, branch_id=as_int(self.branch_id, "branch"),
                title=as_text(form.get("title"), 200),
                weekday=_number(form.get("weekday"), default=-1, what="weekday"),
                every_weeks=_number(form.get("every_weeks"), default=1, what="interval"),
                per_slot=_number(form.get("per_slot"), default=2, what="number of people"),
                starts_on=_date(form.get("starts_on"), "first date"), ends_on=_date(form.get("ends_on"), "last date"),
            )
            await self._duties()
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        return rx.toast.success("Roster created; members are assigned in turn.")

    @rx.event
    async def replace(self, form: dict):
        """Give one person's duty on a date to another member of the branch."""
        form = form if isinstance(form, dict) else {}
        try:
            parts = as_text(form.get("slot"), 60).split("|")
            if len(parts) != 3:
                raise Invalid("Choose the duty to hand over.")
            await self._call(
                service.replace_on_duty, roster_id=as_int(parts[0], "roster"), on_date=_date(parts[1], "duty date"),
                person_out=as_int(parts[2], "person"), person_in=as_int(form.get("person_in"), "replacement"))
            await self._duties()
        except DomainError as exc:
            self.change_error = exc.message
            return rx.toast.error(exc.message)
        self.change_error = ""
        return rx.toast.success("Duty handed over; both people are told.")

    @rx.event
    async def cancel(self, form: dict):
        """Stop a roster after today."""
        form = form if isinstance(form, dict) else {}
        try:
            removed = await self._call(service.cancel_roster, roster_id=as_int(form.get("roster_id"), "roster"))
            await self._duties()
        except DomainError as exc:
            self.change_error = exc.message
            return rx.toast.error(exc.message)
        self.change_error = ""
        return rx.toast.success(f"Roster stopped: {removed} coming duties removed.")


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
        self.error = self.done = ""
        try:
            rows = await self._read(queries.assessable_units)
            self.units = [Option(value=str(u.id), label=u.name) for u in rows]
            if not any(u.id == self.unit_id for u in rows):
                self.unit_id = rows[0].id if rows else 0
            await self._history()
        except DomainError as exc:
            self.error = exc.message
            self.units, self.history = [], []

    @rx.event
    async def select_unit(self, value: str):
        """Show another unit's history."""
        try:
            wanted = as_int(value, "unit")
        except Invalid:
            return
        if any(u.value == str(wanted) for u in self.units):
            self.unit_id = wanted
            try:
                await self._history()
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    async def submit(self, form: dict):
        """Record this quarter's checklist."""
        form = form if isinstance(form, dict) else {}
        try:
            answers = {key: _number(form.get(key), default=-1, what="answer") for key, _q in rules.CHECKLIST}
            score = await self._call(service.submit_assessment, unit_id=as_int(self.unit_id, "unit"),
                                     answers=answers, note=as_text(form.get("note"), 1000))
            await self._history()
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self.done = f"Recorded: {score}%."
        return rx.toast.success(self.done)
