"""Test settings: the real settings with a throw-away instance folder and fast hashing."""

import os
import tempfile

os.environ.setdefault("CHAINWARD_HOME", tempfile.mkdtemp(prefix="chainward-test-"))
# pytest-xdist workers inherit the controller's folder: give each its own (ledger anchor,
# staged imports, media), as separate instances would have.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.path.basename(os.environ["CHAINWARD_HOME"]) != _worker:
    os.environ["CHAINWARD_HOME"] = os.path.join(os.environ["CHAINWARD_HOME"], _worker)

from chainward.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A session's "last seen" is written once a minute in production: in tests only at login (the
# session tests clear the cache to let a minute pass), so no query count depends on how long a
# test took between logging in and counting.
SESSION_SEEN_SECONDS = 24 * 3600
# Django's test client builds its middleware for every test, and WhiteNoise's builds a table of
# every file the static finders list (400 files, ~0.1 s) each time: a third of the suite's time.
# With autorefresh it looks a file up when one is asked for, as in development.
WHITENOISE_AUTOREFRESH = True
