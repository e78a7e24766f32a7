"""The certification auditor's time-boxed access: reads the certification records and the pack
index, changes nothing (UI and API), and loses access when the assignment expires."""

import datetime
import json

import pytest

from chainward.access.models import RoleAssignment
from chainward.certification.models import EvidencePack
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

from . import factories as f


@pytest.fixture
def world(db):
    world = build_world()
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        review = f.review(world, org, "Review 2026")
        cert = f.certificate(world, org, None, "NC-1")
        world["records"] = {
            "reviews": review, "review-actions": f.action(world, org, review, "Fix it"),
            "bodies": cert.body, "certificates": cert,
            "milestones": f.milestone(world, cert, "stage1", "Stage 1 done"),
        }
        pack = f.pack(world, org, "whole organisation")
        with fixture_writes(EvidencePack):
            EvidencePack.objects.filter(pk=pack.pk).update(status="ready", index={
                "requirements": [{"ref_id": "4.1", "title": "Context", "assessable": True,
                                  "status": "Fully implemented", "evidence": []}],
                "sections": [], "assessment": "GAP-0001 ISO 28000 gap analysis"})
        world["records"]["evidence-packs"] = pack
    return world


def test_external_auditor_reads_changes_nothing_and_expires(client, world):
    auditor = world["users"]["external_auditor__org"]
    client.force_login(auditor)
    records = world["records"]
    for prefix, obj in records.items():
        assert client.get(f"/certification/{prefix}/").status_code == 200, prefix
        assert client.get(obj.get_absolute_url()).status_code == 200, prefix
        assert client.get(f"/api/certification/{prefix}/{obj.pk}/").status_code == 200, prefix
    page = client.get(records["evidence-packs"].get_absolute_url()).content.decode()
    assert "Fully implemented" in page and "GAP-0001 ISO 28000 gap analysis" in page

    review, cert = records["reviews"], records["certificates"]
    # UI: the workflow actions and adding are refused with 403; the generic edit and archive
    # views answer 404 for a record one may see but not change (core behaviour).
    for url in (f"/certification/reviews/{review.pk}/compile/",
                f"/certification/reviews/{review.pk}/held/",
                f"/certification/reviews/{review.pk}/approve/",
                f"/certification/certificates/{cert.pk}/plan/",
                "/certification/reviews/add/", "/certification/evidence-packs/new/"):
        assert client.post(url, {"title": "x", "version": 1}).status_code == 403, url
    for prefix, obj in records.items():
        for action in ("edit", "archive"):
            response = client.post(f"{obj.get_absolute_url()}{action}/", {"version": obj.version})
            assert response.status_code in (403, 404), (prefix, action)
    review.refresh_from_db()
    assert (review.title, review.status, review.snapshot) == ("Review 2026", "planned", {})
    assert not cert.milestones.exclude(kind="stage1").exists()
    # API: creating is refused with 403; changing a record one may only read answers 404 (the
    # core API's behaviour, as the generated matrix tests accept) and changes nothing.
    for prefix, obj in records.items():
        response = client.patch(f"/api/certification/{prefix}/{obj.pk}/",
                                data=json.dumps({"notes": "x", "version": obj.version}),
                                content_type="application/json")
        assert response.status_code in (403, 404), prefix
        before = obj.version
        obj.refresh_from_db()
        assert obj.version == before, prefix
    assert client.post("/api/certification/bodies/", data=json.dumps({"name": "New"}),
                       content_type="application/json").status_code == 403

    # The assignment ends: nothing is readable any more.
    with fixture_writes(RoleAssignment):
        RoleAssignment.objects.filter(user=auditor).update(
            valid_until=datetime.date.today() - datetime.timedelta(days=1))
    client.force_login(auditor)
    for prefix, obj in records.items():
        assert client.get(f"/certification/{prefix}/").status_code == 403, prefix
        assert client.get(obj.get_absolute_url()).status_code in (403, 404), prefix
        api = client.get(f"/api/certification/{prefix}/{obj.pk}/")
        assert api.status_code in (403, 404), prefix


def test_pack_request_refuses_bad_input_without_a_500(client, world):
    client.force_login(world["users"]["security_manager__org"])
    assert client.get("/certification/evidence-packs/new/").status_code == 200
    for value in ("abc", "", "999999"):
        response = client.post("/certification/evidence-packs/new/", {"framework": value})
        assert response.status_code == 400 and "Choose a framework." in response.content.decode()
    response = client.post(f"/certification/certificates/{world['records']['certificates'].pk}"
                           "/plan/", {"start": "not a date"})
    assert response.status_code == 302
    assert not world["records"]["certificates"].milestones.exclude(kind="stage1").exists()
