"""The daily digest of approval queues: one per approver per working day, only when something waits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from engagement.core.access import Role
from engagement.green import service as green
from engagement.green.models import Action
from engagement.jobs import digests
from engagement.jobs import rules as job_rules
from engagement.notify.models import OutboxMessage
from engagement.org.models import Person
from engagement.recognition import service as recognition
from engagement.recognition.models import ThanksLink
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def world(session):
    now = at(2)
    o = f.small_org(session, now)
    o.member = f.user(session, o.admin, now, unit_id=o.a, username="nv.a", name="Nguyễn Thị Mai")
    o.verifier = f.user(session, o.admin, now, unit_id=o.a, username="cd.a", name="Đỗ Minh Quân",
                        role=Role.UNION_OFFICER, branch_id=o.union_branch)
    o.head_a = f.user(session, o.admin, now, unit_id=o.a, username="head.a", name="Vũ Thanh Sơn",
                      role=Role.UNIT_HEAD, role_unit_id=o.a)
    o.head_b = f.user(session, o.admin, now, unit_id=o.b, username="head.b", name="Hồ Thị Lan",
                      role=Role.UNIT_HEAD, role_unit_id=o.b)
    o.clerk = f.user(session, o.admin, now, unit_id=o.b, username="nv.b", name="Phạm Thu Hà")
    for actor in (o.member, o.verifier):
        person = session.get(Person, actor.person_id)
        person.union_branch_id = o.union_branch
        session.add(person)
    session.flush()
    o.campaign = green.create_campaign(
        session, actor=o.admin, name="Công sở xanh 2026", kind="green", starts_on=date(2026, 2, 1),
        ends_on=date(2026, 6, 30), backdate_days=7, unit_ids=[o.a, o.b], target_points=20,
        target_rate=50, now=now)
    recognition.install_default_values(session, now=now)
    session.commit()
    return o


def run(session, engine, when):
    session.commit()
    return digests.send_approval_digests(engine, now=when, tz=TZ, window=job_rules.SendingWindow())


def digest_rows(session):
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == digests.DIGEST_KIND,
                                                         OutboxMessage.channel == "in_app")
                             .order_by(OutboxMessage.id)))


def test_empty_queues_send_nothing(session, engine, world):
    assert run(session, engine, at(2)) == 0


def test_each_approver_gets_one_digest_a_day_listing_only_their_own_queues(session, engine, world):
    action = session.exec(select(Action).where(Action.campaign_id == world.campaign,
                                               Action.name.startswith("Waste sorting"))).one()
    green.log_activity(session, actor=world.member, campaign_id=world.campaign, action_id=action.id,
                       occurred_on=date(2026, 3, 2), now=at(2))
    recognition.ensure_unit_links(session, actor=world.head_b, unit_id=world.b, now=at(2))
    token = session.exec(select(ThanksLink.token).where(ThanksLink.person_id == world.clerk.person_id)).one()
    recognition.submit_thanks(session, token=token, attitude=5, timeliness=5, guidance=5, note="Cảm ơn chị!",
                              dossier="HS-2026-0001", answer="7", expected=7, client_ip="203.0.113.5",
                              now=at(2))
    assert run(session, engine, at(2)) == 2
    by_person = {m.recipient_id: m for m in digest_rows(session)}
    assert set(by_person) == {world.verifier.person_id, world.head_b.person_id}
    assert "1 green-office activity to verify" in by_person[world.verifier.person_id].body
    assert "citizens' note" in by_person[world.head_b.person_id].body
    assert "green" not in by_person[world.head_b.person_id].body
    assert run(session, engine, at(2, 15)) == 0   # once a day
    assert run(session, engine, at(7)) == 0       # not on Saturday
    assert run(session, engine, at(9)) == 2       # still waiting on Monday: again
