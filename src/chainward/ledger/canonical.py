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
# The sealed fields the database keeps as JSON documents, and the others (see `json_plain`).
JSON_FIELDS = ("before", "after")
_SCALAR_FIELDS = tuple(name for name in SEALED_FIELDS if name not in JSON_FIELDS)


def _float_text(literal):
    return str(float(literal))


# JSON decodes to str keys and str/int/bool/None/list/dict values, all of which `plain` keeps
# as they are, except numbers with a fraction or exponent and NaN/Infinity: floats, which
# `plain` turns into str(float). Decoding those straight to that text leaves `plain` nothing
# to do, so a stored document is reduced without walking it a second time in Python.
_PLAIN_DECODER = json.JSONDecoder(parse_float=_float_text, parse_constant=_float_text)


def loads_plain(text):
    """`plain(json.loads(text))` in one pass; raises json.JSONDecodeError as json.loads does."""
    return _PLAIN_DECODER.decode(text)


def canonical(entry, *, json_plain=False):
    """UTF-8 JSON of the sealed fields: sorted keys, no spaces.

    With `json_plain`, `before` and `after` are taken as given: the ledger reader decoded
    them with `loads_plain`, so walking them again with `plain` would only cost time.
    """
    body = {}
    for name in _SCALAR_FIELDS if json_plain else SEALED_FIELDS:
        value = entry[name]  # most fields are plain already: spare them the call
        kind = type(value)
        body[name] = value if kind is str or kind is int or value is None else plain(value)
    if json_plain:
        body["before"], body["after"] = entry["before"], entry["after"]
    return _ENCODER.encode(body).encode()


def keyed(key):
    """An HMAC-SHA256 state holding `key`, to be copied per entry (`seal_with`)."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def seal_with(keyed_state, prev_hash, body):
    """HMAC-SHA256(key, prev_hash ‖ body) from a copy of `keyed(key)`.

    Copying a keyed state spares each entry the key set-up that `hmac.new` does afresh.
    """
    mac = keyed_state.copy()
    mac.update(prev_hash.encode())
    mac.update(body)
    return mac.hexdigest()


def seal(key, prev_hash, entry):
    """hash_n = HMAC-SHA256(key, prev_hash ‖ canonical(entry_n))."""
    return seal_with(keyed(key), prev_hash, canonical(entry))


def _same_digest(computed, stored):
    """Whether the stored hash is the computed one, in constant time. compare_digest refuses a
    str holding non-ASCII characters, so a hash column tampered that way would stop the check
    with an error instead of being reported at its seq: it compares bytes."""
    return isinstance(stored, str) and hmac.compare_digest(computed.encode(), stored.encode())


def gap(expected_seq, seq):
    """The break where entry `seq` stands at `expected_seq`: `(seq, reason)`."""
    return expected_seq, f"expected seq {expected_seq}, found {seq} (rows missing or moved)"


def first_break(entries, key, *, json_plain=False, first_seq=1, prev_hash=GENESIS):
    """Walk entries in seq order; return `(seq, reason)` of the first broken link, or None.

    `entries` yields dicts holding the sealed fields plus `prev_hash` and `hash` (`json_plain`
    as for `canonical`). A missing row shows as a gap, a reordered or edited row as a hash
    mismatch at that seq. A part of the chain is walked from `first_seq`, whose entry must
    link to `prev_hash` (the stored hash of the entry before it).
    """
    keyed_state = keyed(key)
    expected_seq, prev = first_seq, prev_hash
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            return gap(expected_seq, seq)
        if entry["prev_hash"] != prev:
            return seq, "previous-hash link does not match the preceding entry"
        body = canonical(entry, json_plain=json_plain)
        if not _same_digest(seal_with(keyed_state, prev, body), entry["hash"]):
            return seq, "content does not match its hash (the entry was altered)"
        prev, expected_seq = entry["hash"], seq + 1
    return None
