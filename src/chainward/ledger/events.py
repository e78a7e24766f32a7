"""Domain events that are not model changes: logins, exports, imports."""

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
    """The client address as seen by Django (behind a proxy, configure it to set REMOTE_ADDR)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def record_event(action, *, obj=None, object_type="", object_repr="", organisation_id=None,
                 reason="", details=None):
    """Write a domain event (export, import, approval…) in its own atomic block."""
    with transaction.atomic():
        return append_entry(action, obj=obj, object_type=object_type, object_repr=object_repr,
                            organisation_id=organisation_id, after=details, reason=reason)
