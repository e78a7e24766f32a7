"""The ledger head anchored outside the database.

The hash chain shows an edited or removed entry in the middle, but someone with write access to
the database can drop the last entries and move the head back: the shorter chain is still
intact. So after every transaction that appended entries, the new head (seq and hash) is
written to a small file in the instance folder, and `verify-ledger` compares the database with
it ("ledger ends at seq 480 but the anchor says 500").

Cost and durability: one write per *transaction* (not per entry), after commit
(`transaction.on_commit`), as one fixed-size record rewritten in place under an advisory lock
(about 30 µs; a new file renamed over the old one cost 1–3 ms per commit here), so concurrent
processes only ever move it forward. There is no fsync: a crash can lose the latest anchor
update, which leaves the anchor *behind* the database — the safe direction. A record torn by
a crash mid-write reads as unreadable, which `verify-ledger` reports.
"""

import fcntl
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone


def anchor_path():
    """Where the anchor lives (None when anchoring is switched off)."""
    path = getattr(settings, "LEDGER_ANCHOR", None)
    return Path(path) if path else None


RECORD = 256  # bytes: the anchor is one fixed-size JSON record, rewritten in place


def _open(path, lock):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, lock)
    return fd


def _parse(raw):
    if not raw.strip(b"\0 \n"):
        return None
    try:
        data = json.loads(raw.decode())
        return {"seq": int(data["seq"]), "hash": str(data["hash"]), "time": data.get("time", "")}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return {"seq": None, "hash": "", "time": "", "unreadable": True}


def read_anchor(path=None):
    """The anchored head as a dict (`seq`, `hash`, `time`), or None when there is none."""
    path = path or anchor_path()
    if path is None or not path.exists():
        return None
    fd = _open(path, fcntl.LOCK_SH)
    try:
        return _parse(os.pread(fd, RECORD, 0))
    finally:
        os.close(fd)


def write_anchor(seq, hash_, *, force=False, path=None):
    """Move the anchor to `(seq, hash_)`; only forward unless `force` (restore, reset).

    One `pwrite` of a fixed-size record under an exclusive lock: about 30 µs, where writing a
    new file and renaming it cost milliseconds per commit on ext4.
    """
    path = path or anchor_path()
    if path is None:
        return False
    fd = _open(path, fcntl.LOCK_EX)
    try:
        current = _parse(os.pread(fd, RECORD, 0))
        if not force and current and current.get("seq") is not None and current["seq"] >= seq:
            return False
        body = json.dumps({"seq": seq, "hash": hash_, "time": timezone.now().isoformat()})
        os.pwrite(fd, body.encode().ljust(RECORD - 1) + b"\n", 0)
    finally:
        os.close(fd)
    return True


def anchor_after_commit(entry, using=None):
    """Arrange for the anchor to follow `entry` once the surrounding transaction commits.

    One callback per transaction: later appends in the same transaction only update the
    pending head that the callback will write.
    """
    if anchor_path() is None:
        return
    connection = connections[using or "default"]
    connection._chainward_anchor_pending = (entry.seq, entry.hash)
    if any(func is _flush_pending for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_flush_pending, using=using)


def _flush_pending():
    # Only after a real commit: a test's outer transaction that runs callbacks early is not one.
    for connection in connections.all(initialized_only=True):
        pending = getattr(connection, "_chainward_anchor_pending", None)
        if pending is not None and not connection.in_atomic_block:
            connection._chainward_anchor_pending = None
            write_anchor(*pending)


def compare(count, hash_at):
    """`(ok, seq, message)` of the database chain (`count` entries) against the anchor.

    `hash_at(seq)` returns the stored hash of entry `seq` (None when absent).
    """
    path = anchor_path()
    anchor = read_anchor(path)
    if anchor is None:
        return True, None, f"no anchor file at {path} yet" if path else "anchoring is off"
    if anchor.get("unreadable"):
        return False, None, f"the anchor file {path} cannot be read"
    if count < anchor["seq"]:
        return False, count + 1, (f"ledger ends at seq {count} but the anchor says "
                                  f"{anchor['seq']} (written {anchor['time']}): entries were "
                                  f"removed from the end")
    if hash_at(anchor["seq"]) != anchor["hash"] and anchor["seq"] > 0:
        return False, anchor["seq"], (f"entry {anchor['seq']} does not match the anchored hash: "
                                      f"the ledger was rewritten from there on")
    return True, None, f"anchor at seq {anchor['seq']} matches"
