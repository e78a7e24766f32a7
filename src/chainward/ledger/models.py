"""The ledger: one append-only, keyed hash chain of every change and domain event."""

from django.db import models


class LedgerEntry(models.Model):
    """One change or event, sealed to its predecessor. Never updated, never deleted."""

    seq = models.PositiveBigIntegerField("sequence", unique=True)
    timestamp = models.DateTimeField("time")
    actor_id = models.BigIntegerField("actor id", null=True, blank=True)
    actor_name = models.CharField("actor", max_length=254)
    action = models.CharField("action", max_length=40, db_index=True)
    object_type = models.CharField("object type", max_length=100, blank=True)
    object_id = models.CharField("object id", max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    organisation_id = models.BigIntegerField("organisation id", null=True, blank=True)
    before = models.JSONField("before", null=True, blank=True)
    after = models.JSONField("after", null=True, blank=True)
    request_id = models.CharField("request id", max_length=64, blank=True)
    reason = models.CharField("reason", max_length=500, blank=True)
    key_id = models.CharField("key id", max_length=20)
    prev_hash = models.CharField("previous hash", max_length=64)
    hash = models.CharField("hash", max_length=64)

    class Meta:
        ordering = ("seq",)
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=("object_type", "object_id"), name="ledger_entry_object"),
            models.Index(fields=("action", "object_repr", "timestamp"), name="ledger_entry_event"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Ledger entries are append-only.")

    def changes(self):
        """`[(field, before, after)]` for the fields that differ."""
        before, after = self.before or {}, self.after or {}
        keys = [k for k in {**before, **after} if k not in IGNORED_IN_DIFF]
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


IGNORED_IN_DIFF = {"updated_at", "updated_by", "version"}


class LedgerHead(models.Model):
    """The single row that serialises appends: the last seq and hash."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self):
        return f"head #{self.seq}"
