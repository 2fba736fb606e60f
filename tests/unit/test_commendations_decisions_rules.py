"""The pure rules of decisions (rules.py, section "decisions") and the shared hash chain (core.chain)."""

from __future__ import annotations

import pytest

from engagement.commendations import rules
from engagement.commendations.rules import FORM, TITLE, Due
from engagement.core import chain
from engagement.core.errors import Invalid
from engagement.core.i18n import N_

LDTT, CSTDCS, GK = (TITLE, 30, 10, 710_000), (TITLE, 100, 20, 2_340_000), (FORM, 30, 50, 710_000)


def test_the_bonus_rounds_up_to_ten_thousand():
    assert rules.bonus(30, 2_340_000) == 710_000  # 702,000 rounded up
    assert rules.bonus(100, 2_340_000) == 2_340_000


@pytest.mark.parametrize(("coefficient", "quantity"), [(0, 1), (30, 1), (60, 2), (80, 3), (100, 3), (150, 5),
                                                       (300, 10), (1200, 40)])
def test_points_follow_the_coefficient_and_every_award_earns_some(coefficient, quantity):
    assert rules.award_points_quantity(coefficient) == quantity


def test_points_never_rank_a_higher_title_below_a_lower_one():
    quantities = [rules.award_points_quantity(c) for c in range(0, 1300, 10)]
    assert quantities == sorted(quantities)


def test_titles_decided_together_pay_only_the_highest():
    due = rules.amounts_due([("ldtt", *LDTT), ("cstd", *CSTDCS)])
    assert due == {"ldtt": Due(amount=0, unpaid_for="cstd"), "cstd": Due(amount=2_340_000)}


def test_a_form_is_paid_besides_the_titles():
    due = rules.amounts_due([("ldtt", *LDTT), ("gk", *GK)])
    assert due["ldtt"].amount == 710_000 and due["gk"].amount == 710_000


def test_a_lower_title_paid_before_is_deducted_from_the_higher_one():
    due = rules.amounts_due([("cstd", *CSTDCS)], held=[("old", *LDTT)])
    assert due["cstd"] == Due(amount=1_630_000, deducted=710_000)


def test_a_title_below_one_held_pays_nothing():
    assert rules.amounts_due([("ldtt", *LDTT)], held=[("old", *CSTDCS)])["ldtt"] == Due(amount=0, unpaid_for="old")


def test_a_lower_title_paid_nothing_before_deducts_nothing():
    held = [("old", TITLE, 30, 10, 0)]
    assert rules.amounts_due([("cstd", *CSTDCS)], held=held)["cstd"] == Due(amount=2_340_000)


def test_a_held_form_does_not_reduce_a_new_title():
    assert rules.amounts_due([("ldtt", *LDTT)], held=[("gk", *GK)])["ldtt"] == Due(amount=710_000)


@pytest.mark.parametrize(("raw", "code"), [("SNV", "SNV"), (" snv ", "SNV"), ("UBND-TH", "UBND-TH"), ("sở", "SỞ")])
def test_issuer_codes_are_upper_cased(raw, code):
    assert rules.check_issuer_code(raw) == code


@pytest.mark.parametrize("raw", ["", "  ", "S N V", "QĐ/SNV", "-SNV", "A" * 41, None])
def test_bad_issuer_codes_are_refused(raw):
    with pytest.raises(Invalid):
        rules.check_issuer_code(raw)


@pytest.mark.parametrize(("text", "parsed"), [("12/QĐ-SNV", (12, "SNV")), ("12/qd-snv", (12, "SNV")),
                                              (" 7 / QĐ - UBND ", (7, "UBND")), ("12/QĐ-", None), ("QĐ-SNV", None),
                                              ("12/TTr-SNV", None), ("x/QĐ-SNV", None), ("", None)])
def test_decision_numbers_are_read_as_people_write_them(text, parsed):
    assert rules.parse_decision_number(text) == parsed


def test_a_decision_number_reads_back():
    assert rules.parse_decision_number(rules.decision_number(12, "SNV")) == (12, "SNV")


def test_certificate_codes_are_normalised_and_checked():
    code = "ABCD" * 4
    assert rules.normalise_certificate_code("abcd-abcd abcd-abcd") == code
    assert rules.normalise_certificate_code("ABCD0OIL" * 2) is None  # look-alikes are not in the alphabet
    assert rules.normalise_certificate_code("ABC") is None
    assert rules.normalise_certificate_code(None) is None


@pytest.mark.parametrize(("amount", "ok"), [(0, True), (710_000, True), (710_001, False), (-1, False),
                                            (True, False), ("5", False)])
def test_the_refund_is_at_most_what_the_award_paid(amount, ok):
    if ok:
        assert rules.check_refund(amount, 710_000) == amount
    else:
        with pytest.raises(Invalid):
            rules.check_refund(amount, 710_000)


TEXTS = chain.BreakTexts(missing=N_("record #{first} to #{last} missing"), unlinked=N_("not linked"),
                         changed=N_("changed"))


def _links(n: int) -> list[chain.ChainLink]:
    links, prev = [], chain.GENESIS_HASH
    for seq in range(1, n + 1):
        digest = chain.chain_hash(prev, f"payload {seq}")
        links.append(chain.ChainLink(seq=seq, code=f"#{seq}", prev_hash=prev, content_hash=digest,
                                     payload=f"payload {seq}"))
        prev = digest
    return links


def test_the_shared_chain_reports_in_its_owners_words():
    links = _links(3)
    assert chain.find_breaks(links, texts=TEXTS) == []
    links[1] = chain.ChainLink(seq=2, code="#2", prev_hash=links[1].prev_hash, content_hash=links[1].content_hash,
                               payload="edited")
    assert [(b.seq, b.problem) for b in chain.find_breaks(links, texts=TEXTS)] == [(2, "changed")]
    gap = [links[0], links[2]]
    problems = [b.problem for b in chain.find_breaks(gap, texts=TEXTS)]
    assert problems == ["record #2 to #2 missing", "not linked"]


def test_the_refund_refusal_writes_the_amount_paid_in_the_readers_convention():
    from engagement.core.i18n import Amount

    with pytest.raises(Invalid) as refused:
        rules.check_refund(2_340_001, 2_340_000)
    assert "2.340.000 đồng" in refused.value.render("vi")
    assert "2,340,000 VND" in refused.value.render("en")
    assert Amount(2026).render("vi") == "2.026"  # for amounts only: years are passed as plain ints
