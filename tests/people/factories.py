"""Small builders of people records for the tests (saved directly inside an actor context:
the ledger sees them; the rules under test go through the services)."""

import datetime

from django.utils import timezone

from chainward.people.models import (
    Appointment,
    CompetenceRequirement,
    Person,
    SecurityRole,
    TrainingRecord,
)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def person(org, name="Person", **extra):
    return Person.objects.create(organisation=org, full_name=name, **extra)


def requirement(org, name="Seal procedure", **extra):
    return CompetenceRequirement.objects.create(organisation=org, name=name, **extra)


def role(org, name="Site security officer", **extra):
    extra.setdefault("kind", "site_officer")
    extra.setdefault("responsibilities", "Keeps the site's security records.")
    return SecurityRole.objects.create(organisation=org, name=name, **extra)


def appoint(role_, person_, **extra):
    extra.setdefault("since", days(-100))
    return Appointment.objects.create(organisation=role_.organisation, role=role_,
                                      person=person_, **extra)


def training(person_, requirement_, **extra):
    extra.setdefault("course", "Course")
    extra.setdefault("completed_on", days(-30))
    return TrainingRecord.objects.create(organisation=person_.organisation, person=person_,
                                         requirement=requirement_, **extra)
