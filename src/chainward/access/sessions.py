"""A person's signed-in sessions: recorded at login, listed on their account, ended by them.

Sessions live in Django's session store (whatever SESSION_ENGINE is: the database by default,
Redis through the cache on several machines); `UserSession` keeps what a person recognises a
session by. Ending one deletes it from the store, so its browser is signed out on its next
request, and is written to the ledger. The signed-cookie engine keeps nothing server-side and
cannot end a session: it is not supported here.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from .models import UserSession
from .throttle import client_address


def _seen_seconds():
    """Last seen is recorded at most this often per session (a cache marker, no query in
    between): settings.SESSION_SEEN_SECONDS."""
    return settings.SESSION_SEEN_SECONDS


def _store(session_key):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _seen_marker(session_key):
    return f"access:session-seen:{session_key}"


def _server_key(request):
    """The key of the request's server-side session, or None (none yet, or a signed cookie,
    whose "key" is the whole session)."""
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    return key if key and len(key) <= 40 else None


def record_login(request, user):
    """Record the session `user` has just signed in with (called on `user_logged_in`)."""
    key = _server_key(request)
    if key is None:
        return None
    now = timezone.now()
    record, _ = UserSession.objects.update_or_create(
        session_key=key, defaults={
            "user": user, "created_at": now, "last_seen_at": now, "ended_at": None,
            "ended_reason": "",
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_address(request) or None})
    cache.set(_seen_marker(key), 1, _seen_seconds())
    return record


def record_logout(session_key):
    """Mark a session ended when its person logs out (called on `user_logged_out`)."""
    if session_key:
        _mark_ended(UserSession.objects.filter(session_key=session_key, ended_at=None), "logout")


def touch(request, key_before):
    """After a request: follow a session key that changed (Django rotates it on a password
    change) and record the session as seen, at most once per SESSION_SEEN_SECONDS."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    key = _server_key(request)
    if key is None:
        return
    if key_before and key_before != key:
        UserSession.objects.filter(session_key=key_before, user=user).update(session_key=key)
    if cache.add(_seen_marker(key), 1, _seen_seconds()):
        UserSession.objects.filter(session_key=key, user=user).update(
            last_seen_at=timezone.now())


def _is_alive(record):
    """Whether the store still holds the session, signed in as its person (not expired)."""
    data = _store(record.session_key).load()
    return data.get(AUTH_SESSION_KEY) == str(record.user_id)


def active_sessions(user):
    """The user's sessions that are still signed in, most recently seen first."""
    horizon = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    candidates = UserSession.objects.filter(user=user, ended_at=None, last_seen_at__gte=horizon)
    return [record for record in candidates if _is_alive(record)]


def _mark_ended(records, reason):
    ended = []
    now = timezone.now()
    for record in records:
        _store(record.session_key).delete()
        record.ended_at, record.ended_reason = now, reason
        record.save(update_fields=["ended_at", "ended_reason"])
        ended.append(record)
    return ended


def end_session(actor, record):
    """End one of `actor`'s sessions: its browser is signed out on its next request."""
    if record.user_id != actor.pk:
        raise PermissionDenied("You can only end your own sessions.")
    with acting_as(actor), transaction.atomic():
        _mark_ended([record], "ended by its person")
        append_entry("session_ended", object_type="access.usersession", object_id=record.pk,
                     object_repr=str(record)[:200])
    return record


def end_other_sessions(actor, current_key, reason="ended by its person"):
    """End every session of `actor` except the one with `current_key`; returns how many."""
    others = UserSession.objects.filter(user=actor, ended_at=None).exclude(
        session_key=current_key or "")
    with acting_as(actor), transaction.atomic():
        ended = _mark_ended(others.select_for_update(), reason)
        if ended:
            append_entry("other_sessions_ended", object_type="access.user", object_id=actor.pk,
                         object_repr=actor.email, reason=reason,
                         after={"sessions": [record.pk for record in ended]})
    return len(ended)


def end_all_sessions(user, reason):
    """End every session of `user` (its caller writes the ledger entry); returns how many."""
    records = UserSession.objects.filter(user=user, ended_at=None).select_for_update()
    return len(_mark_ended(records, reason))
