"""Shared fixtures (the two-organisation world and logged-in personas), the hypothesis profiles
and how pytest-xdist shares the suite between workers."""

import copy
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.support.world import build_world

# --- Hypothesis ---------------------------------------------------------------------------------
# "ci" (the default): few examples, the same ones on every run (a red build can be re-run and stays
# red), no deadline (two shared cores and PostgreSQL make timings noisy), no example database.
# HYPOTHESIS_PROFILE=dev gives hypothesis' own defaults; =thorough searches harder.
hypothesis_settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- pytest-xdist -------------------------------------------------------------------------------
# `--dist loadscope` (pyproject.toml) keeps a TestCase class on one worker, so its setUpTestData
# runs once. Two packages are each a single unit: the browser tests (one session-scoped demo
# server) and tests/demo (one demo build shared by every module, tests/demo/conftest.py). The
# longest units are handed out first, longest first, so that no worker starts a long one while
# the other has nothing left (a run used to end with one worker alone on the fault tests).
BROWSER_SCOPE = "tests/browser"
DEMO_SCOPE = "tests/demo"
WHOLE_PACKAGES = (BROWSER_SCOPE, DEMO_SCOPE)
LONGEST_FIRST = (BROWSER_SCOPE, DEMO_SCOPE, "tests/api/test_fuzz.py",
                 "tests/jobs/test_worker_faults.py")


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """loadscope, with the browser tests and the demo tests each one work unit, and the longest
    units handed out first."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            for package in WHOLE_PACKAGES:
                if nodeid.startswith(package + "/"):
                    return package
            return super()._split_scope(nodeid)

        def _assign_work_unit(self, node):
            for scope in reversed(LONGEST_FIRST):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return Scheduling(config, log)


# --- Which database run a test belongs to ------------------------------------------------------
# CI runs the suite twice, without DATABASE_URL (SQLite) and with a PostgreSQL one (.ci/run). A test
# that runs its own SQLite instance whatever the suite's database (`own_sqlite`; every browser test,
# whose server is `chainward demo` + `serve` on SQLite) would repeat itself unchanged in the
# PostgreSQL run, so it runs in the SQLite run only; a `postgresql` test runs in the PostgreSQL run.
def _suite_on_postgresql():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    on_postgresql = _suite_on_postgresql()
    for item in items:
        if on_postgresql and (item.get_closest_marker("own_sqlite")
                              or item.get_closest_marker("browser")):
            item.add_marker(pytest.mark.skip(
                reason="runs its own SQLite instance: it runs in the SQLite run (no DATABASE_URL)"))
        elif not on_postgresql and item.get_closest_marker("postgresql"):
            item.add_marker(pytest.mark.skip(
                reason="needs PostgreSQL: it runs with DATABASE_URL=postgres://... (CI run 2)"))


def pytest_make_parametrize_id(config, val, argname):
    """Name a long binary parameter (a file's content) by its size: every xdist worker collects
    the same test ids even when the bytes hold the time they were built at (zip entries)."""
    if isinstance(val, bytes) and len(val) > 32:
        return f"{len(val)}-bytes"
    return None


# --- The test databases ------------------------------------------------------------------------
# `--nomigrations` (pyproject.toml): each worker's test database is created from the models (2 s)
# instead of by replaying every migration (about 25 s of CPU a worker and a database). The models
# say everything about the schema but what the ledger's data migration adds: its append-only
# triggers and its head row, added here by that migration's own code. tests/core/test_migrations.py
# proves that a real `chainward migrate` gives the same schema, on both databases.
@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """The test databases, with the ledger's append-only triggers when built from the models."""
    if request.config.getvalue("nomigrations"):
        import importlib

        from django.apps import apps
        from django.db import connection

        append_only = importlib.import_module("chainward.ledger.migrations.0002_append_only")
        with django_db_blocker.unblock():
            if "ledger_ledgerentry" not in connection.introspection.table_names():
                return  # no collected test uses the database: pytest-django made none
            with connection.schema_editor() as editor:
                append_only.forwards(apps, editor)


# --- Logging in ---------------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _force_login_passes_two_step():
    """Every test client's force_login also passes the second step (tests/support/mfa.py):
    two-step sign-in stays enforced, and the suite's people have set it up."""
    from django.test.client import ClientMixin

    from tests.support.mfa import force_login_with_two_step

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClientMixin, "force_login", force_login_with_two_step)
        yield


# --- Fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker):
    """`build_world()` once per test module (about 360 queries), as Django's TestCase builds
    `setUpTestData`: inside a transaction rolled back after the module's last test, each test
    in its own savepoint on top (the `db` fixture), so what one test writes is gone before the
    next. A module's tests that do not ask for the world may see it once one that did has run,
    so a test that builds a world of its own asks for the `world` fixture instead. None (each
    test builds its own) in a module that also holds TestCase classes: they build worlds in
    their `setUpTestData`, and pytest-xdist may run them while this one is open."""
    from django.db import transaction
    from django.test import TransactionTestCase

    if any(isinstance(value, type) and issubclass(value, TransactionTestCase)
           for value in vars(request.module).values()):
        yield None
        return
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    """Organisations A and B, sites S1/S2/S3, one user per built-in role and scope: the
    module's world, copied for each test (its instances fresh, as the database is)."""
    return build_world() if module_world is None else copy.deepcopy(module_world)


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
