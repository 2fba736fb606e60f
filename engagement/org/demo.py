"""Demo data: a small province with departments, communes, branches, people and logins.

Everything is written through the real services of ``engagement.org.service`` (so every
rule, audit entry and unit history applies), as the bootstrap administrator. The only
shortcut: the demo accounts get the well-known ``DEMO_PASSWORD`` set directly on their row
instead of a one-time password, so that anyone trying the demo can log in at once.

The organisation is planned in advance as plain data, deterministically
(``random.Random(2026)``), so ``DEMO_LOGINS`` can name the people before anything is seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from engagement.core.access import Actor, Role
from engagement.core.errors import Conflict
from engagement.core.security import hash_password
from engagement.org import rules, service, sessions
from engagement.org.models import Account, Unit

DEMO_PASSWORD = "demo-password-2026"
DEMO_EMAIL_DOMAIN = "demo.gov.vn"

ROOT_NAME = "Tỉnh Demo"
ROOT_CODE = "TINH"

# --- the plan: units ----------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitPlan:
    code: str
    name: str
    kind: str
    parent: str  # parent unit code
    union: tuple[str, str] | None = None  # (branch code, branch name)
    youth: tuple[str, str] | None = None


# (code, name, [(office code suffix, office name)], has a youth-union branch)
_DEPARTMENTS: tuple[tuple[str, str, tuple[tuple[str, str], ...], bool], ...] = (
    ("SNV", "Sở Nội vụ", (("VP", "Văn phòng Sở"), ("TDKT", "Ban Thi đua - Khen thưởng")), True),
    ("STC", "Sở Tài chính", (("VP", "Văn phòng Sở"), ("NS", "Phòng Quản lý ngân sách")), True),
    ("SGDDT", "Sở Giáo dục và Đào tạo",
     (("VP", "Văn phòng Sở"), ("GDPT", "Phòng Giáo dục phổ thông")), True),
    ("SYT", "Sở Y tế", (("VP", "Văn phòng Sở"), ("NVY", "Phòng Nghiệp vụ Y")), False),
    ("STP", "Sở Tư pháp", (("VP", "Văn phòng Sở"), ("TT", "Thanh tra Sở")), False),
    ("SXD", "Sở Xây dựng", (("VP", "Văn phòng Sở"), ("QHKT", "Phòng Quy hoạch - Kiến trúc")), False),
    ("SCT", "Sở Công Thương", (("VP", "Văn phòng Sở"), ("QLTM", "Phòng Quản lý thương mại")), True),
    ("SNNMT", "Sở Nông nghiệp và Môi trường",
     (("VP", "Văn phòng Sở"), ("TCCB", "Phòng Tổ chức cán bộ")), False),
)

# (code, full name, short place name, has a culture-and-society office, youth branch)
_COMMUNES: tuple[tuple[str, str, str, bool, bool], ...] = (
    ("TANLAP", "UBND xã Tân Lập", "xã Tân Lập", True, True),
    ("HOABINH", "UBND phường Hòa Bình", "phường Hòa Bình", True, False),
    ("PHUMY", "UBND xã Phú Mỹ", "xã Phú Mỹ", True, True),
    ("QUANGTRUNG", "UBND phường Quang Trung", "phường Quang Trung", True, False),
    ("DONGHUNG", "UBND xã Đông Hưng", "xã Đông Hưng", False, False),
    ("THANHPHU", "UBND xã Thạnh Phú", "xã Thạnh Phú", False, False),
)

_COMMUNE_CODES = frozenset(code for code, *_ in _COMMUNES)

GROUP_DEPARTMENTS = "Các sở, ban, ngành tỉnh"
GROUP_COMMUNES = "UBND cấp xã"


def _plan_units() -> list[_UnitPlan]:
    units: list[_UnitPlan] = []
    for code, name, offices, youth in _DEPARTMENTS:
        short = name.removeprefix("Sở ")
        units.append(_UnitPlan(
            code=code, name=name, kind="department", parent=ROOT_CODE,
            union=(f"CD-{code}", f"Công đoàn {name}"),
            youth=(f"DTN-{code}", f"Chi đoàn Sở {short}") if youth else None,
        ))
        units.extend(_UnitPlan(code=f"{code}-{suffix}", name=office, kind="office", parent=code)
                     for suffix, office in offices)
    for code, name, place, office, youth in _COMMUNES:
        units.append(_UnitPlan(
            code=code, name=name, kind="commune", parent=ROOT_CODE,
            union=(f"CD-{code}", f"Công đoàn {name}"),
            youth=(f"DTN-{code}", f"Chi đoàn {place.capitalize()}") if youth else None,
        ))
        units.append(_UnitPlan(code=f"{code}-TTHCC", name="Trung tâm Phục vụ hành chính công",
                               kind="centre", parent=code))
        if office:
            units.append(_UnitPlan(code=f"{code}-VHXH", name="Phòng Văn hóa - Xã hội",
                                   kind="office", parent=code))
    return units


# --- the plan: people ---------------------------------------------------------------------

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
# Common names are common: the first families are weighted as in real registers.
_FAMILY_WEIGHTS = (30, 12, 10, 8, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1)
_MIDDLE = {
    "m": ("Văn", "Hữu", "Minh", "Đức", "Quang", "Thanh", "Công", "Xuân", "Quốc"),
    "f": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Thùy", "Phương", "Kim", "Hồng"),
}
_GIVEN = {
    "m": ("An", "Bình", "Dũng", "Hải", "Hùng", "Nam", "Quân", "Tuấn", "Long", "Khoa", "Sơn",
          "Thắng", "Hiếu", "Phúc", "Trung", "Đạt", "Huy", "Cường"),
    "f": ("Chi", "Hà", "Hoa", "Lan", "Linh", "Mai", "Phương", "Thảo", "Trang", "Yến", "Hương",
          "Ngân", "Nhung", "Hằng", "Vân", "Anh", "Nga", "Hạnh"),
}


@dataclass(frozen=True)
class _PersonPlan:
    employee_code: str
    full_name: str
    position: str
    unit: str  # unit code
    union: str | None  # union branch code
    youth: str | None  # youth-union branch code
    email: str | None
    phone: str | None
    username: str | None = None  # an account, when set
    role: Role | None = None
    role_unit: str | None = None  # unit code of a unit_head grant
    role_branch: str | None = None  # union branch code of a union_officer grant
    active: bool = True


@dataclass(frozen=True)
class _Slot:
    """A job to fill: who sits where, and the login this person gets (if any)."""

    unit: str
    position: str
    username: str | None = None
    role: Role | None = None
    role_unit: str | None = None
    role_branch: str | None = None
    label: str = ""  # what DEMO_LOGINS says about this login


def _titles(unit: _UnitPlan) -> tuple[str, ...]:
    """The job titles in one unit, leader first."""
    if unit.kind == "department":
        return ("Giám đốc Sở",)
    if unit.kind == "commune":
        return ("Chủ tịch UBND " + unit.name.split()[1],)  # "xã" or "phường"
    if unit.kind == "centre":
        return ("Phó Giám đốc Trung tâm", "Công chức một cửa")
    if unit.parent in _COMMUNE_CODES:
        return ("Trưởng phòng",)
    if unit.name == "Văn phòng Sở":
        return ("Chánh Văn phòng", "Văn thư", "Chuyên viên")
    if unit.name == "Thanh tra Sở":
        return ("Chánh Thanh tra", "Thanh tra viên", "Thanh tra viên")
    if unit.name.startswith("Ban "):
        return ("Trưởng ban", "Chuyên viên", "Chuyên viên")
    return ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")


def _slots(units: list[_UnitPlan]) -> list[_Slot]:
    """Every position in the demo organisation, unit by unit; named logins in their places."""
    slots: list[_Slot] = [_Slot(ROOT_CODE, "Quản trị hệ thống", "admin", Role.SYSTEM_ADMIN,
                                label="System admin (whole organisation)")]
    named = {
        ("SNV", 0): _Slot("SNV", "Giám đốc Sở", "head.snv", Role.UNIT_HEAD, role_unit="SNV",
                          label="Unit head of Sở Nội vụ (and its offices)"),
        ("SNV-VP", 0): _Slot("SNV-VP", "Chánh Văn phòng, Chủ tịch Công đoàn Sở", "union.snv",
                             Role.UNION_OFFICER, role_branch="CD-SNV",
                             label="Union officer of Công đoàn Sở Nội vụ"),
        ("SNV-VP", 2): _Slot("SNV-VP", "Chuyên viên", "staff",
                             label="Staff member, Văn phòng Sở Nội vụ"),
        ("SNV-TDKT", 1): _Slot("SNV-TDKT", "Chuyên viên thi đua - khen thưởng", "officer",
                               Role.EMULATION_OFFICER,
                               label="Emulation officer (whole organisation)"),
        ("STP", 0): _Slot("STP", "Phó Giám đốc Sở", "council", Role.COUNCIL_MEMBER,
                          label="Member of the emulation and commendation council"),
        ("TANLAP", 0): _Slot("TANLAP", "Chủ tịch UBND xã", "head.tanlap", Role.UNIT_HEAD,
                             role_unit="TANLAP", label="Unit head of UBND xã Tân Lập"),
        ("TANLAP-TTHCC", 1): _Slot("TANLAP-TTHCC", "Công chức một cửa", "staff2",
                                   label="Staff member, one-stop centre of xã Tân Lập"),
    }
    for unit in units:
        for index, title in enumerate(_titles(unit)):
            slots.append(named.get((unit.code, index), _Slot(unit.code, title)))
    return slots


EXTRA_STAFF_ACCOUNTS = 12
#: Employee code of the demo person who left (deactivated, history kept).
INACTIVE_EMPLOYEE_CODE = "CB00025"


def _ascii_handle(full_name: str, taken: set[str]) -> str:
    """``an.nv``, then ``an.nv2``, ``an.nv3``... (unique among ``taken``, which it extends)."""
    base = rules.suggest_username(full_name)
    handle, n = base, 1
    while handle in taken:
        n += 1
        handle = f"{base}{n}"
    taken.add(handle)
    return handle


def _plan_people(units: list[_UnitPlan]) -> list[_PersonPlan]:
    rng = random.Random(2026)
    by_code = {u.code: u for u in units}
    by_code[ROOT_CODE] = _UnitPlan(code=ROOT_CODE, name=ROOT_NAME, kind="province", parent="")
    used_names: set[str] = set()
    slots = _slots(units)
    reserved = {s.username for s in slots if s.username}
    handles: set[str] = set(reserved)
    people: list[_PersonPlan] = []
    handle_of: list[str] = []
    plain: list[int] = []  # who may get one of the extra plain staff logins
    for number, slot in enumerate(slots, start=1):
        while True:
            gender = rng.choice("mf")
            family = rng.choices(_FAMILY, weights=_FAMILY_WEIGHTS)[0]
            middle, given = rng.choice(_MIDDLE[gender]), rng.choice(_GIVEN[gender])
            name = f"{family} {middle} {given}"
            if middle != given and name not in used_names:
                used_names.add(name)
                break
        # Branch membership follows the person's department or commune.
        unit = by_code[slot.unit]
        anchor = unit if unit.kind in ("department", "commune") else by_code.get(unit.parent, unit)
        union = anchor.union[0] if anchor.union else None
        youth = anchor.youth[0] if anchor.youth and rng.random() < 0.5 else None
        if slot.role_branch:
            union = slot.role_branch
        handle = slot.username or _ascii_handle(name, handles)
        handle_of.append(handle)
        code = f"CB{number:05d}"
        if slot.username is None and code != INACTIVE_EMPLOYEE_CODE \
                and slot.position != _titles(unit)[0]:
            plain.append(number - 1)
        has_email = slot.username is not None or rng.random() < 0.6
        email = f"{handle}@{DEMO_EMAIL_DOMAIN}" if has_email else None
        phone = None
        if rng.random() < 0.6:
            digits = f"{rng.randint(0, 99_999_999):08d}"
            phone = f"09{digits[:2]} {digits[2:5]} {digits[5:]}"
        people.append(_PersonPlan(
            employee_code=code, full_name=name, position=slot.position,
            unit=slot.unit, union=union, youth=youth, email=email, phone=phone,
            username=slot.username, role=slot.role, role_unit=slot.role_unit,
            role_branch=slot.role_branch,
            active=code != INACTIVE_EMPLOYEE_CODE,
        ))
    # A dozen more plain staff logins among the rank and file; usernames as the People page
    # suggests them (``an.nv``), made unique with a digit (``an.nv2``), as their e-mail.
    for i in sorted(rng.sample(plain, EXTRA_STAFF_ACCOUNTS)):
        username = handle_of[i]
        people[i] = replace(people[i], username=username,
                            email=f"{username}@{DEMO_EMAIL_DOMAIN}")
    return people


_UNITS = _plan_units()
_PEOPLE = _plan_people(_UNITS)

#: The named demo logins (username, role, full name), all with ``DEMO_PASSWORD``.
_LOGIN_ORDER = ("admin", "officer", "head.snv", "head.tanlap", "union.snv", "council", "staff",
                "staff2")
_LABELS = {s.username: s.label for s in _slots(_UNITS) if s.username}
_NAMES = {p.username: p.full_name for p in _PEOPLE if p.username}
DEMO_LOGINS: list[tuple[str, str, str]] = [(u, _LABELS[u], _NAMES[u]) for u in _LOGIN_ORDER]
#: The other plain staff logins (username, full name), also with ``DEMO_PASSWORD``.
DEMO_STAFF_LOGINS: list[tuple[str, str]] = [
    (p.username, p.full_name) for p in _PEOPLE
    if p.username and p.username not in {u for u, _, _ in DEMO_LOGINS}
]


# --- seeding ----------------------------------------------------------------------------------


def _admin_actor(session: Session, now: datetime) -> tuple[Actor, str]:
    result = sessions.login(session, username="admin", password=DEMO_PASSWORD,
                           client_ip="127.0.0.1", user_agent="engagement seed-demo", now=now)
    actor = sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        raise Conflict("The demo administrator could not log in: {reason}", reason=result.message)
    return actor, result.token


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Fill an empty database with the demo organisation, people and logins.

    The caller commits (``unit_of_work``). Every row goes through the org services, as the
    bootstrap administrator ``admin``; demo accounts then get ``DEMO_PASSWORD``.

    Args:
        session: the open unit of work, on a database without any unit.
        now: the time stamped on every record.

    Returns:
        Counts of what was created: units, departments, communes, groups, branches, people,
        active_people, accounts, people_without_account.

    Raises:
        Conflict: the database already has units (demo data only goes into an empty one).
    """
    if session.exec(select(Unit.id)).first() is not None:
        raise Conflict(
            "This database already has an organisation; demo data can only be loaded into an "
            "empty database."
        )
    admin_plan = _PEOPLE[0]
    service.bootstrap_admin(
        session, username="admin", password=DEMO_PASSWORD, full_name=admin_plan.full_name,
        employee_code=admin_plan.employee_code, unit_name=ROOT_NAME, unit_code=ROOT_CODE, now=now,
    )
    actor, token = _admin_actor(session, now)
    # The bootstrap writes an English job title; give the demo admin a local one.
    service.update_person(
        session, actor=actor, person_id=actor.person_id, full_name=admin_plan.full_name,
        position=admin_plan.position, unit_id=actor.unit_id, email=admin_plan.email,
        phone=admin_plan.phone, now=now)
    unit_ids: dict[str, int] = {ROOT_CODE: actor.unit_id}
    branch_ids: dict[str, int] = {}
    for plan in _UNITS:
        unit_ids[plan.code] = service.create_unit(
            session, actor=actor, name=plan.name, code=plan.code, kind=plan.kind,
            parent_id=unit_ids[plan.parent], now=now)
        for kind, branch in (("union", plan.union), ("youth", plan.youth)):
            if branch is not None:
                branch_ids[branch[0]] = service.create_branch(
                    session, actor=actor, kind=kind, code=branch[0], name=branch[1],
                    unit_id=unit_ids[plan.code], now=now)

    groups = (
        (GROUP_DEPARTMENTS, "Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh: thi đua theo cụm.",
         "department"),
        (GROUP_COMMUNES, "Ủy ban nhân dân các xã, phường: thi đua theo cụm.", "commune"),
    )
    for name, description, kind in groups:
        group_id = service.create_group(session, actor=actor, name=name, description=description,
                                        now=now)
        for plan in _UNITS:
            if plan.kind == kind:
                service.set_group_membership(session, actor=actor, group_id=group_id,
                                             unit_id=unit_ids[plan.code], member=True, now=now)

    # One hash for every demo login: argon2 is slow on purpose.
    demo_hash = hash_password(DEMO_PASSWORD)
    accounts = 1
    for plan in _PEOPLE[1:]:
        person_id = service.create_person(
            session, actor=actor, employee_code=plan.employee_code, full_name=plan.full_name,
            position=plan.position, unit_id=unit_ids[plan.unit], email=plan.email,
            phone=plan.phone, union_branch_id=branch_ids.get(plan.union or ""),
            youth_branch_id=branch_ids.get(plan.youth or ""), now=now)
        if plan.username:
            created = service.create_account(session, actor=actor, person_id=person_id,
                                             username=plan.username, now=now)
            account = session.get(Account, created.account_id)
            account.password_hash = demo_hash
            account.must_change_password = False
            session.add(account)
            accounts += 1
            if plan.role is not None:
                service.grant_role(
                    session, actor=actor, account_id=created.account_id, role=plan.role.value,
                    unit_id=unit_ids.get(plan.role_unit or ""),
                    branch_id=branch_ids.get(plan.role_branch or ""), now=now)
        if not plan.active:
            service.set_person_active(session, actor=actor, person_id=person_id, active=False,
                                      now=now)
    sessions.logout(session, token=token, now=now)
    session.flush()
    return {
        "units": len(_UNITS) + 1,
        "departments": sum(1 for u in _UNITS if u.kind == "department"),
        "communes": sum(1 for u in _UNITS if u.kind == "commune"),
        "groups": len(groups),
        "branches": len(branch_ids),
        "people": len(_PEOPLE),
        "active_people": sum(1 for p in _PEOPLE if p.active),
        "accounts": accounts,
        "people_without_account": len(_PEOPLE) - accounts,
    }
