"""Small builders of audit records for the audits tests."""

import datetime

from django.utils import timezone

from chainward.audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    CorrectiveActionStep,
    Finding,
)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def programme(org, title="Programme", **extra):
    return AuditProgramme.objects.create(organisation=org, title=title,
                                         period_start=datetime.date(2027, 1, 1),
                                         period_end=datetime.date(2027, 12, 31), **extra)


def audit(org, title="Audit", sites=(), **extra):
    extra.setdefault("planned_start", days(10))
    extra.setdefault("planned_end", days(11))
    obj = Audit.objects.create(organisation=org, title=title, **extra)
    obj.sites.set(sites)
    return obj


def item(parent, question="Question", **extra):
    return ChecklistItem.objects.create(organisation=parent.organisation, audit=parent,
                                        question=question, **extra)


def finding(parent, statement="Statement", grade="observation", **extra):
    return Finding.objects.create(organisation=parent.organisation, audit=parent, grade=grade,
                                  statement=statement, **extra)


def capa(org, owner, title="Corrective action", **extra):
    extra.setdefault("source", "other")
    extra.setdefault("due_date", days(30))
    return CorrectiveAction.objects.create(organisation=org, owner=owner, title=title, **extra)


def step(parent, owner, description="Step", **extra):
    extra.setdefault("due_date", days(20))
    return CorrectiveActionStep.objects.create(organisation=parent.organisation,
                                               corrective_action=parent, owner=owner,
                                               description=description, **extra)
