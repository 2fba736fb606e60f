"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: str
    subject: str
    body: str
    message_id: str = ""


@dataclass
class Handler:
    """Accepts messages; the first ``refuse`` DATA commands get a temporary failure."""

    refuse: int = 0
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            msg = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
            self.messages.append(Received(to=",".join(envelope.rcpt_tos), subject=str(msg["Subject"]),
                                          body=msg.get_content(), message_id=str(msg["Message-ID"] or "")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """Start with ``start()``; ``handler.messages`` holds what arrived."""

    def __init__(self, refuse: int = 0, ssl_context=None) -> None:
        self.handler = Handler(refuse=refuse)
        self.port = free_port()
        # With an ssl_context the server speaks implicit TLS from the first byte (SMTPS, 465).
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ssl_context=ssl_context)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return list(self.handler.messages)
