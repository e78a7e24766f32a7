"""Dashboard cards: milestone due/overdue, certificate expiring, review actions overdue,
management review due."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from chainward.certification import dashboard
from chainward.certification.models import Certificate
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

from . import factories as f


def today():
    """Today, read when a test runs (a constant goes stale across midnight)."""
    return timezone.localdate()
DAY = datetime.timedelta(days=1)


def request_for(user, org):
    request = RequestFactory().get("/")
    request.user, request.organisation = user, org
    return request


@pytest.mark.django_db
def test_cards_follow_the_records():
    world = build_world()
    org = world["org_a"]
    request = request_for(world["users"]["security_manager__org"], org)
    assert dashboard.next_milestone(request) is None
    assert dashboard.certificate_expiry(request) is None
    assert dashboard.management_review_due(request).value == "none held"
    assert dashboard.review_actions_overdue(request).value == "0"
    with actor_context(None, name="fixture"):
        cert = f.certificate(world, org, world["s1"], "C-1")
        with fixture_writes(Certificate):
            Certificate.objects.filter(pk=cert.pk).update(
                status="active", issued_on=today() - 900 * DAY, expires_on=today() + 100 * DAY)
        f.milestone(world, cert, "surveillance2", "soon", due_date=today() + 80 * DAY)
        f.milestone(world, cert, "recertification", "later", due_date=today() + 95 * DAY)
        review = f.review(world, org, "Review 2025")
        review.status, review.date = "held", today() - 400 * DAY
        review.save()
        f.action(world, org, review, "late", due_date=today() - DAY)
        f.action(world, org, review, "in time", due_date=today() + DAY)
    card = dashboard.next_milestone(request)
    assert (card.title, card.value, card.tone) == ("Next certification milestone", "80 days",
                                                   "warning")
    card = dashboard.certificate_expiry(request)
    assert card.title == "Certificate expiring" and card.value == str(today() + 100 * DAY)
    assert dashboard.review_actions_overdue(request).value == "1"
    assert dashboard.management_review_due(request).value == "overdue"
    with actor_context(None, name="fixture"):
        f.milestone(world, cert, "surveillance1", "missed", due_date=today() - 2 * DAY)
        recent = f.review(world, org, "Review 2026")
        recent.status, recent.date = "held", today() - 10 * DAY
        recent.save()
    card = dashboard.next_milestone(request)
    assert (card.title, card.value, card.tone) == ("Certification milestone overdue", "1",
                                                   "danger")
    assert dashboard.management_review_due(request).tone == "success"
    # Another organisation's administrator counts none of these records.
    foreign = request_for(world["foreign"], org)
    assert dashboard.next_milestone(foreign) is None
    assert dashboard.certificate_expiry(foreign) is None
    assert dashboard.review_actions_overdue(foreign).value == "0"
