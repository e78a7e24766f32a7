"""Querysets that restrict themselves to what a user may see, and refuse to write around the
ledger.

Bulk writes (`update`, `bulk_update`, `bulk_create`, `delete`) skip `save()` and its signals,
so the ledger would never see them. On an audited (registered) model they raise
`UnledgeredWrite` unless the running code holds a permit for that model and operation. Only
the ledgered helpers in `core.services` (`update_records`, `bulk_update_records`) take a
permit, after writing the rows' ledger entries in the same transaction. The guarded manager
is also the base manager of audited models (`TrackedModel.Meta.base_manager_name`), so
`Model._base_manager…update()` is refused like `Model.objects…update()`. Unregistered models
and Django's own machinery (saves use `_update()`, cascades delete row by row, migrations'
historical models, test rollbacks) are not affected — except a deletion that would null an
audited record's reference (`on_delete=SET_NULL`, e.g. to a user or a job): Django does that
with `update()` through the base manager, around the ledger, so it is refused.
"""

import contextvars
from contextlib import contextmanager

from django.db import models

BULK_WRITES = ("update", "bulk_update", "bulk_create", "delete")

# The (model, operation) pairs the running code may write in bulk: set only by
# `ledgered_bulk_write`, which only the ledgered helpers of `core.services` enter.
_permits = contextvars.ContextVar("chainward_bulk_permits", default=frozenset())


class UnledgeredWrite(RuntimeError):
    """A bulk write on an audited model that did not go through the ledgered helpers."""


@contextmanager
def ledgered_bulk_write(model, operation):
    """Allow `operation` on `model`'s querysets inside the block (and nothing else).

    Reserved for `core.services.update_records` / `bulk_update_records`, which write a ledger
    entry per row before they enter it; ruff's banned-api list keeps other modules out.
    """
    if operation not in BULK_WRITES:
        raise ValueError(f"unknown bulk write {operation!r}")
    token = _permits.set(_permits.get() | {(model, operation)})
    try:
        yield
    finally:
        _permits.reset(token)


def _guard(model, operation):
    from .registry import registration

    if registration(model) is None or (model, operation) in _permits.get():
        return
    raise UnledgeredWrite(
        f"{model._meta.label}.objects…{operation}() would change audited records without "
        f"ledger entries; use chainward.core.services.update_records / bulk_update_records "
        f"(or save_record / set_archived for one record).")


class RestrictedQuerySet(models.QuerySet):
    """Adds `restrict(user, action)`: the one definition lists, API, exports and jobs filter by.

    On registered models it also refuses bulk writes outside the ledgered helpers.
    """

    def restrict(self, user, action="view"):
        """Only the rows on which `user` holds `action`, through their role assignments."""
        from chainward.core.scope import scope_q

        return self.filter(scope_q(user, self.model, action))

    def update(self, **kwargs):
        _guard(self.model, "update")
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        _guard(self.model, "bulk_update")
        with ledgered_bulk_write(self.model, "update"):  # Django's bulk_update calls update()
            return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        _guard(self.model, "bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True

    def delete(self):
        _guard(self.model, "delete")
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


def visible(model, user, organisation):
    """Unarchived records of `organisation` that `user` may see (reports, packs, review inputs)."""
    return model.objects.restrict(user, "view").filter(organisation=organisation, archived=False)
