"""Background jobs as the user sees them: what runs, for whom, how far it got, how it ended."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Job(models.Model):
    """A UI-visible record of one background task (import, report, reminder run…)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.PROTECT,
                                     related_name="jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="jobs")
    kind = models.CharField("kind", max_length=40)
    title = models.CharField("title", max_length=200)
    params = models.JSONField("parameters", default=dict, blank=True)
    status = models.CharField("status", max_length=10, choices=Status, default=Status.QUEUED)
    result = models.JSONField("result", default=dict, blank=True)
    created_at = models.DateTimeField("created", default=timezone.now)
    started_at = models.DateTimeField("started", null=True, blank=True)
    finished_at = models.DateTimeField("finished", null=True, blank=True)
    # Who asked, from where: the job runs as `user` and its ledger entries carry this request id.
    request_id = models.CharField("request id", max_length=64, blank=True)
    # Which worker process runs it ("host:pid") and when it last showed progress, so the next
    # worker start (or a stale heartbeat) can tell a job whose worker died.
    worker = models.CharField("worker", max_length=120, blank=True)
    heartbeat_at = models.DateTimeField("last sign of life", null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The job's progress page."""
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def finished(self):
        """True once the job succeeded or failed."""
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    # Progress lives in the shared cache, not in this row: the job's own work runs in one
    # transaction that other connections cannot see into until it commits.
    @property
    def progress_key(self):
        return f"chainward:job:{self.pk}:progress"

    def set_progress(self, done, total):
        """Publish progress for the UI to poll."""
        cache.set(self.progress_key, (done, total), timeout=24 * 3600)

    def progress(self):
        """`(done, total)` as last published."""
        return cache.get(self.progress_key) or (0, self.params.get("total", 0))

    def percent(self):
        """Progress as a whole percentage."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        done, total = self.progress()
        return int(100 * done / total) if total else 0


class JobRecord(models.Model):
    """A record a job created, committed with it, so a job that dies half-way can be undone.

    Imports write in short batches (SQLite has one writer at a time); these rows are what
    makes them all-or-nothing for the user: a failure deletes what earlier batches created,
    through the ledgered path, and a successful job drops its rows when it finishes.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="records")
    model = models.CharField("model", max_length=100)
    object_id = models.CharField("object id", max_length=64)
    row = models.PositiveIntegerField("source row", null=True, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self):
        return f"{self.model} #{self.object_id}"
