"""Green-office campaigns: every rule, through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from engagement.core.access import Actor, Role
from engagement.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from engagement.core.files import StoredFile
from engagement.green import queries, rules, service
from engagement.green.models import Action, Activity, RosterDuty
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

TODAY = date(2026, 3, 2)  # the `now` fixture, in Hanoi


@dataclass
class World:
    admin: Actor
    member: Actor  # unit A, union branch CD-A
    colleague: Actor  # unit A1 (under A), union branch CD-A
    outsider: Actor  # unit B, no branch
    officer: Actor  # union officer of CD-A, unit A
    head_b: Actor  # unit head of B
    a: int
    a1: int
    b: int
    branch: int
    campaign: int


@pytest.fixture
def world(session, now) -> World:
    org = f.small_org(session, now)
    admin = org.admin
    member = f.user(session, admin, now, unit_id=org.a, username="nv.a", name="Nguyễn Thị Mai",
                    union_branch_id=org.union_branch)
    colleague = f.user(session, admin, now, unit_id=org.a1, username="nv.a1", name="Lê Văn Hùng",
                       union_branch_id=org.union_branch)
    outsider = f.user(session, admin, now, unit_id=org.b, username="nv.b", name="Phạm Thu Hà")
    officer = f.user(session, admin, now, unit_id=org.a, username="cd.a", name="Đỗ Minh Quân",
                     role=Role.UNION_OFFICER, branch_id=org.union_branch, union_branch_id=org.union_branch)
    head_b = f.user(session, admin, now, unit_id=org.b, username="head.b", name="Vũ Thanh Sơn",
                    role=Role.UNIT_HEAD, role_unit_id=org.b)
    # "Công sở xanh 2026", 1 February to 30 June 2026
    campaign = f.green_campaign(session, actor=admin, now=now, unit_ids=[org.a, org.b], backdate_days=7,
                                target_points=20, target_rate=50)
    return World(admin, member, colleague, outsider, officer, head_b, org.a, org.a1, org.b,
                 org.union_branch, campaign)


def _progress(session, w: World, unit_id: int):
    rows = queries.unit_progress(session, actor=w.member, campaign_id=w.campaign)
    return next(r for r in rows if r.unit_id == unit_id)


# --- campaigns -------------------------------------------------------------------------------


def test_campaigns_ship_with_default_catalogues(session, now, world):
    rows = queries.actions(session, actor=world.member, campaign_id=world.campaign)
    names = [r.name for r in rows]
    assert "Weekly workplace cleaning" in names and "Waste sorting at source" in names
    cleaning = next(r for r in rows if r.name == "Weekly workplace cleaning")
    assert cleaning.photo_required and cleaning.limit_text == "once a week"
    volunteer = f.green_campaign(session, actor=world.admin, now=now, name="Mùa hè xanh", kind="volunteer",
                                 starts_on=date(2026, 6, 1), ends_on=date(2026, 8, 31))
    v_names = [r.name for r in queries.actions(session, actor=world.member, campaign_id=volunteer)]
    assert "Volunteer hours in the community" in v_names
    # With no units named, the top-level units (A and B under ROOT) take part.
    progress = queries.unit_progress(session, actor=world.member, campaign_id=volunteer)
    assert {r.unit_id for r in progress} == {world.a, world.b}


def test_staff_cannot_create_a_campaign_and_bad_dates_are_refused(session, now, world):
    with pytest.raises(NotAllowed):
        f.green_campaign(session, actor=world.member, now=now, name="X", starts_on=TODAY, ends_on=TODAY)
    with pytest.raises(Invalid, match="end date is before"):
        f.green_campaign(session, actor=world.admin, now=now, name="X", starts_on=TODAY,
                         ends_on=TODAY - timedelta(days=1))
    with pytest.raises(Invalid, match="Back-dating"):
        f.green_campaign(session, actor=world.admin, now=now, name="X", starts_on=TODAY, ends_on=TODAY,
                         backdate_days=400)


def test_unit_targets_are_set_by_officers_only(session, now, world):
    service.set_unit_target(session, actor=world.admin, campaign_id=world.campaign, unit_id=world.b,
                            target_points=5, target_rate=80, now=now)
    assert _progress(session, world, world.b).target_points == 5
    with pytest.raises(NotAllowed):
        service.set_unit_target(session, actor=world.head_b, campaign_id=world.campaign, unit_id=world.b,
                                target_points=1, target_rate=1, now=now)
    with pytest.raises(Invalid):
        service.set_unit_target(session, actor=world.admin, campaign_id=world.campaign, unit_id=world.b,
                                target_points=5, target_rate=120, now=now)


# --- logging rules ---------------------------------------------------------------------------


def test_activity_date_must_be_inside_the_back_dating_window(session, now, world):
    assert f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                            on=TODAY - timedelta(days=7))
    with pytest.raises(Invalid, match="up to 7 day"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now, on=TODAY - timedelta(days=8))
    with pytest.raises(Invalid, match="future"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now, on=TODAY + timedelta(days=1))


def test_activity_outside_the_campaign_dates_is_refused(session, now, world):
    early = f.green_campaign(session, actor=world.admin, now=now, name="Tháng 2", ends_on=date(2026, 2, 28),
                             backdate_days=30, unit_ids=[world.a])
    action = session.exec(select(Action).where(Action.campaign_id == early)).first()
    with pytest.raises(Invalid, match="outside it"):
        service.log_activity(session, actor=world.member, campaign_id=early, action_id=action.id,
                             occurred_on=TODAY, now=now)


def test_once_a_day_limit_counts_pending_and_approved_but_not_rejected(session, now, world):
    first = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    with pytest.raises(Invalid, match="once a day"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    assert f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                            on=TODAY - timedelta(days=1))
    service.reject_activity(session, actor=world.officer, activity_id=first, reason="Ảnh không rõ, chụp lại",
                            now=now)
    # the rejected one no longer uses up the day
    assert f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)


def test_weekly_limit_spans_the_calendar_week(session, now, world):
    photo = f.png()
    f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                     action="Weekly workplace cleaning", photo=photo)
    with pytest.raises(Invalid, match="once a week"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         action="Weekly workplace cleaning", photo=photo, on=TODAY)
    # 1 March 2026 is the Sunday of the previous week.
    assert f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                            action="Weekly workplace cleaning", photo=photo, on=TODAY - timedelta(days=1))


def test_group_activity_credits_each_participant_and_checks_each_limit(session, now, world):
    group = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                             participant_ids=[world.colleague.person_id])
    with pytest.raises(Invalid, match="Lê Văn Hùng already logged"):
        f.green_activity(session, actor=world.officer, campaign_id=world.campaign, now=now,
                         participant_ids=[world.colleague.person_id])
    service.approve_activity(session, actor=world.officer, activity_id=group, now=now)
    a = _progress(session, world, world.a)
    points = f.green_action(session, campaign_id=world.campaign, name="Waste sorting").points
    assert a.points == 2 * points  # the logger and the colleague (in sub-unit A1) are credited
    assert a.active_members == 2


def test_participant_outside_unit_and_branch_is_refused(session, now, world):
    with pytest.raises(Invalid, match="not in your unit or your branch"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         participant_ids=[world.outsider.person_id])


def test_colleague_of_the_branch_in_a_unit_outside_the_campaign_is_not_credited(session, now, world):
    outside = f.unit(session, world.admin, now, parent_id=None, name="Ban Dân tộc", code="BDT")
    member = f.user(session, world.admin, now, unit_id=outside, username="nv.bdt", name="Hà Thị Thu",
                    union_branch_id=world.branch)
    with pytest.raises(Invalid, match="Hà Thị Thu's unit does not take part"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         participant_ids=[member.person_id])


def test_member_of_a_unit_outside_the_campaign_cannot_log(session, now, world):
    only_b = f.green_campaign(session, actor=world.admin, now=now, name="Chỉ B", unit_ids=[world.b])
    action = session.exec(select(Action).where(Action.campaign_id == only_b)).first()
    with pytest.raises(NotAllowed, match="does not take part"):
        service.log_activity(session, actor=world.member, campaign_id=only_b, action_id=action.id,
                             occurred_on=TODAY, now=now)


def test_action_of_another_campaign_is_refused(session, now, world):
    other = f.green_campaign(session, actor=world.admin, now=now, name="Khác", kind="volunteer")
    foreign = session.exec(select(Action).where(Action.campaign_id == other)).first()
    with pytest.raises(NotFound):
        service.log_activity(session, actor=world.member, campaign_id=world.campaign, action_id=foreign.id,
                             occurred_on=TODAY, now=now)


def test_anonymous_cannot_log(session, now, world):
    with pytest.raises(NotAllowed):
        service.log_activity(session, actor=None, campaign_id=world.campaign, action_id=1, occurred_on=TODAY,
                             now=now)


# --- photos ----------------------------------------------------------------------------------


def test_photo_required_action_needs_a_photo(session, now, world):
    with pytest.raises(Invalid, match="needs a photo"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         action="Weekly workplace cleaning")


def test_broken_and_fake_images_get_a_clear_message(session, now, world):
    with pytest.raises(Invalid, match="not a photo"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         action="Weekly workplace cleaning", photo=b"%PDF-1.4 not an image",
             photo_name="cleaning.jpg")
    with pytest.raises(Invalid, match="damaged"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         action="Weekly workplace cleaning", photo=f.png()[:60])
    assert session.exec(select(Activity)).all() == []


def test_oversized_photo_is_refused_with_the_limit(session, now, world):
    with pytest.raises(Invalid, match="the limit is 10 MB"):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                         action="Weekly workplace cleaning", photo=b"\x89PNG" + b"0" * (11 * 1048576))


def test_photo_is_reencoded_without_metadata(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                           action="Weekly workplace cleaning", photo=f.png(exif=True))
    stored = session.get(StoredFile, session.get(Activity, aid).photo_file_id)
    assert stored.content_type == "image/jpeg" and stored.purpose == rules.PHOTO_PURPOSE
    assert b"SecretCam" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_photo_is_visible_only_to_people_who_may_see_the_unit(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                           action="Weekly workplace cleaning", photo=f.png())
    stored = session.get(StoredFile, session.get(Activity, aid).photo_file_id)
    assert queries.may_see_photo(session, world.member, stored)
    assert queries.may_see_photo(session, world.officer, stored)  # the branch's union officer
    assert queries.may_see_photo(session, world.admin, stored)
    assert not queries.may_see_photo(session, world.outsider, stored)  # another unit
    assert not queries.may_see_photo(session, world.head_b, stored)  # head of another unit
    assert not queries.may_see_photo(session, None, stored)


# --- verification ----------------------------------------------------------------------------


def test_only_approved_activities_count_towards_progress(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    assert _progress(session, world, world.a).points == 0
    queue = queries.verification_queue(session, actor=world.officer)
    assert [r.id for r in queue.rows] == [aid]
    service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)
    a = _progress(session, world, world.a)
    assert a.points == f.green_action(session, campaign_id=world.campaign, name="Waste sorting").points
    assert queries.verification_queue(session, actor=world.officer).total == 0


def test_rejection_needs_a_reason_the_member_sees(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    with pytest.raises(Invalid, match="reason"):
        service.reject_activity(session, actor=world.officer, activity_id=aid, reason=" ", now=now)
    service.reject_activity(session, actor=world.officer, activity_id=aid,
                            reason="Thiếu ảnh khu vực phân loại rác", now=now)
    mine = queries.my_activities(session, actor=world.member)
    assert mine.rows[0].status == "rejected"
    assert mine.rows[0].reject_reason == "Thiếu ảnh khu vực phân loại rác"
    assert _progress(session, world, world.a).points == 0


def test_only_the_branch_officer_may_verify(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    with pytest.raises(NotAllowed):
        service.approve_activity(session, actor=world.member, activity_id=aid, now=now)
    with pytest.raises(NotAllowed):
        service.approve_activity(session, actor=world.head_b, activity_id=aid, now=now)
    other_branch = f.user(session, world.admin, now, unit_id=world.b, username="cd.b",
                                  role=Role.UNION_OFFICER, branch_id=_other_branch(session, world, now))
    with pytest.raises(NotFound):
        service.approve_activity(session, actor=other_branch, activity_id=aid, now=now)
    assert queries.verification_queue(session, actor=other_branch).total == 0
    service.approve_activity(session, actor=world.admin, activity_id=aid, now=now)  # org-wide officer


def _other_branch(session, world: World, now) -> int:
    from engagement.org import service as org_service

    return org_service.create_branch(session, actor=world.admin, kind="union", code="CD-B",
                                     name="Công đoàn Phòng Tài chính", unit_id=world.b, now=now)


def test_officer_cannot_verify_an_activity_they_took_part_in(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                           participant_ids=[world.officer.person_id])
    with pytest.raises(NotAllowed, match="another officer"):
        service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)


def test_a_decision_is_made_once(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)
    with pytest.raises(Conflict):
        service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)


def test_spot_check_samples_approved_activities_and_can_revoke(session, now, world):
    approved = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                                approve_by=world.officer)
    pending = f.green_activity(session, actor=world.colleague, campaign_id=world.campaign, now=now)
    sample = queries.spot_check_sample(session, actor=world.officer, size=5)
    assert [r.id for r in sample] == [approved]
    assert pending not in [r.id for r in sample]
    with pytest.raises(NotAllowed):
        queries.spot_check_sample(session, actor=world.member)
    service.reject_activity(session, actor=world.officer, activity_id=approved,
                            reason="Kiểm tra lại: ảnh trùng với tuần trước", now=now)
    assert _progress(session, world, world.a).points == 0


# --- progress --------------------------------------------------------------------------------


def test_progress_compares_units_fairly_and_sums_impact(session, now, world):
    for who, kg in ((world.member, 3.5), (world.outsider, 1.5)):
        f.green_activity(session, actor=who, campaign_id=world.campaign, now=now, impact_amount=kg,
                         approve_by=world.admin)
    a = _progress(session, world, world.a)
    b = _progress(session, world, world.b)
    # A has 3 members (member, colleague in A1, officer), B has 2 (outsider, head).
    assert (a.members, a.active_members, a.rate) == (3, 1, 33)
    assert (b.members, b.active_members, b.rate) == (2, 1, 50)
    assert a.points == b.points == 2
    assert float(b.per_member) > float(a.per_member)
    assert a.percent == 10  # 2 of a 20-point target
    impact = {r.action_name: r for r in queries.impact_totals(session, actor=world.member,
                                                              campaign_id=world.campaign)}
    assert impact["Waste sorting at source"].total == "5" and impact["Waste sorting at source"].unit == "kg"


def test_gallery_shows_approved_photos_the_viewer_may_see(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                           action="Weekly workplace cleaning", photo=f.png())
    assert queries.gallery(session, actor=world.member, campaign_id=world.campaign) == []
    service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)
    assert [g.activity_id for g in queries.gallery(session, actor=world.member, campaign_id=world.campaign)] \
        == [aid]
    assert queries.gallery(session, actor=world.outsider, campaign_id=world.campaign) == []


def test_the_campaign_page_shows_the_chosen_campaign_or_the_longest_running_one_of_my_unit(session, now, world):
    other = f.green_campaign(session, actor=world.admin, now=now, name="Tình nguyện B", kind="volunteer",
                             starts_on=date(2026, 1, 15), ends_on=date(2026, 4, 30), unit_ids=[world.b])
    mine = queries.campaign_view(session, actor=world.member, now=now)
    assert [c.id for c in mine.campaigns] == [world.campaign, other]  # newest first
    assert mine.chosen.id == world.campaign  # B's older campaign is not one of A's
    assert [a.id for a in mine.actions] == [a.id for a in queries.actions(
        session, actor=world.member, campaign_id=world.campaign)]
    assert {p.unit_id for p in mine.progress} == {world.a, world.b}
    assert [i.action_name for i in mine.impact] == [a.name for a in mine.actions] and mine.gallery == []
    assert queries.campaign_view(session, actor=world.outsider, now=now).chosen.id == other
    assert queries.campaign_view(session, actor=world.outsider, campaign_id=world.campaign,
                                 now=now).chosen.id == world.campaign
    fallback = queries.campaign_view(session, actor=world.member, campaign_id=999_999, now=now)
    assert fallback.chosen.id == world.campaign
    with pytest.raises(NotAllowed):
        queries.campaign_view(session, actor=None, now=now)


# --- rosters ---------------------------------------------------------------------------------


def test_roster_assigns_branch_members_in_turn_on_each_weekday(session, now, world):
    rid = f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="Tổng vệ sinh",
                         weekday=4, per_slot=2, starts_on=TODAY, ends_on=TODAY + timedelta(days=27))
    duties = session.exec(select(RosterDuty).where(RosterDuty.roster_id == rid)
                          .order_by(RosterDuty.on_date)).all()
    dates = sorted({d.on_date for d in duties})
    assert dates == [date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20), date(2026, 3, 27)]
    assert all(d.weekday() == 4 for d in dates)
    per_person: dict[int, int] = {}
    for d in duties:
        per_person[d.person_id] = per_person.get(d.person_id, 0) + 1
    # 3 members, 8 slots: shared as evenly as possible.
    assert sorted(per_person.values()) == [2, 3, 3]
    first_turn = min(d.on_date for d in duties if d.person_id == world.member.person_id)
    mine = queries.my_duties(session, actor=world.member, now=now)
    assert mine[0].on_date == first_turn.strftime("%d/%m/%Y")
    assert "Nguyễn Thị Mai" in mine[0].people and mine[0].title == "Tổng vệ sinh"


def test_roster_duties_of_a_day_feed_reminders(session, now, world):
    f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="Tưới cây", weekday=4,
                   per_slot=3, starts_on=TODAY, ends_on=TODAY + timedelta(days=6))
    due = queries.duties_due(session, on_date=date(2026, 3, 6))
    assert sorted(pid for pid, _t, _d in due) == sorted(
        [world.member.person_id, world.colleague.person_id, world.officer.person_id])
    assert queries.duties_due(session, on_date=date(2026, 3, 5)) == []


def test_roster_is_kept_by_the_branch_officer_only(session, now, world):
    with pytest.raises(NotAllowed):
        f.green_roster(session, actor=world.member, branch_id=world.branch, now=now, title="X", weekday=0,
                       starts_on=TODAY, ends_on=TODAY + timedelta(days=7))
    with pytest.raises(Invalid, match="today or later"):
        f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="X", weekday=0,
                       starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=7))
    with pytest.raises(Invalid, match="between 1 and 3"):
        f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="X", weekday=0,
                       per_slot=9, starts_on=TODAY, ends_on=TODAY + timedelta(days=7))


def test_a_sick_members_duty_goes_to_a_colleague_and_both_hear_of_it(session, now, world):
    from engagement.notify.models import Notification

    rid = f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="Tổng vệ sinh",
                         weekday=4, per_slot=1, starts_on=TODAY, ends_on=TODAY + timedelta(days=13))
    first = session.exec(select(RosterDuty).where(RosterDuty.roster_id == rid).order_by(RosterDuty.on_date)).first()
    sick = first.person_id
    stand_in = next(p for p in (world.member.person_id, world.colleague.person_id, world.officer.person_id)
                    if p != sick)
    with pytest.raises(NotAllowed):
        service.replace_on_duty(session, actor=world.member, roster_id=rid, on_date=first.on_date,
                                person_out=sick, person_in=stand_in, now=now)
    with pytest.raises(Invalid, match="active member of the branch"):
        service.replace_on_duty(session, actor=world.officer, roster_id=rid, on_date=first.on_date,
                                person_out=sick, person_in=world.outsider.person_id, now=now)
    with pytest.raises(Invalid, match="not on duty that day"):
        service.replace_on_duty(session, actor=world.officer, roster_id=rid, on_date=first.on_date,
                                person_out=stand_in, person_in=sick, now=now)
    with pytest.raises(Invalid, match="coming duty date"):
        service.replace_on_duty(session, actor=world.officer, roster_id=rid, on_date=TODAY - timedelta(days=4),
                                person_out=sick, person_in=stand_in, now=now)
    service.replace_on_duty(session, actor=world.officer, roster_id=rid, on_date=first.on_date,
                            person_out=sick, person_in=stand_in, now=now)
    on_that_day = [d.person_id for d in session.exec(select(RosterDuty).where(
        RosterDuty.roster_id == rid, RosterDuty.on_date == first.on_date))]
    assert on_that_day == [stand_in]
    assert [pid for pid, _t, _d in queries.duties_due(session, on_date=first.on_date)] == [stand_in]
    heard = {n.recipient_id: n.title for n in session.exec(select(Notification))}
    assert heard[stand_in].startswith("You are on duty on 06/03/2026")
    assert heard[sick].startswith("You are no longer on duty on 06/03/2026")
    with pytest.raises(Invalid, match="not on duty that day"):   # twice: the sick one is off already
        service.replace_on_duty(session, actor=world.officer, roster_id=rid, on_date=first.on_date,
                                person_out=sick, person_in=stand_in, now=now)


def test_a_cancelled_roster_keeps_past_duties_and_drops_the_coming_ones(session, now, world):
    rid = f.green_roster(session, actor=world.officer, branch_id=world.branch, now=now, title="Tưới cây",
                         weekday=0, per_slot=1, starts_on=TODAY, ends_on=TODAY + timedelta(days=27))
    assert service.cancel_roster(session, actor=world.officer, roster_id=rid, now=now) == 3  # Mondays 9, 16, 23
    left = [d.on_date for d in session.exec(select(RosterDuty).where(RosterDuty.roster_id == rid))]
    assert left == [TODAY]                                            # today's duty stands
    with pytest.raises(Conflict, match="no duties left"):
        service.cancel_roster(session, actor=world.officer, roster_id=rid, now=now)
    with pytest.raises(NotFound):
        service.cancel_roster(session, actor=world.officer, roster_id=9999, now=now)


def test_officer_edits_and_ends_a_campaign_without_touching_what_was_logged(session, now, world):
    from engagement.green.models import Campaign

    with pytest.raises(NotAllowed):
        service.update_campaign(session, actor=world.officer, campaign_id=world.campaign, name="X",
                                ends_on=date(2026, 7, 31), backdate_days=7, now=now)
    with pytest.raises(Invalid, match="cannot be in the past"):
        service.update_campaign(session, actor=world.admin, campaign_id=world.campaign, name="Công sở xanh",
                                ends_on=TODAY - timedelta(days=1), backdate_days=7, now=now)
    with pytest.raises(Invalid, match="name"):
        service.update_campaign(session, actor=world.admin, campaign_id=world.campaign, name="  ",
                                ends_on=date(2026, 7, 31), backdate_days=7, now=now)
    service.update_campaign(session, actor=world.admin, campaign_id=world.campaign, name="Công sở xanh – mở rộng",
                            description="Thêm tháng 7", ends_on=date(2026, 7, 31), backdate_days=3, now=now)
    c = session.get(Campaign, world.campaign)
    assert (c.name, c.ends_on, c.backdate_days) == ("Công sở xanh – mở rộng", date(2026, 7, 31), 3)
    logged = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    assert service.end_campaign(session, actor=world.admin, campaign_id=world.campaign, now=now) == TODAY
    with pytest.raises(Conflict, match="already ends"):
        service.end_campaign(session, actor=world.admin, campaign_id=world.campaign, now=now)
    # what was logged can still be verified; nothing later can be logged
    service.approve_activity(session, actor=world.officer, activity_id=logged, now=now)
    with pytest.raises(Invalid):
        f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now + timedelta(days=1),
                         on=TODAY + timedelta(days=1))


# --- self-assessment -------------------------------------------------------------------------

ANSWERS = {"plants": 2, "desks": 2, "signage": 1, "waste": 2, "energy": 1, "paper": 2}


def test_unit_head_assesses_the_office_once_a_quarter(session, now, world):
    assert service.submit_assessment(session, actor=world.head_b, unit_id=world.b, answers=ANSWERS,
                                     now=now) == 83
    with pytest.raises(Conflict, match="Q1 2026"):
        service.submit_assessment(session, actor=world.head_b, unit_id=world.b, answers=ANSWERS, now=now)
    later = now + timedelta(days=40)  # April: Q2
    service.submit_assessment(session, actor=world.head_b, unit_id=world.b,
                              answers={**ANSWERS, "signage": 2, "energy": 2}, now=later)
    history = queries.assessment_history(session, actor=world.head_b, unit_id=world.b)
    assert [(h.period, h.score) for h in history] == [("Q2 2026", 100), ("Q1 2026", 83)]


def test_assessment_needs_every_answer_and_the_right_unit(session, now, world):
    with pytest.raises(Invalid, match="Signage"):
        service.submit_assessment(session, actor=world.head_b, unit_id=world.b,
                                  answers={k: v for k, v in ANSWERS.items() if k != "signage"}, now=now)
    with pytest.raises(NotAllowed):
        service.submit_assessment(session, actor=world.head_b, unit_id=world.a, answers=ANSWERS, now=now)
    with pytest.raises(NotAllowed):
        service.submit_assessment(session, actor=world.member, unit_id=world.a, answers=ANSWERS, now=now)


# --- points ledger ---------------------------------------------------------------------------


def _ledger(session: Session, activity_id: int) -> dict[int, int]:
    """The green points each person has in the ledger for one activity."""
    totals: dict[int, int] = {}
    for row in f.point_entries(session, source="green", ref_prefix=f"green-activity:{activity_id}:"):
        totals[row.person_id] = totals.get(row.person_id, 0) + row.points
    return totals


def test_approval_credits_each_participant_in_the_ledger_and_revocation_takes_it_back(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now,
                           participant_ids=[world.colleague.person_id])
    assert _ledger(session, aid) == {}  # pending: nothing yet
    service.approve_activity(session, actor=world.officer, activity_id=aid, now=now)
    credited = _ledger(session, aid)
    assert set(credited) == {world.member.person_id, world.colleague.person_id}
    assert all(points > 0 for points in credited.values())
    service.reject_activity(session, actor=world.officer, activity_id=aid,
                            reason="Kiểm tra lại: không đúng khu vực phân công", now=now)
    assert set(_ledger(session, aid).values()) == {0}


def test_rejected_activity_never_reaches_the_ledger(session, now, world):
    aid = f.green_activity(session, actor=world.member, campaign_id=world.campaign, now=now)
    service.reject_activity(session, actor=world.officer, activity_id=aid, reason="Thiếu minh chứng rõ ràng",
                            now=now)
    assert _ledger(session, aid) == {}


def test_progress_costs_the_same_few_queries_for_many_units(session, engine, now, world):
    import sqlalchemy as sa

    units = [f.unit(session, world.admin, now, parent_id=world.b) for _ in range(25)]
    many = f.green_campaign(session, actor=world.admin, now=now, name="Nhiều đơn vị",
                            unit_ids=[world.a, world.b, *units])
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        rows = queries.unit_progress(session, actor=world.member, campaign_id=many)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 27
    assert len(statements) <= 5  # campaign, two GROUP BYs, the unit names: not one per unit


def test_two_tabs_logging_a_once_a_day_action_at_once_log_it_once(engine, session, now, world):
    """PostgreSQL: both transactions count before either inserts unless the rows are locked."""
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a server database with concurrent connections")
    import threading

    session.commit()
    action_id = f.green_action(session, campaign_id=world.campaign, name="Waste sorting").id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab() -> None:
        with Session(engine) as s:
            barrier.wait(timeout=10)
            try:
                service.log_activity(s, actor=world.member, campaign_id=world.campaign, action_id=action_id,
                                     occurred_on=TODAY, now=now)
                s.commit()
                outcomes.append("logged")
            except DomainError:
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["logged", "refused"]


# --- the pages' states ---------------------------------------------------------------------------


@pytest.fixture
def app_db(app_db):
    """The demo organisation and its green-office slice in the database the app's own engine uses."""
    from engagement.core import clock
    from engagement.green.demo import seed_demo as seed_green

    with Session(app_db) as s:
        seed_green(s, now=clock.now())
        s.commit()
    return app_db




class _Upload:
    filename = "big.jpg"

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, size: int = -1) -> bytes:
        # Like a real upload, each read goes on where the last one stopped (handlers read in chunks).
        pos = getattr(self, "_pos", 0)
        end = len(self.data) if size < 0 else pos + size
        self._pos = min(end, len(self.data))
        return self.data[pos:end]


def test_the_campaign_page_reads_everything_in_one_transaction(app_db, read_sessions):
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    opened = read_sessions
    f.run_handler(state, "load")
    assert len(opened) == 1
    assert state.error == ""
    assert state.campaign_id and state.campaign_name and state.actions and state.progress and state.impact
    assert state.takes_part and state.colleagues and state.page == 1 and state.today
    shown = state.campaign_id
    other = next(c.id for c in state.campaigns if c.id != shown)
    f.run_handler(state, "select_campaign", str(other))
    assert (state.campaign_id, state.error, len(opened)) == (other, "", 2)
    f.run_handler(state, "select_campaign", "999999")  # not listed: ignored
    f.run_handler(state, "select_campaign", "x")
    assert (state.campaign_id, len(opened)) == (other, 2)


def test_the_campaign_page_refuses_bad_input_with_its_messages(app_db):
    from engagement.core import files
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    f.run_handler(state, "load")
    f.run_handler(state, "attach_photo", [_Upload(b"x" * (files.MAX_UPLOAD_BYTES + 5))])
    assert state.error.startswith("The photo is larger than") and state.photo_info == ""
    f.run_handler(state, "attach_photo", [_Upload(b"not an image")])
    assert "not a photo" in state.error
    # The log form's refusals sit next to its button (issue 16), in ``log_error``.
    f.run_handler(state, "submit_log", ["not", "a", "form"])
    assert state.log_error.startswith("The form could not be read")
    action = str(state.actions[0].id)
    f.run_handler(state, "submit_log", {"action_id": action, "occurred_on": "02/03/2026", "impact": "1"})
    assert state.log_error == "Enter the date of the activity as a date."
    f.run_handler(state, "submit_log", {"action_id": action, "occurred_on": state.today, "impact": "nhiều"})
    assert state.log_error == "Enter the amount as a number, e.g. 2.5."
    f.run_handler(state, "set_target", {"unit_id": "1", "target_points": "10", "target_rate": "5"})
    assert state.target_error.startswith("Only ")  # staff are not officers
