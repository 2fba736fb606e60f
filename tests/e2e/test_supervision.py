"""Spot checks in the browser (issue 20): a team records a visit with a failed item, the person
explains, the unit head closes the corrective action, and the unit's result shows on its
leaderboard row.

1. The officer schedules an ad-hoc visit to Văn phòng Sở Nội vụ today, with themself as the
   inspector, and records it: ``staff`` present, one conduct item failed with what was seen;
2. ``staff`` finds the finding under "My findings" and explains;
3. ``head.snv`` confirms the corrective action done;
4. Sở Nội vụ's points on the leaderboard rose by the visit's compliance points, and "Why this
   score" names the spot check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from engagement.core import clock
from engagement.core.db import make_engine
from engagement.org.models import Account, Person, Unit
from engagement.settings import get_settings
from engagement.supervision import models as sv
from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in
from tests.e2e.test_leaderboards import _unit_points

#: What the inspector saw (the demo's own findings use other words).
SEEN = "Không đeo thẻ công chức khi tiếp công dân (buổi kiểm tra đột xuất)"


@dataclass(frozen=True)
class Cast:
    unit_id: int
    unit_name: str
    staff_id: int
    officer_id: int


def _database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("e2e*/e2e.db")})
    assert len(found) == 1, found
    return found[0]


def _person_of(session: Session, username: str) -> Person:
    return session.exec(select(Person).join(Account, Account.person_id == Person.id)
                        .where(Account.username == username)).one()


@pytest.fixture
def cast(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Cast:
    engine = make_engine(f"sqlite:///{_database(tmp_path_factory)}")
    try:
        with Session(engine) as session:
            staff = _person_of(session, "staff")
            unit = session.get(Unit, staff.unit_id)
            return Cast(unit_id=unit.id, unit_name=unit.name, staff_id=staff.id,
                        officer_id=_person_of(session, "officer").id)
    finally:
        engine.dispose()


def _newest_visit(tmp_path_factory: pytest.TempPathFactory, unit_id: int) -> int:
    engine = make_engine(f"sqlite:///{_database(tmp_path_factory)}")
    try:
        with Session(engine) as session:
            return session.exec(select(sv.Visit.id).where(sv.Visit.unit_id == unit_id)
                                .order_by(sv.Visit.id.desc())).first()
    finally:
        engine.dispose()


def _as(page: Page, app_url: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, app_url, username)


def test_a_visit_with_a_failure_is_explained_closed_and_counted(page: Page, app_url: str, cast: Cast,
                                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    _as(page, app_url, "officer")
    before = _unit_points(page, app_url, "Sở Nội vụ")

    # 1. An ad-hoc visit today, the officer inspecting; then recorded with one failure.
    page.goto(f"{app_url}/supervision/manage")
    form = page.locator("form", has=page.locator("#adhoc-submit"))
    form.locator("#adhoc-unit").select_option(str(cast.unit_id))
    today = clock.local_day(clock.now(), get_settings().tz)  # the organisation's day, not the browser's
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator(f"input[name=inspector_{cast.officer_id}]").check()
    form.locator("#adhoc-submit").click()
    visit_id = 0
    for _ in range(50):
        page.wait_for_timeout(200)
        visit_id = _newest_visit(tmp_path_factory, cast.unit_id) or 0
        if visit_id and page.locator(f"#visit-{visit_id}").count():
            break
    expect(page.locator(f"#visit-{visit_id}")).to_be_visible()

    page.goto(f"{app_url}/supervision/visits/{visit_id}")
    expect(page.locator("#record-card")).to_be_visible(timeout=15_000)
    page.locator(f"#present-{cast.staff_id}").check()
    failed = page.locator(f"select[name^='r__{cast.staff_id}__']").first
    failed.select_option("fail")
    key = (failed.get_attribute("name") or "").split("__")[-1]
    page.locator(f"input[name='n__{cast.staff_id}__{key}']").fill(SEEN)
    page.locator("#visit-submit").click()
    expect(page.locator("#visit-result")).to_be_visible(timeout=15_000)
    expect(page.locator("#visit-findings")).to_contain_text(SEEN)

    # 2. The person sees the finding and explains it.
    _as(page, app_url, "staff")
    page.goto(f"{app_url}/supervision")
    mine = page.locator("#my-findings tr", has_text=SEEN)
    expect(mine).to_be_visible(timeout=15_000)
    mine.locator("[id^=respond-]").click()
    page.locator("textarea[name=text]").fill("Hôm đó tôi để quên thẻ ở nhà; từ nay sẽ kiểm tra trước khi đến cơ quan.")
    page.locator("#respond-submit").click()
    expect(mine).to_contain_text("Hôm đó tôi để quên thẻ ở nhà")

    # 3. The unit head confirms the corrective action done.
    _as(page, app_url, "head.snv")
    page.goto(f"{app_url}/supervision")
    action = page.locator("#unit-actions tr", has_text=SEEN)
    expect(action).to_be_visible(timeout=15_000)
    action.locator("[id^=confirm-]").click()
    page.locator("input[name=note]").fill("Đã nhắc nhở; đồng chí đã đeo thẻ đầy đủ.")
    page.locator("#confirm-submit").click()
    expect(action.locator("[id^=confirm-]")).to_have_count(0)

    # 4. The unit's leaderboard row counts the visit, and says why.
    after = _unit_points(page, app_url, "Sở Nội vụ")
    assert after > before
    row = page.locator("#leaderboard tbody tr", has_text="Sở Nội vụ")
    row.get_by_role("button", name=L("Why this score")).click()
    expect(page.get_by_role("dialog")).to_contain_text(L("Spot-check compliance"))
