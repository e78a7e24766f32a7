"""A real, tiny SMTP server for tests: it speaks enough RFC 5321 for smtplib and keeps messages.

Python 3.12 removed `smtpd`; this uses `socketserver` so that e-mail tests go through Django's
SMTP backend and an actual TCP connection, not the in-memory outbox.
"""

import email
import email.policy
import socketserver
import threading
from contextlib import contextmanager


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation: greeting, envelope, DATA, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ready")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = line.decode().split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                body = []
                for raw in iter(self.rfile.readline, b""):
                    if raw in {b".\r\n", b".\n"}:
                        break
                    body.append(raw[1:] if raw.startswith(b"..") else raw)
                message = email.message_from_bytes(b"".join(body), policy=email.policy.default)
                self.server.messages.append((sender, recipients, message))
                self.reply("250 queued")
            elif verb in {"RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1 on a free port; `messages` holds (sender, recipients, message)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.messages = []

    @property
    def port(self):
        return self.server_address[1]


@contextmanager
def smtp_sink():
    """Run an SmtpSink in a thread for the duration of the block."""
    sink = SmtpSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()
        thread.join(timeout=5)
