"""Who is acting: set by middleware for requests and explicitly for jobs, imports and commands."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person or process a ledger entry is attributed to."""

    user_id: int | None
    name: str
    request_id: str
    reason: str = ""


SYSTEM = Actor(user_id=None, name="system", request_id="")
_current = contextvars.ContextVar("chainward_actor", default=None)


def current_actor():
    """The actor of the running request, job or command (the system when none was set)."""
    return _current.get() or SYSTEM


def actor_for(user, *, reason="", request_id=None, name=None):
    """Build an Actor for a user (or for a named process when `user` is None)."""
    request_id = request_id or uuid.uuid4().hex
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, name=name or "anonymous", request_id=request_id, reason=reason)
    return Actor(user_id=user.pk, name=user.email, request_id=request_id, reason=reason)


@contextmanager
def actor_context(user=None, *, reason="", name=None, request_id=None):
    """Attribute every ledger entry written inside the block to `user` (or to `name`)."""
    token = _current.set(actor_for(user, reason=reason, name=name, request_id=request_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_actor(actor):
    """Install an actor for the rest of this context; returns a token for `reset_actor`."""
    return _current.set(actor)


def reset_actor(token):
    """Undo `set_actor`."""
    _current.reset(token)


@contextmanager
def acting_as(user):
    """Attribute entries to `user` unless the current context already does (keeps its reason)."""
    actor = current_actor()
    if user is not None and actor.user_id == getattr(user, "pk", None):
        yield actor
        return
    with actor_context(user, reason=actor.reason, request_id=actor.request_id or None) as new:
        yield new
