"""The ABC Logistics review and certification demo, loaded from `demo.yaml`: the certification
body, an ISO 28000:2022 certificate for the company's own sites issued after stage 1, stage 2
and the decision `CERTIFIED_MONTHS_AGO` months ago, and this year's management review held
today with its pack, decisions and actions.

Everything goes through the services — `save_record`, `plan_cycle`, `compile_pack`,
`mark_held` — as the security manager. Records are found by natural key (body name, the body's
certificate for the framework, review title); one that exists is left alone, so a second run
writes nothing.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.core import services as records
from chainward.core import yamlfiles
from chainward.library.models import Framework
from chainward.supplychain.demo import CERTIFIED_MONTHS_AGO, DOMAIN, OWN_SITES
from chainward.supplychain.models import Site, StatementOfApplication

from . import services
from .choices import ActionStatus, CertificateStatus
from .models import Certificate, CertificationBody, ManagementReview, ReviewAction

DATA = Path(__file__).with_name("demo.yaml")


def _person(local, fallback):
    return User.objects.filter(email=f"{local}@{DOMAIN}", is_active=True).first() or fallback


def build_certification_demo(organisation, admin):
    """Create (or reuse) the demo's review and certificate records; return {label: count}."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    today = timezone.localdate()
    manager = _person("m.weber", admin)
    created = {"certificates": 0, "management reviews": 0}

    spec = data["certification_body"]
    body = CertificationBody.objects.filter(organisation=organisation, name=spec["name"]).first()
    if body is None:
        body = records.save_record(manager, CertificationBody(organisation=organisation, **spec))

    framework = Framework.objects.filter(urn=data["certificate"]["framework"]).first()
    certificate = Certificate.objects.filter(organisation=organisation, body=body,
                                             framework=framework).first()
    if certificate is None and framework is not None:
        _certify(organisation, manager, body, framework, today, data["certificate"])
        created["certificates"] += 1

    spec = data["management_review"]
    title = spec["title"].replace("{year}", str(today.year))
    if not ManagementReview.objects.filter(organisation=organisation, title=title).exists():
        _review(organisation, admin, manager, today, title, spec)
        created["management reviews"] += 1
    return created


def _certify(organisation, manager, body, framework, today, spec):
    """The certification as it happened: the certificate planned, stage 1 and stage 2 audits
    done, the decision taken, and only then the certificate issued (active) — decided
    `CERTIFIED_MONTHS_AGO` months ago, so that surveillance audit 1 is due in about two
    months."""
    decided = services.add_months(today, -CERTIFIED_MONTHS_AGO)
    stage1 = decided - services.DECISION_AFTER_STAGE2 - services.STAGE2_AFTER_STAGE1
    # The company's own sites that the current statement of application covers.
    statement = StatementOfApplication.objects.filter(
        organisation=organisation, archived=False, status="current").first()
    own = Site.objects.filter(organisation=organisation, archived=False, code__in=OWN_SITES)
    if statement is not None:
        own = own.filter(pk__in=statement.sites.values("pk"))
    certificate = records.save_record(manager, Certificate(
        organisation=organisation, body=body, framework=framework, scope=spec["scope"],
        number=spec["number"].replace("{year}", str(decided.year)),
        status=CertificateStatus.PLANNED), relations={"sites": own})
    milestones = {m.kind: m for m in services.plan_cycle(manager, certificate, start=stage1)}
    for kind, note in spec["milestones"].items():
        milestone = milestones[kind]
        milestone.done_on, milestone.notes = milestone.due_date, note
        records.save_record(manager, milestone)
    certificate.issued_on = milestones["decision"].done_on
    certificate.expires_on = services.add_months(
        certificate.issued_on, spec["valid_months"]) - datetime.timedelta(days=1)
    certificate.status = CertificateStatus.ACTIVE
    return records.save_record(manager, certificate)


def _review(organisation, admin, manager, today, title, spec):
    """The review in the order the data file describes: pack, meeting, decisions, actions."""
    attendees = [manager] + [u for u in (_person(local, None) for local in spec["attendees"]) if u]
    review = records.save_record(manager, ManagementReview(
        organisation=organisation, title=title, date=today, chair=admin,
        external_attendees=spec["external_attendees"]), relations={"attendees": attendees})
    services.compile_pack(manager, review)
    services.mark_held(manager, review)
    review.minutes, review.decisions = spec["minutes"], spec["decisions"]
    records.save_record(manager, review)
    for action in spec["actions"]:
        done = action.get("done", False)
        records.save_record(manager, ReviewAction(
            organisation=organisation, review=review, description=action["description"],
            owner=_person(action["owner"], manager),
            due_date=today + datetime.timedelta(days=action["due"]),
            status=ActionStatus.DONE if done else ActionStatus.OPEN,
            done_on=today if done else None))
    return review
