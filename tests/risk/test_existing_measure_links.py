"""Existing measures are linked to the ratings that rely on them (Rating.existing_measures) and
optionally to a reference control or a requirement (issue 12). A rating relies only on measures
of its own assessment: a measure of another assessment or organisation is refused by the risk
service on every path (UI form, API, import, service), with the measure named."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.core.services import save_record
from chainward.jobs.models import Job
from chainward.library.models import CatalogEntry, Requirement
from chainward.risk import services
from chainward.risk.models import ExistingMeasure, Rating

from .support import assessment_at, load_catalogues, rating, threat
from .test_workflow import consider_all


def measure(assessment, site, description, **kwargs):
    from chainward.ledger.context import actor_context

    with actor_context(None, name="t"):
        return ExistingMeasure.objects.create(
            organisation=assessment.organisation, assessment=assessment, site=site,
            measure_type="physical", description=description, **kwargs)


@pytest.fixture
def linked(world):
    load_catalogues()
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in", "Relying")
    other = assessment_at(world, "out", "Other assessment")
    foreign = assessment_at(world, "foreign", "Their assessment")
    applicability = threat(assessment, "TS-02")
    return {
        "manager": manager, "assessment": assessment, "threat": applicability,
        "rating": rating(assessment, applicability, site=world["s1"], notes="Pilferage S1"),
        "fence": measure(assessment, world["s1"], "Perimeter fence with gatehouse"),
        "cctv": measure(assessment, world["s1"], "CCTV at the docks"),
        "elsewhere": measure(other, world["s2"], "Fence of the other assessment"),
        "theirs": measure(foreign, world["s3"], "Fence of organisation B"),
    }


def form_of(rating_, **changes):
    data = {"assessment": rating_.assessment_id, "threat": rating_.threat_id,
            "site": rating_.site_id, "likelihood": rating_.likelihood,
            "consequence_economic": "4", "reviewed": "on", "notes": rating_.notes,
            "version": rating_.version}
    data.update(changes)
    return data


def test_the_rating_form_links_measures_shown_on_both_pages(client, world, linked):
    client.force_login(linked["manager"])
    r = linked["rating"]
    response = client.post(f"{r.get_absolute_url()}edit/", form_of(
        r, existing_measures=[linked["fence"].pk, linked["cctv"].pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(r.existing_measures.all()) == {linked["fence"], linked["cctv"]}
    page = client.get(r.get_absolute_url()).content.decode()
    assert linked["fence"].reference in page and linked["cctv"].reference in page
    page = client.get(linked["fence"].get_absolute_url()).content.decode()
    assert r.reference in page  # "Ratings relying on it"
    api = client.get(f"/api/risk/register/{r.pk}/").json()
    assert sorted(api["existing_measures"]) == sorted([linked["fence"].pk, linked["cctv"].pk])


def test_the_ui_refuses_a_measure_of_another_assessment(client, world, linked):
    client.force_login(linked["manager"])
    r = linked["rating"]
    response = client.post(f"{r.get_absolute_url()}edit/", form_of(
        r, existing_measures=[linked["fence"].pk, linked["elsewhere"].pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{linked['elsewhere'].reference} belongs to assessment " \
           f"{linked['elsewhere'].assessment.reference}" in page
    assert not r.existing_measures.exists()
    # A measure of another organisation is not even offered.
    response = client.post(f"{r.get_absolute_url()}edit/", form_of(
        r, existing_measures=[linked["theirs"].pk]))
    assert response.status_code == 400
    assert not r.existing_measures.exists()


def test_the_api_refuses_a_measure_of_another_assessment_or_organisation(client, world, linked):
    client.force_login(linked["manager"])
    r = linked["rating"]
    url = f"/api/risk/register/{r.pk}/"
    response = client.patch(url, data=json.dumps({
        "existing_measures": [linked["elsewhere"].pk], "version": r.version}),
        content_type="application/json")
    assert response.status_code == 400
    assert linked["elsewhere"].reference in response.content.decode()
    response = client.patch(url, data=json.dumps({
        "existing_measures": [linked["theirs"].pk], "version": r.version}),
        content_type="application/json")
    assert response.status_code == 400
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": linked["assessment"].pk, "threat": linked["threat"].pk,
        "site": world["s1"].pk, "likelihood": 2, "existing_measures": [linked["elsewhere"].pk]}),
        content_type="application/json")
    assert response.status_code == 400
    assert Rating.objects.filter(assessment=linked["assessment"]).count() == 1
    assert not r.existing_measures.exists()
    response = client.patch(url, data=json.dumps({
        "existing_measures": [linked["fence"].pk], "version": r.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert list(r.existing_measures.all()) == [linked["fence"]]


def test_the_service_refuses_a_measure_of_another_assessment_or_organisation(world, linked):
    r = linked["rating"]
    for wrong in ("elsewhere", "theirs"):
        with pytest.raises(ValidationError, match=linked[wrong].reference):
            save_record(linked["manager"], r, relations={"existing_measures": [linked[wrong]]})
        assert not Rating.objects.get(pk=r.pk).existing_measures.exists()


def rating_import(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["assessment", "threat", "site", "likelihood", "existing_measures"])
    writer.writerows(rows)
    return SimpleUploadedFile("ratings.csv", buffer.getvalue().encode(), content_type="text/csv")


def test_an_import_links_measures_of_the_assessment_only(admin_client, world, linked,
                                                         run_on_commit):
    a, t = linked["assessment"].reference, linked["threat"].reference
    upload = rating_import([[a, t, "S1", 2, f"{linked['fence'].reference};"
                                              f"{linked['cctv'].reference}"]])
    preview = admin_client.post("/risk/register/import/", {"file": upload}).context["preview"]
    assert preview.ok, preview.errors
    with run_on_commit():
        admin_client.post("/risk/register/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    imported = Rating.objects.filter(assessment=linked["assessment"]).latest("pk")
    assert set(imported.existing_measures.all()) == {linked["fence"], linked["cctv"]}

    before = Rating.objects.count()
    upload = rating_import([[a, t, "S1", 2, linked["elsewhere"].reference]])
    preview = admin_client.post("/risk/register/import/", {"file": upload}).context["preview"]
    with run_on_commit():
        admin_client.post("/risk/register/import/", {"token": preview.token})
    job = Job.objects.latest("created_at")
    assert job.status == "failed"
    assert job.result["errors"][0][0] == 2  # the file's row
    assert linked["elsewhere"].reference in job.result["errors"][0][2]
    assert Rating.objects.count() == before
    # (References are numbered per organisation: an import names its own organisation's
    # measures only, so another organisation's measure cannot even be named.)


def test_a_linked_measure_cannot_move_to_another_assessment(client, world, linked):
    r = linked["rating"]
    save_record(linked["manager"], r, relations={"existing_measures": [linked["fence"]]})
    fence = linked["fence"]
    client.force_login(linked["manager"])
    response = client.post(f"{fence.get_absolute_url()}edit/", {
        "assessment": linked["elsewhere"].assessment_id, "site": world["s1"].pk,
        "measure_type": "physical", "description": fence.description,
        "version": fence.version})
    assert response.status_code == 400
    assert r.reference in response.content.decode()
    fence.refresh_from_db()
    assert fence.assessment == linked["assessment"]


def test_a_measure_names_its_reference_control_and_requirement(client, world, linked):
    control = CatalogEntry.objects.get(kind="reference_control", ref_id="RC-08")
    # A clause whose title needs no HTML escaping (so the page can be searched for it).
    requirement = Requirement.objects.filter(assessable=True, title__regex=r"^[A-Za-z ]+$") \
        .order_by("pk").first()
    fence = linked["fence"]
    client.force_login(linked["manager"])
    data = {"assessment": fence.assessment_id, "site": world["s1"].pk,
            "measure_type": "physical", "description": fence.description,
            "reference_control": control.pk, "requirement": requirement.pk,
            "version": fence.version}
    response = client.post(f"{fence.get_absolute_url()}edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fence.refresh_from_db()
    assert (fence.reference_control, fence.requirement) == (control, requirement)
    page = client.get(fence.get_absolute_url()).content.decode()
    assert "RC-08" in page and requirement.title in page
    api = client.get(f"/api/risk/existing-measures/{fence.pk}/").json()
    assert (api["reference_control"], api["requirement"]) == (control.pk, requirement.pk)
    # A threat scenario is not a reference control.
    scenario = CatalogEntry.objects.get(kind="threat_scenario", ref_id="TS-01")
    response = client.patch(f"/api/risk/existing-measures/{fence.pk}/", data=json.dumps({
        "reference_control": scenario.pk, "version": fence.version}),
        content_type="application/json")
    assert response.status_code == 400
    fence.refresh_from_db()
    assert fence.reference_control == control


def test_a_re_assessment_links_its_ratings_to_its_own_copies_of_the_measures(world, linked):
    manager, r = linked["manager"], linked["rating"]
    consider_all(linked["assessment"])
    r.decision, r.owner, r.likelihood, r.consequences = "acceptable", manager, 1, {"economic": 1}
    save_record(manager, r, relations={"existing_measures": [linked["fence"]]})
    services.complete_assessment(manager, linked["assessment"])
    new = services.start_from_baseline(world["users"]["administrator__org"],
                                       linked["assessment"])
    [copied] = new.ratings.all()
    [relied] = copied.existing_measures.all()
    assert relied.assessment == new and relied.description == linked["fence"].description
    assert relied.pk != linked["fence"].pk
