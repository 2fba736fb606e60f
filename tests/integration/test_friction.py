"""Issue 16: what people tripped over, each bug with the test that failed before its fix."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from sqlmodel import select

from engagement.commitments import queries as commitments_queries
from engagement.commitments import service as commitments
from engagement.commitments.models import Campaign, Signature
from engagement.core.access import Role
from engagement.core.errors import Conflict, Invalid
from engagement.green import service as green
from engagement.green.models import Activity, RosterDuty
from engagement.notify.models import Notification
from tests import factories as f

SCAN = f.png(size=(50, 50), color=(255, 255, 255))


class World:
    """The small org (ROOT > A > A1, ROOT > B) with an officer, staff in A1 and in B, a union officer."""

    def __init__(self, session, now):
        org = f.small_org(session, now)
        self.org = org
        self.officer = f.officer(session, org=org, now=now)
        self.staff = f.user(session, org.admin, now, unit_id=org.a1, username="staff.a1", name="Lê Thị Hoa",
                            union_branch_id=org.union_branch)
        self.staff_b = f.user(session, org.admin, now, unit_id=org.b, username="staff.b", name="Hồ Văn Bình")
        self.union = f.user(session, org.admin, now, unit_id=org.a, username="cd.a", name="Đỗ Minh Quân",
                            role=Role.UNION_OFFICER, branch_id=org.union_branch, union_branch_id=org.union_branch)
        self.paper_person = f.person(session, org.admin, now, unit_id=org.a1, name="Ngô Thị Giấy")
        self.campaign = partial(f.commitment_campaign, actor=self.officer)


@pytest.fixture
def w(session, now):
    return World(session, now)


# --- 3. overlapping campaigns -----------------------------------------------------------------


def test_a_second_campaign_for_people_already_covered_that_year_is_refused_naming_the_first(session, now, w):
    w.campaign(session, now=now, unit_ids=[w.org.root], name="Cam kết toàn tỉnh 2026")
    before = f.count(session, Campaign)
    with pytest.raises(Conflict, match="“Cam kết toàn tỉnh 2026” already asks some of these people"):
        w.campaign(session, now=now, unit_ids=[w.org.a], name="Cam kết Phòng Tổ chức")
    assert f.count(session, Campaign) == before
    # Another year, or people the first campaign does not cover, are fine.
    assert w.campaign(session, now=now, unit_ids=[w.org.a], year=2027, name="Cam kết 2027")


def test_campaigns_for_separate_units_or_positions_do_not_overlap(session, now, w):
    w.campaign(session, now=now, unit_ids=[w.org.a], name="Phòng A")
    assert w.campaign(session, now=now, unit_ids=[w.org.b], name="Phòng B")
    with pytest.raises(Conflict, match="“Phòng A”"):
        w.campaign(session, now=now, unit_ids=[w.org.a1], name="Tổ A1")  # inside A
    w.campaign(session, now=now, unit_ids=[w.org.root], year=2028, name="Lãnh đạo", positions="Giám đốc")
    assert w.campaign(session, now=now, unit_ids=[w.org.root], year=2028, name="Chuyên viên",
                      positions="Chuyên viên")
    with pytest.raises(Conflict, match="“Lãnh đạo”"):
        w.campaign(session, now=now, unit_ids=[w.org.a], year=2028, name="Mọi người")  # no filter: everyone


# --- 4. dates in the past ---------------------------------------------------------------------


def test_a_campaign_in_the_past_is_refused_as_such(session, now, w):
    with pytest.raises(Invalid) as refused:
        w.campaign(session, now=now, unit_ids=[w.org.a], year=2020, opens_on="2020-01-05", due_on="2020-02-28")
    assert "in the past" in refused.value.message and "28/02/2020" in refused.value.message
    assert "after the opening date" not in refused.value.message
    assert refused.value.fields == {"due_on": "In the past"}
    # Dates in the future in the wrong order still get the order message.
    with pytest.raises(Invalid, match="after the opening date"):
        w.campaign(session, now=now, unit_ids=[w.org.a], opens_on=10, due_on=5)


# --- 10. over-long text refused, never cut ----------------------------------------------------


def test_an_over_long_campaign_name_or_positions_list_is_refused_with_its_limit(session, now, w):
    with pytest.raises(Invalid, match="campaign name is too long: at most 200 characters, you typed 201"):
        w.campaign(session, now=now, unit_ids=[w.org.a], name="x" * 201)
    with pytest.raises(Invalid, match="list of positions is too long: at most 5000"):
        w.campaign(session, now=now, unit_ids=[w.org.a], positions="Chuyên viên\n" * 600)
    assert f.count(session, Campaign) == 0


def test_an_over_long_green_note_or_rejection_reason_is_refused(session, now, w):
    campaign = f.green_campaign(session, actor=w.org.admin, now=now, unit_ids=[w.org.a])
    action = f.green_action(session, campaign_id=campaign)
    with pytest.raises(Invalid, match="note is too long: at most 1000 characters, you typed 1001"):
        green.log_activity(session, actor=w.staff, campaign_id=campaign, action_id=action.id,
                           occurred_on=date(2026, 3, 2), participant_ids=[], note="n" * 1001, impact_amount=None,
                           photo=f.png(), photo_name="p", now=now)
    assert f.count(session, Activity) == 0
    activity = f.green_activity(session, actor=w.staff, campaign_id=campaign, now=now)
    with pytest.raises(Invalid, match="reason is too long: at most 500"):
        green.reject_activity(session, actor=w.union, activity_id=activity, reason="r" * 501, now=now)
    assert session.get(Activity, activity).status == "pending"


# --- 12. notices done when the thing is done; a rejection tells its author ---------------------


def test_signing_marks_the_waiting_for_signature_notice_done(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    for kind in ("commitments.reminder", "recognition.received"):
        session.add(Notification(recipient_id=w.staff.person_id, category="commitments", kind=kind,
                                 subject_ref="commitments", title="Waiting", created_at=now))
    session.flush()
    f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    notices = {n.kind: n.read_at for n in session.exec(
        select(Notification).where(Notification.recipient_id == w.staff.person_id))}
    assert notices["commitments.reminder"] is not None
    assert notices["recognition.received"] is None  # only what signing did


def test_the_reminder_kind_signing_settles_is_the_one_the_scheduler_sends():
    from engagement.jobs.reminders import REMINDER_KIND

    assert REMINDER_KIND in commitments.SIGN_REMINDER_KINDS


def test_a_rejected_green_activity_notifies_its_author_with_the_reason(session, now, w):
    campaign = f.green_campaign(session, actor=w.org.admin, now=now, unit_ids=[w.org.a])
    activity = f.green_activity(session, actor=w.staff, campaign_id=campaign, now=now)
    green.reject_activity(session, actor=w.union, activity_id=activity, reason="Ảnh chưa thấy kết quả dọn dẹp",
                          now=now)
    notice = session.exec(select(Notification).where(Notification.recipient_id == w.staff.person_id,
                                                     Notification.kind == "green.activity.rejected")).one()
    assert "not accepted" in notice.title and "Ảnh chưa thấy kết quả dọn dẹp" in notice.body


# --- 13. duty rosters on working days ---------------------------------------------------------


def test_duty_rosters_skip_public_holidays_and_weekends(session, now, w):
    # Fridays from 25/12/2026 to 22/01/2027: 01/01/2027 is New Year's Day.
    rid = f.green_roster(session, actor=w.union, branch_id=w.org.union_branch, now=now, weekday=4,
                         starts_on=date(2026, 12, 25), ends_on=date(2027, 1, 22))
    days = sorted({d.on_date for d in session.exec(select(RosterDuty).where(RosterDuty.roster_id == rid))})
    assert date(2027, 1, 1) not in days
    assert days == [date(2026, 12, 25), date(2027, 1, 8), date(2027, 1, 15), date(2027, 1, 22)]
    with pytest.raises(Invalid, match="No working day falls on this weekday"):
        f.green_roster(session, actor=w.union, branch_id=w.org.union_branch, now=now, weekday=5)  # Saturdays


# --- 14. exception due dates within the campaign's year ---------------------------------------


def test_an_exception_due_date_after_the_campaigns_year_is_refused(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    with pytest.raises(Invalid, match="within the campaign's year: at the latest 31/12/2026"):
        commitments.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.staff.person_id,
                                  reason="Nghỉ ốm dài ngày", due_on="2031-01-31", now=now)
    commitments.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.staff.person_id,
                              reason="Nghỉ ốm dài ngày", due_on="2026-12-31", now=now)


# --- 15. paper signatures keep and show the paper's date --------------------------------------


def test_a_paper_date_before_the_campaign_opened_is_refused(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    with pytest.raises(Invalid, match=r"before the campaign opened on 02/03/2026"):
        commitments.record_paper_signature(session, actor=w.officer, campaign_id=cid,
                                           person_id=w.paper_person, reason="Không có tài khoản", scan=SCAN,
                                           scan_name="ban-giay", signed_on="2026-02-20", now=now)
    assert f.count(session, Signature) == 0


def test_the_paper_date_is_kept_and_shown(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    later = now + timedelta(days=5)
    commitments.record_paper_signature(session, actor=w.officer, campaign_id=cid, person_id=w.paper_person,
                                       reason="Không có tài khoản", scan=SCAN, scan_name="ban-giay",
                                       signed_on="2026-03-03", now=later)
    sig = session.exec(select(Signature).where(Signature.person_id == w.paper_person)).one()
    assert sig.paper_signed_on == date(2026, 3, 3)
    rows = commitments_queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a, now=later).rows
    row = next(r for r in rows if r.person_id == w.paper_person)
    assert row.paper_on == "03/03/2026"
    public = commitments_queries.public_signature(session, reference=sig.code)
    assert public.signed_on == "03/03/2026"


# --- 12. moderation asks why, and can be undone the same day ----------------------------------


def test_rejecting_a_citizens_note_needs_a_reason_and_can_be_undone_the_same_day(session, now):
    from engagement.recognition import queries as recognition_queries
    from engagement.recognition import service as recognition
    from engagement.recognition.models import CitizenThanks

    org = f.recognition_org(session, now=now)
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, note="Cán bộ hướng dẫn rất tận tình")
    note = session.exec(select(CitizenThanks)).one()
    with pytest.raises(Invalid, match="Say why the note is not shown"):
        recognition.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=False, now=now)
    assert session.get(CitizenThanks, note.id).status == "pending"
    recognition.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=False, now=now,
                                reason="Bấm nhầm")
    rejected, _ = recognition_queries.thanks_for_moderation(session, actor=org.head_b, status="rejected", now=now)
    assert rejected[0].reason == "Bấm nhầm" and rejected[0].can_undo
    recognition.undo_rejection(session, actor=org.head_b, thanks_id=note.id, now=now + timedelta(hours=3))
    assert session.get(CitizenThanks, note.id).status == "pending"
    # Rejected again, it cannot be put back the next day.
    recognition.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=False, now=now,
                                reason="Nội dung quảng cáo")
    with pytest.raises(Conflict, match="Only a note rejected today"):
        recognition.undo_rejection(session, actor=org.head_b, thanks_id=note.id, now=now + timedelta(days=1))
    later, _ = recognition_queries.thanks_for_moderation(session, actor=org.head_b, status="rejected",
                                                         now=now + timedelta(days=1))
    assert not later[0].can_undo


def _person_points(session, person_id: int) -> int:
    import sqlalchemy as sa

    from engagement.scoring.models import PointEntry

    return session.exec(select(sa.func.coalesce(sa.func.sum(PointEntry.points), 0))
                        .where(PointEntry.person_id == person_id)).one()


def test_an_approval_of_a_citizens_note_can_be_withdrawn_the_same_day_with_a_reason(session, now):
    from engagement.recognition import queries as recognition_queries
    from engagement.recognition import service as recognition
    from engagement.recognition.models import CitizenThanks

    org = f.recognition_org(session, now=now)
    person_id = org.taker.person_id
    token = f.thanks_token(session, actor=org.head_b, person_id=person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, note="Cán bộ hướng dẫn rất tận tình")
    note = session.exec(select(CitizenThanks)).one()
    before = _person_points(session, person_id)
    recognition.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=True, now=now)
    earned = _person_points(session, person_id) - before
    assert earned > 0
    approved, _ = recognition_queries.thanks_for_moderation(session, actor=org.head_b, status="approved", now=now)
    assert approved[0].can_undo

    with pytest.raises(Invalid, match="Say why the approval is withdrawn"):
        recognition.undo_approval(session, actor=org.head_b, thanks_id=note.id, reason="", now=now)
    assert session.get(CitizenThanks, note.id).status == "approved"

    later = now + timedelta(hours=2)
    recognition.undo_approval(session, actor=org.head_b, thanks_id=note.id, reason="Duyệt nhầm ghi chú", now=later)
    assert session.get(CitizenThanks, note.id).status == "pending"
    assert _person_points(session, person_id) == before  # taken back by a reversal entry
    told = session.exec(select(Notification).where(Notification.recipient_id == person_id,
                                                   Notification.kind == "thanks.withdrawn")).one()
    assert "Duyệt nhầm ghi chú" in told.body
    with pytest.raises(Conflict, match="Only a note approved today"):
        recognition.undo_approval(session, actor=org.head_b, thanks_id=note.id, reason="Lần nữa", now=later)

    # Approved again, it earns again (a new ledger ref); the next day the approval stays.
    recognition.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=True, now=later)
    assert _person_points(session, person_id) == before + earned
    with pytest.raises(Conflict, match="Only a note approved today"):
        recognition.undo_approval(session, actor=org.head_b, thanks_id=note.id, reason="Quá muộn",
                                  now=later + timedelta(days=1))
    assert _person_points(session, person_id) == before + earned


def test_a_closed_campaign_can_be_reopened_the_same_day(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    commitments.close_campaign(session, actor=w.officer, campaign_id=cid, now=now)
    commitments.open_campaign(session, actor=w.officer, campaign_id=cid, now=now + timedelta(hours=1))
    assert session.get(Campaign, cid).closed_at is None


# --- units and people told apart --------------------------------------------------------------


def test_units_of_the_same_name_are_told_apart_by_their_parent(session, now, w):
    from engagement.org import labels
    from engagement.org import queries as org_queries
    from engagement.recognition import queries as recognition_queries
    from engagement.ui.kit import unit_options

    office_a = f.unit(session, w.org.admin, now, parent_id=w.org.a, name="Văn phòng", code="VP-A")
    office_b = f.unit(session, w.org.admin, now, parent_id=w.org.b, name="Văn phòng", code="VP-B")
    shown = labels.unit_labels(session, [office_a, office_b, w.org.a, w.org.root])
    assert shown[office_a] == "Văn phòng · Phòng Tổ chức" and shown[office_b] == "Văn phòng · Phòng Tài chính"
    assert shown[w.org.a] == "Phòng Tổ chức"  # under the top: alone
    options = {o.value: o.label.strip() for o in unit_options(
        org_queries.unit_tree(session, actor=w.org.admin, include_inactive=False), with_code=False)}
    assert options[str(office_a)] == "Văn phòng · Phòng Tổ chức"
    # Two people of the same name: the picker says which is which, my own unit's first.
    mine = f.person(session, w.org.admin, now, unit_id=office_b, name="Vũ Thu Hoa")
    other = f.person(session, w.org.admin, now, unit_id=office_a, name="Vũ Thu Hoa")
    me = f.user(session, w.org.admin, now, unit_id=office_b, username="me.b", name="Đặng Văn Tôi")
    found = recognition_queries.find_colleagues(session, actor=me, text="vu thu hoa")
    assert found == [(mine, "Vũ Thu Hoa — Văn phòng · Phòng Tài chính"),
                     (other, "Vũ Thu Hoa — Văn phòng · Phòng Tổ chức")]
    officer_view = org_queries.search_people(session, actor=w.officer, text="vu thu hoa").rows
    assert {r.unit_name for r in officer_view} == {"Văn phòng · Phòng Tài chính", "Văn phòng · Phòng Tổ chức"}


# --- small features: "Remind now", once a day per person ---------------------------------------


def test_remind_now_reaches_the_unsigned_once_a_day(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    other = f.user(session, w.org.admin, now, unit_id=w.org.a, username="other.a", name="Phan Văn Chưa")
    f.signature(session, actor=w.staff, campaign_id=cid, now=now)  # signed: not reminded
    assert commitments.remind_now(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a, now=now) >= 1
    mine = session.exec(select(Notification).where(Notification.recipient_id == other.person_id,
                                                   Notification.kind == commitments.REMIND_NOW_KIND)).all()
    assert len(mine) == 1 and mine[0].link.endswith(f"/commitments/sign/{cid}")
    assert not session.exec(select(Notification).where(Notification.recipient_id == w.staff.person_id,
                                                       Notification.kind == commitments.REMIND_NOW_KIND)).all()
    # The same day, a second press reminds nobody again.
    assert commitments.remind_now(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a,
                                  now=now + timedelta(hours=2)) == 0
    # Signing settles the reminder.
    f.signature(session, actor=other, campaign_id=cid, now=now + timedelta(hours=3))
    assert session.get(Notification, mine[0].id).read_at is not None


def test_remind_now_is_refused_to_staff(session, now, w):
    from engagement.core.errors import NotAllowed

    cid = w.campaign(session, now=now, unit_ids=[w.org.a])
    with pytest.raises(NotAllowed):
        commitments.remind_now(session, actor=w.staff, campaign_id=cid, unit_id=w.org.a, now=now)
