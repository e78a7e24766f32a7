"""Code-of-conduct acknowledgements (issue 16 item 4; C-TPAT 11.x, AEO 6.12) through every
path that writes (form, API, import): the version acknowledged is the one approved on the day
(derived, never typed; a new version asks again), a document never approved, a date to come or
an acknowledgement after the person left are refused with a field error, the same version
twice is refused, the record follows its person to another site and is on their page.

The code of conduct below: version 1 approved 100 days ago, version 2 approved 10 days ago."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chainward.core.services import save_record
from chainward.documents.models import Document, DocumentVersion
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.people.models import ConductAcknowledgement

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(world):
    org = world["org_a"]
    owner = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        doc = Document.objects.create(
            organisation=org, title="Code of conduct", doc_type="policy", owner=owner
        )
        now = timezone.now()
        v1 = DocumentVersion.objects.create(
            organisation=org,
            document=doc,
            author=owner,
            number=1,
            status="superseded",
            approved_at=now - datetime.timedelta(days=100),
        )
        v2 = DocumentVersion.objects.create(
            organisation=org,
            document=doc,
            author=owner,
            number=2,
            status="approved",
            approved_at=now - datetime.timedelta(days=10),
        )
        draft = f.document(org, "Code of conduct (draft only)", approved=False, owner=owner)
        guard = f.person(org, "Jana Nowak", site=world["s1"], employee_number="E-17")
        gone = f.person(org, "Olaf Gone", site=world["s1"], left_on=f.days(-5))
    return {"doc": doc, "v1": v1, "v2": v2, "draft": draft, "guard": guard, "gone": gone}


def api_post(client, payload):
    return client.post(
        "/api/people/conduct/", data=json.dumps(payload), content_type="application/json"
    )


def test_the_form_records_the_version_in_force_on_the_day(client, world, code):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post(
        "/people/conduct/add/",
        {
            "person": code["guard"].pk,
            "document": code["doc"].pk,
            "acknowledged_on": f.days(-50).isoformat(),
            "notes": "Signed at induction.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = ConductAcknowledgement.objects.get()
    assert record.document_version_id == code["v1"].pk  # v2 was approved 10 days ago, after the day
    assert record.site_id == world["s1"].pk
    page = client.get(code["guard"].get_absolute_url()).content.decode()
    assert "Code-of-conduct acknowledgements" in page and record.get_absolute_url() in page


def test_the_api_records_the_new_version_and_refuses_the_same_version_twice(client, world, code):
    client.force_login(world["users"]["contributor__site"])
    payload = {
        "person": code["guard"].pk,
        "document": code["doc"].pk,
        "acknowledged_on": f.days(-50).isoformat(),
    }
    assert api_post(client, payload).status_code == 201
    payload["acknowledged_on"] = f.days(0).isoformat()
    response = api_post(client, payload)
    assert response.status_code == 201, response.content
    assert response.json()["document_version"] == code["v2"].pk  # a new version asks again
    response = api_post(client, {**payload, "acknowledged_on": f.days(-1).isoformat()})
    assert response.status_code == 400
    assert "already recorded" in json.dumps(response.json())
    numbers = ConductAcknowledgement.objects.values_list("document_version__number", flat=True)
    assert sorted(numbers) == [1, 2]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"document": "draft"}, "document"),  # never approved
        ({"acknowledged_on": 1}, "acknowledged_on"),  # tomorrow
        ({"acknowledged_on": -200}, "document"),  # before version 1 was approved
        ({"person": "gone"}, "person"),  # left 5 days ago
    ],
)
def test_what_cannot_be_acknowledged_is_a_field_error(client, world, code, change, field):
    payload = {
        "person": code["guard"].pk,
        "document": code["doc"].pk,
        "acknowledged_on": f.days(0).isoformat(),
    }
    for name, value in change.items():
        payload[name] = f.days(value).isoformat() if isinstance(value, int) else code[value].pk
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(client, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ConductAcknowledgement.objects.exists()


def test_imported_acknowledgements_take_the_version_in_force(
    admin_client, world, code, run_on_commit
):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["person", "document", "acknowledged_on"])
    writer.writerow(["E-17", code["doc"].reference, f.days(-3).isoformat()])
    upload = SimpleUploadedFile("conduct.csv", buffer.getvalue().encode(), content_type="text/csv")
    preview = admin_client.post("/people/conduct/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    assert preview.context["preview"].errors == []
    with run_on_commit():
        admin_client.post("/people/conduct/import/", {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    assert ConductAcknowledgement.objects.get().document_version_id == code["v2"].pk


def test_an_acknowledgement_follows_the_person_to_another_site(world, code):
    with actor_context(None, name="fixture"):
        record = f.conduct(code["guard"], code["doc"])
    person = code["guard"]
    person.site = world["s2"]
    save_record(world["users"]["security_manager__org"], person)
    assert ConductAcknowledgement.objects.get(pk=record.pk).site_id == world["s2"].pk
