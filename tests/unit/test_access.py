"""The permission table: who may do what, and where."""

from __future__ import annotations

import pytest

from engagement.core.access import (
    ACTIONS,
    PERMISSIONS,
    ROLE_LABELS,
    ROLE_NEEDS_BRANCH,
    ROLE_NEEDS_UNIT,
    Actor,
    Grant,
    Perm,
    Reach,
    Role,
    Scope,
    can,
    path_within,
    reach,
    require,
    require_login,
)
from engagement.core.errors import NotAllowed

# A small tree: /1/ root; /1/4/ department with /1/4/9/ below it; /1/5/ a sibling department.
ROOT, DEPT, SUB, SIBLING = "/1/", "/1/4/", "/1/4/9/", "/1/5/"


def actor(*grants: Grant, unit_path: str = SUB) -> Actor:
    return Actor(account_id=7, person_id=70, username="an.nv", full_name="Nguyễn Văn An",
                 unit_id=9, unit_path=unit_path, grants=tuple(grants))


STAFF = actor()
ADMIN = actor(Grant(Role.SYSTEM_ADMIN))
OFFICER = actor(Grant(Role.EMULATION_OFFICER))
COUNCIL = actor(Grant(Role.COUNCIL_MEMBER))
HEAD = actor(Grant(Role.UNIT_HEAD, unit_id=4, unit_path=DEPT))
UNION = actor(Grant(Role.UNION_OFFICER, branch_id=30))

ORG = Reach(org=True)
NOTHING = Reach()

# Permissions every account has, across the organisation.
EVERYONE = {Perm.VIEW_ORG, Perm.VIEW_SCORES, Perm.GIVE_RECOGNITION}

# What each role reaches, for every permission: the table written out by hand.
EXPECTED: dict[str, dict[Perm, Reach]] = {
    "staff": {p: (ORG if p in EVERYONE else NOTHING) for p in Perm},
    "council": {p: (ORG if p in EVERYONE else NOTHING) for p in Perm},
    "admin": {p: ORG for p in Perm},
    "officer": {
        Perm.VIEW_ORG: ORG, Perm.MANAGE_UNITS: ORG, Perm.MANAGE_GROUPS: ORG,
        Perm.VIEW_PEOPLE: ORG, Perm.MANAGE_PEOPLE: ORG, Perm.IMPORT_PEOPLE: ORG,
        Perm.MANAGE_ACCOUNTS: NOTHING, Perm.VIEW_AUDIT: NOTHING,
        Perm.MANAGE_COMMITMENTS: ORG, Perm.VIEW_COMMITMENT_PROGRESS: ORG,
        Perm.RECORD_COMMITMENT_EXCEPTION: ORG,
        Perm.GIVE_RECOGNITION: ORG, Perm.REVOKE_RECOGNITION: ORG, Perm.MANAGE_VALUES: ORG,
        Perm.MODERATE_THANKS: ORG, Perm.VIEW_FAIRNESS: ORG,
        Perm.VIEW_SCORES: ORG, Perm.MANAGE_SCORING: ORG,
    },
    "head": {
        Perm.VIEW_ORG: ORG, Perm.MANAGE_UNITS: NOTHING, Perm.MANAGE_GROUPS: NOTHING,
        Perm.VIEW_PEOPLE: Reach(unit_paths=(DEPT,)), Perm.MANAGE_PEOPLE: Reach(unit_paths=(DEPT,)),
        Perm.IMPORT_PEOPLE: NOTHING, Perm.MANAGE_ACCOUNTS: NOTHING, Perm.VIEW_AUDIT: NOTHING,
        Perm.MANAGE_COMMITMENTS: NOTHING, Perm.VIEW_COMMITMENT_PROGRESS: Reach(unit_paths=(DEPT,)),
        Perm.RECORD_COMMITMENT_EXCEPTION: Reach(unit_paths=(DEPT,)),
        Perm.GIVE_RECOGNITION: ORG, Perm.REVOKE_RECOGNITION: NOTHING, Perm.MANAGE_VALUES: NOTHING,
        Perm.MODERATE_THANKS: Reach(unit_paths=(DEPT,)), Perm.VIEW_FAIRNESS: NOTHING,
        Perm.VIEW_SCORES: ORG, Perm.MANAGE_SCORING: NOTHING,
    },
    "union": {
        Perm.VIEW_ORG: ORG, Perm.MANAGE_UNITS: NOTHING, Perm.MANAGE_GROUPS: NOTHING,
        Perm.VIEW_PEOPLE: Reach(branch_ids=(30,)), Perm.MANAGE_PEOPLE: NOTHING,
        Perm.IMPORT_PEOPLE: NOTHING, Perm.MANAGE_ACCOUNTS: NOTHING, Perm.VIEW_AUDIT: NOTHING,
        Perm.MANAGE_COMMITMENTS: NOTHING, Perm.VIEW_COMMITMENT_PROGRESS: NOTHING,
        Perm.RECORD_COMMITMENT_EXCEPTION: NOTHING,
        Perm.GIVE_RECOGNITION: ORG, Perm.REVOKE_RECOGNITION: NOTHING, Perm.MANAGE_VALUES: NOTHING,
        Perm.MODERATE_THANKS: NOTHING, Perm.VIEW_FAIRNESS: NOTHING,
        Perm.VIEW_SCORES: ORG, Perm.MANAGE_SCORING: NOTHING,
    },
}
# Green office: everyone logs; officers manage; union officers verify their branch; heads assess.
_GREEN: dict[str, dict[Perm, Reach]] = {
    "staff": {Perm.LOG_GREEN: ORG, Perm.MANAGE_GREEN: NOTHING, Perm.VERIFY_GREEN: NOTHING,
              Perm.ASSESS_OFFICE: NOTHING},
    "council": {Perm.LOG_GREEN: ORG, Perm.MANAGE_GREEN: NOTHING, Perm.VERIFY_GREEN: NOTHING,
                Perm.ASSESS_OFFICE: NOTHING},
    "admin": {},
    "officer": {Perm.LOG_GREEN: ORG, Perm.MANAGE_GREEN: ORG, Perm.VERIFY_GREEN: ORG, Perm.ASSESS_OFFICE: ORG},
    "head": {Perm.LOG_GREEN: ORG, Perm.MANAGE_GREEN: NOTHING, Perm.VERIFY_GREEN: NOTHING,
             Perm.ASSESS_OFFICE: Reach(unit_paths=(DEPT,))},
    "union": {Perm.LOG_GREEN: ORG, Perm.MANAGE_GREEN: NOTHING, Perm.VERIFY_GREEN: Reach(branch_ids=(30,)),
              Perm.ASSESS_OFFICE: NOTHING},
}
for _who, _rows in _GREEN.items():
    EXPECTED[_who].update(_rows)
# Notifications: the outbox and the scheduled jobs are the system admin's alone.
for _who in ("officer", "head", "union"):
    EXPECTED[_who][Perm.MANAGE_NOTIFICATIONS] = NOTHING
# Everyone signs their own commitment.
for _who in EXPECTED:
    EXPECTED[_who][Perm.SIGN_COMMITMENT] = ORG
# Commendations: officers keep the catalogue and holds; unit heads rate, see personnel data and
# eligibility, and record discipline for their units; everyone registers themself.
_HEAD_UNITS = Reach(unit_paths=(DEPT,))
_COMMENDATIONS = (Perm.MANAGE_TITLES, Perm.RATE_PEOPLE, Perm.VIEW_PERSONNEL, Perm.RECORD_DISCIPLINE,
                  Perm.MANAGE_HOLDS, Perm.VIEW_ELIGIBILITY)
for _who in ("staff", "council", "union"):
    EXPECTED[_who].update({p: NOTHING for p in _COMMENDATIONS})
EXPECTED["officer"].update({p: ORG for p in _COMMENDATIONS})
EXPECTED["head"].update({Perm.MANAGE_TITLES: NOTHING, Perm.MANAGE_HOLDS: NOTHING, Perm.RATE_PEOPLE: _HEAD_UNITS,
                         Perm.VIEW_PERSONNEL: _HEAD_UNITS, Perm.RECORD_DISCIPLINE: _HEAD_UNITS,
                         Perm.VIEW_ELIGIBILITY: _HEAD_UNITS})
for _who in EXPECTED:
    EXPECTED[_who][Perm.REGISTER_EMULATION] = ORG
# Part 2: heads propose for their units, officers process and decide, council members vote.
for _who in ("staff", "council", "union"):
    EXPECTED[_who].update({Perm.NOMINATE: NOTHING, Perm.PROCESS_NOMINATIONS: NOTHING, Perm.ISSUE_DECISIONS: NOTHING})
for _who in ("staff", "union", "officer", "head"):
    EXPECTED[_who][Perm.VOTE] = NOTHING
EXPECTED["council"][Perm.VOTE] = ORG
EXPECTED["officer"].update({Perm.NOMINATE: ORG, Perm.PROCESS_NOMINATIONS: ORG, Perm.ISSUE_DECISIONS: ORG})
EXPECTED["head"].update({Perm.NOMINATE: _HEAD_UNITS, Perm.PROCESS_NOMINATIONS: NOTHING,
                         Perm.ISSUE_DECISIONS: NOTHING})
# Spot checks (issue 20): officers manage; a team member records (heads in their units, union
# officers wherever named); heads follow their units' corrective actions.
for _who in ("staff", "council"):
    EXPECTED[_who].update({Perm.MANAGE_SUPERVISION: NOTHING, Perm.INSPECT: NOTHING, Perm.FOLLOW_SUPERVISION: NOTHING})
EXPECTED["officer"].update({Perm.MANAGE_SUPERVISION: ORG, Perm.INSPECT: ORG, Perm.FOLLOW_SUPERVISION: ORG})
EXPECTED["head"].update({Perm.MANAGE_SUPERVISION: NOTHING, Perm.INSPECT: _HEAD_UNITS,
                         Perm.FOLLOW_SUPERVISION: _HEAD_UNITS})
EXPECTED["union"].update({Perm.MANAGE_SUPERVISION: NOTHING, Perm.INSPECT: ORG, Perm.FOLLOW_SUPERVISION: NOTHING})
# Good models and the review report (issue 20): heads propose and adopt for their units; officers
# recognise, publish and download the movement's review report.
for _who in ("staff", "council", "union"):
    EXPECTED[_who].update({Perm.PROPOSE_MODEL: NOTHING, Perm.RECOGNISE_MODEL: NOTHING, Perm.VIEW_REVIEW: NOTHING})
EXPECTED["officer"].update({Perm.PROPOSE_MODEL: ORG, Perm.RECOGNISE_MODEL: ORG, Perm.VIEW_REVIEW: ORG})
EXPECTED["head"].update({Perm.PROPOSE_MODEL: _HEAD_UNITS, Perm.RECOGNISE_MODEL: NOTHING, Perm.VIEW_REVIEW: NOTHING})
ACTORS = {"staff": STAFF, "council": COUNCIL, "admin": ADMIN, "officer": OFFICER, "head": HEAD,
          "union": UNION}


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("perm", list(Perm))
def test_reach_of_each_role_matches_the_table(who, perm):
    assert reach(ACTORS[who], perm) == EXPECTED[who][perm]


@pytest.mark.parametrize("perm", list(Perm))
def test_anonymous_caller_reaches_nothing(perm):
    assert reach(None, perm).nothing
    assert not can(None, perm)
    assert not can(None, perm, unit_path=SUB)
    assert not can(None, perm, branch_id=30)


@pytest.mark.parametrize("perm", list(Perm))
def test_every_permission_has_a_row_and_admin_has_it_everywhere(perm):
    assert PERMISSIONS[perm][Role.SYSTEM_ADMIN] is Scope.ORG


def test_every_role_has_a_label_and_every_staff_member_may_view_the_org():
    assert set(ROLE_LABELS) == set(Role)
    assert all(can(a, Perm.VIEW_ORG) for a in ACTORS.values())


def test_only_admins_manage_accounts_and_read_the_audit_log():
    for perm in (Perm.MANAGE_ACCOUNTS, Perm.VIEW_AUDIT):
        assert set(PERMISSIONS[perm]) == {Role.SYSTEM_ADMIN}


def test_unit_heads_may_not_import_people():
    assert Role.UNIT_HEAD not in PERMISSIONS[Perm.IMPORT_PEOPLE]
    assert not can(HEAD, Perm.IMPORT_PEOPLE)
    assert not can(HEAD, Perm.IMPORT_PEOPLE, unit_path=DEPT)


def test_roles_that_need_an_anchor():
    assert {Role.UNIT_HEAD} == ROLE_NEEDS_UNIT
    assert {Role.UNION_OFFICER} == ROLE_NEEDS_BRANCH


def test_every_actor_is_staff():
    assert STAFF.roles == {Role.STAFF}
    assert HEAD.roles == {Role.STAFF, Role.UNIT_HEAD}


def test_reach_nothing_property():
    assert Reach().nothing
    assert not Reach(org=True).nothing
    assert not Reach(unit_paths=("/1/",)).nothing
    assert not Reach(branch_ids=(3,)).nothing


# --- unit scope -------------------------------------------------------------------------


@pytest.mark.parametrize("perm", [Perm.VIEW_PEOPLE, Perm.MANAGE_PEOPLE])
def test_unit_head_scope_covers_their_unit_and_sub_units(perm):
    assert can(HEAD, perm, unit_path=DEPT)
    assert can(HEAD, perm, unit_path=SUB)
    assert can(HEAD, perm, unit_path=SUB + "12/")


@pytest.mark.parametrize("path", [SIBLING, ROOT, "/1/40/", "/4/", "/2/1/4/"])
def test_unit_head_scope_excludes_siblings_parents_and_look_alike_paths(path):
    assert not can(HEAD, Perm.MANAGE_PEOPLE, unit_path=path)
    assert not can(HEAD, Perm.VIEW_PEOPLE, unit_path=path)


def test_unit_head_without_target_may_use_people_pages_but_not_manage_units():
    assert can(HEAD, Perm.MANAGE_PEOPLE)
    assert not can(HEAD, Perm.MANAGE_UNITS)
    assert not can(HEAD, Perm.MANAGE_UNITS, unit_path=DEPT)


def test_unit_head_scope_is_not_a_branch_scope():
    assert not can(HEAD, Perm.VIEW_PEOPLE, branch_id=30)


def test_unit_head_of_two_units_reaches_both():
    head = actor(Grant(Role.UNIT_HEAD, unit_id=5, unit_path=SIBLING),
                 Grant(Role.UNIT_HEAD, unit_id=4, unit_path=DEPT),
                 Grant(Role.UNIT_HEAD, unit_id=4, unit_path=DEPT))
    assert reach(head, Perm.MANAGE_PEOPLE) == Reach(unit_paths=(DEPT, SIBLING))
    assert can(head, Perm.MANAGE_PEOPLE, unit_path=SUB)
    assert can(head, Perm.MANAGE_PEOPLE, unit_path=SIBLING)
    assert not can(head, Perm.MANAGE_PEOPLE, unit_path=ROOT)


def test_unit_head_grant_without_a_unit_reaches_nothing():
    head = actor(Grant(Role.UNIT_HEAD))
    assert reach(head, Perm.MANAGE_PEOPLE).nothing
    assert not can(head, Perm.MANAGE_PEOPLE)


def test_own_unit_gives_a_staff_member_no_people_scope():
    assert not can(STAFF, Perm.VIEW_PEOPLE, unit_path=STAFF.unit_path)


def test_org_scope_wins_over_narrower_grants():
    both = actor(Grant(Role.UNIT_HEAD, unit_id=4, unit_path=DEPT), Grant(Role.EMULATION_OFFICER))
    assert reach(both, Perm.MANAGE_PEOPLE) == ORG
    assert can(both, Perm.MANAGE_PEOPLE, unit_path=SIBLING)
    assert not can(both, Perm.MANAGE_ACCOUNTS)


@pytest.mark.parametrize(("path", "ancestor", "inside"), [
    ("/1/4/", "/1/4/", True), ("/1/4/9/", "/1/4/", True), ("/1/40/", "/1/4/", False),
    ("/1/", "/1/4/", False), ("/1/5/", "/1/4/", False),
])
def test_path_within(path, ancestor, inside):
    assert path_within(path, ancestor) is inside


# --- branch scope -----------------------------------------------------------------------


def test_union_officer_sees_only_their_branch_members():
    assert can(UNION, Perm.VIEW_PEOPLE, branch_id=30)
    assert not can(UNION, Perm.VIEW_PEOPLE, branch_id=31)
    assert not can(UNION, Perm.VIEW_PEOPLE, unit_path=ROOT)
    assert can(UNION, Perm.VIEW_PEOPLE)  # the people page exists for them


def test_union_officer_cannot_manage_even_their_branch_members():
    assert not can(UNION, Perm.MANAGE_PEOPLE, branch_id=30)
    assert not can(UNION, Perm.MANAGE_PEOPLE)


def test_union_officer_grant_without_a_branch_reaches_nothing():
    assert reach(actor(Grant(Role.UNION_OFFICER)), Perm.VIEW_PEOPLE).nothing


def test_union_officer_of_two_branches_reaches_both():
    both = actor(Grant(Role.UNION_OFFICER, branch_id=31), Grant(Role.UNION_OFFICER, branch_id=30))
    assert reach(both, Perm.VIEW_PEOPLE) == Reach(branch_ids=(30, 31))


def test_unit_head_and_union_officer_reach_both_scopes():
    both = actor(Grant(Role.UNIT_HEAD, unit_id=4, unit_path=DEPT),
                 Grant(Role.UNION_OFFICER, branch_id=30))
    assert reach(both, Perm.VIEW_PEOPLE) == Reach(unit_paths=(DEPT,), branch_ids=(30,))
    assert can(both, Perm.VIEW_PEOPLE, unit_path=SIBLING, branch_id=30)
    assert not can(both, Perm.VIEW_PEOPLE, unit_path=SIBLING, branch_id=31)
    # Managing follows only the unit grant.
    assert reach(both, Perm.MANAGE_PEOPLE) == Reach(unit_paths=(DEPT,))


# --- require ----------------------------------------------------------------------------


def test_require_returns_the_actor_when_allowed():
    assert require(ADMIN, Perm.MANAGE_ACCOUNTS) is ADMIN
    assert require(HEAD, Perm.MANAGE_PEOPLE, unit_path=SUB) is HEAD
    assert require(UNION, Perm.VIEW_PEOPLE, branch_id=30) is UNION


def test_require_refuses_an_anonymous_caller_with_a_session_message():
    with pytest.raises(NotAllowed) as exc:
        require(None, Perm.VIEW_ORG)
    assert "session has ended" in exc.value.message


@pytest.mark.parametrize(("who", "perm", "target"), [
    (STAFF, Perm.VIEW_PEOPLE, {}),
    (STAFF, Perm.MANAGE_UNITS, {}),
    (COUNCIL, Perm.MANAGE_PEOPLE, {"unit_path": SUB}),
    (OFFICER, Perm.MANAGE_ACCOUNTS, {}),
    (OFFICER, Perm.VIEW_AUDIT, {}),
    (HEAD, Perm.MANAGE_PEOPLE, {"unit_path": SIBLING}),
    (HEAD, Perm.IMPORT_PEOPLE, {}),
    (UNION, Perm.VIEW_PEOPLE, {"branch_id": 31}),
    (UNION, Perm.MANAGE_PEOPLE, {"branch_id": 30}),
])
def test_require_raises_not_allowed_outside_reach(who, perm, target):
    with pytest.raises(NotAllowed) as exc:
        require(who, perm, **target)
    # The refusal names the action that was refused.
    assert ACTIONS[perm] in exc.value.message


def test_a_refusal_says_who_may_do_it():
    with pytest.raises(NotAllowed) as exc:
        require(STAFF, Perm.MANAGE_SCORING)
    assert exc.value.message == ("Only emulation officers and system administrators can change the "
                                 "scoring settings. Ask a system administrator if you need one of these roles.")


def test_a_refusal_of_an_admin_only_action_does_not_send_one_to_an_admin():
    with pytest.raises(NotAllowed) as exc:
        require(OFFICER, Perm.VIEW_AUDIT)
    assert exc.value.message == "Only system administrators can read the audit log."


def test_a_union_officer_outside_their_branch_is_told_it_is_outside_the_branch():
    with pytest.raises(NotAllowed) as exc:
        require(UNION, Perm.VIEW_PEOPLE, branch_id=31)
    assert "only within the branch your role covers" in exc.value.message


def test_a_refusal_outside_ones_units_says_so_instead_of_asking_for_the_role():
    with pytest.raises(NotAllowed) as exc:
        require(HEAD, Perm.MANAGE_PEOPLE, unit_path=SIBLING)
    assert "outside" in exc.value.message
    assert "Only" not in exc.value.message


def test_every_permission_names_its_action():
    assert set(ACTIONS) == set(Perm)


def test_require_login_refuses_only_an_anonymous_caller():
    assert require_login(STAFF) is STAFF
    with pytest.raises(NotAllowed) as exc:
        require_login(None)
    assert "session has ended" in exc.value.message
