"""Training courses, sessions and their attendance cost the same number of queries at 10 and
at 150 rows (more than a list page of 100 holds): the lists and the API, a course's and a
session's page (its attendance panel), an attendee's page and My work with the reminders."""

import pytest

from chainward.core.models import ReferenceCounter
from chainward.ledger.context import actor_context
from chainward.people.models import (
    Person,
    SessionAttendance,
    TrainingCourse,
    TrainingRecord,
    TrainingSession,
)
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def _bulk(model, org, prefix, rows):
    for row, ref in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)), strict=True):
        row.organisation, row.reference = org, ref
    return model.objects.bulk_create(rows)


def fill(world, n):
    """n sessions of one course (half at S1, half for the whole organisation), the first
    session attended by n people at S1, each with the training record it gave (a fixture
    written in bulk, said so)."""
    org, s1 = world["org_a"], world["s1"]
    if not TrainingCourse.objects.exists():
        with actor_context(None, name="query budget"):
            f.course(org, "Seal briefing", [f.requirement(org, "Seal procedure",
                                                          validity_months=12)],
                     material=f.document(org, "Seal procedure SOP"))
    course = TrainingCourse.objects.get()
    requirement = course.requirements.get()
    with fixture_writes(TrainingSession, Person, SessionAttendance, TrainingRecord):
        have = TrainingSession.objects.count()
        _bulk(TrainingSession, org, "TSS", [
            TrainingSession(course=course, held_on=f.days(-10 - i), trainer=f"Trainer {i}",
                            site=s1 if i % 2 else None) for i in range(have, n)])
        first = TrainingSession.objects.order_by("pk").first()
        have = Person.objects.count()
        people = _bulk(Person, org, "PER", [Person(full_name=f"Person {i:04d}", site=s1)
                                            for i in range(have, n)])
        attended = _bulk(SessionAttendance, org, "ATT", [
            SessionAttendance(session=first, person=p, site_id=s1.pk,
                              result="passed" if i % 4 else "failed")
            for i, p in enumerate(people)])
        _bulk(TrainingRecord, org, "TRN", [
            TrainingRecord(person_id=a.person_id, requirement=requirement, site_id=s1.pk,
                           attendance=a, course="Seal briefing", completed_on=first.held_on,
                           expires_on=f.days(i % 60), result=a.result)
            for i, a in enumerate(attended)])


@pytest.mark.parametrize("persona", ["security_manager__org", "site_security_officer__site"])
def test_the_session_lists_cost_the_same_at_10_and_150_rows(client, world, persona):
    client.force_login(world["users"][persona])
    fill(world, 10)
    course = TrainingCourse.objects.get()
    first = TrainingSession.objects.order_by("pk").first()
    attendance = SessionAttendance.objects.order_by("pk").first()
    urls = ("/people/sessions/?per_page=100", "/api/people/sessions/?limit=500",
            "/people/sessions/?per_page=100&q=Seal", "/people/attendance/?per_page=100",
            "/api/people/attendance/?limit=500", "/people/courses/",
            "/api/people/courses/", course.get_absolute_url(), first.get_absolute_url(),
            attendance.get_absolute_url(), f"/people/sessions/{first.pk}/attendance/",
            "/audits/my-work/")
    for url in urls:  # warm the per-process caches (content types) first
        client.get(url)
    small = [count_queries(client, url) for url in urls]
    fill(world, 150)
    assert TrainingSession.objects.count() == 150
    assert SessionAttendance.objects.count() == 150
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 {small}, at 150 {large}"
    page = client.get("/people/sessions/?per_page=100").content.decode()
    assert page.count("Seal briefing") >= 75  # a full page of (visible) sessions was rendered
