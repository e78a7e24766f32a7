"""The path to certification (issue 13 item 2) on hand-built states: a new, empty organisation and
a partly built one (the demo's path, and the query budget pinned as the same queries for an empty
organisation and for the demo, are in tests/demo/test_certification_path.py). The expected
missing items are written here from the state each test builds, never read from the step
functions."""

import datetime

import pytest
from django.utils import timezone

from chainward.access.models import Role, RoleAssignment, User
from chainward.audits.models import AuditProgramme
from chainward.certification.models import ManagementReview
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.compliance.services import populate_statuses
from chainward.core import roles
from chainward.core.path import steps_for
from chainward.documents import services as documents
from chainward.documents.models import Document, Evidence
from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.library.models import Framework
from chainward.supplychain.models import Organisation, StatementOfApplication
from tests.audits import factories as af
from tests.support.bulk import fixture_writes

DAY = datetime.timedelta(days=1)
ISO28000 = "urn:chainward:framework:iso28000-2022"
NO_CERTIFICATION = ("No certification audit recorded yet: once a certification body is "
                    "engaged, record it with its certificate and cycle.")
# Every step of an organisation that has nothing but its security manager (written by hand).
EMPTY = {
    "standard": ["No gap assessment against ISO 28000:2022."],
    "sms": ["No current statement of application (scope, ISO 28001 4.1).",
            "No approved security policy (ISO 28000 5.2).",
            "No security objectives (ISO 28000 6.2)."],
    "risk_assessment": ["No risk matrix: create the default matrix first.",
                        "No completed security assessment."],
    "planning": ["No approved security plan.",
                 "A security plan is written from a completed security assessment."],
    "resources": ["No top management appointed (ISO 28000 5.1).",
                  "No internal auditor appointed (ISO 28000 9.2)."],
    "implementation": ["No countermeasure recorded yet."],
    "monitoring": ["No security objectives to measure."],
    "documentation": ["No controlled document approved yet (procedures, forms, the policy).",
                      "No ISO 28000:2022 gap assessment to hold the evidence."],
    "internal_audits": ["No audit programme for the current period.",
                        "No internal audit in the last 12 months."],
    "management_review": ["No management review held in the last 12 months."],
    "certification": [NO_CERTIFICATION],
    "improvement": ["No improvement recorded in the last 12 months: no corrective action "
                    "verified effective, no opportunity for improvement."],
}


def person(organisation, email, role):
    user = User.objects.create_user(email, "correct horse battery staple",
                                    full_name=email.split("@")[0].title())
    RoleAssignment.objects.create(organisation=organisation, user=user,
                                  role=Role.objects.get(name=role), all_sites=True)
    return user


def new_organisation(name="Fresh Freight"):
    """An organisation as `chainward init` leaves it: the catalogue loaded, one manager."""
    if not Framework.objects.filter(urn=ISO28000).exists():
        loader.load(loader.CATALOG_DIR / "iso28000-2022.yaml")
    with actor_context(None, name="fixture"):
        organisation = Organisation.objects.create(name=name, country="DE")
        manager = person(organisation, f"manager@{name.split()[0].lower()}.example",
                         roles.SECURITY_MANAGER)
    return organisation, manager


def missing(steps):
    return {s.key: s.progress.missing for s in steps}


@pytest.mark.django_db
def test_an_empty_organisation_misses_every_step_and_is_told_where_to_start(client):
    organisation, manager = new_organisation()
    steps = steps_for(manager, organisation)
    assert [s.key for s in steps] == list(EMPTY)  # the seed's order
    assert missing(steps) == EMPTY
    links = {s.key: s.progress.next_url for s in steps}
    framework = Framework.objects.get(urn=ISO28000)
    assert links["standard"] == f"/compliance/assessments/add/?framework={framework.pk}"
    assert links["sms"] == "/supplychain/statements/add/"
    assert links["risk_assessment"] == "/risk/matrices/add/"
    assert links["internal_audits"] == "/audits/programmes/add/"
    # The evidence pack is offered without any certificate or certification body.
    assert links["certification"] == f"/certification/evidence-packs/new/?framework={framework.pk}"
    # The home page shows the path with its next links.
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "The path to certification" in page and "0 of 12 steps" in page
    for key, lines in EMPTY.items():
        assert f'id="step-{key}" data-state="todo"' in page
        for line in lines:
            assert line.replace("“", "&ldquo;") in page or line in page


@pytest.mark.django_db
def test_a_partly_built_organisation_shows_what_is_left():
    organisation, manager = new_organisation()
    today = timezone.localdate()
    with actor_context(None, name="fixture"):
        top = person(organisation, "md@fresh.example", roles.TOP_MANAGEMENT)
        StatementOfApplication.objects.create(organisation=organisation, title="Our scope",
                                              status="current", effective_date=today,
                                              coverage="Road freight from Hamburg")
        AuditProgramme.objects.create(organisation=organisation, title="Programme",
                                      period_start=today - 100 * DAY,
                                      period_end=today + 200 * DAY)
        af.audit(organisation, "Last year's internal audit", audit_type="internal",
                 status="closed", planned_start=today - 402 * DAY,
                 planned_end=today - 401 * DAY, actual_start=today - 402 * DAY,
                 actual_end=today - 400 * DAY)
        ManagementReview.objects.create(organisation=organisation, title="Review",
                                        date=today - 30 * DAY, chair=top, status="held")
        gap = GapAssessment.objects.create(organisation=organisation, title="Gap analysis",
                                           framework=Framework.objects.get(urn=ISO28000),
                                           start_date=today)
        evidence = Evidence.objects.create(organisation=organisation, title="Manual",
                                           kind="link", link="https://dms.example/manual")
    with actor_context(manager):
        policy = Document(organisation=organisation, title="Security policy",
                          doc_type="policy", owner=manager)
        from chainward.core import services as records

        records.save_record(manager, policy)
    version = documents.create_version(manager, policy, change_summary="first issue")
    documents.submit_for_review(manager, version)
    documents.approve_document_version(top, version)
    populate_statuses(manager, gap)
    rows = list(RequirementStatus.objects.filter(assessment=gap).order_by("requirement__order"))
    assert len(rows) > 3
    # Every requirement fully implemented with evidence, except three not assessed, without.
    with fixture_writes(RequirementStatus):
        RequirementStatus.objects.filter(pk__in=[r.pk for r in rows[3:]]).update(
            status="fully")
    with actor_context(manager):
        for row in rows[3:]:
            row.evidence.add(evidence)
    steps = {s.key: s for s in steps_for(manager, organisation)}
    found = {key: step.progress.missing for key, step in steps.items()}
    assert found["standard"] == [f"3 ISO 28000 requirements not assessed yet in "
                                 f"{gap.reference}."]
    assert found["sms"] == ["No security objectives (ISO 28000 6.2)."]
    assert found["resources"] == ["No internal auditor appointed (ISO 28000 9.2)."]
    assert found["internal_audits"] == ["No internal audit in the last 12 months."]
    assert found["management_review"] == [] and steps["management_review"].done
    assert "3 ISO 28000 clauses without evidence." in found["documentation"]
    assert "No controlled document approved yet (procedures, forms, the policy)." not in \
        found["documentation"]
    assert found["certification"] == [NO_CERTIFICATION]
    exists = steps["sms"].progress.exists
    assert any("Security policy" in line and "by Md" in line for line in exists)
    assert steps["documentation"].progress.next_url == f"/compliance/assessments/{gap.pk}/missing/"


@pytest.mark.django_db
def test_an_organisation_created_in_the_ui_misses_everything_but_its_matrix(client):
    """As the organisation page leaves it (`create_organisation`: catalogues, the default
    matrix, the first administrator invited and accepted): the risk step asks for the assessment,
    not the matrix, and the resources step for every role but the administrator's."""
    import re

    from django.core import mail

    root = User.objects.create_superuser("root@install.example", "correct horse battery staple")
    client.force_login(root)
    response = client.post("/supplychain/organisations/add/", {
        "name": "Fresh Freight", "country": "DE", "administrator_email": "ada@fresh.example",
        "administrator_name": "Ada Admin"})
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(name="Fresh Freight")
    link = re.search(r"https?://[^/\s]+(/account/invitations/[^/\s]+/)", mail.outbox[-1].body)
    client.logout()
    password = "a long unusual passphrase 42"
    assert client.post(link.group(1), {"full_name": "Ada Admin", "new_password1": password,
                                       "new_password2": password}).status_code == 302
    admin = User.objects.get(email="ada@fresh.example")
    steps = steps_for(admin, organisation)
    expected = {**EMPTY,
                "risk_assessment": ["No completed security assessment."],
                "resources": ["No top management appointed (ISO 28000 5.1).",
                              "No security manager appointed (ISO 28000 5.3).",
                              "No internal auditor appointed (ISO 28000 9.2)."]}
    assert missing(steps) == expected
    links = {s.key: s.progress.next_url for s in steps}
    assert links["risk_assessment"] == "/risk/assessments/add/"
    assert links["resources"] == "/account/people/add/"


@pytest.mark.django_db
def test_a_site_officer_is_wanted_only_at_the_sites_the_organisation_runs():
    """Own warehouse and cross-dock without an officer are named; a public port, airport or
    border crossing, a partner's premises and a site a partner operates are not (nobody of
    ours is stationed there); an officer limited to one site covers that one only."""
    from chainward.supplychain.models import Partner, Site

    organisation, manager = new_organisation()
    with actor_context(None, name="fixture"):
        operator = Partner.objects.create(organisation=organisation, name="Port Operator AG",
                                          kind="other", country="DE")

        def site(name, kind, **extra):
            return Site.objects.create(organisation=organisation, name=name, kind=kind,
                                       country="DE", **extra)

        site("Bremen warehouse", "warehouse")
        site("Kassel cross-dock", "cross_dock")
        guarded = site("Leipzig distribution centre", "distribution_centre")
        site("Frankfurt border crossing", "border_crossing")
        site("Hamburg port", "port")
        site("Munich airport", "airport")
        site("Customer plant", "partner_facility")
        site("Operated depot", "warehouse", operator=operator)
        officer = RoleAssignment.objects.create(
            organisation=organisation, role=Role.objects.get(name=roles.SITE_SECURITY_OFFICER),
            user=User.objects.create_user("officer@fresh.example", "x" * 20), all_sites=False)
        officer.sites.add(guarded)
        # An officer assignment without any site must not hide the others.
        RoleAssignment.objects.create(
            organisation=organisation, role=Role.objects.get(name=roles.SITE_SECURITY_OFFICER),
            user=User.objects.create_user("nosite@fresh.example", "x" * 20), all_sites=False)
    steps = {s.key: s for s in steps_for(manager, organisation)}
    assert ("No site security officer for Bremen warehouse, Kassel cross-dock."
            in steps["resources"].progress.missing)
