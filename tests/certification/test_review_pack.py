"""Management review (ISO 28000 9.3): the pack compiled from the registers equals the registers'
counts at compile time, as the compiling user sees them, and is never recomputed afterwards."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chainward.certification import review_inputs, services
from chainward.certification.models import ManagementReview, ReviewAction
from chainward.compliance.models import GapAssessment
from chainward.compliance.readiness import readiness
from chainward.compliance.services import populate_statuses
from chainward.documents.models import Document, DocumentVersion
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.plans.models import SecurityObjective
from chainward.supplychain.models import (
    Leg,
    Partner,
    ProgrammeStatus,
    Site,
    StatementOfApplication,
)
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

from . import factories as f


def today():
    """Today, read when a test runs (a constant goes stale across midnight)."""
    return timezone.localdate()
DAY = datetime.timedelta(days=1)


# The inputs this app computes; other apps' inputs (risks, audits…) are tested by those apps.
BUILTIN = {"previous_actions", "context", "objectives", "partners", "documents", "readiness"}


def figures(review_or_inputs):
    inputs = review_or_inputs.snapshot["inputs"] if hasattr(review_or_inputs, "snapshot") \
        else review_or_inputs
    return {(s["key"], fig["key"]): fig["value"] for s in inputs for fig in s.get("figures", [])
            if s["key"] in BUILTIN}


@pytest.fixture
def setup(db):
    world = build_world()
    org, manager = world["org_a"], world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        previous = f.review(world, org, "Review 2025")
        f.action(world, org, previous, "Open, overdue", due_date=today() - 3 * DAY)
        f.action(world, org, previous, "Open, in time", due_date=today() + 9 * DAY)
        f.action(world, org, previous, "Done", status="done", done_on=today() - DAY)
        f.action(world, org, previous, "Archived", archived=True)
        Leg.objects.create(organisation=org, from_site=world["s1"], to_site=world["s2"],
                           mode="road")
        s4 = Site.objects.create(organisation=org, name="Rotterdam depot", code="S4",
                                 kind="warehouse", country="NL")
        Leg.objects.create(organisation=org, from_site=world["s2"], to_site=s4, mode="road")
        for days, ident in ((-5, "X1"), (-400, "X2"), (30, "S1"), (200, "L1")):
            ProgrammeStatus.objects.create(organisation=org, partner=world["carrier_a"],
                                           programme="aeo_s", identifier=ident,
                                           valid_until=today() + days * DAY)
        StatementOfApplication.objects.create(organisation=org, title="SoA", coverage="all")
        for title, target in (("Theft", "0.4"), ("Training", "100")):
            SecurityObjective.objects.create(organisation=org, title=title, owner=manager,
                                             kpi_name="k", target=target,
                                             due_date=today() + 90 * DAY, planned_actions="p")
        policy = Document.objects.create(organisation=org, title="Security policy",
                                         doc_type="policy", owner=manager)
        DocumentVersion.objects.create(organisation=org, document=policy, author=manager,
                                       status="approved", approver=world["users"][
                                           "administrator__org"],
                                       approved_at=timezone.now() - datetime.timedelta(days=400))
        local = Document.objects.create(organisation=org, title="S2 procedure",
                                        doc_type="procedure", owner=manager)
        local.sites.set([world["s2"]])
        gap = GapAssessment.objects.create(organisation=org, title="Gap",
                                           framework=f.framework(world))
    populate_statuses(manager, gap)
    world["gap"] = gap
    with actor_context(None, name="fixture"):
        world["review"] = f.review(world, org, "Review 2026")
    return world


def register_counts(user, org):
    """The same figures, counted straight from the registers."""
    def visible(model):
        return model.objects.restrict(user, "view").filter(organisation=org, archived=False)

    since = today() - datetime.timedelta(days=365)  # no review held yet
    actions = visible(ReviewAction).filter(review__archived=False)
    objectives = list(visible(SecurityObjective))
    programmes = visible(ProgrammeStatus)
    approved = visible(DocumentVersion).filter(status="approved", document__archived=False)
    gap = visible(GapAssessment).get()
    return {
        ("previous_actions", "open"): actions.filter(status="open").count(),
        ("previous_actions", "overdue"): actions.filter(status="open",
                                                        due_date__lt=today()).count(),
        ("previous_actions", "done"): actions.filter(status="done").count(),
        ("context", "sites_added"): visible(Site).filter(created_at__date__gt=since).count(),
        ("context", "legs_added"): visible(Leg).filter(created_at__date__gt=since).count(),
        ("context", "partners_added"): visible(Partner).filter(
            created_at__date__gt=since).count(),
        ("context", "soa_changed"): visible(StatementOfApplication).filter(
            updated_at__date__gt=since).count(),
        ("objectives", "total"): len(objectives),
        ("objectives", "not_measured"): sum(o.status == "not_measured" for o in objectives),
        ("objectives", "on_track"): sum(o.status == "on_track" for o in objectives),
        ("objectives", "at_risk"): sum(o.status == "at_risk" for o in objectives),
        ("objectives", "off_track"): sum(o.status == "off_track" for o in objectives),
        ("partners", "expired"): programmes.filter(valid_until__lt=today()).count(),
        ("partners", "expiring"): programmes.filter(valid_until__gte=today(),
                                                    valid_until__lte=today() + 90 * DAY).count(),
        ("partners", "total"): programmes.count(),
        ("documents", "policy_current"): 1 if approved.filter(
            document__doc_type="policy").exists() else 0,
        ("documents", "documents"): visible(Document).count(),
        ("documents", "reviews_overdue"): sum(v.review_overdue for v in approved),
        ("readiness", gap.framework.ref_id): readiness(gap)["percent"],
    }


def test_pack_counts_equal_register_counts_and_snapshot_never_changes(setup, client):
    world = setup
    org, manager = world["org_a"], world["users"]["security_manager__org"]
    review = services.compile_pack(manager, world["review"])
    review.refresh_from_db()
    expected = register_counts(manager, org)
    assert figures(review) == expected
    # Hand-checked figures of the fixture (so the comparison above cannot be vacuous).
    assert expected[("previous_actions", "open")] == 2
    assert expected[("previous_actions", "overdue")] == 1
    assert expected[("previous_actions", "done")] == 1
    assert expected[("context", "sites_added")] == 3
    assert expected[("partners", "expired")] == 2 and expected[("partners", "expiring")] == 1
    assert expected[("documents", "reviews_overdue")] == 1
    assert expected[("objectives", "total")] == 2
    assert review.status == "compiled" and review.compiled_by == manager
    assert review.snapshot["compiled_by"] == manager.email
    assert review.snapshot["scope"] == "whole organisation"
    # Topics not contributed yet are honest placeholders (unless another app registered them).
    keys = {s["key"]: s for s in review.snapshot["inputs"]}
    for key in review_inputs.EXPECTED:
        assert key in keys
        if key not in {i.key for i in review_inputs.registered_inputs()}:
            assert keys[key]["available"] is False
            assert "Not yet available" in keys[key]["note"]
    assert LedgerEntry.objects.filter(action="compile", object_id=review.pk).exists()

    # The registers change; the snapshot does not.
    stored = review.snapshot
    with actor_context(None, name="later"):
        Site.objects.create(organisation=org, name="New site", code="S9", kind="warehouse",
                            country="DE")
        with fixture_writes(ReviewAction):
            ReviewAction.objects.filter(description="Open, in time").update(status="done",
                                                                            done_on=today())
    review.refresh_from_db()
    assert review.snapshot == stored
    assert figures(review)[("context", "sites_added")] == 3
    assert register_counts(manager, org)[("context", "sites_added")] == 4
    # The page shows the snapshot, not a recount.
    client.force_login(manager)
    page = client.get(review.get_absolute_url()).content.decode()
    row = page.split('data-key="context.sites_added"')[1].split("</tr>")[0]
    assert ">3<" in row
    pdf = client.get(f"/certification/reviews/{review.pk}/review.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_inputs_follow_the_compiling_users_scope(setup):
    world = setup
    org = world["org_a"]
    site_user = world["users"]["security_manager__site"]  # S1 only
    limited = figures(services.compile_inputs(org, site_user))
    assert limited == register_counts(site_user, org)
    assert limited[("context", "sites_added")] == 1  # S1 only
    assert limited[("context", "legs_added")] == 1  # the S1→S2 leg, not S2→S4
    assert limited[("documents", "documents")] == 1  # the policy, not the S2 procedure
    # A site-limited person cannot compile the organisation's review pack.
    with pytest.raises(PermissionDenied):
        services.compile_pack(site_user, world["review"])


def test_workflow_held_and_approved(setup, client):
    world = setup
    manager = world["users"]["security_manager__org"]
    review = world["review"]
    client.force_login(manager)
    assert client.post(f"/certification/reviews/{review.pk}/held/").status_code == 302
    review.refresh_from_db()
    assert review.status == "planned"  # the pack must be compiled first
    client.post(f"/certification/reviews/{review.pk}/compile/")
    client.post(f"/certification/reviews/{review.pk}/held/")
    review.refresh_from_db()
    assert review.status == "held"
    with pytest.raises(PermissionDenied):
        services.compile_pack(manager, review)  # what management saw stays as it was
    client.post(f"/certification/reviews/{review.pk}/approve/")
    review.refresh_from_db()
    assert review.status == "held"  # no decisions recorded yet
    with fixture_writes(ManagementReview):
        ManagementReview.objects.filter(pk=review.pk).update(decisions="Go on.")
    client.post(f"/certification/reviews/{review.pk}/approve/")
    review.refresh_from_db()
    assert review.status == "approved" and review.minutes_approved_by == manager
    viewer = world["users"]["viewer__org"]
    client.force_login(viewer)
    assert client.post(f"/certification/reviews/{review.pk}/compile/").status_code in (
        302, 403, 404)
    review.refresh_from_db()
    assert review.status == "approved"


def test_review_action_validation(setup):
    world = setup
    action = ReviewAction(organisation=world["org_a"], review=world["review"], description="x",
                          owner=world["users"]["security_manager__org"], due_date=today(),
                          status="done")
    with pytest.raises(Exception) as excinfo:
        action.full_clean()
    assert "done_on" in excinfo.value.message_dict
    action.owner = world["foreign"]
    action.status, action.done_on = "open", None
    with pytest.raises(Exception) as excinfo:
        action.full_clean()
    assert "owner" in excinfo.value.message_dict


def test_the_api_takes_the_same_steps_with_the_same_rules(setup):
    """compile → held → approve-minutes through the API: the services of the page's buttons,
    refusals with their reason, the pack as the caller sees the registers."""
    from rest_framework.test import APIClient

    world = setup
    manager = world["users"]["security_manager__org"]
    review = world["review"]
    api = APIClient()
    base = f"/api/certification/reviews/{review.pk}"

    api.force_authenticate(world["users"]["viewer__org"])
    refused = api.post(f"{base}/compile/")
    assert refused.status_code == 403 and refused.json()["detail"]
    api.force_authenticate(world["foreign"])
    assert api.post(f"{base}/compile/").status_code == 404

    api.force_authenticate(manager)
    early = api.post(f"{base}/held/")
    assert early.status_code == 403 and "Compile the review pack" in early.json()["detail"]
    compiled = api.post(f"{base}/compile/")
    assert compiled.status_code == 200, compiled.content
    assert compiled.json()["status"] == "compiled"
    review.refresh_from_db()
    assert review.compiled_by == manager and figures(review) == register_counts(
        manager, world["org_a"])
    assert LedgerEntry.objects.filter(action="compile", object_id=review.pk).exists()

    assert api.post(f"{base}/held/").json()["status"] == "held"
    again = api.post(f"{base}/compile/")
    assert again.status_code == 403 and "held" in again.json()["detail"]
    undecided = api.post(f"{base}/approve-minutes/")
    assert undecided.status_code == 400 and "decisions" in undecided.json()["errors"]
    review.refresh_from_db()
    assert api.patch(f"{base}/", {"decisions": "Go on.", "version": review.version},
                     format="json").status_code == 200
    approved = api.post(f"{base}/approve-minutes/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    review.refresh_from_db()
    assert review.minutes_approved_by == manager
