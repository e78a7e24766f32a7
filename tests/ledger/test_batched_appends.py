"""Batched appends (imports, finding 18): the entries of one transaction are sealed together at
its end — the same chain, entry by entry, in the order the changes happened — and a change
rolled back inside the batch leaves no entry."""

import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry, LedgerHead
from chainward.ledger.services import append_entry, batched_appends, verify_ledger
from chainward.supplychain.models import GoodsCategory, Organisation


@pytest.fixture
def org(db):
    with actor_context(None, name="tester"):
        return Organisation.objects.create(name="Batch Org")


def test_entries_of_a_batch_are_chained_in_the_order_the_changes_happened(org):
    with actor_context(None, name="tester"), transaction.atomic(), batched_appends():
        for name in ("First", "Second", "Third"):
            GoodsCategory.objects.create(organisation=org, name=name)
        append_entry("note", object_type="test.note", object_repr="after the three")
    tail = list(LedgerEntry.objects.order_by("-seq")[:4])[::-1]
    assert [(e.action, e.object_repr) for e in tail] == [
        ("create", "First"), ("create", "Second"), ("create", "Third"),
        ("note", "after the three")]
    assert [e.seq for e in tail] == list(range(tail[0].seq, tail[0].seq + 4))
    assert [e.timestamp for e in tail] == sorted(e.timestamp for e in tail)
    # Each hash, recomputed here from the documented formula, links to the one before.
    previous = LedgerEntry.objects.get(seq=tail[0].seq - 1).hash
    for entry in tail:
        assert entry.prev_hash == previous
        assert entry.hash == _documented_hash(entry, previous)
        previous = entry.hash
    head = LedgerHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (tail[-1].seq, tail[-1].hash)
    assert verify_ledger()[0]


def _documented_hash(entry, previous):
    """HMAC-SHA256(key, prev_hash ‖ sorted-key compact JSON of the sealed fields), written from
    the ledger's description rather than calling its code."""
    body = {
        "seq": entry.seq, "timestamp": entry.timestamp.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id, "actor_name": entry.actor_name, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id,
        "object_repr": entry.object_repr, "before": entry.before, "after": entry.after,
        "request_id": entry.request_id, "reason": entry.reason, "key_id": entry.key_id,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(settings.LEDGER_KEY.encode(), previous.encode() + text.encode(),
                    hashlib.sha256).hexdigest()


def test_a_change_rolled_back_inside_the_batch_leaves_no_entry(org):
    with actor_context(None, name="tester"), transaction.atomic(), batched_appends():
        GoodsCategory.objects.create(organisation=org, name="Kept")
        with pytest.raises(IntegrityError), transaction.atomic():
            GoodsCategory.objects.create(organisation=org, name="Rolled back")
            raise IntegrityError("as if the insert failed")
        GoodsCategory.objects.create(organisation=org, name="Also kept")
    names = list(LedgerEntry.objects.filter(object_type="supplychain.goodscategory")
                 .order_by("seq").values_list("object_repr", flat=True))
    assert names == ["Kept", "Also kept"]
    assert not GoodsCategory.objects.filter(name="Rolled back").exists()
    assert verify_ledger()[0]


def test_an_error_in_the_batch_writes_none_of_its_entries(org):
    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError), actor_context(None, name="tester"), \
            transaction.atomic(), batched_appends():
        GoodsCategory.objects.create(organisation=org, name="Lost")
        raise RuntimeError("the import failed")
    assert LedgerEntry.objects.count() == before
    assert verify_ledger()[0]


def test_a_batch_seals_many_entries_with_a_few_queries(org):
    with actor_context(None, name="tester"), transaction.atomic():
        with CaptureQueriesContext(connection) as single:
            for n in range(50):
                append_entry("note", object_type="test.note", object_repr=f"single {n}")
        with CaptureQueriesContext(connection) as batched, batched_appends():
            for n in range(50):
                append_entry("note", object_type="test.note", object_repr=f"batched {n}")
    ledger = [q for q in batched.captured_queries if "ledger_" in q["sql"]]
    assert len(ledger) <= 4, [q["sql"][:80] for q in ledger]
    assert len([q for q in single.captured_queries if "ledger_" in q["sql"]]) >= 100
    assert LedgerEntry.objects.filter(object_repr__startswith="batched").count() == 50
    assert verify_ledger()[0]


def test_a_batch_needs_an_open_transaction():  # no database: nothing is open
    with pytest.raises(RuntimeError, match="transaction"), batched_appends():
        pass
