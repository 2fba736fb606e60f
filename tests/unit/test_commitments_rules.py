"""Pure rules of commitments: status from dates, person status, validation, the hash chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engagement.commitments import rules
from engagement.commitments.rules import CampaignStatus, ChainLink, PersonStatus
from engagement.core.errors import Invalid

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def status(now, *, opens=T0, due=T0 + timedelta(days=10), allow_late=False, late_until=None, closed_at=None):
    return rules.campaign_status(opens_at=opens, due_at=due, allow_late=allow_late, late_until=late_until,
                                 closed_at=closed_at, now=now)


@pytest.mark.parametrize(("offset", "expected"), [
    (timedelta(days=-1), CampaignStatus.DRAFT), (timedelta(0), CampaignStatus.OPEN),
    (timedelta(days=9, hours=23), CampaignStatus.OPEN), (timedelta(days=10), CampaignStatus.CLOSED),
])
def test_status_follows_the_dates(offset, expected):
    assert status(T0 + offset) is expected


def test_late_signing_extends_to_its_limit():
    limit = T0 + timedelta(days=20)
    assert status(T0 + timedelta(days=15), allow_late=True, late_until=limit) is CampaignStatus.OPEN
    assert status(T0 + timedelta(days=20), allow_late=True, late_until=limit) is CampaignStatus.CLOSED


def test_an_officers_close_wins_over_the_dates():
    assert status(T0 + timedelta(days=2), closed_at=T0 + timedelta(days=1)) is CampaignStatus.CLOSED
    assert status(T0 + timedelta(hours=1), closed_at=T0 + timedelta(days=1)) is CampaignStatus.OPEN


@pytest.mark.parametrize(("kw", "expected"), [
    ({"signed": True, "exempt": True, "declined": True}, PersonStatus.SIGNED),
    ({"exempt": True, "declined": True}, PersonStatus.EXEMPTED),
    ({"declined": True}, PersonStatus.DECLINED),
    ({"due_at": T0}, PersonStatus.OVERDUE),
    ({"due_at": T0 + timedelta(seconds=1)}, PersonStatus.PENDING),
])
def test_person_status_precedence(kw, expected):
    args = {"signed": False, "exempt": False, "declined": False, "due_at": None, **kw}
    assert rules.person_status(now=T0, **args) is expected


def test_due_day_counts_in_full_in_the_local_zone():
    end = rules.end_of_day(date(2026, 3, 31), HANOI)
    assert end.astimezone(UTC) == datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert rules.parse_day("31/03/2026", "due date") == rules.parse_day("2026-03-31", "due date")
    with pytest.raises(Invalid, match="as a date"):
        rules.parse_day("next week", "due date")


def test_campaign_checks():
    with pytest.raises(Invalid, match="after the opening"):
        rules.check_campaign(year=2026, opens_at=T0, due_at=T0, allow_late=False, late_until=None, unit_count=1)
    with pytest.raises(Invalid, match="unit"):
        rules.check_campaign(year=2026, opens_at=T0, due_at=T0 + timedelta(1), allow_late=False, late_until=None,
                             unit_count=0)
    with pytest.raises(Invalid, match="only applies"):
        rules.check_campaign(year=2026, opens_at=T0, due_at=T0 + timedelta(1), allow_late=False,
                             late_until=T0 + timedelta(2), unit_count=1)
    with pytest.raises(Invalid, match="year"):
        rules.check_campaign(year=26, opens_at=T0, due_at=T0 + timedelta(1), allow_late=False, late_until=None,
                             unit_count=1)


def test_audience_by_path_prefix_and_position():
    assert rules.in_audience(unit_path="/1/4/9/", position="x", audience_paths=("/1/4/",), positions=())
    assert not rules.in_audience(unit_path="/1/5/", position="x", audience_paths=("/1/4/",), positions=())
    assert rules.in_audience(unit_path="/1/4/", position="trưởng  phòng", audience_paths=("/1/",),
                             positions=("Trưởng phòng",))
    assert not rules.in_audience(unit_path="/1/4/", position="Chuyên viên", audience_paths=("/1/",),
                                 positions=("Trưởng phòng",))


def _may(**kw):
    args = {"closed_by_officer": False, "closes_on": "10/03/2026", "due_at": T0, "due_on": "01/03/2026",
            "has_exception": False, "allow_late": False, "now": T0 - timedelta(1), **kw}
    rules.may_sign(kw.pop("status", CampaignStatus.OPEN), **{k: v for k, v in args.items() if k != "status"})


def test_may_sign_rules():
    _may()
    with pytest.raises(Invalid, match="not open"):
        _may(status=CampaignStatus.DRAFT)
    with pytest.raises(Invalid, match="closed on 10/03/2026"):
        _may(status=CampaignStatus.CLOSED)
    with pytest.raises(Invalid, match="deadline passed"):
        _may(now=T0 + timedelta(1))
    _may(now=T0 + timedelta(1), allow_late=True)
    # A personal due date keeps signing open after the campaign closed by its dates ...
    _may(status=CampaignStatus.CLOSED, has_exception=True, due_at=T0 + timedelta(5), now=T0 + timedelta(1))
    # ... but not after an officer closed it.
    with pytest.raises(Invalid, match="closed on"):
        _may(status=CampaignStatus.CLOSED, closed_by_officer=True, has_exception=True, due_at=T0 + timedelta(5))


def test_names_match_ignores_case_and_spacing_but_not_accents():
    assert rules.names_match("  lê  thị HOA ", "Lê Thị Hoa")
    assert not rules.names_match("Le Thi Hoa", "Lê Thị Hoa")
    assert not rules.names_match("", "")


def test_pledges_are_short_measurable_and_few():
    assert rules.clean_pledges(["", "  Trả lời trong 2 ngày  "]) == ("Trả lời trong 2 ngày",)
    with pytest.raises(Invalid, match="at most"):
        rules.clean_pledges([f"Cam kết số {i}" for i in range(6)])
    with pytest.raises(Invalid, match="short measurable"):
        rules.clean_pledges(["x" * 201])


def test_template_validation():
    t = rules.clean_template(" Tiêu  đề ", "Mở đầu", ["a", " ", "b"])
    assert t.title == "Tiêu đề" and t.clauses == ("a", "b")
    with pytest.raises(Invalid, match="title"):
        rules.clean_template("", "", ["a"])
    with pytest.raises(Invalid, match="at most"):
        rules.clean_template("T", "", ["a"] * 41)


def test_every_clause_must_be_ticked():
    assert rules.all_ticked([3, 1, 2], 3)
    assert not rules.all_ticked([1, 2], 3)


def test_signed_text_holds_clauses_pledges_and_signer():
    text = rules.signed_text(title="T", preamble="P", clauses=("một", "hai"), pledges=("đo được",),
                             signer="Lê Hoa", unit="Phòng A", campaign="C")
    assert "1. một" in text and "2. hai" in text and "- đo được" in text and "Lê Hoa" in text


def _chain(n):
    links, prev = [], rules.GENESIS_HASH
    for seq in range(1, n + 1):
        payload = f"content {seq}"
        digest = rules.chain_hash(prev, payload)
        links.append(ChainLink(seq=seq, code=digest[:16], prev_hash=prev, content_hash=digest, payload=payload))
        prev = digest
    return links


def test_an_intact_chain_has_no_breaks():
    assert rules.find_breaks(_chain(5)) == []


def test_edited_content_breaks_its_link():
    links = _chain(4)
    links[1] = ChainLink(seq=2, code=links[1].code, prev_hash=links[1].prev_hash,
                         content_hash=links[1].content_hash, payload="edited")
    breaks = rules.find_breaks(links)
    assert [(b.seq, "mismatch" in b.problem) for b in breaks] == [(2, True)]


def test_a_missing_link_is_reported():
    links = _chain(4)
    del links[2]
    problems = " ".join(b.problem for b in rules.find_breaks(links))
    assert "missing" in problems and "previous" in problems


def test_a_rehashed_forgery_is_still_caught_by_the_next_link():
    links = _chain(3)
    forged = rules.chain_hash(links[1].prev_hash, "forged")
    links[1] = ChainLink(seq=2, code=forged[:16], prev_hash=links[1].prev_hash, content_hash=forged, payload="forged")
    assert [b.seq for b in rules.find_breaks(links)] == [3]


def test_payload_is_canonical():
    kw = {"seq": 1, "campaign_id": 1, "template_id": 1, "kind": "personal", "slot": "p:1", "person_id": 1,
          "unit_id": 1, "parent_hash": "", "signed_at": T0, "method": "online", "typed_name": "Lê Hoa",
          "content": "Nội dung", "pledges": ["a"], "client_ip": "1.2.3.4", "user_agent": "ua", "scan_sha256": ""}
    assert rules.signature_payload(**kw) == rules.signature_payload(**{**kw, "pledges": ("a",)})
    assert "Lê Hoa" in rules.signature_payload(**kw)
    assert rules.signature_payload(**kw) != rules.signature_payload(**{**kw, "typed_name": "Lê Hòa"})


def test_only_hex_references_are_looked_up():
    assert rules.looks_like_reference("907c27a9392bd90c")
    assert not rules.looks_like_reference("' or 1=1")
    assert not rules.looks_like_reference("abc")
