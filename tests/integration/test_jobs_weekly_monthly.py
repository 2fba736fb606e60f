"""Weekly staff digests and monthly unit-head reviews over simulated days (SQLite / PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from engagement.green import service as green
from engagement.jobs import digests
from engagement.jobs import rules as job_rules
from engagement.org.models import Person
from engagement.recognition import service as recognition
from engagement.scoring import service as scoring
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 16)}))
at = f.at  # at(month, day, hour=9): a local time in 2026, as aware UTC


@pytest.fixture
def world(session):
    """The staff org (member Mai gives the recognitions) with an officer at the root, a member of
    A1 in branch CD-A, and a quiet member of B."""
    now = at(3, 2)
    o = f.staff_org(session, now=now)
    o.officer = f.officer(session, org=o, now=now)
    o.a1_staff = f.user(session, o.admin, now, unit_id=o.a1, username="nv.a1", name="Trịnh Văn Nam",
                        union_branch_id=o.union_branch)
    o.quiet = f.user(session, o.admin, now, unit_id=o.b, username="nv.b2", name="Lý Văn Lặng")
    f.recognition_value(session, now=now)
    session.commit()
    return o


def recognise(session, world, who, when, level="great"):
    given = f.recognition(session, actor=world.member, to=[who.person_id], level=level, now=when)
    session.commit()
    return given


def weekly(session, engine, when):
    return f.run_after_commit(session, digests.send_weekly_digests, engine, now=when, tz=TZ, window=WINDOW)


def monthly(session, engine, when):
    return f.run_after_commit(session, digests.send_monthly_digests, engine, now=when, tz=TZ, window=WINDOW)


def rows(session, kind, channel="in_app"):
    return f.outbox(session, kind=kind, channel=channel)


def test_weekly_digest_goes_once_to_people_whose_week_held_something(session, engine, world):
    recognise(session, world, world.clerk, at(3, 3))
    recognise(session, world, world.clerk, at(3, 5, 16), level="thanks")
    revoked = recognise(session, world, world.a1_staff, at(3, 4))
    recognition.revoke(session, actor=world.officer, recognition_id=revoked.id,
                       reason="Given by mistake to the wrong colleague", now=at(3, 6))
    recognise(session, world, world.quiet, at(3, 9, 8))         # this week: next digest
    scoring.adjust(session, actor=world.officer, person_id=world.head_b.person_id, points=-3,
                   reason="Late report to the province", now=at(3, 4))
    session.commit()

    assert weekly(session, engine, at(3, 7)) == 0               # Saturday: nothing
    assert weekly(session, engine, at(3, 9, 6)) == 0            # Monday, quiet hours
    assert weekly(session, engine, at(3, 9)) == 2
    by_person = {m.recipient_id: m for m in rows(session, digests.WEEKLY_KIND)}
    assert set(by_person) == {world.clerk.person_id, world.head_b.person_id}
    clerk = by_person[world.clerk.person_id]
    assert clerk.period == "2026-W10" and clerk.title.startswith("Your week: 2 recognitions, +")
    assert "Great work from Nguyễn Thị Mai" in clerk.body and "Thank you from Nguyễn Thị Mai" in clerk.body
    assert "02/03 – 08/03/2026" in clerk.body and clerk.link == "/recognition"
    head = by_person[world.head_b.person_id]
    assert head.title == "Your week: -3 points" and "-3 this week; -3 in 2026-03" in head.body
    assert head.link == "/leaderboards"
    # the revoked recognition is not news, and nobody hears about a quiet week
    assert world.a1_staff.person_id not in by_person and world.member.person_id not in by_person

    assert weekly(session, engine, at(3, 9, 15)) == 0           # once a week
    assert weekly(session, engine, at(3, 10)) == 0
    # the next week: the holiday Monday is skipped, Tuesday sends the week of the 9th
    assert weekly(session, engine, at(3, 16)) == 0
    assert weekly(session, engine, at(3, 17)) == 1
    latest = rows(session, digests.WEEKLY_KIND)[-1]
    assert (latest.recipient_id, latest.period) == (world.quiet.person_id, "2026-W11")


def test_weekly_digest_follows_preferences(session, engine, world):
    recognise(session, world, world.clerk, at(3, 3))
    recognise(session, world, world.quiet, at(3, 3))
    for actor, mode in ((world.clerk, "email"), (world.quiet, "off")):
        f.preference(session, actor=actor, category="digests", mode=mode, now=at(3, 2))
    clerk = session.get(Person, world.clerk.person_id)
    clerk.email = "ha.pt@tinh.gov.vn"
    session.add(clerk)
    assert weekly(session, engine, at(3, 9)) == 1
    assert [m.recipient_id for m in rows(session, digests.WEEKLY_KIND)] == [world.clerk.person_id]
    mail = rows(session, digests.WEEKLY_KIND, channel="email")
    assert [(m.recipient_id, m.to_address, m.status) for m in mail] == [
        (world.clerk.person_id, "ha.pt@tinh.gov.vn", "pending")]


def test_monthly_review_reports_each_heads_unit_once(session, engine, world):
    cid = f.commitment_campaign(session, actor=world.officer, unit_ids=[world.b], opens_on="2026-03-02",
                                due_on="2026-03-20", now=at(3, 2))
    campaign = f.green_campaign(session, actor=world.admin, starts_on=date(2026, 3, 1), unit_ids=[world.a, world.b],
                                target_points=20, target_rate=50, now=at(3, 2))
    logged = f.green_activity(session, actor=world.a1_staff, campaign_id=campaign, on=date(2026, 3, 10),
                              now=at(3, 10))
    green.approve_activity(session, actor=world.verifier, activity_id=logged, now=at(3, 11))
    f.signature(session, actor=world.clerk, campaign_id=cid, now=at(3, 12))
    session.commit()
    recognise(session, world, world.clerk, at(3, 3))
    recognise(session, world, world.quiet, at(3, 12))
    recognise(session, world, world.a1_staff, at(4, 1))  # April: not in March

    assert monthly(session, engine, at(3, 31)) == 0             # not yet the new month
    assert monthly(session, engine, at(4, 1, 21)) == 0          # quiet hours
    assert monthly(session, engine, at(4, 1)) == 2
    by_head = {m.recipient_id: m for m in rows(session, digests.MONTHLY_KIND)}
    assert set(by_head) == {world.head_a.person_id, world.head_b.person_id}
    a, b = by_head[world.head_a.person_id], by_head[world.head_b.person_id]
    assert a.period == b.period == "2026-03"
    assert a.title == "Phòng Tổ chức: your month in review (March 2026)"
    assert "Green-office activities approved: 1" in a.body and "Recognition received: 0" in a.body
    assert "Cam kết 2026" not in a.body                          # unit A is not in its audience
    assert "Recognition received: 2" in b.body and "Green-office activities approved: 0" in b.body
    assert "Cam kết 2026: 1 of 3 signed or exempted (33%), 2 not yet" in b.body
    assert " of 2 units at its level" in a.body and "(4 members)" in a.body
    assert monthly(session, engine, at(4, 2)) == 0              # once a month
    assert monthly(session, engine, at(5, 12)) == 0             # April's is too late after the 10th
