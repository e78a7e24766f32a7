"""One write path: `core.services.save_record` sets many-to-many values before the scope re-check
and runs the register's `after_save` on every save, from every path (UI, API, import, service);
audited querysets refuse bulk writes unless they go through the ledgered helpers (issue 10,
findings 1, 4 and 5)."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.core import querysets, services
from chainward.core.registry import get_register, registrations
from chainward.jobs.models import Job, JobRecord
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk.models import Countermeasure, Rating
from chainward.supplychain.models import Site
from tests.risk.support import assessment_at, countermeasure_at, load_catalogues, rating, threat

OFFICER = "site_security_officer__site"  # limited to S1
MANAGER_AT_S1 = "security_manager__site"


def entries_of(obj):
    """Ledger entries about one record."""
    return LedgerEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def site_ids(obj):
    return sorted(obj.sites.values_list("pk", flat=True))


@pytest.fixture
def measure(world):
    """A countermeasure of S1, where the site officer works."""
    load_catalogues()
    return countermeasure_at(world, "in")


def form_data(world, measure, **overrides):
    data = {"title": measure.title, "measure_type": measure.measure_type, "description": "",
            "status": measure.status, "owner": measure.owner_id, "due_date": "", "cost": "",
            "sites": [world["s1"].pk], "requirements": [], "effectiveness_review": "",
            "reviewed_on": "", "version": measure.version}
    data.update(overrides)
    return {k: v for k, v in data.items() if v != []}


# --- finding 1: many-to-many values are checked with the record ---------------------------------
def test_api_patch_cannot_make_a_site_officers_countermeasure_organisation_wide(client, world,
                                                                              measure):
    client.force_login(world["users"][OFFICER])
    written = entries_of(measure).count()
    response = client.patch(f"/api/risk/countermeasures/{measure.pk}/",
                            data={"sites": [], "version": measure.version},
                            content_type="application/json")
    assert response.status_code == 403, response.content
    measure.refresh_from_db()
    assert site_ids(measure) == [world["s1"].pk]
    assert measure.version == 1
    assert entries_of(measure).count() == written


def test_api_patch_cannot_move_a_countermeasure_to_a_site_out_of_scope(client, world, measure):
    # S2 is not offered to the officer (400), and adding it beside S1 would still be refused.
    client.force_login(world["users"][OFFICER])
    response = client.patch(f"/api/risk/countermeasures/{measure.pk}/",
                            data={"sites": [world["s2"].pk], "version": measure.version},
                            content_type="application/json")
    assert response.status_code == 400
    measure.refresh_from_db()
    assert site_ids(measure) == [world["s1"].pk]


def test_ui_edit_cannot_make_a_site_officers_countermeasure_organisation_wide(client, world,
                                                                            measure):
    client.force_login(world["users"][OFFICER])
    written = entries_of(measure).count()
    response = client.post(f"/risk/countermeasures/{measure.pk}/edit/",
                           form_data(world, measure, sites=[]))
    assert response.status_code == 403
    measure.refresh_from_db()
    assert site_ids(measure) == [world["s1"].pk]
    assert entries_of(measure).count() == written


def test_api_patch_of_other_fields_keeps_working_for_the_site_officer(client, world, measure):
    client.force_login(world["users"][OFFICER])
    response = client.patch(f"/api/risk/countermeasures/{measure.pk}/",
                            data={"title": "CCTV, north gate", "version": measure.version},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    measure.refresh_from_db()
    assert measure.title == "CCTV, north gate" and site_ids(measure) == [world["s1"].pk]


def test_api_create_of_an_organisation_wide_countermeasure_by_a_site_manager_writes_nothing(
        client, world, measure):
    client.force_login(world["users"][MANAGER_AT_S1])
    before, ledger = Countermeasure.objects.count(), LedgerEntry.objects.count()
    response = client.post("/api/risk/countermeasures/", data={
        "title": "Fence everywhere", "measure_type": "physical", "sites": [],
        "owner": world["users"]["security_manager__org"].pk}, content_type="application/json")
    assert response.status_code == 403, response.content
    assert Countermeasure.objects.count() == before
    assert LedgerEntry.objects.count() == ledger


def test_import_of_an_organisation_wide_countermeasure_by_a_site_manager_writes_nothing(
        client, world, measure, run_on_commit):
    client.force_login(world["users"][MANAGER_AT_S1])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "measure_type", "owner", "sites"])
    writer.writerow(["Fence everywhere", "physical", "security_manager__org@a.example", ""])
    upload = SimpleUploadedFile("measures.csv", buffer.getvalue().encode(), "text/csv")
    before = Countermeasure.objects.count()
    response = client.post("/risk/countermeasures/import/", {"file": upload})
    assert response.status_code == 200, response.content
    ledger = LedgerEntry.objects.exclude(object_type="jobs.job").count()
    with run_on_commit():
        client.post("/risk/countermeasures/import/", {"token": response.context["preview"].token})
    job = Job.objects.get()
    assert job.status == "failed"
    assert "may not add" in job.result["errors"][0][2]
    assert Countermeasure.objects.count() == before
    assert not LedgerEntry.objects.filter(object_type="risk.countermeasure",
                                          action="create").exclude(
        object_id=str(measure.pk)).exists()
    assert LedgerEntry.objects.exclude(object_type="jobs.job").count() == ledger


def test_service_sets_relations_before_the_scope_recheck(world, measure):
    officer = world["users"][OFFICER]
    with pytest.raises(PermissionDenied):
        services.save_record(officer, measure, relations={"sites": []},
                             expected_version=measure.version)
    measure.refresh_from_db()
    assert site_ids(measure) == [world["s1"].pk] and measure.version == 1
    services.save_record(officer, measure, relations={"sites": [world["s1"]]},
                         expected_version=measure.version)
    measure.refresh_from_db()
    assert measure.version == 2


def test_a_refused_create_leaves_the_instance_unsaved(world, measure):
    manager = world["users"][MANAGER_AT_S1]
    new = Countermeasure(organisation=world["org_a"], title="Gate", measure_type="physical",
                         owner=world["users"]["security_manager__org"])
    with pytest.raises(PermissionDenied):
        services.save_record(manager, new, relations={"sites": []})
    assert new.pk is None and new._state.adding and new.reference == ""


# --- finding 5: the register's after_save runs on every save, from every path --------------------
@pytest.fixture
def hook_calls(monkeypatch):
    """Record every call of the Site register's after_save hook."""
    calls = []
    register = get_register(Site)
    monkeypatch.setattr(register, "after_save",
                        lambda user, obj, created: calls.append((obj.name, created)))
    return calls


def test_after_save_runs_once_on_ui_create_and_update(admin_client, world, hook_calls):
    response = admin_client.post("/supplychain/sites/add/", {
        "name": "Bremen yard", "kind": "warehouse", "country": "DE",
        "security_level": "baseline"})
    assert response.status_code == 302, response.context["form"].errors
    site = Site.objects.get(name="Bremen yard")
    response = admin_client.post(f"/supplychain/sites/{site.pk}/edit/", {
        "name": "Bremen yard 2", "kind": "warehouse", "country": "DE",
        "security_level": "baseline", "version": site.version})
    assert response.status_code == 302, response.context["form"].errors
    assert hook_calls == [("Bremen yard", True), ("Bremen yard 2", False)]


def test_after_save_runs_once_on_api_create_and_update(admin_client, world, hook_calls):
    response = admin_client.post("/api/supplychain/sites/", data={
        "name": "Bremen yard", "kind": "warehouse", "country": "DE"},
        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    response = admin_client.patch(f"/api/supplychain/sites/{body['id']}/", data={
        "name": "Bremen yard 2", "version": body["version"]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert hook_calls == [("Bremen yard", True), ("Bremen yard 2", False)]


def test_after_save_runs_on_import(admin_client, world, hook_calls, run_on_commit):
    upload = SimpleUploadedFile("sites.csv", b"name,kind,country\nBremen yard,warehouse,DE\n",
                                "text/csv")
    preview = admin_client.post("/supplychain/sites/import/", {"file": upload}).context["preview"]
    assert preview.ok
    with run_on_commit():
        admin_client.post("/supplychain/sites/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    assert hook_calls == [("Bremen yard", True)]


def test_after_save_runs_on_a_service_save(world, hook_calls):
    admin = world["users"]["administrator__org"]
    site = world["s2"]
    site.name = "Rotterdam 2"
    services.save_record(admin, site)
    assert hook_calls == [("Rotterdam 2", False)]


# --- finding 4: audited querysets refuse bulk writes -------------------------------------------
BULK_WRITES = {
    "update": lambda qs: qs.update(version=1),
    "bulk_update": lambda qs: qs.model.objects.bulk_update(list(qs), ["version"]),
    "bulk_create": lambda qs: qs.model.objects.bulk_create([]),
    "delete": lambda qs: qs.delete(),
}


@pytest.mark.parametrize("operation", sorted(BULK_WRITES))
def test_every_registered_model_refuses_bulk_writes_outside_the_helper(db, operation):
    models = [reg.model for reg in registrations()]
    assert len(models) >= 39  # every app's records, not a convenient few
    refused = []
    for model in models:
        try:
            BULK_WRITES[operation](model.objects.all())
        except querysets.UnledgeredWrite as error:
            assert model._meta.label in str(error) and operation in str(error)
            refused.append(model)
    assert refused == models


def test_a_refused_bulk_update_changes_no_row(world):
    with pytest.raises(querysets.UnledgeredWrite):
        Site.objects.filter(organisation=world["org_a"]).update(name="Renamed")
    with pytest.raises(querysets.UnledgeredWrite):
        world["s1"].countermeasures.all().update(title="x")  # related managers too
    with pytest.raises(querysets.UnledgeredWrite):
        Site.objects.filter(pk=world["s1"].pk).delete()
    assert not Site.objects.filter(name="Renamed").exists()
    assert Site.objects.filter(pk=world["s1"].pk).exists()


def test_unregistered_models_keep_their_bulk_writes(world):
    job = Job.objects.create(user=world["users"]["administrator__org"],
                             organisation=world["org_a"], kind="import", title="t", params={})
    assert Job.objects.filter(pk=job.pk).update(title="renamed") == 1
    # A job itself is not deleted: Django would null EvidencePack.job, an audited record,
    # around the ledger (tests/core/test_bulk_guard_managers.py); its own rows are.
    JobRecord.objects.create(job=job, model="supplychain.site", object_id="1")
    JobRecord.objects.filter(job=job).delete()
    assert not JobRecord.objects.exists()


def test_update_records_writes_one_entry_per_changed_row(world):
    admin = world["users"]["administrator__org"]
    sites = Site.objects.filter(organisation=world["org_a"]).order_by("pk")
    before = {s.pk: s.version for s in sites}
    changed = services.update_records(admin, sites.filter(security_level="baseline"),
                                      reason="tests: security level review",
                                      security_level="elevated")
    assert changed == 2
    for site in sites.all():  # read again
        assert site.security_level == "elevated" and site.version == before[site.pk] + 1
        entry = entries_of(site).latest("seq")
        assert entry.action == "update" and entry.reason == "tests: security level review"
        assert entry.actor_id == admin.pk
        assert entry.after["security_level"] == "elevated"
        assert entry.before["security_level"] == "baseline"
    # Nothing left to change: no entry, no version.
    count = LedgerEntry.objects.count()
    assert services.update_records(admin, sites, reason="again", security_level="elevated") == 0
    assert LedgerEntry.objects.count() == count


def test_bulk_update_records_writes_before_and_after_of_each_row(world):
    admin = world["users"]["administrator__org"]
    s1, s2 = Site.objects.get(pk=world["s1"].pk), Site.objects.get(pk=world["s2"].pk)
    s1.description, s2.description = "North gate", s2.description
    assert services.bulk_update_records(admin, [s1, s2], ["description"],
                                        reason="tests") == 1
    s1.refresh_from_db()
    assert s1.description == "North gate" and s1.version == 2
    entry = entries_of(s1).latest("seq")
    assert (entry.before["description"], entry.after["description"]) == ("", "North gate")
    assert not entries_of(s2).filter(reason="tests").exists()


def test_the_permit_is_for_one_model_and_one_operation_and_ends_with_the_block(world):
    with querysets.ledgered_bulk_write(Rating, "bulk_update"):
        with pytest.raises(querysets.UnledgeredWrite):
            Site.objects.filter(pk=world["s1"].pk).update(name="x")
        with pytest.raises(querysets.UnledgeredWrite):
            Rating.objects.all().update(notes="x")
    with pytest.raises(querysets.UnledgeredWrite):
        Rating.objects.bulk_update([], ["notes"])


# --- finding 4: the matrix recompute is ledgered -----------------------------------------------
def test_matrix_change_writes_a_ledger_entry_for_each_rating_it_changes(client, world):
    load_catalogues()
    assessment = assessment_at(world, "in")
    applicability = threat(assessment)
    high = rating(assessment, applicability, site=world["s1"], likelihood=3,
                  consequences={"economic": 4})
    low = rating(assessment, applicability, site=world["s1"], likelihood=1,
                 consequences={"economic": 1})
    assert high.above_appetite and not low.above_appetite
    matrix = assessment.matrix
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    seen = {r.pk: entries_of(r).count() for r in (high, low)}
    response = client.patch(f"/api/risk/matrices/{matrix.pk}/", data={
        "acceptance_level": "high", "version": matrix.version}, content_type="application/json")
    assert response.status_code == 200, response.content
    high.refresh_from_db()
    assert not high.above_appetite and high.version == 2
    entry = entries_of(high).latest("seq")
    assert entry.action == "update" and entry.actor_id == manager.pk
    assert (entry.before["above_appetite"], entry.after["above_appetite"]) == (True, False)
    assert matrix.reference in entry.reason
    assert entries_of(high).count() == seen[high.pk] + 1
    assert entries_of(low).count() == seen[low.pk]  # unchanged rating: no entry


def test_evidence_pack_job_link_and_result_are_ledgered(world, run_on_commit):
    from chainward.certification.evidence_pack import request_pack
    from chainward.library.models import Framework
    from tests.support.library import tiny_framework

    with actor_context(None, name="fixture"):
        tiny_framework()
    manager = world["users"]["security_manager__org"]
    with run_on_commit():
        pack = request_pack(manager, world["org_a"], Framework.objects.first())
    pack.refresh_from_db()
    linked = entries_of(pack).filter(action="update").order_by("seq")
    assert linked.exists(), "the job link and the result must be in the ledger"
    assert linked.first().after["job"] == str(pack.job_id)
    assert all(e.actor_id == manager.pk for e in linked)
    assert json.dumps(linked.last().after["status"]) in ('"ready"', '"failed"')


# --- services that copy a scope set it inside save_record, before the checks -------------------
def test_a_re_assessment_has_its_copied_sites_when_the_checks_run(world, monkeypatch):
    from chainward.risk import services as risk
    from chainward.risk.models import SecurityAssessment
    from tests.risk.test_workflow import consider_all, ready_rating

    load_catalogues()
    manager = world["users"]["security_manager__org"]
    previous = assessment_at(world, "in")
    previous.partners.set([world["carrier_a"]])
    consider_all(previous)
    ready_rating(previous, threat(previous, "TS-02"), world["s1"], manager)
    risk.complete_assessment(manager, previous)
    seen = []
    register = get_register(SecurityAssessment)
    monkeypatch.setattr(register, "after_save", lambda user, obj, created: seen.append(
        (created, site_ids(obj), sorted(obj.partners.values_list("pk", flat=True)))))
    new = risk.start_from_baseline(world["users"]["administrator__org"], previous)
    assert seen[0] == (True, [world["s1"].pk], [world["carrier_a"].pk])
    assert site_ids(new) == [world["s1"].pk]


def test_a_gap_re_assessment_has_its_copied_sites_when_the_checks_run(admin_client, world,
                                                                      monkeypatch):
    from chainward.compliance import services as compliance
    from chainward.compliance.models import GapAssessment
    from tests.support.library import tiny_framework

    admin = world["users"]["administrator__org"]
    with actor_context(None, name="fixture"):
        framework = tiny_framework()
    baseline = services.save_record(admin, GapAssessment(
        organisation=world["org_a"], title="Hamburg gap", framework=framework, all_sites=False),
        relations={"sites": [world["s1"]]})
    seen = []
    monkeypatch.setattr(get_register(GapAssessment), "after_save",
                        lambda user, obj, created: seen.append((created, site_ids(obj))))
    follower = compliance.start_from_baseline(admin, baseline, title="Hamburg gap 2")
    assert seen[0] == (True, [world["s1"].pk])
    assert site_ids(follower) == [world["s1"].pk]
