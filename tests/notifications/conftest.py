"""The real SMTP server fixture for the e-mail tests."""

from tests.support.smtp import smtp_server  # noqa: F401
