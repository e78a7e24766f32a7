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


def screening(person_, **extra):
    from chainward.people.models import ScreeningRecord

    extra.setdefault("checked_on", days(-60))
    extra.setdefault("checked_by", "HR")
    extra.setdefault("result", "pass")
    extra.setdefault("lawful_basis", "Regulated agent rules (national law)")
    return ScreeningRecord.objects.create(organisation=person_.organisation, person=person_,
                                          **extra)


def document(org, title="Security awareness briefing", approved=True, owner=None):
    """A controlled document with one version, approved unless told otherwise (written
    directly, like the other builders: the rules under test are the people app's)."""
    from chainward.access.models import User
    from chainward.documents.models import Document, DocumentVersion

    owner = owner or User.objects.filter(is_superuser=False).order_by("pk").first()
    doc = Document.objects.create(organisation=org, title=title, doc_type="procedure",
                                  owner=owner)
    DocumentVersion.objects.create(
        organisation=org, document=doc, author=owner, status="approved" if approved else
        "draft", approved_at=timezone.now() if approved else None)
    return doc


def campaign(org, topic="Seal awareness", material=None, sites=(), roles=(), **extra):
    from chainward.people.models import AwarenessCampaign

    extra.setdefault("due_on", days(30))
    extra.setdefault("starts_on", days(-10))
    obj = AwarenessCampaign.objects.create(organisation=org, topic=topic,
                                           material=material or document(org), **extra)
    obj.sites.set(sites)
    obj.audience_roles.set(roles)
    return obj


def course(org, title="Seal procedure briefing", requirements=(), **extra):
    from chainward.people.models import TrainingCourse

    obj = TrainingCourse.objects.create(organisation=org, title=title, **extra)
    obj.requirements.set(requirements)
    return obj


def session(course_, **extra):
    from chainward.people.models import TrainingSession

    extra.setdefault("held_on", days(-10))
    return TrainingSession.objects.create(organisation=course_.organisation, course=course_,
                                          **extra)


def attendance(session_, person_, **extra):
    """An attendance written directly (no training records): the rule is under test elsewhere."""
    from chainward.people.models import SessionAttendance

    return SessionAttendance.objects.create(organisation=session_.organisation,
                                            session=session_, person=person_, **extra)


def conduct(person_, document_, **extra):
    """A code-of-conduct acknowledgement written directly (its version derived on save)."""
    from chainward.people.models import ConductAcknowledgement

    extra.setdefault("acknowledged_on", days(0))
    return ConductAcknowledgement.objects.create(organisation=person_.organisation,
                                                 person=person_, document=document_, **extra)
