"""The ABC Logistics review and certification demo: Nordcert GmbH (a fictitious certification
body), an ISO 28000:2022 certificate for the company's own sites, issued after stage 1, stage 2
and the decision about ten months ago (`supplychain.demo.CERTIFIED_MONTHS_AGO`; surveillance 1
due in about two months), and this year's management review held today: its pack compiled
first, then the meeting, its decisions and the four actions coming out of it (one done the
same day, three open and due in the coming weeks).

Records are found by natural key (body name, the body's certificate for the framework, review
title); one that exists is left alone, so a second run writes nothing.
"""

import datetime

from django.utils import timezone

from chainward.access.models import User
from chainward.core import services as records
from chainward.library.models import Framework
from chainward.supplychain import demo as supplychain_demo
from chainward.supplychain.demo import CERTIFIED_MONTHS_AGO
from chainward.supplychain.models import Site, StatementOfApplication

from . import services
from .choices import ActionStatus, CertificateStatus, MilestoneKind
from .models import Certificate, CertificationBody, ManagementReview, ReviewAction

ISO28000 = "urn:chainward:framework:iso28000-2022"
BODY = "Nordcert GmbH"
DOMAIN = "abc-logistics.example"


def _person(local, fallback):
    return User.objects.filter(email=f"{local}@{DOMAIN}", is_active=True).first() or fallback


def _add_months(day, months):
    return services.add_months(day, months)


def build_certification_demo(organisation, admin):
    """Create (or reuse) the demo's review and certificate records; return {label: count}."""
    today = timezone.localdate()
    manager = _person("m.weber", admin)
    created = {"certificates": 0, "management reviews": 0}

    body = CertificationBody.objects.filter(organisation=organisation, name=BODY).first()
    if body is None:
        body = records.save_record(manager, CertificationBody(
            organisation=organisation, name=BODY, accreditation_body="DAkkS (fictitious)",
            accreditation_number="D-ZM-99999-01-00",
            contact="Lead auditor: Dr. Henrike Brandt, h.brandt@nordcert.example, "
                    "+49 40 555 0100"))

    framework = Framework.objects.filter(urn=ISO28000).first()
    certificate = Certificate.objects.filter(organisation=organisation, body=body,
                                             framework=framework).first()
    if certificate is None and framework is not None:
        _certify(organisation, manager, body, framework, today)
        created["certificates"] += 1

    review = f"Management review {today.year}"
    if not ManagementReview.objects.filter(organisation=organisation, title=review).exists():
        _review(organisation, admin, manager, today, review)
        created["management reviews"] += 1
    return created


def _certify(organisation, manager, body, framework, today):
    """The certification as it happened: the certificate planned, stage 1 and stage 2 audits
    done, the decision taken, and only then the certificate issued (active) — decided
    `CERTIFIED_MONTHS_AGO` months ago, so that surveillance audit 1 is due in about two
    months."""
    decided = _add_months(today, -CERTIFIED_MONTHS_AGO)
    stage1 = decided - services.DECISION_AFTER_STAGE2 - services.STAGE2_AFTER_STAGE1
    certificate = records.save_record(manager, Certificate(
        organisation=organisation, body=body, number=f"NC-28000-{decided.year}-0417",
        framework=framework,
        scope="Warehousing, cross-docking and road transport management of high-value "
              "consumer goods, pharmaceuticals and excise goods, including the security "
              "management of subcontracted road carriers, at the sites listed.",
        status=CertificateStatus.PLANNED))
    # The certificate covers the company's own sites in the statement of application; the
    # ports, airports and partner warehouses are other operators' and not certified as ours.
    statement = StatementOfApplication.objects.filter(
        organisation=organisation, archived=False, status="current").first()
    own = Site.objects.filter(organisation=organisation, archived=False,
                              code__in=supplychain_demo.OWN_SITES)
    if statement is not None:
        own = own.filter(pk__in=statement.sites.values("pk"))
    certificate.sites.set(own)
    milestones = {m.kind: m for m in services.plan_cycle(manager, certificate, start=stage1)}
    notes = {
        MilestoneKind.STAGE1: "On site in Hamburg; two areas of concern (risk acceptance "
                              "criteria, internal audit coverage of the Polish sites).",
        MilestoneKind.STAGE2: "Three sites sampled; two minor nonconformities (seal log "
                              "gaps in Stryków, training records of temporary staff).",
        MilestoneKind.DECISION: "Certified after the corrective-action plan was accepted.",
    }
    for kind, note in notes.items():
        milestone = milestones[kind]
        milestone.done_on, milestone.notes = milestone.due_date, note
        records.save_record(manager, milestone)
    certificate.issued_on = milestones[MilestoneKind.DECISION].done_on
    certificate.expires_on = _add_months(certificate.issued_on, 36) - datetime.timedelta(days=1)
    certificate.status = CertificateStatus.ACTIVE
    return records.save_record(manager, certificate)


def _review(organisation, admin, manager, today, title):
    """The 2026 review, in the order it really happens: the security manager compiles the pack
    (now), the meeting takes place today with that pack, the decisions are recorded, and only
    then are the actions coming out of the meeting created (all due after the meeting). The
    open corrective actions already in the registers (the audits demo's) are inputs of the
    pack: they exist before it is compiled."""
    chair = admin
    review = records.save_record(manager, ManagementReview(
        organisation=organisation, title=title, date=today, chair=chair,
        external_attendees="Dr. Henrike Brandt, Nordcert GmbH (observer, by invitation)"))
    review.attendees.set([u for u in (manager, _person("s.devries", None),
                                      _person("j.petersen", None)) if u is not None])
    services.compile_pack(manager, review)
    services.mark_held(manager, review)
    review.minutes = (
        "Inputs of ISO 28000 9.3.2 reviewed from the pack compiled for this meeting, "
        "including the status of the open corrective actions. The managing director "
        "confirmed the security policy and the objectives for the next period.")
    review.decisions = (
        "1. Extend secure-parking-only rules to all high-value road legs over 4 hours.\n"
        "2. Budget approved for CCTV renewal at the Poznań warehouse.\n"
        "3. Internal audit of the Duisburg cross-dock and the Munich distribution centre "
        "to be completed before surveillance 1.")
    records.save_record(manager, review)
    actions = (
        ("Circulate the decisions of the review to the site managers.",
         manager, today, ActionStatus.DONE, today),
        ("Order and install the CCTV renewal at the Poznań warehouse.",
         _person("a.nowak", manager), today + datetime.timedelta(days=45), ActionStatus.OPEN,
         None),
        ("Confirm the Duisburg and Munich internal audit dates with the site managers.",
         _person("s.devries", manager), today + datetime.timedelta(days=30), ActionStatus.OPEN,
         None),
        ("Publish the revised carrier security requirements to all road carriers.",
         manager, today + datetime.timedelta(days=14), ActionStatus.OPEN, None),
    )
    for description, owner, due, status, done_on in actions:
        records.save_record(manager, ReviewAction(
            organisation=organisation, review=review, description=description, owner=owner,
            due_date=due, status=status, done_on=done_on))
    return review
