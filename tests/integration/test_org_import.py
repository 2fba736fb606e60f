"""CSV import of staff: all rows or nothing, every error reported with its line."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from engagement.core.access import PERMISSIONS, Perm, Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Invalid, NotAllowed
from engagement.org import queries, service
from engagement.org.models import Membership, Person
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401 - autouse

HEADER = "employee_code,full_name,position,unit_code,email,phone,union_branch,youth_branch"
# Every test imports into the ``small_org`` fixture's tree (tests/conftest.py).


def people(session) -> int:
    return f.count(session, Person)


def memberships(session) -> int:
    return f.count(session, Membership)


def import_entries(session) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == "person.import")))


GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hoà", "Khoa"]


def valid_csv(n: int = len(GIVEN), *, prefix: str = "NV") -> str:
    units = ["A", "a1", "B"]
    lines = [HEADER]
    for i in range(n):
        lines.append(f"{prefix}{i:04d},Nguyễn Văn {GIVEN[i % len(GIVEN)]},Chuyên viên,"
                     f"{units[i % 3]},nv{i}@so.gov.vn,09123456{i % 100:02d},,")
    return "\n".join(lines) + "\n"


def run(session, actor, text, now, progress=None):
    """Preview the file, then confirm that preview (as the import page does)."""
    digest = service.preview_import(session, actor=actor, csv_text=text, now=now).digest
    return service.import_people(session, actor=actor, csv_text=text, digest=digest, now=now, progress=progress)


# --- success ---------------------------------------------------------------------------------


def test_valid_file_imports_every_row_with_memberships_and_one_audit_entry(session, now, small_org,
                                                                               monkeypatch):
    monkeypatch.setattr(service, "IMPORT_BATCH", 3)
    before_people, before_members = people(session), memberships(session)
    calls: list[tuple[int, int]] = []
    report = run(session, small_org.admin, valid_csv(7), now,
                 progress=lambda done, total: calls.append((done, total)))
    assert (report.created, report.total_rows, report.errors) == (7, 7, [])
    assert people(session) == before_people + 7
    assert memberships(session) == before_members + 7
    assert calls == [(3, 7), (6, 7), (7, 7)]
    (entry,) = import_entries(session)
    assert entry.actor_account_id == small_org.admin.account_id
    assert json.loads(entry.detail) == {"created": 7, "updated": 0, "unchanged": 0}


def test_imported_people_are_cleaned_and_placed_in_their_units(session, now, small_org):
    text = (HEADER + "\n"
            "nv-1, Đặng  Thị Hoà ,Phó phòng,a1,Hoa.DT@So.gov.vn,0912 345 678,cd-a,DT-A\n")
    assert run(session, small_org.admin, text, now).created == 1
    person = session.exec(select(Person).where(Person.employee_code == "NV-1")).one()
    assert (person.full_name, person.name_key, person.position, person.unit_id) == (
        "Đặng Thị Hoà", "dang thi hoa", "Phó phòng", small_org.a1)
    assert (person.email, person.phone) == ("hoa.dt@so.gov.vn", "0912 345 678")
    assert (person.union_branch_id, person.youth_branch_id) == (small_org.union_branch,
                                                                small_org.youth_branch)
    (m,) = session.exec(select(Membership).where(Membership.person_id == person.id)).all()
    assert (m.unit_id, m.start_at, m.end_at) == (small_org.a1, now, None)
    found = queries.search_people(session, actor=small_org.admin, text="hoa")
    assert [r.id for r in found.rows] == [person.id]


def test_progress_ends_at_the_row_count_with_real_batches(session, now, small_org):
    n = service.IMPORT_BATCH + 1
    calls: list[tuple[int, int]] = []
    report = run(session, small_org.admin, valid_csv(n), now,
                 progress=lambda done, total: calls.append((done, total)))
    assert report.created == n
    assert calls == [(service.IMPORT_BATCH, n), (n, n)]
    assert people(session) == 1 + n


def test_semicolon_file_with_bom_and_blank_lines_imports(session, now, small_org):
    text = ("\ufeffemployee_code;full_name;unit_code\r\n"
            "NV1;Lê Văn Tám;A\r\n"
            "\r\n"
            "NV2;Võ Thị Sáu;B\r\n")
    report = run(session, small_org.admin, text, now)
    assert (report.created, report.total_rows) == (2, 2)
    codes = set(session.exec(select(Person.employee_code).where(Person.employee_code.like("NV%"))))
    assert codes == {"NV1", "NV2"}


def test_emulation_officer_may_import(session, now, small_org):
    officer = f.user(session, small_org.admin, now, unit_id=small_org.root, username="officer",
                     role="emulation_officer")
    assert run(session, officer, valid_csv(2), now).created == 2


# --- all or nothing --------------------------------------------------------------------------


def test_one_bad_row_among_valid_ones_imports_nothing(session, now, small_org):
    lines = valid_csv(6).splitlines()
    lines.insert(4, "BAD1,Trần Văn 4,,A,,,,")  # becomes line 5
    before_people, before_members = people(session), memberships(session)
    calls: list[tuple[int, int]] = []
    report = run(session, small_org.admin, "\n".join(lines), now,
                 progress=lambda done, total: calls.append((done, total)))
    assert report.created == 0 and report.total_rows == 7
    assert [(line, column) for line, column, _ in report.errors] == [(5, "full_name")]
    assert people(session) == before_people
    assert memberships(session) == before_members
    assert calls == [] and import_entries(session) == []


def test_every_error_is_reported_with_its_line(session, now, small_org):
    text = (HEADER + "\n"
            "NV1,Nguyễn Văn An,,A,,,,\n"           # 2: fine
            ",Trần Văn 3,,X9,bad-mail,12,CD-Z,\n"   # 3: code, name, unit, email, phone, branch
            "\n"                                    # 4: blank
            "NV1,Lê Thị Lan,,B,,,,\n"               # 5: duplicate of line 2
            "ADM001,Phạm Văn Cũ,,B,,,,\n"           # 6: a known code: an update, refused with the file
            "NV6,Hồ Thị Sáu,,,,,,DT-Z\n")           # 7: unit missing, youth branch unknown
    report = run(session, small_org.admin, text, now)
    assert report.created == 0 and report.total_rows == 5
    assert {(line, column) for line, column, _ in report.errors} == {
        (3, "employee_code"), (3, "full_name"), (3, "unit_code"), (3, "email"), (3, "phone"),
        (3, "union_branch"),
        (5, "employee_code"),
        (7, "unit_code"), (7, "youth_branch"),
    }
    messages = {(line, column): message for line, column, message in report.errors}
    assert messages[(5, "employee_code")] == "Employee code NV1 is also on line 2."
    assert people(session) == 1


def test_existing_employee_code_updates_that_person_whatever_its_case(session, now, small_org):
    known = f.person(session, small_org.admin, now, unit_id=small_org.a, code="NV0001")
    report = run(session, small_org.admin, valid_csv(3).replace("NV0001", "nv0001"), now)
    assert (report.created, report.updated, report.errors) == (2, 1, [])
    assert session.get(Person, known).full_name == "Nguyễn Văn Bình"


def test_existing_code_is_found_beyond_the_first_lookup_chunk(session, now, small_org):
    # Codes are looked up 900 at a time; the known person is on the 950th row.
    known = f.person(session, small_org.admin, now, unit_id=small_org.a, code="NV0949")
    before = people(session)
    report = run(session, small_org.admin, valid_csv(950), now)
    assert (report.created, report.updated) == (949, 1)
    assert people(session) == before + 949
    assert session.get(Person, known).email == "nv949@so.gov.vn"


def test_deactivated_unit_is_not_a_valid_target(session, now, small_org):
    closed = f.unit(session, small_org.admin, now, parent_id=small_org.root, name="Ban Đã Giải thể",
                    code="OLD")
    service.set_unit_active(session, actor=small_org.admin, unit_id=closed, active=False, now=now)
    report = run(session, small_org.admin, "employee_code,full_name,unit_code\nNV1,Lê Văn Tám,OLD\n",
                 now)
    assert report.errors == [(2, "unit_code", "No active unit has code OLD.")]


def test_header_only_file_reports_no_rows(session, now, small_org):
    report = run(session, small_org.admin, "employee_code,full_name,unit_code\n\n", now)
    assert report.created == 0
    assert report.errors == [(1, "", "The file has a header but no rows of people.")]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "empty"),
    ("full_name,unit_code\nLê Văn Tám,A\n", "missing: employee_code"),
    ("employee_code,full_name,unit_code,salary\nNV1,Lê Văn Tám,A,9\n", "Unknown column(s): salary"),
])
def test_unreadable_file_is_refused_before_anything_is_written(session, now, small_org, text, expected):
    before = people(session)
    with pytest.raises(Invalid) as exc:
        run(session, small_org.admin, text, now)
    assert expected in exc.value.message
    assert people(session) == before and import_entries(session) == []


# --- who may import --------------------------------------------------------------------------


def test_unit_heads_may_not_import_even_into_their_own_unit(session, now, small_org):
    assert Role.UNIT_HEAD not in PERMISSIONS[Perm.IMPORT_PEOPLE]
    head = f.user(session, small_org.admin, now, unit_id=small_org.a, username="head.a", role="unit_head",
                  role_unit_id=small_org.a)
    before = people(session)
    with pytest.raises(NotAllowed):
        run(session, head, "employee_code,full_name,unit_code\nNV1,Lê Văn Tám,A1\n", now)
    assert people(session) == before


@pytest.mark.parametrize("role", [None, "council_member"])
def test_staff_may_not_import(session, now, small_org, role):
    staff = f.user(session, small_org.admin, now, unit_id=small_org.a, username="staff.a", role=role)
    before = people(session)
    with pytest.raises(NotAllowed):
        run(session, staff, valid_csv(2), now)
    assert people(session) == before


def test_anonymous_caller_may_not_import_or_probe_the_file(session, now, small_org):
    with pytest.raises(NotAllowed):
        run(session, None, "", now)  # refused before the file is even read
