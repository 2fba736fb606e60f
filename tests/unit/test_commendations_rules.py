"""Pure rules of commendations: bonus, base salary, dated versions, criteria, eligibility, checks."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engagement.commendations import catalogue, rules
from engagement.commendations.rules import (
    ELIGIBLE,
    EXCLUDED,
    HELD,
    MISSING,
    Context,
    DisciplineFact,
    Exclusions,
    InitiativeFact,
    PersonFacts,
    RuleVersion,
    UnitFacts,
)
from engagement.core.errors import Invalid

Y = 2025
SEED = {s.code: s for s in catalogue.SEEDS}
NAMES = {s.code: s.abbreviation for s in catalogue.SEEDS}
TITLES = {s.code: s.subject for s in catalogue.SEEDS}
ME = rules.person_key(1)
UNIT = rules.unit_key(5)
TABLE = [(valid_from, amount) for valid_from, amount, _basis in catalogue.BASE_SALARIES]


def en(msg) -> str:
    return msg.render("en")


def texts(judgement) -> list[str]:
    return [en(r) for r in judgement.reasons]


def ctx(code: str, eligible_now: dict | None = None, year: int = Y) -> Context:
    return Context(year=year, code=code, abbreviation=NAMES[code], names=NAMES, eligible_now=eligible_now or {})


def judge(code: str, facts: PersonFacts, *, now: tuple[str, ...] = (), exclusions: Exclusions | None = None):
    """Judge person 1 for a seeded title; ``now`` lists the titles the person is eligible for this year."""
    eligible_now = {c: {ME} for c in now}
    return rules.judge_person(SEED[code].criteria, facts, ctx(code, eligible_now), exclusions or Exclusions())


def judge_unit(code: str, facts: UnitFacts, *, now: tuple[str, ...] = ()):
    return rules.judge_unit(SEED[code].criteria, facts, ctx(code, {c: {UNIT} for c in now}))


def person(**kw) -> PersonFacts:
    return PersonFacts(person_id=1, **kw)


def initiative(id_: int, scope: str, year: int = Y, *, decided_on: date | None = None, used: bool = False):
    return InitiativeFact(id=id_, scope=scope, year=year, decided_on=decided_on or date(year, 6, 1), used=used)


def rule_versions(code: str) -> list[RuleVersion]:
    return [RuleVersion(**{**v, "criteria": tuple(v["criteria"])}) for v in catalogue.versions(SEED[code])]


# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pct", "base", "expected"), [
    (30, 2_340_000, 710_000),  # 0.3 x 2,340,000 = 702,000 -> up to 710,000
    (100, 2_340_000, 2_340_000),  # exact multiple stays
    (150, 2_340_000, 3_510_000),
    (30, 1_800_000, 540_000),
    (1, 2_340_000, 30_000),  # 23,400 -> 30,000
    (300, 1_490_000, 4_470_000),
    (0, 2_340_000, 0),
])
def test_bonus_is_rounded_up_to_the_next_ten_thousand(pct, base, expected):
    assert rules.bonus(pct, base) == expected


def test_bonus_uses_integer_arithmetic_for_large_amounts():
    # 12.0 x a salary one dong above a step: floats would lose the last dong and round wrongly.
    assert rules.bonus(1200, 10_000_000_000_001) == 120_000_000_010_000
    assert isinstance(rules.bonus(30, 2_340_000), int)


@pytest.mark.parametrize(("pct", "base"), [(-1, 2_340_000), (30, -1)])
def test_bonus_refuses_negative_values(pct, base):
    with pytest.raises(ValueError):
        rules.bonus(pct, base)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2019, 6, 30), None),
    (date(2019, 7, 1), 1_490_000),
    (date(2023, 7, 1), 1_800_000),
    (date(2024, 6, 30), 1_800_000),
    (date(2024, 7, 1), 2_340_000),
    (date(2026, 1, 1), 2_340_000),
])
def test_base_salary_is_the_row_in_force_on_the_day(day, expected):
    assert rules.base_salary_on(TABLE, day) == expected
    assert rules.base_salary_on(list(reversed(TABLE)), day) == expected


def test_base_salary_of_an_empty_table_is_none():
    assert rules.base_salary_on([], date(2025, 1, 1)) is None


# --- dated rule versions --------------------------------------------------------------------------


def test_a_year_is_judged_by_the_version_in_force_on_its_last_day():
    versions = rule_versions("BK_TINH_CN")
    v2025, v2024 = rules.rule_for_year(versions, 2025), rules.rule_for_year(versions, 2024)
    assert v2025 is not None and catalogue.D152 in v2025.basis_document
    assert v2024 is not None and catalogue.D98 in v2024.basis_document
    assert "NĐ 98/2023" in v2024.basis_article and "NĐ 152/2025" not in v2024.basis_article
    assert rules.rule_for_year(versions, 2023) is None
    assert rules.year_end(2025) == date(2025, 12, 31)


def test_individual_bang_khen_coefficient_moved_from_1_0_to_1_5():
    versions = rule_versions("BK_TINH_CN")
    assert rules.rule_for_year(versions, 2024).coefficient_pct == 100
    assert rules.rule_for_year(versions, 2025).coefficient_pct == 150
    assert rules.bonus(rules.rule_for_year(versions, 2025).coefficient_pct, 2_340_000) == 3_510_000


def test_in_force_switches_on_the_first_of_july_2025():
    versions = rule_versions("BK_TINH_CN")
    assert rules.in_force(versions, date(2025, 6, 30)).coefficient_pct == 100
    assert rules.in_force(versions, date(2025, 7, 1)).coefficient_pct == 150
    assert rules.in_force(versions, date(2024, 1, 1)).coefficient_pct == 100
    assert rules.in_force(versions, date(2023, 12, 31)) is None


def test_in_force_ignores_an_ended_version_and_prefers_the_latest_start():
    v = rule_versions("LDTT")[0]
    ended = [RuleVersion(**{**v.__dict__, "valid_to": date(2024, 12, 31)})]
    assert rules.in_force(ended, date(2025, 1, 1)) is None
    overlapping = [RuleVersion(**{**v.__dict__, "valid_to": None, "coefficient_pct": 30}),
                   RuleVersion(**{**v.__dict__, "valid_from": date(2025, 3, 1), "valid_to": None,
                                  "coefficient_pct": 40})]
    assert rules.in_force(overlapping, date(2025, 3, 1)).coefficient_pct == 40
    assert rules.in_force(overlapping, date(2025, 2, 28)).coefficient_pct == 30


# --- individuals: LĐTT ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["HTTNV", "HTXSNV"])
def test_lao_dong_tien_tien_needs_completed_well_or_better(level):
    result = judge("LDTT", person(ratings={Y: level}))
    assert result.status == ELIGIBLE and result.reasons == ()


def test_lao_dong_tien_tien_refused_for_htnv_names_title_level_rating_and_basis():
    result = judge("LDTT", person(ratings={Y: "HTNV"}))
    assert result.status == MISSING
    assert texts(result) == ["LĐTT needs HTTNV or better in 2025: rated HTNV (Luật TĐKT 2022, Điều 24)"]


def test_lao_dong_tien_tien_refused_when_not_rated_or_rated_another_year():
    assert texts(judge("LDTT", person(ratings={Y: "NONE"}))) == [
        "LĐTT needs HTTNV or better in 2025: not rated (with a reason) (Luật TĐKT 2022, Điều 24)"]
    last_year_only = judge("LDTT", person(ratings={Y - 1: "HTXSNV"}))
    assert last_year_only.status == MISSING
    assert texts(last_year_only) == ["LĐTT needs HTTNV or better in 2025: not rated yet (Luật TĐKT 2022, Điều 24)"]


# --- individuals: CSTĐCS ----------------------------------------------------------------------------


def test_cstdcs_through_htxsnv_needs_no_initiative_and_uses_none():
    result = judge("CSTDCS", person(ratings={Y: "HTXSNV"}), now=("LDTT",))
    assert result.status == ELIGIBLE and result.initiative_ids == ()


def test_cstdcs_through_htxsnv_keeps_an_available_initiative_unused():
    result = judge("CSTDCS", person(ratings={Y: "HTXSNV"}, initiatives=[initiative(7, "province")]),
                   now=("LDTT",))
    assert result.status == ELIGIBLE and result.initiative_ids == ()


def test_cstdcs_through_an_unused_unit_initiative_with_httnv_uses_it():
    facts = person(ratings={Y: "HTTNV"}, initiatives=[initiative(7, "unit"), initiative(8, "unit", used=True)])
    result = judge("CSTDCS", facts, now=("LDTT",))
    assert result.status == ELIGIBLE and result.initiative_ids == (7,)


def test_cstdcs_refused_with_httnv_and_no_initiative():
    result = judge("CSTDCS", person(ratings={Y: "HTTNV"}), now=("LDTT",))
    assert result.status == MISSING
    assert texts(result) == [
        "CSTĐCS needs an initiative recognised at unit level or wider, or a HTXSNV rating, in 2025: rated HTTNV, "
        "no unused initiative (Luật TĐKT 2022, Điều 23)"]


def test_cstdcs_refused_when_the_only_initiative_is_used():
    facts = person(ratings={Y: "HTTNV"}, initiatives=[initiative(7, "unit", used=True)])
    assert judge("CSTDCS", facts, now=("LDTT",)).status == MISSING


def test_cstdcs_refused_when_the_initiative_is_of_last_year():
    facts = person(ratings={Y: "HTTNV"}, initiatives=[initiative(7, "unit", Y - 1)])
    assert judge("CSTDCS", facts, now=("LDTT",)).status == MISSING


def test_cstdcs_needs_lao_dong_tien_tien_this_year_held_or_eligible():
    facts = person(ratings={Y: "HTXSNV"})
    missing = judge("CSTDCS", facts)
    assert missing.status == MISSING
    assert texts(missing) == ["CSTĐCS needs LĐTT in 2025: not met (Luật TĐKT 2022, Điều 23)"]
    assert judge("CSTDCS", person(ratings={Y: "HTXSNV"}, awards={"LDTT": {Y}})).status == ELIGIBLE
    assert judge("CSTDCS", person(ratings={Y: "HTXSNV"}, awards={"LDTT": {Y - 1}})).status == MISSING


def test_eligible_now_of_another_person_does_not_count():
    result = rules.judge_person(SEED["CSTDCS"].criteria, person(ratings={Y: "HTXSNV"}),
                                ctx("CSTDCS", {"LDTT": {rules.person_key(2)}}), Exclusions())
    assert result.status == MISSING


# --- individuals: CSTĐ cấp tỉnh chain and initiative ---------------------------------------------------


def tinh(awards: set[int], *, now: bool = True, scope: str = "province", **kw):
    kw.setdefault("initiatives", [initiative(9, scope)])
    return judge("CSTD_TINH", person(ratings={Y: "HTXSNV"}, awards={"CSTDCS": awards}, **kw),
                 now=("CSTDCS",) if now else ())


def test_cstd_tinh_three_consecutive_cstdcs_counting_this_year_when_eligible_now():
    result = tinh({Y - 2, Y - 1})
    assert result.status == ELIGIBLE and result.initiative_ids == (9,)
    assert tinh({Y - 2, Y - 1, Y}, now=False).status == ELIGIBLE


def test_cstd_tinh_this_year_missing_breaks_the_chain():
    assert en(tinh({Y - 3, Y - 2, Y - 1}, now=False).reasons[0]).endswith(": 0 in a row (Luật TĐKT 2022, Điều 22)")


def test_cstd_tinh_a_gap_breaks_the_chain():
    result = tinh({Y - 3, Y - 2})
    assert result.status == MISSING
    assert "1 in a row" in en(result.reasons[0])


def test_cstd_tinh_two_in_a_row_fails():
    result = tinh({Y - 1})
    assert result.status == MISSING
    assert texts(result) == [
        "CSTĐ cấp tỉnh needs CSTĐCS in 3 consecutive years up to 2025: 2 in a row (Luật TĐKT 2022, Điều 22)"]


@pytest.mark.parametrize(("scope", "status"), [
    ("unit", MISSING), ("org", MISSING), ("province", ELIGIBLE), ("national", ELIGIBLE)])
def test_cstd_tinh_needs_an_initiative_at_province_scope_or_wider(scope, status):
    assert tinh({Y - 2, Y - 1}, scope=scope).status == status


def test_cstd_tinh_initiative_reason_names_scope_window_and_count():
    result = tinh({Y - 2, Y - 1}, scope="unit")
    assert texts(result) == [
        "CSTĐ cấp tỉnh needs 1 unused initiative(s) recognised at provincial or ministerial level or wider in "
        "2023–2025: 0 found (Luật TĐKT 2022, Điều 22)"]


def test_cstd_tinh_initiative_window_is_three_years():
    assert tinh({Y - 2, Y - 1}, initiatives=[initiative(9, "province", Y - 2)]).status == ELIGIBLE
    assert tinh({Y - 2, Y - 1}, initiatives=[initiative(9, "province", Y - 3)]).status == MISSING


def test_titles_up_to_the_year_a_discipline_ended_do_not_count_toward_a_chain():
    ended_y2 = [DisciplineFact("reprimand", date(Y - 2, 1, 1), date(Y - 2, 6, 30))]
    result = tinh({Y - 3, Y - 2, Y - 1}, disciplines=ended_y2)
    assert result.status == MISSING and "2 in a row" in en(result.reasons[0])
    ended_y3 = [DisciplineFact("reprimand", date(Y - 3, 1, 1), date(Y - 3, 6, 30))]
    assert tinh({Y - 2, Y - 1}, disciplines=ended_y3).status == ELIGIBLE


def test_an_initiative_decided_before_a_discipline_ended_does_not_count():
    discipline = [DisciplineFact("reprimand", date(Y - 1, 9, 1), date(Y, 3, 31))]
    before = person(ratings={Y: "HTTNV"}, disciplines=discipline,
                    initiatives=[initiative(7, "unit", decided_on=date(Y, 3, 31))])
    assert judge("CSTDCS", before, now=("LDTT",)).status == MISSING
    after = person(ratings={Y: "HTTNV"}, disciplines=discipline,
                   initiatives=[initiative(7, "unit", decided_on=date(Y, 4, 1))])
    result = judge("CSTDCS", after, now=("LDTT",))
    assert result.status == ELIGIBLE and result.initiative_ids == (7,)


def test_a_discipline_still_running_at_year_end_does_not_move_the_start():
    running = [DisciplineFact("reprimand", date(Y, 10, 1), date(Y + 1, 3, 31))]
    facts = person(ratings={Y: "HTTNV"}, disciplines=running, initiatives=[initiative(7, "unit")])
    assert [i.id for i in rules.usable_initiatives(facts, SEED["CSTDCS"].criteria[1], Y)] == [7]


# --- holds and exclusions ------------------------------------------------------------------------------


def test_a_hold_gives_held_and_still_lists_the_other_reasons():
    result = judge("LDTT", person(ratings={Y: "HTNV"}, hold="inspection", registered=False),
                   exclusions=Exclusions(not_registered=True))
    assert result.status == HELD
    assert texts(result) == [
        "On hold: Under investigation, inspection or audit (Decree 152/2025/NĐ-CP, Art. 4)",
        "Excluded: not registered for emulation in 2025",
        "LĐTT needs HTTNV or better in 2025: rated HTNV (Luật TĐKT 2022, Điều 24)",
    ]


def test_a_hold_blocks_a_person_who_meets_every_criterion():
    result = judge("LDTT", person(ratings={Y: "HTXSNV"}, hold="complaint"))
    assert result.status == HELD and len(result.reasons) == 1
    assert "complaint or denunciation" in en(result.reasons[0])


def test_an_excluded_person_also_gets_the_failed_criteria():
    result = judge("LDTT", person(ratings={Y: "HTNV"}, months_worked=3),
                   exclusions=Exclusions(recent_recruit_months=10))
    assert result.status == EXCLUDED
    assert texts(result) == ["Excluded: 3 months since recruitment, fewer than 10",
                             "LĐTT needs HTTNV or better in 2025: rated HTNV (Luật TĐKT 2022, Điều 24)"]


_DISCIPLINED_NOW = [DisciplineFact("reprimand", date(Y, 2, 1), date(Y, 8, 1))]
_DISCIPLINED_BEFORE = [DisciplineFact("reprimand", date(Y - 1, 2, 1), date(Y - 1, 8, 1))]


@pytest.mark.parametrize(("on", "facts", "excluded", "text"), [
    (Exclusions(recent_recruit_months=10), {"months_worked": 9}, True,
     "Excluded: 9 months since recruitment, fewer than 10"),
    (Exclusions(recent_recruit_months=10), {"months_worked": 10}, False, None),
    (Exclusions(recent_recruit_months=10), {"months_worked": None}, False, None),
    (Exclusions(absent_days=40), {"absent_days": 40}, True, "Excluded: 40 working days absent, 40 or more"),
    (Exclusions(absent_days=40), {"absent_days": 39}, False, None),
    (Exclusions(not_registered=True), {"registered": False}, True, "Excluded: not registered for emulation in 2025"),
    (Exclusions(not_registered=True), {"registered": True}, False, None),
    (Exclusions(disciplined=True), {"disciplines": _DISCIPLINED_NOW}, True, "Excluded: disciplined in 2025"),
    (Exclusions(disciplined=True), {"disciplines": _DISCIPLINED_BEFORE}, False, None),
])
def test_each_exclusion_applies_when_switched_on(on, facts, excluded, text):
    result = judge("LDTT", person(ratings={Y: "HTTNV"}, **facts), exclusions=on)
    assert result.status == (EXCLUDED if excluded else ELIGIBLE)
    assert texts(result) == ([text] if text else [])


@pytest.mark.parametrize("facts", [
    {"months_worked": 1}, {"absent_days": 200}, {"registered": False}, {"disciplines": _DISCIPLINED_NOW}])
def test_each_exclusion_switched_off_excludes_nobody(facts):
    assert judge("LDTT", person(ratings={Y: "HTTNV"}, **facts), exclusions=Exclusions()).status == ELIGIBLE


def test_an_exclusion_names_its_basis():
    result = judge("LDTT", person(ratings={Y: "HTTNV"}, absent_days=45),
                   exclusions=Exclusions(absent_days=40, basis={"absent": catalogue.UNION_GUIDANCE}))
    assert texts(result) == [f"Excluded: 45 working days absent, 40 or more ({catalogue.UNION_GUIDANCE})"]


def test_disciplined_in_overlaps_the_year_at_the_given_form():
    warning = [DisciplineFact("warning", date(Y - 1, 6, 1), date(Y, 1, 1))]
    assert rules.disciplined_in(warning, Y)
    assert rules.disciplined_in(warning, Y, form="warning")
    assert not rules.disciplined_in(warning, Y, form="demotion")
    assert not rules.disciplined_in(warning, Y + 1)


# --- individuals: Bằng khen "any" / "all" ----------------------------------------------------------------


def test_bang_khen_through_two_consecutive_cstdcs():
    result = judge("BK_TINH_CN", person(awards={"CSTDCS": {Y - 1}}), now=("CSTDCS",))
    assert result.status == ELIGIBLE and result.initiative_ids == ()


def test_bang_khen_through_two_htxsnv_years_and_two_initiatives_uses_them():
    facts = person(ratings={Y - 1: "HTXSNV", Y: "HTXSNV"},
                   initiatives=[initiative(3, "unit", Y - 1), initiative(4, "org", Y), initiative(5, "unit", Y - 2)])
    result = judge("BK_TINH_CN", facts)
    assert result.status == ELIGIBLE
    assert result.initiative_ids == (3, 4)


def test_bang_khen_prefers_the_first_option_met_and_keeps_initiatives():
    facts = person(ratings={Y - 1: "HTXSNV", Y: "HTXSNV"}, awards={"CSTDCS": {Y - 1, Y}},
                   initiatives=[initiative(3, "unit", Y - 1), initiative(4, "unit", Y)])
    result = judge("BK_TINH_CN", facts)
    assert result.status == ELIGIBLE and result.initiative_ids == ()


def test_bang_khen_all_needs_every_inner_criterion():
    one_year = person(ratings={Y: "HTXSNV"}, initiatives=[initiative(3, "unit", Y - 1), initiative(4, "unit", Y)])
    assert judge("BK_TINH_CN", one_year).status == MISSING
    one_initiative = person(ratings={Y - 1: "HTXSNV", Y: "HTXSNV"}, initiatives=[initiative(4, "unit", Y)])
    assert judge("BK_TINH_CN", one_initiative).status == MISSING


def test_bang_khen_any_lists_every_option_failed():
    facts = person(ratings={Y - 1: "HTXSNV", Y: "HTXSNV"}, initiatives=[initiative(4, "unit", Y)])
    basis = catalogue.BN86 + ", Điều 3"
    assert texts(judge("BK_TINH_CN", facts)) == [
        f"BK tỉnh needs one of: BK tỉnh needs CSTĐCS in 2 consecutive years up to 2025: 0 in a row ({basis}); "
        f"or BK tỉnh needs 2 unused initiative(s) recognised at unit level or wider in 2024–2025: 1 found ({basis})"]


def test_consecutive_rating_counts_back_from_this_year():
    crit = {"kind": "consecutive_rating", "level": "HTTNV", "years": 3}
    good = person(ratings={Y - 2: "HTXSNV", Y - 1: "HTTNV", Y: "HTTNV"})
    assert rules.judge_person([crit], good, ctx("LDTT"), Exclusions()).status == ELIGIBLE
    gap = person(ratings={Y - 2: "HTXSNV", Y - 1: "HTNV", Y: "HTTNV"})
    result = rules.judge_person([crit], gap, ctx("LDTT"), Exclusions())
    assert texts(result) == ["LĐTT needs HTTNV or better in 3 consecutive years up to 2025: 1 in a row"]


# --- collectives ---------------------------------------------------------------------------------------


def ttldtt(**kw) -> UnitFacts:
    values = {"rating": "HTTNV", "members": 10, "member_titles": {"LDTT": 7}, **kw}
    return UnitFacts(unit_id=5, **values)


def test_ttldtt_eligible_with_exactly_seventy_percent_lao_dong_tien_tien():
    assert judge_unit("TTLDTT", ttldtt()).status == ELIGIBLE
    assert judge_unit("TTLDTT", ttldtt(members=100, member_titles={"LDTT": 70})).status == ELIGIBLE


def test_ttldtt_refused_at_sixty_nine_percent():
    result = judge_unit("TTLDTT", ttldtt(members=100, member_titles={"LDTT": 69}))
    assert result.status == MISSING
    assert texts(result) == [
        f"TTLĐTT needs at least 70% of members with LĐTT: 69 of 100 (69%) ({catalogue.BN86}, Điều 5)"]


@pytest.mark.parametrize(("rating", "status"), [("HTXSNV", ELIGIBLE), ("HTTNV", ELIGIBLE), ("HTNV", MISSING),
                                                 (None, MISSING)])
def test_ttldtt_needs_a_unit_rating_of_httnv_or_better(rating, status):
    assert judge_unit("TTLDTT", ttldtt(rating=rating)).status == status


def test_ttldtt_unrated_unit_reason_says_not_rated():
    assert texts(judge_unit("TTLDTT", ttldtt(rating=None))) == [
        "TTLĐTT needs a collective rating of HTTNV or better in 2025: not rated yet (Luật TĐKT 2022, Điều 28)"]


@pytest.mark.parametrize(("disciplined", "status"), [
    ({"reprimand": 3}, ELIGIBLE), ({"warning": 1}, MISSING), ({"dismissal": 1}, MISSING), ({}, ELIGIBLE)])
def test_ttldtt_blocked_by_a_member_disciplined_at_warning_or_heavier(disciplined, status):
    result = judge_unit("TTLDTT", ttldtt(disciplined=disciplined))
    assert result.status == status
    if status == MISSING:
        assert "needs no member disciplined at Warning or heavier in 2025" in en(result.reasons[0])


def ttldxs(**kw) -> UnitFacts:
    values = {"rating": "HTXSNV", "members": 10, "member_levels": {"HTXSNV": 2, "HTTNV": 6, "HTNV": 2},
              "member_titles": {"LDTT": 7, "CSTDCS": 1}, **kw}
    return UnitFacts(unit_id=5, **values)


def test_ttldxs_eligible_when_every_criterion_is_met():
    assert judge_unit("TTLDXS", ttldxs()).status == ELIGIBLE


def test_ttldxs_needs_every_rated_member_to_complete_tasks():
    result = judge_unit("TTLDXS", ttldxs(member_levels={"HTXSNV": 2, "HTTNV": 6, "HTNV": 1, "KHTNV": 1}))
    assert result.status == MISSING
    assert texts(result) == [
        f"TTLĐXS needs at least 100% of members with HTNV: 9 of 10 (90%) ({catalogue.BN86}, Điều 5)"]


def test_ttldxs_needs_seventy_percent_lao_dong_tien_tien():
    assert judge_unit("TTLDXS", ttldxs(member_titles={"LDTT": 6, "CSTDCS": 1})).status == MISSING


def test_ttldxs_needs_at_least_one_cstdcs():
    result = judge_unit("TTLDXS", ttldxs(member_titles={"LDTT": 7}))
    assert texts(result) == [f"TTLĐXS needs at least 1 member(s) with CSTĐCS: 0 ({catalogue.BN86}, Điều 5)"]


def test_ttldxs_needs_an_excellent_unit_rating():
    assert judge_unit("TTLDXS", ttldxs(rating="HTTNV")).status == MISSING


def test_a_unit_with_no_rated_members_fails_the_share_criteria():
    result = judge_unit("TTLDXS", ttldxs(members=0, member_levels={}, member_titles={}))
    assert result.status == MISSING
    shares = [t for t in texts(result) if "% of members" in t]
    assert len(shares) == 2 and all("0 of 0 (0%)" in t for t in shares)


def test_unit_title_this_year_held_or_eligible_now():
    facts = UnitFacts(unit_id=5, rating="HTXSNV")
    assert judge_unit("CO_TINH", facts).status == MISSING
    assert judge_unit("CO_TINH", facts, now=("TTLDXS",)).status == ELIGIBLE
    assert judge_unit("CO_TINH", UnitFacts(unit_id=5, awards={"TTLDXS": {Y}})).status == ELIGIBLE
    assert texts(judge_unit("CO_TINH", facts)) == ["Cờ thi đua tỉnh needs TTLĐXS in 2025: not met "
                                                   "(Luật TĐKT 2022, Điều 26)"]


# --- criteria as data --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", catalogue.SEEDS, ids=lambda s: s.code)
def test_every_seeded_criterion_passes_the_check(seed):
    assert rules.check_criteria(list(seed.criteria), subject=seed.subject, titles=TITLES) == seed.criteria
    assert rules.check_criteria(json.dumps(list(seed.criteria)), subject=seed.subject, titles=TITLES) == seed.criteria


def test_empty_criteria_text_is_an_empty_list():
    assert rules.check_criteria("", subject=rules.INDIVIDUAL, titles=TITLES) == ()


@pytest.mark.parametrize(("criteria", "subject", "message"), [
    ('[{"kind": ', rules.INDIVIDUAL, "not valid JSON"),
    ('{"kind": "min_rating", "level": "HTTNV"}', rules.INDIVIDUAL, "must be a list"),
    ([{"kind": "magic"}], rules.INDIVIDUAL, "Unknown criterion: magic"),
    (["min_rating"], rules.INDIVIDUAL, "Unknown criterion: min_rating"),
    ([{"kind": "unit_rating", "level": "HTTNV"}], rules.INDIVIDUAL, "Unknown criterion: unit_rating"),
    ([{"kind": "min_rating", "level": "HTTNV"}], rules.COLLECTIVE, "Unknown criterion: min_rating"),
    ([{"kind": "min_rating", "level": "GREAT"}], rules.INDIVIDUAL, "level must be one of"),
    ([{"kind": "min_rating", "level": "NONE"}], rules.INDIVIDUAL, "level must be one of"),
    ([{"kind": "min_rating"}], rules.INDIVIDUAL, "level must be one of"),
    ([{"kind": "consecutive_title", "title": "CSTDCS", "years": 0}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "consecutive_title", "title": "CSTDCS", "years": 11}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "consecutive_title", "title": "CSTDCS", "years": "3"}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "consecutive_title", "title": "CSTDCS", "years": True}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "consecutive_title", "title": "CSTDCS"}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "consecutive_rating", "level": "HTTNV", "years": 12}], rules.INDIVIDUAL, "years must be"),
    ([{"kind": "title_this_year", "title": "NOPE"}], rules.INDIVIDUAL, "NOPE is not a title"),
    ([{"kind": "title_this_year", "title": "TTLDXS"}], rules.INDIVIDUAL, "TTLDXS is not a title"),
    ([{"kind": "title_this_year", "title": "LDTT"}], rules.COLLECTIVE, "LDTT is not a title"),
    ([{"kind": "member_title_share", "title": "TTLDTT", "pct": 70}], rules.COLLECTIVE, "TTLDTT is not a title"),
    ([{"kind": "initiative", "scope": "galaxy"}], rules.INDIVIDUAL, "scope must be one of"),
    ([{"kind": "initiative", "scope": "unit", "count": 0}], rules.INDIVIDUAL, "count must be"),
    ([{"kind": "initiative", "scope": "unit", "or_rating": "NONE"}], rules.INDIVIDUAL, "or_rating must be"),
    ([{"kind": "member_title_share", "title": "LDTT", "pct": 0}], rules.COLLECTIVE, "pct must be"),
    ([{"kind": "member_rating_share", "level": "HTNV", "pct": 101}], rules.COLLECTIVE, "pct must be"),
    ([{"kind": "member_title_count", "title": "CSTDCS", "min": 0}], rules.COLLECTIVE, "min must be"),
    ([{"kind": "no_member_discipline", "form": "scolding"}], rules.COLLECTIVE, "form must be one of"),
    ([{"kind": "any", "of": []}], rules.INDIVIDUAL, "non-empty list"),
    ([{"kind": "all"}], rules.INDIVIDUAL, "non-empty list"),
    ([{"kind": "any", "of": [{"kind": "min_rating", "level": "BAD"}]}], rules.INDIVIDUAL, "level must be one of"),
])
def test_check_criteria_refuses_bad_criteria(criteria, subject, message):
    with pytest.raises(Invalid, match=message) as err:
        rules.check_criteria(criteria, subject=subject, titles=TITLES)
    assert "criteria" in err.value.raw_fields


def test_evaluation_order_puts_referenced_titles_first():
    order = rules.evaluation_order({s.code: s.criteria for s in catalogue.SEEDS})
    assert sorted(order) == sorted(SEED)
    assert order.index("LDTT") < order.index("CSTDCS") < order.index("CSTD_TINH") < order.index("CSTD_TQ")
    assert order.index("CSTDCS") < order.index("BK_TINH_CN")
    assert order.index("LDTT") < order.index("TTLDXS") and order.index("CSTDCS") < order.index("TTLDXS")
    assert order.index("TTLDXS") < order.index("CO_TINH") < order.index("CO_CP")


def test_evaluation_order_sees_references_inside_any_and_all():
    order = rules.evaluation_order({
        "A": [{"kind": "any", "of": [{"kind": "all", "of": [{"kind": "title_this_year", "title": "B"}]}]}],
        "B": []})
    assert order == ["B", "A"]


@pytest.mark.parametrize("criteria", [
    {"A": [{"kind": "title_this_year", "title": "B"}], "B": [{"kind": "title_this_year", "title": "A"}]},
    {"A": [{"kind": "consecutive_title", "title": "A", "years": 2}]},
    {"A": [{"kind": "title_this_year", "title": "B"}], "B": [{"kind": "title_this_year", "title": "C"}],
     "C": [{"kind": "any", "of": [{"kind": "title_this_year", "title": "A"}]}]},
])
def test_evaluation_order_refuses_a_circle(criteria):
    with pytest.raises(Invalid, match="in a circle"):
        rules.evaluation_order(criteria)


# --- quota, caps, coefficients ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "pct", "expected"), [
    ("none", 15, None), ("eligible", 0, None), ("eligible", 15, 6), ("headcount", 15, 15), ("headcount", 10, 10)])
def test_quota_allows(kind, pct, expected):
    assert rules.quota_allows(kind, pct, eligible=41, headcount=100) == expected


def test_excellent_share_and_cap():
    assert rules.excellent_share(2, 10) == 20
    assert rules.excellent_share(3, 14) == 21
    assert rules.excellent_share(1, 0) is None
    assert rules.excellent_allowed(10, 20) == 2
    assert rules.excellent_allowed(41, 20) == 8
    assert rules.excellent_allowed(4, 20) == 0
    assert rules.excellent_allowed(41, 25) == 10


@pytest.mark.parametrize(("pct", "text"), [
    (30, "0.3"), (150, "1.5"), (1200, "12"), (125, "1.25"), (100, "1"), (105, "1.05"), (5, "0.05"), (0, "0")])
def test_coefficient_text(pct, text):
    assert rules.coefficient_text(pct) == text


def test_rating_helpers_order_levels_scopes_and_forms():
    assert rules.at_least("HTXSNV", "HTTNV") and rules.at_least("HTTNV", "HTTNV")
    assert not rules.at_least("HTNV", "HTTNV") and not rules.at_least("NONE", "KHTNV")
    assert not rules.at_least(None, "KHTNV")
    assert rules.scope_at_least("national", "province") and not rules.scope_at_least("org", "province")
    assert rules.discipline_at_least("warning", "warning") and not rules.discipline_at_least("reprimand", "warning")


# --- input checks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [*rules.LEVELS])
def test_check_rating_accepts_every_level(level):
    rules.check_rating(level, reason="", months_worked=12, absent_days=0)


def test_check_rating_not_rated_needs_a_reason():
    for reason in ("", "   "):
        with pytest.raises(Invalid) as err:
            rules.check_rating("NONE", reason=reason, months_worked=None, absent_days=None)
        assert "reason" in err.value.raw_fields
    rules.check_rating("NONE", reason="Fewer than 6 months worked", months_worked=4, absent_days=None)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"level": "GREAT"}, "level"),
    ({"months_worked": -1}, "months_worked"),
    ({"months_worked": 13}, "months_worked"),
    ({"absent_days": -1}, "absent_days"),
    ({"absent_days": 367}, "absent_days"),
])
def test_check_rating_refuses_out_of_range_values(kwargs, field):
    values = {"level": "HTTNV", "reason": "", "months_worked": 6, "absent_days": 10, **kwargs}
    with pytest.raises(Invalid) as err:
        rules.check_rating(**values)
    assert field in err.value.raw_fields


def test_check_rating_accepts_the_range_edges():
    rules.check_rating("HTTNV", reason="", months_worked=0, absent_days=366)
    rules.check_rating("HTTNV", reason="", months_worked=12, absent_days=0)


def test_check_year_from_2000_to_next_year():
    today = date(2025, 5, 1)
    assert rules.check_year(2000, today=today) == 2000
    assert rules.check_year(2026, today=today) == 2026
    for bad in (1999, 2027, True, "2025", None):
        with pytest.raises(Invalid, match="from 2000 to 2026"):
            rules.check_year(bad, today=today)


def test_check_period():
    d = date(2025, 3, 1)
    rules.check_period(d, d)
    rules.check_period(d, None, open_end=True)
    with pytest.raises(Invalid) as err:
        rules.check_period(None, d)
    assert "starts_on" in err.value.raw_fields
    with pytest.raises(Invalid) as err:
        rules.check_period(d, None)
    assert "ends_on" in err.value.raw_fields
    with pytest.raises(Invalid, match="before the start"):
        rules.check_period(d, date(2025, 2, 28), open_end=True)
