"""Versioned and approved records (ISO 28000 7.5.2–7.5.3 review and approval of documented
information): one workflow for controlled-document versions and security-plan versions.

    draft ──submit──▶ in review ──approve──▶ approved ──▶ superseded (next approval) / obsolete
      ▲                   │
      └──── returned ◀────┘ return (reviewer, with a required comment to the author)

A version that is returned keeps the status "returned" (not "draft") until its author submits
it again: a document controller's lists then tell "sent back by the reviewer, waiting for the
author" apart from "not yet submitted", and the reviewer's comment stays on the version for the
author to act on. A returned version is edited like a draft.

The content of a version can change only in draft or returned; once submitted it is what the
reviewer reviews, and once approved it is frozen for good. `VersionedRecord.save` refuses every
other change, so edits are refused on every path that saves a record (UI form, API PATCH,
import, services, demo). Status and review fields change only through the steps below, which
check the right to take the step and write through the ledgered helper
(`core.services.update_records`: one ledger entry per changed row, before and after).

Reviewing (approving or returning) needs the model's `approve` grant and may not be done by the
version's author: a return is the other answer of the same review, so exactly the people who may
approve may return — no separate grant to keep in step with the approve one.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from . import services as records
from .querysets import RestrictedQuerySet

COMMENT_MAX = 5000


class VersionStatus(models.TextChoices):
    """Where a version is in its review."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    RETURNED = "returned", "Returned to author"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
    OBSOLETE = "obsolete", "Obsolete"


# The author may still change the content (ISO 28000 7.5.2: before review and approval).
EDITABLE = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED})
# Once a version reaches one of these its content is frozen for good (ISO 28000 7.5.3).
FROZEN = frozenset({VersionStatus.APPROVED, VersionStatus.SUPERSEDED, VersionStatus.OBSOLETE})
# Versions not yet decided: a new plan version waits until these are done.
OPEN = frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.RETURNED})

STATUS_BADGES = {
    VersionStatus.DRAFT: "text-bg-secondary",
    VersionStatus.IN_REVIEW: "text-bg-warning",
    VersionStatus.RETURNED: "text-bg-danger",
    VersionStatus.APPROVED: "text-bg-success",
    VersionStatus.SUPERSEDED: "text-bg-light",
    VersionStatus.OBSOLETE: "text-bg-dark",
}

# Fields only the review steps write; never through a form, the API or save_record.
REVIEW_FIELDS = ("status", "approver", "approved_at", "returned_by", "returned_at",
                 "return_comment")


class FrozenVersion(PermissionDenied):
    """A change a version's status does not allow (approved, superseded, obsolete or in
    review), or a review field changed outside the review steps."""


class VersionedRecord(models.Model):
    """Abstract: one numbered version of a parent record that goes through review.

    A concrete model sets `parent_field` (the foreign key to the versioned record, e.g.
    "document") and `content_fields` (what people write and the reviewer approves), and
    subclasses this before `PrimaryModel`.
    """

    parent_field = ""
    content_fields = ()
    new_version_hint = "start a new version instead"
    reviewed_noun = "version"  # "The author cannot approve their own <noun>"
    # The steps the model offers on its pages and API ("withdraw": make the approved version
    # obsolete without a successor).
    review_steps = ("submit", "approve", "return")

    number = models.PositiveIntegerField("version", editable=False)
    status = models.CharField("status", max_length=12, choices=VersionStatus,
                              default=VersionStatus.DRAFT, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name="author", editable=False)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+",
                                 verbose_name="approved by", editable=False)
    approved_at = models.DateTimeField("approved", null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="returned by", editable=False)
    returned_at = models.DateTimeField("returned", null=True, blank=True, editable=False)
    return_comment = models.TextField("reviewer's comment", blank=True, editable=False,
                                      max_length=COMMENT_MAX)

    # The guarded manager and base manager of core.models.TrackedModel: Django looks for the
    # base manager on the first parent in the MRO, which is this mixin.
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None:
                check_change(stored, self)
        elif not self.number:
            last = type(self)._base_manager.filter(
                **{f"{self.parent_field}_id": getattr(self, f"{self.parent_field}_id")}
            ).aggregate(models.Max("number"))["number__max"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.editable:
            raise FrozenVersion(f"{self} is {self.get_status_display().lower()} and cannot be "
                                "deleted.")
        return super().delete(*args, **kwargs)

    @property
    def parent(self):
        """The versioned record (the document, the security plan)."""
        return getattr(self, self.parent_field)

    @property
    def editable(self) -> bool:
        """True while the author may still change the content."""
        return self.status in EDITABLE

    @property
    def frozen(self) -> bool:
        """True once approved (or superseded, obsolete): the content never changes again."""
        return self.status in FROZEN

    def review_details(self):
        """What the ledger's review events say about the version."""
        return {self.parent_field: getattr(self.parent, "reference", str(self.parent)),
                "number": self.number}

    def locked_fields(self):
        """Fields that never change once the version exists, then the content fields."""
        return (self.parent_field, "number", "author", *self.content_fields)


def _changed(stored, new, names):
    meta = type(stored)._meta
    return [name for name in names
            if getattr(stored, meta.get_field(name).attname) !=
            getattr(new, meta.get_field(name).attname)]


def check_change(stored, new):
    """Refuse a save of `new` over `stored` that the version's status does not allow."""
    review = _changed(stored, new, REVIEW_FIELDS)
    if review:
        raise FrozenVersion(
            f"{stored} changes its {', '.join(review)} only through its review steps (submit, "
            "approve, return), not by editing it.")
    if stored.status in EDITABLE:
        locked = _changed(stored, new, (stored.parent_field, "number", "author"))
    else:
        locked = _changed(stored, new, stored.locked_fields())
    if not locked:
        return
    label = stored.get_status_display().lower()
    hint = ("ask a reviewer to return it to you for revision"
            if stored.status == VersionStatus.IN_REVIEW else stored.new_version_hint)
    raise FrozenVersion(f"{stored} is {label} and cannot be changed ({', '.join(locked)}); "
                        f"{hint}.")


# --- the review steps ---------------------------------------------------------------------------
def _holds(user, version, action):
    return type(version).objects.restrict(user, action).filter(pk=version.pk).exists()


def _assert_reviewer(user, version, verb):
    noun = version.reviewed_noun
    if not _holds(user, version, "approve"):
        parent = type(version.parent)._meta.verbose_name
        raise PermissionDenied(f"You may not {verb} versions of this {parent}.")
    if version.author_id == user.pk:
        raise PermissionDenied(f"The author cannot {verb} their own {noun}; ask a colleague "
                               "with the approve right.")


def _locked(version, expected_version):
    """The stored row, locked for the step; a stale `expected_version` is a Conflict."""
    current = type(version)._base_manager.select_for_update().get(pk=version.pk)
    if expected_version is not None and current.version != expected_version:
        raise records.Conflict(current, records.changes_since(current, expected_version))
    if current.archived:
        raise PermissionDenied(f"{current} is archived; restore it before reviewing it.")
    return current


def _write(user, version, reason, **values):
    """Write the step's fields through the ledgered helper and refresh the caller's instance."""
    model = type(version)
    records.update_records(user, model.objects.filter(pk=version.pk), reason=reason, **values)
    version.refresh_from_db()
    return version


def _refuse_status(current, wanted, refusal):
    if current.status not in wanted:
        raise PermissionDenied(f"{refusal}; this one is "
                               f"{current.get_status_display().lower()}.")


def submit_version(user, version, *, expected_version=None):
    """Draft (or returned) → in review; needs the right to change the version."""
    if not _holds(user, version, "change"):
        raise PermissionDenied(f"You may not submit this {version._meta.verbose_name}.")
    with acting_as(user), transaction.atomic():
        current = _locked(version, expected_version)
        _refuse_status(current, EDITABLE,
                       "Only a draft or a returned version can be submitted for review")
        return _write(user, version, "submitted for review", status=VersionStatus.IN_REVIEW)


def approve_version(user, version, *, expected_version=None):
    """In review → approved; the previously approved version of the parent is superseded.

    Needs the `approve` grant; the author cannot approve their own version.
    """
    _assert_reviewer(user, version, "approve")
    model = type(version)
    with acting_as(user), transaction.atomic():
        current = _locked(version, expected_version)
        _refuse_status(current, {VersionStatus.IN_REVIEW},
                       "Only a version in review can be approved")
        previous = model.objects.filter(
            **{f"{version.parent_field}_id": getattr(current, f"{version.parent_field}_id")},
            status=VersionStatus.APPROVED).exclude(pk=version.pk)
        records.update_records(user, previous, reason=f"superseded by version {current.number}",
                               status=VersionStatus.SUPERSEDED)
        _write(user, version, "approved", status=VersionStatus.APPROVED, approver=user,
               approved_at=timezone.now())
        record_event("approve", obj=version, details=version.review_details())
    return version


def return_version(user, version, *, comment, expected_version=None):
    """In review → returned to the author, with the reviewer's comment (required).

    Needs the `approve` grant, like approving; the author cannot return their own version.
    """
    _assert_reviewer(user, version, "return")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "A returned version needs a comment: tell the author "
                                          "what to change."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment under {COMMENT_MAX:,} characters."})
    with acting_as(user), transaction.atomic():
        current = _locked(version, expected_version)
        _refuse_status(current, {VersionStatus.IN_REVIEW},
                       "Only a version in review can be returned")
        _write(user, version, f"returned to the author: {comment}"[:500],
               status=VersionStatus.RETURNED, returned_by=user, returned_at=timezone.now(),
               return_comment=comment)
        record_event("return", obj=version, reason=comment[:500],
                     details={**version.review_details(), "comment": comment,
                              "author": version.author_id})
    return version


def make_obsolete(user, version, *, expected_version=None):
    """Withdraw the approved version without a successor (needs the `approve` grant)."""
    if not _holds(user, version, "approve"):
        raise PermissionDenied(f"You may not withdraw versions of this "
                               f"{type(version.parent)._meta.verbose_name}.")
    with acting_as(user), transaction.atomic():
        current = _locked(version, expected_version)
        _refuse_status(current, {VersionStatus.APPROVED},
                       "Only the approved version can be made obsolete")
        return _write(user, version, "withdrawn", status=VersionStatus.OBSOLETE)


# --- what the version page offers ---------------------------------------------------------------
def review_context(user, version):
    """The review steps `user` may take on `version` and where to post them (detail pages).

    URLs follow `<app>:<model>_<step>` (see `versioning_views.review_urls`).
    """
    from django.urls import reverse

    meta = version._meta
    perm = f"{meta.app_label}.{{}}_{meta.model_name}"
    may_review = user.has_perm(perm.format("approve"), version)
    status = version.status
    steps = {
        "submit": status in EDITABLE and user.has_perm(perm.format("change"), version),
        "approve": status == VersionStatus.IN_REVIEW and may_review
        and version.author_id != user.pk,
        "withdraw": status == VersionStatus.APPROVED and may_review,
    }
    steps["return"] = steps["approve"]
    steps = {step: allowed and step in version.review_steps for step, allowed in steps.items()}
    urls = {step: reverse(f"{meta.app_label}:{meta.model_name}_{step}", args=[version.pk])
            for step, allowed in steps.items() if allowed}
    return {"steps": steps, "urls": urls, "badge": STATUS_BADGES[status],
            "comment_max": COMMENT_MAX}
