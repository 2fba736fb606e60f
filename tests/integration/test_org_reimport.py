"""Re-importing staff: known employee codes update their person, after a preview the officer confirms."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from engagement.core import sheets
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict
from engagement.org import service
from engagement.org.models import Membership, Person
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401 - autouse

HEADER = "employee_code,full_name,position,unit_code,email,phone,gender,birth_date,rank,recruited_on"


@pytest.fixture
def known(session, now, small_org):
    """Two people on record: Hoa in A with a full dossier, Bình in B with almost nothing."""
    hoa = service.create_person(session, actor=small_org.admin, employee_code="NV1", full_name="Trần Thị Hoa",
                                position="Chuyên viên", unit_id=small_org.a, email="hoa@so.gov.vn",
                                phone="0912345678", gender="female", birth_date=date(1990, 3, 25),
                                rank="Chuyên viên (01.003)", recruited_on=date(2014, 9, 1), now=now)
    binh = service.create_person(session, actor=small_org.admin, employee_code="NV2", full_name="Lê Văn Bình",
                                 position="", unit_id=small_org.b, now=now)
    return hoa, binh


def preview(session, actor, text, now):
    return service.preview_import(session, actor=actor, csv_text=text, now=now)


def confirm(session, actor, text, now, digest):
    return service.import_people(session, actor=actor, csv_text=text, digest=digest, now=now)


def person(session, code) -> Person:
    return session.exec(select(Person).where(Person.employee_code == code)).one()


def rows_by_code(result):
    return {r.employee_code: r for r in result.rows}


FILE = (HEADER + "\n"
        "NV1,Trần Thị Hoa,Phó phòng,A1,,,,,,\n"                    # changed: position, unit
        "NV2,Lê Văn Bình,,B,,,,,,\n"                                # unchanged
        "NV3,Võ Thị Sáu,Chuyên viên,B,sau@so.gov.vn,,Nữ,02/01/1995,,15/08/2020\n")  # new


def test_preview_counts_every_kind_of_row_and_writes_nothing(session, now, small_org, known):
    before = f.counts(session, Person, Membership, AuditEntry)
    result = preview(session, small_org.admin, FILE, now)
    assert (result.new, result.changed, result.unchanged, result.refused, result.total_rows) == (1, 1, 1, 0, 3)
    kinds = {code: r.kind for code, r in rows_by_code(result).items()}
    assert kinds == {"NV1": "changed", "NV2": "unchanged", "NV3": "new"}
    assert f.counts(session, Person, Membership, AuditEntry) == before


def test_preview_shows_each_change_as_field_before_and_after_in_words(session, now, small_org, known):
    changed = rows_by_code(preview(session, small_org.admin, FILE, now))["NV1"]
    assert changed.changes == ["Unit: Phòng Tổ chức → Tổ Nhân sự · Phòng Tổ chức",
                               "Position: Chuyên viên → Phó phòng"]


def test_a_refused_row_is_listed_with_its_line_and_reason_and_blocks_the_confirmation(session, now, small_org,
                                                                                        known):
    text = FILE + "NV4,Nguyễn Văn 4,,B,,,,,,\n"  # line 5: digits in the name
    result = preview(session, small_org.admin, text, now)
    refused = [r for r in result.rows if r.kind == "refused"]
    assert [(r.line, r.employee_code) for r in refused] == [(5, "NV4")]
    assert refused[0].changes[0].startswith("full_name: ")
    assert result.refused == 1 and result.rows[0].kind == "refused"  # refused rows come first
    before = f.counts(session, Person, Membership, AuditEntry)
    report = confirm(session, small_org.admin, text, now, result.digest)
    assert report.created == 0 and [line for line, _c, _m in report.errors] == [5]
    assert f.counts(session, Person, Membership, AuditEntry) == before
    assert person(session, "NV1").position == "Chuyên viên"


def test_confirm_writes_exactly_what_the_preview_showed(session, now, small_org, known):
    hoa, binh = known
    result = preview(session, small_org.admin, FILE, now)
    binh_updated_at = person(session, "NV2").updated_at
    later = now + timedelta(hours=1)
    report = confirm(session, small_org.admin, FILE, later, result.digest)
    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 1, [])
    moved = session.get(Person, hoa)
    assert (moved.position, moved.unit_id, moved.updated_at) == ("Phó phòng", small_org.a1, later)
    assert session.get(Person, binh).updated_at == binh_updated_at  # unchanged rows are not touched
    new = person(session, "NV3")
    assert (new.full_name, new.gender, new.birth_date, new.recruited_on, new.email) == (
        "Võ Thị Sáu", "female", date(1995, 1, 2), date(2020, 8, 15), "sau@so.gov.vn")
    (entry,) = session.exec(select(AuditEntry).where(AuditEntry.action == "person.import_update")).all()
    assert entry.entity_id == str(hoa)
    assert json.loads(entry.detail) == {
        "before": {"unit": "Phòng Tổ chức", "position": "Chuyên viên"},
        "after": {"unit": "Tổ Nhân sự · Phòng Tổ chức", "position": "Phó phòng"}}
    (summary,) = session.exec(select(AuditEntry).where(AuditEntry.action == "person.import")).all()
    assert json.loads(summary.detail) == {"created": 1, "updated": 1, "unchanged": 1}


def test_a_unit_move_closes_the_membership_and_opens_one_as_a_manual_move_does(session, now, small_org, known):
    hoa, _ = known
    later = now + timedelta(days=3)
    confirm(session, small_org.admin, FILE, later, preview(session, small_org.admin, FILE, later).digest)
    spans = session.exec(select(Membership).where(Membership.person_id == hoa).order_by(Membership.id)).all()
    assert [(m.unit_id, m.start_at, m.end_at) for m in spans] == [
        (small_org.a, now, later), (small_org.a1, later, None)]


def test_a_file_changed_between_preview_and_confirm_is_refused(session, now, small_org, known):
    result = preview(session, small_org.admin, FILE, now)
    edited = FILE.replace("Phó phòng", "Trưởng phòng")
    before = f.counts(session, Person, Membership, AuditEntry)
    with pytest.raises(Conflict) as refused:
        confirm(session, small_org.admin, edited, now, result.digest)
    assert "changed since the preview" in refused.value.render("en")
    assert f.counts(session, Person, Membership, AuditEntry) == before
    assert person(session, "NV1").position == "Chuyên viên"


def test_a_person_changed_by_someone_else_since_the_preview_is_refused(session, now, small_org, known):
    hoa, _ = known
    result = preview(session, small_org.admin, FILE, now)
    service.update_person(session, actor=small_org.admin, person_id=hoa, full_name="Trần Thị Hoa",
                          position="Chuyên viên chính", unit_id=small_org.a, now=now)
    with pytest.raises(Conflict):
        confirm(session, small_org.admin, FILE, now, result.digest)
    assert session.exec(select(Person).where(Person.employee_code == "NV3")).first() is None


def test_empty_cells_keep_what_is_on_record(session, now, small_org, known):
    hoa, _ = known
    text = HEADER + "\nNV1,Trần Thị Hoa,,A,,,,,,\n"
    result = preview(session, small_org.admin, text, now)
    assert result.unchanged == 1 and result.changed == 0
    confirm(session, small_org.admin, text, now, result.digest)
    kept = session.get(Person, hoa)
    assert (kept.position, kept.email, kept.phone, kept.gender, kept.birth_date, kept.rank, kept.recruited_on) == (
        "Chuyên viên", "hoa@so.gov.vn", "0912345678", "female", date(1990, 3, 25), "Chuyên viên (01.003)",
        date(2014, 9, 1))


def test_a_new_recruitment_date_is_checked_against_the_birth_date_on_record(session, now, small_org, known):
    text = HEADER + "\nNV1,Trần Thị Hoa,,A,,,,,,01/01/2000\n"  # Hoa was 9 years old
    result = preview(session, small_org.admin, text, now)
    (row,) = result.rows
    assert row.kind == "refused" and row.changes[0].startswith("recruited_on: ")
    assert "16th birthday (25/03/2006)" in row.changes[0]


def test_a_deactivated_person_is_not_changed_by_an_import(session, now, small_org, known):
    _, binh = known
    service.set_person_active(session, actor=small_org.admin, person_id=binh, active=False, now=now)
    result = preview(session, small_org.admin, HEADER + "\nNV2,Lê Văn Bình,Văn thư,B,,,,,,\n", now)
    (row,) = result.rows
    assert row.kind == "refused" and "deactivated person" in row.changes[0]
    assert not session.get(Person, binh).is_active


def test_an_excel_workbook_gives_the_same_preview_and_import_as_its_csv(session, now, small_org, known):
    rows = [line.split(",") for line in FILE.strip().splitlines()]
    data, _name = f.table_file(rows, xlsx=True)
    text = sheets.xlsx_as_csv(data)
    from_xlsx = preview(session, small_org.admin, text, now)
    from_csv = preview(session, small_org.admin, FILE, now)
    assert [(r.line, r.kind, r.changes) for r in from_xlsx.rows] == [(r.line, r.kind, r.changes)
                                                                       for r in from_csv.rows]
    report = confirm(session, small_org.admin, text, now, from_xlsx.digest)
    assert (report.created, report.updated) == (1, 1)


def test_vietnamese_column_names_are_accepted(session, now, small_org, known):
    text = ("Mã cán bộ;Họ và tên;Mã đơn vị;Giới tính;Ngày sinh;Ngạch/hạng;Ngày tuyển dụng\n"
            "NV2;Lê Văn Bình;B;Nam;1988-07-14;Chuyên viên chính;01/10/2012\n")
    result = preview(session, small_org.admin, text, now)
    (row,) = result.rows
    assert row.kind == "changed"
    assert row.changes == ["Gender: (empty) → Male (Nam)", "Date of birth: (empty) → 14/07/1988",
                           "Rank or grade: (empty) → Chuyên viên chính",
                           "Date of recruitment: (empty) → 01/10/2012"]
    confirm(session, small_org.admin, text, now, result.digest)
    binh = person(session, "NV2")
    assert (binh.gender, binh.birth_date, binh.rank) == ("male", date(1988, 7, 14), "Chuyên viên chính")


# --- the page: the preview's digest stays on the server ----------------------------------------------


class _Upload:
    """An uploaded file as Reflex hands it over."""

    def __init__(self, data: bytes, filename: str = "staff.csv") -> None:
        self.data, self.filename, self.at = data, filename, 0

    async def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at:end], min(end, len(self.data))
        return chunk


def _run(state, name, *args):
    import asyncio
    import inspect

    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):
        async def drain():
            async for _ in result:
                pass
        asyncio.run(drain())
    elif inspect.iscoroutine(result):
        asyncio.run(result)


def test_the_page_writes_only_the_file_it_previewed(app_db):
    from sqlmodel import Session

    from engagement.org.state import ImportState

    first = "employee_code,full_name,unit_code\nCB99101,Đinh Thị Ngọc,SNV-VP\n".encode()
    other = "employee_code,full_name,unit_code\nCB99102,Đinh Văn Khải,SNV-VP\n".encode()
    state = f.app_state(app_db, ImportState, "admin")
    _run(state, "confirm", [_Upload(first)])
    assert state.error == state._t("Check the file first: the import is written only after its preview.")
    _run(state, "upload", [_Upload(first)])
    assert (state.previewed, state.count_new, state.error) == (True, 1, "")
    _run(state, "confirm", [_Upload(other)])  # another file chosen after the preview
    assert state.error == state._t("The file, or the people in it, changed since the preview. Check the file "
                                   "again and confirm the new preview.")
    with Session(app_db) as s:
        assert s.exec(select(Person).where(Person.employee_code.in_(["CB99101", "CB99102"]))).all() == []
    _run(state, "upload", [_Upload(first)])
    _run(state, "confirm", [_Upload(first)])
    assert (state.created, state.error) == (1, "")
