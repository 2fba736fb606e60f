"""Demo data for commitments: this year's campaign over the whole province, a few signatures.

Written through the real services as the demo emulation officer. The ``staff`` login is
left unsigned on purpose, so that anyone trying the demo can sign.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image
from sqlmodel import Session, select

from engagement.commitments import service
from engagement.org import sessions as org_sessions
from engagement.org.models import Account, Person, Unit
from engagement.settings import get_settings


def _scan() -> bytes:
    image = Image.new("RGB", (240, 320), "white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_demo(session: Session, *, now: datetime) -> int:
    """Add the year's campaign and a few paper signatures; returns how many were signed."""
    from engagement.org.demo import DEMO_PASSWORD, ROOT_CODE

    login = org_sessions.login(session, username="officer", password=DEMO_PASSWORD, client_ip="127.0.0.1",
                              user_agent="demo seed", now=now)
    officer = org_sessions.resolve_actor(session, token=login.token, now=now)
    personal, collective = service.ensure_default_templates(session, actor=officer, now=now)
    root = session.exec(select(Unit.id).where(Unit.code == ROOT_CODE)).one()
    zone_today = now.astimezone(get_settings().tz).date()
    campaign_id = service.create_campaign(
        session, actor=officer, year=now.year, name=f"Cam kết văn hoá công vụ năm {now.year}",
        template_id=personal, collective_template_id=collective, unit_ids=[root],
        opens_on=zone_today.isoformat(), due_on=(zone_today + timedelta(days=30)).isoformat(),
        allow_late=True, now=now)
    # People without a login signed on paper in their commune's one-stop centre.
    without_login = session.exec(
        select(Person.id).outerjoin(Account, Account.person_id == Person.id)
        .where(Account.id.is_(None), Person.is_active.is_(True)).order_by(Person.id).limit(6)).all()
    for person_id in without_login:
        service.record_paper_signature(
            session, actor=officer, campaign_id=campaign_id, person_id=person_id,
            reason="Ký bản giấy tại buổi sinh hoạt cơ quan", scan=_scan(), scan_name="ban-cam-ket",
            signed_on=zone_today.isoformat(), now=now)
    org_sessions.logout(session, token=login.token, now=now)
    return len(without_login)
