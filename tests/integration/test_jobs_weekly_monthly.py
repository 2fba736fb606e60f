"""Weekly staff digests and monthly unit-head reviews over simulated days (SQLite / PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from engagement.commitments import service as commitments
from engagement.commitments.rules import DEFAULT_CLAUSES
from engagement.core.access import Role
from engagement.green import service as green
from engagement.green.models import Action
from engagement.jobs import digests
from engagement.jobs import rules as job_rules
from engagement.notify.models import NotifyPreference, OutboxMessage
from engagement.org.models import Person
from engagement.recognition import service as recognition
from engagement.recognition.models import RecognitionValue
from engagement.scoring import service as scoring
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 16)}))
MESSAGE = "Chị đã hướng dẫn người dân hoàn thiện hồ sơ rất tận tình và đúng hẹn."


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def world(session):
    now = at(3, 2)
    o = f.small_org(session, now)
    o.officer = f.user(session, o.admin, now, unit_id=o.root, username="officer", name="Phạm Thi Đua",
                       role=Role.EMULATION_OFFICER)
    o.giver = f.user(session, o.admin, now, unit_id=o.a, username="nv.a", name="Nguyễn Thị Mai")
    o.a1_staff = f.user(session, o.admin, now, unit_id=o.a1, username="nv.a1", name="Trịnh Văn Nam")
    o.verifier = f.user(session, o.admin, now, unit_id=o.a, username="cd.a", name="Đỗ Minh Quân",
                        role=Role.UNION_OFFICER, branch_id=o.union_branch)
    o.head_a = f.user(session, o.admin, now, unit_id=o.a, username="head.a", name="Vũ Thanh Sơn",
                      role=Role.UNIT_HEAD, role_unit_id=o.a)
    o.head_b = f.user(session, o.admin, now, unit_id=o.b, username="head.b", name="Hồ Thị Lan",
                      role=Role.UNIT_HEAD, role_unit_id=o.b)
    o.clerk = f.user(session, o.admin, now, unit_id=o.b, username="nv.b", name="Phạm Thu Hà")
    o.quiet = f.user(session, o.admin, now, unit_id=o.b, username="nv.b2", name="Lý Văn Lặng")
    for actor in (o.giver, o.verifier, o.a1_staff):
        person = session.get(Person, actor.person_id)
        person.union_branch_id = o.union_branch
        session.add(person)
    session.flush()
    recognition.install_default_values(session, now=now)
    o.value = session.exec(select(RecognitionValue.id)).first()
    session.commit()
    return o


def recognise(session, world, who, when, level="great"):
    given = recognition.give(session, actor=world.giver, person_ids=[who.person_id], message=MESSAGE,
                             value_ids=[world.value], level=level, now=when)
    session.commit()
    return given


def weekly(session, engine, when):
    session.commit()
    return digests.send_weekly_digests(engine, now=when, tz=TZ, window=WINDOW)


def monthly(session, engine, when):
    session.commit()
    return digests.send_monthly_digests(engine, now=when, tz=TZ, window=WINDOW)


def rows(session, kind, channel="in_app"):
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind,
                                                         OutboxMessage.channel == channel)
                             .order_by(OutboxMessage.id)))


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
    assert world.a1_staff.person_id not in by_person and world.giver.person_id not in by_person

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
        session.add(NotifyPreference(person_id=actor.person_id, category="digests", mode=mode, updated_at=at(3, 2)))
    clerk = session.get(Person, world.clerk.person_id)
    clerk.email = "ha.pt@tinh.gov.vn"
    session.add(clerk)
    assert weekly(session, engine, at(3, 9)) == 1
    assert [m.recipient_id for m in rows(session, digests.WEEKLY_KIND)] == [world.clerk.person_id]
    mail = rows(session, digests.WEEKLY_KIND, channel="email")
    assert [(m.recipient_id, m.to_address, m.status) for m in mail] == [
        (world.clerk.person_id, "ha.pt@tinh.gov.vn", "pending")]


def test_monthly_review_reports_each_heads_unit_once(session, engine, world):
    personal, _ = commitments.ensure_default_templates(session, actor=world.officer, now=at(3, 2))
    cid = commitments.create_campaign(
        session, actor=world.officer, year=2026, name="Cam kết 2026", template_id=personal,
        unit_ids=[world.b], opens_on="2026-03-02", due_on="2026-03-20", now=at(3, 2))
    campaign = green.create_campaign(
        session, actor=world.admin, name="Công sở xanh 2026", kind="green", starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 30), backdate_days=7, unit_ids=[world.a, world.b], target_points=20,
        target_rate=50, now=at(3, 2))
    action = session.exec(select(Action).where(Action.campaign_id == campaign,
                                               Action.name.startswith("Waste sorting"))).one()
    logged = green.log_activity(session, actor=world.a1_staff, campaign_id=campaign, action_id=action.id,
                                occurred_on=date(2026, 3, 10), now=at(3, 10))
    green.approve_activity(session, actor=world.verifier, activity_id=logged, now=at(3, 11))
    commitments.sign(session, actor=world.clerk, campaign_id=cid, ticked=list(range(1, len(DEFAULT_CLAUSES) + 1)),
                     pledges=[], typed_name=world.clerk.full_name, password=f.PASSWORD, client_ip="10.0.0.1",
                     user_agent="pytest", now=at(3, 12))
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
