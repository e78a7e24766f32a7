"""Runs recorded offline and sent when the network returns (issue 15 item 5): POST
/api/fieldchecks/runs/sync/ stores the run with its answers, photos and signatures and completes
it through the services of the run page — a failed critical item opens its incident or
corrective action as online — in one transaction. Sent again with the same `client_uuid` it
answers the stored run and stores nothing more; what changed on the server since the phone saved
the page (the template, the person's sites) is a 409 with the reason, bad data a 400."""

import json
import uuid

import pytest

from chainward.audits.models import CorrectiveAction
from chainward.fieldchecks.models import CheckAnswer, CheckRun
from chainward.fieldchecks.sync import template_revision
from chainward.incidents.models import Incident
from chainward.ledger.models import LedgerEntry

from . import factories as f
from .test_checks import fixture, items, trailer  # noqa: F401 - trailer is a fixture
from .test_photos import MAKE, assert_clean, phone_jpeg
from .test_signatures import SECRET, png_file

URL = "/api/fieldchecks/runs/sync/"


def payload(template, site, *, floor="fail", client_uuid=None, **extra):
    """The multipart body offline.js sends: a 3-point reefer check with the doors' photo."""
    floor_item, doors, temperature = items(template)
    answers = [{"item": floor_item.pk, "outcome": floor,
                "note": "Fresh welds in the floor" if floor == "fail" else ""},
               {"item": doors.pk, "outcome": "pass"},
               {"item": temperature.pk, "number": "5"}]
    body = {"client_uuid": str(client_uuid or uuid.uuid4()), "template": template.pk,
            "template_revision": template_revision(template), "site": site.pk,
            "container_number": "MSKU 1234567", "seal_numbers": "ABC0000123",
            "performed_at": f.ago(hours=2).isoformat(), "answers": json.dumps(answers),
            f"photo-{doors.pk}": phone_jpeg(), "inspector_name": "Olga Site-Officer",
            "inspector_image": png_file()}
    body.update(extra)
    return body


@pytest.fixture
def officer_client(client, world):
    client.force_login(world["users"]["site_security_officer__site"])
    return client


def test_a_run_sent_once_is_stored_completed_with_its_answers_photo_and_signature(
        officer_client, world, trailer):  # noqa: F811
    response = officer_client.post(URL, payload(trailer, world["s1"], floor="pass"))
    assert response.status_code == 201, response.content[:800]
    run = CheckRun.objects.get()
    assert response.json()["id"] == run.pk and response.json()["created"] is True
    assert run.status == "completed" and run.result == "passed"
    assert run.site == world["s1"] and run.container_number == "MSKU 1234567"
    assert run.inspector == world["users"]["site_security_officer__site"]
    assert run.answers.count() == 3
    assert run.inspector_signed_name == "Olga Site-Officer"
    assert run.incident is None and run.corrective_action is None
    assert LedgerEntry.objects.filter(action="sync", object_id=str(run.pk)).count() == 1
    # The run's page (its history shows the sync event) and the photo are served.
    page = officer_client.get(run.get_absolute_url())
    assert page.status_code == 200 and "Olga Site-Officer" in page.content.decode()
    photo = run.answers.get(item__photo_required=True)
    assert officer_client.get(f"/fieldchecks/answers/{photo.pk}/photo/").status_code == 200


def test_the_same_run_sent_twice_is_stored_once(officer_client, world, trailer):  # noqa: F811
    client_uuid = uuid.uuid4()
    first = officer_client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid))
    assert first.status_code == 201, first.content[:800]
    incidents = Incident.objects.count()
    again = officer_client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid))
    assert again.status_code == 200, again.content[:800]
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert CheckRun.objects.count() == 1 and CheckAnswer.objects.count() == 3
    assert Incident.objects.count() == incidents == 1
    # A different phone run is a different run.
    other = officer_client.post(URL, payload(trailer, world["s1"], floor="pass"))
    assert other.status_code == 201 and CheckRun.objects.count() == 2


def test_it_refuses_a_site_out_of_the_persons_scope_with_the_reason(
        officer_client, world, trailer):  # noqa: F811
    response = officer_client.post(URL, payload(trailer, world["s2"]))
    assert response.status_code == 409, response.content[:800]
    body = response.json()
    assert body["conflict"] == "scope" and world["s2"].name in body["detail"]
    assert not CheckRun.objects.exists() and not Incident.objects.exists()


def test_it_reports_a_template_changed_since_the_page_was_saved(
        officer_client, world, trailer):  # noqa: F811
    body = payload(trailer, world["s1"])
    fixture(f.item, trailer, "Roof", order=4)
    response = officer_client.post(URL, body)
    assert response.status_code == 409 and response.json()["conflict"] == "template_changed"
    assert "changed after this phone saved it" in response.json()["detail"]
    assert not CheckRun.objects.exists()


def test_a_run_of_another_organisation_or_an_unknown_uuid_owner_is_a_conflict(
        client, world, trailer):  # noqa: F811
    client_uuid = uuid.uuid4()
    client.force_login(world["users"]["site_security_officer__site"])
    assert client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid)
                       ).status_code == 201
    client.force_login(world["foreign"])  # the administrator of organisation B
    response = client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid))
    assert response.status_code == 409 and response.json()["conflict"] == "foreign_uuid"
    response = client.post(URL, payload(trailer, world["s1"]))
    assert response.status_code == 409 and response.json()["conflict"] == "template"
    assert CheckRun.objects.count() == 1


def test_bad_answers_are_field_errors_and_nothing_is_stored(officer_client, world, trailer):  # noqa: F811
    response = officer_client.post(URL, payload(trailer, world["s1"], answers="not json"))
    assert response.status_code == 400 and "answers" in response.json()["errors"]
    # A failed point without its note: the service's rule, the whole run refused.
    floor, doors, temperature = items(trailer)
    answers = json.dumps([{"item": floor.pk, "outcome": "fail"},
                          {"item": doors.pk, "outcome": "pass"},
                          {"item": temperature.pk, "number": "5"}])
    response = officer_client.post(URL, payload(trailer, world["s1"], answers=answers))
    assert response.status_code == 400 and "note" in response.json()["errors"]
    # The doors' photo is required: without it the run is not completed, nor stored.
    body = payload(trailer, world["s1"], floor="pass")
    del body[f"photo-{doors.pk}"]
    response = officer_client.post(URL, body)
    assert response.status_code == 400 and "Doors and locking bars" in json.dumps(
        response.json())
    assert not CheckRun.objects.exists() and not CheckAnswer.objects.exists()


def test_a_failed_critical_item_opens_its_incident_with_the_run(officer_client, world, trailer):  # noqa: F811
    response = officer_client.post(URL, payload(trailer, world["s1"]))
    assert response.status_code == 201, response.content[:800]
    run = CheckRun.objects.get()
    assert run.result == "critical" and response.json()["incident"] == run.incident_id
    assert run.incident.site == world["s1"]
    assert "Fresh welds in the floor" in run.incident.description


def test_a_failed_critical_item_opens_a_corrective_action_when_the_template_says_so(
        officer_client, world, trailer):  # noqa: F811
    fixture(lambda: setattr(trailer, "on_critical_failure", "corrective_action") or
            trailer.save())
    response = officer_client.post(URL, payload(trailer, world["s1"]))
    assert response.status_code == 201, response.content[:800]
    run = CheckRun.objects.get()
    assert run.corrective_action == CorrectiveAction.objects.get() and run.incident is None


def test_the_photo_and_signature_are_stored_cleaned(officer_client, world, trailer):  # noqa: F811
    response = officer_client.post(URL, payload(trailer, world["s1"], floor="pass"))
    assert response.status_code == 201, response.content[:800]
    doors = items(trailer)[1]
    answer = CheckAnswer.objects.get(item=doors)
    assert_clean(answer, size=(300, 400))  # no GPS, make or model; upright
    from chainward.core.files import open_stored

    run = CheckRun.objects.get()
    with open_stored(run.inspector_signature) as handle:
        raw = handle.read()
    assert SECRET.encode() not in raw and MAKE.encode() not in raw


# --- the offline pages (served to be cached by the service worker) --------------------------
def test_a_run_saved_by_another_person_on_a_shared_phone_is_a_conflict(
        client, world, trailer):  # noqa: F811
    officer, manager = (world["users"]["site_security_officer__site"],
                        world["users"]["security_manager__org"])
    client.force_login(manager)  # the officer saved it, then the manager signed in
    response = client.post(URL, payload(trailer, world["s1"], recorded_by=officer.pk))
    assert response.status_code == 409, response.content[:800]
    assert response.json()["conflict"] == "recorded_by"
    assert not CheckRun.objects.exists()
    # Sent by the person who saved it, it is stored in their name.
    client.force_login(officer)
    response = client.post(URL, payload(trailer, world["s1"], recorded_by=officer.pk))
    assert response.status_code == 201, response.content[:800]
    assert CheckRun.objects.get().created_by == officer


def test_the_offline_page_lists_only_the_persons_sites_and_carries_the_revision(
        officer_client, world, trailer):  # noqa: F811
    index = officer_client.get("/fieldchecks/offline/")
    assert index.status_code == 200
    assert f"/fieldchecks/offline/{trailer.pk}/" in index.content.decode()
    page = officer_client.get(f"/fieldchecks/offline/{trailer.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-revision="{template_revision(trailer)}"' in html
    officer = world["users"]["site_security_officer__site"]
    assert f'data-recorded-by="{officer.pk}"' in html  # the phone keeps who saved each run
    assert world["s1"].name in html and world["s2"].name not in html
    assert "chainward/offline.js" in html and "<script>" not in html  # no inline script
    assert 'data-sync-url="/api/fieldchecks/runs/sync/"' in html
    assert officer_client.get("/fieldchecks/offline/999999/").status_code == 404


def test_people_who_may_not_record_runs_get_no_offline_page(client, world, trailer):  # noqa: F811
    client.force_login(world["foreign"])
    assert client.get(f"/fieldchecks/offline/{trailer.pk}/").status_code == 404
    client.logout()
    assert client.get("/fieldchecks/offline/").status_code == 302  # to the login page


def test_the_service_worker_and_manifest_are_served_at_the_site_root(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Cache-Control"] == "no-cache" and b"/fieldchecks/offline/" in worker.content
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.json()["start_url"] == "/fieldchecks/offline/"
    assert manifest["Content-Type"] == "application/manifest+json"


def test_two_sendings_at_once_store_the_run_once(officer_client, world, trailer,  # noqa: F811
                                                  monkeypatch):
    """The second of two simultaneous sendings misses the first's run in its lookup and runs
    into the unique id: it answers the stored run instead of an error."""
    from chainward.fieldchecks import sync

    client_uuid = uuid.uuid4()
    assert officer_client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid)
                               ).status_code == 201
    looked_up = []
    real = sync.stored_run

    def late(user, value):  # the view's and sync_run's lookups come before the other commit
        looked_up.append(value)
        return (None, False) if len(looked_up) <= 2 else real(user, value)

    monkeypatch.setattr(sync, "stored_run", late)
    response = officer_client.post(URL, payload(trailer, world["s1"], client_uuid=client_uuid))
    assert response.status_code == 200, response.content[:800]
    assert response.json()["created"] is False and len(looked_up) == 3
    assert CheckRun.objects.count() == 1
    assert CheckAnswer.objects.count() == 3 and Incident.objects.count() == 1
