"""Appending to and verifying the ledger."""

import contextvars
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, wait
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections, router, transaction
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
    """Chain `entries` (in order) to the head, insert them and move the head, atomically.

    Inside the caller's transaction without a savepoint of its own (two statements fewer per
    write, each a round trip on PostgreSQL): an error here fails the caller's transaction as a
    whole, which is what an entry that cannot be written must do."""
    with transaction.atomic(savepoint=False):
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
# From this many entries on, `verify_ledger` checks the chain in several processes, one seq
# range each (issue 11: a million entries in 30 s; one process checks ~20,000-26,000 a
# second). Below this one process takes a few seconds at most, and the verdict is the same.
# The setting LEDGER_VERIFY_PARALLEL_FROM overrides it.
PARALLEL_FROM = 200_000
# At most this many processes by default (one per CPU): each holds a database connection.
PARALLEL_MAX = 4
# How often the parent process looks at the others' progress (seconds), and every how many
# entries they tell it.
_POLL_SECONDS = 0.5
_TELL_EVERY = 10_000


class VerificationFailed(RuntimeError):
    """The chain could not be checked (a checking process died or failed): no verdict at all."""


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


def read_entries(chunk_size=2000, *, first=None, last=None):
    """Every entry in seq order (or those with `first <= seq <= last`, either bound left open
    when None) as a dict of `_ROW_FIELDS`, `before` and `after` plain already.

    The documents are read as the text the database keeps (cast to text: the same text
    JSONField would decode, on SQLite and PostgreSQL) and decoded once by `loads_plain`;
    `.values()` decoded them and `canonical` then walked every document again with `plain`,
    most of the cost of verifying. The other columns come as `.values()` gave them. The
    iterator streams in chunks (a server-side cursor on PostgreSQL), so memory stays flat.
    """
    texts = {f"{name}_text": Cast(name, TextField()) for name in canonical.JSON_FIELDS}
    scalars = [name for name in _ROW_FIELDS if name not in canonical.JSON_FIELDS]
    entries = LedgerEntry.objects.order_by("seq")
    if first is not None:
        entries = entries.filter(seq__gte=first)
    if last is not None:
        entries = entries.filter(seq__lte=last)
    rows = (entries.annotate(**texts).values_list(*scalars, *texts)
            .iterator(chunk_size=chunk_size))
    for row in rows:
        entry = dict(zip(scalars, row[:len(scalars)], strict=True))
        for name, text in zip(canonical.JSON_FIELDS, row[len(scalars):], strict=True):
            entry[name] = _plain_json(text)
        yield entry


def _walk(key, *, first=None, last=None, prev_hash=canonical.GENESIS, tick=None, every=1):
    """Check the entries with `first <= seq <= last` (None: open) by `canonical.first_break`,
    the first one expected at seq `first` (1 when open) linked to `prev_hash`.

    Returns a dict: `broken` (`(seq, reason)` or None), `read` (entries read, the broken one
    included), `first` (seq of the first entry read) and `last` (seq of the last one).
    `tick(read)` is called after every `every` entries.
    """
    read, first_seq, last_seq = 0, None, None

    def counted():
        nonlocal read, first_seq, last_seq
        for entry in read_entries(first=first, last=last):
            read += 1
            last_seq = entry["seq"]
            if first_seq is None:
                first_seq = last_seq
            if tick is not None and read % every == 0:
                tick(read)
            yield entry

    broken = canonical.first_break(counted(), key, json_plain=True,
                                   first_seq=1 if first is None else first, prev_hash=prev_hash)
    return {"broken": broken, "read": read, "first": first_seq, "last": last_seq}


def _check_range(index, told, key, first, last):
    """In a checking process: `_walk` one seq range of the chain; the walk and this pid.

    Forked, it reads the database its parent was reading (the connection settings are the
    parent's, under tests the test database's); the entry before the range is read for its
    stored hash (None when it is missing: `_joined` then names the gap). `told[index]` follows
    the entries read, for the parent's progress.
    """
    started = time.process_time()
    try:
        prev_hash = canonical.GENESIS
        if first is not None:
            prev_hash = LedgerEntry.objects.filter(
                seq=first - 1).values_list("hash", flat=True).first()

        def tell(read):
            told[index] = read

        walk = _walk(key, first=first, last=last, prev_hash=prev_hash, tick=tell,
                     every=_TELL_EVERY)
        return {**walk, "pid": os.getpid(), "cpu": time.process_time() - started}
    finally:
        connections.close_all()


def _ranges(last_seq, processes):
    """`processes` consecutive `(first, last)` seq ranges covering every seq: the first open
    below (a row moved before seq 1 is still read first), the last open above (rows past the
    head are read too)."""
    cuts = [last_seq * i // processes for i in range(1, processes)]
    return list(zip([None, *(cut + 1 for cut in cuts)], [*cuts, None], strict=True))


def _joined(ranges, walks):
    """The walk of the whole chain from the walks of its consecutive ranges: `(broken, read)`.

    A range's walk assumed the chain before it ends intact at its first seq - 1; when the
    ranges before end elsewhere (rows missing at their end), the whole walk breaks at this
    range's first entry, as one walk would have.
    """
    read, last_seq = 0, 0
    for (first, _last), walk in zip(ranges, walks, strict=True):
        if not walk["read"]:
            continue
        if first is not None and last_seq != first - 1:
            return canonical.gap(last_seq + 1, walk["first"]), read + 1
        if walk["broken"]:
            return walk["broken"], read + walk["read"]
        read, last_seq = read + walk["read"], walk["last"]
    return None, read


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _shared_database(alias):
    """Whether processes forked now read what this one reads: its database is a SQLite file
    or PostgreSQL (not SQLite in memory), and it has no transaction open (its writes would not
    be seen, and its connection may not be closed)."""
    connection_ = connections[alias]
    if connection_.in_atomic_block:
        return False
    return connection_.vendor == "postgresql" or (
        connection_.vendor == "sqlite" and not connection_.is_in_memory_db())


def _processes(workers, alias):
    """`(processes, entries)`: how many processes check the chain — 1 (this one) unless others
    can and it pays — and how many entries the head says there are (None when not asked)."""
    if workers == 1 or not _shared_database(alias):
        return 1, None
    # The head's seq, not the last entry's: a row moved far past the end must not put all
    # the others in the first range.
    entries = LedgerHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    if entries is None:
        entries = current_head()[0]
    if workers is None:
        if entries < getattr(settings, "LEDGER_VERIFY_PARALLEL_FROM", PARALLEL_FROM):
            return 1, entries
        workers = min(_cpus(), PARALLEL_MAX)
    return max(1, min(workers, entries)), entries


class _Marks:
    """Calls `progress` once per PROGRESS_EVERY entries reached, summed over processes."""

    def __init__(self, progress):
        self.progress, self.next = progress, PROGRESS_EVERY

    def reach(self, count):
        while self.progress is not None and count >= self.next:
            self.progress(self.next)
            self.next += PROGRESS_EVERY


def _walk_in_processes(processes, entries, progress, report):
    """`_walk` the chain in `processes` forked processes, one seq range each of about
    `entries` / `processes` seqs; `(broken, read)`.

    Forked, with every database connection of this process closed first (a child must not
    share one; each opens its own): a forked process starts at once, where a spawned one
    spends seconds importing and setting up Django again. `_processes` only comes here
    outside a transaction.
    """
    ranges = _ranges(entries, processes)
    context = multiprocessing.get_context("fork")
    marks = _Marks(progress)
    connections.close_all()
    try:
        with context.Manager() as manager, ProcessPoolExecutor(
                processes, mp_context=context) as pool:
            told = manager.list([0] * processes)
            futures = [pool.submit(_check_range, index, told, settings.LEDGER_KEY, first, last)
                       for index, (first, last) in enumerate(ranges)]
            pending = futures
            while pending:
                pending = wait(pending, timeout=_POLL_SECONDS).not_done
                marks.reach(sum(told[:]))  # one request to the manager
            walks = [future.result() for future in futures]
    except Exception as exc:  # a process died (BrokenProcessPool) or its check raised
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise VerificationFailed(
            f"a checking process failed ({detail}); run again, or with --workers 1 to "
            f"check in one process") from exc
    report.update(ranges=ranges, pids=[walk["pid"] for walk in walks],
                  cpu=[walk["cpu"] for walk in walks])
    broken, read = _joined(ranges, walks)
    marks.reach(read)
    return broken, read


def verify_ledger(progress=None, *, workers=None, report=None):
    """Recompute the whole chain. Returns `(ok, seq, message, count)`.

    `progress(count)`, when given, is called after every PROGRESS_EVERY entries. `workers`:
    how many processes check the chain, one seq range each (1: this process alone); by default
    one per CPU (at most PARALLEL_MAX) once the ledger holds PARALLEL_FROM entries. Other
    processes are used only when they can read the same data (see `_shared_database`); the
    verdict is the same either way. `report`, a dict, receives `processes` and, when there
    were others, their seq `ranges`, `pids` and the CPU seconds each spent (`cpu`). Raises
    VerificationFailed when a checking process fails.
    """
    report = {} if report is None else report
    alias = router.db_for_read(LedgerEntry)
    processes, entries = _processes(workers, alias)
    report["processes"] = processes
    if processes > 1:
        broken, count = _walk_in_processes(processes, entries, progress, report)
    else:
        walk = _walk(settings.LEDGER_KEY, tick=progress, every=PROGRESS_EVERY)
        broken, count = walk["broken"], walk["read"]
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
