"""Pure rules of conduct spot checks: checklists, the seeded random draw, compliance, repeats,
deadlines and the reminder stages of corrective actions."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, timedelta

import pytest

from engagement.core import workdays
from engagement.core.errors import Invalid
from engagement.supervision import rules
from engagement.supervision.rules import FAIL, NA, PASS, Item, UnitHistory

# --- checklists ----------------------------------------------------------------------------------


def test_default_checklist_covers_the_commitments_clauses() -> None:
    keys = {i.key for i in rules.DEFAULT_ITEMS}
    assert {"gio-lam-viec", "trang-phuc", "4-xin-4-luon", "khong-hut-thuoc", "viec-rieng", "xanh-sach-dep"} == keys
    assert {i.scope for i in rules.DEFAULT_ITEMS if i.key == "xanh-sach-dep"} == {rules.UNIT}
    assert rules.decode_items(rules.encode_items(rules.DEFAULT_ITEMS)) == rules.DEFAULT_ITEMS


def test_new_version_keeps_keys_of_unchanged_items_and_numbers_new_ones() -> None:
    previous = (Item("gio-lam-viec", "Đúng giờ", rules.PERSON), Item("muc-3", "Thẻ", rules.PERSON))
    items = rules.build_items(["Đúng  giờ", "Không dùng điện thoại việc riêng"], ["Bàn gọn"], previous)
    assert [(i.key, i.scope) for i in items] == [("gio-lam-viec", "person"), ("muc-4", "person"),
                                                 ("muc-5", "unit")]


def test_an_item_moved_to_the_other_scope_is_a_new_item() -> None:
    previous = (Item("a", "Bàn gọn", rules.PERSON),)
    (item,) = rules.build_items([], ["Bàn gọn"], previous)
    assert item.key != "a" and item.scope == rules.UNIT


@pytest.mark.parametrize(("person", "unit", "field"), [
    ([], ["  "], "Required"),
    (["Đúng giờ", "đúng giờ"], [], "Twice"),
    (["x" * 301], [], "Too long"),
    ([f"Mục {n}" for n in range(rules.MAX_ITEMS + 1)], [], "Too many"),
])
def test_bad_checklists_are_refused(person, unit, field) -> None:
    with pytest.raises(Invalid) as caught:
        rules.build_items(person, unit)
    assert caught.value.raw_fields["items"].msgid == field


# --- plans ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": " "}, "name"), ({"ends_on": date(2026, 9, 30)}, "period"), ({"visits": 0}, "visits"),
    ({"visits": rules.MAX_VISITS + 1}, "visits"), ({"response_days": 0}, "response_days"),
    ({"action_days": 61}, "action_days"), ({"units": 0}, "units"),
])
def test_bad_plans_are_refused(changes, field) -> None:
    fields = {"name": "Quý IV", "starts_on": date(2026, 10, 1), "ends_on": date(2026, 12, 31), "visits": 6,
              "response_days": 5, "action_days": 10, "units": 3} | changes
    with pytest.raises(Invalid) as caught:
        rules.check_plan(**fields)
    assert field in caught.value.raw_fields


# --- the draw ------------------------------------------------------------------------------------

DAY = date(2026, 10, 1)


def test_weight_favours_units_not_seen_for_long_and_units_that_failed() -> None:
    fresh = UnitHistory(1, last_visit=DAY - timedelta(days=3), checked=20, failed=0)
    stale = UnitHistory(2, last_visit=DAY - timedelta(days=90), checked=20, failed=0)
    never = UnitHistory(3)
    failing = UnitHistory(4, last_visit=DAY - timedelta(days=3), checked=20, failed=10)
    assert rules.unit_weight(fresh, DAY) == pytest.approx(1.1)
    assert rules.unit_weight(stale, DAY) == pytest.approx(4.0)
    assert rules.unit_weight(never, DAY) == pytest.approx(7.0)
    assert rules.unit_weight(failing, DAY) == pytest.approx(3.1)
    # Half a year or never: the same, the most recency can give.
    assert rules.unit_weight(UnitHistory(5, last_visit=DAY - timedelta(days=400)), DAY) == pytest.approx(7.0)


def test_draw_is_reproducible_with_a_seed_and_differs_with_another() -> None:
    units = [UnitHistory(u) for u in range(1, 11)]
    days = workdays.working_days_between(date(2026, 10, 1), date(2026, 12, 31))
    first = rules.draw_visits(random.Random(7), units=units, days=days, count=8)
    assert first == rules.draw_visits(random.Random(7), units=units, days=days, count=8)
    assert first != rules.draw_visits(random.Random(8), units=units, days=days, count=8)
    assert len(first) == 8 and first == sorted(first, key=lambda v: (v[1], v[0]))


def test_draw_lands_on_the_given_working_days_only() -> None:
    days = rules.draw_days(date(2026, 8, 1), date(2026, 9, 30), today=date(2026, 8, 20))
    assert days[0] == date(2026, 8, 21)  # from tomorrow, never today
    assert date(2026, 9, 1) not in days and date(2026, 9, 2) not in days  # National Day
    assert all(d.weekday() < 5 for d in days)
    drawn = rules.draw_visits(random.Random(1), units=[UnitHistory(u) for u in range(20)], days=days, count=40,
                              min_gap_days=0)
    assert {d for _u, d in drawn} <= set(days)


def test_no_unit_is_visited_twice_within_the_gap() -> None:
    units = [UnitHistory(1), UnitHistory(2), UnitHistory(3, last_visit=date(2026, 9, 25))]
    days = workdays.working_days_between(date(2026, 10, 1), date(2026, 10, 30))
    for seed in range(30):
        drawn = rules.draw_visits(random.Random(seed), units=units, days=days, count=10, min_gap_days=14)
        per_unit: dict[int, list[date]] = {}
        for unit_id, day in drawn:
            per_unit.setdefault(unit_id, []).append(day)
        for unit_id, seen in per_unit.items():
            if unit_id == 3:
                seen = [date(2026, 9, 25), *seen]
            assert all((b - a).days >= 14 for a, b in itertools.pairwise(seen)), (seed, unit_id, seen)
        # Three units in a month with a 14-day gap: at most 2 visits each (3 of them 1 only) -> fewer than asked.
        assert len(drawn) < 10


def test_draw_weights_show_in_the_long_run() -> None:
    recent = UnitHistory(1, last_visit=date(2026, 9, 28), checked=30, failed=0)
    failing = UnitHistory(2, last_visit=date(2026, 9, 28), checked=30, failed=15)
    never = UnitHistory(3)
    counts: Counter[int] = Counter()
    rng = random.Random(2026)
    for _ in range(3000):
        (unit_id, _day), = rules.draw_visits(rng, units=[recent, failing, never], days=[date(2026, 10, 1)],
                                             count=1, min_gap_days=0)
        counts[unit_id] += 1
    # Expected shares from the weights 1.1, 3.1 and 7.0 on 1 October.
    total = 1.1 + 3.1 + 7.0
    assert counts[1] / 3000 == pytest.approx(1.1 / total, abs=0.03)
    assert counts[2] / 3000 == pytest.approx(3.1 / total, abs=0.03)
    assert counts[3] / 3000 == pytest.approx(7.0 / total, abs=0.03)


def test_draw_of_nothing_is_nothing() -> None:
    assert rules.draw_visits(random.Random(1), units=[], days=[DAY], count=3) == []
    assert rules.draw_visits(random.Random(1), units=[UnitHistory(1)], days=[], count=3) == []
    assert rules.draw_visits(random.Random(1), units=[UnitHistory(1)], days=[DAY], count=0) == []


# --- results -------------------------------------------------------------------------------------


def test_compliance_leaves_out_not_applicable() -> None:
    assert rules.compliance([PASS, PASS, FAIL, NA]) == 67
    assert rules.compliance([PASS, NA]) == 100
    assert rules.compliance([NA, NA]) is None
    assert rules.compliance([]) is None


def test_repeat_is_a_failure_within_a_year_before() -> None:
    day = date(2026, 11, 10)
    assert rules.is_repeat(day, [date(2026, 2, 1)])
    assert rules.is_repeat(day, [day - timedelta(days=365)])
    assert not rules.is_repeat(day, [day - timedelta(days=366)])
    assert not rules.is_repeat(day, [day])  # the same visit is not its own repeat
    assert not rules.is_repeat(day, [])


def test_score_quantity_rewards_compliance_or_deducts_failures() -> None:
    assert rules.score_quantity(80, 10) == pytest.approx(0.8)
    assert rules.score_quantity(80, -10) == pytest.approx(0.2)
    assert rules.score_quantity(100, -10) == 0
    assert rules.score_quantity(150, 10) == 1


def test_deadlines_count_working_days_and_holidays() -> None:
    # Friday 28 August 2026 + 5 working days: 31 Aug, 3, 4, 7, 8 September (1-2 September off).
    assert rules.respond_by(date(2026, 8, 28), 5) == date(2026, 9, 8)
    assert rules.action_due(date(2026, 10, 2), 1) == date(2026, 10, 5)


def test_check_text_needs_enough_words() -> None:
    with pytest.raises(Invalid):
        rules.check_text("ok", field="text")
    with pytest.raises(Invalid):
        rules.check_text("x" * 2001, field="text")
    assert rules.check_text("  Tôi   đi họp  ở Sở  ", field="text") == "Tôi đi họp ở Sở"


# --- reminder stages -----------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "stage"), [
    (date(2026, 10, 9), None),  # before the due day
    (date(2026, 10, 12), "due"),  # Monday, due
    (date(2026, 10, 13), "overdue-1"),
    (date(2026, 10, 15), "overdue-3"),
    (date(2026, 10, 16), "escalate"),
    (date(2026, 10, 17), None),  # a Saturday: nothing
])
def test_action_stages(today, stage) -> None:
    assert rules.action_stage(today=today, due_on=date(2026, 10, 12)) == stage


def test_action_stage_skips_holidays() -> None:
    # Due Monday 31 August 2026; 1 and 2 September are National Day: Thursday 3rd is the first day late.
    assert rules.action_stage(today=date(2026, 9, 1), due_on=date(2026, 8, 31)) is None
    assert rules.action_stage(today=date(2026, 9, 3), due_on=date(2026, 8, 31)) == "overdue-1"


def test_commendations_still_count_working_days_the_same_way() -> None:
    from engagement.commendations import nominations
    from engagement.commendations import rules as commendation_rules

    assert commendation_rules.add_working_days is workdays.add_working_days
    assert nominations.HOLIDAYS is workdays.HOLIDAYS


# --- the scoring criterion ---------------------------------------------------------------------------


def test_inspection_weight_may_be_negative_and_only_it() -> None:
    from engagement.scoring import rules as scoring_rules
    from engagement.scoring.rules import Criterion, Source

    form = {s.value: ("1", "") for s in Source}
    checked = scoring_rules.check_criteria(form | {"inspection": ("-25", "")})
    assert checked[Source.INSPECTION].weight == -25
    with pytest.raises(Invalid) as caught:
        scoring_rules.check_criteria(form | {"green": ("-1", "")})
    assert "weight_green" in caught.value.raw_fields
    with pytest.raises(Invalid):
        scoring_rules.check_criteria(form | {"inspection": ("-1001", "")})
    assert scoring_rules.DEFAULT_CRITERIA[Source.INSPECTION].weight == 10
    # A penalty is not capped; a reward is.
    assert scoring_rules.points_for(Criterion(weight=-20, monthly_cap=5), 0.5, 100) == -10
    assert scoring_rules.points_for(Criterion(weight=20, monthly_cap=5), 0.5, 0) == 5
    assert scoring_rules.points_for(Criterion(weight=-20), 0, 0) == 0
