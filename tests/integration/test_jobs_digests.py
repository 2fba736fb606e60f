"""The daily digest of approval queues: one per approver per working day, only when something waits."""

from __future__ import annotations

import functools

import pytest

from engagement.jobs import digests
from engagement.jobs import rules as job_rules
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz
at = functools.partial(f.at, 3)  # at(day, hour=9): a local time in March 2026, as aware UTC


@pytest.fixture
def world(session):
    """The staff org in a green campaign of units A and B, with the default recognition values."""
    now = at(2)
    o = f.staff_org(session, now=now)
    o.campaign = f.green_campaign(session, actor=o.admin, unit_ids=[o.a, o.b], target_points=20,
                                  target_rate=50, now=now)
    f.recognition_value(session, now=now)
    session.commit()
    return o


def run(session, engine, when):
    return f.run_after_commit(session, digests.send_approval_digests, engine, now=when, tz=TZ,
                              window=job_rules.SendingWindow())


def digest_rows(session):
    return f.outbox(session, kind=digests.DIGEST_KIND, channel="in_app")


def test_empty_queues_send_nothing(session, engine, world):
    assert run(session, engine, at(2)) == 0


def test_each_approver_gets_one_digest_a_day_listing_only_their_own_queues(session, engine, world):
    f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=at(2))  # on 2 March
    token = f.thanks_token(session, actor=world.head_b, person_id=world.clerk.person_id, now=at(2))
    f.citizen_thanks(session, token=token, note="Cảm ơn chị!", now=at(2))
    assert run(session, engine, at(2)) == 2
    by_person = {m.recipient_id: m for m in digest_rows(session)}
    assert set(by_person) == {world.verifier.person_id, world.head_b.person_id}
    assert "1 green-office activity to verify" in by_person[world.verifier.person_id].body
    assert "citizens' note" in by_person[world.head_b.person_id].body
    assert "green" not in by_person[world.head_b.person_id].body
    assert run(session, engine, at(2, 15)) == 0   # once a day
    assert run(session, engine, at(7)) == 0       # not on Saturday
    assert run(session, engine, at(9)) == 2       # still waiting on Monday: again
