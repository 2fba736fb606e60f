"""The commendation workflow in the browser (issue 15), from a nomination to a verified certificate,
before the demo's council of five:

1. head.snv proposes a person of Sở Nội vụ for LĐTT, writes the achievement report and submits;
2. the officer receives the dossier, appraises the nominee eligible and schedules a council session;
3. the officer records four members present and one voting in writing (a quorum of 2/3 of all five)
   and opens the session; the secretary opens the round;
4. the chair and the secretary vote "agree", the secretary records the absent member's written
   "agree" and closes the round: three of all five, a majority, so approved;
5. the officer issues the decision and prints the certificate;
6. anyone opening the certificate's verify page sees it valid.

The council is the demo's: its ``council`` login (the chair here) and four plain staff logins (the
secretary and the written voter are two of them). The nominee is a person of Sở Nội vụ
without a login whom the demo rated well enough this year to be eligible for LĐTT (the named demo
logins are left to the other journeys), and not yet nominated for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from engagement.commendations import models, queries, rules
from engagement.core import clock
from engagement.core.access import Role
from engagement.core.db import make_engine, unit_of_work
from engagement.org.demo import DEMO_LOGINS, DEMO_STAFF_LOGINS
from engagement.org.models import Account, Person, RoleGrant, Unit
from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in

TITLE = "LDTT"
PROPOSING_UNIT = "SNV"  # head.snv's department
CHAIR = "council"  # the demo's council member


@dataclass(frozen=True)
class Cast:
    """Who and what the journey works with (read from, or set up in, the app's database)."""

    unit_id: int
    title_id: int
    person_id: int
    person_name: str
    person_code: str
    chair_id: int
    secretary: str  # a council member's username
    secretary_id: int
    member_ids: tuple[int, ...]  # every council member
    written_id: int  # the member absent from the session, voting in writing


def _database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's SQLite file, made by the ``app_url`` fixture in its own temporary folder."""
    found = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("e2e*/e2e.db")})
    assert len(found) == 1, found
    return found[0]


def _person_of(session: Session, username: str) -> Person:
    return session.exec(select(Person).join(Account, Account.person_id == Person.id)
                        .where(Account.username == username)).one()


def _nominee_for(session: Session, unit: Unit, title_id: int, year: int) -> Person:
    """A person of the unit's subtree, without a named demo login, eligible for the title this year,
    neither nominated for it nor holding it yet."""
    named = {u for u, _label, _name in DEMO_LOGINS} | {u for u, _name in DEMO_STAFF_LOGINS}
    with_login = set(session.exec(select(Account.person_id).where(Account.username.in_(named))))
    taken = set(session.exec(select(models.Nominee.person_id).join(
        models.Nomination, models.Nomination.id == models.Nominee.nomination_id).where(
        models.Nomination.title_id == title_id, models.Nomination.year == year,
        models.Nominee.person_id.is_not(None))))
    taken |= set(session.exec(select(models.Award.person_id).where(
        models.Award.title_id == title_id, models.Award.year == year, models.Award.person_id.is_not(None))))
    outcome = queries.compute(session, year=year, root_path=unit.path, as_of=queries.today(clock.now()),
                              codes={TITLE}).outcomes[TITLE]
    eligible = sorted(pid for pid, judgement in outcome.judgements.items()
                      if judgement.status == rules.ELIGIBLE and pid not in with_login | taken)
    assert eligible, "the demo has nobody eligible for LĐTT left in Sở Nội vụ"
    return session.get(Person, eligible[0])


def _council(session: Session) -> list[Account]:
    """The demo's council members other than ``council``, by username (the demo keeps four)."""
    members = session.exec(select(Account).join(RoleGrant, RoleGrant.account_id == Account.id).where(
        RoleGrant.role == Role.COUNCIL_MEMBER.value, RoleGrant.revoked_at.is_(None), Account.username != CHAIR)
        .order_by(Account.username)).all()
    assert len(members) == 4, [a.username for a in members]
    return list(members)


@pytest.fixture
def cast(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Cast:
    """The nominee and the council, read before the browser starts from the app's SQLite file."""
    engine = make_engine(f"sqlite:///{_database(tmp_path_factory)}")
    try:
        with unit_of_work(engine) as session:
            year = queries.today(clock.now()).year
            unit = session.exec(select(Unit).where(Unit.code == PROPOSING_UNIT)).one()
            title_id = session.exec(select(models.Title.id).where(models.Title.code == TITLE)).one()
            person = _nominee_for(session, unit, title_id, year)
            others = _council(session)
            chair_id = _person_of(session, CHAIR).id
            return Cast(unit_id=unit.id, title_id=title_id, person_id=person.id, person_name=person.full_name,
                        person_code=person.employee_code, chair_id=chair_id,
                        secretary=others[0].username, secretary_id=others[0].person_id,
                        member_ids=(chair_id, *(a.person_id for a in others)), written_id=others[-1].person_id)
    finally:
        engine.dispose()


def _as(page: Page, app_url: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, app_url, username)


def _vote_agree(page: Page, item) -> None:
    item.locator(".vote-agree").click()
    page.locator(".vote-confirm-agree").click()
    expect(item.locator(".my-voted")).to_be_visible()


def test_from_a_nomination_to_a_verified_certificate(page: Page, app_url: str, cast: Cast, new_page) -> None:
    # 1. The unit head proposes the person for LĐTT, writes the report and submits.
    _as(page, app_url, "head.snv")
    page.goto(f"{app_url}/commendations/nominations")
    page.locator("#nomination-new").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("select[name=unit_id]").select_option(str(cast.unit_id))
    dialog.locator("select[name=title_id]").select_option(str(cast.title_id))
    dialog.locator("input[name=reference]").fill("15/TTr-SNV")
    dialog.locator("#nomination-create").click()
    expect(page).to_have_url(re.compile(r"/commendations/nominations/\d+$"))
    nomination_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("#dossier-status")).to_have_attribute("data-status", rules.DRAFT)

    page.locator("#nominee-search").fill(cast.person_code)
    page.locator(".person-option", has_text=cast.person_code).click()
    page.locator("#nominee-add").click()
    card = page.locator(".nominee-card", has_text=cast.person_name)
    expect(card).to_be_visible()
    nominee_id = int((card.get_attribute("id") or "").removeprefix("nominee-"))
    expect(card.locator(".eligibility-badge")).to_have_attribute("data-eligibility", rules.ELIGIBLE)
    report = card.locator(".nominee-report")
    if report.get_attribute("open") is None:
        report.locator("summary").click()
    name_box = report.locator("input[name=full_name]")
    if not name_box.input_value():
        name_box.fill(cast.person_name)
    report.locator("textarea[name=achievements]").fill(
        "Hoàn thành tốt nhiệm vụ được giao; chấp hành tốt chủ trương, chính sách của Đảng, pháp luật của Nhà nước.")
    report.locator(".report-save").click()
    expect(card.locator(".nominee-report summary")).not_to_contain_text(L("incomplete"))
    page.locator("#dossier-submit").click()
    expect(page.locator("#dossier-status")).to_have_attribute("data-status", rules.SUBMITTED)

    # 2. The officer receives it, appraises the nominee eligible and schedules a council session.
    _as(page, app_url, "officer")
    page.goto(f"{app_url}/commendations/nominations/{nomination_id}")
    page.locator("#dossier-receive").click()
    expect(page.locator("#dossier-status")).to_have_attribute("data-status", rules.RECEIVED)
    page.locator(f"select[name=outcome_{nominee_id}]").select_option(rules.APPRAISED_ELIGIBLE)
    page.locator("#dossier-appraise").click()
    expect(page.locator("#dossier-status")).to_have_attribute("data-status", rules.APPRAISED)

    page.goto(f"{app_url}/commendations/council")
    page.locator("#council-schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=title]").fill("Phiên họp xét khen thưởng (kiểm thử)")
    dialog.locator("select[name=chair]").select_option(str(cast.chair_id))
    dialog.locator("select[name=secretary]").select_option(str(cast.secretary_id))
    choice = dialog.locator("#agenda-choices label", has=page.locator(f'a[href$="/nominations/{nomination_id}"]'))
    choice.locator("button[role=checkbox]").click()
    dialog.locator("#schedule-submit").click()
    expect(page).to_have_url(re.compile(r"/commendations/council/\d+$"))
    session_url = page.url

    # 3. Four members present, one voting in writing; the session opens with its quorum (4 of 5).
    for person_id in cast.member_ids:
        mark = "written" if person_id == cast.written_id else "present"
        attendance = page.locator(f"#attendance-{person_id}")
        attendance.select_option(mark)
        expect(attendance).to_have_value(mark)
    page.locator("#session-open").click()
    expect(page.locator("#session-status")).to_have_attribute("data-status", rules.SESSION_OPEN)

    # 4. The secretary opens the round; the secretary and the chair vote "agree"; the secretary records
    #    the written "agree" and closes the round: 3 of all 5 members, a majority.
    _as(page, app_url, cast.secretary)
    page.goto(session_url)
    item = page.locator(".agenda-item", has_text=cast.person_name)
    item.locator(".round-open").click()
    _vote_agree(page, item)

    _as(page, app_url, CHAIR)
    page.goto(session_url)
    _vote_agree(page, page.locator(".agenda-item", has_text=cast.person_name))

    _as(page, app_url, cast.secretary)
    page.goto(session_url)
    item = page.locator(".agenda-item", has_text=cast.person_name)
    item.locator(".written-open").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("select[name=person_id]").select_option(str(cast.written_id))
    dialog.locator("button[role=radio][value=agree]").click()
    dialog.locator("#written-submit").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    item.locator(".round-close").click()
    expect(item.locator(".item-outcome")).to_have_attribute("data-outcome", rules.APPROVED)

    # 5. The officer issues the decision and prints the certificate.
    _as(page, app_url, "officer")
    page.goto(f"{app_url}/commendations/decisions")
    waiting = page.locator(f"#waiting-{nominee_id}")
    expect(waiting).to_be_visible()
    waiting.locator("button[role=checkbox]").click()
    page.locator("input[name=issuer_code]").fill("SNV")
    page.locator("input[name=issuer_name]").fill("Sở Nội vụ tỉnh Demo")
    page.locator("input[name=signer_name]").fill("Vũ Hồng Anh")
    page.locator("input[name=signer_title]").fill("Giám đốc Sở Nội vụ")
    page.locator("#issue-decision").click()
    expect(page.locator("#decision-issued")).to_be_visible()
    expect(page.locator(f"#waiting-{nominee_id}")).to_have_count(0)
    award = page.locator("#awards-table tr", has_text=cast.person_name)
    expect(award).to_be_visible()
    code = award.locator("code").inner_text().strip()
    assert rules.normalise_certificate_code(code) == code
    with page.expect_download() as download:
        award.locator(".certificate-pdf").click()
    assert code in download.value.suggested_filename

    # 6. Anyone (no login) opening the certificate's verify page sees it valid.
    visitor = new_page()
    visitor.goto(f"{app_url}/verify-award/{code}")
    result = visitor.locator("#verify-result")
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).to_contain_text(L("Valid: this award stands and its decision is intact."))
    expect(visitor.locator("#verify-facts")).to_contain_text(cast.person_name)
