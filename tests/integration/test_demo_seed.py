"""The demo organisation: built through the services, every role covered, every login works."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from engagement.core.access import Role
from engagement.core.errors import Conflict
from engagement.org import demo, sessions
from engagement.org.models import (
    Account,
    Branch,
    Membership,
    Person,
    RoleGrant,
    Unit,
    UnitGroup,
    UnitGroupMember,
)
from tests import factories as f


@pytest.fixture
def summary(session, now):
    return demo.seed_demo(session, now=now)


def test_seed_builds_departments_communes_and_their_groups(session, summary):
    departments = f.count(session, Unit, Unit.kind == "department")
    communes = f.count(session, Unit, Unit.kind == "commune")
    assert departments >= 8
    assert communes >= 6
    assert f.count(session, Unit, Unit.kind == "centre") == communes
    assert f.count(session, UnitGroup) == 2
    members = {
        name: set(session.exec(
            select(Unit.kind).join(UnitGroupMember, UnitGroupMember.unit_id == Unit.id)
            .join(UnitGroup, UnitGroup.id == UnitGroupMember.group_id)
            .where(UnitGroup.name == name)))
        for name in (demo.GROUP_DEPARTMENTS, demo.GROUP_COMMUNES)
    }
    assert members == {demo.GROUP_DEPARTMENTS: {"department"}, demo.GROUP_COMMUNES: {"commune"}}
    assert f.count(session, UnitGroupMember) == departments + communes
    assert summary["departments"] == departments and summary["communes"] == communes
    assert summary["units"] == f.count(session, Unit)


def test_every_department_and_commune_has_a_union_branch(session, summary):
    anchors = f.count(session, Unit, Unit.kind.in_(("department", "commune")))
    union_units = session.exec(select(Branch.unit_id).where(Branch.kind == "union")).all()
    assert len(set(union_units)) == anchors
    assert f.count(session, Branch, Branch.kind == "youth") >= 1
    snv = session.exec(select(Branch).where(Branch.code == "CD-SNV")).one()
    assert snv.name == "Công đoàn Sở Nội vụ"
    assert summary["branches"] == f.count(session, Branch)


def test_seed_creates_about_eighty_people_most_without_a_login(session, summary):
    people = f.count(session, Person)
    accounts = f.count(session, Account)
    assert 70 <= people <= 90
    assert 18 <= accounts <= 25
    without = f.count(session, Person, Person.id.not_in(select(Account.person_id)))
    assert without == people - accounts >= 50
    assert summary["people"] == people and summary["accounts"] == accounts
    assert summary["people_without_account"] == without


def test_one_demo_person_is_deactivated_with_history_kept(session, summary):
    gone = session.exec(select(Person).where(Person.is_active.is_(False))).all()
    assert [p.employee_code for p in gone] == [demo.INACTIVE_EMPLOYEE_CODE]
    history = session.exec(select(Membership).where(Membership.person_id == gone[0].id)).all()
    assert len(history) == 1 and history[0].end_at is not None
    assert summary["active_people"] == summary["people"] - 1


def test_names_are_vietnamese_with_diacritics(session, summary):
    names = session.exec(select(Person.full_name)).all()
    accented = [n for n in names if not n.isascii()]
    assert len(accented) >= 0.8 * len(names)
    assert any(n.startswith("Nguyễn ") for n in names)
    assert all(len(n.split()) >= 3 for n in names)
    assert len(set(names)) == len(names)


def test_every_demo_login_works_with_the_demo_password(session, summary, now):
    usernames = [u for u, _, _ in demo.DEMO_LOGINS] + [u for u, _ in demo.DEMO_STAFF_LOGINS]
    assert len(usernames) == len(set(usernames)) == summary["accounts"]
    for username in usernames:
        result = f.login(session, username, demo.DEMO_PASSWORD, now=now)
        assert result.ok, (username, result.message)
        assert not result.must_change_password
    assert not f.login(session, "staff", "not-the-demo-password", now=now).ok


def test_demo_logins_cover_every_role(session, summary, now):
    held: dict[str, frozenset[Role]] = {}
    for username, _, full_name in demo.DEMO_LOGINS:
        result = f.login(session, username, demo.DEMO_PASSWORD, now=now)
        actor = sessions.resolve_actor(session, token=result.token, now=now)
        assert actor is not None and actor.full_name == full_name
        held[username] = actor.roles
    assert set().union(*held.values()) == set(Role)
    assert held["staff"] == held["staff2"] == {Role.STAFF}
    assert held["admin"] == {Role.STAFF, Role.SYSTEM_ADMIN}
    assert held["officer"] == {Role.STAFF, Role.EMULATION_OFFICER}
    assert held["council"] == {Role.STAFF, Role.COUNCIL_MEMBER}


def test_scoped_roles_point_at_the_right_unit_and_branch(session, summary):
    def grant(username: str) -> RoleGrant:
        return session.exec(select(RoleGrant).join(Account, Account.id == RoleGrant.account_id)
                            .where(Account.username == username)).one()

    assert session.get(Unit, grant("head.snv").unit_id).code == "SNV"
    assert session.get(Unit, grant("head.tanlap").unit_id).kind == "commune"
    branch = session.get(Branch, grant("union.snv").branch_id)
    assert branch.code == "CD-SNV" and branch.kind == "union"
    union_officer = session.exec(select(Person).join(Account, Account.person_id == Person.id)
                                 .where(Account.username == "union.snv")).one()
    assert union_officer.union_branch_id == branch.id
    staff2 = session.exec(select(Unit).join(Person, Person.unit_id == Unit.id)
                          .join(Account, Account.person_id == Person.id)
                          .where(Account.username == "staff2")).one()
    assert staff2.kind == "centre"


def test_seeding_twice_is_refused(session, summary, now):
    units = f.count(session, Unit)
    with pytest.raises(Conflict):
        demo.seed_demo(session, now=now)
    assert f.count(session, Unit) == units


def test_seeding_a_database_that_has_units_but_no_accounts_is_refused(session, now):
    # Written directly: no service creates a unit without an administrator to do it.
    session.add(Unit(name="Tỉnh Khác", code="KHAC", kind="province", path="/1/", created_at=now,
                     updated_at=now))
    session.flush()
    with pytest.raises(Conflict):
        demo.seed_demo(session, now=now)
    assert f.count(session, Person) == 0
    assert f.count(session, Account) == 0


def test_seed_demo_command_loads_the_commendations_demo(app_engine, capsys):
    from engagement import cli
    from engagement.commendations.models import Award, Rating, Registration, Title

    assert cli.main(["seed-demo"]) == 0
    assert "commend_awards" in capsys.readouterr().out
    with Session(app_engine) as s:
        assert f.count(s, Title) >= 10  # the catalogue, seeded before the demo titles
        assert f.count(s, Rating) > f.count(s, Person) * 3
        assert f.count(s, Award) > 0 and f.count(s, Registration) > 0
