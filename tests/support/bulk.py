"""Test set-up that writes audited rows in bulk (backdating, thousands of ratings) on purpose.

Audited querysets refuse `update`, `bulk_update`, `bulk_create` and `delete` outside the
ledgered helpers of `core.services` (see `core.querysets`). A test that needs a state no
workflow produces — an acceptance that expired last year, 2,000 ratings for a query budget —
names the models it writes around the ledger here, so the bypass is visible and nowhere else.
"""

from contextlib import ExitStack, contextmanager

from chainward.core.querysets import BULK_WRITES, ledgered_bulk_write


@contextmanager
def fixture_writes(*models):
    """Allow bulk writes of `models` inside the block (test fixtures only, no ledger entries)."""
    with ExitStack() as stack:
        for model in models:
            for operation in BULK_WRITES:
                stack.enter_context(ledgered_bulk_write(model, operation))
        yield
