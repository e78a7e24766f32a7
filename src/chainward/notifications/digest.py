"""The daily digest: one e-mail per person per day listing what falls due for them, in their
scope, in every organisation where they hold a role.

What is due comes from the apps' own My work sections (`audits.services.my_work_section`,
declared in each app's dashboard.py): the digest asks each section for the person and one
organisation at a time, exactly as the My work page does, so scope and the "due" rules live in
one place and a new app's section is in the digest without a line here.
"""

import logging
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work
from chainward.core.scope import organisations_of
from chainward.supplychain.models import Organisation

from .models import DigestRun
from .services import absolute, preferences, unsubscribe_url

logger = logging.getLogger(__name__)


def due_for(user, organisation):
    """The non-empty My work sections of `user` in `organisation` (their scope there)."""
    request = SimpleNamespace(user=user, organisation=organisation)
    return [section for section in my_work(request) if section["rows"]]


def digest_for(user):
    """[(organisation, sections)] of everything due for `user`, organisations by name."""
    orgs = Organisation.objects.filter(pk__in=organisations_of(user), archived=False)
    found = [(org, due_for(user, org)) for org in orgs.order_by("name")]
    return [(org, sections) for org, sections in found if sections]


def recipients():
    """Active people with an e-mail address and a role somewhere."""
    return (get_user_model().objects.filter(is_active=True, role_assignments__archived=False)
            .exclude(email="").distinct().order_by("pk"))


def _claim(user, today):
    """The day's run for `user`, or None when their digest was handled today already."""
    try:
        with transaction.atomic():
            run, created = DigestRun.objects.get_or_create(user=user, day=today)
    except IntegrityError:  # another worker claimed it at the same moment
        return None
    return run if created else None


def send_digest(user, today):
    """Send `user` today's digest unless they had it (or nothing is due); True when sent."""
    if not preferences(user).daily_digest:
        return False
    run = _claim(user, today)
    if run is None:
        return False
    blocks = digest_for(user)
    run.items = sum(len(section["rows"]) for _, sections in blocks for section in sections)
    if not blocks:
        run.save(update_fields=["items"])
        return False
    context = {"user": user, "today": today, "blocks": blocks, "items": run.items,
               "site": settings.SITE_URL.rstrip("/"),
               "my_work": absolute(reverse("audits:my_work")),
               "unsubscribe": unsubscribe_url(user, "digest"),
               "preferences": absolute(reverse("notifications:preferences"))}
    message = EmailMultiAlternatives(
        render_to_string("notifications/digest_subject.txt", context).strip(),
        render_to_string("notifications/digest_email.txt", context), None, [user.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe']}>"})
    try:
        message.send()
    except Exception:
        # Not sent: give the day back so the next run tries again.
        run.delete()
        raise
    run.sent_at = timezone.now()
    run.save(update_fields=["items", "sent_at"])
    return True


def send_daily_digests(today=None):
    """Every person's digest for `today` (default: the local date); returns how many went out.
    One person's mail failure is logged and does not stop the others."""
    today = today or timezone.localdate()
    sent = 0
    for user in recipients():
        try:
            sent += send_digest(user, today)
        except Exception:  # noqa: BLE001 - a transport error for one person; the run goes on
            logger.exception("daily digest for user %s not sent", user.pk)
    return sent
