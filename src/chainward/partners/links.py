"""The one-time link: an unguessable token whose SHA-256 alone is stored, bound to the first
browser that opens it, expiring; and throttling of link traffic per client address."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache

# Requests to link pages per client address per window, and unknown tokens per address per
# window: past either limit the address gets 429 for the rest of the window — valid links
# included, so guessing costs the guesser its own access.
LINK_WINDOW = getattr(settings, "PARTNER_LINK_WINDOW", 600)
LINK_LIMIT = getattr(settings, "PARTNER_LINK_LIMIT", 120)
BAD_TOKEN_LIMIT = getattr(settings, "PARTNER_LINK_BAD_TOKEN_LIMIT", 10)
SESSION_COOKIE = "cw_answer"


def new_token():
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token):
    """What is stored of a token (and of an answering session's cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _bump(key):
    cache.add(key, 0, timeout=LINK_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=LINK_WINDOW)
        return 1


def _key(kind, address):
    return f"chainward:partner-link:{kind}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def throttled(address):
    """Count one link request from `address`; True when it is over a limit."""
    hits = _bump(_key("hits", address))
    bad = cache.get(_key("bad", address)) or 0
    return hits > LINK_LIMIT or bad >= BAD_TOKEN_LIMIT


def count_bad_token(address):
    """An unknown token from `address` (an enumeration attempt or a mistyped link)."""
    _bump(_key("bad", address))
