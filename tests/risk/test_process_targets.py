"""Processes, information flows and IT systems are ratable targets (issue 12): a rating targets
exactly one of site, leg, partner or process, so a cyber scenario such as ransomware against the
transport management system can be rated — through the UI, the API and an import — and it is
seen by the people of the sites the process runs at (ISO 28001 5.8)."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.core.services import save_record
from chainward.jobs.models import Job
from chainward.risk.models import Process, Rating

from .support import assessment_at, load_catalogues, process, rating, threat

TS17 = ("TS-17 Cyber attack on IT (ransomware, business email compromise / payment diversion, "
        "data breach)")


@pytest.fixture
def cyber(world):
    load_catalogues()
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in", "Cyber")
    return {"manager": manager, "assessment": assessment,
            "ts17": threat(assessment, "TS-17"),
            "tms": process(world["org_a"], "Transport management system", manager)}


def rating_form(cyber, **target):
    return {"assessment": cyber["assessment"].pk, "threat": cyber["ts17"].pk, "likelihood": 3,
            "consequence_economic": "4", "consequence_disruption": "5", "decision": "treat",
            "residual_likelihood": 2, "residual_consequence": 4,
            "owner": cyber["manager"].pk, "reviewed": "on",
            "notes": "Ransomware stops dispatch; offline backups tested quarterly.", **target}


def test_ransomware_against_the_tms_is_rated_in_the_ui(client, world, cyber):
    client.force_login(cyber["manager"])
    response = client.post("/risk/register/add/", rating_form(cyber, process=cyber["tms"].pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    rated = Rating.objects.get()
    assert rated.process == cyber["tms"] and rated.site is None
    assert rated.target_label == "process Transport management system"
    assert str(rated) == f"{rated.reference} {TS17} @ process Transport management system"
    # L3 × C5 is "high" in the default matrix (risk-matrix-default.yaml, third grid row).
    assert rated.inherent_level == "high"
    page = client.get(rated.get_absolute_url()).content.decode()
    assert "Transport management system" in page


def test_ransomware_against_the_tms_is_rated_through_the_api(client, world, cyber):
    client.force_login(cyber["manager"])
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": cyber["assessment"].pk, "threat": cyber["ts17"].pk,
        "process": cyber["tms"].pk, "likelihood": 3, "consequences": {"disruption": 5}}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["process"] == cyber["tms"].pk
    assert Rating.objects.get().process == cyber["tms"]


def test_a_rating_targets_exactly_one_thing_on_every_path(client, world, cyber):
    client.force_login(cyber["manager"])
    both = rating_form(cyber, process=cyber["tms"].pk, site=world["s1"].pk)
    response = client.post("/risk/register/add/", both)
    assert response.status_code == 400
    assert "Choose exactly one target: a site, a leg, a partner or a process." in \
        response.content.decode()
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": cyber["assessment"].pk, "threat": cyber["ts17"].pk,
        "process": cyber["tms"].pk, "site": world["s1"].pk, "likelihood": 3}),
        content_type="application/json")
    assert response.status_code == 400 and "exactly one target" in response.content.decode()
    response = client.post("/risk/register/add/", rating_form(cyber))
    assert response.status_code == 400 and "exactly one target" in response.content.decode()
    with pytest.raises(ValidationError, match="exactly one target"):
        save_record(cyber["manager"], Rating(
            organisation=world["org_a"], assessment=cyber["assessment"], threat=cyber["ts17"],
            process=cyber["tms"], partner=world["carrier_a"], likelihood=2))
    assert not Rating.objects.exists()


def test_a_process_of_another_organisation_is_not_a_target(client, world, cyber):
    theirs = process(world["org_b"], "Their TMS", world["foreign"])
    client.force_login(cyber["manager"])
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": cyber["assessment"].pk, "threat": cyber["ts17"].pk,
        "process": theirs.pk, "likelihood": 3}), content_type="application/json")
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="of this organisation"):
        save_record(world["users"]["administrator__org"], Rating(
            organisation=world["org_a"], assessment=cyber["assessment"], threat=cyber["ts17"],
            process=theirs, likelihood=2))
    assert not Rating.objects.exists()


def test_a_process_rating_is_seen_at_the_sites_the_process_runs_at(world, cyber):
    """S1's officer sees the rating of a process running at S1, not one running at S2 only, and
    the rating of an organisation-wide process only with an organisation-wide role (like a
    partner-only rating)."""
    manager = cyber["manager"]
    at_s1 = process(world["org_a"], "Hamburg yard system", manager, sites=[world["s1"]])
    at_s2 = process(world["org_a"], "Rotterdam gate system", manager, sites=[world["s2"]])
    ratings = {name: rating(cyber["assessment"], cyber["ts17"], process=record)
               for name, record in (("s1", at_s1), ("s2", at_s2), ("org", cyber["tms"]))}
    officer = world["users"]["site_security_officer__site"]
    seen = set(Rating.objects.restrict(officer, "view").values_list("pk", flat=True))
    assert seen == {ratings["s1"].pk}
    everyone = set(Rating.objects.restrict(world["users"]["site_security_officer__org"],
                                           "view").values_list("pk", flat=True))
    assert everyone == {r.pk for r in ratings.values()}
    # The processes themselves: S1's officer reads the S1 and the organisation-wide one.
    assert set(Process.objects.restrict(officer, "view").values_list("name", flat=True)) == {
        "Hamburg yard system", "Transport management system"}


def test_processes_are_imported_and_exported(admin_client, world, run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "kind", "owner", "sites", "description"])
    writer.writerow(["Warehouse management system", "IT system",
                     "security_manager__org@a.example", "S1;S2", "Stock, locations, seals"])
    writer.writerow(["Customs declarations (ATLAS)", "Information flow",
                     "security_manager__org@a.example", "", "Declarations to customs"])
    upload = SimpleUploadedFile("processes.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    response = admin_client.post("/risk/processes/import/", {"file": upload})
    assert response.status_code == 200, response.content.decode()[:3000]
    preview = response.context["preview"]
    assert preview.ok, preview.errors
    with run_on_commit():
        admin_client.post("/risk/processes/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    wms = Process.objects.get(name="Warehouse management system")
    assert wms.kind == "it_system" and wms.organisation == world["org_a"]
    assert set(wms.sites.values_list("code", flat=True)) == {"S1", "S2"}
    assert Process.objects.get(name__startswith="Customs").kind == "information_flow"
    answer = admin_client.get("/risk/processes/", {"export": "csv"})
    exported = answer.getvalue().decode("utf-8-sig")
    assert "Warehouse management system" in exported and "Customs declarations" in exported


def test_a_process_name_is_unique_in_its_organisation(client, world, cyber):
    client.force_login(cyber["manager"])
    response = client.post("/risk/processes/add/", {
        "name": "Transport management system", "kind": "it_system",
        "owner": cyber["manager"].pk})
    assert response.status_code == 400 and "already exists" in response.content.decode()
