"""Generic record workflows: save with optimistic locking, archive, restore, comment.

Each is atomic, takes the acting user explicitly and re-checks the user's scope after the
write, inside the same transaction, so nobody can move a record out of their own reach.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from chainward.access.scope import allows
from chainward.ledger.context import acting_as
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import append_entry

from .models import Comment


class Conflict(Exception):
    """The record changed since the user loaded it."""

    def __init__(self, current, changes):
        super().__init__(f"{current} was changed by someone else (now version {current.version}).")
        self.current = current
        self.changes = changes


def changes_since(instance, version):
    """Ledger entries of `instance` that moved it past `version`, oldest first."""
    entries = LedgerEntry.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)).order_by("-seq")[:50]
    return [e for e in reversed(list(entries))
            if isinstance(e.after, dict) and (e.after.get("version") or 0) > version]


def _recheck(user, instance, action):
    model = type(instance)
    if not model.objects.restrict(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(
            f"You may not {action} this {model._meta.verbose_name} where it now belongs.")


def save_record(user, instance, *, form=None, expected_version=None, after_save=None):
    """Create or update a record; refuse a stale version with `Conflict`.

    `after_save(user, instance, created)` runs in the same transaction (e.g. to create the
    status rows of a new gap assessment).
    """
    model = type(instance)
    creating = instance.pk is None
    action = "add" if creating else "change"
    with acting_as(user), transaction.atomic():
        if form is not None and hasattr(form, "before_save"):
            form.before_save(user)
        if creating:
            if not allows(user, "add", instance):
                raise PermissionDenied(f"You may not add a {model._meta.verbose_name} here.")
            instance.created_by = user
        else:
            current = model._base_manager.select_for_update().get(pk=instance.pk)
            if expected_version is not None and current.version != expected_version:
                raise Conflict(current, changes_since(current, expected_version))
            instance.version = current.version + 1
        instance.updated_by, instance.updated_at = user, timezone.now()
        instance.save()
        if form is not None:
            form._save_m2m()
        if after_save is not None:
            after_save(user, instance, creating)
        _recheck(user, instance, action)
    return instance


def set_archived(user, instance, archived, *, expected_version=None):
    """Archive (or restore) a record instead of deleting it."""
    model = type(instance)
    with acting_as(user), transaction.atomic():
        current = model._base_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, changes_since(current, expected_version))
        _recheck(user, current, "delete")
        if current.archived == archived:
            return current
        current.archived = archived
        current.archived_at = timezone.now() if archived else None
        current.version += 1
        current.updated_by, current.updated_at = user, timezone.now()
        current.save()
    return current


def add_comment(user, instance, text):
    """Add a comment to a record the user may change (read-only roles do not comment); the
    ledger keeps it too."""
    with acting_as(user), transaction.atomic():
        if not type(instance).objects.restrict(user, "change").filter(pk=instance.pk).exists():
            raise PermissionDenied("Commenting needs the right to change this record.")
        comment = Comment.objects.create(
            organisation_id=getattr(instance, "organisation_id", instance.pk),
            content_type=ContentType.objects.get_for_model(instance),
            object_id=instance.pk, author=user, author_name=user.email, text=text)
        append_entry("comment", obj=instance, after={"comment": text})
    return comment
