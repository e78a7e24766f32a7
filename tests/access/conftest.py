"""Login throttling and reset requests count in the cache: every test here starts from zero."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """An empty cache before and after each test (locmem lives as long as the worker)."""
    cache.clear()
    yield
    cache.clear()
