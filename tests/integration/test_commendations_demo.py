"""The commendations demo: three past years and this year under way, so every list has content.

The full demo (every feature's seed, in the order ``engagement seed-demo`` runs them) is loaded
once for the module and only read by the tests; the eligibility engine (``queries.compute``)
then judges it as an officer's list would.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from engagement.commendations import demo, queries, rules
from engagement.commendations.models import (
    Award,
    Covenant,
    Discipline,
    Hold,
    Initiative,
    InitiativeAuthor,
    Rating,
    Registration,
    Title,
    UnitRating,
    Year,
)
from engagement.core.db import make_engine
from engagement.org.demo import DEMO_LOGINS
from engagement.org.models import Account, Person, Unit
from engagement.schema import metadata

#: The demo is loaded "today"; this is the day the project's demo is shown on.
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
Y = 2026


def _seed_everything(session: Session, now: datetime) -> dict[str, int]:
    from engagement.commitments.demo import seed_demo as seed_commitments
    from engagement.green.demo import seed_demo as seed_green
    from engagement.jobs.demo import seed_demo as seed_jobs
    from engagement.notify.demo import seed_demo as seed_notify
    from engagement.org.demo import seed_demo as seed_org
    from engagement.recognition.demo import seed_demo as seed_recognition
    from engagement.scoring.demo import seed_demo as seed_points

    seed_org(session, now=now)
    seed_points(session, now=now)
    seed_recognition(session, now=now)
    seed_green(session, now=now)
    seed_commitments(session, now=now)
    seed_notify(session, now=now)
    seed_jobs(session, now=now)
    return demo.seed_demo(session, now=now)


@pytest.fixture(scope="module")
def demo_db(_pg_engine: Engine | None) -> Iterator[tuple[Engine, dict[str, int]]]:
    """One database with the full demo for the whole module (the tests only read it)."""
    if _pg_engine is not None:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with _pg_engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        engine = _pg_engine
    else:
        engine = make_engine("sqlite://")
        metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        summary = _seed_everything(s, NOW)
        s.commit()
    yield engine, summary
    if _pg_engine is None:
        engine.dispose()


@pytest.fixture
def db(demo_db) -> Iterator[Session]:
    engine, _summary = demo_db
    with Session(engine) as s:
        yield s
        s.rollback()


@pytest.fixture
def comp(db: Session) -> queries.Computation:
    root = db.exec(select(Unit.path).where(Unit.depth == 0)).one()
    return queries.compute(db, year=Y, root_path=root, as_of=NOW.date())


def _statuses(comp: queries.Computation, code: str) -> Counter:
    return Counter(j.status for j in comp.outcomes[code].judgements.values())


def _named_login_people(db: Session) -> set[int]:
    names = [u for u, _role, _name in DEMO_LOGINS]
    return set(db.exec(select(Account.person_id).where(Account.username.in_(names))))


def _login_people(db: Session) -> set[int]:
    return set(db.exec(select(Account.person_id)))


def _awarded(db: Session, code: str, year: int) -> set[int]:
    return set(db.exec(select(Award.person_id).join(Title, Title.id == Award.title_id)
                       .where(Title.code == code, Award.year == year, Award.person_id.is_not(None),
                              Award.revoked_at.is_(None))))


# --- this year's eligibility ---------------------------------------------------------------------


def test_this_year_has_people_eligible_for_ldtt_and_cstdcs(comp):
    assert _statuses(comp, "LDTT")[rules.ELIGIBLE] >= 10
    assert _statuses(comp, "CSTDCS")[rules.ELIGIBLE] >= 2


def test_cstdcs_is_reached_both_by_an_htxsnv_rating_and_by_an_initiative(db, comp):
    eligible = [pid for pid, j in comp.outcomes["CSTDCS"].judgements.items() if j.status == rules.ELIGIBLE]
    levels = dict(db.exec(select(Rating.person_id, Rating.level).where(Rating.year == Y)).all())
    assert any(levels[pid] == rules.EXCELLENT for pid in eligible)
    through_initiative = [pid for pid in eligible if levels[pid] == rules.GOOD]
    assert through_initiative
    assert all(comp.outcomes["CSTDCS"].judgements[pid].initiative_ids for pid in through_initiative)


def test_someone_is_held_and_it_is_not_a_demo_login(db, comp):
    held = [pid for pid, j in comp.outcomes["LDTT"].judgements.items() if j.status == rules.HELD]
    assert len(held) == 1
    assert "Decree 152/2025" in comp.outcomes["LDTT"].judgements[held[0]].reasons[0].render()
    assert held[0] not in _login_people(db)
    hold = db.exec(select(Hold)).one()
    assert hold.reason == "inspection" and hold.lifted_at is None and hold.ends_on is None


def test_someone_misses_a_criterion_with_the_criterion_named(comp):
    missing = [j for j in comp.outcomes["LDTT"].judgements.values() if j.status == rules.MISSING]
    texts = [r.render() for j in missing for r in j.reasons]
    assert any("rated HTNV" in t and "Luật TĐKT 2022, Điều 24" in t for t in texts)
    assert any("not rated yet" in t for t in texts)  # the unrated half: the head has work to do


def test_exclusions_show_not_registered_absent_and_recent_recruit(comp):
    texts = [r.render() for j in comp.outcomes["LDTT"].judgements.values() if j.status == rules.EXCLUDED
             for r in j.reasons]
    assert any("not registered for emulation in 2026" in t for t in texts)
    assert any("45 working days absent" in t for t in texts)
    assert any("7 months since recruitment" in t for t in texts)


def test_cstd_tinh_has_a_candidate_with_the_three_year_chain(db, comp):
    outcome = comp.outcomes["CSTD_TINH"]
    eligible = [pid for pid, j in outcome.judgements.items() if j.status == rules.ELIGIBLE]
    assert eligible
    # Eligible through CSTĐCS in the two past years and this year (eligible now), and an
    # unused provincial initiative.
    for pid in eligible:
        assert pid in _awarded(db, "CSTDCS", Y - 1) and pid in _awarded(db, "CSTDCS", Y - 2)
        assert comp.outcomes["CSTDCS"].judgements[pid].status == rules.ELIGIBLE
        assert outcome.judgements[pid].initiative_ids
    # The list names the chain where it is short, and the missing initiative where the chain holds.
    reasons = [r.render() for j in outcome.judgements.values() for r in j.reasons]
    chain = [t for t in reasons if re.search(r"needs CSTĐCS in 3 consecutive years up to 2026: [12] in a row", t)]
    assert chain and all("Luật TĐKT 2022, Điều 22" in t for t in chain)
    chained_without_initiative = [
        pid for pid, j in outcome.judgements.items() if j.status == rules.MISSING and len(j.reasons) == 1
        and "initiative" in j.reasons[0].render() and pid in _awarded(db, "CSTDCS", Y - 1)]
    assert chained_without_initiative


def test_collectives_have_content(comp):
    assert _statuses(comp, "TTLDTT")[rules.ELIGIBLE] >= 1
    assert _statuses(comp, "TTLDTT")[rules.MISSING] >= 1


# --- what the demo holds ----------------------------------------------------------------------------


def test_every_active_person_is_rated_in_each_past_year_with_a_realistic_spread(db):
    active = db.exec(select(func.count()).select_from(Person).where(Person.is_active.is_(True))).one()
    for year in (Y - 3, Y - 2, Y - 1):
        levels = Counter(db.exec(select(Rating.level).where(Rating.year == year)))
        rated = sum(levels.values())
        assert active - 1 <= rated <= active  # the recruit of this year has no past
        assert 0.10 <= levels[rules.EXCELLENT] / rated <= 0.16
        assert 0.55 <= levels[rules.GOOD] / rated <= 0.75
        assert 0.10 <= levels[rules.DONE] / rated <= 0.20
        assert 1 <= levels[rules.FAILED] <= 4
        assert 1 <= levels[rules.NONE] <= 2
        assert levels[rules.EXCELLENT] <= rules.excellent_allowed(levels[rules.GOOD], 20)
        reasons = db.exec(select(Rating.reason).where(Rating.year == year, Rating.level == rules.NONE)).all()
        assert all(r.startswith("Công tác dưới 6 tháng") for r in reasons)
        assert db.exec(select(func.count()).select_from(UnitRating).where(UnitRating.year == year)).one() >= 30


def test_about_half_are_rated_this_year_and_no_named_login_is(db):
    active = db.exec(select(func.count()).select_from(Person).where(Person.is_active.is_(True))).one()
    rated = set(db.exec(select(Rating.person_id).where(Rating.year == Y)))
    assert 0.4 * active <= len(rated) <= 0.6 * active
    named = _named_login_people(db)
    assert not rated & named
    registered = set(db.exec(select(Registration.person_id).where(Registration.year == Y)))
    assert not registered & named
    assert len(registered) >= 0.7 * active


def test_past_titles_follow_the_rules_with_decisions_early_next_year(db):
    for year in (Y - 3, Y - 2, Y - 1):
        levels = dict(db.exec(select(Rating.person_id, Rating.level).where(Rating.year == year)).all())
        ldtt, cstdcs = _awarded(db, "LDTT", year), _awarded(db, "CSTDCS", year)
        assert ldtt == {pid for pid, level in levels.items() if rules.at_least(level, rules.GOOD)}
        assert cstdcs and cstdcs <= ldtt
        for pid in cstdcs:
            if levels[pid] != rules.EXCELLENT:  # then an initiative of theirs served this award
                award_id = db.exec(select(Award.id).join(Title, Title.id == Award.title_id).where(
                    Title.code == "CSTDCS", Award.year == year, Award.person_id == pid)).one()
                assert db.exec(select(Initiative)
                               .join(InitiativeAuthor, InitiativeAuthor.initiative_id == Initiative.id)
                               .where(InitiativeAuthor.person_id == pid, Initiative.used_for_award_id == award_id,
                                      Initiative.year == year)).first()
    three_in_a_row = _awarded(db, "CSTDCS", Y - 3) & _awarded(db, "CSTDCS", Y - 2) & _awarded(db, "CSTDCS", Y - 1)
    assert len(three_in_a_row) >= 3
    units = db.exec(select(Award).join(Title, Title.id == Award.title_id).where(Title.code == "TTLDTT")).all()
    assert {a.year for a in units} == {Y - 3, Y - 2, Y - 1}
    for award in db.exec(select(Award).where(Award.decision_id.is_(None))):  # the register imported from paper
        assert re.fullmatch(r"QĐ \d+/QĐ-[A-Z]+", award.decision_ref), award.decision_ref
        assert award.decided_on.year == award.year + 1 and award.decided_on.month <= 3
        assert award.decided_by
    # Bonuses: 0.3 x the base salary on the decision day, rounded up (2,340,000 from July 2024);
    # the catalogue's rules start in 2024, so 2023's titles carry none.
    bonuses = dict(db.exec(select(Award.year, func.max(Award.bonus_amount)).join(Title, Title.id == Award.title_id)
                           .where(Title.code == "LDTT").group_by(Award.year)).all())
    assert bonuses == {Y - 3: 0, Y - 2: 710_000, Y - 1: 710_000}


def test_initiatives_discipline_window_and_covenant(db):
    scopes = Counter(db.exec(select(Initiative.scope)))
    assert scopes["unit"] >= 5 and 1 <= scopes["province"] <= 2
    used = db.exec(select(Initiative).where(Initiative.used_for_award_id.is_not(None))).all()
    assert len(used) == 1 and db.get(Award, used[0].used_for_award_id).year == used[0].year
    assert db.exec(select(func.count()).select_from(Initiative).where(Initiative.year == Y)).one() >= 1
    discipline = db.exec(select(Discipline)).one()
    assert discipline.form == "reprimand" and discipline.starts_on.year == Y - 2
    assert discipline.person_id not in _login_people(db)
    assert db.exec(select(Rating.level).where(Rating.person_id == discipline.person_id,
                                              Rating.year == Y - 2)).one() == rules.FAILED
    window = db.get(Year, Y)
    assert (window.registration_opens_on, window.registration_closes_on) == (date(Y, 1, 1), date(Y, 12, 31))
    covenant = db.exec(select(Covenant)).one()
    assert covenant.year == Y
    waiting = db.exec(select(func.count()).select_from(Registration).where(
        Registration.year == Y, Registration.status == rules.REGISTERED)).one()
    assert waiting == 3  # staff logins who registered themselves, for their head to confirm
    assert db.exec(select(func.count()).select_from(Registration).where(
        Registration.year == Y, Registration.unit_id.is_not(None))).one() >= 3


def test_summary_counts_what_was_written(demo_db, db):
    _engine, summary = demo_db
    assert summary["commend_ratings"] == db.exec(select(func.count()).select_from(Rating)).one()
    assert summary["commend_awards"] == db.exec(select(func.count()).select_from(Award)).one()
    assert summary["commend_initiatives"] == db.exec(select(func.count()).select_from(Initiative)).one()
    assert summary["commend_registrations"] == db.exec(select(func.count()).select_from(Registration)).one()


# --- part 2: nominations, the council and decisions (issue 15) --------------------------------------
# (before the next test: on PostgreSQL its ``session`` empties the database the module's demo is in)


def test_the_workflow_has_a_past_decision_and_a_session_in_progress(db):
    from engagement.commendations import decisions
    from engagement.commendations.models import (
        AgendaItem,
        BallotParticipation,
        CouncilSession,
        Decision,
        Nomination,
        SessionMember,
        Tally,
    )
    from engagement.core.access import Role
    from engagement.org.models import RoleGrant

    # Y-1: one decision of January-March of Y, its awards with certificate codes that verify.
    past = db.exec(select(Decision).where(Decision.year == Y)).all()
    assert len(past) == 1
    decision = past[0]
    assert decision.decided_on.year == Y and decision.decided_on.month <= 3
    awards = db.exec(select(Award).where(Award.decision_id == decision.id).order_by(Award.golden_book_no)).all()
    assert 2 <= len(awards) <= 3 and {a.year for a in awards} == {Y - 1}
    assert [a.golden_book_no for a in awards] == list(range(1, len(awards) + 1))
    for award in awards:
        assert award.certificate_code and award.person_id not in _login_people(db)
        assert decisions.verify_certificate(db, award.certificate_code).valid
    assert decisions.verify_decisions(db).ok
    closed = db.get(CouncilSession, decision.session_id)
    assert closed.status == rules.SESSION_CLOSED and local_day_of(closed.scheduled_at).year == Y
    assert {i.outcome for i in db.exec(select(AgendaItem).where(AgendaItem.session_id == closed.id))} == {
        rules.APPROVED}
    assert {n.status for n in db.exec(select(Nomination).where(Nomination.year == Y - 1))} == {rules.DECIDED}

    # Y: a dossier received (its appraisal due), and one open session with one round open and ballots cast.
    statuses = Counter(n.status for n in db.exec(select(Nomination).where(Nomination.year == Y)))
    assert statuses == {rules.RECEIVED: 1, rules.COUNCIL: 1}
    sessions = db.exec(select(CouncilSession).where(CouncilSession.status == rules.SESSION_OPEN)).all()
    assert len(sessions) == 1
    rounds = db.exec(select(AgendaItem).where(AgendaItem.session_id == sessions[0].id,
                                              AgendaItem.round_open.is_(True))).all()
    assert len(rounds) == 1
    voted = set(db.exec(select(BallotParticipation.person_id).where(BallotParticipation.item_id == rounds[0].id)))
    assert voted and not voted & _named_login_people(db)
    tally = db.exec(select(Tally).where(Tally.item_id == rounds[0].id, Tally.closed_at.is_(None))).one()
    assert tally.agree + tally.disagree == len(voted)

    # The council keeps its five members (the demo's own login and four plain staff logins, none of the
    # named logins the other journeys use), and every session seated exactly them.
    holders = set(db.exec(select(Account.person_id).join(RoleGrant, RoleGrant.account_id == Account.id).where(
        RoleGrant.role == Role.COUNCIL_MEMBER.value, RoleGrant.revoked_at.is_(None))).all())
    assert len(holders) == 5 and not holders & (_named_login_people(db) - {_person_id(db, "council")})
    for seated in (closed, sessions[0]):
        assert set(db.exec(select(SessionMember.person_id).where(SessionMember.session_id == seated.id))) == holders


def _person_id(db, username: str) -> int:
    return db.exec(select(Account.person_id).where(Account.username == username)).one()


def local_day_of(moment: datetime) -> date:
    from engagement.core.clock import local_day
    from engagement.settings import get_settings

    return local_day(moment, get_settings().tz)


def test_the_demo_loads_early_in_the_year_too(session):
    """On 5 January nothing of the past may be dated after today; every service still accepts it."""
    from engagement.org.demo import seed_demo as seed_org

    early = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    seed_org(session, now=early)
    demo.seed_demo(session, now=early)
    assert max(session.exec(select(Award.decided_on))) <= date(2027, 1, 5)
    root = session.exec(select(Unit.path).where(Unit.depth == 0)).one()
    comp = queries.compute(session, year=2027, root_path=root, as_of=early.date())
    assert _statuses(comp, "LDTT")[rules.HELD] == 1
    assert _statuses(comp, "CSTD_TINH")[rules.ELIGIBLE] >= 1

