"""Appending to and verifying the ledger."""

import contextvars
import json
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from . import anchor, canonical
from .context import current_actor
from .models import LedgerEntry, LedgerHead

# The open `batched_appends` block of this context, if any.
_batch = contextvars.ContextVar("chainward_ledger_batch", default=None)
# What a stored entry holds for verifying: the sealed fields and the two hashes.
_ROW_FIELDS = (*canonical.SEALED_FIELDS, "prev_hash", "hash")


def append_entry(action, *, obj=None, object_type="", object_id="", object_repr="",
                 organisation_id=None, before=None, after=None, reason=""):
    """Seal and append one entry in the caller's transaction; returns the entry.

    The head row is locked for the rest of the transaction, so concurrent appends queue up
    and the chain never forks (SQLite's IMMEDIATE transactions do the same). Inside
    `batched_appends` the entry is built now and sealed at the end of that block (its `seq`
    and `hash` are None until then).
    """
    actor = current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if organisation_id is None:
            organisation_id = getattr(obj, "organisation_id", None)
    entry = LedgerEntry(
        timestamp=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        organisation_id=organisation_id,
        before=canonical.plain(before),
        after=canonical.plain(after),
        request_id=actor.request_id,
        reason=(reason or actor.reason)[:500],
        key_id=settings.LEDGER_KEY_ID,
    )
    batch = _batch.get()
    if batch is not None and connection.in_atomic_block:
        batch.add(entry)
        return entry
    _seal_and_write([entry])
    return entry


def _seal_and_write(entries):
    """Chain `entries` (in order) to the head, insert them and move the head, atomically."""
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = LedgerHead(pk=1, seq=0, hash=canonical.GENESIS)
        for entry in entries:
            entry.seq, entry.prev_hash = head.seq + 1, head.hash
            entry.hash = canonical.seal(settings.LEDGER_KEY, head.hash, entry_fields(entry))
            head.seq, head.hash = entry.seq, entry.hash
        if len(entries) == 1:
            entries[0].save()
        else:
            LedgerEntry.objects.bulk_create(entries)
        head.save()
    anchor.anchor_after_commit(entries[-1])


class _Pending:
    """A no-op commit callback standing for one batched entry.

    Django forgets the commit callbacks registered inside a savepoint that is rolled back;
    an entry whose marker is gone belonged to a rolled-back change and is not written.
    """

    __slots__ = ()

    def __call__(self):
        return None


class _Batch:
    """Entries appended inside one `batched_appends` block, with their savepoint markers."""

    def __init__(self):
        self.entries = []

    def add(self, entry):
        marker = _Pending()
        transaction.on_commit(marker)
        self.entries.append((entry, marker))

    def flush(self):
        live = {id(func) for _, func, _ in connection.run_on_commit}
        entries = [entry for entry, marker in self.entries if id(marker) in live]
        self.entries = []
        if entries:
            _seal_and_write(entries)
        return entries


@contextmanager
def batched_appends():
    """Append the block's entries together at its end: one head lock, one insert.

    For bulk work inside one transaction (an import batch writes hundreds of rows): each entry
    is still built when its change happens (time, actor, before/after) and the chain is the
    same one, entry by entry, as without the block; only the sealing and the insert are
    done once, when the block ends without an error. Entries of a savepoint rolled back
    inside the block are dropped with their rows. Must be entered inside `transaction.atomic`;
    a nested block joins the outer one.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("batched_appends() needs an open transaction (transaction.atomic)")
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
        batch.flush()
    finally:
        _batch.reset(token)


def entry_fields(entry):
    """The sealed fields of a LedgerEntry (or of a row from `.values()`) as a dict."""
    if isinstance(entry, dict):
        return entry
    return {name: getattr(entry, name) for name in _ROW_FIELDS}


# Entries between two calls of `verify_ledger`'s `progress`.
PROGRESS_EVERY = 100_000


def _plain_json(text):
    """`plain` of what JSONField.from_db_value makes of a stored document's text: decoded, or
    as it is when it is not JSON — a tampered row must read back as it did, to be reported at
    its seq rather than crash the check."""
    if text is None:
        return None
    try:
        return canonical.loads_plain(text)
    except json.JSONDecodeError:
        return text


def read_entries(chunk_size=2000):
    """Every entry in seq order as a dict of `_ROW_FIELDS`, `before` and `after` plain already.

    The documents are read as the text the database keeps (cast to text: the same text
    JSONField would decode, on SQLite and PostgreSQL) and decoded once by `loads_plain`;
    `.values()` decoded them and `canonical` then walked every document again with `plain`,
    most of the cost of verifying. The other columns come as `.values()` gave them. The
    iterator streams in chunks (a server-side cursor on PostgreSQL), so memory stays flat.
    """
    texts = {f"{name}_text": Cast(name, TextField()) for name in canonical.JSON_FIELDS}
    scalars = [name for name in _ROW_FIELDS if name not in canonical.JSON_FIELDS]
    rows = (LedgerEntry.objects.order_by("seq").annotate(**texts)
            .values_list(*scalars, *texts).iterator(chunk_size=chunk_size))
    for row in rows:
        entry = dict(zip(scalars, row[:len(scalars)], strict=True))
        for name, text in zip(canonical.JSON_FIELDS, row[len(scalars):], strict=True):
            entry[name] = _plain_json(text)
        yield entry


def verify_ledger(progress=None):
    """Recompute the whole chain. Returns `(ok, seq, message, count)`.

    `progress(count)`, when given, is called after every PROGRESS_EVERY entries.
    """
    count = 0

    def counted():
        nonlocal count
        for entry in read_entries():
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
            yield entry

    broken = canonical.first_break(counted(), settings.LEDGER_KEY, json_plain=True)
    if broken:
        return False, broken[0], broken[1], count
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and head.seq != count:
        return False, count + 1, f"the head says {head.seq} entries but {count} were found", count
    # The head row lives in the same database as the entries; the anchor file does not.
    ok, seq, message = anchor.compare(count, lambda n: LedgerEntry.objects.filter(
        seq=n).values_list("hash", flat=True).first())
    if not ok:
        return False, seq, message, count
    return True, None, f"{count} entries intact; {message}", count


def current_head():
    """`(seq, hash)` of the last entry (0 and the genesis hash for an empty ledger)."""
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last or (0, canonical.GENESIS)


def reset_anchor(reason):
    """Anchor the current head after a deliberate change (database replaced); ledgered."""
    previous = anchor.read_anchor()
    with transaction.atomic():
        entry = append_entry("anchor_reset", object_type="ledger.anchor",
                             object_repr=str(anchor.anchor_path()),
                             before=previous, reason=reason)
    anchor.write_anchor(entry.seq, entry.hash, force=True)
    return entry
