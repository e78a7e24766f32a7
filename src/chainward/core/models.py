"""Base models every register builds on."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from .querysets import RestrictedQuerySet


class ReferenceCounter(models.Model):
    """The last human reference number handed out per organisation and prefix (e.g. SIT-0042)."""

    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    prefix = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organisation", "prefix"),
                                    name="core_refcounter_unique_prefix",
                                    violation_error_message="One counter per prefix."),
        ]

    def __str__(self):
        return f"{self.prefix}-{self.last:04d}"

    @classmethod
    def next(cls, organisation_id, prefix):
        """Reserve the next number for `prefix` in an organisation (in the caller's transaction)."""
        return cls.reserve(organisation_id, prefix, 1)[0]

    @classmethod
    def reserve(cls, organisation_id, prefix, count):
        """Reserve `count` consecutive numbers at once (imports); returns their references.

        In the caller's transaction without a savepoint of its own: a number that cannot be
        reserved fails the record's save as a whole."""
        with transaction.atomic(savepoint=False):
            counter, _ = cls.objects.select_for_update().get_or_create(
                organisation_id=organisation_id, prefix=prefix)
            first = counter.last + 1
            counter.last += count
            counter.save(update_fields=["last"])
        return [f"{prefix}-{number:04d}" for number in range(first, counter.last + 1)]


class ExpiryMixin:
    """`is_expired` for records with a `valid_until` date (certificates, evidence, access)."""

    @property
    def is_expired(self) -> bool:
        """True once the last valid day has passed."""
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class TrackedModel(models.Model):
    """Created/updated stamps, an optimistic-locking version and archiving instead of deletion."""

    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    updated_at = models.DateTimeField("updated", default=timezone.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    # Optimistic locking: a save that started from an older version is refused, never merged.
    version = models.PositiveIntegerField("version", default=1, editable=False)
    archived = models.BooleanField("archived", default=False, editable=False, db_index=True)
    archived_at = models.DateTimeField("archived on", null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        # Django saves, follows relations and deletes through the base manager; make it the
        # guarded one, so `Model._base_manager…update()` is refused like `objects…update()`
        # (core.querysets). Saves use its internal _update(), which is not refused.
        base_manager_name = "objects"

    def get_absolute_url(self):
        """The record's detail page."""
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[self.pk])


class PrimaryModel(TrackedModel):
    """A record owned by an organisation, with a human reference such as SIT-0042."""

    reference_prefix = "REC"

    organisation = models.ForeignKey(
        "supplychain.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name="organisation", editable=False)
    reference = models.CharField("reference", max_length=20, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.reference and self.organisation_id:
            self.reference = ReferenceCounter.next(self.organisation_id, self.reference_prefix)
        super().save(*args, **kwargs)


class Comment(models.Model):
    """A journal entry on any record; visible to whoever can see the record."""

    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="comments")
    author_name = models.CharField(max_length=150)
    text = models.TextField("comment", max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at",)
        indexes = [models.Index(fields=("content_type", "object_id"), name="core_comment_record")]

    def __str__(self):
        return f"{self.author_name}: {self.text[:40]}"
