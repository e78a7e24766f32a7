"""bench/generate.py writes through the ledgered path: one entry per record, references
without gaps, an intact chain — with its batches sealed together (batched_appends) and its
references reserved per batch, as an import batch does."""

import importlib.util
import random
from pathlib import Path

import pytest

from chainward.core.models import ReferenceCounter
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus, Site

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


@pytest.fixture
def generate(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Small enough for a unit test, with batches that end mid-way (7 + 7 + 6 partners).
    monkeypatch.setitem(module.SCALES, "T", {"sites": 9, "partners": 20, "legs": 12})
    monkeypatch.setattr(module, "BATCH", 7)
    return module


@pytest.mark.django_db
def test_every_record_has_its_entry_and_reference(generate):
    before = LedgerEntry.objects.count()
    progress = generate.build("Bench Co T", "T", random.Random(28000), "pw-Chainward-2028!")

    assert progress.counts["partner"] == 20
    assert progress.counts["programme status"] == 2  # partners 0 and 10
    assert progress.counts["site"] == 9
    assert progress.counts["leg"] == 12
    entries = list(LedgerEntry.objects.filter(seq__gt=before).order_by("seq")
                   .values_list("action", "object_type", "object_id"))
    assert len(entries) == progress.records
    assert all(action == "create" for action, _, _ in entries)

    # Every record appears once in the ledger, in the order it was saved.
    for model in (Partner, ProgrammeStatus, Site, Leg):
        label = model._meta.label_lower
        ids = [int(object_id) for _, object_type, object_id in entries if object_type == label]
        assert ids == sorted(model.objects.values_list("pk", flat=True))
        # References reserved per batch leave no gap and no duplicate: PAR-0001 … PAR-0020.
        references = sorted(model.objects.values_list("reference", flat=True))
        count = len(references)
        assert references == [f"{model.reference_prefix}-{n:04d}" for n in range(1, count + 1)]
        assert ReferenceCounter.objects.get(prefix=model.reference_prefix).last == count

    ok, seq, message, _ = verify_ledger()
    assert ok, (seq, message)


@pytest.mark.django_db
def test_a_failed_batch_leaves_no_entry(generate, monkeypatch):
    """A batch that fails rolls back its rows and its pending entries together."""
    real_save = Leg.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:  # in the second batch of legs
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Leg, "save", failing_save)
    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError):
        generate.build("Bench Co T", "T", random.Random(28000), "pw-Chainward-2028!")

    # The first batch of legs (7) was committed; the second left nothing behind.
    assert Leg.objects.count() == 7
    legs = LedgerEntry.objects.filter(seq__gt=before, object_type="supplychain.leg").count()
    assert legs == 7
    ok, seq, message, _ = verify_ledger()
    assert ok, (seq, message)
