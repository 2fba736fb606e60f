"""Issue 16, item 12: a green activity's approval or rejection is undone the same day, with a
reason, by a verifier of its branch; the points are reversed by reversal entries (nothing is
deleted), and a second approval credits again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from engagement.core.access import Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed
from engagement.green import queries as green_queries
from engagement.green import service as green
from engagement.green.models import Activity
from engagement.notify.models import Notification
from engagement.scoring.models import PointEntry
from tests import factories as f


@pytest.fixture
def w(session, now):
    org = f.small_org(session, now)
    staff = f.user(session, org.admin, now, unit_id=org.a1, username="staff.a1", name="Lê Thị Hoa",
                   union_branch_id=org.union_branch)
    union = f.user(session, org.admin, now, unit_id=org.a, username="cd.a", name="Đỗ Minh Quân",
                   role=Role.UNION_OFFICER, branch_id=org.union_branch, union_branch_id=org.union_branch)
    other = f.user(session, org.admin, now, unit_id=org.b, username="cd.b", name="Phan Văn Kiểm",
                   role=Role.UNION_OFFICER, branch_id=org.union_branch)
    campaign = f.green_campaign(session, actor=org.admin, now=now, unit_ids=[org.a])
    return org, staff, union, other, campaign


def _ledger(session, activity_id: int) -> list[int]:
    return [e.points for e in session.exec(select(PointEntry).where(
        PointEntry.source_ref.startswith(f"green-activity:{activity_id}:")).order_by(PointEntry.id))]


def test_an_approval_undone_the_same_day_reverses_its_points_and_can_be_given_again(session, now, w):
    _org, staff, union, other, campaign = w
    activity = f.green_activity(session, actor=staff, campaign_id=campaign, now=now, approve_by=union)
    credited = _ledger(session, activity)
    assert len(credited) == 1 and credited[0] > 0
    assert [r.id for r in green_queries.decided_today(session, actor=union, now=now)] == [activity]
    # Another verifier of the same branch may undo it too.
    assert green.undo_decision(session, actor=other, activity_id=activity, reason="Duyệt nhầm hoạt động",
                               now=now + timedelta(hours=2)) == "approved"
    row = session.get(Activity, activity)
    assert (row.status, row.decided_at, row.decided_by_account_id) == ("pending", None, None)
    assert _ledger(session, activity) == [credited[0], -credited[0]]  # a reversal entry, nothing deleted
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "green.activity.undo")).one()
    assert audit.entity_id == str(activity)
    told = session.exec(select(Notification).where(Notification.kind == "green.activity.reopened")).one()
    assert told.recipient_id == staff.person_id
    assert green_queries.decided_today(session, actor=union, now=now + timedelta(hours=2)) == []
    # Approved again, it is credited again (a new ref: the first credit and its reversal stay).
    green.approve_activity(session, actor=union, activity_id=activity, now=now + timedelta(hours=3))
    assert _ledger(session, activity) == [credited[0], -credited[0], credited[0]]
    assert sum(_ledger(session, activity)) == credited[0]


def test_a_rejection_undone_the_same_day_puts_the_activity_back_in_the_queue(session, now, w):
    _org, staff, union, _other, campaign = w
    activity = f.green_activity(session, actor=staff, campaign_id=campaign, now=now)
    green.reject_activity(session, actor=union, activity_id=activity, reason="Ảnh chưa rõ kết quả", now=now)
    assert green.undo_decision(session, actor=union, activity_id=activity, reason="Nhầm với hoạt động khác",
                               now=now + timedelta(hours=1)) == "rejected"
    row = session.get(Activity, activity)
    assert (row.status, row.reject_reason) == ("pending", "")
    assert _ledger(session, activity) == []
    assert [r.id for r in green_queries.verification_queue(session, actor=union).rows] == [activity]


def test_undo_is_refused_the_next_day_without_a_reason_or_to_others_and_writes_nothing(session, now, w):
    org, staff, union, _other, campaign = w
    activity = f.green_activity(session, actor=staff, campaign_id=campaign, now=now, approve_by=union)
    before = f.counts(session, PointEntry, AuditEntry, Notification)
    with pytest.raises(Invalid, match="Say why the decision is undone"):
        green.undo_decision(session, actor=union, activity_id=activity, reason="", now=now)
    with pytest.raises(Conflict, match="Only a decision taken today can be undone"):
        green.undo_decision(session, actor=union, activity_id=activity, reason="Duyệt nhầm hoạt động",
                            now=now + timedelta(days=1))
    with pytest.raises(NotAllowed):
        green.undo_decision(session, actor=staff, activity_id=activity, reason="Duyệt nhầm hoạt động", now=now)
    assert f.counts(session, PointEntry, AuditEntry, Notification) == before
    assert session.get(Activity, activity).status == "approved"
    pending = f.green_activity(session, actor=staff, campaign_id=campaign, now=now, action="Switching off")
    with pytest.raises(Conflict, match="nothing to undo"):
        green.undo_decision(session, actor=union, activity_id=pending, reason="Không có gì để hoàn tác", now=now)
    assert org  # the org fixture is used for its people
