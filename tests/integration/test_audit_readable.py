"""The audit log in words: who, when, what, which record, and what changed; filtered and paged."""

from __future__ import annotations

import ast
import pathlib
from datetime import date, timedelta

import pytest

from engagement.core import audit
from engagement.core.audit import AuditEntry
from engagement.core.errors import NotAllowed
from engagement.org import labels, queries, rules, service
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401 - autouse

FIELDS = labels.PERSON_FIELD_LABELS
VALUES = labels.AUDIT_VALUE_LABELS


# --- the changes in words (a pure function) -----------------------------------------------------


def test_before_and_after_list_only_the_fields_that_differ_with_their_labels():
    lines = rules.change_lines({"before": {"name": "An", "unit": "Phòng A", "position": "CV"},
                                "after": {"name": "An", "unit": "Phòng B", "position": "PP"}},
                               field_labels=FIELDS, value_labels=VALUES)
    assert lines == ["Unit: Phòng A → Phòng B", "Position: CV → PP"]


def test_a_changes_map_gives_one_line_per_field_with_days_and_codes_in_words():
    lines = rules.change_lines({"changes": {"birth_date": ["", "1990-03-25"], "gender": ["male", "female"]}},
                               field_labels=FIELDS, value_labels=VALUES)
    assert lines == ["Gender: Male (Nam) → Female (Nữ)", "Date of birth: (empty) → 25/03/1990"]  # form order


def test_old_and_new_read_as_one_change_and_the_top_level_is_translated():
    assert rules.change_lines({"old": "(top level)", "new": "Sở Nội vụ"}, field_labels=FIELDS,
                              value_labels=VALUES) == ["(top level) → Sở Nội vụ"]
    assert rules.change_lines({"old": "", "new": "Phòng A (PA)"}, field_labels=FIELDS) == ["Phòng A (PA)"]


def test_other_keys_are_facts_and_an_unknown_key_is_shown_as_it_is():
    lines = rules.change_lines({"username": "an.nv", "zzz_flag": True, "roles": ["a", "b"], "note": None},
                               field_labels=FIELDS)
    assert lines == ["Username: an.nv", "Note: (empty)", "roles: a, b", "zzz_flag: yes"]  # known, then by name


@pytest.mark.parametrize("detail", [[], "text", 3, None])
def test_a_detail_that_is_not_a_mapping_gives_no_lines(detail):
    assert rules.change_lines(detail, field_labels=FIELDS) == []


def test_a_stored_detail_that_is_not_json_is_shown_raw():
    assert queries.audit_changes("not json {") == ["not json {"]


def test_every_action_recorded_in_the_code_has_a_label():
    """A new ``audit.record(action=...)`` without a label would show its code to the reader."""
    found: set[str] = set()
    for path in pathlib.Path("engagement").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            for kw in node.keywords:
                values = [kw.value.body, kw.value.orelse] if isinstance(kw.value, ast.IfExp) else [kw.value]
                found |= {v.value for v in values if kw.arg == "action" and isinstance(v, ast.Constant)}
    assert len(found) > 50
    assert sorted(found - set(labels.AUDIT_ACTION_LABELS)) == []


# --- the page's reads ------------------------------------------------------------------------------


@pytest.fixture
def history(session, now, small_org):
    """Hoa (with a login) created, then moved by the admin; Hoa herself changes a group; a unit renamed."""
    hoa = f.user(session, small_org.admin, now, unit_id=small_org.a, username="hoa", name="Trần Thị Hoa",
                 role="system_admin")
    service.update_person(session, actor=small_org.admin, person_id=hoa.person_id, full_name="Trần Thị Hoa",
                          position="Phó phòng", unit_id=small_org.b, now=now + timedelta(days=1))
    service.create_group(session, actor=hoa, name="Các phòng", description="", now=now + timedelta(days=2))
    service.rename_unit(session, actor=small_org.admin, unit_id=small_org.b, name="Phòng Kế hoạch - Tài chính",
                        now=now + timedelta(days=3))
    return hoa


def test_each_entry_names_the_action_the_record_and_the_changes_in_words(session, now, small_org, history):
    page = queries.audit_log(session, actor=small_org.admin, action="person.update")
    (row,) = page.rows
    assert (row.action_label, row.entity_label, row.record, row.actor) == (
        "Person updated", "Person", "Trần Thị Hoa", small_org.admin.full_name)
    assert row.changes == ["Unit: Phòng Tổ chức → Phòng Tài chính", "Position: Chuyên viên → Phó phòng"]
    assert row.at == "03/03/2026 09:00"  # the organisation's zone
    renamed = queries.audit_log(session, actor=small_org.admin, action="unit.renamed").rows[0]
    assert (renamed.record, renamed.changes) == ("Phòng Kế hoạch - Tài chính",
                                                 ["Phòng Tài chính → Phòng Kế hoạch - Tài chính"])


def test_an_unknown_action_is_shown_by_its_code(session, now, small_org):
    audit.record(session, actor=small_org.admin, action="zz.future_thing", entity="zz_record", entity_id=5, now=now)
    session.flush()
    (row,) = queries.audit_log(session, actor=small_org.admin, action_prefix="zz.").rows
    assert (row.action_label, row.entity_label, row.record) == ("zz.future_thing", "zz_record", "")


def test_the_person_filter_finds_what_they_did_and_what_was_done_to_them(session, now, small_org, history):
    rows = queries.audit_log(session, actor=small_org.admin, person="tran thi hoa").rows
    assert {r.action for r in rows} == {"person.create", "account.create", "role.grant", "person.update",
                                        "group.create"}
    by_code = queries.audit_log(session, actor=small_org.admin, person="nobody-matches").rows
    assert by_code == []


def test_the_record_type_action_and_day_filters_combine(session, now, small_org, history):
    units = queries.audit_log(session, actor=small_org.admin, entity="unit")
    assert {r.entity for r in units.rows} == {"unit"} and units.total == 4  # 3 created, 1 renamed
    third = date(2026, 3, 3)  # the move happened on 3 March, 09:00 in Hanoi
    moved = queries.audit_log(session, actor=small_org.admin, date_from=third, date_to=third)
    assert [r.action for r in moved.rows] == ["person.update"]
    nothing = queries.audit_log(session, actor=small_org.admin, entity="unit", date_from=third, date_to=third)
    assert nothing.total == 0 and nothing.rows == []


def test_a_day_is_the_organisations_calendar_day_not_utc(session, now, small_org):
    late = now.replace(hour=16, minute=30)  # 23:30 on 2 March in Hanoi, 16:30 UTC
    early_next = now.replace(hour=17, minute=30)  # 00:30 on 3 March in Hanoi, still 2 March in UTC
    for at, name in ((late, "late"), (early_next, "early")):
        audit.record(session, actor=small_org.admin, action="zz.at", entity="zz", entity_id=name, now=at)
    session.flush()
    rows = queries.audit_log(session, actor=small_org.admin, action="zz.at", date_from=date(2026, 3, 3)).rows
    assert [r.entity_id for r in rows] == ["early"]


def test_paging_keeps_the_filters(session, now, small_org, history):
    for i in range(7):
        audit.record(session, actor=small_org.admin, action="zz.many", entity="zz", entity_id=i, now=now)
    session.flush()
    first = queries.audit_log(session, actor=small_org.admin, action="zz.many", page_size=3)
    second = queries.audit_log(session, actor=small_org.admin, action="zz.many", page_size=3, page=2)
    last = queries.audit_log(session, actor=small_org.admin, action="zz.many", page_size=3, page=9)
    assert (first.total, first.pages) == (7, 3)
    assert [r.entity_id for r in first.rows + second.rows] == ["6", "5", "4", "3", "2", "1"]
    assert (last.page, [r.entity_id for r in last.rows]) == (3, ["0"])  # past the end: the last page


def test_the_count_stops_at_the_cap_and_says_so(session, now, small_org, monkeypatch):
    monkeypatch.setattr(queries, "AUDIT_COUNT_CAP", 4)
    for i in range(6):
        audit.record(session, actor=small_org.admin, action="zz.cap", entity="zz", entity_id=i, now=now)
    session.flush()
    page = queries.audit_log(session, actor=small_org.admin, action="zz.cap", page_size=2)
    assert (page.total, page.capped, page.pages) == (4, True, 2)
    assert not queries.audit_log(session, actor=small_org.admin, action="zz.cap", page_size=2,
                                 date_to=date(2026, 1, 1)).capped


def test_only_those_who_may_read_the_audit_log_get_it_filtered(session, now, small_org):
    staff = f.user(session, small_org.admin, now, unit_id=small_org.a, username="staff.a")
    with pytest.raises(NotAllowed):
        queries.audit_log(session, actor=staff, person="a")
    assert f.count(session, AuditEntry) > 0
