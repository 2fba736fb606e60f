"""Reflex state of the organisation pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
import threading

import reflex as rx

from engagement.core.access import ROLE_LABELS, Role
from engagement.core.errors import DomainError, Invalid
from engagement.org import queries, service
from engagement.org.dto import (
    AccountInfo,
    AuditRow,
    GroupRow,
    PersonRow,
    UnitEventRow,
    UnitRow,
)
from engagement.org.rules import IMPORT_COLUMNS, fold, suggest_username
from engagement.ui.auth import AuthState, as_int, as_text
from engagement.ui.components import Option

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _unit_options(rows: list[UnitRow]) -> list[Option]:
    return [Option(value=str(u.id), label=("\u2003" * u.depth) + f"{u.name} ({u.code})")
            for u in rows if u.is_active]


class UnitsState(AuthState):
    """The unit tree, its history and the unit groups."""

    rows: list[UnitRow] = []
    groups: list[GroupRow] = []
    unit_options: list[Option] = []
    filter_text: str = ""
    dialog: str = ""
    target_name: str = ""
    history: list[UnitEventRow] = []
    error: str = ""
    _all: list[UnitRow] = []
    _target_id: int = 0

    @rx.var
    def kinds(self) -> list[str]:
        """Unit kinds for the create form."""
        return list(service.UNIT_KINDS)

    async def _reload(self) -> None:
        self._all = await self._read(queries.unit_tree)
        self.groups = await self._read(queries.groups)
        self.unit_options = _unit_options(self._all)
        self._apply_filter()

    def _apply_filter(self) -> None:
        needle = fold(self.filter_text)
        self.rows = [u for u in self._all if needle in fold(u.name) or needle in u.code.lower()] \
            if needle else list(self._all)

    @rx.event
    async def load(self):
        """Read the tree (on page load)."""
        self.dialog = ""
        try:
            await self._reload()
        except DomainError as exc:
            self.error = exc.message

    @rx.event
    def set_filter_text(self, value: str):
        """Filter the tree by name or code."""
        self.filter_text = as_text(value, 100)
        self._apply_filter()

    def _open(self, kind: str, unit_id: object) -> None:
        self.error = ""
        self._target_id = 0
        self.target_name = ""
        if kind == "create" and str(unit_id) == "0":
            self.dialog = kind
            return
        try:
            uid = as_int(unit_id, "unit")
        except Invalid:
            return
        match = next((u for u in self._all if u.id == uid), None)
        if match is None:
            return
        self._target_id = uid
        self.target_name = match.name
        self.dialog = kind

    @rx.event
    def open_create(self, parent_id: int):
        """Open the 'new unit' dialog under ``parent_id`` (0 = top level)."""
        self._open("create", parent_id)

    @rx.event
    def open_rename(self, unit_id: int):
        """Open the rename dialog."""
        self._open("rename", unit_id)

    @rx.event
    def open_move(self, unit_id: int):
        """Open the move dialog."""
        self._open("move", unit_id)

    @rx.event
    async def open_history(self, unit_id: int):
        """Show a unit's history."""
        self._open("history", unit_id)
        if self._target_id:
            try:
                self.history = await self._read(queries.unit_history, unit_id=self._target_id)
            except DomainError as exc:
                self.error = exc.message

    @rx.event
    def close_dialog(self, _open: bool = False):
        """Close any dialog."""
        self.dialog = ""
        self.error = ""

    async def _write(self, fn, success: str, **kwargs):
        try:
            await self._call(fn, **kwargs)
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.dialog = ""
        self.error = ""
        await self._reload()
        return rx.toast.success(success)

    @rx.event
    async def submit_create(self, form: dict):
        """Create a unit under the dialog's parent."""
        form = form if isinstance(form, dict) else {}
        return await self._write(
            service.create_unit, "Unit created.", name=as_text(form.get("name"), 200),
            code=as_text(form.get("code"), 40), kind=as_text(form.get("kind"), 30),
            parent_id=self._target_id or None,
        )

    @rx.event
    async def submit_rename(self, form: dict):
        """Rename the dialog's unit."""
        form = form if isinstance(form, dict) else {}
        return await self._write(service.rename_unit, "Unit renamed.", unit_id=self._target_id,
                                 name=as_text(form.get("name"), 200))

    @rx.event
    async def submit_move(self, form: dict):
        """Move the dialog's unit under another parent ('' = top level)."""
        form = form if isinstance(form, dict) else {}
        raw = as_text(form.get("parent_id"), 20)
        try:
            parent = as_int(raw, "unit") if raw else None
        except Invalid as exc:
            self.error = exc.message
            return None
        return await self._write(service.move_unit, "Unit moved.", unit_id=self._target_id,
                                 new_parent_id=parent)

    @rx.event
    async def set_active(self, unit_id: int, active: bool):
        """Deactivate or reactivate a unit."""
        try:
            uid = as_int(unit_id, "unit")
        except Invalid as exc:
            return rx.toast.error(exc.message)
        return await self._write(service.set_unit_active,
                                 "Unit reactivated." if active else "Unit deactivated.",
                                 unit_id=uid, active=bool(active))

    @rx.event
    async def create_group(self, form: dict):
        """Create a unit group."""
        form = form if isinstance(form, dict) else {}
        return await self._write(service.create_group, "Group created.",
                                 name=as_text(form.get("name"), 200),
                                 description=as_text(form.get("description"), 1000))

    @rx.event
    async def add_to_group(self, form: dict):
        """Add a unit to a group."""
        form = form if isinstance(form, dict) else {}
        try:
            group_id = as_int(form.get("group_id"), "group")
            unit_id = as_int(form.get("unit_id"), "unit")
        except Invalid as exc:
            return rx.toast.error(exc.message)
        return await self._write(service.set_group_membership, "Unit added to the group.",
                                 group_id=group_id, unit_id=unit_id, member=True)

    @rx.event
    async def remove_from_group(self, group_id: int, unit_id: int):
        """Remove a unit from a group."""
        try:
            gid, uid = as_int(group_id, "group"), as_int(unit_id, "unit")
        except Invalid as exc:
            return rx.toast.error(exc.message)
        return await self._write(service.set_group_membership, "Unit removed from the group.",
                                 group_id=gid, unit_id=uid, member=False)


_EMPTY_PERSON = PersonRow(id=0, employee_code="", full_name="", position="", unit_id=0,
                          unit_name="", email="", phone="", is_active=True, has_account=False)


class PeopleState(AuthState):
    """The people list, the person form, and (for admins) accounts and roles."""

    query: str = ""
    unit_filter: str = ""
    include_inactive: bool = False
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[PersonRow] = []
    unit_options: list[Option] = []
    union_options: list[Option] = []
    youth_options: list[Option] = []
    branch_options: list[Option] = []
    dialog: str = ""
    form_key: int = 0
    editing: PersonRow = _EMPTY_PERSON
    account: AccountInfo | None = None
    suggested_username: str = ""
    temp_password: str = ""
    error: str = ""
    _editing_id: int = 0

    @rx.var
    def role_options(self) -> list[Option]:
        """Roles an admin can grant."""
        return [Option(value=r.value, label=ROLE_LABELS[r]) for r in Role if r is not Role.STAFF]

    async def _search(self) -> None:
        unit_id = int(self.unit_filter) if self.unit_filter.isdigit() else None
        result = await self._read(queries.search_people, text=self.query, unit_id=unit_id,
                                  include_inactive=self.include_inactive, page=self.page)
        self.rows = result.rows
        self.total = result.total
        self.pages = result.pages
        if self.page > self.pages:
            self.page = self.pages

    async def _refresh(self):
        try:
            await self._search()
        except DomainError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        return None

    @rx.event
    async def load(self):
        """Page load: options for the forms and the first page of results."""
        self.dialog = ""
        self.temp_password = ""
        try:
            units = await self._read(queries.unit_tree, include_inactive=False)
            branches = await self._read(queries.branches)
        except DomainError as exc:
            self.error = exc.message
            return
        self.unit_options = _unit_options(units)
        self.union_options = [Option(str(b.id), b.name) for b in branches if b.kind == "union"]
        self.youth_options = [Option(str(b.id), b.name) for b in branches if b.kind == "youth"]
        self.branch_options = self.union_options + self.youth_options
        self.error = ""
        return await self._refresh()

    @rx.event
    async def set_query(self, value: str):
        """Search by name (accents optional), code or e-mail."""
        self.query = as_text(value, 60)
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_unit_filter(self, value: str):
        """Limit to a unit and its sub-units."""
        value = as_text(value, 20)
        self.unit_filter = value if value.isdigit() else ""
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_include_inactive(self, value: bool):
        """Show deactivated people too."""
        self.include_inactive = bool(value)
        self.page = 1
        return await self._refresh()

    @rx.event
    async def next_page(self):
        """Next page of results."""
        if self.page < self.pages:
            self.page += 1
        return await self._refresh()

    @rx.event
    async def prev_page(self):
        """Previous page of results."""
        self.page = max(1, self.page - 1)
        return await self._refresh()

    @rx.event
    def open_create(self):
        """Open an empty person form."""
        self.error = ""
        self.editing = _EMPTY_PERSON
        self._editing_id = 0
        self.form_key += 1
        self.dialog = "person"

    async def _load_person(self, person_id: object) -> bool:
        self.error = ""
        self.temp_password = ""
        try:
            pid = as_int(person_id, "person")
            self.editing = await self._read(queries.person, person_id=pid)
            self.account = (await self._read(queries.account_info, person_id=pid)
                            if self.can_manage_accounts else None)
        except DomainError as exc:
            self.error = exc.message
            return False
        self._editing_id = pid
        self.suggested_username = suggest_username(self.editing.full_name)
        self.form_key += 1
        return True

    @rx.event
    async def open_edit(self, person_id: int):
        """Open the form of an existing person."""
        if await self._load_person(person_id):
            self.dialog = "person"

    @rx.event
    async def open_account(self, person_id: int):
        """Open the account and roles panel of a person (admins)."""
        if await self._load_person(person_id):
            self.dialog = "account"

    @rx.event
    def close_dialog(self, _open: bool = False):
        """Close any dialog and forget a shown temporary password."""
        self.dialog = ""
        self.error = ""
        self.temp_password = ""

    @rx.event
    async def save_person(self, form: dict):
        """Create or update the person in the form."""
        form = form if isinstance(form, dict) else {}
        fields = {
            "full_name": as_text(form.get("full_name"), 200),
            "position": as_text(form.get("position"), 200),
            "email": as_text(form.get("email"), 200),
            "phone": as_text(form.get("phone"), 40),
        }
        try:
            fields["unit_id"] = as_int(form.get("unit_id"), "unit")
            for key in ("union_branch_id", "youth_branch_id"):
                raw = as_text(form.get(key), 20)
                fields[key] = as_int(raw, "branch") if raw else None
            if self._editing_id:
                await self._call(service.update_person, person_id=self._editing_id, **fields)
            else:
                await self._call(service.create_person,
                                 employee_code=as_text(form.get("employee_code"), 40), **fields)
        except DomainError as exc:
            self.error = exc.message
            return None
        self.dialog = ""
        self.error = ""
        await self._refresh()
        return rx.toast.success("Saved.")

    @rx.event
    async def set_person_active(self, person_id: int, active: bool):
        """Deactivate (never delete) or reactivate a person."""
        try:
            await self._call(service.set_person_active, person_id=as_int(person_id, "person"),
                             active=bool(active))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        await self._refresh()
        return rx.toast.success("Person reactivated." if active else "Person deactivated.")

    async def _account_action(self, fn, success: str, *, on_account: bool = True, **kwargs):
        try:
            if on_account:
                # The account is re-derived from the person being edited, never taken from
                # a browser value; the service then checks the caller may manage accounts.
                info = await self._read(queries.account_info, person_id=self._editing_id)
                kwargs["account_id"] = info.id if info is not None else 0
            result = await self._call(fn, **kwargs)
            self.account = await self._read(queries.account_info, person_id=self._editing_id)
        except DomainError as exc:
            self.error = exc.message
            return None
        self.error = ""
        password = getattr(result, "temporary_password", "")
        if password:
            self.temp_password = password
        await self._refresh()
        return rx.toast.success(success)

    @rx.event
    async def create_account(self, form: dict):
        """Give the person a login; shows a one-time temporary password."""
        form = form if isinstance(form, dict) else {}
        return await self._account_action(service.create_account, "Account created.",
                                          on_account=False, person_id=self._editing_id,
                                          username=as_text(form.get("username"), 60))

    @rx.event
    async def reset_password(self):
        """Replace the password with a temporary one (shown once)."""
        return await self._account_action(service.reset_password, "Password reset.")

    @rx.event
    async def set_account_active(self, active: bool):
        """Disable or re-enable the login."""
        return await self._account_action(
            service.set_account_active, "Account enabled." if active else "Account disabled.",
            active=bool(active))

    @rx.event
    async def grant_role(self, form: dict):
        """Grant a role (unit heads need a unit; union officers a branch)."""
        form = form if isinstance(form, dict) else {}
        try:
            unit_raw, branch_raw = as_text(form.get("unit_id"), 20), as_text(form.get("branch_id"), 20)
            unit_id = as_int(unit_raw, "unit") if unit_raw else None
            branch_id = as_int(branch_raw, "branch") if branch_raw else None
        except Invalid as exc:
            self.error = exc.message
            return None
        return await self._account_action(
            service.grant_role, "Role granted.", role=as_text(form.get("role"), 40),
            unit_id=unit_id, branch_id=branch_id)

    @rx.event
    async def revoke_role(self, grant_id: int):
        """Revoke a role."""
        try:
            gid = as_int(grant_id, "role")
        except Invalid as exc:
            return rx.toast.error(exc.message)
        return await self._account_action(service.revoke_role, "Role revoked.", on_account=False,
                                          grant_id=gid)


class ImportState(AuthState):
    """CSV import of staff with progress and a per-row error report."""

    busy: bool = False
    progress: int = 0
    status: str = ""
    created: int = 0
    errors: list[list[str]] = []
    error_count: int = 0
    error: str = ""

    @rx.event
    def reset_page(self):
        """Clear the previous import's report."""
        self.busy = False
        self.progress = 0
        self.status = ""
        self.created = 0
        self.errors = []
        self.error_count = 0
        self.error = ""

    @rx.event
    def download_template(self):
        """A CSV with the expected header and one example row."""
        example = "CB90001,Nguyễn Thị Hoa,Chuyên viên,SNV-VP,hoa.nt@example.gov.vn,0912345678,,"
        return rx.download(data=",".join(IMPORT_COLUMNS) + "\n" + example + "\n",
                           filename="staff-import-template.csv")

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Validate the whole file, then import every row or none, reporting progress."""
        self.reset_page()
        if not files:
            self.error = "Choose a CSV file first."
            return
        data = await files[0].read(MAX_UPLOAD_BYTES + 1)  # never hold more than the limit + 1
        if len(data) > MAX_UPLOAD_BYTES:
            self.error = "The file is larger than 10 MB; split it into parts."
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.error = ("The file is not UTF-8 text. In Excel use “Save as: CSV UTF-8 "
                          "(comma delimited)” and upload again.")
            return
        done = [0, 0]
        lock = threading.Lock()

        def on_progress(written: int, total: int) -> None:
            with lock:
                done[0], done[1] = written, total

        self.busy = True
        self.status = "Checking every row…"
        yield
        task = asyncio.ensure_future(self._call(service.import_people, csv_text=text,
                                                progress=on_progress))
        while not task.done():
            await asyncio.sleep(0.3)
            with lock:
                written, total = done
            if total:
                self.progress = int(written * 100 / total)
                self.status = f"Writing {written:,} of {total:,} people…"
                yield
        self.busy = False
        try:
            report = task.result()
        except DomainError as exc:
            self.error = exc.message
            self.status = ""
            return
        if report.errors:
            self.error_count = len(report.errors)
            self.errors = [[str(line), column, message] for line, column, message in report.errors[:500]]
            self.status = (f"Nothing was imported: {self.error_count} problem(s) in "
                           f"{report.total_rows} row(s). Fix them and upload the file again.")
            self.progress = 0
            return
        self.progress = 100
        self.created = report.created
        self.status = f"Imported {report.created:,} people."


class AuditState(AuthState):
    """The audit log, paged."""

    rows: list[AuditRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    prefix: str = ""
    error: str = ""

    async def _fetch(self) -> None:
        try:
            rows, total = await self._read(queries.audit_log, page=self.page, action_prefix=self.prefix)
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.rows, self.total = rows, total
        self.pages = max(1, -(-total // 50))

    @rx.event
    async def load(self):
        """First page."""
        self.page = 1
        await self._fetch()

    @rx.event
    async def set_prefix(self, value: str):
        """Filter by action (e.g. ``account.``)."""
        self.prefix = as_text(value, 80)
        self.page = 1
        await self._fetch()

    @rx.event
    async def next_page(self):
        """Older entries."""
        if self.page < self.pages:
            self.page += 1
        await self._fetch()

    @rx.event
    async def prev_page(self):
        """Newer entries."""
        self.page = max(1, self.page - 1)
        await self._fetch()


class ProfileState(AuthState):
    """The person's own record."""

    full_name: str = ""
    employee_code: str = ""
    position: str = ""
    unit_trail: str = ""
    email: str = ""
    phone: str = ""
    roles: list[str] = []
    union_branch: str = ""
    youth_branch: str = ""
    error: str = ""

    @rx.event
    async def load(self):
        """Read my record."""
        try:
            me = await self._read(queries.profile)
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.full_name, self.employee_code, self.position = me.full_name, me.employee_code, me.position
        self.unit_trail, self.email, self.phone = me.unit_trail, me.email, me.phone
        self.roles = me.roles
        self.union_branch, self.youth_branch = me.union_branch, me.youth_branch
