"""The people demo's training courses and sessions (issue 16 item 4): recorded through
`services.record_attendance`, their attendance writes exactly the training records the demo
stands for (the same people, competences and dates as the hand-written ones they replace), and
a second run writes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from chainward.documents.demo import build_documents_demo
from chainward.ledger.context import actor_context
from chainward.people.demo import build_people_demo
from chainward.people.models import (
    SessionAttendance,
    TrainingCourse,
    TrainingRecord,
    TrainingSession,
)
from chainward.supplychain import demo


def _build():
    with actor_context(None, name="chainward demo"), transaction.atomic():
        organisation = demo.ensure_organisation(demo.Tally())
        admin, _ = demo.ensure_admin()
        demo.build_demo(organisation, admin)
        build_documents_demo(organisation, admin)
        return organisation, admin, build_people_demo(organisation, admin)


def test_the_demo_sessions_write_the_training_records_they_stand_for(db):
    organisation, admin, counts = _build()
    assert counts["training sessions"] == 3
    assert TrainingCourse.objects.filter(organisation=organisation).count() == 3
    assert SessionAttendance.objects.filter(organisation=organisation).count() == 7
    # 14 hand-written records and 7 from the sessions' attendance: 21, as before the sessions.
    assert counts["training records"] == 21 == TrainingRecord.objects.count()
    from_sessions = TrainingRecord.objects.filter(attendance__isnull=False)
    today = timezone.localdate()
    assert sorted((r.person.full_name, r.requirement.name, (today - r.completed_on).days)
                  for r in from_sessions) == [
        ("Jan Petersen", "C-TPAT security awareness", 200),
        ("Jan Petersen", "ISO 28001 security assessment method", 700),
        ("Jan Petersen", "Seal procedure and VVTT", 150),
        ("Lukas Becker", "C-TPAT security awareness", 200),
        ("Markus Weber", "C-TPAT security awareness", 200),
        ("Markus Weber", "ISO 28001 security assessment method", 700),
        ("Mehmet Yilmaz", "Seal procedure and VVTT", 150)]
    # The course has no validity of its own: each competence's (12 and 36 months).
    lukas = from_sessions.get(person__full_name="Lukas Becker")
    held = today - datetime.timedelta(days=200)
    leap_day = (held.month, held.day) == (2, 29)
    assert lukas.expires_on == datetime.date(held.year + 1, held.month,
                                             28 if leap_day else held.day)
    assert not lukas.is_expired
    seals = TrainingSession.objects.get(course__title="Seal procedure SOP-SEC-04 briefing")
    assert seals.site.code == "DEHAM-WH1" and seals.course.material.title == \
        "Seal control procedure SOP-SEC-04"
    # Still the three expired trainings the demo tells about.
    assert {(t.person.full_name, t.requirement.name) for t in TrainingRecord.objects.all()
            if t.is_expired} == {("Lukas Becker", "Seal procedure and VVTT"),
                                 ("Agnieszka Nowak", "C-TPAT security awareness"),
                                 ("Katarzyna Wiśniewska", "C-TPAT security awareness")}
    with actor_context(None, name="chainward demo"), transaction.atomic():
        build_people_demo(organisation, admin)
    assert TrainingRecord.objects.count() == 21 and TrainingSession.objects.count() == 3
