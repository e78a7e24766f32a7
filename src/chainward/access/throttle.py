"""Login throttling, counted from the ledger's own record of failed logins."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from chainward.ledger.models import LedgerEntry


def recent_failures(email):
    """Failed logins for this e-mail within the throttle window."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    return LedgerEntry.objects.filter(action="login_failed", object_repr=email.lower()[:200],
                                      timestamp__gte=since).count()


def is_locked(email):
    """True once the e-mail has reached the failure limit inside the window."""
    return recent_failures(email) >= settings.LOGIN_FAILURE_LIMIT
