"""E-mail over implicit TLS (SMTPS, port 465) to a real aiosmtpd server on loopback, with a
self-signed certificate made for the test; and the SMTP security settings."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from engagement.notify.mail import sender_from_settings
from engagement.settings import load_settings
from tests import factories as f


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl CLI; ``cryptography`` is not installed)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, crt = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return crt, key


@pytest.fixture
def smtps(cert, smtp_server):
    crt, key = cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(crt), str(key))
    return smtp_server(ssl_context=context)


def _sender(server, **kw):
    return f.smtp_sender(server, security="ssl", **kw)


@pytest.fixture
def queued(session, now):
    o = f.small_org(session, now)
    pid = f.person(session, o.admin, now, unit_id=o.b, name="Nguyễn Văn An", email="an@tinh.gov.vn")
    f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
    f.notification(session, person_id=pid, body="Cảm ơn anh.", link="", now=now)
    session.commit()
    return pid


def _email(session):
    [row] = f.outbox(session, channel="email")
    return row


def test_a_message_arrives_over_implicit_tls_when_the_servers_ca_is_trusted(
        session, engine, now, smtps, cert, queued):
    report = f.deliver(session, engine, sender=_sender(smtps, ca_file=str(cert[0])), now=now)
    assert (report.sent, report.retried) == (1, 0)
    [got] = smtps.messages
    assert (got.to, got.subject) == ("an@tinh.gov.vn", "Bạn được ghi nhận")
    assert "Cảm ơn anh." in got.body
    assert _email(session).status == "sent"


def test_an_untrusted_certificate_is_refused_and_the_message_is_retried_later_not_lost(
        session, engine, now, smtps, cert, queued):
    from datetime import timedelta

    report = f.deliver(session, engine, sender=_sender(smtps), now=now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    assert smtps.messages == []
    row = _email(session)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, now + timedelta(minutes=1))
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    # Once the operator trusts the server's CA, the next due run delivers it.
    later = now + timedelta(minutes=1)
    assert f.deliver(session, engine, sender=_sender(smtps, ca_file=str(cert[0])), now=later).sent == 1
    assert len(smtps.messages) == 1


def test_a_plain_client_cannot_talk_to_an_implicit_tls_server(session, engine, now, smtps, queued):
    plain = f.smtp_sender(smtps, security="none", timeout=3)
    report = f.deliver(session, engine, sender=plain, now=now)
    assert (report.sent, report.retried) == (0, 1)
    assert smtps.messages == []


# --- settings ---------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch):
    for name in ("ENGAGEMENT_SMTP_SECURITY", "ENGAGEMENT_SMTP_TLS", "ENGAGEMENT_SMTP_CA_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("values", "expected"), [
    ({}, "starttls"),
    ({"ENGAGEMENT_SMTP_TLS": "0"}, "none"),
    ({"ENGAGEMENT_SMTP_TLS": "1"}, "starttls"),
    ({"ENGAGEMENT_SMTP_SECURITY": "ssl"}, "ssl"),
    ({"ENGAGEMENT_SMTP_SECURITY": "SSL"}, "ssl"),
    ({"ENGAGEMENT_SMTP_SECURITY": "none"}, "none"),
    ({"ENGAGEMENT_SMTP_SECURITY": "starttls", "ENGAGEMENT_SMTP_TLS": "0"}, "starttls"),
])
def test_smtp_security_setting_and_the_older_tls_alias(env, values, expected):
    for name, value in values.items():
        env.setenv(name, value)
    settings = load_settings()
    assert settings.smtp_security == expected
    assert settings.smtp_tls is (expected != "none")


def test_a_bad_smtp_security_value_is_refused_naming_it(env):
    env.setenv("ENGAGEMENT_SMTP_SECURITY", "tls1.3")
    with pytest.raises(ValueError, match=r"ENGAGEMENT_SMTP_SECURITY must be starttls, ssl or none, got 'tls1.3'"):
        load_settings()


def test_a_missing_ca_file_is_refused_naming_it(env, tmp_path):
    env.setenv("ENGAGEMENT_SMTP_CA_FILE", str(tmp_path / "nope.pem"))
    with pytest.raises(ValueError, match=r"ENGAGEMENT_SMTP_CA_FILE.*nope\.pem"):
        load_settings()


def test_the_configured_sender_uses_implicit_tls_and_the_private_ca(env, cert):
    env.setenv("ENGAGEMENT_SMTP_HOST", "mail.tinh.gov.vn")
    env.setenv("ENGAGEMENT_SMTP_PORT", "465")
    env.setenv("ENGAGEMENT_SMTP_SECURITY", "ssl")
    env.setenv("ENGAGEMENT_SMTP_CA_FILE", str(cert[0]))
    sender = sender_from_settings(load_settings())
    assert (sender.host, sender.port, sender.security, sender.ca_file) == (
        "mail.tinh.gov.vn", 465, "ssl", str(cert[0]))
