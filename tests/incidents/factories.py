"""Small builders of incident records for the incidents tests (saved directly, inside an
actor context: the ledger sees them; the rules under test go through the services)."""

import datetime

from django.utils import timezone

from chainward.incidents.models import (
    Contact,
    Incident,
    Investigation,
    Notification,
    NotificationRule,
    TimelineEntry,
)


def ago(days=0, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def incident(org, title="Incident", **extra):
    extra.setdefault("incident_type", "pilferage")
    extra.setdefault("modus_operandi", "curtain_slashing")
    extra.setdefault("occurred_at", ago(2))
    extra.setdefault("severity", 3)
    return Incident.objects.create(organisation=org, title=title, **extra)


def notification(parent, recipient="police", **extra):
    return Notification.objects.create(organisation=parent.organisation, incident=parent,
                                       recipient=recipient, **extra)


def investigation(parent, **extra):
    return Investigation.objects.create(organisation=parent.organisation, incident=parent,
                                        **extra)


def event(parent, description="Event", **extra):
    extra.setdefault("at", ago(1))
    return TimelineEntry.objects.create(organisation=parent.organisation, incident=parent,
                                        description=description, **extra)


def contact(org, name="Polizei Hamburg", **extra):
    extra.setdefault("kind", "police")
    extra.setdefault("phone", "110")
    return Contact.objects.create(organisation=org, name=name, **extra)


def rule(org, recipient="police", hours=24, **extra):
    return NotificationRule.objects.create(organisation=org, recipient=recipient,
                                           within_hours=hours, **extra)
