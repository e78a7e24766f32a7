"""Small builders of field check records for the tests (saved directly, inside an actor
context: the ledger sees them; the rules under test go through the services)."""

import datetime

from django.utils import timezone

from chainward.fieldchecks.models import (
    CheckAnswer,
    CheckItem,
    CheckRun,
    CheckSchedule,
    CheckTemplate,
    KeyIssue,
    Seal,
    SealBatch,
    SealEvent,
    VisitorLogEntry,
)


def ago(days=0, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def template(org, name="Trailer check", **extra):
    return CheckTemplate.objects.create(organisation=org, name=name, **extra)


def item(parent, text="Floor", **extra):
    return CheckItem.objects.create(organisation=parent.organisation, template=parent,
                                    text=text, **extra)


def run(parent, site, **extra):
    extra.setdefault("performed_at", ago(1))
    return CheckRun.objects.create(organisation=parent.organisation, template=parent,
                                   site=site, **extra)


def answer(parent_run, point, **extra):
    return CheckAnswer.objects.create(organisation=parent_run.organisation, run=parent_run,
                                      item=point, **extra)


def batch(org, site, first=1, last=5, **extra):
    return SealBatch.objects.create(organisation=org, site=site, first_number=first,
                                    last_number=last, **extra)


def seal(parent_batch, number, **extra):
    extra.setdefault("site", parent_batch.site)
    return Seal.objects.create(organisation=parent_batch.organisation, batch=parent_batch,
                               number=number, **extra)


def event(parent_seal, kind="received", **extra):
    extra.setdefault("site", parent_seal.site)
    extra.setdefault("seal_site", parent_seal.site)
    return SealEvent.objects.create(organisation=parent_seal.organisation, seal=parent_seal,
                                    kind=kind, **extra)


def schedule(parent, site, **extra):
    return CheckSchedule.objects.create(organisation=parent.organisation, template=parent,
                                        site=site, **extra)


def visitor(org, site, name="Jan Kowalski", **extra):
    extra.setdefault("time_in", ago(hours=2))
    return VisitorLogEntry.objects.create(organisation=org, site=site, name=name, **extra)


def key_issue(org, site, key_id="K-1", **extra):
    extra.setdefault("issued_at", ago(hours=2))
    extra.setdefault("issued_to", "Piotr Lis")
    return KeyIssue.objects.create(organisation=org, site=site, key_id=key_id, **extra)
