"""A real Chainward instance for fault tests: its own CHAINWARD_HOME with a file-based SQLite
database, driven through separate processes (`python -m chainward.cli …`) like production.

Every instance starts from a copy of one database a real `chainward migrate` built for the
whole run (`migrated_database`): migrating a new database is about a minute of CPU.
"""

import fcntl
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

_template = {}


def migrated_database(tmp_path_factory):
    """Path of an empty SQLite database that a real `chainward migrate` built in a new instance
    folder, once per test run: the pytest-xdist workers share it (the first to ask builds it
    under a file lock, the others wait for it). A first migrate is about a minute of CPU
    (Django renders the migration states); the browser servers, the production-like instances
    and tests/core/test_migrations.py (which proves the schema it builds) start from copies.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, above each worker's own
    path = root / "migrated" / "chainward.sqlite3"
    with open(root / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        home = root / "migrating"
        shutil.rmtree(home, ignore_errors=True)  # what a worker killed mid-migrate left
        home.mkdir()
        done = subprocess.run([sys.executable, "-m", "chainward.cli", "migrate", "-v0"],
                              env=instance_env(home), capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"`chainward migrate` failed:\n{done.stdout}\n{done.stderr}")
        path.parent.mkdir()
        os.replace(home / "chainward.sqlite3", path)  # whole or absent, never half-built
        shutil.rmtree(home)
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
def sqlite_template(tmp_path_factory):
    """The migrated template of every production-like instance of the run."""
    _template["path"] = migrated_database(tmp_path_factory)
    return _template["path"]


@pytest.fixture
def sqlite_instance(tmp_path, sqlite_template):
    """A fresh production-like instance on a file-based SQLite database."""
    return Instance(tmp_path / "home", sqlite_template)
