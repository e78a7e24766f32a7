"""Generic record workflows: save with optimistic locking, archive, restore, comment, and the
only bulk writes audited records allow.

Each is atomic, takes the acting user explicitly and re-checks the user's scope after the
write, inside the same transaction, so nobody can move a record out of their own reach.
`update_records` / `bulk_update_records` are what `QuerySet.update` / `bulk_update` are
elsewhere: audited querysets refuse those (`core.querysets`), these write a ledger entry per
changed row first.
"""

from contextlib import nullcontext

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from chainward.core.scope import allows
from chainward.ledger.context import acting_as
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import append_entry

from .models import Comment
from .registry import registration


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


def _hooks(model, after_save):
    """The register's `after_save` (every save, every path) and the caller's extra hook."""
    reg = registration(model)
    register = reg.register if reg is not None else None
    hooks = [register.after_save] if register is not None else []
    if after_save is not None and after_save not in hooks:
        hooks.append(after_save)
    return hooks


def save_record(user, instance, *, form=None, relations=None, expected_version=None,
                after_save=None, before_save=None):
    """Create or update a record; refuse a stale version with `Conflict`.

    The one write path of a record (UI, API, import, services, demo). In one transaction: the
    fields are saved, the many-to-many values set (`form`'s, or `relations={name: values}`),
    the register's `after_save(user, instance, created)` runs (model rules such as auditor
    independence, derived rows such as a gap assessment's statuses), then the user's scope is
    re-checked on the record as stored — so nobody can move a record out of their own reach,
    through a many-to-many field included. `after_save` adds a caller's own hook;
    `before_save(user)` (a form's or serializer's, e.g. storing a checked upload) runs first in
    the transaction. On any
    error nothing is written and `instance` is left as it was (unsaved when it was new).
    """
    model = type(instance)
    creating = instance.pk is None
    action = "add" if creating else "change"
    state = (instance.pk, instance._state.adding, getattr(instance, "reference", None),
             instance.version, instance.created_by_id, instance.updated_by_id,
             instance.updated_at)
    try:
        with acting_as(user), transaction.atomic():
            if form is not None and hasattr(form, "before_save"):
                form.before_save(user)
            if before_save is not None:
                before_save(user)
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
            for name, values in (relations or {}).items():
                getattr(instance, name).set(values)
            for hook in _hooks(model, after_save):
                hook(user, instance, creating)
            _recheck(user, instance, action)
    except BaseException:
        _restore(instance, state)
        raise
    return instance


def _restore(instance, state):
    """Put an instance back as it was before a save that was rolled back."""
    pk, adding, reference, version, created_by_id, updated_by_id, updated_at = state
    instance.pk, instance._state.adding = pk, adding
    if reference is not None:
        instance.reference = reference
    instance.version, instance.updated_at = version, updated_at
    instance.created_by_id, instance.updated_by_id = created_by_id, updated_by_id


# --- bulk writes ---------------------------------------------------------------------------------
# Audited querysets refuse update/bulk_update/bulk_create/delete (core.querysets); these two
# helpers are the only way through: they write one ledger entry per changed row, then take the
# permit for exactly one model and operation for the one statement that writes the rows.
def _acting(user):
    """Attribute entries to `user`, or keep the current actor (a named process) for None."""
    return acting_as(user) if user is not None else nullcontext()


def update_records(user, queryset, *, reason, touch=True, **values):
    """`queryset.update(**values)` for audited records, with one ledger entry per changed row.

    The rows are locked, each row whose values change gets an "update" entry (before/after,
    attributed to `user`, with `reason`), then one UPDATE writes them. `touch=False` is for
    derived or cached fields that are not an edit of the record (a rendered PDF's file name):
    the version and updated stamps stay. Scope is the caller's business (it decided which rows
    change); returns the number of rows changed.
    """
    model = queryset.model
    rows = list(model._base_manager.select_for_update().filter(
        pk__in=list(queryset.values_list("pk", flat=True))).order_by("pk"))
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
    return bulk_update_records(user, rows, list(values), reason=reason, touch=touch)


def bulk_update_records(user, objs, fields, *, reason, touch=True, batch_size=500):
    """`bulk_update(objs, fields)` for audited records, with one ledger entry per changed row.

    `objs` carry their new values; rows whose `fields` did not change are skipped (no entry,
    no version). With `touch` (the default) a changed row's version goes up and its updated
    stamps name `user`, as in `save_record`. Returns the number of rows changed.
    """
    from chainward.ledger.signals import serialise

    from .querysets import ledgered_bulk_write

    objs = [obj for obj in objs if obj.pk is not None]
    if not objs:
        return 0
    model = type(objs[0])
    fields = list(fields)
    with _acting(user), transaction.atomic():
        stored = model._base_manager.select_for_update().in_bulk([o.pk for o in objs])
        changed = []
        now = timezone.now()
        for obj in objs:
            current = stored[obj.pk]
            if all(getattr(current, model._meta.get_field(f).attname) ==
                   getattr(obj, model._meta.get_field(f).attname) for f in fields):
                continue
            before = serialise(current)
            for name in fields:
                setattr(current, name, getattr(obj, name))
            if touch:
                current.version += 1
                current.updated_by, current.updated_at = user, now
            append_entry("update", obj=current, before=before, after=serialise(current),
                         reason=reason)
            changed.append(current)
            obj.version, obj.updated_by_id, obj.updated_at = (
                current.version, current.updated_by_id, current.updated_at)
        written = fields + (["version", "updated_by", "updated_at"] if touch else [])
        if changed:
            with ledgered_bulk_write(model, "bulk_update"):
                model.objects.bulk_update(changed, written, batch_size=batch_size)
    return len(changed)


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
        reg = registration(model)
        if reg is not None and reg.register is not None:
            reg.register.after_archive(user, current, archived)
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
