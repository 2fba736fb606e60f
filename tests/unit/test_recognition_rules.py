"""Pure rules of recognition."""

from __future__ import annotations

from datetime import UTC, datetime

from engagement.core.access import Role
from engagement.recognition import rules


def test_cost_is_the_level_cost_for_each_recipient():
    assert rules.cost("thanks", 1) == 1
    assert rules.cost("great", 3) == 6
    assert rules.cost("outstanding", 1) == 3


def test_the_most_generous_role_sets_the_allowance():
    assert rules.allowance_for({Role.STAFF}) == 10
    assert rules.allowance_for({Role.STAFF, Role.UNIT_HEAD}) == 20


def test_month_key_is_year_and_month():
    assert rules.month_key(datetime(2026, 3, 31, 23, 59)) == "2026-03"


def test_message_needs_thirty_characters_after_collapsing_spaces():
    assert rules.message_problem("a" * 10 + " " * 30) is not None
    assert rules.message_problem("Cảm ơn chị đã hỗ trợ người dân tận tình.") is None
    assert rules.message_problem("x" * 1001) is not None


def test_dossier_numbers_are_normalised_or_refused():
    assert rules.normalise_dossier(" hs-2026 / 0001 ") == "HS-2026/0001"
    assert rules.normalise_dossier("ab") is None
    assert rules.normalise_dossier("<script>") is None


def test_ratings_must_be_one_to_five():
    assert rules.rating_problem(1, 5, 3) is None
    assert rules.rating_problem(0, 5, 3) is not None
    assert rules.rating_problem(5, 6, 3) is not None


def test_a_solved_proof_carries_the_challenge_and_a_number_that_solves_it():
    import altcha
    made = altcha.create_challenge_v1(hmac_key="k", max_number=500, expires=datetime(2026, 12, 1, 10, 15, tzinfo=UTC))
    fields = rules.proof_fields(rules.solve_proof(made.to_dict()))
    assert fields is not None and fields["challenge"] == made.challenge and fields["signature"] == made.signature
    assert altcha.verify_solution_v1(fields, "k", check_expires=False) == (True, None)
    assert rules.proof_expiry(made.salt) == datetime(2026, 12, 1, 10, 15, tzinfo=UTC)


def test_anything_but_a_proof_is_no_proof():
    for junk in ("", "x" * 2000, "not base64!", "bnVsbA==", "W10=", "eyJhIjogMX0="):  # null, [], {"a": 1}
        assert rules.proof_fields(junk) is None
    assert rules.proof_expiry("abc?expires=soon&") is None and rules.proof_expiry("abc") is None


def test_reciprocal_ring_needs_both_directions_and_most_of_their_giving():
    edges = [(1, 2)] * 3 + [(2, 1)] * 3 + [(1, 3)]
    assert [(r.a, r.b) for r in rules.reciprocal_rings(edges)] == [(1, 2)]
    one_way = [(1, 2)] * 5 + [(2, 1)] * 2
    assert rules.reciprocal_rings(one_way) == []
    diluted = [(1, 2)] * 3 + [(2, 1)] * 3 + [(1, 9)] * 10
    assert rules.reciprocal_rings(diluted) == []


def test_inward_share_needs_enough_recognitions_and_a_high_share():
    assert rules.inward_share(9, 10)
    assert not rules.inward_share(8, 10)
    assert not rules.inward_share(5, 5)
