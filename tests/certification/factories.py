"""Records of the certification app for tests."""


from django.utils import timezone

from chainward.certification.models import (
    Certificate,
    CertificationBody,
    CycleMilestone,
    EvidencePack,
    ManagementReview,
    ReviewAction,
)
from tests.support.library import tiny_framework


def today():
    """Today, read when a test runs (a constant goes stale across midnight)."""
    return timezone.localdate()


def framework(world):
    if "framework" not in world:
        world["framework"] = tiny_framework("cert")
    return world["framework"]


def person(world, org):
    return world["foreign"] if org == world["org_b"] else world["users"]["security_manager__org"]


def review(world, org, title):
    return ManagementReview.objects.create(organisation=org, title=title, date=today(),
                                           chair=person(world, org))


def body(world, org, name):
    return CertificationBody.objects.create(organisation=org, name=name)


def certificate(world, org, site, number):
    cert = Certificate.objects.create(
        organisation=org, body=body(world, org, f"Body for {number}"), number=number,
        framework=framework(world), scope=f"Scope {number}")
    if site is not None:
        cert.sites.set([site])
    return cert


def action(world, org, rev, description, **kwargs):
    kwargs.setdefault("due_date", today())
    return ReviewAction.objects.create(organisation=org, review=rev, description=description,
                                       owner=person(world, org), **kwargs)


def milestone(world, cert, kind, notes, **kwargs):
    kwargs.setdefault("due_date", today())
    return CycleMilestone.objects.create(organisation=cert.organisation, certificate=cert,
                                         kind=kind, notes=notes, **kwargs)


def pack(world, org, scope):
    return EvidencePack.objects.create(organisation=org, framework=framework(world),
                                       produced_by=person(world, org), producer_scope=scope)
