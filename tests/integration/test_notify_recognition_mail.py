"""Recognition received and citizens' thanks approved reach the person by e-mail when they chose it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from engagement.core.access import Role
from engagement.notify import service as notify_service
from engagement.notify.mail import SmtpSender
from engagement.org.models import Person
from engagement.recognition import queries, service
from engagement.recognition.models import RecognitionValue, ThanksLink
from tests import factories as f
from tests.integration._smtp import SmtpServer

MESSAGE = "Chị đã hướng dẫn tận tình cho người dân làm hồ sơ đất đai, giảm một lần đi lại."


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def org(session, now):
    o = f.small_org(session, now)
    service.install_default_values(session, now=now)
    o.giver = f.user(session, o.admin, now, unit_id=o.a, username="giver", name="Lê Văn Tặng")
    o.taker = f.user(session, o.admin, now, unit_id=o.b, username="taker", name="Phạm Thị Nhận")
    o.head_b = f.user(session, o.admin, now, unit_id=o.b, username="headb", name="Đỗ Trưởng B",
                      role=Role.UNIT_HEAD.value, role_unit_id=o.b)
    person = session.get(Person, o.taker.person_id)
    person.email = "nhan@tinh.gov.vn"
    session.add(person)
    o.value = session.exec(select(RecognitionValue.id).where(RecognitionValue.code == "service")).one()
    session.commit()
    return o


def _deliver(session, engine, smtp, now):
    session.commit()
    sender = SmtpSender(host="127.0.0.1", port=smtp.port, user=None, password=None, tls=False,
                        mail_from="thi-dua@tinh.gov.vn")
    return notify_service.deliver_email(engine, sender=sender, now=now, worker="t")


def _give(session, org, now):
    return service.give(session, actor=org.giver, person_ids=[org.taker.person_id], message=MESSAGE,
                        value_ids=[org.value], level="thanks", now=now)


def test_a_recognition_goes_by_e_mail_only_to_someone_who_chose_it(session, org, now, engine, smtp):
    _give(session, org, now)
    assert _deliver(session, engine, smtp, now).sent == 0
    notify_service.set_preference(session, actor=org.taker, category="recognition", mode="email", now=now)
    _give(session, org, now)
    assert _deliver(session, engine, smtp, now).sent == 1
    [mail] = smtp.messages
    assert mail.to == "nhan@tinh.gov.vn" and "Lê Văn Tặng" in mail.subject
    assert MESSAGE[:40] in mail.body


def test_an_approved_citizen_thanks_goes_by_e_mail_when_chosen(session, org, now, engine, smtp):
    notify_service.set_preference(session, actor=org.taker, category="recognition", mode="email", now=now)
    service.ensure_unit_links(session, actor=org.head_b, unit_id=org.b, now=now)
    token = session.exec(select(ThanksLink.token).where(ThanksLink.person_id == org.taker.person_id)).one()
    service.submit_thanks(session, token=token, attitude=5, timeliness=5, guidance=5, note="Cảm ơn chị!",
                          dossier="HS-2026-0001", answer="7", expected=7, client_ip="203.0.113.5", now=now)
    assert _deliver(session, engine, smtp, now).sent == 0  # not before a moderator approves it
    pending, _ = queries.thanks_for_moderation(session, actor=org.head_b)
    service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=True, now=now)
    assert _deliver(session, engine, smtp, now).sent == 1
    [mail] = smtp.messages
    assert mail.subject == "A citizen thanked you" and "Cảm ơn chị!" in mail.body
