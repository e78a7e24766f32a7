"""Login throttling with counters in the cache: per client and account, per address, per account.

Decision (finding 15). A failed login writes no ledger entry (anyone could fill the ledger);
it increments counters that fade LOGIN_FAILURE_WINDOW seconds after the last failure:

- *client × account* — the client is the address, or a browser that has logged in to this
  account before (a signed "device" cookie). LOGIN_FAILURE_LIMIT failures refuse that client
  for that account only: a stranger who guesses locks themselves out, not the owner.
- *address* — LOGIN_ADDRESS_FAILURE_LIMIT failures from one address on any accounts refuse
  that address (one machine spraying many accounts).
- *account* — LOGIN_ACCOUNT_FAILURE_LIMIT failures from anywhere (many addresses guessing one
  account) refuse the account to every browser *except* those it was used from before, so
  the owner keeps working while a botnet guesses.

Reaching a limit that concerns an existing account is ledgered once (`login_locked`, on the
account); an address reaching its limit is logged, since it names no account. Refused
attempts are not counted, so a lock ends one window after the last counted failure.
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction

from chainward.ledger.context import actor_context
from chainward.ledger.events import client_ip
from chainward.ledger.services import append_entry

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "cw_device"
_DEVICE_SALT = "chainward.access.throttle.device"
DEVICE_MAX_AGE = 365 * 24 * 60 * 60


def _hash(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def client_address(request):
    """The client address (REMOTE_ADDR, or X-Forwarded-For as TRUSTED_PROXIES allows)."""
    return client_ip(request)


def device_cookie(email):
    """A signed value that marks this browser as one the account logged in from."""
    return signing.dumps({"a": _hash("account", email.lower()), "n": secrets.token_hex(8)},
                         salt=_DEVICE_SALT)


def _device_nonce(request, email):
    """The nonce of a valid device cookie for `email`, else None."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != _hash("account", email.lower()):
        return None
    return str(value.get("n", ""))[:32] or None


class Attempt:
    """One login attempt: which counters it reads and, when it fails, increments."""

    def __init__(self, request, email):
        self.email = (email or "").strip().lower()
        self.address = client_address(request)
        self.device = _device_nonce(request, self.email)
        client = f"device:{self.device}" if self.device else f"address:{self.address}"
        self.client_key = "cw:login:client:" + _hash(self.email, client)
        self.address_key = "cw:login:address:" + _hash(self.address)
        self.account_key = "cw:login:account:" + _hash(self.email)

    def is_refused(self):
        """Whether this attempt must be refused before the password is even checked."""
        counts = cache.get_many([self.client_key, self.address_key, self.account_key])
        if counts.get(self.client_key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            return True
        if self.device:
            return False  # a browser the account was used from: only its own count applies
        return (counts.get(self.address_key, 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT or
                counts.get(self.account_key, 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT)

    def failed(self):
        """Count a wrong password; ledger a lock-out of an existing account once."""
        if _count(self.client_key) == settings.LOGIN_FAILURE_LIMIT:
            self._locked("this client", settings.LOGIN_FAILURE_LIMIT)
        if _count(self.account_key) == settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            self._locked("browsers not used with this account before",
                         settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        if _count(self.address_key) == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            logger.warning("Login refused from %s for %s s after %s failures", self.address,
                           settings.LOGIN_FAILURE_WINDOW, settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def succeeded(self):
        """A right password clears this client's count for the account (and nothing else)."""
        cache.delete(self.client_key)

    def _locked(self, who, failures):
        from .models import User

        user = User.objects.filter(email__iexact=self.email).first()
        if user is None:
            return
        with actor_context(None, name=f"anonymous ({self.address})"), transaction.atomic():
            append_entry("login_locked", object_type="access.user", object_id=user.pk,
                         object_repr=user.email,
                         after={"ip": self.address, "refused": who, "failures": failures,
                                "for_seconds": settings.LOGIN_FAILURE_WINDOW})


def count_reset_request(request):
    """Count a password-reset request from this client address; returns the count."""
    return _count("cw:reset:address:" + _hash(client_address(request)))


def _count(key):
    """Increment a counter that fades LOGIN_FAILURE_WINDOW seconds after its last increment."""
    window = settings.LOGIN_FAILURE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        value = 1
    cache.touch(key, timeout=window)
    return value
