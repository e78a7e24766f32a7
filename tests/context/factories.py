"""Small builders of context records for the tests (saved directly inside an actor context:
the ledger sees them; the rules under test go through the services)."""

import datetime

from django.utils import timezone

from chainward.context.models import (
    ComplianceEvaluation,
    ContextIssue,
    InterestedParty,
    Obligation,
    PlannedChange,
)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def obligation(org, owner, title="Obligation", **extra):
    extra.setdefault("kind", "law")
    extra.setdefault("source", "Regulation (EU) No 952/2013")
    extra.setdefault("summary", "What it requires.")
    return Obligation.objects.create(organisation=org, owner=owner, title=title, **extra)


def evaluation(parent, by, **extra):
    extra.setdefault("result", "compliant")
    extra.setdefault("evidence", "Records checked.")
    return ComplianceEvaluation.objects.create(organisation=parent.organisation,
                                               obligation=parent, evaluated_by=by, **extra)


def issue(org, title="Issue", **extra):
    extra.setdefault("origin", "external")
    extra.setdefault("category", "political")
    extra.setdefault("description", "Description.")
    extra.setdefault("review_date", days(180))
    return ContextIssue.objects.create(organisation=org, title=title, **extra)


def party(org, name="Party", **extra):
    extra.setdefault("kind", "customer")
    extra.setdefault("needs", "Secure handling of its goods.")
    return InterestedParty.objects.create(organisation=org, name=name, **extra)


def change(org, owner, title="Change", **extra):
    extra.setdefault("kind", "it")
    extra.setdefault("reason", "Why.")
    extra.setdefault("security_implications", "Implications.")
    extra.setdefault("planned_for", days(30))
    return PlannedChange.objects.create(organisation=org, owner=owner, title=title, **extra)


def owner_of(world, placement):
    """A person of the placement's organisation."""
    return world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
