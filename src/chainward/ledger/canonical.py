"""Canonical serialisation and the keyed hash chain (kept free of Django for property tests)."""

import datetime
import decimal
import hashlib
import hmac
import json
import uuid

GENESIS = "0" * 64
# The fields that are sealed by the hash, in the order they are documented.
SEALED_FIELDS = (
    "seq", "timestamp", "actor_id", "actor_name", "action", "object_type", "object_id",
    "object_repr", "before", "after", "request_id", "reason", "key_id",
)


def plain(value):
    """Reduce a field value to JSON whose round trip through any database is exact."""
    # The values a ledger holds are mostly exact str/int/bool/None, dicts and lists of them
    # (what JSON gives back): those answered first, by type. Anything else (subclasses too)
    # takes the general rules below, so every value maps exactly as it always has.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list:
        return [plain(v) for v in value]
    return _plain_other(value)


def _plain_other(value):
    if isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal, uuid.UUID, float)):
        return str(value) if not isinstance(value, datetime.date) else value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


# json.dumps with these options builds this same encoder on every call; one is enough.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(entry):
    """UTF-8 JSON of the sealed fields: sorted keys, no spaces."""
    body = {}
    for name in SEALED_FIELDS:  # most fields are plain already: spare them the call
        value = entry[name]
        kind = type(value)
        body[name] = value if kind is str or kind is int or value is None else plain(value)
    return _ENCODER.encode(body).encode()


def seal(key, prev_hash, entry):
    """hash_n = HMAC-SHA256(key, prev_hash ‖ canonical(entry_n))."""
    return hmac.new(key.encode(), prev_hash.encode() + canonical(entry), hashlib.sha256).hexdigest()


def first_break(entries, key):
    """Walk entries in seq order; return `(seq, reason)` of the first broken link, or None.

    `entries` yields dicts holding the sealed fields plus `prev_hash` and `hash`. A missing
    row shows as a gap, a reordered or edited row as a hash mismatch at that seq.
    """
    expected_seq, prev = 1, GENESIS
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            return expected_seq, f"expected seq {expected_seq}, found {seq} (rows missing or moved)"
        if entry["prev_hash"] != prev:
            return seq, "previous-hash link does not match the preceding entry"
        if not hmac.compare_digest(seal(key, prev, entry), entry["hash"]):
            return seq, "content does not match its hash (the entry was altered)"
        prev, expected_seq = entry["hash"], seq + 1
    return None
