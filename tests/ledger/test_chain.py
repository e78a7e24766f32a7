"""The hash chain detects any edit, deletion or reordering at the exact seq (property tests)."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from chainward.ledger import canonical

KEY = "test-key"
actions = st.sampled_from(["create", "update", "archive", "login", "export"])
values = st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(max_size=20), st.booleans())
payloads = st.one_of(st.none(), st.dictionaries(st.text(min_size=1, max_size=8), values,
                                                max_size=4))


@st.composite
def chains(draw, min_size=2):
    """A valid sealed chain of random entries."""
    count = draw(st.integers(min_size, 12))
    entries, prev = [], canonical.GENESIS
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for seq in range(1, count + 1):
        entry = {
            "seq": seq, "timestamp": start + datetime.timedelta(seconds=seq),
            "actor_id": draw(st.one_of(st.none(), st.integers(1, 50))),
            "actor_name": draw(st.text(min_size=1, max_size=12)), "action": draw(actions),
            "object_type": "supplychain.site", "object_id": str(draw(st.integers(1, 99))),
            "object_repr": draw(st.text(max_size=20)), "before": draw(payloads),
            "after": draw(payloads), "request_id": "r", "reason": "", "key_id": "k1",
            "prev_hash": prev,
        }
        entry["hash"] = canonical.seal(KEY, prev, entry)
        prev = entry["hash"]
        entries.append(entry)
    return entries


@given(chains())
def test_an_untouched_chain_verifies(entries):
    assert canonical.first_break(entries, KEY) is None


@settings(max_examples=200)
@given(chains(), st.data())
def test_any_field_edit_is_detected_at_its_seq(entries, data):
    index = data.draw(st.integers(0, len(entries) - 1))
    name = data.draw(st.sampled_from([f for f in canonical.SEALED_FIELDS if f != "seq"]))
    original = entries[index][name]
    replacement = data.draw(st.one_of(st.text(max_size=10), st.integers(), st.none()).filter(
        lambda v: canonical.plain(v) != canonical.plain(original)))
    entries[index] = {**entries[index], name: replacement}
    broken = canonical.first_break(entries, KEY)
    assert broken is not None and broken[0] == index + 1


@given(chains(min_size=3), st.data())
def test_a_deleted_row_is_detected_at_its_seq(entries, data):
    index = data.draw(st.integers(0, len(entries) - 2))
    del entries[index]
    broken = canonical.first_break(entries, KEY)
    assert broken is not None and broken[0] == index + 1


@given(chains(min_size=3), st.data())
def test_reordered_rows_are_detected_at_the_first_moved_seq(entries, data):
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    entries[i], entries[j] = entries[j], entries[i]
    broken = canonical.first_break(entries, KEY)
    assert broken is not None and broken[0] == i + 1


@given(chains(), st.data())
def test_a_row_resealed_without_the_key_is_detected(entries, data):
    index = data.draw(st.integers(0, len(entries) - 1))
    forged = {**entries[index], "reason": "forged"}
    forged["hash"] = canonical.seal("attacker-guess", forged["prev_hash"], forged)
    entries[index] = forged
    broken = canonical.first_break(entries, KEY)
    assert broken is not None and broken[0] == index + 1


def test_canonical_form_is_stable_across_value_types():
    entry = {name: None for name in canonical.SEALED_FIELDS}
    entry.update(seq=1, timestamp=datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC),
                 after={"b": 1, "a": [3, 2]})
    assert canonical.canonical(entry) == canonical.canonical(dict(reversed(entry.items())))
    assert b'"after":{"a":[3,2],"b":1}' in canonical.canonical(entry)


def test_canonical_bytes_and_hash_of_every_value_type_are_fixed():
    """Every ledger ever sealed depends on these exact bytes: a faster `plain` or encoder must
    not change one. The expected text was written by hand from the rules in canonical.py
    (UTC microsecond timestamps, dates ISO, times/decimals/UUIDs/floats as strings, sets sorted,
    tuples as lists, keys as strings, sorted keys, no spaces, UTF-8); the hash is
    `openssl dgst -sha256 -hmac test-key` over 64 zeros and those bytes."""
    import decimal
    import uuid

    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    entry = {
        "seq": 7, "timestamp": datetime.datetime(2026, 3, 1, 14, 0, tzinfo=plus_two),
        "actor_id": None, "actor_name": "Ana Ruiz", "action": "update",
        "object_type": "risk.rating", "object_id": "12", "object_repr": "Zürich → Basel",
        "before": {"level": 3, "due": datetime.date(2026, 5, 1),
                   "cost": decimal.Decimal("12.50"), "tags": {"b", "a"}, "ratio": 0.5,
                   "when": datetime.time(8, 30),
                   "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                   2: (1, None, [True, False])},
        "after": None, "request_id": "req-1", "reason": "", "key_id": "k1",
    }
    expected = (
        '{"action":"update","actor_id":null,"actor_name":"Ana Ruiz","after":null,'
        '"before":{"2":[1,null,[true,false]],"cost":"12.50","due":"2026-05-01",'
        '"id":"12345678-1234-5678-1234-567812345678","level":3,"ratio":"0.5",'
        '"tags":["a","b"],"when":"08:30:00"},"key_id":"k1","object_id":"12",'
        '"object_repr":"Zürich → Basel","object_type":"risk.rating","reason":"",'
        '"request_id":"req-1","seq":7,"timestamp":"2026-03-01T12:00:00.000000+00:00"}'
    ).encode()
    assert canonical.canonical(entry) == expected
    assert canonical.seal(KEY, canonical.GENESIS, entry) == \
        "5afc28f9fed5122113fe3b2959cac5465b40d97f4047b9966f16a7d7f7284ef7"


@given(chains(min_size=2), st.data())
def test_a_hash_overwritten_with_any_text_is_reported_at_its_seq(entries, data):
    """Non-ASCII text or no text in a hash column is a broken link at that seq, not an error
    (hmac.compare_digest raises TypeError for non-ASCII str)."""
    index = data.draw(st.integers(0, len(entries) - 1))
    entries[index] = {**entries[index], "hash": data.draw(st.sampled_from(
        ["é" * 64, "🚚", "", None, entries[index]["hash"].upper()]))}
    broken = canonical.first_break(entries, KEY)
    assert broken == (index + 1, "content does not match its hash (the entry was altered)")
