"""The real SMTP server fixture for the partner e-mail tests; fresh throttle counters."""

import pytest
from django.core.cache import cache

from tests.support.smtp import smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_link_counters():
    """Link throttling counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
