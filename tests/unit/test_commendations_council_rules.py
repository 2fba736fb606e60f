"""Pure rules of the council (the "council" section of commendations/rules.py) and the part-2
council rules they build on: quorum, thresholds against all members, rounds, recusal, order."""

from __future__ import annotations

from datetime import date

import pytest

from engagement.commendations import rules
from engagement.commendations.rules import APPROVED, RECUSED_NOMINEE, RECUSED_UNIT_HEAD, REJECTED, RuleVersion
from engagement.core.errors import Conflict, Invalid


def version(*, ballot: bool, pct: int) -> RuleVersion:
    return RuleVersion(valid_from=date(2025, 7, 1), valid_to=None, decider="org_head", coefficient_pct=100,
                       ballot_required=ballot, threshold_pct=pct, quota_kind="none", quota_pct=0, criteria=(),
                       basis_document="NĐ 152/2025")


@pytest.mark.parametrize(("total", "num", "den", "needed"), [
    (9, 2, 3, 6), (10, 2, 3, 7), (7, 2, 3, 5), (3, 2, 3, 2), (9, 4, 5, 8), (10, 4, 5, 8), (1, 2, 3, 1), (0, 2, 3, 0),
])
def test_the_quorum_is_a_share_of_all_members_rounded_up(total, num, den, needed):
    assert rules.quorum_needed(total, num, den) == needed
    if total:
        assert rules.quorum_met(needed, total, num, den)
        assert not rules.quorum_met(needed - 1, total, num, den)


def test_no_members_is_never_a_quorum():
    assert not rules.quorum_met(0, 0, 2, 3)


@pytest.mark.parametrize(("num", "den"), [(0, 3), (4, 3), (2, 0), (2, 101), (True, 3), (2.0, 3), ("2", "3")])
def test_a_quorum_share_must_be_a_fraction_of_the_council(num, den):
    with pytest.raises(Invalid):
        rules.check_quorum_share(num, den)


@pytest.mark.parametrize(("num", "den"), [(2, 3), (4, 5), (1, 2), (1, 1), (90, 100)])
def test_usual_quorum_shares_are_accepted(num, den):
    rules.check_quorum_share(num, den)


@pytest.mark.parametrize(("total", "pct", "needed"), [
    (9, 80, 8), (9, 90, 9), (10, 80, 8), (11, 80, 9), (9, 0, 5), (10, 0, 6), (15, 90, 14),
])
def test_the_votes_needed_count_against_all_members(total, pct, needed):
    assert rules.votes_needed(total, pct) == needed
    assert rules.passes(needed, total, pct) and not rules.passes(needed - 1, total, pct)


def test_seven_present_cannot_reach_eighty_percent_of_nine():
    assert not rules.passes(7, 9, 80)
    assert rules.round_outcome(1, 7, 9, 80) == ""
    assert rules.round_outcome(2, 7, 9, 80) == REJECTED
    assert rules.round_outcome(2, 8, 9, 80) == APPROVED


def test_the_threshold_is_the_titles_when_a_ballot_is_required_else_a_majority():
    assert rules.ballot_threshold(version(ballot=True, pct=80)) == 80
    assert rules.ballot_threshold(version(ballot=False, pct=80)) == 0
    assert rules.ballot_threshold(None) == 0


def test_rounds_go_one_then_two_and_stop():
    assert rules.next_round(0, round_open=False, outcome="") == 1
    assert rules.next_round(1, round_open=False, outcome="") == 2
    with pytest.raises(Conflict, match="two rounds"):
        rules.next_round(2, round_open=False, outcome="")
    with pytest.raises(Conflict, match="already open"):
        rules.next_round(1, round_open=True, outcome="")
    with pytest.raises(Conflict, match="already decided"):
        rules.next_round(1, round_open=False, outcome=APPROVED)
    assert rules.MAX_ROUNDS == 2


def test_a_first_round_that_approves_decides():
    assert rules.round_outcome(1, 9, 9, 80) == APPROVED


def test_attendance_is_present_or_written_never_both():
    rules.check_attendance(True, False)
    rules.check_attendance(False, True)
    rules.check_attendance(False, False)
    with pytest.raises(Invalid, match="only an absent member"):
        rules.check_attendance(True, True)
    with pytest.raises(Invalid):
        rules.check_attendance("yes", False)


def test_the_nominee_is_recused():
    assert rules.recusal(7, nominee_person_id=7, nominee_unit_path="/1/2/", head_unit_paths=()) == RECUSED_NOMINEE


def test_only_the_head_of_the_nominees_own_unit_is_recused():
    kw = {"nominee_person_id": 3, "nominee_unit_path": "/1/2/5/"}
    assert rules.recusal(7, head_unit_paths=["/1/2/5/"], **kw) == RECUSED_UNIT_HEAD
    # The head of a unit above (the organisation's head often chairs the council) still votes.
    assert rules.recusal(7, head_unit_paths=["/1/2/"], **kw) is None
    assert rules.recusal(7, head_unit_paths=["/1/2/5/9/"], **kw) is None  # a unit below does not
    assert rules.recusal(7, head_unit_paths=["/1/25/"], **kw) is None  # a path prefix that is not an ancestor
    assert rules.recusal(7, head_unit_paths=["/1/3/", ""], **kw) is None


def test_the_head_of_a_nominated_unit_is_recused():
    assert rules.recusal(7, nominee_person_id=None, nominee_unit_path="/1/2/",
                         head_unit_paths=["/1/2/"]) == RECUSED_UNIT_HEAD
    assert rules.recusal(7, nominee_person_id=None, nominee_unit_path="", head_unit_paths=["/1/"]) is None


def test_lower_titles_first():
    assert rules.lower_titles_pending(20, [(10, False)])
    assert not rules.lower_titles_pending(20, [(10, True)])
    assert not rules.lower_titles_pending(20, [(20, False), (30, False)])  # the same title: voted together
    assert not rules.lower_titles_pending(10, [])


def test_voting_order_is_catalogue_order_then_name():
    assert rules.voting_order([(1, 20, "An"), (2, 10, "Bình"), (3, 10, "An"), (4, 20, "An")]) == [3, 2, 1, 4]


def test_every_code_has_a_label():
    assert set(rules.RECUSAL_NAMES) == {RECUSED_NOMINEE, RECUSED_UNIT_HEAD}
    assert set(rules.SESSION_NAMES) == {rules.SESSION_SCHEDULED, rules.SESSION_OPEN, rules.SESSION_CLOSED}
    assert set(rules.OUTCOME_NAMES) == {"", APPROVED, REJECTED}
    assert set(rules.POSITION_NAMES) == set(rules.POSITIONS)
