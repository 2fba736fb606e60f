"""Demo data for recognition: values, a few weeks of recognitions between the demo logins,
reactions and comments, thanks links for the one-stop centre of xã Tân Lập and some
citizens' ratings (one note waiting for the unit head).

Everything goes through ``engagement.recognition.service`` as the demo people themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from engagement.core.access import Actor
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.recognition import rules, service
from engagement.recognition.models import RecognitionValue, ThanksLink

# (giver, receivers, level, value codes, message, days ago, private)
_RECOGNITIONS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...], str, int, bool], ...] = (
    ("head.snv", ("staff",), "great", ("responsibility", "digital"),
     "Chị đã số hóa toàn bộ hồ sơ lưu trữ năm 2025 trước hạn hai tuần; tra cứu giờ chỉ mất vài phút.",
     9, False),
    ("staff2", ("staff",), "thanks", ("4-always",),
     "Cảm ơn chị đã hỗ trợ em cài đặt chữ ký số ngoài giờ để kịp trả kết quả cho người dân.",
     6, False),
    ("officer", ("head.tanlap",), "outstanding", ("service", "exemplary"),
     "Xã Tân Lập giảm 40% hồ sơ trễ hạn trong quý nhờ anh trực tiếp rà soát từng quy trình một cửa.",
     5, False),
    ("staff", ("staff2",), "great", ("service", "4-requests"),
     "Anh hướng dẫn tận tình cụ bà làm thủ tục chứng thực, đưa cụ ra tận cổng, người dân rất cảm động.",
     4, False),
    ("head.tanlap", ("staff2",), "thanks", ("discipline",),
     "Anh luôn mở quầy đúng giờ và trả kết quả đúng hẹn suốt tháng qua, không có phản ánh nào.",
     3, True),
    ("union.snv", ("head.snv",), "thanks", ("green-office",),
     "Đồng chí đã vận động cả Sở bỏ chai nhựa dùng một lần trong các cuộc họp, tiết kiệm và sạch hơn hẳn.",
     2, False),
    ("council", ("staff", "staff2"), "thanks", ("4-always",),
     "Hai bạn phối hợp liên thông hồ sơ giữa Sở và xã rất nhịp nhàng, người dân chỉ phải đến một lần.",
     1, False),
)


def _actor(session: Session, username: str, now: datetime) -> tuple[Actor, str]:
    result = org_sessions.login(session, username=username, password=DEMO_PASSWORD,
                               client_ip="127.0.0.1", user_agent="engagement seed-demo", now=now)
    actor = org_sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        msg = f"demo login {username} failed: {result.message}"
        raise RuntimeError(msg)
    return actor, result.token


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the recognition slice of the demo (after the organisation's seed).

    Returns:
        Counts: recognitions, thanks.
    """
    service.install_default_values(session, now=now)
    value_ids = dict(session.exec(select(RecognitionValue.code, RecognitionValue.id)).all())
    names = {u for g, rs, *_ in _RECOGNITIONS for u in (g, *rs)}
    actors: dict[str, Actor] = {}
    tokens = []
    for username in sorted(names):
        actors[username], token = _actor(session, username, now)
        tokens.append(token)
    ids = []
    for giver, receivers, level, values, message, days, private in _RECOGNITIONS:
        ids.append(service.give(
            session, actor=actors[giver], person_ids=[actors[r].person_id for r in receivers],
            message=message, value_ids=[value_ids[v] for v in values], level=level,
            is_private=private, now=now - timedelta(days=days, hours=days)).id)
    service.react(session, actor=actors["staff2"], recognition_id=ids[0], now=now)
    service.react(session, actor=actors["officer"], recognition_id=ids[3], now=now)
    service.comment(session, actor=actors["head.tanlap"], recognition_id=ids[3],
                    body="Rất đáng khen, cả xã tự hào về anh!", now=now)

    # Citizens' thanks at the one-stop centre of xã Tân Lập (staff2's unit).
    head = actors["head.tanlap"]
    unit_id = actors["staff2"].unit_id
    service.ensure_unit_links(session, actor=head, unit_id=unit_id, now=now)
    service.add_counter(session, actor=head, unit_id=unit_id, counter_name="Quầy 1 - Tư pháp, hộ tịch",
                        now=now)
    staff2_link = session.exec(select(ThanksLink.token).where(
        ThanksLink.person_id == actors["staff2"].person_id)).one()
    submissions = (
        (5, 5, 5, "", "000.00.21.H00-260301-0007"),
        (4, 5, 4, "", "000.00.21.H00-260302-0012"),
        (5, 4, 5, "Anh cán bộ hướng dẫn rất kỹ, tôi chỉ phải đi một lần. Cảm ơn anh!",
         "000.00.21.H00-260303-0003"),
    )
    for i, (att, tim, gui, note, dossier) in enumerate(submissions):
        when = now - timedelta(hours=3 - i)
        # An easy challenge: seeding solves it here, where no browser waits on it.
        proof = rules.solve_proof(service.thanks_challenge(session, now=when, max_number=1000))
        service.submit_thanks(session, token=staff2_link, attitude=att, timeliness=tim, guidance=gui,
                              note=note, dossier=dossier, proof=proof, client_ip=f"192.0.2.{10 + i}", now=when)
    for token in tokens:
        org_sessions.logout(session, token=token, now=now)
    session.flush()
    return {"recognitions": len(ids), "thanks": len(submissions)}
