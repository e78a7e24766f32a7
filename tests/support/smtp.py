"""A real SMTP server for the e-mail tests: aiosmtpd's Controller on 127.0.0.1, a free port.

Django's SMTP backend connects to it over TCP and speaks SMTP; the tests read what the server
actually received (`messages`, parsed with the stdlib `email` package), never Django's
in-memory outbox. Use the `smtp_server` fixture (pytest) or `running_smtp_server()` (any test).
"""

import email
import email.policy
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings


@dataclass
class Received:
    """One message as the server got it: envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage

    @property
    def to(self):
        return self.message["To"]

    @property
    def subject(self):
        return str(self.message["Subject"])

    def text(self):
        """The plain-text body (the text part of a multipart message)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self):
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class _Handler:
    """aiosmtpd handler: keep every message the DATA command delivers."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A running server: `port`, `messages` (Received, in arrival order), `clear()`, `to(addr)`."""

    def __init__(self, controller, handler):
        self._controller, self._handler = controller, handler
        self.host, self.port = controller.hostname, controller.port

    @property
    def messages(self):
        with self._handler.lock:
            return list(self._handler.messages)

    def to(self, address):
        """Messages whose envelope names `address` as a recipient."""
        return [m for m in self.messages if address in m.rcpt_tos]

    def clear(self):
        with self._handler.lock:
            self._handler.messages.clear()

    def settings(self):
        """Django settings that send through this server with the real SMTP backend."""
        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=self.host, EMAIL_PORT=self.port, EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="", EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=5)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server():
    """Start a server for the block and point Django's SMTP backend at it."""
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(),
                            ready_timeout=10)
    controller.start()
    server = SmtpServer(controller, handler)
    try:
        with server.settings():
            yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server for one test, with Django's SMTP backend pointed at it."""
    with running_smtp_server() as server:
        yield server
