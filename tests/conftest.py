"""Shared fixtures: the two-organisation world and logged-in personas."""

import pytest

from tests.support.world import build_world


@pytest.fixture
def world(db):
    """Organisations A and B, sites S1/S2/S3, one user per built-in role and scope."""
    return build_world()


@pytest.fixture
def admin_client(client, world):
    """A client logged in as A's organisation-wide administrator."""
    client.force_login(world["users"]["administrator__org"])
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit():` runs on-commit callbacks (task enqueues) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _no_stale_ledger_anchor():
    """Each test starts without a ledger anchor file: the test database is rolled back or
    flushed between tests, the instance folder is not (one folder per xdist worker)."""
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.LEDGER_ANCHOR) if settings.LEDGER_ANCHOR else None
    if path is not None:
        path.unlink(missing_ok=True)
    yield
    if path is not None:
        path.unlink(missing_ok=True)
