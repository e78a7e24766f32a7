"""The ledger head is anchored outside the database (finding 21): removing the last entries and
moving the head back no longer passes `verify-ledger`."""

import json
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chainward.ledger import anchor
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry, LedgerHead
from chainward.supplychain.models import Organisation, Site


@pytest.fixture
def anchor_file(settings, tmp_path):
    settings.LEDGER_ANCHOR = tmp_path / "ledger-anchor.json"
    return settings.LEDGER_ANCHOR


def _write_some_entries(count=5):
    with actor_context(None, name="tester"):
        org = Organisation.objects.create(name="Anchored Org")
        for i in range(count - 1):
            Site.objects.create(organisation=org, name=f"Depot {i}", kind="warehouse",
                                country="DE")


def _drop_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE ledger_ledgerentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER ledger_entry_no_update")
            cursor.execute("DROP TRIGGER ledger_entry_no_delete")


def _anchor_current_head():
    """What the after-commit callback does once the transaction commits (see the CLI test)."""
    last = LedgerEntry.objects.order_by("-seq").first()
    anchor.write_anchor(last.seq, last.hash)


def test_appends_in_one_transaction_register_one_anchor_write_for_after_commit(db,
                                                                            anchor_file):
    _write_some_entries(5)
    pending = [func for _, func, _ in connection.run_on_commit
               if func is anchor._flush_pending]
    assert len(pending) == 1
    assert connection._chainward_anchor_pending == (5, LedgerEntry.objects.get(seq=5).hash)
    assert not anchor_file.exists()  # nothing is anchored before the commit


def test_truncated_tail_with_the_head_moved_back_fails_verify_against_the_anchor(
        db, anchor_file):
    _write_some_entries(5)
    _anchor_current_head()
    _drop_triggers()  # what someone with direct database access could do
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq > 3")
    third = LedgerEntry.objects.get(seq=3)
    LedgerHead.objects.filter(pk=1).update(seq=3, hash=third.hash)
    with pytest.raises(CommandError, match=r"ledger ends at seq 3 but the anchor says 5"):
        call_command("verify_ledger")


def test_rewritten_tail_is_named_at_the_anchored_seq(db, anchor_file):
    _write_some_entries(5)
    fifth = LedgerEntry.objects.get(seq=5)
    anchor.write_anchor(5, "f" * 64)  # as if entry 5 had another hash when it was anchored
    with pytest.raises(CommandError, match=r"ledger broken at seq 5: entry 5 does not match"):
        call_command("verify_ledger")
    assert fifth.seq == 5


def test_anchor_never_moves_backwards(tmp_path):
    path = tmp_path / "anchor.json"
    assert anchor.write_anchor(7, "a" * 64, path=path)
    assert not anchor.write_anchor(6, "b" * 64, path=path)
    assert anchor.read_anchor(path)["seq"] == 7


def test_intact_ledger_reports_the_matching_anchor(db, anchor_file, capsys):
    _write_some_entries(3)
    anchor.write_anchor(3, LedgerEntry.objects.get(seq=3).hash)
    call_command("verify_ledger")
    assert "anchor at seq 3 matches" in capsys.readouterr().out


def test_reset_anchor_is_ledgered_and_then_verifies(db, anchor_file, capsys):
    _write_some_entries(3)
    anchor.write_anchor(50, "c" * 64)  # e.g. the database was replaced by an older copy
    call_command("verify_ledger", reset_anchor="database restored from last week's backup")
    assert "anchor reset to seq 4" in capsys.readouterr().out
    entry = LedgerEntry.objects.get(action="anchor_reset")
    assert entry.before["seq"] == 50 and "last week" in entry.reason


@pytest.mark.own_sqlite
@pytest.mark.django_db  # the instance template is copied from the test database
def test_committed_appends_are_anchored_and_cli_exits_non_zero_on_truncation(
        sqlite_instance):
    """A real instance (separate processes, file-based SQLite): each committed transaction
    moves the anchor; after the tail is cut and the head moved back, the console script
    exits 1 naming both ends."""
    sqlite_instance.shell(
        "from chainward.ledger.context import actor_context\n"
        "from chainward.supplychain.models import Organisation\n"
        "with actor_context(None, name='t'):\n"
        "    [Organisation.objects.create(name=f'O{i}') for i in range(4)]\n")
    anchored = json.loads((sqlite_instance.home / "ledger-anchor.json").read_text())
    assert anchored["seq"] == 4
    sqlite_instance.sql("SELECT 1")
    subprocess.run(["sqlite3", str(sqlite_instance.database)], input=(
        "DROP TRIGGER ledger_entry_no_delete; DELETE FROM ledger_ledgerentry WHERE seq > 2;"
        "UPDATE ledger_ledgerhead SET seq = 2, hash = (SELECT hash FROM ledger_ledgerentry "
        "WHERE seq = 2);"), text=True, check=True)
    done = sqlite_instance.run("verify-ledger", check=False)
    assert done.returncode == 1
    assert "ledger ends at seq 2 but the anchor says 4" in done.stderr
