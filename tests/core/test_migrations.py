"""The migrations and the models agree. The suite builds its test databases from the models
(`--nomigrations`, tests/conftest.py), so this is where the migrations themselves are proved:
no model change lacks one, and a real `chainward migrate` builds the same schema — tables,
columns, constraints, indexes and the ledger's triggers — on the database the suite runs on."""

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.support.instance import instance_env, migrated_database

# Django's own auth migrations created this many-to-many table before DEFAULT_AUTO_FIELD existed:
# a migrated PostgreSQL database keeps its `id` as integer, a table built from today's models
# says bigint. Nothing of ours; SQLite has one integer type and does not show it.
KNOWN_DIFFERENCES = {("auth_group_permissions", "id")}
ROOT = Path(__file__).resolve().parents[2]
READ_SCHEMA = """
import json, django
django.setup()
from django.db import connection
from tests.core.test_migrations import _schema
print(json.dumps(_schema(connection)))
"""


def test_no_model_change_lacks_a_migration(tmp_path):
    # In a process of its own: in this one --nomigrations has switched the migrations off, and
    # makemigrations would see no migrated app to check.
    done = subprocess.run(
        [sys.executable, "-m", "chainward.cli", "makemigrations", "--check", "--dry-run"],
        env=instance_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        "models changed without a migration (run `chainward makemigrations`):\n" + done.stdout)
    assert "No changes detected" in done.stdout


def _schema(wrapper):
    """Every table's columns, constraints and indexes (by content: SQLite names some itself)."""
    schema = {}
    with wrapper.cursor() as cursor:
        introspection = wrapper.introspection
        for table in introspection.get_table_list(cursor):
            if table.type != "t" or table.name == "django_migrations":
                continue
            columns = {}
            for column in introspection.get_table_description(cursor, table.name):
                key = (table.name, column.name)
                columns[column.name] = ("?" if key in KNOWN_DIFFERENCES
                                        else (column.type_code, bool(column.null_ok)))
            constraints = sorted(
                (tuple(c["columns"] or ()), bool(c["primary_key"]), bool(c["unique"]),
                 tuple(c["foreign_key"] or ()), bool(c["check"]), bool(c["index"]))
                for c in introspection.get_constraints(cursor, table.name).values())
            schema[table.name] = {"columns": columns, "constraints": constraints}
        schema["triggers"] = _triggers(wrapper, cursor)
    return schema


def _triggers(wrapper, cursor):
    if wrapper.vendor == "postgresql":
        cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                       "WHERE NOT tgisinternal ORDER BY 1")
    else:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                       "ORDER BY 1")
    return cursor.fetchall()


def _differences(built, migrated):
    lines = []
    for table in sorted(set(built) | set(migrated)):
        if built.get(table) != migrated.get(table):
            lines.append(f"{table}:\n  models:   {built.get(table)}\n"
                         f"  migrated: {migrated.get(table)}")
    return "\n".join(lines)


def _server(settings, statement):
    """Run CREATE/DROP DATABASE on the PostgreSQL server (outside the test's transaction)."""
    import psycopg

    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         password=settings["PASSWORD"] or None, dbname="postgres",
                         autocommit=True) as server:
        server.execute(statement)


@pytest.mark.django_db
def test_a_real_migrate_builds_the_schema_the_suite_tests_on(tmp_path, tmp_path_factory):
    home = tmp_path / "home"
    home.mkdir()
    settings = dict(connection.settings_dict)
    built = _schema(connection)
    assert "ledger_ledgerentry" in built and built["triggers"], "the suite's schema is empty"
    if connection.vendor == "postgresql":
        name = f"{settings['NAME']}_migrated_{uuid.uuid4().hex[:8]}"
        _server(settings, f'CREATE DATABASE "{name}"')
        user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
        env = instance_env(home, DATABASE_URL=f"postgres://{user}@{host}:{port}/{name}")
    else:
        # The run's one SQLite database built by `chainward migrate` (in a process of its own,
        # shared with the browser servers and the production-like instances).
        shutil.copy(migrated_database(tmp_path_factory), home / "chainward.sqlite3")
        env = instance_env(home)
    try:
        if connection.vendor == "postgresql":
            done = subprocess.run([sys.executable, "-m", "chainward.cli", "migrate", "-v0"],
                                  env=env, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, done.stderr
        # Read in a process of its own: Django's test cases refuse a second connection here.
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run([sys.executable, "-c", READ_SCHEMA], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        migrated = json.loads(done.stdout)
    finally:
        if connection.vendor == "postgresql":
            _server(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    built = json.loads(json.dumps(built))
    assert built == migrated, _differences(built, migrated)
