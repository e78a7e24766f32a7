"""The ABC Logistics people demo (ISO 28000 5.3, 7.2), loaded from `demo.yaml`: competence
requirements, the security roles across the sites, the people who hold them (with the
appointment dates), training courses and sessions whose attendance writes training records
(through `services.record_attendance`), and further training records, a few of them expired.

Idempotent: when the first role of the file exists (found by name) nothing is written.
Everything goes through `save_record`, so the expiry dates and the copied sites come out of
the same rules the pages, the API and imports obey.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.core import yamlfiles
from chainward.core.services import save_record
from chainward.supplychain.models import Site

from . import services
from .models import (
    Appointment,
    AwarenessCampaign,
    CompetenceRequirement,
    Person,
    ScreeningRecord,
    SecurityRole,
    TrainingCourse,
    TrainingRecord,
    TrainingSession,
)

DATA = Path(__file__).with_name("demo.yaml")
DOMAIN = "abc-logistics.example"


def _day(days_ago):
    return timezone.localdate() - datetime.timedelta(days=int(days_ago))


def _save(admin, obj, relations=None):
    obj.full_clean()
    save_record(admin, obj, relations=relations)
    return obj


def build_people_demo(organisation, admin):
    """Create the demo's competences, roles, people, appointments and training (once);
    returns counts by kind."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    if SecurityRole.objects.filter(organisation=organisation,
                                   name=data["roles"][0]["name"]).exists():
        return {"security roles": 0, **build_screening_and_awareness(organisation, admin, data)}
    owned = {"organisation": organisation}

    def site(code):
        return Site.objects.filter(code=code, **owned).first() if code else None

    competences = {}
    for row in data["competences"]:
        competences[row["name"]] = _save(admin, CompetenceRequirement(
            **owned, name=row["name"], validity_months=row.get("months"),
            basis=row.get("basis", "")))
    roles = {}
    for row in data["roles"]:
        roles[row["name"]] = _save(admin, SecurityRole(
            **owned, name=row["name"], kind=row["kind"], site=site(row["site"]),
            positions=row["positions"], responsibilities=row["responsibilities"],
            authorities=row.get("authorities", ""), reports_to=roles.get(row.get("reports_to")),
            screening_required=row["name"] in data["screening_roles"]),
            relations={"required_competences": [competences[c] for c in row["competences"]]})
    people, appointments = {}, 0
    for row in data["people"]:
        person = people[row["name"]] = _staff_record(organisation, admin, row)
        for role, since in row["roles"]:
            _save(admin, Appointment(**owned, role=roles[role], person=person,
                                     since=_day(since)))
            appointments += 1
    for name, competence, course, provider, days_ago, result, hours in data["training"]:
        _save(admin, TrainingRecord(
            **owned, person=people[name], requirement=competences[competence], course=course,
            provider=provider, completed_on=_day(days_ago), result=result,
            duration_hours=hours))
    sessions = build_training_sessions(organisation, admin, data, competences, people)
    return {"security roles": len(roles), "people (staff records)": len(people),
            "appointments": appointments, "training sessions": sessions,
            "training records": TrainingRecord.objects.filter(**owned).count(),
            **build_screening_and_awareness(organisation, admin, data)}


def _staff_record(organisation, admin, row):
    """The person of a `people` row of the file: found by employee number (the risk demo may
    have made it for the assessment team), else created."""
    found = Person.objects.filter(organisation=organisation,
                                  employee_number=row["number"]).first()
    if found is not None:
        return found
    account = User.objects.filter(email=f"{row['account']}@{DOMAIN}").first() \
        if row["account"] else None
    site = Site.objects.filter(code=row["site"], organisation=organisation).first() \
        if row["site"] else None
    return _save(admin, Person(
        organisation=organisation, full_name=row["name"], site=site, user=account,
        email=account.email if account else "", job_title=row["title"],
        employee_number=row["number"], joined_on=_day(max(r[1] for r in row["roles"]))))


def staff_record(organisation, admin, account):
    """The demo person whose account has the local part `account`, made when missing (the risk
    demo's assessment team links to them before the rest of the people demo runs); None when
    the file has nobody with that account."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    row = next((r for r in data["people"] if r["account"] == account), None)
    return _staff_record(organisation, admin, row) if row else None


def build_training_sessions(organisation, admin, data, competences, people):
    """Training courses and their sessions (ISO 28000 7.2): each session's attendance goes
    through `services.record_attendance`, which writes the attendees' training records."""
    from chainward.documents.models import Document

    owned = {"organisation": organisation}
    courses = {}
    for row in data["courses"]:
        courses[row["title"]] = _save(admin, TrainingCourse(
            **owned, title=row["title"], provider=row["provider"], duration_hours=row["hours"],
            validity_months=row.get("months"),
            material=Document.objects.filter(title=row["material"], **owned).first()),
            relations={"requirements": [competences[c] for c in row["competences"]]})
    for row in data["sessions"]:
        session = _save(admin, TrainingSession(
            **owned, course=courses[row["course"]], held_on=_day(row["held"]),
            trainer=row["trainer"],
            site=Site.objects.filter(code=row["site"], **owned).first() if row["site"] else None))
        services.record_attendance(admin, session, [(people[name], result)
                                                    for name, result in row["attendance"]])
    return len(data["sessions"])


def build_screening_and_awareness(organisation, admin, data):
    """Screening records (C-TPAT 11.x, AEO 6.12) and awareness campaigns (ISO 28000 7.3), once:
    the campaigns' acknowledgements go through the documents' own `acknowledge`, as each person
    would on the material's page."""
    from chainward.documents import services as documents
    from chainward.documents.models import Document

    if AwarenessCampaign.objects.filter(organisation=organisation).exists():
        return {}
    owned = {"organisation": organisation}
    people = {p.full_name: p for p in Person.objects.filter(**owned)}
    # Screening is the security manager's alone: the administrator may not write it.
    manager = User.objects.get(email=f"m.weber@{DOMAIN}")
    for name, days_ago, by, result, due_in in data["screening"]:
        _save(manager, ScreeningRecord(
            **owned, person=people[name], checked_on=_day(days_ago), checked_by=by,
            result=result, next_due=_day(-due_in) if due_in else None,
            lawful_basis=data["screening_basis"]))
    for row in data["awareness"]:
        material = Document.objects.get(title=row["material"], **owned)
        _save(admin, AwarenessCampaign(
            **owned, topic=row["topic"], messages=row["messages"], material=material,
            starts_on=_day(row["started"]), due_on=_day(-row["due"])),
            relations={"audience_roles": list(SecurityRole.objects.filter(
                name__in=row["roles"], **owned))})
        version = material.current_version()
        for account in row["acknowledged_by"]:
            documents.acknowledge(User.objects.get(email=f"{account}@{DOMAIN}"), version)
    return {"screening records": len(data["screening"]),
            "awareness campaigns": len(data["awareness"])}
