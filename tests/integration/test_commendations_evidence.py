"""The evidence beside each person on the annual rating sheet (issue 14): commitment of the year,
points and rank, recognitions, citizens' ratings, read in bulk from the features that own them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from engagement.commendations.evidence import COMMITMENT_NAMES, Evidence, evidence
from engagement.commitments import queries as commitments_queries
from engagement.commitments import service as commitments_service
from engagement.core import i18n
from engagement.core.access import Actor, Role
from engagement.recognition import queries as recognition_queries
from engagement.recognition import service as recognition_service
from engagement.scoring.rules import Source
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

REASON = "Tôi chưa đồng ý với điều khoản về thời giờ làm việc"


@dataclass
class World:
    org: f.SmallOrg
    officer: Actor  # emulation officer, root unit
    head_a: Actor  # unit head of A (makes A's thanks links)
    giver: Actor  # staff of B: gives recognitions, signs B's 2025 commitment


@pytest.fixture
def w(session, now) -> World:
    org = f.small_org(session, now)
    return World(
        org=org, officer=f.officer(session, org=org, now=now),
        head_a=f.user(session, org.admin, now, unit_id=org.a, username="head.a", name="Đỗ Trưởng Phòng",
                      role=Role.UNIT_HEAD, role_unit_id=org.a),
        giver=f.user(session, org.admin, now, unit_id=org.b, username="giver.b", name="Lê Văn Tặng"))


def _staff(session, w: World, now, unit_id: int, username: str) -> Actor:
    return f.user(session, w.org.admin, now, unit_id=unit_id, username=username, name=f"Nhân viên {username}")


def _commitments(session, ids, year):
    return {pid: ev.commitment for pid, ev in evidence(session, person_ids=ids, year=year).items()}


# --- the commitment of the year -------------------------------------------------------------------


def test_commitment_column_tells_signed_declined_not_signed_and_none(session, now, w):
    org = w.org
    signer = _staff(session, w, now, org.a, "signer")
    decliner = _staff(session, w, now, org.a1, "decliner")
    changed_mind = _staff(session, w, now, org.a, "changed")
    waiting_a1 = f.person(session, org.admin, now, unit_id=org.a1, name="Ngô Chưa Ký")  # under A: addressed
    outsider = f.person(session, org.admin, now, unit_id=org.b, name="Hồ Ngoài Phòng")  # B: not addressed
    campaign = f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[org.a], year=2026)
    f.signature(session, actor=signer, campaign_id=campaign, now=now)
    commitments_service.respond(session, actor=decliner, campaign_id=campaign, kind="decline", reason=REASON,
                                now=now)
    commitments_service.respond(session, actor=changed_mind, campaign_id=campaign, kind="decline", reason=REASON,
                                now=now)
    f.signature(session, actor=changed_mind, campaign_id=campaign, now=now)  # a later signature wins
    # B's campaign of 2025, signed by B's giver: it says nothing about 2026.
    earlier = f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[org.b], year=2025,
                                    name="Cam kết 2025")
    f.signature(session, actor=w.giver, campaign_id=earlier, now=now)

    ids = [signer.person_id, decliner.person_id, changed_mind.person_id, waiting_a1, outsider,
           w.giver.person_id]
    assert _commitments(session, ids, 2026) == {
        signer.person_id: "signed", decliner.person_id: "declined", changed_mind.person_id: "signed",
        waiting_a1: "not_signed", outsider: "none", w.giver.person_id: "none"}
    assert _commitments(session, ids, 2025) == {
        signer.person_id: "none", decliner.person_id: "none", changed_mind.person_id: "none",
        waiting_a1: "none", outsider: "not_signed", w.giver.person_id: "signed"}
    assert set(_commitments(session, ids, 2024).values()) == {"none"}


def test_a_campaign_limited_to_positions_concerns_only_them(session, now, w):
    org = w.org
    clerk = f.person(session, org.admin, now, unit_id=org.b, name="Phạm Thu Hà")  # a "Chuyên viên"
    f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[org.root], year=2026,
                          positions="Kế toán\nThủ quỹ")
    assert _commitments(session, [clerk], 2026) == {clerk: "none"}
    f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[org.b], year=2026, name="Cam kết B",
                          positions="CHUYÊN VIÊN")  # matched regardless of case
    assert _commitments(session, [clerk], 2026) == {clerk: "not_signed"}


def test_commitment_labels_are_messages_for_every_status(session, now, w):
    assert set(COMMITMENT_NAMES) == {"signed", "declined", "not_signed", "none"}
    assert [m.render("en") for m in COMMITMENT_NAMES.values()] == ["Signed", "Declined", "Not signed",
                                                                    "No commitment"]


# --- points and rank ------------------------------------------------------------------------------


def test_points_are_the_year_total_and_ties_share_a_rank(session, now, w):
    org = w.org
    first, second, third, nothing, last_year = (f.person(session, org.admin, now, unit_id=org.a)
                                                 for _ in range(5))
    for pid, amounts in ((first, (20, 10)), (second, (20,)), (third, (15, 5))):
        for amount in amounts:
            f.points(session, person_id=pid, now=now, source=Source.MANUAL, quantity=amount)
    f.points(session, person_id=last_year, now=now, source=Source.MANUAL, quantity=50,
             occurred_at=f.at(12, 31, 23, 30, year=2025))
    # A 2025 credit to ``first`` does not count in 2026 either.
    f.points(session, person_id=first, now=now, source=Source.MANUAL, quantity=100,
             occurred_at=f.at(6, 1, year=2025))

    ids = [nothing, third, first, second, last_year]
    got = evidence(session, person_ids=ids, year=2026)
    assert {pid: (e.points, e.rank, e.rank_of) for pid, e in got.items()} == {
        first: (30, 1, 5), second: (20, 2, 5), third: (20, 2, 5), nothing: (0, None, 5), last_year: (0, None, 5)}
    # Ranks are within the people passed in; a repeated id counts once.
    got = evidence(session, person_ids=[second, third, nothing, third], year=2026)
    assert {pid: (e.rank, e.rank_of) for pid, e in got.items()} == {second: (1, 3), third: (1, 3),
                                                                     nothing: (None, 3)}
    got = evidence(session, person_ids=ids, year=2025)
    assert {pid: (e.points, e.rank) for pid, e in got.items() if e.points} == {first: (100, 1), last_year: (50, 2)}


# --- recognitions ---------------------------------------------------------------------------------


def test_recognitions_count_those_received_in_the_local_year_and_not_revoked(session, now, w):
    org = w.org
    target = f.person(session, org.admin, now, unit_id=org.a, name="Trần Được Khen")
    colleague = f.person(session, org.admin, now, unit_id=org.a, name="Vũ Đồng Nghiệp")
    f.recognition(session, actor=w.giver, to=[target], now=now)
    f.recognition(session, actor=w.giver, to=[target, colleague], now=now)  # counts once for each
    # 00:30 on 1 January in Hanoi is still 31 December in UTC: it is 2026's.
    f.recognition(session, actor=w.giver, to=[target], now=f.at(1, 1, 0, 30, year=2026))
    f.recognition(session, actor=w.giver, to=[target], now=f.at(12, 31, 23, 30, year=2025))
    revoked = f.recognition(session, actor=w.giver, to=[target], now=now)
    recognition_service.revoke(session, actor=w.officer, recognition_id=revoked.id, reason="Trùng lặp nội dung",
                               now=now)
    f.recognition(session, actor=w.giver, unit_id=org.a, now=now)  # the unit's, not the person's

    got = evidence(session, person_ids=[target, colleague, w.giver.person_id], year=2026)
    assert {pid: e.recognitions for pid, e in got.items()} == {target: 3, colleague: 1, w.giver.person_id: 0}
    assert evidence(session, person_ids=[target], year=2025)[target].recognitions == 1


# --- citizens' ratings ----------------------------------------------------------------------------


def _rate(session, token: str, when, scores: tuple[int, int, int], dossier: str, note: str = "") -> str:
    attitude, timeliness, guidance = scores
    return recognition_service.submit_thanks(
        session, token=token, attitude=attitude, timeliness=timeliness, guidance=guidance, note=note,
        dossier=dossier, proof=f.thanks_proof(session, now=when), client_ip=f"198.51.100.{dossier[-2:]}", now=when)


def test_citizen_average_is_of_the_years_approved_ratings_with_one_decimal(session, now, w):
    org = w.org
    clerk = f.person(session, org.admin, now, unit_id=org.a, name="Phạm Một Cửa")
    unrated = f.person(session, org.admin, now, unit_id=org.a, name="Lê Chưa Đánh Giá")
    token = f.thanks_token(session, actor=w.head_a, person_id=clerk, now=now)
    assert _rate(session, token, now, (5, 4, 3), "HS-0011") == "approved"  # 4.0
    assert _rate(session, token, now, (5, 5, 5), "HS-0012") == "approved"  # 5.0
    assert _rate(session, token, f.at(1, 1, 0, 30, year=2026), (2, 2, 2), "HS-0013") == "approved"  # 2026's
    assert _rate(session, token, now, (1, 1, 1), "HS-0014", note="Chờ duyệt") == "pending"  # not counted
    assert _rate(session, token, f.at(12, 31, 23, 30, year=2025), (1, 2, 3), "HS-0015") == "approved"  # 2025's

    got = evidence(session, person_ids=[clerk, unrated], year=2026)
    assert (got[clerk].citizen_avg, got[clerk].citizen_count) == ("3.7", 3)  # (4 + 5 + 2) / 3
    assert (got[unrated].citizen_avg, got[unrated].citizen_count) == ("", 0)
    assert (evidence(session, person_ids=[clerk], year=2025)[clerk].citizen_avg,
            evidence(session, person_ids=[clerk], year=2025)[clerk].citizen_count) == ("2.0", 1)
    with i18n.using("vi"):
        assert evidence(session, person_ids=[clerk], year=2026)[clerk].citizen_avg == "3,7"
    ratings = recognition_queries.citizen_ratings_in_year(session, person_ids=[clerk, unrated], year=2026)
    assert ratings == {clerk: (pytest.approx(11 / 3), 3)}


# --- the whole row, and the cost -------------------------------------------------------------------


def test_every_id_gets_a_row_even_without_any_evidence(session, now, w):
    assert evidence(session, person_ids=[], year=2026) == {}
    assert evidence(session, person_ids=[987654], year=2026) == {987654: Evidence(
        commitment="none", points=0, rank=None, rank_of=1, recognitions=0, citizen_avg="", citizen_count=0)}


def _statements(session, call) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_queries_do_not_grow_with_the_people_only_with_chunks_of_900(session, now, w):
    org = w.org
    real = [f.person(session, org.admin, now, unit_id=org.a) for _ in range(3)]
    f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[org.a], year=2026)
    f.points(session, person_id=real[0], now=now, source=Source.MANUAL, quantity=5)
    session.flush()

    def cost(n: int) -> int:
        ids = real + list(range(10_000, 10_000 + n - len(real)))
        return _statements(session, lambda: evidence(session, person_ids=ids, year=2026))

    per_chunk = cost(901) - cost(900)
    assert cost(3) == cost(900) and per_chunk > 0
    # Each building block chunks its own IN lists (other callers get the same safety).
    for block in (commitments_queries.year_status, recognition_queries.received_in_year,
                  recognition_queries.citizen_ratings_in_year):
        ids = list(range(10_000, 10_901))
        assert _statements(session, lambda b=block, i=ids: b(session, person_ids=i, year=2026)) > \
            _statements(session, lambda b=block, i=ids[:900]: b(session, person_ids=i, year=2026)), block
    assert cost(2_500) == cost(900) + 2 * per_chunk  # three chunks
    got = evidence(session, person_ids=[*real, *range(10_000, 12_000)], year=2026)
    assert len(got) == 2_003 and got[real[0]].points == 5 and got[real[0]].rank == 1
    assert got[real[1]].commitment == "not_signed" and got[10_500].commitment == "none"


def test_the_building_blocks_answer_for_every_id_given(session, now, w):
    org = w.org
    pid = f.person(session, org.admin, now, unit_id=org.b)
    assert commitments_queries.year_status(session, person_ids=[pid, pid], year=2026) == {pid: "none"}
    assert recognition_queries.received_in_year(session, person_ids=[pid], year=2026) == {pid: 0}
    assert recognition_queries.citizen_ratings_in_year(session, person_ids=[pid], year=2026) == {}
