"""`chainward backup` / `chainward restore` (finding 20): a round trip into a fresh instance
gives back every table row for row and a ledger that verifies — which dumpdata/loaddata did
not (timestamps lost precision, the chain broke at seq 1)."""

import hashlib
import json
import os
import shutil
import sqlite3
import uuid

import psycopg
import pytest

from tests.support.instance import Instance, another_instance, instance_env

# The test database must exist for the instance template (tests.support.instance).
pytestmark = pytest.mark.django_db

MAKE_DATA = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from chainward.access.models import Role, RoleAssignment, User
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Organisation, Partner, Site
with actor_context(None, name="backup test"):
    org = Organisation.objects.create(name="Backed Up Ltd", country="DE")
    user = User.objects.create_user("owner@backup.example", "a long backup password 1")
    RoleAssignment.objects.create(organisation=org, user=user, all_sites=True,
                                  role=Role.objects.get(name="Administrator"))
    site = Site.objects.create(organisation=org, name="Depot", kind="warehouse", country="DE")
    site.city = "Kiel"
    site.save()
    for i in range(20):
        Partner.objects.create(organisation=org, name=f"Partner {i}", kind="carrier",
                               country="DK")
default_storage.save("evidence/contract.pdf", ContentFile(b"%PDF-1.7 contract\\n%%EOF\\n"))
"""


def table_dumps(database):
    """`{table: sha256 of its rows in primary-key order}` of a SQLite database file."""
    db = sqlite3.connect(database)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    dumps = {}
    for table in tables:
        rows = db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        dumps[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    db.close()
    return dumps


@pytest.mark.own_sqlite
def test_sqlite_backup_restores_into_a_fresh_instance_identically_and_verifies(
        sqlite_instance, tmp_path):
    source = sqlite_instance
    source.shell(MAKE_DATA)
    backup = tmp_path / "backup"
    source.run("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    ledger_seq = source.sql("SELECT max(seq) FROM ledger_ledgerentry")[0][0]
    assert manifest["ledger"]["seq"] == ledger_seq > 20
    assert set(manifest["parts"]) >= {"database", "media", "ledger_key"}

    fresh = another_instance(tmp_path / "fresh")
    restored = fresh.run("restore", str(backup))
    assert "ledger intact" in restored.stdout
    assert fresh.run("verify-ledger").returncode == 0
    before, after = table_dumps(source.database), table_dumps(fresh.database)
    assert before == after
    assert before["supplychain_partner"][0] == 20
    copied = fresh.home / "media" / "evidence" / "contract.pdf"
    assert copied.read_bytes() == (source.home / "media" / "evidence" / "contract.pdf").read_bytes()
    anchor = json.loads((fresh.home / "ledger-anchor.json").read_text())
    assert anchor["seq"] == ledger_seq

    again = fresh.run("restore", str(backup), check=False)
    assert again.returncode == 1 and "already holds data" in again.stderr


@pytest.mark.own_sqlite
def test_damaged_backup_is_refused_before_anything_is_replaced(sqlite_instance, tmp_path):
    sqlite_instance.shell(MAKE_DATA)
    backup = tmp_path / "backup"
    sqlite_instance.run("backup", str(backup))
    with open(backup / "media.tar", "ab") as tar:
        tar.write(b"tampered")
    fresh = another_instance(tmp_path / "fresh")
    done = fresh.run("restore", str(backup), check=False)
    assert done.returncode == 1 and "does not match the manifest" in done.stderr
    assert fresh.sql("SELECT count(*) FROM access_user")[0][0] == 0


def _postgres_url(name):
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _postgres_available():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        return False
    try:
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                        connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def pg_table_dumps(name):
    """`{table: sha256 of its rows}` of a PostgreSQL database (rows as text, sorted)."""
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={name}") as db:
        tables = [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        dumps = {}
        for table in tables:
            rows = sorted(r[0] for r in db.execute(f'SELECT t::text FROM "{table}" t'))
            dumps[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return dumps


@pytest.mark.postgresql
@pytest.mark.skipif(not _postgres_available(), reason="needs a PostgreSQL server and pg_dump")
def test_postgresql_backup_restores_into_a_fresh_database_identically_and_verifies(tmp_path):
    names = [f"cw_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                         autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        source = _pg_instance(tmp_path / "source", names[0])
        source.run("migrate", "-v0", timeout=600)
        source.shell(MAKE_DATA)
        backup = tmp_path / "backup"
        source.run("backup", str(backup))
        fresh = _pg_instance(tmp_path / "fresh", names[1])  # an empty database, not migrated
        restored = fresh.run("restore", str(backup), timeout=600)
        assert "ledger intact" in restored.stdout
        assert fresh.run("verify-ledger").returncode == 0
        before, after = pg_table_dumps(names[0]), pg_table_dumps(names[1])
        assert before == after and before["supplychain_partner"][0] == 20
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                             autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_instance(home, name):
    home.mkdir(parents=True)
    instance = Instance.__new__(Instance)
    instance.home = home
    instance.env = instance_env(home, DATABASE_URL=_postgres_url(name))
    for key in ("secret_key", "ledger_key"):
        (home / key).write_text(os.urandom(24).hex())
    return instance
