"""Domain events that are not model changes: logins, exports, imports."""

from django.db import transaction

from .context import actor_context, actor_for
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


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Record a failed login; the throttle counts these entries."""
    email = str(credentials.get("username") or credentials.get("email") or "").lower()[:200]
    actor = actor_for(None, name=f"anonymous ({client_ip(request)})")
    with actor_context(None, name=actor.name):
        with transaction.atomic():
            append_entry("login_failed", object_type="access.user", object_repr=email,
                         after={"ip": client_ip(request)})


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
