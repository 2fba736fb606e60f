"""Recognition rules on a real database (SQLite, and PostgreSQL with TEST_POSTGRES_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from engagement.core.access import Role
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.recognition import queries, rules, service
from engagement.recognition.models import CitizenThanks, Recognition, ThanksLink
from tests import factories as f


@pytest.fixture
def org(session, now):
    """``recognition_org`` (giver in A; taker and head_b in B) with a colleague of the taker, A's head
    and an officer."""
    o = f.recognition_org(session, now=now)
    o.other = f.user(session, o.admin, now, unit_id=o.b, username="other", name="Hoàng Văn Khác")
    o.head_a = f.user(session, o.admin, now, unit_id=o.a, username="heada", name="Vũ Trưởng A",
                      role=Role.UNIT_HEAD.value, role_unit_id=o.a)
    o.officer = f.officer(session, org=o, now=now, name="Ngô Thi Đua")
    session.commit()
    return o


def test_recognition_reaches_the_feed_and_notifies_the_receiver(session, org, now):
    given = f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="great")
    session.commit()
    assert given.cost == 2
    page = queries.feed(session, actor=org.other)
    assert [i.id for i in page.items] == [given.id]
    assert page.items[0].recipients == "Phạm Thị Nhận"
    assert page.items[0].value_names == "Service attitude"
    assert notify_queries.unread_count(session, actor=org.taker) == 1
    listed = notify_queries.my_notifications(session, actor=org.taker)
    assert listed.rows[0].title == "Great work from Lê Văn Tặng"
    assert listed.rows[0].link == f"/recognition/people/{org.taker.person_id}"
    assert notify_queries.unread_count(session, actor=org.other) == 0


def test_recognising_oneself_is_refused(session, org, now):
    with pytest.raises(Invalid, match="yourself"):
        f.recognition(session, actor=org.giver, to=[org.giver.person_id, org.taker.person_id], now=now)


def test_recognising_ones_own_unit_is_refused(session, org, now):
    with pytest.raises(Invalid, match="belong to this unit"):
        f.recognition(session, actor=org.giver, unit_id=org.a, now=now)


def test_a_unit_can_be_recognised_and_its_head_is_notified(session, org, now):
    given = f.recognition(session, actor=org.giver, unit_id=org.b, now=now, level="outstanding")
    assert given.cost == 3
    assert notify_queries.unread_count(session, actor=org.head_b) == 1
    assert queries.feed(session, actor=org.other, unit_id=org.b).items[0].recipients == "Phòng Tài chính"


def test_short_message_and_missing_value_are_refused(session, org, now):
    with pytest.raises(Invalid, match="at least 30 characters"):
        f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, message="Cảm ơn nhé")
    with pytest.raises(Invalid, match="at least one value"):
        f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, value_ids=[])
    with pytest.raises(Invalid, match="level"):
        f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="legendary")


def test_retired_value_cannot_be_cited(session, org, now):
    service.set_value_active(session, actor=org.officer, value_id=org.value, active=False, now=now)
    with pytest.raises(Invalid, match="no longer in the catalogue"):
        f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now)


def test_only_officers_manage_values(session, org, now):
    with pytest.raises(NotAllowed):
        service.add_value(session, actor=org.giver, name="Sáng tạo", description="", now=now)
    vid = service.add_value(session, actor=org.officer, name="Sáng tạo", description="x", now=now)
    assert vid in {v.id for v in queries.values_catalogue(session, actor=org.giver)}
    with pytest.raises(Conflict):
        service.add_value(session, actor=org.officer, name="sáng tạo", description="", now=now)


def test_allowance_is_spent_by_level_and_recipients_and_refuses_overspending(session, org, now):
    assert rules.allowance_for(org.giver.roles) == 10
    f.recognition(session, actor=org.giver, to=[org.taker.person_id, org.other.person_id], now=now,
                  level="outstanding")  # 6
    f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="great")  # 8
    with pytest.raises(Conflict, match="you have 2 of 10 left"):
        f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="outstanding")
    left = f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="great").left
    assert left == 0
    assert queries.allowance(session, actor=org.giver, now=now).left == 0


def test_allowance_resets_next_month_without_carry_over(session, org, now):
    f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, level="thanks")
    next_month = now + timedelta(days=31)
    assert queries.allowance(session, actor=org.giver, now=next_month).spent == 0
    assert queries.allowance(session, actor=org.giver, now=next_month).total == 10


def test_unit_heads_get_a_larger_allowance(session, org):
    assert rules.allowance_for(org.head_b.roles) == 20


def test_revocation_is_kept_and_hides_the_recognition(session, org, now):
    given = f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now)
    with pytest.raises(NotAllowed):
        service.revoke(session, actor=org.head_b, recognition_id=given.id, reason="Nội dung không phù hợp", now=now)
    with pytest.raises(Invalid, match="reason"):
        service.revoke(session, actor=org.officer, recognition_id=given.id, reason="x", now=now)
    service.revoke(session, actor=org.officer, recognition_id=given.id,
                   reason="Nội dung không phù hợp với quy chế", now=now)
    row = session.get(Recognition, given.id)
    assert row.revoked_at is not None and row.revoke_reason.startswith("Nội dung")
    assert queries.feed(session, actor=org.taker).items == []
    with pytest.raises(Conflict):
        service.revoke(session, actor=org.officer, recognition_id=given.id,
                       reason="Nội dung không phù hợp với quy chế", now=now)


def test_private_recognition_is_seen_only_by_giver_receiver_and_their_unit_head(session, org, now):
    given = f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, is_private=True)
    for who in (org.giver, org.taker, org.head_b):
        assert [i.id for i in queries.feed(session, actor=who).items] == [given.id]
    for who in (org.other, org.head_a, org.officer):
        assert queries.feed(session, actor=who).items == []
    with pytest.raises(NotFound):
        service.react(session, actor=org.other, recognition_id=given.id, now=now)
    assert queries.person_card(session, actor=org.other, person_id=org.taker.person_id).received == 0
    assert queries.person_card(session, actor=org.head_b, person_id=org.taker.person_id).received == 1


def test_reactions_once_per_person_and_short_comments(session, org, now):
    given = f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now)
    assert service.react(session, actor=org.other, recognition_id=given.id, now=now) is True
    assert service.react(session, actor=org.other, recognition_id=given.id, now=now) is False
    service.comment(session, actor=org.other, recognition_id=given.id, body="Rất xứng đáng!", now=now)
    with pytest.raises(Invalid):
        service.comment(session, actor=org.other, recognition_id=given.id, body="x" * 301, now=now)
    item = queries.feed(session, actor=org.other).items[0]
    assert item.reactions == 1 and item.i_reacted
    assert [c.body for c in item.comments] == ["Rất xứng đáng!"]


def test_feed_filters_by_unit_and_value_and_pages_in_sql(session, org, now):
    other_value = f.recognition_value(session, now=now, code="digital")
    head = f.user(session, org.admin, now, unit_id=org.a1, username="person3", name="Trịnh Văn Ba",
                  role=Role.UNIT_HEAD.value, role_unit_id=org.a1)
    for i in range(5):
        f.recognition(session, actor=head, to=[org.taker.person_id], now=now + timedelta(minutes=i))
    f.recognition(session, actor=head, to=[org.giver.person_id], now=now + timedelta(minutes=10),
                  value_ids=[other_value])
    assert len(queries.feed(session, actor=org.other, unit_id=org.a).items) == 1
    assert len(queries.feed(session, actor=org.other, value_id=other_value).items) == 1
    first = queries.feed(session, actor=org.other, page_size=4)
    second = queries.feed(session, actor=org.other, page=2, page_size=4)
    assert first.has_more and not second.has_more
    assert len(first.items) == 4 and len(second.items) == 2
    assert first.items[0].recipients == "Lê Văn Tặng"  # newest first


def test_profile_counts_values_received(session, org, now):
    digital = f.recognition_value(session, now=now, code="digital")
    f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, value_ids=[org.value, digital])
    f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now, value_ids=[org.value])
    card = queries.person_card(session, actor=org.other, person_id=org.taker.person_id)
    assert card.received == 2 and card.given == 0
    assert [(v.name, v.count) for v in card.values] == [("Service attitude", 2),
                                                        ("Digital transformation", 1)]


def test_anonymous_cannot_give_or_read(session, org, now):
    with pytest.raises(NotAllowed):
        f.recognition(session, actor=None, to=[org.taker.person_id], now=now)
    with pytest.raises(NotAllowed):
        queries.feed(session, actor=None)


# --- notifications ---------------------------------------------------------------------------


def test_notifying_twice_about_the_same_subject_adds_one(session, org, now):
    kw = dict(person_id=org.taker.person_id, category="x", kind="x.y", subject_ref="r:1",
              title="T", body="", link="https://evil.example/", now=now)
    assert notify_service.notify(session, **kw) is True
    assert notify_service.notify(session, **kw) is False
    rows = notify_queries.my_notifications(session, actor=org.taker).rows
    assert len(rows) == 1 and rows[0].link == ""  # another host is never a link


def test_marking_read_touches_only_ones_own(session, org, now):
    f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now)
    mine = notify_queries.my_notifications(session, actor=org.taker).rows[0]
    notify_service.mark_read(session, actor=org.other, notification_id=mine.id, now=now)
    assert notify_queries.unread_count(session, actor=org.taker) == 1
    notify_service.mark_all_read(session, actor=org.other, now=now)
    assert notify_queries.unread_count(session, actor=org.taker) == 1
    notify_service.mark_read(session, actor=org.taker, notification_id=mine.id, now=now)
    assert notify_queries.unread_count(session, actor=org.taker) == 0


# --- citizens' thanks ----------------------------------------------------------------------


def test_thanks_links_are_unguessable_and_only_for_ones_own_units(session, org, now):
    with pytest.raises(NotAllowed):
        service.ensure_unit_links(session, actor=org.head_a, unit_id=org.b, now=now)
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    assert len(token) >= 30 and not token.isdigit()
    assert service.ensure_unit_links(session, actor=org.head_b, unit_id=org.b, now=now) == 0
    assert queries.thanks_target(session, token=token).name == "Phạm Thị Nhận"
    assert queries.thanks_target(session, token="1") is None
    cards = queries.qr_sheet(session, actor=org.head_b, unit_id=org.b, base_url="https://x.gov.vn")
    assert any(c.url == f"https://x.gov.vn/thanks/{token}" for c in cards)
    assert cards[0].png_data_uri.startswith("data:image/png;base64,")


def test_one_rating_per_dossier_and_link(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    assert f.citizen_thanks(session, token=token, now=now) == "approved"
    with pytest.raises(Throttled, match="already been rated"):
        f.citizen_thanks(session, token=token, now=now, dossier="hs-2026-0001", client_ip="198.51.100.1")


def test_a_dossier_is_rated_a_limited_number_of_times(session, org, now):
    service.ensure_unit_links(session, actor=org.head_b, unit_id=org.b, now=now)
    tokens = list(session.exec(select(ThanksLink.token).where(ThanksLink.unit_id == org.b)))
    tokens.append(service.add_counter(session, actor=org.head_b, unit_id=org.b,
                                      counter_name="Quầy 1", now=now))
    assert len(tokens) >= rules.THANKS_PER_DOSSIER + 1
    for i, token in enumerate(tokens[:rules.THANKS_PER_DOSSIER]):
        f.citizen_thanks(session, token=token, now=now, client_ip=f"198.51.100.{i}")
    with pytest.raises(Throttled, match="most times"):
        f.citizen_thanks(session, token=tokens[rules.THANKS_PER_DOSSIER], now=now, client_ip="198.51.100.99")


def test_one_network_is_limited_per_day(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    for i in range(rules.THANKS_PER_CLIENT_PER_DAY):
        f.citizen_thanks(session, token=token, now=now, dossier=f"HS-{i:04d}")
    with pytest.raises(Throttled, match="tomorrow"):
        f.citizen_thanks(session, token=token, now=now, dossier="HS-9999")
    tomorrow = now + timedelta(days=1, minutes=1)
    assert f.citizen_thanks(session, token=token, now=tomorrow, dossier="HS-9999") == "approved"


def test_networks_are_kept_as_keyed_hashes_not_reversible_by_trying_addresses(session, org, now):
    import hashlib

    from engagement.core import secrets

    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, client_ip="203.0.113.5")
    stored = session.exec(select(CitizenThanks.client_key)).one()
    plain = hashlib.sha256(b"thanks:203.0.113.5").hexdigest()[:32]
    assert stored != plain and len(stored) == 32
    # the same address maps to the same key (the limit still works) under the same secret
    assert service.client_key(session, "203.0.113.5", now=now) == stored
    assert service.client_key(session, "203.0.113.6", now=now) != stored
    # the secret lives in the database unless the deployment sets ENGAGEMENT_SECRET_KEY
    assert session.get(secrets.AppSecret, "default") is not None


def test_a_burst_from_one_network_cannot_pass_the_daily_limit_together(engine, session, org, now):
    """PostgreSQL: without the lock every tab counts before any inserts and all get through."""
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a server database with concurrent connections")
    import threading

    from sqlmodel import Session

    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    session.commit()
    tabs = rules.THANKS_PER_CLIENT_PER_DAY + 3
    barrier = threading.Barrier(tabs)
    outcomes: list[str] = []

    def tab(i: int) -> None:
        with Session(engine) as s:
            barrier.wait(timeout=10)
            try:
                f.citizen_thanks(s, token=token, now=now, dossier=f"HS-B{i:03d}")
                s.commit()
                outcomes.append("thanked")
            except Throttled:
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(tabs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["thanked"] * rules.THANKS_PER_CLIENT_PER_DAY


def test_bad_ratings_and_dossier_are_refused(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    with pytest.raises(Invalid, match="1 to 5"):
        f.citizen_thanks(session, token=token, now=now, rating=6)
    with pytest.raises(Invalid, match="dossier"):
        f.citizen_thanks(session, token=token, now=now, dossier="<script>")
    with pytest.raises(NotFound):
        f.citizen_thanks(session, token="no-such-token", now=now)


def test_notes_wait_for_the_unit_head_and_ratings_roll_up_when_approved(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    assert f.citizen_thanks(session, token=token, now=now, note="Cảm ơn chị rất nhiều!", rating=4) == "pending"
    assert queries.rating_rollups(session, actor=org.head_b) == []
    with pytest.raises(NotAllowed):
        queries.thanks_for_moderation(session, actor=org.taker)
    assert queries.thanks_for_moderation(session, actor=org.head_a)[0] == []
    pending, _ = queries.thanks_for_moderation(session, actor=org.head_b)
    assert [p.note for p in pending] == ["Cảm ơn chị rất nhiều!"]
    with pytest.raises(NotFound):
        service.moderate_thanks(session, actor=org.head_a, thanks_id=pending[0].id, approve=True, now=now)
    service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=True, now=now)
    with pytest.raises(Conflict):
        service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=False, now=now)
    rollups = {r.label: r for r in queries.rating_rollups(session, actor=org.head_b)}
    assert rollups["Phạm Thị Nhận"].overall == "4.0"
    assert rollups["Unit: Phòng Tài chính"].count == 1
    assert queries.person_card(session, actor=org.taker, person_id=org.taker.person_id).citizen_ratings == 1
    assert queries.person_card(session, actor=org.head_b, person_id=org.taker.person_id).citizen_ratings == 1
    # A colleague elsewhere does not see how citizens rated this person.
    assert queries.person_card(session, actor=org.other, person_id=org.taker.person_id).citizen_ratings == 0
    assert notify_queries.unread_count(session, actor=org.taker) == 1


def test_rejected_notes_do_not_count(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, note="Quảng cáo linh tinh")
    pending, _ = queries.thanks_for_moderation(session, actor=org.head_b)
    service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=False, now=now,
                            reason="Quảng cáo, không phải góp ý")  # a rejection gives its reason (issue 16)
    assert queries.rating_rollups(session, actor=org.head_b) == []


# --- fairness ------------------------------------------------------------------------------


def test_reciprocal_ring_and_inward_unit_are_flagged_for_officers_only(session, org, now):
    a, b = org.taker, org.other  # both in unit B
    for i in range(3):
        t = now + timedelta(days=i)
        f.recognition(session, actor=a, to=[b.person_id], now=t)
        f.recognition(session, actor=b, to=[a.person_id], now=t)
    head_b_extra = [f.recognition(session, actor=org.head_b, to=[a.person_id], now=now) for _ in range(4)]
    assert len(head_b_extra) == 4
    with pytest.raises(NotAllowed):
        queries.fairness(session, actor=org.head_b, now=now + timedelta(days=5))
    rings, units = queries.fairness(session, actor=org.officer, now=now + timedelta(days=5))
    assert [(r.a_name, r.b_name) for r in rings] == [("Phạm Thị Nhận", "Hoàng Văn Khác")]
    assert [u.unit_name for u in units] == ["Phòng Tài chính"]
    assert units[0].inside == 10 and units[0].total == 10


# --- points ledger ---------------------------------------------------------------------------


def test_each_receiver_earns_points_and_a_revocation_reverses_them(session, org, now):
    given = f.recognition(session, actor=org.giver, to=[org.taker.person_id, org.other.person_id], now=now,
                          level="great")
    credits = f.point_entries(session, source="recognition", source_ref=f"recognition:{given.id}")
    assert {e.person_id for e in credits} == {org.taker.person_id, org.other.person_id}
    assert all(e.points > 0 for e in credits)
    service.revoke(session, actor=org.officer, recognition_id=given.id,
                   reason="Tặng trùng lặp, không phù hợp", now=now)
    entries = f.point_entries(session, source="recognition", source_ref=f"recognition:{given.id}")
    assert len(entries) == 4 and sum(e.points for e in entries) == 0


def test_a_unit_recognition_earns_unit_points(session, org, now):
    given = f.recognition(session, actor=org.giver, unit_id=org.b, now=now)
    entries = f.point_entries(session, source="recognition", source_ref=f"recognition:{given.id}")
    assert len(entries) == 1 and entries[0].person_id is None and entries[0].points > 0


def test_citizen_points_only_once_the_rating_counts(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, note="Cảm ơn chị!")
    pending, _ = queries.thanks_for_moderation(session, actor=org.head_b)
    assert f.point_entries(session, source="citizen", source_ref=f"citizen:{pending[0].id}") == []
    service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=True, now=now)
    credited = f.point_entries(session, source="citizen", source_ref=f"citizen:{pending[0].id}")
    assert [e.person_id for e in credited] == [org.taker.person_id]


def test_a_unit_head_cannot_moderate_a_note_about_themselves(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.head_b.person_id, now=now)
    assert f.citizen_thanks(session, token=token, now=now, note="Trưởng phòng rất tận tình") == "pending"
    note = session.exec(select(CitizenThanks).where(CitizenThanks.person_id == org.head_b.person_id)).one()
    with pytest.raises(NotAllowed, match="about you"):
        service.moderate_thanks(session, actor=org.head_b, thanks_id=note.id, approve=True, now=now)
    assert session.get(CitizenThanks, note.id).status == "pending"
    service.moderate_thanks(session, actor=org.admin, thanks_id=note.id, approve=True, now=now)
    assert session.get(CitizenThanks, note.id).status == "approved"


def test_only_a_good_citizen_rating_earns_points(session, org, now):
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, dossier="HS-2026-0101", rating=1)
    f.citizen_thanks(session, token=token, now=now, dossier="HS-2026-0102", client_ip="203.0.113.9", rating=5)
    assert len(f.point_entries(session, source="citizen")) == 1
