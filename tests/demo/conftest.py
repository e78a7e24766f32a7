"""Tests that read the demo: `chainward demo` is built once for all of them.

Building the demo takes seconds; it used to be built once per module (and again inside some
tests), twenty times per run. Every test module here shares one build: the package fixture runs
`chainward demo` inside a transaction that is rolled back after the package's last test, and
each test runs in its own savepoint on top (the `db` fixture), so what one test writes is gone
before the next. tests/conftest.py sends the whole package to one pytest-xdist worker as a single
unit, so it is built once per run, not once per worker.

Only tests that need the demo belong here: every test of the package after the first one that
asks for the demo sees its records.
"""

import io

import pytest


@pytest.fixture(scope="package")
def demo_build(django_db_setup, django_db_blocker):
    """What `chainward demo` printed; its records stay until the package's last test."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_output(demo_build, db):
    """The demo's first-run output, for a test that runs in its own savepoint on the demo."""
    return demo_build


@pytest.fixture
def demo(demo_build, db):
    """The demo's organisation, ABC Logistics."""
    from chainward.supplychain.models import Organisation

    return Organisation.objects.get(name="ABC Logistics")
