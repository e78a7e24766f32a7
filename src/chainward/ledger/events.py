"""Domain events that are not model changes: logins, exports, imports."""

from django.conf import settings
from django.db import transaction

from .context import actor_context
from .services import append_entry


def on_login(sender, request, user, **kwargs):
    """Record a successful login under the user who logged in."""
    with actor_context(user, request_id=getattr(request, "request_id", None)):
        with transaction.atomic():
            append_entry("login", object_type="access.user", object_id=user.pk,
                         object_repr=user.email, after={"ip": client_ip(request)})


def on_logout(sender, request, user, **kwargs):
    """Record a logout."""
    if user is None:
        return
    with actor_context(user, request_id=getattr(request, "request_id", None)):
        with transaction.atomic():
            append_entry("logout", object_type="access.user", object_id=user.pk,
                         object_repr=user.email)


def client_ip(request):
    """The client's address: REMOTE_ADDR, or — behind TRUSTED_PROXIES reverse proxies, each
    appending the address it was reached from to X-Forwarded-For — the entry the outermost of
    them appended. Entries further left were sent by the client and are never believed; with
    fewer entries than proxies the header was not set by them and REMOTE_ADDR stands. The one
    definition: login throttling, the ledger's login events, the session list and the partner
    links all use it."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address


def record_event(action, *, obj=None, object_type="", object_repr="", organisation_id=None,
                 reason="", details=None):
    """Write a domain event (export, import, approval…) in its own atomic block."""
    with transaction.atomic():
        return append_entry(action, obj=obj, object_type=object_type, object_repr=object_repr,
                            organisation_id=organisation_id, after=details, reason=reason)
