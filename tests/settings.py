"""Test settings: the real settings with a throw-away instance folder and fast hashing."""

import os
import tempfile

os.environ.setdefault("CHAINWARD_HOME", tempfile.mkdtemp(prefix="chainward-test-"))

from chainward.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
