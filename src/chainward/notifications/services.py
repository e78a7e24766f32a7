"""The notification service of the whole product: every app tells people through `notify`.

- `notify` records an in-app notification once per recipient and key (idempotent) and, when
  asked and the person wants it, sends it by e-mail after the transaction commits (a task of
  the worker, so a slow mail server never holds a request).
- Preferences are per person; `unsubscribe_token` makes a signed link that switches one kind of
  e-mail off without logging in (django.core.signing: it cannot be forged or pointed at
  someone else, and needs no stored secret).
- The daily digest lives in `digest.py`.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification, Preference

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "chainward.notifications.unsubscribe"
# What an unsubscribe link can switch off: the preference field it clears.
UNSUBSCRIBE_FIELDS = {"digest": "daily_digest", "assignments": "immediate_assignments"}


def absolute(url):
    """`url` (a path) as a link that works from an e-mail."""
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def preferences(user):
    """The person's preferences (the defaults until they change them)."""
    try:
        return user.notification_preference
    except Preference.DoesNotExist:
        pref, _ = Preference.objects.get_or_create(user=user)
        return pref


def set_preferences(user, *, daily_digest, immediate_assignments):
    """A person chooses which e-mails they get (in-app notifications stay on)."""
    pref = preferences(user)
    pref.daily_digest, pref.immediate_assignments = bool(daily_digest), bool(immediate_assignments)
    pref.updated_at = timezone.now()
    pref.save()
    return pref


# --- unsubscribing without logging in -----------------------------------------------------------
def unsubscribe_token(user, what):
    """A signed token naming the person and the e-mail kind (`digest` or `assignments`)."""
    if what not in UNSUBSCRIBE_FIELDS:
        raise ValueError(what)
    return signing.dumps({"u": user.pk, "w": what}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user, what):
    """The absolute unsubscribe link printed in an e-mail."""
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, what)]))


def read_unsubscribe_token(token):
    """(user, what) of a valid token; `signing.BadSignature` for anything else."""
    from django.contrib.auth import get_user_model

    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    what = value.get("w") if isinstance(value, dict) else None
    user = get_user_model().objects.filter(pk=value.get("u") if what else None).first()
    if user is None or what not in UNSUBSCRIBE_FIELDS:
        raise signing.BadSignature("unknown person or e-mail kind")
    return user, what


def unsubscribe(token):
    """Switch off the e-mail kind a token names; returns (user, what)."""
    user, what = read_unsubscribe_token(token)
    pref = preferences(user)
    setattr(pref, UNSUBSCRIBE_FIELDS[what], False)
    pref.updated_at = timezone.now()
    pref.save()
    return user, what


# --- notifying ----------------------------------------------------------------------------------
def notify(recipient, *, kind, title, key, organisation=None, body="", url="", email=False):
    """Tell `recipient` once per `key`; e-mail it after commit when `email` is true.

    Returns the new notification, or None when this person was told already (or cannot be).
    """
    if recipient is None or not recipient.is_active:
        return None
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                recipient=recipient, key=key[:120],
                defaults={"kind": kind, "title": title[:250], "body": body, "url": url[:500],
                          "organisation": organisation})
    except IntegrityError:  # told at the same moment by a concurrent transaction
        return None
    if not created:
        return None
    if email and recipient.email:
        from .tasks import send_notification

        transaction.on_commit(lambda: send_notification.enqueue(notification.pk))
    return notification


def send_notification_email(notification):
    """Send one notification by e-mail now (the worker's task calls this)."""
    if notification.emailed_at is not None or not notification.recipient.email:
        return False
    what = "assignments" if notification.kind == Notification.Kind.ASSIGNMENT else None
    context = {"notification": notification, "link": absolute(notification.url),
               "unsubscribe": unsubscribe_url(notification.recipient, what) if what else "",
               "preferences": absolute(reverse("notifications:preferences"))}
    message = EmailMultiAlternatives(
        render_to_string("notifications/notification_subject.txt", context).strip(),
        render_to_string("notifications/notification_email.txt", context),
        None, [notification.recipient.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe']}>"} if what else None)
    message.send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def unread_count(user):
    """How many of the person's notifications are unread (the navbar badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids=None):
    """Mark the person's notifications read (all of them, or those `ids`)."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    return mine.update(read_at=timezone.now())


# --- what apps call -----------------------------------------------------------------------------
def notify_corrective_action_owner(capa, actor=None):
    """ISO 28000 10.2: the owner of a corrective action hears that it is theirs — at once,
    unless they switched it off. Called from the corrective action's one write path (its
    register's `after_save` and the finding rule that opens one); once per action and owner,
    never to the person who assigned it to themselves, never to someone who cannot see it."""
    owner = capa.owner
    if owner is None or (actor is not None and owner.pk == actor.pk) or capa.archived:
        return None
    if not type(capa).objects.restrict(owner, "view").filter(pk=capa.pk).exists():
        return None
    due = f", due {capa.due_date:%Y-%m-%d}" if capa.due_date else ""
    return notify(
        owner, kind=Notification.Kind.ASSIGNMENT, organisation=capa.organisation,
        key=f"capa-owner:{capa.pk}:{owner.pk}", url=capa.get_absolute_url(),
        title=f"Corrective action {capa.reference} is assigned to you{due}",
        body=f"{capa.title}\n\n{capa.description}".strip(),
        email=preferences(owner).immediate_assignments)
