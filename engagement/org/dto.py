"""Frozen data passed from org services to pages (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engagement.core.paging import Page


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: a token (or the login form's hand-off code) on success, a message otherwise."""

    ok: bool
    message: str = ""
    token: str = ""
    must_change_password: bool = False
    #: The login form's one-time code for the cookie route (``sessions.finish_login``); no token then.
    handoff: str = ""


@dataclass(frozen=True)
class UnitRow:
    """A unit as listed in the tree."""

    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None
    depth: int
    path: str
    is_active: bool
    people: int = 0
    groups: str = ""


@dataclass(frozen=True)
class UnitEventRow:
    """One line of a unit's history."""

    at: str
    kind: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class GroupRow:
    """A unit group with its members' names."""

    id: int
    name: str
    description: str
    unit_ids: list[int] = field(default_factory=list)
    unit_names: str = ""


@dataclass(frozen=True)
class BranchRow:
    """A union or youth-union branch."""

    id: int
    kind: str
    code: str
    name: str
    unit_id: int


@dataclass(frozen=True)
class PersonRow:
    """A person in the people list."""

    id: int
    employee_code: str
    full_name: str
    position: str
    unit_id: int
    unit_name: str
    email: str
    phone: str
    is_active: bool
    has_account: bool
    username: str = ""
    union_branch_id: int = 0
    youth_branch_id: int = 0
    gender: str = ""  # "male" | "female" | ""
    birth_date: str = ""  # yyyy-mm-dd, as a date input takes it ("" when not given)
    rank: str = ""
    recruited_on: str = ""  # yyyy-mm-dd


@dataclass(frozen=True)
class PeoplePage(Page):
    """One page of search results."""

    rows: list[PersonRow]


@dataclass(frozen=True)
class GrantRow:
    """A role held by an account."""

    id: int
    role: str
    role_label: str
    scope: str


@dataclass(frozen=True)
class AccountInfo:
    """A person's login account, as an admin sees it."""

    id: int
    username: str
    is_active: bool
    must_change_password: bool
    last_login: str
    grants: list[GrantRow] = field(default_factory=list)


@dataclass(frozen=True)
class NewAccount:
    """An account just created or reset: the temporary password is shown once."""

    account_id: int
    username: str
    temporary_password: str


@dataclass(frozen=True)
class ImportReport:
    """Result of a staff import: either every row was written, or nothing and the errors."""

    created: int
    errors: list[tuple[int, str, str]]  # (line, column, message)
    total_rows: int
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportPreviewRow:
    """What an import would do with one line of the file."""

    line: int
    kind: str  # "refused" | "changed" | "new" | "unchanged"
    employee_code: str
    full_name: str
    unit: str
    changes: list[str] = field(default_factory=list)  # "Unit: A → B"; for a refused row, its problems


@dataclass(frozen=True)
class ImportPreview:
    """Every row of a staff file and what importing it would do; nothing is written yet.

    ``digest`` names the file and the plan: the confirmation must bring the same.
    """

    digest: str
    rows: list[ImportPreviewRow]
    total_rows: int
    new: int
    changed: int
    unchanged: int
    refused: int
    errors: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """What a person sees about themselves."""

    full_name: str
    employee_code: str
    position: str
    unit_name: str
    unit_trail: str
    email: str
    phone: str
    username: str
    roles: list[str]
    union_branch: str
    youth_branch: str


@dataclass(frozen=True)
class AuditRow:
    """One audit log line."""

    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: str
    action_label: str = ""  # the action in the reader's language (the code when unknown)
    entity_label: str = ""  # the kind of record in the reader's language
    record: str = ""  # the record's readable name where cheap (a person's name, a unit's label)
    changes: list[str] = field(default_factory=list)  # "Unit: A → B", in the reader's language
    id: int = 0


@dataclass(frozen=True)
class AuditPage(Page):
    """One page of the audit log; ``capped`` when more entries match than are counted."""

    rows: list[AuditRow]
    capped: bool = False
