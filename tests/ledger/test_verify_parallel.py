"""`verify_ledger` in several processes (issue 11: a million entries in 30 s). On a real database
— its own SQLite file, or a PostgreSQL database in the PostgreSQL run — the chain is split into
seq ranges that other processes check, and the verdict is the one process's, byte for byte,
whatever is broken and wherever; a checking process that dies is an error, never "intact"."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from chainward.ledger import anchor
from chainward.ledger.services import verify_ledger
from tests.support.instance import Instance, instance_env

# The test database must exist: the instances are copied from it (tests.support.instance).
pytestmark = pytest.mark.django_db

ENTRIES = 30
# verify_ledger(workers=3) on 30 entries checks the seq ranges ..10, 11..20 and 21.. .
RANGES = [[None, 10], [11, 20], [21, None]]
E = "ledger_ledgerentry"
ALTERED = "content does not match its hash (the entry was altered)"
LINK = "previous-hash link does not match the preceding entry"


def gap(expected, found):
    return f"expected seq {expected}, found {found} (rows missing or moved)"


APPEND = f"""
from django.db import transaction
from chainward.ledger.context import actor_context
from chainward.ledger.services import append_entry
with actor_context(None, name="parallel verification test"):
    for n in range(1, {ENTRIES} + 1):
        with transaction.atomic():
            append_entry("update", object_type="partners.partner", object_id=str(n),
                         object_repr=f"Partner {{n}}", before={{"city": "Zürich", "n": n}},
                         after={{"city": "Łódź", "n": n, "ratio": 0.5, "tags": ["a", "b"]}})
"""

# Every case's database in turn, one process and three each, in one shell (Django starts
# once); PROGRESS_EVERY lowered so that progress is reported at all.
BOTH_WAYS = """
import json, os
from django.conf import settings
from django.db import connections
from chainward.ledger import services
services.PROGRESS_EVERY = 7
out = {"pid": os.getpid()}
for case, (database, anchor_path) in json.loads(os.environ["VERIFY_CASES"]).items():
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = database
    settings.LEDGER_ANCHOR = anchor_path
    out[case] = {}
    for workers in (1, 3):
        report, progress = {}, []
        verdict = services.verify_ledger(progress=progress.append, workers=workers, report=report)
        out[case][workers] = {"verdict": list(verdict), "report": report, "progress": progress}
print(json.dumps(out))
"""

AUTOMATIC = """
import json
from django.conf import settings
from chainward.ledger.services import verify_ledger
processes = []
for threshold in (30, 31):
    settings.LEDGER_VERIFY_PARALLEL_FROM = threshold
    report = {}
    assert verify_ledger(report=report)[0]
    processes.append(report["processes"])
print(json.dumps(processes))
"""

# Loaded at the start of every process of the instance through PYTHONPATH; acts only in the
# processes verify_ledger forks (their pid is not the one that loaded it), when they open their
# database connection — checking their range.
SITECUSTOMIZE = """
import os, signal, sys

_parent = os.getpid()

def _fail(**kwargs):
    if os.getpid() == _parent:
        return
    if "{how}" == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise RuntimeError("the database went away")

_connected = []

def _hook(event, args):
    if _connected:
        return
    signal_ = getattr(sys.modules.get("django.db.backends.signals"), "connection_created", None)
    if signal_ is not None:  # the module is loaded (not only being imported)
        _connected.append(True)
        signal_.connect(_fail, weak=False)

sys.addaudithook(_hook)
"""


class Chain:
    """An instance folder and its database holding a chain, run as separate processes."""

    def __init__(self, home, database_url=None):
        self.home = home
        self.database_url = database_url
        extra = {"DATABASE_URL": database_url} if database_url else {}
        self.env = instance_env(home, **extra)

    def run(self, *args, env=None, check=True):
        return subprocess.run([sys.executable, "-m", "chainward.cli", *args],
                              env={**self.env, **(env or {})}, capture_output=True, text=True,
                              check=check, timeout=300)

    def shell(self, code):
        """Run `code` in the instance's Django; the JSON its last stdout line holds."""
        lines = self.run("shell", "-v", "0", "-c", code).stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def tamper(self, statements):
        """Run SQL on the database as someone with direct access would (triggers dropped)."""
        if self.database_url:
            with psycopg.connect(self.database_url, autocommit=True) as db:
                db.execute(f"ALTER TABLE {E} DISABLE TRIGGER USER")
                for sql in statements:
                    db.execute(sql)
            return
        db = sqlite3.connect(self.home / "chainward.sqlite3")
        try:
            db.execute("DROP TRIGGER ledger_entry_no_update")
            db.execute("DROP TRIGGER ledger_entry_no_delete")
            for sql in statements:
                db.execute(sql)
            db.commit()
        finally:
            db.close()


def _postgres_admin(settings_dict):
    params = {"host": settings_dict["HOST"] or "127.0.0.1", "port": settings_dict["PORT"] or 5432,
              "user": settings_dict["USER"], "dbname": "postgres"}
    if settings_dict["PASSWORD"]:
        params["password"] = settings_dict["PASSWORD"]
    return psycopg.connect(**params, autocommit=True)


def _postgres_url(settings_dict, name):
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return (f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}"
            f":{settings_dict['PORT'] or 5432}/{name}")


@pytest.fixture(scope="module")
def base_chain(request, tmp_path_factory, django_db_setup, django_db_blocker):
    """A chain of ENTRIES entries, appended by a separate process and anchored."""
    home = tmp_path_factory.mktemp("base-chain")
    if connection.vendor != "postgresql":
        Instance(home, request.getfixturevalue("sqlite_template"))  # the database and keys
        chain = Chain(home)
        chain.shell(APPEND)
        yield chain
        return
    # A scratch database copied from this run's test database (its schema and triggers), with
    # an empty ledger.
    settings_dict = dict(connection.settings_dict)
    name = f"cw_verify_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        connection.close()  # a database being copied must have no other sessions
    with _postgres_admin(settings_dict) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings_dict["NAME"]}"')
    try:
        chain = Chain(home, _postgres_url(settings_dict, name))
        for key in ("secret_key", "ledger_key"):
            (home / key).write_text(uuid.uuid4().hex * 2)
        with psycopg.connect(chain.database_url) as db:
            others = [row[0] for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT LIKE 'ledger_%' AND tablename NOT LIKE 'django_%'")]
        # Only the ledger's tables are used: the others dropped, each copy is made faster.
        chain.tamper([f"TRUNCATE {E}", "DELETE FROM ledger_ledgerhead",
                      f"ALTER TABLE {E} ENABLE TRIGGER USER",
                      *(f'DROP TABLE IF EXISTS "{table}" CASCADE' for table in others)])
        chain.shell(APPEND)
        yield chain
    finally:
        with _postgres_admin(settings_dict) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy(base, home, databases):
    """A copy of chain `base` in `home` (keys, anchor) with a copy of its database; PostgreSQL
    databases made are appended to `databases`, to be dropped."""
    shutil.copytree(base.home, home)
    if not base.database_url:
        return Chain(home)
    base_name = base.database_url.rsplit("/", 1)[1]
    name = f"{base_name}_{uuid.uuid4().hex[:6]}"
    with _postgres_admin(connection.settings_dict) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base_name}"')
    databases.append(name)
    return Chain(home, _postgres_url(connection.settings_dict, name))


def _drop(databases):
    if databases:
        with _postgres_admin(connection.settings_dict) as admin:
            for name in databases:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def chain(base_chain, tmp_path):
    """A fresh copy of the base chain: its instance folder (keys, anchor) and its database."""
    databases = []
    try:
        yield _copy(base_chain, tmp_path / "home", databases)
    finally:
        _drop(databases)


# (what is done to the chain, the verdict). Written out by hand from the chain's shape: 30
# entries, the anchor at 30, ranges ..10, 11..20, 21.. .
CASES = {
    "intact": (
        [], [True, None, "30 entries intact; anchor at seq 30 matches", 30]),
    "row edited in the second range, the first intact": (
        [f"UPDATE {E} SET object_repr = 'forged' WHERE seq = 15"], [False, 15, ALTERED, 15]),
    "row missing in the second range": (
        [f"DELETE FROM {E} WHERE seq = 15"], [False, 15, gap(15, 16), 15]),
    "last row of the first range missing": (
        [f"DELETE FROM {E} WHERE seq = 10"], [False, 10, gap(10, 11), 10]),
    "first row of the second range missing": (
        [f"DELETE FROM {E} WHERE seq = 11"], [False, 11, gap(11, 12), 11]),
    "the whole second range missing": (
        [f"DELETE FROM {E} WHERE seq BETWEEN 11 AND 20"], [False, 11, gap(11, 21), 11]),
    "the first rows missing": (
        [f"DELETE FROM {E} WHERE seq <= 10"], [False, 1, gap(1, 11), 1]),
    "row moved past the end": (
        [f"UPDATE {E} SET seq = 1000 WHERE seq = 25"], [False, 25, gap(25, 26), 25]),
    "row moved before the start": (
        [f"UPDATE {E} SET seq = 0 WHERE seq = 15"], [False, 1, gap(1, 0), 1]),
    "rows swapped across a range boundary": (
        [f"UPDATE {E} SET seq = 1000 WHERE seq = 10", f"UPDATE {E} SET seq = 10 WHERE seq = 11",
         f"UPDATE {E} SET seq = 11 WHERE seq = 1000"], [False, 10, LINK, 10]),
    "previous-hash link broken at a range boundary": (
        [f"UPDATE {E} SET prev_hash = '{'f' * 64}' WHERE seq = 21"], [False, 21, LINK, 21]),
    "hash of the last row of a range rewritten": (
        [f"UPDATE {E} SET hash = '{'f' * 64}' WHERE seq = 10"], [False, 10, ALTERED, 10]),
    "breaks in the first and the last range": (
        [f"UPDATE {E} SET object_repr = 'forged' WHERE seq IN (5, 25)"],
        [False, 5, ALTERED, 5]),
    "an extra row past the head": (
        ["UPDATE ledger_ledgerhead SET seq = 28"],
        [False, 31, "the head says 28 entries but 30 were found", 30]),
    "the last rows missing": (
        [f"DELETE FROM {E} WHERE seq >= 29"],
        [False, 29, "the head says 30 entries but 28 were found", 28]),
    "the last rows missing, the head moved back": (
        [f"DELETE FROM {E} WHERE seq >= 29", "UPDATE ledger_ledgerhead SET seq = 28, "
         f"hash = (SELECT hash FROM {E} WHERE seq = 28)"],
        [False, 29, "ledger ends at seq 28 but the anchor says 30", 28]),
    "the anchor rewritten": (
        [(30, "f" * 64)], [False, 30, "entry 30 does not match the anchored hash: the ledger "
                                      "was rewritten from there on", 30]),
}


@pytest.fixture(scope="module")
def verdicts(base_chain, tmp_path_factory):
    """`{case: {"1": …, "3": …}}` and the pid: each case's copy of the chain, damaged as the
    case says, verified in one process and in three."""
    where, databases, copies = tmp_path_factory.mktemp("cases"), [], {}
    try:
        for number, (case, (changes, _verdict)) in enumerate(CASES.items()):
            copy = _copy(base_chain, where / str(number), databases)
            anchor_path = copy.home / "ledger-anchor.json"
            for seq, hash_ in (change for change in changes if isinstance(change, tuple)):
                anchor.write_anchor(seq, hash_, force=True, path=anchor_path)
            copy.tamper([change for change in changes if isinstance(change, str)])
            database = (copy.database_url.rsplit("/", 1)[1] if copy.database_url
                        else str(copy.home / "chainward.sqlite3"))
            copies[case] = (database, str(anchor_path))
        # Any copy runs the shell: they share the key, and the shell moves between databases.
        lines = copy.run("shell", "-v", "0", "-c", BOTH_WAYS,
                         env={"VERIFY_CASES": json.dumps(copies)}).stdout
        yield json.loads(lines.strip().splitlines()[-1])
    finally:
        _drop(databases)


@pytest.mark.parametrize("case", CASES)
def test_three_processes_give_the_one_process_verdict(verdicts, case):
    serial, parallel = verdicts[case]["1"], verdicts[case]["3"]
    assert serial["report"] == {"processes": 1}
    assert parallel["report"]["processes"] == 3
    if not any("ledgerhead" in str(change) for change in CASES[case][0]):
        assert parallel["report"]["ranges"] == RANGES  # cut where the head says
    pids = parallel["report"]["pids"]
    assert len(pids) == 3 and verdicts["pid"] not in pids  # other processes checked them
    assert parallel["verdict"] == serial["verdict"]
    ok, seq, message, count = serial["verdict"]
    expected = CASES[case][1]
    # The anchor's message carries the time it was written: its start is compared.
    assert [ok, seq, message[:len(expected[2])], count] == expected
    if case == "intact":
        assert serial["progress"] == parallel["progress"] == [7, 14, 21, 28]


def test_it_uses_the_cpus_from_the_threshold_on(chain):
    cpus = len(os.sched_getaffinity(0))
    assert chain.shell(AUTOMATIC) == [min(cpus, 4), 1]


def test_the_command_prints_the_same_verdict_from_several_processes(chain):
    alone = chain.run("verify-ledger", "--workers", "1")
    several = chain.run("verify-ledger", "--workers", "2")
    assert several.stdout == alone.stdout == (
        "ledger intact: 30 entries intact; anchor at seq 30 matches\n")
    assert "checked in 2 processes" in several.stderr
    assert "processes" not in alone.stderr

    chain.tamper([f"UPDATE {E} SET object_repr = 'forged' WHERE seq = 20"])
    alone = chain.run("verify-ledger", "--workers", "1", check=False)
    several = chain.run("verify-ledger", "--workers", "2", check=False)
    assert alone.returncode == several.returncode == 1
    assert alone.stderr.splitlines()[-1] == several.stderr.splitlines()[-1] == (
        f"CommandError: ledger broken at seq 20: {ALTERED} (20 entries read)")


@pytest.mark.parametrize("how, error", [
    ("kill", "BrokenProcessPool: A process in the process pool was terminated abruptly"),
    ("raise", "RuntimeError: the database went away"),
])
def test_a_checking_process_that_dies_or_fails_is_an_error_not_a_verdict(
        chain, tmp_path, how, error):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE.replace("{how}", how))
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    done = chain.run("verify-ledger", "--workers", "2", env=env, check=False)
    assert done.returncode == 1 and done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("CommandError: ledger not verified: a checking process failed (")
    assert error in last and "intact" not in done.stderr
    # The same instance in one process is not affected: only the spawned processes fail.
    assert chain.run("verify-ledger", "--workers", "1", env=env).returncode == 0


def test_it_checks_in_this_process_when_others_cannot_see_its_data(db):
    # The suite's database: SQLite in memory, or PostgreSQL inside the test's transaction.
    report = {}
    assert verify_ledger(workers=3, report=report)[0] is True
    assert report == {"processes": 1}
