"""Reflex state of the organisation pages. Thin: each handler calls one service or query."""

from __future__ import annotations

import asyncio
import functools
import threading

import reflex as rx

from engagement.core import clock, formats, i18n, sheets
from engagement.core.access import Perm
from engagement.core.errors import Invalid
from engagement.core.i18n import N_
from engagement.org import labels, queries, service
from engagement.org.dto import (
    AccountInfo,
    AuditRow,
    GroupRow,
    ImportPreviewRow,
    PersonRow,
    Profile,
    UnitEventRow,
    UnitRow,
)
from engagement.org.rules import IMPORT_COLUMNS, fold, suggest_username
from engagement.ui import uploads
from engagement.ui.auth import AuthState
from engagement.ui.components import Option
from engagement.ui.kit import Dialog, Form, Paged, as_date, as_int, as_text, unit_options

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
AUDIT_PAGE_SIZE = 50


class UnitsState(Dialog, AuthState):
    """The unit tree, its history and the unit groups."""

    rows: list[UnitRow] = []
    groups: list[GroupRow] = []
    unit_options: list[Option] = []
    filter_text: str = ""
    target_name: str = ""
    history: list[UnitEventRow] = []
    error: str = ""
    _all: list[UnitRow] = []
    _target_id: int = 0

    @rx.var
    def kinds(self) -> list[str]:
        """Unit kinds for the create form."""
        return list(service.UNIT_KINDS)

    def _on_close(self) -> None:
        self.error = ""

    async def _reload(self) -> None:
        self._all, self.groups = await self._read_each(queries.unit_tree, queries.groups)
        self.unit_options = unit_options(self._all)
        self._apply_filter()

    async def _write(self, fn, **kwargs) -> None:
        """Run one write, then close the dialog and read the tree again."""
        await self._call(fn, **kwargs)
        self.dialog = ""
        await self._reload()

    def _apply_filter(self) -> None:
        needle = fold(self.filter_text)
        self.rows = [u for u in self._all if needle in fold(u.name) or needle in u.code.lower()] \
            if needle else list(self._all)

    @rx.event
    async def load(self):
        """Read the tree (on page load)."""
        self.dialog = ""
        with self._attempt():
            await self._reload()

    @rx.event
    def set_filter_text(self, value: str):
        """Filter the tree by name or code."""
        self.filter_text = as_text(value, 100)
        self._apply_filter()

    def _open(self, kind: str, unit_id: object) -> None:
        """Open a dialog on a unit of the tree shown; an unknown id opens nothing."""
        self.error, self._target_id, self.target_name = "", 0, ""
        if kind == "create" and str(unit_id) == "0":
            self.dialog = kind
            return
        with self._attempt(error=None):
            uid = as_int(unit_id, N_("unit"))
            match = next((u for u in self._all if u.id == uid), None)
            if match is not None:
                self._target_id, self.target_name, self.dialog = uid, match.name, kind

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
            with self._attempt():
                self.history = await self._read(queries.unit_history, unit_id=self._target_id)

    @rx.event
    async def submit_create(self, form: dict):
        """Create a unit under the dialog's parent."""
        with self._attempt(success=N_("Unit created."), toast_errors=True) as done:
            f = Form(form)
            await self._write(service.create_unit, name=f.text("name", 200), code=f.text("code", 40),
                              kind=f.text("kind", 30), parent_id=self._target_id or None)
        return done.toast

    @rx.event
    async def submit_rename(self, form: dict):
        """Rename the dialog's unit."""
        with self._attempt(success=N_("Unit renamed."), toast_errors=True) as done:
            name = Form(form).text("name", 200)
            await self._write(service.rename_unit, unit_id=self._target_id, name=name)
        return done.toast

    @rx.event
    async def submit_move(self, form: dict):
        """Move the dialog's unit under another parent ('' = top level)."""
        with self._attempt(success=N_("Unit moved."), toast_errors=True) as done:
            parent = Form(form).optional_id("parent_id", N_("unit"))
            await self._write(service.move_unit, unit_id=self._target_id, new_parent_id=parent)
        return done.toast

    @rx.event
    async def set_active(self, unit_id: int, active: bool):
        """Deactivate or reactivate a unit."""
        success = N_("Unit reactivated.") if active else N_("Unit deactivated.")
        with self._attempt(success=success, toast_errors=True) as done:
            await self._write(service.set_unit_active, unit_id=as_int(unit_id, N_("unit")), active=bool(active))
        return done.toast

    @rx.event
    async def create_group(self, form: dict):
        """Create a unit group."""
        with self._attempt(success=N_("Group created."), toast_errors=True) as done:
            f = Form(form)
            await self._write(service.create_group, name=f.text("name", 200),
                              description=f.text("description", 1000))
        return done.toast

    @rx.event
    async def add_to_group(self, form: dict):
        """Add a unit to a group."""
        with self._attempt(success=N_("Unit added to the group."), toast_errors=True) as done:
            f = Form(form)
            await self._write(service.set_group_membership, group_id=f.id("group_id", N_("group")),
                              unit_id=f.id("unit_id", N_("unit")), member=True)
        return done.toast

    @rx.event
    async def remove_from_group(self, group_id: int, unit_id: int):
        """Remove a unit from a group."""
        with self._attempt(success=N_("Unit removed from the group."), toast_errors=True) as done:
            await self._write(service.set_group_membership, group_id=as_int(group_id, N_("group")),
                              unit_id=as_int(unit_id, N_("unit")), member=False)
        return done.toast


_EMPTY_PERSON = PersonRow(id=0, employee_code="", full_name="", position="", unit_id=0,
                          unit_name="", email="", phone="", is_active=True, has_account=False)


class PeopleState(Paged, Dialog, AuthState):
    """The people list, the person form, and (for admins) accounts and roles."""

    query: str = ""
    unit_filter: str = ""
    include_inactive: bool = False
    rows: list[PersonRow] = []
    unit_options: list[Option] = []
    union_options: list[Option] = []
    youth_options: list[Option] = []
    branch_options: list[Option] = []
    form_key: int = 0
    editing: PersonRow = _EMPTY_PERSON
    account: AccountInfo | None = None
    suggested_username: str = ""
    temp_password: str = ""
    error: str = ""
    _editing_id: int = 0

    def _search(self) -> functools.partial:
        """The search of the current filters and page, as one read."""
        unit_id = int(self.unit_filter) if self.unit_filter.isdigit() else None
        return functools.partial(queries.search_people, text=self.query, unit_id=unit_id,
                                 include_inactive=self.include_inactive, page=self.page)

    def _show_page(self, result) -> None:
        self.rows = self._paged(result)
        self.page = min(self.page, self.pages)

    async def _reload(self) -> None:
        (result,) = await self._read_each(self._search())
        self._show_page(result)

    async def _turn(self):
        """Read the current page; a refusal is shown and toasted."""
        with self._attempt(toast_errors=True) as done:
            await self._reload()
        return done.toast

    async def _first_page(self):
        """The first page of the new filters."""
        self.page = 1
        return await self._turn()

    def _on_close(self) -> None:
        self.error = ""
        self.temp_password = ""

    @rx.event
    async def load(self):
        """Page load: options for the forms and the first page of results, in one read."""
        self.dialog = ""
        self.temp_password = ""
        with self._attempt(toast_errors=True) as done:
            units, branches, result = await self._read_each(
                functools.partial(queries.unit_tree, include_inactive=False), queries.branches,
                self._search())
            self.unit_options = unit_options(units)
            self.union_options = [Option(str(b.id), b.name) for b in branches if b.kind == "union"]
            self.youth_options = [Option(str(b.id), b.name) for b in branches if b.kind == "youth"]
            self.branch_options = self.union_options + self.youth_options
            self._show_page(result)
        return done.toast

    @rx.event
    async def set_query(self, value: str):
        """Search by name (accents optional), code or e-mail."""
        self.query = as_text(value, 60)
        return await self._first_page()

    @rx.event
    async def set_unit_filter(self, value: str):
        """Limit to a unit and its sub-units."""
        value = as_text(value, 20)
        self.unit_filter = value if value.isdigit() else ""
        return await self._first_page()

    @rx.event
    async def set_include_inactive(self, value: bool):
        """Show deactivated people too."""
        self.include_inactive = bool(value)
        return await self._first_page()

    @rx.event
    def open_create(self):
        """Open an empty person form."""
        self.error = ""
        self.editing = _EMPTY_PERSON
        self._editing_id = 0
        self.form_key += 1
        self.dialog = "person"

    async def _open_person(self, person_id: object, dialog: str) -> None:
        """Read a person (and, for admins, their account) and open ``dialog`` on them."""
        self.temp_password = ""
        with self._attempt():
            pid = as_int(person_id, N_("person"))
            reads = [functools.partial(queries.person, person_id=pid)]
            if self.can_manage_accounts:  # only decides what to show: the query checks the right
                reads.append(functools.partial(queries.account_info, person_id=pid))
            self.editing, *account = await self._read_each(*reads)
            self.account = account[0] if account else None
            self._editing_id = pid
            self.suggested_username = suggest_username(self.editing.full_name)
            self.form_key += 1
            self.dialog = dialog

    @rx.event
    async def open_edit(self, person_id: int):
        """Open the form of an existing person."""
        await self._open_person(person_id, "person")

    @rx.event
    async def open_account(self, person_id: int):
        """Open the account and roles panel of a person (admins)."""
        await self._open_person(person_id, "account")

    @rx.event
    async def save_person(self, form: dict):
        """Create or update the person in the form."""
        with self._attempt(success=N_("Saved.")) as done:
            f = Form(form)
            fields = {
                "full_name": f.text("full_name", 200), "position": f.text("position", 200),
                "email": f.text("email", 200), "phone": f.text("phone", 40),
                "unit_id": f.id("unit_id", N_("unit")),
                "union_branch_id": f.optional_id("union_branch_id", N_("branch")),
                "youth_branch_id": f.optional_id("youth_branch_id", N_("branch")),
                "gender": f.text("gender", 10), "rank": f.text("rank", 200),
                "birth_date": f.optional_day("birth_date", N_("date of birth")),
                "recruited_on": f.optional_day("recruited_on", N_("date of recruitment")),
            }
            if self._editing_id:
                await self._call(service.update_person, person_id=self._editing_id, **fields)
            else:
                await self._call(service.create_person, employee_code=f.text("employee_code", 40),
                                 **fields)
            self.dialog = ""
            await self._reload()
        return done.toast

    @rx.event
    async def set_person_active(self, person_id: int, active: bool):
        """Deactivate (never delete) or reactivate a person."""
        success = N_("Person reactivated.") if active else N_("Person deactivated.")
        with self._attempt(success=success, error=None, toast_errors=True) as done:
            await self._call(service.set_person_active, person_id=as_int(person_id, N_("person")),
                             active=bool(active))
            await self._reload()
        return done.toast

    async def _on_account(self, fn, **kwargs) -> None:
        """Run an account action on the person being edited, then show the account again.

        The account is re-derived from the person being edited, never taken from a browser
        value; the service then checks the caller may manage accounts.
        """
        info = await self._read(queries.account_info, person_id=self._editing_id)
        await self._account_action(fn, account_id=info.id if info is not None else 0, **kwargs)

    async def _account_action(self, fn, **kwargs) -> None:
        """Run an account action, then read the account and the list again in one read."""
        result = await self._call(fn, **kwargs)
        self.account, page = await self._read_each(
            functools.partial(queries.account_info, person_id=self._editing_id), self._search())
        self.temp_password = getattr(result, "temporary_password", "") or self.temp_password
        self._show_page(page)

    @rx.event
    async def create_account(self, form: dict):
        """Give the person a login; shows a one-time temporary password."""
        with self._attempt(success=N_("Account created.")) as done:
            username = Form(form).text("username", 60)
            await self._account_action(service.create_account, person_id=self._editing_id, username=username)
        return done.toast

    @rx.event
    async def reset_password(self):
        """Replace the password with a temporary one (shown once)."""
        with self._attempt(success=N_("Password reset.")) as done:
            await self._on_account(service.reset_password)
        return done.toast

    @rx.event
    async def set_account_active(self, active: bool):
        """Disable or re-enable the login."""
        with self._attempt(success=N_("Account enabled.") if active else N_("Account disabled.")) as done:
            await self._on_account(service.set_account_active, active=bool(active))
        return done.toast

    @rx.event
    async def grant_role(self, form: dict):
        """Grant a role (unit heads need a unit; union officers a branch)."""
        with self._attempt(success=N_("Role granted.")) as done:
            f = Form(form)
            await self._on_account(service.grant_role, role=f.text("role", 40),
                                   unit_id=f.optional_id("unit_id", N_("unit")),
                                   branch_id=f.optional_id("branch_id", N_("branch")))
        return done.toast

    @rx.event
    async def revoke_role(self, grant_id: int):
        """Revoke a role."""
        with self._attempt(success=N_("Role revoked.")) as done:
            await self._account_action(service.revoke_role, grant_id=as_int(grant_id, N_("role")))
        return done.toast


#: How many rows of a preview the page lists at once (the counts cover every row).
PREVIEW_SHOWN = 500
_TEMPLATE_EXAMPLE = ("CB90001", "Nguyễn Thị Hoa", "Chuyên viên", "SNV-VP", "hoa.nt@example.gov.vn", "0912345678", "",
                     "", "Nữ", "25/03/1990", "Chuyên viên (01.003)", "01/09/2014")


class ImportState(AuthState):
    """Staff import in two steps: check the file (a preview of every row), then confirm it.

    The preview's digest (the file and the plan) stays server-side in ``_digest``; the
    confirmation sends the file again and the service writes only when it gives the same digest.
    """

    busy: bool = False
    progress: int = 0
    status: str = ""
    created: int = 0
    updated: int = 0
    errors: list[list[str]] = []
    error_count: int = 0
    error: str = ""
    previewed: bool = False
    count_new: int = 0
    count_changed: int = 0
    count_unchanged: int = 0
    count_refused: int = 0
    show_kind: str = ""
    preview_rows: list[ImportPreviewRow] = []
    preview_hidden: int = 0
    _digest: str = ""
    _preview: list[ImportPreviewRow] = []

    def _number(self, n: int) -> str:
        """A count in the tab's language (``1.234`` in Vietnamese)."""
        with i18n.using(self._lang()):
            return formats.number(n, 0)

    def _clear_preview(self) -> None:
        self.previewed = False
        self.count_new = self.count_changed = self.count_unchanged = self.count_refused = 0
        self.preview_rows, self._preview, self.preview_hidden, self._digest = [], [], 0, ""

    @rx.event
    def reset_page(self):
        """Clear the previous import's report and preview."""
        self.busy = False
        self.progress = 0
        self.status = ""
        self.created = 0
        self.updated = 0
        self.errors = []
        self.error_count = 0
        self.error = ""
        self.show_kind = ""
        self._clear_preview()

    @rx.event
    def download_template(self):
        """A CSV with the expected header and one example row; its byte-order mark makes Excel
        open it with the Vietnamese intact."""
        example = ",".join(_TEMPLATE_EXAMPLE)
        return rx.download(data=(sheets.CSV_BOM + ",".join(IMPORT_COLUMNS) + "\n" + example + "\n").encode("utf-8"),
                           filename="staff-import-template.csv")

    async def _csv_text(self, files: list[rx.UploadFile]) -> str:
        """The uploaded file as text, at most ``MAX_UPLOAD_BYTES`` read, once the importer is checked.

        Raises:
            NotAllowed: not logged in, or not allowed to import people.
            Invalid: no file, too large, or not UTF-8.
        """
        data, name = await uploads.read_upload(self, files, perm=Perm.IMPORT_PEOPLE, limit=MAX_UPLOAD_BYTES,
                                               default_name="staff.csv")
        if not data:
            raise Invalid("Choose a CSV file first.")
        if str(name or "").lower().endswith(".xlsx"):
            return await asyncio.to_thread(sheets.xlsx_as_csv, data)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid("The file is not UTF-8 text. In Excel use “Save as: CSV UTF-8 "
                          "(comma delimited)” and upload again.") from None

    def _show_rows(self) -> None:
        rows = [r for r in self._preview if not self.show_kind or r.kind == self.show_kind]
        self.preview_rows = rows[:PREVIEW_SHOWN]
        self.preview_hidden = max(0, len(rows) - PREVIEW_SHOWN)

    @rx.event
    def set_show_kind(self, value: str):
        """List only the new, changed, unchanged or refused rows of the preview ("" = all)."""
        value = as_text(value, 20)
        self.show_kind = value if value in service.ROW_KINDS else ""
        self._show_rows()

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Check the whole file and show what importing it would do; nothing is written."""
        self.reset_page()
        with self._attempt() as readable:
            text = await self._csv_text(files)
            self.status = self._t("Checking every row…")
            yield
            preview = await self._read(service.preview_import, csv_text=text, now=clock.now())
        if not readable.ok:
            self.status = ""
            return
        self._preview = preview.rows
        self._digest = "" if preview.refused else preview.digest
        self.count_new, self.count_changed = preview.new, preview.changed
        self.count_unchanged, self.count_refused = preview.unchanged, preview.refused
        self.previewed = True
        self._show_rows()
        if preview.errors:
            self.error_count = len(preview.errors)
            self.status = self._render(sheets.problems_summary([line for line, _column, _message in preview.errors]))
        else:
            self.status = self._t("Check the rows below, then confirm the import.")

    @rx.event
    async def confirm(self, files: list[rx.UploadFile]):
        """Import the file previewed: it is sent again and must be the same, and so must the plan."""
        digest = self._digest
        with self._attempt() as readable:
            text = await self._csv_text(files)
            if not digest:
                raise Invalid("Check the file first: the import is written only after its preview.")
        if not readable.ok:
            return
        done = [0, 0]
        lock = threading.Lock()

        def on_progress(written: int, total: int) -> None:
            with lock:
                done[0], done[1] = written, total

        self.busy = True
        self.status = self._t("Checking every row…")
        yield
        task = asyncio.ensure_future(self._call(service.import_people, csv_text=text, digest=digest,
                                                progress=on_progress))
        while not task.done():
            await asyncio.sleep(0.3)
            with lock:
                written, total = done
            if total:
                self.progress = int(written * 100 / total)
                self.status = self._tn("Writing {written} of {n} person…", "Writing {written} of {n} people…",
                                       total, written=self._number(written), n=self._number(total))
                yield
        self.busy = False
        with self._attempt() as imported:
            report = task.result()
        if not imported.ok:
            self.status = ""
            self._clear_preview()
            return
        self._clear_preview()
        if report.errors:
            self.error_count = len(report.errors)
            self.errors = [[str(line), column, message] for line, column, message in report.errors[:500]]
            self.status = self._render(sheets.problems_summary([line for line, _column, _message in report.errors]))
            self.progress = 0
            return
        self.progress = 100
        self.created, self.updated = report.created, report.updated
        self.status = " ".join((
            self._tn("Imported {n} new person.", "Imported {n} new people.", report.created,
                     n=self._number(report.created)),
            self._tn("Updated {n} person.", "Updated {n} people.", report.updated, n=self._number(report.updated)),
        ))


class AuditState(Paged, AuthState):
    """The audit log in words, filtered by person, record type, action and dates, paged."""

    rows: list[AuditRow] = []
    prefix: str = ""
    person: str = ""
    entity: str = ""
    action: str = ""
    date_from: str = ""
    date_to: str = ""
    capped: bool = False
    error: str = ""

    @rx.var
    def entity_options(self) -> list[Option]:
        """The kinds of record, by label in the tab's language."""
        with i18n.using(self._lang()):
            return sorted((Option(code, msg.render()) for code, msg in labels.AUDIT_ENTITY_LABELS.items()),
                          key=lambda o: fold(o.label))

    @rx.var
    def action_options(self) -> list[Option]:
        """The actions, by label in the tab's language."""
        with i18n.using(self._lang()):
            return sorted((Option(code, msg.render()) for code, msg in labels.AUDIT_ACTION_LABELS.items()),
                          key=lambda o: fold(o.label))

    async def _reload(self) -> None:
        day_from = as_date(self.date_from, N_("first day")) if self.date_from else None
        day_to = as_date(self.date_to, N_("last day")) if self.date_to else None
        if day_from and day_to and day_to < day_from:
            raise Invalid("The last day comes before the first day; swap them.")
        result = await self._read(queries.audit_log, page=self.page, page_size=AUDIT_PAGE_SIZE,
                                  action_prefix=self.prefix, action=self.action, entity=self.entity,
                                  person=self.person, date_from=day_from, date_to=day_to)
        self.rows = self._paged(result)
        self.capped = result.capped

    async def _first(self) -> None:
        """The first page of the filters just changed (the filters stay when paging)."""
        self.page = 1
        with self._attempt():
            await self._reload()

    @rx.event
    async def load(self):
        """First page."""
        await self._first()

    @rx.event
    async def set_prefix(self, value: str):
        """Filter by action code (e.g. ``account.``)."""
        self.prefix = as_text(value, 80)
        await self._first()

    @rx.event
    async def set_person(self, value: str):
        """Entries done by, or about, people whose name or employee code matches."""
        self.person = as_text(value, 60)
        await self._first()

    @rx.event
    async def set_entity(self, value: str):
        """Only one kind of record ("" = all)."""
        value = as_text(value, 80)
        self.entity = value if value in labels.AUDIT_ENTITY_LABELS else ""
        await self._first()

    @rx.event
    async def set_action(self, value: str):
        """Only one action ("" = all)."""
        value = as_text(value, 80)
        self.action = value if value in labels.AUDIT_ACTION_LABELS else ""
        await self._first()

    @rx.event
    async def set_date_from(self, value: str):
        """From this day (the organisation's calendar), included."""
        self.date_from = as_text(value, 10)
        await self._first()

    @rx.event
    async def set_date_to(self, value: str):
        """Up to this day, included."""
        self.date_to = as_text(value, 10)
        await self._first()

    @rx.event
    async def clear_filters(self):
        """Every entry again."""
        self.prefix = self.person = self.entity = self.action = self.date_from = self.date_to = ""
        await self._first()


_NO_PROFILE = Profile(full_name="", employee_code="", position="", unit_name="", unit_trail="", email="",
                      phone="", username="", roles=[], union_branch="", youth_branch="")


class ProfileState(AuthState):
    """The person's own record."""

    me: Profile = _NO_PROFILE
    error: str = ""

    @rx.event
    async def load(self):
        """Read my record."""
        with self._attempt():
            self.me = await self._read(queries.profile)
