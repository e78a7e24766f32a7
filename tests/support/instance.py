"""A real Chainward instance for fault tests: its own CHAINWARD_HOME with a file-based SQLite
database, driven through separate processes (`python -m chainward.cli …`) like production.

Migrating a new database takes tens of seconds on a busy machine, so each test session copies
one migrated template: the (still empty) SQLite test database, copied with SQLite's online
backup API and its migrations recorded (`migrate --fake`), or — when the suite runs on
PostgreSQL — one `migrate` into a file.
"""

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

_template = {}


def migrated_template(tmp_dir, django_db_blocker):
    """Path of an empty, fully migrated SQLite database (made once per test process)."""
    if "path" in _template:
        return _template["path"]
    path = Path(tmp_dir) / "template.sqlite3"
    from django.db import connection

    copied = False
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
        check = sqlite3.connect(path)
        try:
            copied = check.execute("SELECT count(*) FROM ledger_ledgerentry").fetchone()[0] == 0
        except sqlite3.OperationalError:  # not the test database
            copied = False
        check.close()
        if copied:
            # Built from the models (--nomigrations): record every migration as applied, as
            # tests/core/test_migrations.py proves a real `migrate` gives the same schema.
            home = Path(tmp_dir) / "template-home"
            home.mkdir(exist_ok=True)
            shutil.copy(path, home / "chainward.sqlite3")
            subprocess.run([sys.executable, "-m", "chainward.cli", "migrate", "--fake", "-v0"],
                           env=instance_env(home), check=True, capture_output=True)
            shutil.copy(home / "chainward.sqlite3", path)
    if not copied:
        path.unlink(missing_ok=True)
        home = Path(tmp_dir) / "template-home"
        home.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "chainward.cli", "migrate", "-v0"],
                       env=instance_env(home), check=True, capture_output=True)
        shutil.copy(home / "chainward.sqlite3", path)
    _template["path"] = path
    return path


def instance_env(home, **extra):
    """The environment of a production-like process on instance folder `home`."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "PYTEST_XDIST_WORKER", "LEDGER_ANCHOR"}}
    env.update(CHAINWARD_HOME=str(home), DJANGO_SETTINGS_MODULE="chainward.settings",
               PYTHONUNBUFFERED="1", **extra)
    return env


class Instance:
    """One instance folder with its own database; run commands in it as separate processes."""

    def __init__(self, home, template):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        shutil.copy(template, self.home / "chainward.sqlite3")
        # Generated keys up front: processes started together must not race to create them.
        for name in ("secret_key", "ledger_key"):
            (self.home / name).write_text(secrets.token_urlsafe(48))
        self.env = instance_env(self.home)

    @property
    def database(self):
        return self.home / "chainward.sqlite3"

    def command(self, *args):
        return [sys.executable, "-m", "chainward.cli", *args]

    def run(self, *args, check=True, timeout=120, **kwargs):
        """Run a `chainward` command to completion; returns the CompletedProcess."""
        return subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True,
                              check=check, timeout=timeout, **kwargs)

    def shell(self, code, **kwargs):
        """Run Python inside the instance's Django (`chainward shell -c`)."""
        return self.run("shell", "-c", code, **kwargs)

    def popen(self, *args, **kwargs):
        """Start a `chainward` command in the background."""
        return subprocess.Popen(self.command(*args), env=self.env, **kwargs)

    def sql(self, query, params=()):
        """Read the instance's database directly."""
        db = sqlite3.connect(self.database, timeout=30)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.close()


def another_instance(home):
    """A second fresh instance in the same test (after `sqlite_instance` made the template)."""
    return Instance(home, _template["path"])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, django_db_setup, django_db_blocker):
    """The migrated template, copied before any test opens its transaction (session scope is
    set up first). Modules using it carry `pytest.mark.django_db` so that the test database
    exists."""
    return migrated_template(tmp_path_factory.getbasetemp(), django_db_blocker)


@pytest.fixture
def sqlite_instance(tmp_path, sqlite_template):
    """A fresh production-like instance on a file-based SQLite database."""
    return Instance(tmp_path / "home", sqlite_template)
