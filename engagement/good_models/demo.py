"""Demo data: two good models in the register, one replicated by two units (one has reported).

Everything goes through the services, as the demo's unit heads and emulation officer would do it.
The models' texts are the units' own records, written in Vietnamese like the demo's people.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from engagement.core.access import Actor
from engagement.core.clock import local_day
from engagement.core.errors import Conflict
from engagement.good_models import service
from engagement.good_models.rules import ResultInput
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Unit
from engagement.settings import get_settings


def _actor(session: Session, username: str, now: datetime) -> Actor:
    result = org_sessions.login(session, username=username, password=DEMO_PASSWORD, client_ip="127.0.0.1",
                               user_agent="engagement seed-demo", now=now)
    actor = org_sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        raise Conflict("The demo login {name} could not log in: {reason}", name=username, reason=result.message)
    return actor


def _unit(session: Session, code: str) -> int:
    return session.exec(select(Unit.id).where(Unit.code == code)).one()


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the register of good models to the demo organisation (after the org seed)."""
    officer = _actor(session, "officer", now)
    head_snv, head_tanlap = _actor(session, "head.snv", now), _actor(session, "head.tanlap", now)
    snv, tanlap, stc = _unit(session, "SNV"), _unit(session, "TANLAP"), _unit(session, "STC")
    today = local_day(now, get_settings().tz)
    year = today.year
    one_stop = service.propose_model(
        session, actor=head_snv, unit_id=snv, year=year, field="admin_reform",
        title="Một cửa thân thiện: hẹn giờ trả kết quả qua tin nhắn",
        summary="Bộ phận một cửa nhắn tin cho người dân khi hồ sơ có kết quả và hẹn giờ đến nhận; công chức "
                "đeo thẻ, chào hỏi theo \"4 xin - 4 luôn\"; hồ sơ trễ hẹn được báo trước và xin lỗi bằng văn bản.",
        evidence="Sổ theo dõi hồ sơ 6 tháng trước và sau khi áp dụng; phiếu đánh giá của người dân.",
        results=[ResultInput("Thời gian chờ nhận kết quả", 45, 10, "phút"),
                 ResultInput("Hồ sơ trễ hẹn", 12, 3, "%")],
        now=now - timedelta(days=200))
    service.recognise_model(session, actor=officer, model_id=one_stop, decision_ref="25/QĐ-UBND",
                            decided_on=today - timedelta(days=190), publish=True, now=now - timedelta(days=190))
    paperless = service.propose_model(
        session, actor=head_tanlap, unit_id=tanlap, year=year, field="digital",
        title="Văn phòng không giấy ở UBND xã",
        summary="Giấy mời, tài liệu họp và văn bản nội bộ gửi qua hệ thống điện tử; in ấn chỉ khi cần lưu trữ.",
        evidence="Số liệu mua giấy, mực in của văn phòng UBND xã.",
        results=[ResultInput("Giấy in mỗi tháng", 30, 8, "ram")],
        now=now - timedelta(days=120))
    service.recognise_model(session, actor=officer, model_id=paperless, decision_ref="41/QĐ-UBND",
                            decided_on=today - timedelta(days=100), publish=True, now=now - timedelta(days=100))
    reported = service.adopt_model(session, actor=head_tanlap, model_id=one_stop, unit_id=tanlap,
                                   starts_on=today - timedelta(days=150), months=3,
                                   plan="Áp dụng tại Trung tâm phục vụ hành chính công xã",
                                   now=now - timedelta(days=150))
    service.report_adoption(
        session, actor=head_tanlap, adoption_id=reported, now=now - timedelta(days=40),
        report="Người dân không phải chờ lâu; số hồ sơ trễ hẹn giảm rõ.",
        results=[ResultInput("Thời gian chờ nhận kết quả", 40, 15, "phút"), ResultInput("Hồ sơ trễ hẹn", 9, 4, "%")])
    service.adopt_model(session, actor=officer, model_id=one_stop, unit_id=stc, starts_on=today - timedelta(days=20),
                        months=6, plan="Áp dụng ở bộ phận tiếp nhận hồ sơ của Sở", now=now - timedelta(days=20))
    return {"good_models": 2, "good_model_adoptions": 2}
