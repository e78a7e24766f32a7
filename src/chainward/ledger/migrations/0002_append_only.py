"""Make the ledger append-only inside the database itself (SQLite and PostgreSQL)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_ledgerentry "
    "BEGIN SELECT RAISE(ABORT, 'ledger_ledgerentry is append-only'); END;",
    "CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_ledgerentry "
    "BEGIN SELECT RAISE(ABORT, 'ledger_ledgerentry is append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update;",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete;",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger_ledgerentry is append-only (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE OR DELETE ON ledger_ledgerentry "
    "FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();",
    "CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_ledgerentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_append_only();",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update ON ledger_ledgerentry;",
    "DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_ledgerentry;",
    "DROP FUNCTION IF EXISTS ledger_entry_append_only();",
]


def forwards(apps, schema_editor):
    apps.get_model("ledger", "LedgerHead").objects.get_or_create(
        pk=1, defaults={"seq": 0, "hash": "0" * 64})
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        # params=None: the PL/pgSQL body holds a literal "%" that must not be a placeholder.
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRESQL_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
