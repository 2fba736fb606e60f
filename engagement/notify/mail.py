"""Sending e-mail over SMTP (settings ``ENGAGEMENT_SMTP_*``); one connection per mail run."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from engagement.settings import SMTP_SECURITY as SECURITY
from engagement.settings import Settings


class SmtpSender:
    """Sends plain-text UTF-8 e-mails through one SMTP server, reusing the connection.

    ``security``: ``starttls`` (plain connection upgraded with STARTTLS, port 587), ``ssl``
    (implicit TLS from the first byte, ``smtplib.SMTP_SSL``, port 465) or ``none``; without
    it, ``tls`` chooses between ``starttls`` and ``none``. The server's certificate and name
    are always verified, against the system's CAs or ``ca_file`` (a private CA); a refused
    certificate is an ``OSError`` (``ssl.SSLError``), so the message is tried again later.
    """

    def __init__(self, *, host: str, port: int, user: str | None, password: str | None,
                 tls: bool = True, mail_from: str, from_name: str = "", timeout: float = 20.0,
                 security: str | None = None, ca_file: str | None = None) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.security = security or ("starttls" if tls else "none")
        if self.security not in SECURITY:
            msg = f"SMTP security must be starttls, ssl or none, got {self.security!r}"
            raise ValueError(msg)
        self.ca_file, self.mail_from, self.from_name, self.timeout = ca_file, mail_from, from_name, timeout
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.security == "starttls":
                    smtp.starttls(context=self._context())
                if self.user:
                    smtp.login(self.user, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def send(self, *, to: str, subject: str, body: str, message_id: str = "") -> None:
        """Send one message; raises ``smtplib.SMTPException`` or ``OSError`` when it fails.

        ``message_id``: the stable ``Message-ID`` of this message (``rules.message_id``): SMTP
        delivery is at least once, and a duplicate with the same id is dropped by the receiver.
        """
        msg = EmailMessage()
        msg["From"] = formataddr((self.from_name, self.mail_from)) if self.from_name else self.mail_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = message_id or make_msgid(domain=self.mail_from.rpartition("@")[2] or None)
        msg.set_content(body)
        try:
            self._connect().send_message(msg)
        except (smtplib.SMTPException, OSError):
            # The next message starts on a fresh connection.
            self.close()
            raise

    def close(self) -> None:
        """End the connection, if any."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def sender_from_settings(settings: Settings) -> SmtpSender | None:
    """The configured sender, or None without ``ENGAGEMENT_SMTP_HOST`` (mail stays queued)."""
    if not settings.smtp_host:
        return None
    return SmtpSender(host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
                      password=settings.smtp_password, security=settings.smtp_security,
                      ca_file=settings.smtp_ca_file, mail_from=settings.mail_from,
                      from_name=settings.org_name)
