"""The ABC Logistics people demo (ISO 28000 5.3, 7.2), loaded from `demo.yaml`: competence
requirements, the security roles across the sites, the people who hold them (with the
appointment dates) and their training records, a few of them expired.

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

from .models import Appointment, CompetenceRequirement, Person, SecurityRole, TrainingRecord

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
        return {"security roles": 0}
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
            authorities=row.get("authorities", ""), reports_to=roles.get(row.get("reports_to"))),
            relations={"required_competences": [competences[c] for c in row["competences"]]})
    people, appointments = {}, 0
    for row in data["people"]:
        account = User.objects.filter(email=f"{row['account']}@{DOMAIN}").first() \
            if row["account"] else None
        person = people[row["name"]] = _save(admin, Person(
            **owned, full_name=row["name"], site=site(row["site"]), user=account,
            email=account.email if account else "", job_title=row["title"],
            employee_number=row["number"], joined_on=_day(max(r[1] for r in row["roles"]))))
        for role, since in row["roles"]:
            _save(admin, Appointment(**owned, role=roles[role], person=person,
                                     since=_day(since)))
            appointments += 1
    for name, competence, course, provider, days_ago, result, hours in data["training"]:
        _save(admin, TrainingRecord(
            **owned, person=people[name], requirement=competences[competence], course=course,
            provider=provider, completed_on=_day(days_ago), result=result,
            duration_hours=hours))
    return {"security roles": len(roles), "people (staff records)": len(people),
            "appointments": appointments, "training records": len(data["training"])}
