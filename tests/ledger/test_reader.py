"""`verify_ledger` reads the documents as stored text and decodes each once (issue 11: a
million entries in 30 s). Whatever a row holds, the canonical bytes it yields must be those
`.values()` gave, on SQLite and on PostgreSQL: else ledgers sealed before would stop
verifying."""

import datetime
import decimal
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from chainward.ledger import canonical, services
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import append_entry, read_entries, verify_ledger

FIELDS = (*canonical.SEALED_FIELDS, "prev_hash", "hash")
PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))
# The documents of the golden test in test_chain.py, and what else a ledger holds.
GOLDEN_BEFORE = {"level": 3, "due": datetime.date(2026, 5, 1), "cost": decimal.Decimal("12.50"),
                 "tags": {"b", "a"}, "ratio": 0.5, "when": datetime.time(8, 30),
                 "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                 2: (1, None, [True, False])}
DOCUMENTS = [
    (GOLDEN_BEFORE, None),
    (None, {"name": "Zürich → Basel", "city": "Łódź", "emoji": "🚚", "cjk": "物流",
            "rtl": "שלום", "escapes": "tab\there \"quoted\" back\\slash\nnew line"}),
    ({"nested": {"a": [1, {"b": [[], {}]}, "x"], "empty": {}}, "deep": [[[["down"]]]]},
     {"nested": {"a": [2]}, "list": []}),
    ({"credit_limit": "12.50", "latitude": "53.550000", "big": 2**63 - 1, "huge": 10**30,
      "negative": -7, "zero": 0, "flags": [True, False, None]},
     {"updated_at": datetime.datetime(2026, 3, 1, 14, 0, 0, 5, tzinfo=PLUS_TWO), "version": 2}),
    ({}, []),
    ([1, "two", None], "just a string"),
]


def _orm_view():
    """What `verify_ledger` hashed before: `.values()` rows through `canonical`."""
    return [(row["seq"], row["prev_hash"], row["hash"], canonical.canonical(row))
            for row in LedgerEntry.objects.order_by("seq").values(*FIELDS)]


def _reader_view():
    return [(entry["seq"], entry["prev_hash"], entry["hash"],
             canonical.canonical(entry, json_plain=True))
            for entry in read_entries(chunk_size=3)]  # small chunks: rows cross chunk ends


def _store(seq, **fields):
    """A row as another writer might have left it: documents stored as given, not via `plain`.

    Not sealed: only how it reads back is compared.
    """
    values = {"timestamp": datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC),
              "actor_name": "someone", "action": "note", "key_id": "k1",
              "prev_hash": "0" * 64, "hash": "f" * 64, **fields}
    LedgerEntry(seq=seq, **values).save()


@pytest.fixture
def no_anchor(settings):
    settings.LEDGER_ANCHOR = None


@pytest.mark.django_db
def test_appended_entries_of_every_kind_read_back_to_the_orm_bytes_and_verify(no_anchor):
    with actor_context(None, name="Ana Ruiz"), transaction.atomic():
        for n, (before, after) in enumerate(DOCUMENTS):
            append_entry("update", object_type="risk.rating", object_id=str(n),
                         object_repr="Zürich → Basel", before=before, after=after,
                         reason="ünïcode réason" if n % 2 else "")
    with actor_context(None, name=""):
        append_entry("note")  # blank strings, no object
    assert _reader_view() == _orm_view()
    assert len(_orm_view()) == len(DOCUMENTS) + 1
    assert verify_ledger()[:3] == (True, None, f"{len(DOCUMENTS) + 1} entries intact; "
                                                "anchoring is off")


@pytest.mark.django_db
def test_documents_written_without_plain_read_back_to_the_orm_bytes(settings):
    """Floats (which `plain` would have made strings) and odd timestamps: `loads_plain` must
    give what `plain(json.loads(...))` gave, whatever the database hands back; and a
    timestamp must be made aware as the ORM makes it, not read in the process's local zone
    (Berlin here, so a naive one would come out shifted)."""
    settings.TIME_ZONE = "Europe/Berlin"
    _store(1, before={"ratio": 0.1, "tiny": 1.5e-7, "large": 1e300, "negative": -0.0,
                      "whole": 2.0, "list": [0.25, {"x": 3.75}]}, after=0.5)
    _store(2, timestamp=datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=PLUS_TWO),
           actor_id=42, before=[1e-5], after={"k": [True, None, "ß"]})
    _store(3, timestamp=datetime.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=datetime.UTC),
           before=None, after=None)
    orm = _orm_view()
    assert _reader_view() == orm
    assert b'"ratio":"0.1"' in orm[0][3]  # the float path was taken, not skipped


@pytest.mark.django_db
def test_json_that_sqlite_lets_through_reads_back_to_the_orm_bytes():
    """SQLite keeps a blob in a JSON column (its JSON check passes it), and with its checks
    switched off anything: JSONField decodes the blob and leaves non-JSON text as it is."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's jsonb holds JSON only")
    columns = ", ".join(FIELDS)
    row = [None, "2026-01-01 12:00:00", None, "someone", "note", "", "", "", None, None, "",
           "", "k1", "0" * 64, "f" * 64]
    with connection.cursor() as cursor:
        for seq, before, after in ((1, b'{"b": 1, "a": [2.5]}', b"[]"),
                                   (2, "not json {", '{"ok": true}')):
            row[0], row[8], row[9] = seq, before, after
            cursor.execute("PRAGMA ignore_check_constraints = 1")
            cursor.execute(f"INSERT INTO ledger_ledgerentry ({columns}) VALUES "
                           f"({', '.join(['%s'] * len(FIELDS))})", row)
        cursor.execute("PRAGMA ignore_check_constraints = 0")
    orm = _orm_view()
    assert _reader_view() == orm
    assert b'"before":{"a":["2.5"],"b":1}' in orm[0][3]
    assert b'"before":"not json {"' in orm[1][3]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)


@given(json_values)
def test_loads_plain_is_plain_of_json_loads(value):
    text = json.dumps(value)  # NaN and ±Infinity included, as json.loads accepts them
    assert canonical.loads_plain(text) == canonical.plain(json.loads(text))


def test_loads_plain_spells_numbers_as_plain_does():
    text = '[0.1, 1E5, 1e999, -Infinity, NaN, -0.0, 12, 1.0]'
    assert canonical.loads_plain(text) == ["0.1", "100000.0", "inf", "-inf", "nan", "-0.0", 12,
                                           "1.0"]


@pytest.mark.django_db
def test_command_reports_progress_on_stderr_and_the_verdict_alone_on_stdout(monkeypatch,
                                                                             no_anchor):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    with actor_context(None, name="tester"), transaction.atomic():
        for n in range(5):
            append_entry("note", object_id=str(n))
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_ledger", stdout=out, stderr=err)
    assert err.getvalue().splitlines() == ["2 entries verified", "4 entries verified"]
    assert out.getvalue().splitlines() == ["ledger intact: 5 entries intact; anchoring is off"]
