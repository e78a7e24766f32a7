"""The ledger in the database: every write recorded, rows append-only, tampering named by seq."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain.models import Organisation, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    with actor_context(None, name="tester"):
        org = Organisation.objects.create(name="Org")
        site = Site.objects.create(organisation=org, name="Depot", kind="warehouse",
                                   country="DE")
        site.city = "Bremen"
        site.save()
        site.name = "Depot North"
        site.save()
    return org, site


def test_every_write_is_recorded_with_actor_and_diff(chain):
    org, site = chain
    entries = list(LedgerEntry.objects.filter(object_type="supplychain.site"))
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert {e.actor_name for e in entries} == {"tester"}
    assert entries[1].changes() == [("city", "", "Bremen")]
    assert entries[2].changes() == [("name", "Depot", "Depot North")]
    assert verify_ledger()[0] is True


def test_the_database_refuses_update_and_delete(chain):
    for sql in ("UPDATE ledger_ledgerentry SET reason = 'x'", "DELETE FROM ledger_ledgerentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert LedgerEntry.objects.filter(reason="x").count() == 0


def test_model_api_refuses_changes(chain):
    entry = LedgerEntry.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def _drop_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE ledger_ledgerentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER ledger_entry_no_update")
            cursor.execute("DROP TRIGGER ledger_entry_no_delete")


def test_hand_edited_row_makes_verify_ledger_fail_naming_the_seq(chain):
    target = LedgerEntry.objects.get(seq=3)
    _drop_triggers()  # what someone with direct database access could do
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET actor_name = 'someone else' WHERE seq = 3")
    with pytest.raises(CommandError, match=r"ledger broken at seq 3"):
        call_command("verify_ledger")
    assert target.seq == 3


def test_deleted_row_is_named(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 2")
    ok, seq, message, _ = verify_ledger()
    assert (ok, seq) == (False, 2)


def test_truncated_tail_is_detected_by_the_head(chain):
    last = LedgerEntry.objects.order_by("-seq").first().seq
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = %s", [last])
    ok, seq, message, _ = verify_ledger()
    assert (ok, seq) == (False, last)
    assert "head" in message


def test_intact_ledger_command_succeeds(chain):
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger intact" in out.getvalue()
