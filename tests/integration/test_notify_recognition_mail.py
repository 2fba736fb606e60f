"""Recognition received and citizens' thanks approved reach the person by e-mail when they chose it."""

from __future__ import annotations

import pytest

from engagement.notify import service as notify_service
from engagement.recognition import queries, service
from tests import factories as f


@pytest.fixture
def org(session, now):
    o = f.recognition_org(session, now=now, taker_email="nhan@tinh.gov.vn")
    session.commit()
    return o


def _deliver(session, engine, smtp, now):
    return f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now)


def _give(session, org, now):
    return f.recognition(session, actor=org.giver, to=[org.taker.person_id], now=now)


def test_a_recognition_goes_by_e_mail_only_to_someone_who_chose_it(session, org, now, engine, smtp):
    _give(session, org, now)
    assert _deliver(session, engine, smtp, now).sent == 0
    notify_service.set_preference(session, actor=org.taker, category="recognition", mode="email", now=now)
    _give(session, org, now)
    assert _deliver(session, engine, smtp, now).sent == 1
    [mail] = smtp.messages
    assert mail.to == "nhan@tinh.gov.vn" and "Lê Văn Tặng" in mail.subject
    assert f.RECOGNITION_MESSAGE[:40] in mail.body


def test_an_approved_citizen_thanks_goes_by_e_mail_when_chosen(session, org, now, engine, smtp):
    notify_service.set_preference(session, actor=org.taker, category="recognition", mode="email", now=now)
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    f.citizen_thanks(session, token=token, note="Cảm ơn chị!", now=now)
    assert _deliver(session, engine, smtp, now).sent == 0  # not before a moderator approves it
    pending, _ = queries.thanks_for_moderation(session, actor=org.head_b)
    service.moderate_thanks(session, actor=org.head_b, thanks_id=pending[0].id, approve=True, now=now)
    assert _deliver(session, engine, smtp, now).sent == 1
    [mail] = smtp.messages
    assert mail.subject == "A citizen thanked you" and "Cảm ơn chị!" in mail.body
