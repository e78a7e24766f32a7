"""The context's own rules (issue 16 items 5 and 6; ISO 28000 4.1 with Amd 1:2024, 4.2.1, 6.1)
through every path that writes (form, API, import): the climate decision needs its reasons and,
when relevant, what follows; opportunities are recorded like risks; an interested party's
binding requirement must be relevant, and the party's page lists the legal and other
requirements it gives rise to (4.2.1 → 4.2.2)."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.context.models import ContextIssue, InterestedParty
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context

from . import factories as f

pytestmark = pytest.mark.django_db

CLIMATE = {
    "title": "Climate change",
    "origin": "external",
    "category": "climate",
    "description": "Heavier rain and heat on our routes.",
    "effect": "risk",
    "relevance": "relevant",
    "decided_on": f.days(0).isoformat(),
    "review_date": f.days(365).isoformat(),
}


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_the_climate_decision_needs_its_reasons_and_what_follows_through_the_form(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/context/issues/add/", CLIMATE)
    assert response.status_code == 400
    page = response.content.decode()
    assert "needs its reasons" in page and "needs what follows from it" in page
    response = client.post(
        "/context/issues/add/",
        {
            **CLIMATE,
            "rationale": "Flooding of the Hamburg yard closes gates.",
            "consequences": "Flood risk rated; alternative gate plan.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContextIssue.objects.get().relevance == "relevant"


def test_the_climate_decision_through_the_api(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(
        client, "/api/context/issues/", {**CLIMATE, "relevance": "not_relevant", "effect": "none"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"rationale"}
    # Not relevant, with its reasons: nothing needs to follow.
    response = api_post(
        client,
        "/api/context/issues/",
        {
            **CLIMATE,
            "relevance": "not_relevant",
            "effect": "none",
            "rationale": "Indoor operations only; no route exposed.",
        },
    )
    assert response.status_code == 201, response.content


def test_an_imported_climate_decision_without_reasons_is_a_row_error(admin_client, world):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = ("title", "origin", "category", "description", "review_date", "relevance")
    writer.writerow(names)
    writer.writerow([CLIMATE[name] for name in names])
    upload = SimpleUploadedFile("issues.csv", buffer.getvalue().encode(), content_type="text/csv")
    preview = admin_client.post("/context/issues/import/", {"file": upload})
    errors = preview.context["preview"].errors
    assert [(row, column) for row, column, _ in errors] == [
        (2, "rationale"),
        (2, "consequences"),
    ], errors
    assert "needs its reasons" in errors[0][2]
    assert not ContextIssue.objects.exists()
    assert not Job.objects.filter(kind="import").exists()


def test_an_opportunity_is_recorded_with_its_effect(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(
        client,
        "/api/context/issues/",
        {
            "title": "Digital seals",
            "origin": "external",
            "category": "technological",
            "description": "Electronic seals become affordable.",
            "effect": "opportunity",
            "effect_description": "Tamper alerts in real time on the Poznań legs.",
            "decided_on": f.days(0).isoformat(),
            "review_date": f.days(180).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    listed = client.get("/context/issues/?q=Digital").content.decode()
    assert "Digital seals" in listed and "Opportunity" in listed


def test_a_binding_requirement_of_a_party_must_be_relevant(client, world):
    client.force_login(world["users"]["security_manager__org"])
    payload = {
        "name": "Hauptzollamt Hamburg",
        "kind": "authority",
        "needs": "AEO criteria kept.",
        "relevant": False,
        "becomes_obligation": True,
    }
    response = api_post(client, "/api/context/interested-parties/", payload)
    assert response.status_code == 400
    assert "becomes_obligation" in response.json()["errors"]
    response = client.post(
        "/context/interested-parties/add/",
        {
            "name": "Hauptzollamt Hamburg",
            "kind": "authority",
            "needs": "AEO criteria kept.",
            "becomes_obligation": "on",
        },
    )
    assert response.status_code == 400
    assert not InterestedParty.objects.exists()


def test_a_partys_page_lists_the_requirements_it_gives_rise_to(client, world):
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        customs = f.party(
            world["org_a"], "Hauptzollamt Hamburg", kind="authority", becomes_obligation=True
        )
        rules = f.obligation(
            world["org_a"], manager, "AEO security criteria", interested_party=customs
        )
        f.obligation(world["org_a"], manager, "Data protection for CCTV")
    client.force_login(world["users"]["viewer__org"])
    page = client.get(customs.get_absolute_url()).content.decode()
    panel = page.split('aria-label="Legal and other requirements it gives rise to"', 1)[1]
    panel = panel.split("</section>", 1)[0]
    assert rules.get_absolute_url() in panel and "CCTV" not in panel
