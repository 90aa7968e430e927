"""A real SMTP server on loopback (aiosmtpd) that the tests send to, and what it received."""

import email
import email.header
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    @staticmethod
    def subject(message: Message) -> str:
        return str(email.header.make_header(email.header.decode_header(message["Subject"])))

    def subjects(self) -> list[str]:
        return sorted(self.subject(m) for _to, m in self.messages)

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.messages if address in rcpt]

    @staticmethod
    def body(message: Message) -> str:
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(part.get_content_charset() or "utf-8")

    @staticmethod
    def attachments(message: Message) -> dict[str, bytes]:
        found = {}
        for part in message.walk():
            if part.get_filename():
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                found[part.get_filename() or ""] = payload
        return found


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    for attempt in range(5):
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except OSError:  # taken in between by another test process (pytest-xdist): another port
            controller.loop.close()
            if attempt == 4:
                raise
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "udsyn@kk.dk"
    yield inbox
    controller.stop()
