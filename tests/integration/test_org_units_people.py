"""Units, groups, people, accounts and roles through the org services and queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from engagement.core.access import Actor
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from engagement.org import queries, rules, service, sessions
from engagement.org.models import (
    Account,
    AuthSession,
    Membership,
    Person,
    RoleGrant,
    Unit,
    UnitEvent,
    UnitGroupMember,
)
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401 - autouse


@dataclass
class Org:
    """ROOT ─┬─ A (Phòng Tổ chức) ── A1 (Tổ Nhân sự)
             └─ B (Phòng Tài chính)

    with a unit head of A, a staff member in A1, and a union officer of branch CD-A.
    """

    admin: Actor
    root: int
    a: int
    a1: int
    b: int
    head: Actor
    staff: Actor
    union: Actor
    union_branch: int
    youth_branch: int
    person_a1: int
    person_b: int


@pytest.fixture
def org(session, now) -> Org:
    base = f.small_org(session, now)
    admin, root, a, a1, b = base.admin, base.root, base.a, base.a1, base.b
    union_branch, youth_branch = base.union_branch, base.youth_branch
    head = f.user(session, admin, now, unit_id=a, username="head.a", role="unit_head",
                  role_unit_id=a, name="Phạm Văn Trưởng")
    staff = f.user(session, admin, now, unit_id=a1, username="staff.a1", name="Trần Thị Bình")
    union = f.user(session, admin, now, unit_id=b, username="union.cd", role="union_officer",
                   branch_id=union_branch, name="Vũ Thị Công")
    person_a1 = f.person(session, admin, now, unit_id=a1, name="Nguyễn Thị Hoà", code="P-A1")
    person_b = f.person(session, admin, now, unit_id=b, name="Lê Văn Hoa", code="P-B")
    return Org(admin=admin, root=root, a=a, a1=a1, b=b, head=head, staff=staff, union=union,
               union_branch=union_branch, youth_branch=youth_branch, person_a1=person_a1,
               person_b=person_b)


def unit_row(session, unit_id) -> Unit:
    unit = session.get(Unit, unit_id)
    session.refresh(unit)
    return unit


def audit_entries(session, action, entity_id=None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    return list(session.exec(stmt.order_by(AuditEntry.id)))


# --- units --------------------------------------------------------------------------------


def test_created_unit_gets_path_depth_history_and_audit(session, now, org):
    unit = unit_row(session, org.a1)
    assert unit.path == f"/{org.root}/{org.a}/{org.a1}/"
    assert unit.depth == 2 and unit.parent_id == org.a
    events = session.exec(select(UnitEvent).where(UnitEvent.unit_id == org.a1)).all()
    assert [(e.kind, e.new_value) for e in events] == [("created", "Tổ Nhân sự (A1)")]
    entry = audit_entries(session, "unit.created", org.a1)[0]
    assert entry.actor_account_id == org.admin.account_id


def test_duplicate_unit_code_is_a_conflict_whatever_its_case(session, now, org):
    with pytest.raises(Conflict) as exc:
        f.unit(session, org.admin, now, parent_id=org.b, name="Tổ Kế toán", code="a1")
    assert "A1" in exc.value.message


@pytest.mark.parametrize("name", ["Phòng Tài chính", "phong tai chinh", "  PHÒNG   TÀI CHÍNH ",
                                  "Phòng Tài Chính"])
def test_sibling_with_the_same_name_ignoring_accents_and_case_is_a_conflict(session, now, org,
                                                                             name):
    before = f.count(session, Unit)
    with pytest.raises(Conflict):
        f.unit(session, org.admin, now, parent_id=org.root, name=name)
    assert f.count(session, Unit) == before


def test_same_name_under_a_different_parent_is_allowed(session, now, org):
    uid = f.unit(session, org.admin, now, parent_id=org.a, name="Phòng Tài chính")
    assert unit_row(session, uid).parent_id == org.a


def test_unit_kind_must_be_known_and_parent_must_exist(session, now, org):
    with pytest.raises(Invalid):
        f.unit(session, org.admin, now, parent_id=org.root, kind="castle")
    with pytest.raises(NotFound):
        f.unit(session, org.admin, now, parent_id=999_999)


def test_unit_cannot_be_created_under_a_deactivated_unit(session, now, org):
    empty = f.unit(session, org.admin, now, parent_id=org.root, name="Ban Cũ")
    service.set_unit_active(session, actor=org.admin, unit_id=empty, active=False, now=now)
    with pytest.raises(Invalid):
        f.unit(session, org.admin, now, parent_id=empty)


def test_rename_keeps_the_old_name_in_history(session, now, org):
    later = now + timedelta(days=1)
    service.rename_unit(session, actor=org.admin, unit_id=org.b, name="Phòng Kế hoạch Tài chính",
                        now=later)
    assert unit_row(session, org.b).name == "Phòng Kế hoạch Tài chính"
    event = session.exec(select(UnitEvent).where(UnitEvent.unit_id == org.b,
                                                 UnitEvent.kind == "renamed")).one()
    assert (event.old_value, event.new_value, event.at) == (
        "Phòng Tài chính", "Phòng Kế hoạch Tài chính", later)
    assert event.actor_account_id == org.admin.account_id
    history = queries.unit_history(session, actor=org.staff, unit_id=org.b)
    assert [h.kind for h in history] == ["renamed", "created"]
    entry = audit_entries(session, "unit.renamed", org.b)[0]
    assert json.loads(entry.detail) == {"old": "Phòng Tài chính", "new": "Phòng Kế hoạch Tài chính"}


def test_rename_to_a_siblings_name_is_a_conflict(session, now, org):
    with pytest.raises(Conflict):
        service.rename_unit(session, actor=org.admin, unit_id=org.b, name="phòng tổ chức", now=now)
    assert unit_row(session, org.b).name == "Phòng Tài chính"


def test_rename_to_the_same_name_records_nothing(session, now, org):
    service.rename_unit(session, actor=org.admin, unit_id=org.b, name=" Phòng  Tài chính ", now=now)
    assert audit_entries(session, "unit.renamed") == []


def test_move_rewrites_paths_and_depths_of_the_whole_subtree(session, now, org):
    a1a = f.unit(session, org.admin, now, parent_id=org.a1, name="Nhóm Tuyển dụng")
    service.move_unit(session, actor=org.admin, unit_id=org.a, new_parent_id=org.b, now=now)
    r, a, a1, b = org.root, org.a, org.a1, org.b
    got = {uid: (unit_row(session, uid).path, unit_row(session, uid).depth)
           for uid in (r, a, a1, a1a, b)}
    assert got == {
        r: (f"/{r}/", 0),
        b: (f"/{r}/{b}/", 1),
        a: (f"/{r}/{b}/{a}/", 2),
        a1: (f"/{r}/{b}/{a}/{a1}/", 3),
        a1a: (f"/{r}/{b}/{a}/{a1}/{a1a}/", 4),
    }
    assert unit_row(session, a).parent_id == b
    event = session.exec(select(UnitEvent).where(UnitEvent.kind == "moved")).one()
    assert (event.unit_id, event.old_value, event.new_value) == (a, "Tỉnh Thử Nghiệm",
                                                                 "Phòng Tài chính")
    assert len(audit_entries(session, "unit.moved", a)) == 1


def test_move_to_the_top_level_makes_a_root(session, now, org):
    service.move_unit(session, actor=org.admin, unit_id=org.a, new_parent_id=None, now=now)
    assert (unit_row(session, org.a).path, unit_row(session, org.a).depth) == (f"/{org.a}/", 0)
    assert (unit_row(session, org.a1).path, unit_row(session, org.a1).depth) == (
        f"/{org.a}/{org.a1}/", 1)
    tree = queries.unit_tree(session, actor=org.admin)
    assert {u.id for u in tree if u.parent_id is None} == {org.root, org.a}


def test_moved_subtree_carries_unit_head_scope(session, now, org):
    service.move_unit(session, actor=org.admin, unit_id=org.a, new_parent_id=org.b, now=now)
    head = f.actor_for(session, "head.a", now)
    assert head.grants[0].unit_path == f"/{org.root}/{org.b}/{org.a}/"
    f.person(session, head, now, unit_id=org.a1)  # still allowed after the move


@pytest.mark.parametrize("target", ["a", "a1"])
def test_move_into_its_own_subtree_is_refused(session, now, org, target):
    before = {u.id: (u.path, u.depth) for u in queries.unit_tree(session, actor=org.admin)}
    with pytest.raises(Invalid):
        service.move_unit(session, actor=org.admin, unit_id=org.a,
                          new_parent_id=getattr(org, target), now=now)
    after = {uid: (unit_row(session, uid).path, unit_row(session, uid).depth) for uid in before}
    assert after == before


def test_move_next_to_a_unit_with_the_same_name_is_a_conflict(session, now, org):
    f.unit(session, org.admin, now, parent_id=org.b, name="Tổ nhân sự")
    with pytest.raises(Conflict):
        service.move_unit(session, actor=org.admin, unit_id=org.a1, new_parent_id=org.b, now=now)
    assert unit_row(session, org.a1).parent_id == org.a


def test_deactivating_a_unit_with_active_people_is_refused(session, now, org):
    with pytest.raises(Conflict) as exc:
        service.set_unit_active(session, actor=org.admin, unit_id=org.b, active=False, now=now)
    assert "active person" in exc.value.message
    assert unit_row(session, org.b).is_active


def test_deactivating_a_unit_with_active_sub_units_is_refused(session, now, org):
    service.update_person(session, actor=org.admin, person_id=org.head.person_id,
                          full_name="Phạm Văn Trưởng", position="Trưởng phòng", unit_id=org.b,
                          now=now)
    with pytest.raises(Conflict) as exc:
        service.set_unit_active(session, actor=org.admin, unit_id=org.a, active=False, now=now)
    assert "1 active sub-unit(s) and 0 active person(s)" in exc.value.message
    assert unit_row(session, org.a).is_active


def test_empty_unit_can_be_deactivated_and_reactivated(session, now, org):
    empty = f.unit(session, org.admin, now, parent_id=org.b, name="Tổ Lưu trữ")
    service.set_unit_active(session, actor=org.admin, unit_id=empty, active=False, now=now)
    assert not unit_row(session, empty).is_active
    service.set_unit_active(session, actor=org.admin, unit_id=empty, active=True, now=now)
    assert unit_row(session, empty).is_active
    kinds = [e.kind for e in session.exec(select(UnitEvent).where(UnitEvent.unit_id == empty)
                                          .order_by(UnitEvent.id))]
    assert kinds == ["created", "deactivated", "reactivated"]


def test_unit_emptied_of_people_can_be_deactivated(session, now, org):
    service.set_person_active(session, actor=org.admin, person_id=org.person_b, active=False,
                              now=now)
    service.set_person_active(session, actor=org.admin, person_id=org.union.person_id,
                              active=False, now=now)
    service.set_unit_active(session, actor=org.admin, unit_id=org.b, active=False, now=now)
    assert not unit_row(session, org.b).is_active
    active = queries.unit_tree(session, actor=org.admin, include_inactive=False)
    assert org.b not in {u.id for u in active}


def test_reactivation_requires_an_active_parent(session, now, org):
    parent = f.unit(session, org.admin, now, parent_id=org.root, name="Ban Tạm")
    child = f.unit(session, org.admin, now, parent_id=parent, name="Tổ Tạm")
    service.set_unit_active(session, actor=org.admin, unit_id=child, active=False, now=now)
    service.set_unit_active(session, actor=org.admin, unit_id=parent, active=False, now=now)
    with pytest.raises(Conflict) as exc:
        service.set_unit_active(session, actor=org.admin, unit_id=child, active=True, now=now)
    assert "Ban Tạm" in exc.value.message
    assert not unit_row(session, child).is_active
    service.set_unit_active(session, actor=org.admin, unit_id=parent, active=True, now=now)
    service.set_unit_active(session, actor=org.admin, unit_id=child, active=True, now=now)
    assert unit_row(session, child).is_active


def test_unit_tree_lists_parents_before_children_with_head_counts(session, now, org):
    tree = queries.unit_tree(session, actor=org.staff)
    order = [u.code for u in tree]
    assert order == ["ROOT", "B", "A", "A1"]  # siblings by name without accents: "Tai" < "To"
    people = {u.code: u.people for u in tree}
    assert people == {"ROOT": 1, "A": 1, "A1": 2, "B": 2}


# --- unit groups ---------------------------------------------------------------------------


def test_group_is_created_and_units_added_and_removed(session, now, org):
    gid = service.create_group(session, actor=org.admin, name="Các phòng chuyên môn",
                               description="  Khối   phòng ", now=now)
    for uid in (org.a, org.b, org.a):
        service.set_group_membership(session, actor=org.admin, group_id=gid, unit_id=uid,
                                     member=True, now=now)
    (group,) = queries.groups(session, actor=org.staff)
    assert group.description == "Khối phòng"
    assert set(group.unit_ids) == {org.a, org.b}
    assert len(audit_entries(session, "group.add_unit", gid)) == 2  # the repeat changed nothing
    service.set_group_membership(session, actor=org.admin, group_id=gid, unit_id=org.a,
                                 member=False, now=now)
    (group,) = queries.groups(session, actor=org.staff)
    assert group.unit_ids == [org.b]
    assert f.count(session, UnitGroupMember) == 1
    assert len(audit_entries(session, "group.remove_unit", gid)) == 1
    assert len(audit_entries(session, "group.create", gid)) == 1
    tree = {u.id: u.groups for u in queries.unit_tree(session, actor=org.staff)}
    assert tree[org.b] == "Các phòng chuyên môn" and tree[org.a] == ""


def test_duplicate_group_name_is_a_conflict(session, now, org):
    service.create_group(session, actor=org.admin, name="Khối Sở", description="", now=now)
    with pytest.raises(Conflict):
        service.create_group(session, actor=org.admin, name="khoi so", description="", now=now)
    assert len(queries.groups(session, actor=org.admin)) == 1


def test_group_membership_needs_an_existing_group_and_unit(session, now, org):
    gid = service.create_group(session, actor=org.admin, name="Khối Sở", description="", now=now)
    with pytest.raises(NotFound):
        service.set_group_membership(session, actor=org.admin, group_id=gid + 1, unit_id=org.a,
                                     member=True, now=now)
    with pytest.raises(NotFound):
        service.set_group_membership(session, actor=org.admin, group_id=gid, unit_id=999_999,
                                     member=True, now=now)


# --- people ---------------------------------------------------------------------------------


def memberships(session, person_id) -> list[Membership]:
    return list(session.exec(select(Membership).where(Membership.person_id == person_id)
                             .order_by(Membership.id)))


def test_created_person_is_cleaned_and_has_an_open_membership(session, now, org):
    pid = service.create_person(
        session, actor=org.admin, employee_code=" e-100 ", full_name="  Đặng   Văn Đức ",
        position="Chuyên viên", unit_id=org.a1, email="Duc.DV@Example.vn", phone="0912 345 678",
        union_branch_id=org.union_branch, youth_branch_id=org.youth_branch, now=now,
    )
    person = session.get(Person, pid)
    assert (person.employee_code, person.full_name, person.name_key, person.email) == (
        "E-100", "Đặng Văn Đức", "dang van duc", "duc.dv@example.vn")
    assert (person.union_branch_id, person.youth_branch_id) == (org.union_branch, org.youth_branch)
    [m] = memberships(session, pid)
    assert (m.unit_id, m.start_at, m.end_at) == (org.a1, now, None)
    entry = audit_entries(session, "person.create", pid)[0]
    assert entry.actor_account_id == org.admin.account_id
    assert json.loads(entry.detail) == {"name": "Đặng Văn Đức", "unit": "Tổ Nhân sự"}


def test_duplicate_employee_code_is_a_conflict(session, now, org):
    with pytest.raises(Conflict):
        f.person(session, org.admin, now, unit_id=org.a, code="p-a1")


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "Nguyễn Văn 3"), ("email", "not-an-email"), ("phone", "abc"),
    ("employee_code", "E 1"),
])
def test_invalid_person_fields_are_refused(session, now, org, field, value):
    before = f.count(session, Person)
    data = {"employee_code": "E-NEW", "full_name": "Nguyễn Văn Ba", "position": "",
            "unit_id": org.a, field: value}
    with pytest.raises(Invalid):
        service.create_person(session, actor=org.admin, now=now, **data)
    assert f.count(session, Person) == before


def test_branch_of_the_wrong_kind_is_refused(session, now, org):
    with pytest.raises(Invalid):
        f.person(session, org.admin, now, unit_id=org.a, union_branch_id=org.youth_branch)


def test_changing_unit_closes_the_old_membership_and_opens_a_new_one(session, now, org):
    later = now + timedelta(days=30)
    service.update_person(session, actor=org.admin, person_id=org.person_a1,
                          full_name="Nguyễn Thị Hoà", position="Phó phòng", unit_id=org.b,
                          now=later)
    old, new = memberships(session, org.person_a1)
    assert (old.unit_id, old.start_at, old.end_at) == (org.a1, now, later)
    assert (new.unit_id, new.start_at, new.end_at) == (org.b, later, None)
    person = session.get(Person, org.person_a1)
    assert (person.unit_id, person.position, person.updated_at) == (org.b, "Phó phòng", later)
    detail = json.loads(audit_entries(session, "person.update", org.person_a1)[0].detail)
    assert detail["before"]["unit"] == "Tổ Nhân sự" and detail["after"]["unit"] == "Phòng Tài chính"


def test_editing_without_changing_unit_keeps_one_membership(session, now, org):
    service.update_person(session, actor=org.admin, person_id=org.person_a1,
                          full_name="Nguyễn Thị Hòa Bình", position="", unit_id=org.a1,
                          now=now + timedelta(days=1))
    assert len(memberships(session, org.person_a1)) == 1
    person = session.get(Person, org.person_a1)
    assert (person.full_name, person.name_key) == ("Nguyễn Thị Hòa Bình", "nguyen thi hoa binh")
    assert person.sort_key == rules.sort_key("Nguyễn Thị Hòa Bình") != rules.sort_key("Nguyễn Thị Hoà")


def test_person_cannot_be_moved_into_a_deactivated_unit(session, now, org):
    empty = f.unit(session, org.admin, now, parent_id=org.root, name="Ban Giải thể")
    service.set_unit_active(session, actor=org.admin, unit_id=empty, active=False, now=now)
    with pytest.raises(Invalid):
        service.update_person(session, actor=org.admin, person_id=org.person_b,
                              full_name="Lê Văn Hoa", position="", unit_id=empty, now=now)
    assert session.get(Person, org.person_b).unit_id == org.b


def test_deactivated_person_loses_sessions_membership_and_login(session, now, org):
    result = f.login(session, "staff.a1", client_ip="10.0.0.1", user_agent="x", now=now)
    later = now + timedelta(hours=1)
    service.set_person_active(session, actor=org.admin, person_id=org.staff.person_id,
                              active=False, now=later)
    assert f.count(session, AuthSession, AuthSession.ended_at.is_(None), account_id=org.staff.account_id) == 0
    assert sessions.resolve_actor(session, token=result.token, now=later) is None
    assert not f.login(session, "staff.a1", client_ip="10.0.0.1", user_agent="x", now=later).ok
    [m] = memberships(session, org.staff.person_id)
    assert m.end_at == later
    assert len(audit_entries(session, "person.deactivate", org.staff.person_id)) == 1


def test_reactivated_person_gets_a_new_membership_and_can_log_in(session, now, org):
    service.set_person_active(session, actor=org.admin, person_id=org.staff.person_id,
                              active=False, now=now)
    later = now + timedelta(days=2)
    service.set_person_active(session, actor=org.admin, person_id=org.staff.person_id,
                              active=True, now=later)
    closed, reopened = memberships(session, org.staff.person_id)
    assert closed.end_at == now and (reopened.start_at, reopened.end_at) == (later, None)
    assert f.actor_for(session, "staff.a1", later).person_id == org.staff.person_id


def test_moving_an_inactive_person_keeps_at_most_one_current_membership(session, now, org):
    service.set_person_active(session, actor=org.admin, person_id=org.person_b, active=False,
                              now=now)
    moved_at, back_at = now + timedelta(days=1), now + timedelta(days=2)
    service.update_person(session, actor=org.admin, person_id=org.person_b,
                          full_name="Lê Văn Hoa", position="", unit_id=org.a, now=moved_at)
    # While inactive, the person belongs to no unit.
    assert [m for m in memberships(session, org.person_b) if m.end_at is None] == []
    service.set_person_active(session, actor=org.admin, person_id=org.person_b, active=True,
                              now=back_at)
    current = [m for m in memberships(session, org.person_b) if m.end_at is None]
    assert [(m.unit_id, m.start_at) for m in current] == [(org.a, back_at)]


def test_nobody_can_deactivate_themselves(session, now, org):
    for actor in (org.admin, org.head):
        with pytest.raises(Invalid):
            service.set_person_active(session, actor=actor, person_id=actor.person_id,
                                      active=False, now=now)
        assert session.get(Person, actor.person_id).is_active


# --- unit head scope ---------------------------------------------------------------------


def test_unit_head_creates_and_edits_people_in_their_subtree(session, now, org):
    pid = f.person(session, org.head, now, unit_id=org.a1, name="Đinh Thị Mai")
    service.update_person(session, actor=org.head, person_id=pid, full_name="Đinh Thị Mai",
                          position="Chuyên viên chính", unit_id=org.a, now=now)
    assert session.get(Person, pid).unit_id == org.a
    service.set_person_active(session, actor=org.head, person_id=org.person_a1, active=False,
                              now=now)
    assert not session.get(Person, org.person_a1).is_active
    assert audit_entries(session, "person.create", pid)[0].actor_account_id == org.head.account_id


def test_unit_head_cannot_create_people_in_a_sibling_or_parent_unit(session, now, org):
    before = f.count(session, Person)
    for unit_id in (org.b, org.root):
        with pytest.raises(NotAllowed):
            f.person(session, org.head, now, unit_id=unit_id)
    assert f.count(session, Person) == before


def test_unit_head_cannot_edit_or_deactivate_people_of_a_sibling_unit(session, now, org):
    with pytest.raises(NotAllowed):
        service.update_person(session, actor=org.head, person_id=org.person_b,
                              full_name="Lê Văn Hoa", position="", unit_id=org.b, now=now)
    with pytest.raises(NotAllowed):
        service.set_person_active(session, actor=org.head, person_id=org.person_b, active=False,
                                  now=now)
    assert session.get(Person, org.person_b).is_active


def test_unit_head_cannot_move_someone_out_of_their_subtree(session, now, org):
    with pytest.raises(NotAllowed):
        service.update_person(session, actor=org.head, person_id=org.person_a1,
                              full_name="Nguyễn Thị Hoà", position="", unit_id=org.b, now=now)
    assert session.get(Person, org.person_a1).unit_id == org.a1
    assert len(memberships(session, org.person_a1)) == 1


def test_unit_head_cannot_pull_someone_in_from_outside(session, now, org):
    with pytest.raises(NotAllowed):
        service.update_person(session, actor=org.head, person_id=org.person_b,
                              full_name="Lê Văn Hoa", position="", unit_id=org.a, now=now)
    assert session.get(Person, org.person_b).unit_id == org.b


# --- every write refuses staff, and what a unit head may not do -------------------------

WRITES = {
    "create_unit": lambda s, a, o, n: service.create_unit(
        s, actor=a, name="Phòng Mới", code="NEW", kind="office", parent_id=o.root, now=n),
    "rename_unit": lambda s, a, o, n: service.rename_unit(s, actor=a, unit_id=o.a, name="Tên Mới",
                                                          now=n),
    "move_unit": lambda s, a, o, n: service.move_unit(s, actor=a, unit_id=o.a1, new_parent_id=o.b,
                                                      now=n),
    "set_unit_active": lambda s, a, o, n: service.set_unit_active(s, actor=a, unit_id=o.empty,
                                                                  active=False, now=n),
    "create_branch": lambda s, a, o, n: service.create_branch(
        s, actor=a, kind="union", code="CD-X", name="Công đoàn X", unit_id=o.a, now=n),
    "create_group": lambda s, a, o, n: service.create_group(s, actor=a, name="Nhóm", description="",
                                                            now=n),
    "set_group_membership": lambda s, a, o, n: service.set_group_membership(
        s, actor=a, group_id=o.group, unit_id=o.a, member=True, now=n),
    "create_person": lambda s, a, o, n: service.create_person(
        s, actor=a, employee_code="E-X", full_name="Người Mới", position="", unit_id=o.a1, now=n),
    "update_person": lambda s, a, o, n: service.update_person(
        s, actor=a, person_id=o.person_a1, full_name="Tên Khác", position="", unit_id=o.a1, now=n),
    "set_person_active": lambda s, a, o, n: service.set_person_active(
        s, actor=a, person_id=o.person_a1, active=False, now=n),
    "create_account": lambda s, a, o, n: service.create_account(
        s, actor=a, person_id=o.person_a1, username="hoa.nt", now=n),
    "reset_password": lambda s, a, o, n: service.reset_password(
        s, actor=a, account_id=o.admin.account_id, now=n),
    "set_account_active": lambda s, a, o, n: service.set_account_active(
        s, actor=a, account_id=o.admin.account_id, active=False, now=n),
    "grant_role": lambda s, a, o, n: service.grant_role(
        s, actor=a, account_id=a.account_id if a else o.staff.account_id, role="system_admin",
        now=n),
    "revoke_role": lambda s, a, o, n: service.revoke_role(s, actor=a, grant_id=o.admin_grant, now=n),
    "import_people": lambda s, a, o, n: service.import_people(
        s, actor=a, csv_text=_IMPORTED, now=n,
        digest=service.preview_import(s, actor=a, csv_text=_IMPORTED, now=n).digest),
}
# Writes a unit head may make inside their subtree (person_a1 is in A1, below A).
HEAD_MAY = {"create_person", "update_person", "set_person_active"}


_IMPORTED = "employee_code,full_name,unit_code\nE-Y,Người Nhập,A1\n"


def _snapshot(session) -> dict[str, int]:
    from engagement.org.models import Branch, UnitGroup
    return f.counts(session, Unit, UnitEvent, UnitGroup, UnitGroupMember, Branch, Person, Membership, Account,
                    RoleGrant, AuditEntry)


@pytest.fixture
def org_with_group(session, now, org):
    org.group = service.create_group(session, actor=org.admin, name="Khối", description="", now=now)
    org.empty = f.unit(session, org.admin, now, parent_id=org.root, name="Ban Trống")
    org.admin_grant = session.exec(select(RoleGrant.id).where(
        RoleGrant.account_id == org.admin.account_id)).one()
    return org


@pytest.mark.parametrize("write", sorted(WRITES))
def test_staff_anonymous_and_union_officers_may_not_write(session, now, org_with_group, write):
    before = _snapshot(session)
    for actor in (None, org_with_group.staff, org_with_group.union):
        with pytest.raises(NotAllowed):
            WRITES[write](session, actor, org_with_group, now)
    assert _snapshot(session) == before


@pytest.mark.parametrize("write", sorted(set(WRITES) - HEAD_MAY))
def test_unit_head_may_not_make_org_or_account_writes(session, now, org_with_group, write):
    before = _snapshot(session)
    with pytest.raises(NotAllowed):
        WRITES[write](session, org_with_group.head, org_with_group, now)
    assert _snapshot(session) == before


@pytest.mark.parametrize("write", sorted(HEAD_MAY))
def test_unit_head_may_make_people_writes_in_their_subtree(session, now, org_with_group, write):
    audits = f.count(session, AuditEntry)
    WRITES[write](session, org_with_group.head, org_with_group, now)
    assert f.count(session, AuditEntry) == audits + 1


@pytest.mark.parametrize("write", sorted(set(WRITES) - {"reset_password", "set_account_active",
                                                        "grant_role", "revoke_role",
                                                        "create_account"}))
def test_emulation_officer_may_make_org_writes_but_not_account_writes(session, now, org_with_group,
                                                                       write):
    o = org_with_group
    officer = f.user(session, o.admin, now, unit_id=o.root, username="officer",
                     role="emulation_officer", name="Hoàng Văn Thi")
    audits = f.count(session, AuditEntry)
    WRITES[write](session, officer, o, now)
    assert f.count(session, AuditEntry) > audits
    with pytest.raises(NotAllowed):
        WRITES["reset_password"](session, officer, o, now)


# --- search ---------------------------------------------------------------------------------


def names(page) -> list[str]:
    return [r.full_name for r in page.rows]


def test_search_ignores_accents_and_case(session, now, org):
    f.person(session, org.admin, now, unit_id=org.b, name="Trần Hòa Bình")
    f.person(session, org.admin, now, unit_id=org.b, name="Đặng Văn Đức")
    page = queries.search_people(session, actor=org.admin, text="hoa")
    # Vietnamese order: given name first (Bình < Hoa), then the middle name (Thị < Văn);
    # the family name (Lê < Nguyễn < Trần) only comes last.
    assert names(page) == ["Trần Hòa Bình", "Nguyễn Thị Hoà", "Lê Văn Hoa"]
    assert page.total == 3
    assert names(queries.search_people(session, actor=org.admin, text="HOÀ")) == names(page)
    assert names(queries.search_people(session, actor=org.admin, text="đức")) == ["Đặng Văn Đức"]
    assert names(queries.search_people(session, actor=org.admin, text="dang  van")) == [
        "Đặng Văn Đức"]


def test_a_units_list_reads_in_vietnamese_name_order(session, now, org):
    unit = f.unit(session, org.admin, now, parent_id=org.root, name="Phòng Thứ tự")
    wanted = ["Nguyễn Văn An", "Lê Văn Anh", "Bùi Thị Ân", "Trần Thị Bình", "Nguyễn Văn Dũng",
              "Phạm Minh Đức", "Vũ Thị Hoa", "Vũ Thị Hòa", "Vũ Thị Hóa", "Lê Văn Hoa", "Đỗ Văn Hoan",
              "Hoàng Ơn"]
    for name in reversed(wanted):
        f.person(session, org.admin, now, unit_id=unit, name=name)
    # The database sorts the keys (plain ASCII) as Python does, SQLite and PostgreSQL alike.
    assert names(queries.search_people(session, actor=org.admin, unit_id=unit, page_size=50)) == wanted


def test_search_matches_employee_code_and_email(session, now, org):
    f.person(session, org.admin, now, unit_id=org.b, name="Mai Anh", code="KT-0042",
             email="mai.anh@so.gov.vn")
    assert names(queries.search_people(session, actor=org.admin, text="kt-004")) == ["Mai Anh"]
    assert names(queries.search_people(session, actor=org.admin, text="MAI.ANH@SO")) == ["Mai Anh"]


@pytest.mark.parametrize("text", ["%", "_", "\\"])
def test_search_wildcards_are_literal(session, now, org, text):
    assert queries.search_people(session, actor=org.admin, text=text).total == 0


def test_search_pages_through_results(session, now, org):
    given = ["An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Khánh"]
    for g in given:
        f.person(session, org.admin, now, unit_id=org.b, name=f"Phạm Thị {g}")
    pages = [queries.search_people(session, actor=org.admin, text="pham thi", page=p, page_size=3)
             for p in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [7, 7, 7, 7]
    assert [p.pages for p in pages] == [3, 3, 3, 3]
    assert [len(p.rows) for p in pages] == [3, 3, 1, 0]
    assert [n for p in pages for n in names(p)] == [f"Phạm Thị {g}" for g in given]


def test_search_page_numbers_and_sizes_are_bounded(session, now, org):
    page = queries.search_people(session, actor=org.admin, page=0, page_size=10_000)
    assert (page.page, page.page_size) == (1, 100)
    page = queries.search_people(session, actor=org.admin, page=-3, page_size=0)
    assert (page.page, page.page_size, len(page.rows)) == (1, 1, 1)


def test_search_by_unit_with_and_without_sub_units(session, now, org):
    with_subs = queries.search_people(session, actor=org.admin, unit_id=org.a)
    assert set(names(with_subs)) == {"Phạm Văn Trưởng", "Trần Thị Bình", "Nguyễn Thị Hoà"}
    only = queries.search_people(session, actor=org.admin, unit_id=org.a, include_sub_units=False)
    assert names(only) == ["Phạm Văn Trưởng"]
    with pytest.raises(NotFound):
        queries.search_people(session, actor=org.admin, unit_id=999_999)


def test_unit_head_sees_only_their_subtree(session, now, org):
    seen = queries.search_people(session, actor=org.head)
    assert set(names(seen)) == {"Phạm Văn Trưởng", "Trần Thị Bình", "Nguyễn Thị Hoà"}
    assert queries.search_people(session, actor=org.head, text="le van hoa").total == 0
    assert queries.search_people(session, actor=org.head, unit_id=org.b).total == 0
    assert queries.person(session, actor=org.head, person_id=org.person_a1).full_name == \
        "Nguyễn Thị Hoà"
    with pytest.raises(NotFound):
        queries.person(session, actor=org.head, person_id=org.person_b)


def test_union_officer_sees_only_their_branch_members(session, now, org):
    member = f.person(session, org.admin, now, unit_id=org.b, name="Lý Thị Đoàn",
                      union_branch_id=org.union_branch)
    f.person(session, org.admin, now, unit_id=org.a, name="Hà Văn Ngoài")
    seen = queries.search_people(session, actor=org.union)
    assert [r.id for r in seen.rows] == [member]
    assert queries.person(session, actor=org.union, person_id=member).id == member
    with pytest.raises(NotFound):
        queries.person(session, actor=org.union, person_id=org.person_a1)


def test_staff_cannot_search_people(session, now, org):
    with pytest.raises(NotAllowed):
        queries.search_people(session, actor=org.staff)
    with pytest.raises(NotAllowed):
        queries.search_people(session, actor=None)


def test_inactive_people_are_hidden_unless_asked_for(session, now, org):
    service.set_person_active(session, actor=org.admin, person_id=org.person_b, active=False,
                              now=now)
    assert queries.search_people(session, actor=org.admin, text="le van hoa").total == 0
    shown = queries.search_people(session, actor=org.admin, text="le van hoa", include_inactive=True)
    assert [(r.id, r.is_active) for r in shown.rows] == [(org.person_b, False)]


def test_search_rows_show_unit_and_account(session, now, org):
    (row,) = queries.search_people(session, actor=org.admin, text="tran thi binh").rows
    # The unit is named with its parent (issue 16: units of the same name told apart).
    assert (row.unit_name, row.has_account, row.username) == ("Tổ Nhân sự · Phòng Tổ chức", True, "staff.a1")
    (row,) = queries.search_people(session, actor=org.admin, text="le van hoa").rows
    assert (row.has_account, row.username) == (False, "")


# --- accounts and roles -----------------------------------------------------------------------


def test_new_account_has_a_temporary_password_that_must_be_changed(session, now, org):
    created = service.create_account(session, actor=org.admin, person_id=org.person_a1,
                                     username=" Hoa.NT ", now=now)
    assert created.username == "hoa.nt"
    result = f.login(session, "hoa.nt", created.temporary_password, client_ip="10.0.0.2", user_agent="x",
                     now=now)
    assert result.ok and result.must_change_password
    info = queries.account_info(session, actor=org.admin, person_id=org.person_a1)
    assert (info.username, info.must_change_password, info.grants) == ("hoa.nt", True, [])
    assert len(audit_entries(session, "account.create", created.account_id)) == 1


def test_duplicate_username_is_a_conflict(session, now, org):
    with pytest.raises(Conflict):
        service.create_account(session, actor=org.admin, person_id=org.person_a1,
                               username="STAFF.A1", now=now)
    assert queries.account_info(session, actor=org.admin, person_id=org.person_a1) is None


def test_second_account_for_a_person_is_a_conflict(session, now, org):
    with pytest.raises(Conflict):
        service.create_account(session, actor=org.admin, person_id=org.staff.person_id,
                               username="another.name", now=now)
    assert f.count(session, Account) == 4


def test_account_needs_a_valid_username_and_an_active_person(session, now, org):
    with pytest.raises(Invalid):
        service.create_account(session, actor=org.admin, person_id=org.person_a1, username="hoà",
                               now=now)
    service.set_person_active(session, actor=org.admin, person_id=org.person_a1, active=False,
                              now=now)
    with pytest.raises(Invalid):
        service.create_account(session, actor=org.admin, person_id=org.person_a1,
                               username="hoa.nt", now=now)
    with pytest.raises(NotFound):
        service.create_account(session, actor=org.admin, person_id=999_999, username="ghost",
                               now=now)


def grants_of(session, account_id) -> list[tuple[str, int | None, int | None]]:
    return [(g.role, g.unit_id, g.branch_id) for g in session.exec(
        select(RoleGrant).where(RoleGrant.account_id == account_id,
                                RoleGrant.revoked_at.is_(None)).order_by(RoleGrant.id))]


def test_unit_head_role_needs_a_unit(session, now, org):
    with pytest.raises(DomainError):
        service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                           role="unit_head", now=now)
    assert grants_of(session, org.staff.account_id) == []


def test_union_officer_role_needs_a_branch(session, now, org):
    for branch_id in (None, 999_999):
        with pytest.raises(Invalid) as exc:
            service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                               role="union_officer", branch_id=branch_id, now=now)
        assert "branch" in exc.value.message
    assert grants_of(session, org.staff.account_id) == []


@pytest.mark.parametrize("role", ["staff", "emperor", ""])
def test_unknown_or_staff_role_is_refused(session, now, org, role):
    with pytest.raises(Invalid):
        service.grant_role(session, actor=org.admin, account_id=org.staff.account_id, role=role,
                           now=now)
    assert grants_of(session, org.staff.account_id) == []


def test_role_anchor_is_kept_only_when_the_role_needs_it(session, now, org):
    service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                       role="council_member", unit_id=org.a, branch_id=org.union_branch, now=now)
    assert grants_of(session, org.staff.account_id) == [("council_member", None, None)]


def test_duplicate_grant_is_refused_but_another_unit_is_fine(session, now, org):
    with pytest.raises(Conflict):
        service.grant_role(session, actor=org.admin, account_id=org.head.account_id,
                           role="unit_head", unit_id=org.a, now=now)
    service.grant_role(session, actor=org.admin, account_id=org.head.account_id,
                       role="unit_head", unit_id=org.b, now=now)
    assert grants_of(session, org.head.account_id) == [("unit_head", org.a, None),
                                                       ("unit_head", org.b, None)]
    with pytest.raises(Conflict):
        service.grant_role(session, actor=org.admin, account_id=org.admin.account_id,
                           role="system_admin", now=now)


def test_granted_role_takes_effect_and_is_audited(session, now, org):
    gid = service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                             role="emulation_officer", now=now)
    actor = f.actor_for(session, "staff.a1", now)
    assert {g.role.value for g in actor.grants} == {"emulation_officer"}
    assert queries.search_people(session, actor=actor).total > 0
    grant = session.get(RoleGrant, gid)
    assert grant.granted_by == org.admin.account_id
    entry = audit_entries(session, "role.grant", org.staff.account_id)[0]
    assert json.loads(entry.detail)["role"] == "emulation_officer"
    info = queries.account_info(session, actor=org.admin, person_id=org.staff.person_id)
    assert [(g.role, g.scope) for g in info.grants] == [("emulation_officer", "Whole organisation")]


def test_revoked_role_stops_working_and_can_be_granted_again(session, now, org):
    gid = session.exec(select(RoleGrant.id).where(RoleGrant.account_id == org.head.account_id)).one()
    later = now + timedelta(days=1)
    service.revoke_role(session, actor=org.admin, grant_id=gid, now=later)
    assert session.get(RoleGrant, gid).revoked_at == later
    head = f.actor_for(session, "head.a", later)
    assert head.grants == ()
    with pytest.raises(NotAllowed):
        f.person(session, head, later, unit_id=org.a1)
    with pytest.raises(NotFound):
        service.revoke_role(session, actor=org.admin, grant_id=gid, now=later)
    service.grant_role(session, actor=org.admin, account_id=org.head.account_id, role="unit_head",
                       unit_id=org.a, now=later)
    assert len(audit_entries(session, "role.revoke", org.head.account_id)) == 1


def test_admin_cannot_revoke_their_own_admin_role(session, now, org):
    gid = session.exec(select(RoleGrant.id).where(RoleGrant.account_id == org.admin.account_id)).one()
    with pytest.raises(Invalid):
        service.revoke_role(session, actor=org.admin, grant_id=gid, now=now)
    assert session.get(RoleGrant, gid).revoked_at is None


def test_admin_can_revoke_another_admins_role(session, now, org):
    gid = service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                             role="system_admin", now=now)
    other = f.actor_for(session, "staff.a1", now)
    own = session.exec(select(RoleGrant.id).where(RoleGrant.account_id == org.admin.account_id)).one()
    service.revoke_role(session, actor=other, grant_id=own, now=now)
    assert session.get(RoleGrant, own).revoked_at == now
    assert session.get(RoleGrant, gid).revoked_at is None


# --- profile and audit log ----------------------------------------------------------------


def test_profile_shows_trail_and_roles(session, now, org):
    profile = queries.profile(session, actor=org.head)
    assert profile.unit_trail == "Tỉnh Thử Nghiệm › Phòng Tổ chức"
    assert profile.roles == ["Staff", "Unit head — Phòng Tổ chức"]
    union = queries.profile(session, actor=org.union)
    assert union.roles == ["Staff", "Union officer — Công đoàn Phòng Tổ chức"]


def test_audit_log_is_for_admins_and_newest_first(session, now, org):
    page = queries.audit_log(session, actor=org.admin, page_size=5)
    rows, total = page.rows, page.total
    assert total == f.count(session, AuditEntry) and len(rows) == 5
    assert rows[0].action == "person.create"  # the last thing the fixture did
    unit_page = queries.audit_log(session, actor=org.admin, action_prefix="unit.")
    creates, n = unit_page.rows, unit_page.total
    assert n == 3 and {r.action for r in creates} == {"unit.created"}
    assert {r.actor for r in creates} == {"Quản Trị Viên"}
    for actor in (org.head, org.staff, None):
        with pytest.raises(NotAllowed):
            queries.audit_log(session, actor=actor)


def test_bootstrap_is_audited_as_the_system(session, now, org):
    (entry,) = audit_entries(session, "account.bootstrap_admin")
    assert entry.actor_account_id is None
    rows = queries.audit_log(session, actor=org.admin, action_prefix="account.bootstrap").rows
    assert rows[0].actor == "system"


@pytest.mark.parametrize("person_id", [10_000, None])
def test_an_outsider_cannot_probe_which_person_ids_exist(session, now, org, person_id):
    # The same refusal for an existing id and an unknown one: permission is checked first.
    target = person_id or org.person_b
    with pytest.raises(NotAllowed):
        service.update_person(session, actor=org.staff, person_id=target, full_name="Lê Văn Hoa",
                              position="", unit_id=org.a, now=now)
    with pytest.raises(NotAllowed):
        service.set_person_active(session, actor=org.staff, person_id=target, active=False, now=now)
    with pytest.raises(NotAllowed):
        service.create_person(session, actor=None, employee_code="X1", full_name="Lê Văn Hoa",
                              position="", unit_id=person_id or org.a, now=now)


def test_a_unit_head_grant_without_a_unit_asks_for_the_unit(session, now, org):
    with pytest.raises(Invalid, match="Choose the unit this unit head manages"):
        service.grant_role(session, actor=org.admin, account_id=org.staff.account_id,
                           role="unit_head", unit_id=None, now=now)
