"""A legal or other requirement links the standard requirements it relates to (issue 16 item 7:
"how we comply — links to documents, countermeasures, requirements"): requirements of shipped
frameworks and the organisation's own, through the form and the API; another organisation's own
framework is refused on both (a field error, never a link); the import leaves the column out
(a lookup by URN would reach other organisations' frameworks)."""

import json

import pytest

from chainward.context.models import Obligation
from chainward.library.models import Requirement
from tests.support.library import tiny_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def frameworks(world):
    tiny_framework("shipped")
    theirs = tiny_framework("theirs", hs_prefix="")
    library = theirs.library
    library.organisation = world["org_b"]  # organisation B's own framework
    library.save()
    return {
        "ours": Requirement.objects.get(urn="urn:test:req:shipped:4.2.2"),
        "theirs": Requirement.objects.get(urn="urn:test:req:theirs:4.2.2"),
    }


def _payload(world, requirement):
    return {
        "title": "AEO security criteria",
        "kind": "law",
        "source": "UCC Art. 39(e)",
        "summary": "Security and safety standards kept.",
        "owner": world["users"]["security_manager__org"].pk,
        "requirements": [requirement.pk],
    }


def test_the_api_links_our_requirements_and_refuses_another_organisations(
    client, world, frameworks
):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post(
        "/api/context/obligations/",
        json.dumps(_payload(world, frameworks["theirs"])),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "requirements" in response.json()["errors"]
    response = client.post(
        "/api/context/obligations/",
        json.dumps(_payload(world, frameworks["ours"])),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["requirements"] == [frameworks["ours"].pk]
    assert list(Obligation.objects.get().requirements.all()) == [frameworks["ours"]]


def test_the_form_links_our_requirements_and_refuses_another_organisations(
    client, world, frameworks
):
    client.force_login(world["users"]["security_manager__org"])
    data = {**_payload(world, frameworks["theirs"]), "evaluation_interval_months": 12}
    response = client.post("/context/obligations/add/", data)
    assert response.status_code == 400
    assert not Obligation.objects.exists()
    response = client.post(
        "/context/obligations/add/", {**data, "requirements": [frameworks["ours"].pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    obligation = Obligation.objects.get()
    assert list(obligation.requirements.all()) == [frameworks["ours"]]
    page = client.get(obligation.get_absolute_url()).content.decode()
    assert "Standard requirements it relates to" in page


def test_the_import_leaves_the_requirements_out(admin_client):
    page = admin_client.get("/context/obligations/import/").content.decode()
    assert "<code>countermeasures</code>" in page
    assert "<code>requirements</code>" not in page
