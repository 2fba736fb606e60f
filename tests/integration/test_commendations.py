"""Commendations, part 1 (issue 14): the services and the eligibility engine, through the real
code, on SQLite and PostgreSQL.

Every test starts from ``w``: the small org (ROOT with A, A1 under A, and B), the national
catalogue seeded, an emulation officer, the unit head of A, two staff with logins (one in A,
one in A1), B's unit head and a person of B without a login. ``now`` is Monday 2 March 2026.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from engagement.commendations import catalogue, models, queries, service
from engagement.core.access import Actor, Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.org.models import Person, Unit
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

YEAR = 2026
TODAY = date(2026, 3, 2)  # the `now` fixture, in Hanoi
LDTT_CRITERIA = [dict(c) for c in next(s for s in catalogue.SEEDS if s.code == "LDTT").criteria]


@dataclass
class World:
    org: f.SmallOrg
    titles: dict[str, int]  # title id by code
    officer: Actor  # emulation officer, root unit
    head_a: Actor  # unit head of A (so also of A1)
    head_b: Actor  # unit head of B
    staff: Actor  # nv.a, unit A
    colleague: Actor  # nv.a1, unit A1
    outsider: int  # a person of B, no login


@pytest.fixture
def w(session, now) -> World:
    org = f.small_org(session, now)
    titles = f.commendation_catalogue(session, now=now)
    return World(
        org=org, titles=titles, officer=f.officer(session, org=org, now=now),
        head_a=f.user(session, org.admin, now, unit_id=org.a, username="head.a", name="Vũ Thanh Sơn",
                      role=Role.UNIT_HEAD, role_unit_id=org.a),
        head_b=f.user(session, org.admin, now, unit_id=org.b, username="head.b", name="Hồ Thị Lan",
                      role=Role.UNIT_HEAD, role_unit_id=org.b),
        staff=f.user(session, org.admin, now, unit_id=org.a, username="nv.a", name="Nguyễn Thị Mai"),
        colleague=f.user(session, org.admin, now, unit_id=org.a1, username="nv.a1", name="Lê Văn Hùng"),
        outsider=f.person(session, org.admin, now, unit_id=org.b, name="Phạm Thu Hà"),
    )


def audits(session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def code_of(session, person_id: int) -> str:
    return session.get(Person, person_id).employee_code


def person_award(session, person_id: int, code: str, year: int) -> models.Award:
    title_id = session.exec(select(models.Title.id).where(models.Title.code == code)).one()
    return session.exec(select(models.Award).where(models.Award.person_id == person_id, models.Award.year == year,
                                                   models.Award.title_id == title_id)).one()


def rule_rows(session, title_id: int) -> list[models.TitleRule]:
    return list(session.exec(select(models.TitleRule).where(models.TitleRule.title_id == title_id)
                             .order_by(models.TitleRule.valid_from)))


def set_rule(session, w: World, code: str, *, valid_from: date, now, criteria=None, coefficient_pct: int = 30,
             quota_kind: str = "none", quota_pct: int = 0, actor: Actor | None = None) -> int:
    return service.set_rule(
        session, actor=actor or w.officer, title_id=w.titles[code], valid_from=valid_from, decider="org_head",
        coefficient_pct=coefficient_pct, ballot_required=False, threshold_pct=0, quota_kind=quota_kind,
        quota_pct=quota_pct, criteria=LDTT_CRITERIA if criteria is None else criteria,
        basis_document="QĐ 7/2026/QĐ-UBND", now=now)


def candidate(session, w: World, now, *, unit_id: int | None = None, level: str | None = "HTTNV",
              register: bool = True, name: str = "Nguyễn Văn An") -> int:
    """A person of ``unit_id`` (default A) rated ``level`` for 2026 and registered for LĐTT by the officer."""
    pid = f.person(session, w.org.admin, now, unit_id=unit_id or w.org.a, name=name)
    if level:
        f.rating(session, actor=w.officer, person_id=pid, level=level, now=now)
    if register:
        f.emulation_registration(session, actor=w.officer, person_id=pid, title_id=w.titles["LDTT"], now=now)
    return pid


def eligibility(session, w: World, code: str, now, *, actor: Actor | None = None, unit_id: int | None = None,
                year: int = YEAR):
    return service.eligibility(session, actor=actor or w.officer, year=year, title_id=w.titles[code],
                               unit_id=unit_id or w.org.root, page_size=0, now=now)


def judged(view, subject_id: int) -> tuple[str, str]:
    """(status, every reason joined) of one subject of an eligibility list."""
    row = next(r for r in view.rows if r.subject_id == subject_id)
    return row.status, " | ".join(row.reasons)


# --- the catalogue -----------------------------------------------------------------------------


def test_seeding_the_catalogue_twice_adds_the_national_set_once(session, now):
    tables = (models.Title, models.TitleRule, models.BaseSalary, models.Exclusion)
    assert service.ensure_catalogue(session, now=now) == 14
    first = f.counts(session, *tables)
    assert first == {"Title": 14, "TitleRule": 28, "BaseSalary": 3, "Exclusion": 4}
    assert service.ensure_catalogue(session, now=now) == 0
    assert f.counts(session, *tables) == first

    ids = f.title_ids(session)
    assert {"LDTT", "CSTDCS", "CSTD_TINH", "CSTD_TQ", "TTLDTT", "TTLDXS", "CO_TINH", "CO_CP",
            "BK_TTG_CN"} <= set(ids)
    for code, title_id in ids.items():
        v98, v152 = rule_rows(session, title_id)
        assert (v98.valid_from, v98.valid_to, v152.valid_from, v152.valid_to) == (
            date(2024, 1, 1), date(2025, 6, 30), date(2025, 7, 1), None), code
        assert "98/2023" in v98.basis_document and "152/2025" in v152.basis_document
    # Decree 152 raised the individual provincial Bằng khen from 1.0 to 1.5 x the base salary.
    assert [r.coefficient_pct for r in rule_rows(session, ids["BK_TINH_CN"])] == [100, 150]
    cstdcs = rule_rows(session, ids["CSTDCS"])[-1]
    assert (cstdcs.ballot_required, cstdcs.threshold_pct) == (True, 80)
    assert rule_rows(session, ids["CSTD_TINH"])[-1].threshold_pct == 90
    salaries = session.exec(select(models.BaseSalary.valid_from, models.BaseSalary.amount)
                            .order_by(models.BaseSalary.valid_from)).all()
    assert [tuple(s) for s in salaries] == [(date(2019, 7, 1), 1_490_000), (date(2023, 7, 1), 1_800_000),
                                            (date(2024, 7, 1), 2_340_000)]
    exclusions = {e.code: (e.is_enabled, e.value) for e in session.exec(select(models.Exclusion))}
    assert exclusions == {"recent_recruit": (True, 10), "absent": (True, 40), "not_registered": (True, 0),
                          "disciplined": (True, 0)}


def _add_title(session, actor, now, **kw):
    args = {"code": "GK_CD", "abbreviation": "GK CĐ", "name": "Giấy khen của Công đoàn", "subject": "individual",
            "kind": "form", "decider": "org_head", "coefficient_pct": 20,
            "criteria": [{"kind": "min_rating", "level": "HTTNV"}], "basis_document": "Quy chế TĐKT 2026",
            "valid_from": date(2026, 1, 1), **kw}
    return service.add_title(session, actor=actor, now=now, **args)


def test_officer_adds_a_local_title_with_its_first_rule(session, now, w):
    title_id = _add_title(session, w.officer, now)
    title = session.get(models.Title, title_id)
    assert (title.code, title.is_local, title.subject, title.kind) == ("GK_CD", True, "individual", "form")
    (rule,) = rule_rows(session, title_id)
    assert (rule.valid_from, rule.valid_to, rule.coefficient_pct) == (date(2026, 1, 1), None, 20)
    assert json.loads(rule.criteria) == [{"kind": "min_rating", "level": "HTTNV"}]
    assert [e.entity_id for e in audits(session, "commendations.title.add")] == [str(title_id)]
    shown = next(t for t in queries.catalogue_view(session, actor=w.officer, now=now).titles if t.code == "GK_CD")
    assert shown.current is not None and shown.current.coefficient == "0.2"


def test_a_code_already_in_the_catalogue_is_refused(session, now, w):
    _add_title(session, w.officer, now)
    with pytest.raises(Conflict, match="already in the catalogue"):
        _add_title(session, w.officer, now, code="gk_cd")
    with pytest.raises(Conflict):
        _add_title(session, w.officer, now, code="LDTT")
    assert f.count(session, models.Title) == 15


@pytest.mark.parametrize("criteria", [
    [{"kind": "be_nice"}],
    [{"kind": "min_rating", "level": "GOOD"}],
    [{"kind": "title_this_year", "title": "NO_SUCH_TITLE"}],
    [{"kind": "unit_rating", "level": "HTTNV"}],  # a collective criterion on an individual title
    "not json",
])
def test_a_local_title_with_bad_criteria_is_refused(session, now, w, criteria):
    before = f.counts(session, models.Title, models.TitleRule, AuditEntry)
    with pytest.raises(Invalid) as refused:
        _add_title(session, w.officer, now, criteria=criteria)
    assert "criteria" in refused.value.fields
    assert f.counts(session, models.Title, models.TitleRule, AuditEntry) == before


@pytest.mark.parametrize("who", ["staff", "head_a"])
def test_only_officers_add_titles_and_a_refusal_writes_nothing(session, now, w, who):
    before = f.counts(session, models.Title, models.TitleRule, AuditEntry)
    with pytest.raises(NotAllowed):
        _add_title(session, getattr(w, who), now)
    assert f.counts(session, models.Title, models.TitleRule, AuditEntry) == before


def test_a_new_rule_version_ends_the_previous_one_the_day_before(session, now, w):
    title_id = w.titles["LDTT"]
    new_id = set_rule(session, w, "LDTT", valid_from=date(2026, 1, 1), coefficient_pct=50, now=now)
    v98, v152, v2026 = rule_rows(session, title_id)
    assert v2026.id == new_id
    assert (v152.valid_from, v152.valid_to) == (date(2025, 7, 1), date(2025, 12, 31))
    assert (v2026.valid_from, v2026.valid_to, v2026.coefficient_pct) == (date(2026, 1, 1), None, 50)
    assert v98.valid_to == date(2025, 6, 30)  # the older one is untouched
    (entry,) = audits(session, "commendations.rule.set")
    assert json.loads(entry.detail)["valid_from"] == "2026-01-01"
    current = next(t for t in queries.catalogue_view(session, actor=w.officer, now=now).titles
                   if t.code == "LDTT").current
    assert current.coefficient == "0.5" and current.bonus_now == "1,170,000"


@pytest.mark.parametrize("valid_from", [date(2025, 7, 1), date(2025, 1, 1)])
def test_a_rule_version_must_start_after_the_latest_one(session, now, w, valid_from):
    before = [(r.valid_from, r.valid_to) for r in rule_rows(session, w.titles["LDTT"])]
    with pytest.raises(Invalid, match="must start after 01/07/2025"):
        set_rule(session, w, "LDTT", valid_from=valid_from, now=now)
    assert [(r.valid_from, r.valid_to) for r in rule_rows(session, w.titles["LDTT"])] == before


def test_criteria_that_refer_to_each_other_in_a_circle_are_refused_and_nothing_is_written(session, now, w):
    # CSTĐCS already needs LĐTT; LĐTT needing CSTĐCS would close the circle.
    before = f.counts(session, models.TitleRule, AuditEntry)
    with pytest.raises(Invalid, match="circle"):
        set_rule(session, w, "LDTT", valid_from=date(2026, 1, 1), now=now,
                 criteria=[{"kind": "title_this_year", "title": "CSTDCS"}])
    assert f.counts(session, models.TitleRule, AuditEntry) == before
    session.expire_all()
    assert rule_rows(session, w.titles["LDTT"])[-1].valid_to is None


def test_only_officers_set_rules(session, now, w):
    before = f.counts(session, models.TitleRule)
    with pytest.raises(NotAllowed):
        set_rule(session, w, "LDTT", valid_from=date(2026, 1, 1), now=now, actor=w.head_a)
    assert f.counts(session, models.TitleRule) == before


def test_past_years_keep_the_coefficient_that_applied_then(session, now, w):
    set_rule(session, w, "LDTT", valid_from=date(2026, 1, 1), coefficient_pct=50, now=now)
    people = [candidate(session, w, now, level=None, register=False) for _ in range(3)]
    for pid, year, decided_on in ((people[0], 2024, date(2024, 12, 20)), (people[1], 2025, date(2026, 1, 15)),
                                  (people[2], 2026, date(2026, 3, 1))):
        f.commendation_award(session, actor=w.officer, title_id=w.titles["LDTT"], year=year, person_id=pid,
                             decided_on=decided_on, now=now)
    assert person_award(session, people[0], "LDTT", 2024).bonus_amount == 710_000  # 0.3 x 2,340,000 rounded up
    assert person_award(session, people[1], "LDTT", 2025).bonus_amount == 710_000  # 2025 keeps 0.3
    assert person_award(session, people[2], "LDTT", 2026).bonus_amount == 1_170_000  # 0.5 from 2026


def test_the_seeded_decree_change_raises_the_provincial_certificate_of_merit(session, now, w):
    pid = candidate(session, w, now, level=None, register=False)
    bk = w.titles["BK_TINH_CN"]
    f.commendation_award(session, actor=w.officer, title_id=bk, year=2024, person_id=pid,
                         decided_on=date(2024, 12, 20), now=now)
    f.commendation_award(session, actor=w.officer, title_id=bk, year=2025, person_id=pid,
                         decided_on=date(2026, 1, 15), now=now)
    assert person_award(session, pid, "BK_TINH_CN", 2024).bonus_amount == 2_340_000  # 1.0 under Decree 98
    assert person_award(session, pid, "BK_TINH_CN", 2025).bonus_amount == 3_510_000  # 1.5 under Decree 152


def test_base_salary_rows_are_one_a_day(session, now, w):
    service.add_base_salary(session, actor=w.officer, valid_from=date(2026, 7, 1), amount=2_530_000,
                            basis_document="Nghị định mới về lương cơ sở", now=now)
    assert queries.base_salaries(session)[-1] == (date(2026, 7, 1), 2_530_000)
    with pytest.raises(Conflict, match="already starts on 01/07/2024"):
        service.add_base_salary(session, actor=w.officer, valid_from=date(2024, 7, 1), amount=2_400_000,
                                basis_document="Nghị định khác", now=now)
    with pytest.raises(Invalid):
        service.add_base_salary(session, actor=w.officer, valid_from=date(2027, 1, 1), amount=99,
                                basis_document="x", now=now)
    with pytest.raises(NotAllowed):
        service.add_base_salary(session, actor=w.head_a, valid_from=date(2027, 1, 1), amount=2_600_000,
                                basis_document="x", now=now)
    assert f.count(session, models.BaseSalary) == 4
    assert len(audits(session, "commendations.base_salary.add")) == 1


def test_officer_sets_the_registration_window_and_cap_of_a_year(session, now, w):
    f.registration_window(session, actor=w.officer, now=now, cap_pct=25)
    settings = queries.year_settings(session, year=YEAR, now=now)
    assert (settings.opens_on, settings.closes_on, settings.cap_pct, settings.window_open) == (
        "01/02/2026", "31/03/2026", 25, True)
    assert queries.year_settings(session, year=2027, now=now).window_open is False
    with pytest.raises(Invalid, match="both the opening and the closing"):
        service.set_year(session, actor=w.officer, year=YEAR, opens_on=date(2026, 2, 1), closes_on=None,
                         excellent_cap_pct=20, now=now)
    with pytest.raises(Invalid, match="before the start"):
        service.set_year(session, actor=w.officer, year=YEAR, opens_on=date(2026, 2, 1),
                         closes_on=date(2026, 1, 31), excellent_cap_pct=20, now=now)
    with pytest.raises(Invalid, match="cap"):
        service.set_year(session, actor=w.officer, year=YEAR, opens_on=None, closes_on=None, excellent_cap_pct=0,
                         now=now)
    with pytest.raises(NotAllowed):
        f.registration_window(session, actor=w.head_a, now=now)
    assert queries.year_settings(session, year=YEAR, now=now).cap_pct == 25


def test_officer_switches_an_exclusion_off_and_the_log_keeps_the_old_setting(session, now, w):
    service.set_exclusion(session, actor=w.officer, code="absent", enabled=False, value=30, basis_document="",
                          now=now)
    row = session.get(models.Exclusion, "absent")
    assert (row.is_enabled, row.value) == (False, 30)
    (entry,) = audits(session, "commendations.exclusion.set")
    detail = json.loads(entry.detail)
    assert detail["old"] == {"enabled": True, "value": 40} and detail["new"] == {"enabled": False, "value": 30}
    assert queries.exclusions(session).absent_days is None
    with pytest.raises(Invalid, match="Name the document"):
        service.set_exclusion(session, actor=w.officer, code="absent", enabled=True, value=30, basis_document=" ",
                              now=now)
    with pytest.raises(Invalid, match="out of range"):
        service.set_exclusion(session, actor=w.officer, code="recent_recruit", enabled=True, value=13,
                              basis_document="Quy chế", now=now)
    with pytest.raises(NotFound):
        service.set_exclusion(session, actor=w.officer, code="too_tall", enabled=True, value=1,
                              basis_document="Quy chế", now=now)
    with pytest.raises(NotAllowed):
        service.set_exclusion(session, actor=w.head_a, code="absent", enabled=True, value=40,
                              basis_document="Quy chế", now=now)


# --- ratings -----------------------------------------------------------------------------------


def test_unit_head_rates_a_person_of_their_unit_and_the_log_keeps_the_old_value(session, now, w):
    pid = w.colleague.person_id  # A1, under A
    assert f.rating(session, actor=w.head_a, person_id=pid, level="HTTNV", now=now) == "created"
    assert f.rating(session, actor=w.head_a, person_id=pid, level="HTXSNV", now=now) == "changed"
    assert f.rating(session, actor=w.head_a, person_id=pid, level="HTXSNV", now=now) == "same"
    (rating,) = session.exec(select(models.Rating).where(models.Rating.person_id == pid)).all()
    assert (rating.year, rating.level, rating.unit_id, rating.rated_by_account_id) == (
        YEAR, "HTXSNV", w.org.a1, w.head_a.account_id)
    created, changed = audits(session, "commendations.rating.set")  # "same" writes nothing
    assert json.loads(created.detail)["old"] is None
    assert json.loads(changed.detail)["old"]["level"] == "HTTNV"
    assert json.loads(changed.detail)["new"]["level"] == "HTXSNV"
    assert (changed.entity, changed.entity_id) == ("person", str(pid))


def test_a_rating_for_someone_outside_my_units_is_refused_and_nothing_is_written(session, now, w):
    before = f.counts(session, models.Rating, AuditEntry)
    with pytest.raises(NotAllowed, match="outside"):
        f.rating(session, actor=w.head_a, person_id=w.outsider, now=now)
    with pytest.raises(NotAllowed):
        f.rating(session, actor=w.staff, person_id=w.colleague.person_id, now=now)
    assert f.counts(session, models.Rating, AuditEntry) == before
    assert audits(session, "commendations.rating.set") == []


def test_not_rated_needs_a_reason(session, now, w):
    with pytest.raises(Invalid, match="Say why") as refused:
        f.rating(session, actor=w.head_a, person_id=w.staff.person_id, level="NONE", reason="  ", now=now)
    assert "reason" in refused.value.fields
    with pytest.raises(Invalid):
        f.rating(session, actor=w.head_a, person_id=w.staff.person_id, level="GOOD", now=now)
    with pytest.raises(Invalid, match="Months worked"):
        f.rating(session, actor=w.head_a, person_id=w.staff.person_id, months_worked=13, now=now)
    assert f.count(session, models.Rating) == 0
    assert f.rating(session, actor=w.head_a, person_id=w.staff.person_id, level="NONE",
                    reason="Dưới 6 tháng công tác", months_worked=4, now=now) == "created"


def test_unit_head_rates_their_units_collectively(session, now, w):
    service.rate_unit(session, actor=w.head_a, unit_id=w.org.a1, year=YEAR, level="HTTNV", now=now)
    service.rate_unit(session, actor=w.head_a, unit_id=w.org.a1, year=YEAR, level="HTXSNV", now=now)
    (row,) = session.exec(select(models.UnitRating)).all()
    assert (row.unit_id, row.level) == (w.org.a1, "HTXSNV")
    assert json.loads(audits(session, "commendations.unit_rating.set")[-1].detail)["old"]["level"] == "HTTNV"
    with pytest.raises(NotAllowed):
        service.rate_unit(session, actor=w.head_a, unit_id=w.org.b, year=YEAR, level="HTTNV", now=now)
    with pytest.raises(Invalid):
        service.rate_unit(session, actor=w.head_a, unit_id=w.org.a, year=YEAR, level="NONE", now=now)
    assert f.count(session, models.UnitRating) == 1


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_a_valid_ratings_file_writes_every_row(session, now, w, xlsx):
    data, name = f.table_file([
        ["employee_code", "full_name", "level", "reason", "months_worked", "absent_days"],
        [code_of(session, w.staff.person_id), "Nguyễn Thị Mai", "HTTNV", "", 12, 3],
        [code_of(session, w.colleague.person_id).lower(), "Lê Văn Hùng", "htxsnv", "", "", ""],
        [code_of(session, w.head_a.person_id), "Vũ Thanh Sơn", "NONE", "Nghỉ thai sản", 5, ""],
    ], xlsx=xlsx)
    report = service.import_ratings(session, actor=w.head_a, data=data, filename=name, year=YEAR, now=now)
    assert (report.written, report.total_rows, report.errors) == (3, 3, [])
    got = {r.person_id: (r.level, r.reason, r.months_worked, r.absent_days)
           for r in session.exec(select(models.Rating).where(models.Rating.year == YEAR))}
    assert got == {w.staff.person_id: ("HTTNV", "", 12, 3), w.colleague.person_id: ("HTXSNV", "", None, None),
                   w.head_a.person_id: ("NONE", "Nghỉ thai sản", 5, None)}
    assert len(audits(session, "commendations.rating.set")) == 3
    assert len(audits(session, "commendations.rating.import")) == 1


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_a_ratings_file_with_bad_rows_reports_every_error_and_writes_nothing(session, now, w, xlsx):
    staff, colleague, head = (code_of(session, p) for p in (w.staff.person_id, w.colleague.person_id,
                                                           w.head_a.person_id))
    another = code_of(session, f.person(session, w.org.admin, now, unit_id=w.org.a, name="Đỗ Văn Tư"))
    data, name = f.table_file([
        ["employee_code", "level", "reason", "months_worked"],
        [staff, "HTTNV", "", ""],  # line 2: valid
        ["NV-KHONG-CO", "HTTNV", "", ""],  # 3: unknown code
        [code_of(session, w.outsider), "HTTNV", "", ""],  # 4: outside my units
        [colleague, "GIOI", "", ""],  # 5: bad level
        [staff, "HTNV", "", ""],  # 6: the same person again
        [head, "HTTNV", "", 13],  # 7: months 13
        [another.lower(), "NONE", "", ""],  # 8: not rated without a reason
    ], xlsx=xlsx)
    before = f.counts(session, models.Rating, AuditEntry)
    report = service.import_ratings(session, actor=w.head_a, data=data, filename=name, year=YEAR, now=now)
    assert (report.written, report.total_rows) == (0, 7)
    assert [(line, column) for line, column, _m in report.errors] == [
        (3, "employee_code"), (4, "employee_code"), (5, "level"), (6, "employee_code"), (7, "months_worked"),
        (8, "reason")]
    messages = {line: message for line, _c, message in report.errors}
    assert "No active person has the code NV-KHONG-CO" in messages[3]
    assert "outside the units you rate" in messages[4]
    assert "Choose a rating" in messages[5]
    assert "already on line 2" in messages[6]
    assert "0 to 12" in messages[7]
    assert "Say why" in messages[8]
    assert f.counts(session, models.Rating, AuditEntry) == before


def test_a_ratings_file_without_the_required_columns_is_refused(session, now, w):
    data, name = f.table_file([["code", "level"], ["X", "HTTNV"]])
    with pytest.raises(Invalid, match="missing: employee_code"):
        service.import_ratings(session, actor=w.head_a, data=data, filename=name, year=YEAR, now=now)
    with pytest.raises(NotAllowed):
        service.import_ratings(session, actor=w.staff, data=data, filename=name, year=YEAR, now=now)


# --- registration ------------------------------------------------------------------------------


def test_registering_outside_the_window_is_refused_with_its_dates(session, now, w):
    ldtt = w.titles["LDTT"]
    with pytest.raises(Conflict, match="has not been opened yet"):
        service.register_self(session, actor=w.staff, year=YEAR, title_id=ldtt, now=now)
    f.registration_window(session, actor=w.officer, now=now, opens_on=date(2026, 3, 10),
                          closes_on=date(2026, 3, 31))
    with pytest.raises(Conflict, match="opens on 10/03/2026"):
        service.register_self(session, actor=w.staff, year=YEAR, title_id=ldtt, now=now)
    f.registration_window(session, actor=w.officer, now=now, opens_on=date(2026, 1, 5),
                          closes_on=date(2026, 2, 27))
    with pytest.raises(Conflict, match="closed on 27/02/2026"):
        service.register_self(session, actor=w.staff, year=YEAR, title_id=ldtt, now=now)
    with pytest.raises(Conflict, match="closed on 27/02/2026"):
        f.emulation_registration(session, actor=w.head_a, person_id=w.staff.person_id, title_id=ldtt, now=now)
    assert f.count(session, models.Registration) == 0
    # Officers record a late registration at any time.
    f.emulation_registration(session, actor=w.officer, person_id=w.staff.person_id, title_id=ldtt, now=now)
    assert f.count(session, models.Registration) == 1


def test_a_person_registers_once_in_the_window_and_their_head_confirms(session, now, w):
    f.registration_window(session, actor=w.officer, now=now)
    reg_id = service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["LDTT"], now=now)
    row = session.get(models.Registration, reg_id)
    assert (row.status, row.person_id, row.subject_key, row.registered_by_account_id) == (
        "registered", w.staff.person_id, f"p:{w.staff.person_id}", w.staff.account_id)
    with pytest.raises(Conflict, match="already registered"):
        service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["LDTT"], now=now)
    with pytest.raises(Invalid, match="for collectives"):
        service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["TTLDTT"], now=now)
    with pytest.raises(NotAllowed):
        service.confirm_registration(session, actor=w.head_b, registration_id=reg_id, now=now)
    with pytest.raises(NotAllowed):
        service.confirm_registration(session, actor=w.colleague, registration_id=reg_id, now=now)
    service.confirm_registration(session, actor=w.head_a, registration_id=reg_id, now=now)
    row = session.get(models.Registration, reg_id)
    assert (row.status, row.confirmed_by_account_id) == ("confirmed", w.head_a.account_id)
    with pytest.raises(Conflict, match="already confirmed"):
        service.confirm_registration(session, actor=w.head_a, registration_id=reg_id, now=now)
    shown = queries.registrations(session, actor=w.head_a, unit_id=w.org.a, year=YEAR)
    assert [(r.id, r.status) for r in shown] == [(reg_id, "confirmed")]
    assert queries.registrations(session, actor=w.head_b, unit_id=w.org.b, year=YEAR) == []


def test_unit_head_registers_their_people_confirmed_and_confirms_their_own_registrations(session, now, w):
    f.registration_window(session, actor=w.officer, now=now)
    direct = f.emulation_registration(session, actor=w.head_a, person_id=w.colleague.person_id,
                                      title_id=w.titles["LDTT"], now=now)
    assert session.get(models.Registration, direct).status == "confirmed"
    with pytest.raises(Conflict, match="already registered"):
        f.emulation_registration(session, actor=w.head_a, person_id=w.colleague.person_id,
                                 title_id=w.titles["LDTT"], now=now)
    own = service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["CSTDCS"], now=now)
    assert f.emulation_registration(session, actor=w.head_a, person_id=w.staff.person_id,
                                    title_id=w.titles["CSTDCS"], now=now) == own
    assert session.get(models.Registration, own).status == "confirmed"
    with pytest.raises(NotAllowed):
        f.emulation_registration(session, actor=w.head_a, person_id=w.outsider, title_id=w.titles["LDTT"], now=now)
    assert f.count(session, models.Registration) == 2


def test_a_person_withdraws_their_own_registration_only_while_the_window_is_open(session, now, w):
    f.registration_window(session, actor=w.officer, now=now)
    ldtt = service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["LDTT"], now=now)
    cstdcs = service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["CSTDCS"], now=now)
    with pytest.raises(NotAllowed):
        service.withdraw_registration(session, actor=w.colleague, registration_id=ldtt, now=now)
    service.withdraw_registration(session, actor=w.staff, registration_id=ldtt, now=now)
    assert session.get(models.Registration, ldtt).status == "withdrawn"
    with pytest.raises(Conflict, match="already withdrawn"):
        service.withdraw_registration(session, actor=w.staff, registration_id=ldtt, now=now)
    # Registering again brings the same row back.
    assert service.register_self(session, actor=w.staff, year=YEAR, title_id=w.titles["LDTT"], now=now) == ldtt
    assert session.get(models.Registration, ldtt).status == "registered"
    after_window = f.at(4, 2)
    with pytest.raises(Conflict, match="closed on 31/03/2026"):
        service.withdraw_registration(session, actor=w.staff, registration_id=cstdcs, now=after_window)
    service.withdraw_registration(session, actor=w.head_a, registration_id=cstdcs, now=after_window)
    assert session.get(models.Registration, cstdcs).status == "withdrawn"


def test_units_register_only_for_collective_titles(session, now, w):
    f.registration_window(session, actor=w.officer, now=now)
    with pytest.raises(Invalid, match="for individuals"):
        service.register_unit(session, actor=w.head_a, unit_id=w.org.a1, year=YEAR, title_id=w.titles["LDTT"],
                              now=now)
    reg_id = service.register_unit(session, actor=w.head_a, unit_id=w.org.a1, year=YEAR,
                                   title_id=w.titles["TTLDTT"], now=now)
    row = session.get(models.Registration, reg_id)
    assert (row.unit_id, row.person_id, row.subject_key, row.status) == (w.org.a1, None, f"u:{w.org.a1}",
                                                                         "confirmed")
    with pytest.raises(NotAllowed):
        service.register_unit(session, actor=w.head_a, unit_id=w.org.b, year=YEAR, title_id=w.titles["TTLDTT"],
                              now=now)


def test_a_covenant_needs_at_least_two_signatory_units(session, now, w):
    args = {"actor": w.head_a, "unit_id": w.org.a, "year": YEAR, "title": "Giao ước thi đua 2026",
            "signed_on": date(2026, 2, 10), "now": now}
    with pytest.raises(Invalid, match="at least two units"):
        service.record_covenant(session, **args)
    with pytest.raises(Invalid, match="at least two units"):
        service.record_covenant(session, **args, signatory_unit_ids=[w.org.a])
    with pytest.raises(Invalid, match="does not exist"):
        service.record_covenant(session, **args, signatory_unit_ids=[w.org.a1, 99_999])
    assert f.count(session, models.Covenant) == 0
    covenant = service.record_covenant(session, **args, signatory_unit_ids=[w.org.a1, w.org.b])
    signed = set(session.exec(select(models.CovenantSignatory.unit_id)
                              .where(models.CovenantSignatory.covenant_id == covenant)))
    assert signed == {w.org.a, w.org.a1, w.org.b}
    with pytest.raises(NotAllowed):
        service.record_covenant(session, **{**args, "unit_id": w.org.b}, signatory_unit_ids=[w.org.a])


# --- initiatives -------------------------------------------------------------------------------


def test_unit_head_records_an_initiative_with_its_authors(session, now, w):
    iid = f.initiative(session, actor=w.head_a, unit_id=w.org.a1, author_ids=[w.staff.person_id,
                                                                              w.colleague.person_id],
                       title="  Số hoá   hồ sơ một cửa ", scope="org", now=now)
    row = session.get(models.Initiative, iid)
    assert (row.title, row.title_key, row.scope, row.year) == ("Số hoá hồ sơ một cửa", "so hoa ho so mot cua",
                                                               "org", YEAR)
    authors = set(session.exec(select(models.InitiativeAuthor.person_id)
                               .where(models.InitiativeAuthor.initiative_id == iid)))
    assert authors == {w.staff.person_id, w.colleague.person_id}
    (shown,) = queries.initiatives(session, actor=w.head_a, year=YEAR)
    assert (shown.id, shown.authors, shown.used_for) == (iid, "Lê Văn Hùng, Nguyễn Thị Mai", "")
    assert queries.initiatives(session, actor=w.head_b, year=YEAR) == []
    with pytest.raises(NotAllowed):
        f.initiative(session, actor=w.head_a, unit_id=w.org.b, author_ids=[w.outsider], now=now)
    with pytest.raises(NotAllowed):
        f.initiative(session, actor=w.staff, unit_id=w.org.a, author_ids=[w.staff.person_id], now=now)


@pytest.mark.parametrize("again", ["SỐ HOÁ HỒ SƠ MỘT CỬA", "So hoa ho so mot cua", "Số hóa  hồ sơ   một cửa"])
def test_the_same_initiative_title_twice_in_a_year_is_refused(session, now, w, again):
    f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id],
                 title="Số hoá hồ sơ một cửa", now=now)
    with pytest.raises(Conflict, match="already registered for 2026"):
        f.initiative(session, actor=w.head_a, unit_id=w.org.a1, author_ids=[w.colleague.person_id], title=again,
                     now=now)
    assert f.count(session, models.Initiative) == 1
    # Another year may have an initiative of the same name.
    f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id], title=again,
                 year=2025, decided_on=date(2025, 11, 3), now=now)
    assert f.count(session, models.Initiative) == 2


def test_an_initiative_decided_in_the_future_or_without_authors_is_refused(session, now, w):
    with pytest.raises(Invalid, match="future"):
        f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id],
                     decided_on=date(2026, 3, 3), now=now)
    with pytest.raises(Invalid, match="at least one author"):
        f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[], now=now)
    with pytest.raises(Invalid, match="level"):
        f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id], scope="galaxy",
                     now=now)
    assert f.count(session, models.Initiative) == 0
    assert f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id],
                        decided_on=TODAY, now=now)


def test_an_initiative_serves_one_award_until_that_award_is_revoked(session, now, w):
    pid = w.staff.person_id
    iid = f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[pid], now=now)
    first = f.commendation_award(session, actor=w.officer, title_id=w.titles["CSTDCS"], year=YEAR, person_id=pid,
                                 decided_on=date(2026, 3, 1), initiative_ids=[iid], now=now)
    assert session.get(models.Initiative, iid).used_for_award_id == first
    assert queries.initiatives(session, actor=w.head_a, year=YEAR)[0].used_for == "CSTĐCS 2026"
    before = f.counts(session, models.Award)
    with pytest.raises(Conflict, match="serves one award only"):
        f.commendation_award(session, actor=w.officer, title_id=w.titles["GK_CN"], year=YEAR, person_id=pid,
                             decided_on=date(2026, 3, 1), initiative_ids=[iid], now=now)
    assert f.counts(session, models.Award) == before
    service.revoke_award(session, actor=w.officer, award_id=first, reason="Nhập nhầm quyết định", now=now)
    assert session.get(models.Initiative, iid).used_for_award_id is None
    with pytest.raises(Conflict, match="already revoked"):
        service.revoke_award(session, actor=w.officer, award_id=first, reason="Lần nữa", now=now)
    second = f.commendation_award(session, actor=w.officer, title_id=w.titles["GK_CN"], year=YEAR, person_id=pid,
                                  decided_on=date(2026, 3, 1), initiative_ids=[iid], now=now)
    assert session.get(models.Initiative, iid).used_for_award_id == second


def test_an_initiative_serves_only_an_award_of_one_of_its_authors(session, now, w):
    iid = f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[w.staff.person_id], now=now)
    with pytest.raises(Invalid, match="not by this person"):
        f.commendation_award(session, actor=w.officer, title_id=w.titles["CSTDCS"], year=YEAR,
                             person_id=w.colleague.person_id, decided_on=date(2026, 3, 1), initiative_ids=[iid],
                             now=now)
    assert f.count(session, models.Award) == 0
    assert session.get(models.Initiative, iid).used_for_award_id is None


# --- discipline and holds ----------------------------------------------------------------------


def _discipline(session, actor, person_id, now, *, form="reprimand", starts_on=date(2026, 1, 10),
                ends_on=date(2026, 7, 9)):
    return service.record_discipline(session, actor=actor, person_id=person_id, form=form, starts_on=starts_on,
                                     ends_on=ends_on, decision_ref="QĐ 3/QĐ-KL", now=now)


def test_unit_head_records_discipline_only_within_their_units(session, now, w):
    with pytest.raises(NotAllowed):
        _discipline(session, w.head_a, w.outsider, now)
    with pytest.raises(NotAllowed):
        _discipline(session, w.staff, w.colleague.person_id, now)
    assert f.count(session, models.Discipline) == 0
    assert audits(session, "commendations.discipline.add") == []
    with pytest.raises(Invalid, match="before the start"):
        _discipline(session, w.head_a, w.colleague.person_id, now, ends_on=date(2026, 1, 1))
    with pytest.raises(Invalid, match="form"):
        _discipline(session, w.head_a, w.colleague.person_id, now, form="scolding")
    did = _discipline(session, w.head_a, w.colleague.person_id, now)
    assert session.get(models.Discipline, did).person_id == w.colleague.person_id
    assert len(audits(session, "commendations.discipline.add")) == 1


def test_holds_are_placed_and_lifted_by_officers_only(session, now, w):
    args = {"person_id": w.staff.person_id, "reason": "inspection", "starts_on": date(2026, 2, 1), "now": now}
    with pytest.raises(NotAllowed):
        service.place_hold(session, actor=w.head_a, **args)
    assert f.count(session, models.Hold) == 0
    hold = service.place_hold(session, actor=w.officer, **args)
    with pytest.raises(NotAllowed):
        service.lift_hold(session, actor=w.head_a, hold_id=hold, now=now)
    service.lift_hold(session, actor=w.officer, hold_id=hold, now=now)
    row = session.get(models.Hold, hold)
    assert (row.lifted_at is not None, row.lifted_by_account_id) == (True, w.officer.account_id)
    with pytest.raises(Conflict, match="already lifted"):
        service.lift_hold(session, actor=w.officer, hold_id=hold, now=now)
    with pytest.raises(Invalid):
        service.place_hold(session, actor=w.officer, **{**args, "reason": "gossip"})


def test_personnel_records_are_read_by_the_person_their_head_and_officers_and_every_view_is_audited(
        session, now, w):
    pid = w.staff.person_id
    _discipline(session, w.head_a, pid, now)
    service.place_hold(session, actor=w.officer, person_id=pid, reason="complaint", starts_on=date(2026, 2, 1),
                       now=now)
    for reader in (w.staff, w.head_a, w.officer):
        records = service.personnel_records(session, actor=reader, person_id=pid, now=now)
        assert [d.form for d in records.disciplines] == ["reprimand"]
        assert [(h.reason, h.in_force) for h in records.holds] == [("complaint", True)]
    for stranger in (w.colleague, w.head_b, None):
        with pytest.raises(NotAllowed):
            service.personnel_records(session, actor=stranger, person_id=pid, now=now)
    views = audits(session, "commendations.personnel.view")
    assert [(v.actor_account_id, v.entity_id) for v in views] == [
        (w.staff.account_id, str(pid)), (w.head_a.account_id, str(pid)), (w.officer.account_id, str(pid))]
    assert json.loads(views[0].detail) == {"disciplines": 1, "holds": 1, "basis": "own"}
    assert [json.loads(v.detail)["basis"] for v in views[1:]] == ["personnel", "personnel"]
    # What the reader may do next follows their role.
    assert (records.can_record, records.can_hold) == (True, True)
    own = service.personnel_records(session, actor=w.staff, person_id=pid, now=now)
    assert (own.can_record, own.can_hold) == (False, False)
    assert len(audits(session, "commendations.personnel.view")) == 4


# --- the register of titles awarded --------------------------------------------------------------


def test_an_award_entered_gets_its_bonus_from_the_base_salary_of_the_decision_date(session, now, w):
    a, b, c = (candidate(session, w, now, level=None, register=False) for _ in range(3))
    f.commendation_award(session, actor=w.officer, title_id=w.titles["LDTT"], year=2025, person_id=a,
                         decided_on=date(2026, 1, 15), now=now)
    assert person_award(session, a, "LDTT", 2025).bonus_amount == 710_000  # 0.3 x 2,340,000 = 702,000, up
    entry = audits(session, "commendations.award.add")[0]
    assert json.loads(entry.detail)["bonus"] == 710_000
    shown = queries.awards(session, actor=w.officer, year=2025)
    assert [(r.title, r.bonus, r.source) for r in shown] == [("LĐTT", "710,000", "Entered")]
    # The national rules start in 2024; a local entry with a rule from 2023 shows the older base salaries.
    local = _add_title(session, w.officer, now, coefficient_pct=30, valid_from=date(2023, 1, 1))
    f.commendation_award(session, actor=w.officer, title_id=local, year=2023, person_id=b,
                         decided_on=date(2023, 12, 20), now=now)
    f.commendation_award(session, actor=w.officer, title_id=local, year=2023, person_id=c,
                         decided_on=date(2023, 6, 30), now=now)
    assert person_award(session, b, "GK_CD", 2023).bonus_amount == 540_000  # 0.3 x 1,800,000 (from 1/7/2023)
    assert person_award(session, c, "GK_CD", 2023).bonus_amount == 450_000  # 0.3 x 1,490,000 = 447,000, up


def test_the_same_title_twice_for_a_year_or_for_the_wrong_subject_is_refused(session, now, w):
    pid = w.staff.person_id
    ldtt, ttldtt = w.titles["LDTT"], w.titles["TTLDTT"]
    f.commendation_award(session, actor=w.officer, title_id=ldtt, year=2025, person_id=pid, now=now)
    with pytest.raises(Conflict, match="already in the register"):
        f.commendation_award(session, actor=w.officer, title_id=ldtt, year=2025, person_id=pid,
                             decision_ref="QĐ khác", now=now)
    with pytest.raises(Invalid, match="for collectives; choose a unit"):
        f.commendation_award(session, actor=w.officer, title_id=ttldtt, year=2025, person_id=pid, now=now)
    with pytest.raises(Invalid, match="for individuals; choose a person"):
        f.commendation_award(session, actor=w.officer, title_id=ldtt, year=2025, unit_id=w.org.a, now=now)
    with pytest.raises(Invalid, match="before that year"):
        f.commendation_award(session, actor=w.officer, title_id=ldtt, year=2026, person_id=pid,
                             decided_on=date(2025, 12, 30), now=now)
    with pytest.raises(Invalid, match="future"):
        f.commendation_award(session, actor=w.officer, title_id=ldtt, year=2026, person_id=pid,
                             decided_on=date(2026, 3, 3), now=now)
    with pytest.raises(NotAllowed):
        f.commendation_award(session, actor=w.head_a, title_id=ldtt, year=2024, person_id=pid, now=now)
    assert f.count(session, models.Award) == 1
    f.commendation_award(session, actor=w.officer, title_id=ttldtt, year=2025, unit_id=w.org.a, now=now)
    assert f.count(session, models.Award) == 2


AWARD_HEADER = ["year", "title_code", "employee_code", "unit_code", "decision_ref", "decided_on", "decided_by"]


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_a_valid_awards_file_writes_every_row(session, now, w, xlsx):
    data, name = f.table_file([
        AWARD_HEADER,
        [2024, "ldtt", code_of(session, w.staff.person_id), "", "QĐ 10/QĐ-UBND", "15/01/2025", "Chủ tịch UBND"],
        [2025, "CSTDCS", code_of(session, w.staff.person_id), "", "QĐ 11/QĐ-UBND", "2026-01-15", ""],
        [2025, "TTLDTT", "", "a1", "QĐ 12/QĐ-UBND", "2026-01-15", ""],
    ], xlsx=xlsx)
    report = service.import_awards(session, actor=w.officer, data=data, filename=name, now=now)
    assert (report.written, report.total_rows, report.errors) == (3, 3, [])
    rows = {(a.year, a.title_id, a.subject_key): (a.bonus_amount, a.source, a.decided_on)
            for a in session.exec(select(models.Award))}
    assert rows == {
        (2024, w.titles["LDTT"], f"p:{w.staff.person_id}"): (710_000, "imported", date(2025, 1, 15)),
        (2025, w.titles["CSTDCS"], f"p:{w.staff.person_id}"): (2_340_000, "imported", date(2026, 1, 15)),
        (2025, w.titles["TTLDTT"], f"u:{w.org.a1}"): (1_880_000, "imported", date(2026, 1, 15)),  # 0.8 x 2,340,000
    }
    assert len(audits(session, "commendations.award.import")) == 1


def test_an_awards_file_with_bad_rows_reports_every_error_and_writes_nothing(session, now, w):
    staff = code_of(session, w.staff.person_id)
    f.commendation_award(session, actor=w.officer, title_id=w.titles["LDTT"], year=2024,
                         person_id=w.staff.person_id, now=now)
    data, name = f.table_file([
        AWARD_HEADER,
        [2025, "LDTT", staff, "", "QĐ 1", "15/01/2026", ""],  # line 2: valid
        [2025, "NO_SUCH", staff, "", "QĐ 1", "15/01/2026", ""],  # 3: unknown title
        [2025, "LDTT", "NV-KHONG", "", "QĐ 1", "15/01/2026", ""],  # 4: unknown person
        [2025, "TTLDTT", "", "NO-UNIT", "QĐ 1", "15/01/2026", ""],  # 5: unknown unit
        [2026, "CSTDCS", staff, "", "QĐ 1", "03/03/2026", ""],  # 6: decided in the future
        [2024, "LDTT", staff, "", "QĐ 1", "15/01/2025", ""],  # 7: already in the register
        [2025, "LDTT", staff, "", "QĐ 2", "16/01/2026", ""],  # 8: the same as line 2
        [1999, "LDTT", staff, "", "QĐ 1", "31/02/2026", ""],  # 9: bad year and day
    ])
    before = f.counts(session, models.Award, AuditEntry)
    report = service.import_awards(session, actor=w.officer, data=data, filename=name, now=now)
    assert (report.written, report.total_rows) == (0, 8)
    assert [(line, column) for line, column, _m in report.errors] == [
        (3, "title_code"), (4, "employee_code"), (5, "unit_code"), (6, "decided_on"), (7, "title_code"),
        (8, "title_code"), (9, "year"), (9, "decided_on")]
    assert f.counts(session, models.Award, AuditEntry) == before
    with pytest.raises(NotAllowed):
        service.import_awards(session, actor=w.head_a, data=data, filename=name, now=now)


# --- eligibility -------------------------------------------------------------------------------


def test_rated_httnv_and_registered_is_eligible_for_ldtt_and_with_an_initiative_for_cstdcs(session, now, w):
    pid = candidate(session, w, now)
    assert judged(eligibility(session, w, "LDTT", now), pid) == ("eligible", "")
    status, reasons = judged(eligibility(session, w, "CSTDCS", now), pid)
    assert status == "missing" and "initiative" in reasons and "HTXSNV" in reasons
    iid = f.initiative(session, actor=w.head_a, unit_id=w.org.a, author_ids=[pid], scope="unit", now=now)
    assert judged(eligibility(session, w, "CSTDCS", now), pid) == ("eligible", "")
    # Once the initiative has served another award it no longer counts.
    f.commendation_award(session, actor=w.officer, title_id=w.titles["GK_CN"], year=YEAR, person_id=pid,
                         decided_on=date(2026, 3, 1), initiative_ids=[iid], now=now)
    assert judged(eligibility(session, w, "CSTDCS", now), pid)[0] == "missing"


def test_rated_htnv_misses_ldtt_with_the_reason_naming_httnv(session, now, w):
    pid = candidate(session, w, now, level="HTNV")
    view = eligibility(session, w, "LDTT", now)
    status, reasons = judged(view, pid)
    assert status == "missing"
    assert "LĐTT needs HTTNV or better in 2026: rated HTNV" in reasons
    assert "Luật TĐKT 2022, Điều 24" in reasons
    assert view.counts["missing"] >= 1 and "Điều 24" in view.basis


def test_a_held_person_is_listed_as_held_until_the_hold_is_lifted(session, now, w):
    pid = candidate(session, w, now)
    hold = service.place_hold(session, actor=w.officer, person_id=pid, reason="press", starts_on=date(2026, 2, 1),
                              now=now)
    view = eligibility(session, w, "LDTT", now)
    status, reasons = judged(view, pid)
    assert status == "held" and "Decree 152/2025" in reasons
    assert view.counts["held"] == 1
    service.lift_hold(session, actor=w.officer, hold_id=hold, now=now)
    assert judged(eligibility(session, w, "LDTT", now), pid)[0] == "eligible"


def test_a_hold_from_a_later_date_does_not_hold_today(session, now, w):
    pid = candidate(session, w, now)
    service.place_hold(session, actor=w.officer, person_id=pid, reason="press", starts_on=date(2026, 3, 3), now=now)
    assert judged(eligibility(session, w, "LDTT", now), pid)[0] == "eligible"


def test_not_registered_is_excluded_while_the_exclusion_is_on(session, now, w):
    pid = candidate(session, w, now, register=False)
    status, reasons = judged(eligibility(session, w, "LDTT", now), pid)
    assert status == "excluded" and "not registered for emulation in 2026" in reasons
    service.set_exclusion(session, actor=w.officer, code="not_registered", enabled=False, value=0,
                          basis_document="", now=now)
    assert judged(eligibility(session, w, "LDTT", now), pid) == ("eligible", "")


def test_a_withdrawn_registration_does_not_count(session, now, w):
    pid = candidate(session, w, now, register=False)
    reg = f.emulation_registration(session, actor=w.officer, person_id=pid, title_id=w.titles["LDTT"], now=now)
    service.withdraw_registration(session, actor=w.officer, registration_id=reg, now=now)
    assert judged(eligibility(session, w, "LDTT", now), pid)[0] == "excluded"


def test_discipline_in_the_year_excludes(session, now, w):
    pid = candidate(session, w, now)
    earlier = candidate(session, w, now)
    _discipline(session, w.head_a, pid, now, starts_on=date(2026, 1, 10), ends_on=date(2026, 7, 9))
    _discipline(session, w.head_a, earlier, now, starts_on=date(2025, 1, 10), ends_on=date(2025, 7, 9))
    view = eligibility(session, w, "LDTT", now)
    status, reasons = judged(view, pid)
    assert status == "excluded" and "disciplined in 2026" in reasons
    assert judged(view, earlier)[0] == "eligible"  # a period that ended in 2025 does not touch 2026


def test_three_consecutive_cstdcs_and_a_provincial_initiative_make_cstd_tinh_eligible(session, now, w):
    cstdcs = w.titles["CSTDCS"]

    def fighter(years: tuple[int, ...], *, initiative: bool = True) -> int:
        pid = candidate(session, w, now, level="HTXSNV")  # HTXSNV: CSTĐCS this year without an initiative
        for year in years:
            f.commendation_award(session, actor=w.officer, title_id=cstdcs, year=year, person_id=pid, now=now)
        if initiative:
            f.initiative(session, actor=w.officer, unit_id=w.org.a, author_ids=[pid], scope="province", now=now)
        return pid

    chain = fighter((2024, 2025))
    gap = fighter((2024,))
    no_initiative = fighter((2024, 2025), initiative=False)
    view = eligibility(session, w, "CSTD_TINH", now)
    assert judged(view, chain) == ("eligible", "")
    status, reasons = judged(view, gap)
    assert status == "missing" and "CSTĐCS in 3 consecutive years up to 2026: 1 in a row" in reasons
    status, reasons = judged(view, no_initiative)
    assert status == "missing" and "provincial or ministerial level" in reasons
    # A revoked title breaks the chain.
    service.revoke_award(session, actor=w.officer, award_id=person_award(session, chain, "CSTDCS", 2024).id,
                         reason="Quyết định bị huỷ", now=now)
    assert judged(eligibility(session, w, "CSTD_TINH", now), chain)[0] == "missing"


def _team(session, w: World, now, *, ldtt: int, others: int) -> tuple[int, list[int]]:
    """A new unit C with ``ldtt`` members eligible for LĐTT and ``others`` rated HTNV, rated HTTNV itself."""
    unit_id = f.unit(session, w.org.admin, now, parent_id=w.org.root, name="Phòng Kế hoạch", code="C")
    members = [candidate(session, w, now, unit_id=unit_id) for _ in range(ldtt)]
    members += [candidate(session, w, now, unit_id=unit_id, level="HTNV") for _ in range(others)]
    service.rate_unit(session, actor=w.officer, unit_id=unit_id, year=YEAR, level="HTTNV", now=now)
    return unit_id, members


def test_a_collective_with_70_percent_ldtt_and_a_good_rating_is_eligible_for_ttldtt(session, now, w):
    unit_id, members = _team(session, w, now, ldtt=7, others=3)
    assert judged(eligibility(session, w, "TTLDTT", now), unit_id) == ("eligible", "")
    # A reprimand of a member does not stand in the way; a warning does.
    _discipline(session, w.officer, members[-1], now, form="reprimand")
    assert judged(eligibility(session, w, "TTLDTT", now), unit_id)[0] == "eligible"
    _discipline(session, w.officer, members[-2], now, form="warning")
    status, reasons = judged(eligibility(session, w, "TTLDTT", now), unit_id)
    assert status == "missing" and "no member disciplined at Warning or heavier in 2026: 1" in reasons


def test_a_collective_under_70_percent_ldtt_or_without_a_good_rating_misses_ttldtt(session, now, w):
    unit_id, _members = _team(session, w, now, ldtt=6, others=4)
    status, reasons = judged(eligibility(session, w, "TTLDTT", now), unit_id)
    assert status == "missing" and "at least 70% of members with LĐTT: 6 of 10 (60%)" in reasons
    candidate(session, w, now, unit_id=unit_id)  # 7 of 11 = 63 %
    assert judged(eligibility(session, w, "TTLDTT", now), unit_id)[0] == "missing"
    candidate(session, w, now, unit_id=unit_id)  # 8 of 12 = 66 %
    candidate(session, w, now, unit_id=unit_id)  # 9 of 13 = 69 %
    assert judged(eligibility(session, w, "TTLDTT", now), unit_id)[0] == "missing"
    candidate(session, w, now, unit_id=unit_id)  # 10 of 14 = 71 %
    assert judged(eligibility(session, w, "TTLDTT", now), unit_id)[0] == "eligible"
    service.rate_unit(session, actor=w.officer, unit_id=unit_id, year=YEAR, level="HTNV", now=now)
    status, reasons = judged(eligibility(session, w, "TTLDTT", now), unit_id)
    assert status == "missing" and "collective rating of HTTNV or better" in reasons


def test_a_unit_head_sees_only_their_subtree(session, now, w):
    in_a1 = candidate(session, w, now, unit_id=w.org.a1)
    in_b = candidate(session, w, now, unit_id=w.org.b)
    view = eligibility(session, w, "LDTT", now, actor=w.head_a, unit_id=w.org.a)
    shown = {r.subject_id for r in view.rows}
    in_subtree = set(session.exec(select(Person.id).join(Unit, Unit.id == Person.unit_id)
                                  .where(Unit.path.startswith(session.get(Unit, w.org.a).path))))
    assert shown == in_subtree and in_a1 in shown and in_b not in shown
    units = eligibility(session, w, "TTLDTT", now, actor=w.head_a, unit_id=w.org.a)
    assert {r.subject_id for r in units.rows} == {w.org.a, w.org.a1}
    for unit_id in (w.org.b, w.org.root):
        with pytest.raises(NotAllowed):
            eligibility(session, w, "LDTT", now, actor=w.head_a, unit_id=unit_id)
    assert judged(eligibility(session, w, "LDTT", now, actor=w.head_b, unit_id=w.org.b), in_b)[0] == "eligible"


def test_staff_cannot_see_eligibility(session, now, w):
    for who in (w.staff, w.colleague, None):
        with pytest.raises(NotAllowed):
            service.eligibility(session, actor=who, year=YEAR, title_id=w.titles["LDTT"], unit_id=w.org.a, now=now)
    assert audits(session, queries.ELIGIBILITY_VIEW) == []


def test_every_eligibility_view_is_audited(session, now, w):
    pid = candidate(session, w, now)
    service.place_hold(session, actor=w.officer, person_id=pid, reason="inspection", starts_on=date(2026, 2, 1),
                       now=now)
    eligibility(session, w, "LDTT", now)
    eligibility(session, w, "CSTDCS", now)
    eligibility(session, w, "LDTT", now, actor=w.head_a, unit_id=w.org.a)
    views = audits(session, queries.ELIGIBILITY_VIEW)
    assert [(v.actor_account_id, v.entity_id) for v in views] == [
        (w.officer.account_id, str(w.titles["LDTT"])), (w.officer.account_id, str(w.titles["CSTDCS"])),
        (w.head_a.account_id, str(w.titles["LDTT"]))]
    detail = json.loads(views[-1].detail)
    assert (detail["year"], detail["unit_id"], detail["held"]) == (YEAR, w.org.a, 1)


def test_the_quota_set_by_a_rule_shows_how_many_it_allows(session, now, w):
    for _ in range(3):
        candidate(session, w, now)
    assert eligibility(session, w, "LDTT", now).quota_text == ""
    set_rule(session, w, "LDTT", valid_from=date(2026, 1, 1), quota_kind="eligible", quota_pct=50, now=now)
    view = eligibility(session, w, "LDTT", now)
    assert view.counts["eligible"] == 3
    assert view.quota_text == "Quota: at most 1 of 3 (50%)"
    assert "QĐ 7/2026/QĐ-UBND" in view.basis
    # 2025 is judged by the rule of 2025, which has no quota.
    assert eligibility(session, w, "LDTT", now, year=2025).quota_text == ""


def test_eligibility_pages_and_filters_by_status(session, now, w):
    good = [candidate(session, w, now) for _ in range(3)]
    view = service.eligibility(session, actor=w.officer, year=YEAR, title_id=w.titles["LDTT"],
                               unit_id=w.org.root, status="eligible", page=2, page_size=2, now=now)
    assert (view.total, view.pages, view.page) == (3, 2, 2)
    assert len(view.rows) == 1 and view.rows[0].subject_id in good
    assert all(r.status == "eligible" for r in view.rows)


def _facts(session, w: World, now, unit_id: int, n: int) -> None:
    """``n`` people of ``unit_id`` with every kind of fact compute loads."""
    for i in range(n):
        pid = candidate(session, w, now, unit_id=unit_id, level=("HTXSNV", "HTTNV", "HTNV")[i % 3])
        f.commendation_award(session, actor=w.officer, title_id=w.titles["CSTDCS"], year=2025, person_id=pid,
                             now=now)
        if i % 2:
            f.initiative(session, actor=w.officer, unit_id=unit_id, author_ids=[pid], scope="province", now=now)
        if i % 5 == 0:
            _discipline(session, w.officer, pid, now, form="warning")
        if i % 7 == 0:
            service.place_hold(session, actor=w.officer, person_id=pid, reason="complaint",
                               starts_on=date(2026, 1, 1), now=now)


def test_the_number_of_statements_of_compute_does_not_grow_with_the_number_of_people(session, engine, now, w):
    unit_id = f.unit(session, w.org.admin, now, parent_id=w.org.root, name="Phòng Kế hoạch", code="C")
    sub = f.unit(session, w.org.admin, now, parent_id=unit_id, name="Tổ Kế hoạch", code="C1")
    service.rate_unit(session, actor=w.officer, unit_id=unit_id, year=YEAR, level="HTTNV", now=now)
    path = session.get(Unit, unit_id).path

    def statements() -> tuple[int, int]:
        session.flush()
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            comp = queries.compute(session, year=YEAR, root_path=path, as_of=TODAY)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert comp.outcomes["CSTD_TINH"].judgements and comp.outcomes["TTLDTT"].judgements
        return len(seen), len(comp.people)

    _facts(session, w, now, sub, 5)
    few, people = statements()
    assert people == 5
    _facts(session, w, now, sub, 55)
    many, people = statements()
    assert people == 60
    assert many == few


def test_an_earlier_version_covers_past_years_and_ends_before_the_first(session, now, w):
    """Entering titles of years no rule covered: an officer adds a version before the first one."""
    first = rule_rows(session, w.titles["LDTT"])[0]
    set_rule(session, w, "LDTT", valid_from=date(2018, 1, 1), now=now, coefficient_pct=30)
    versions = rule_rows(session, w.titles["LDTT"])
    assert versions[0].valid_from == date(2018, 1, 1) and versions[0].valid_to == first.valid_from - timedelta(days=1)
    assert [v.valid_from for v in versions[1:]] == [first.valid_from, date(2025, 7, 1)]  # the later ones unchanged
    pid = candidate(session, w, now, level=None, register=False)
    f.commendation_award(session, actor=w.officer, title_id=w.titles["LDTT"], year=2023, person_id=pid,
                         decided_on=date(2024, 1, 10), now=now)
    assert person_award(session, pid, "LDTT", 2023).bonus_amount == 540_000  # 0.3 x 1,800,000
    # Between two versions is still refused: that would change a year already judged.
    with pytest.raises(Invalid, match="must start after"):
        set_rule(session, w, "LDTT", valid_from=date(2024, 6, 1), now=now)
