"""Appending to and verifying the ledger."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import anchor, canonical
from .context import current_actor
from .models import LedgerEntry, LedgerHead


def append_entry(action, *, obj=None, object_type="", object_id="", object_repr="",
                 organisation_id=None, before=None, after=None, reason=""):
    """Seal and append one entry in the caller's transaction; returns the entry.

    The head row is locked for the rest of the transaction, so concurrent appends queue up
    and the chain never forks (SQLite's IMMEDIATE transactions do the same).
    """
    actor = current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if organisation_id is None:
            organisation_id = getattr(obj, "organisation_id", None)
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = LedgerHead(pk=1, seq=0, hash=canonical.GENESIS)
        entry = LedgerEntry(
            seq=head.seq + 1,
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
            prev_hash=head.hash,
        )
        entry.hash = canonical.seal(settings.LEDGER_KEY, head.hash, entry_fields(entry))
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save()
    anchor.anchor_after_commit(entry)
    return entry


def entry_fields(entry):
    """The sealed fields of a LedgerEntry (or of a row from `.values()`) as a dict."""
    if isinstance(entry, dict):
        return entry
    return {name: getattr(entry, name) for name in (*canonical.SEALED_FIELDS, "prev_hash", "hash")}


def verify_ledger():
    """Recompute the whole chain. Returns `(ok, seq, message, count)`."""
    fields = (*canonical.SEALED_FIELDS, "prev_hash", "hash")
    rows = LedgerEntry.objects.order_by("seq").values(*fields).iterator(chunk_size=2000)
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    broken = canonical.first_break(counted(), settings.LEDGER_KEY)
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
