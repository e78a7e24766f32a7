"""Checked custom-framework uploads waiting for the user's confirmation.

The preview stages the converted document under the instance folder (never web-served); the
confirmation names it by token, and only its own user, in the same organisation, within a day,
can load it.
"""

import json
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

STAGING_HOURS = 24


def staging_dir():
    """Where checked uploads wait for confirmation (inside the instance folder, never served)."""
    path = settings.HOME / "imports" / "frameworks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(plan, user, organisation):
    """Keep a clean `custom.Plan` for confirmation; sets and returns `plan.token`."""
    plan.token = uuid.uuid4().hex
    staged = {"user": user.pk, "organisation": organisation.pk, "filename": plan.filename,
              "sha256": plan.sha256, "format": plan.format, "document": plan.document,
              "created": timezone.now().isoformat()}
    (staging_dir() / f"{plan.token}.json").write_text(json.dumps(staged))
    return plan.token


def load_staged(token, user, organisation):
    """The staged upload for `token` if it is this user's, for this organisation, and fresh."""
    if not token or not token.isalnum():
        return None
    path = staging_dir() / f"{token}.json"
    if not path.exists():
        return None
    staged = json.loads(path.read_text())
    created = datetime.fromisoformat(staged["created"])
    if (staged["user"], staged["organisation"]) != (user.pk, organisation.pk) or \
            timezone.now() - created > timedelta(hours=STAGING_HOURS):
        return None
    return staged


def discard_staged(token):
    """Forget a staged upload once it is loaded."""
    (staging_dir() / f"{token}.json").unlink(missing_ok=True)
