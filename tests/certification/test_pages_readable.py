"""The evidence-pack page updates itself while the pack is prepared (htmx polls the status
partial until the pack is ready or failed), shows sizes for people and errors only when
there is one; review pages name people as the rest of the app does (User.__str__), never as
a bare e-mail next to a full name, and show no raw Python structures."""

import pytest
from django.utils import timezone

from chainward.certification import services
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

from . import factories as f


@pytest.fixture
def world(db):
    world = build_world()
    world["manager"] = world["users"]["security_manager__org"]
    return world


def _pack(world, **fields):
    with actor_context(None, name="fixture"):
        pack = f.pack(world, world["org_a"], "whole organisation")
    with fixture_writes(type(pack)):
        type(pack).objects.filter(pk=pack.pk).update(**fields)
    pack.refresh_from_db()
    return pack


def test_a_queued_pack_page_polls_its_status(world, client):
    pack = _pack(world)
    client.force_login(world["manager"])
    page = client.get(pack.get_absolute_url()).content.decode()
    status_url = f"/certification/evidence-packs/{pack.pk}/status/"
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "Download ZIP" not in page and "Error" not in page
    partial = client.get(status_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and 'id="pack-status"' in body and "Queued" in body
    assert f'hx-get="{status_url}"' in body

    # The worker finishes: the next poll shows the download button and stops polling.
    with fixture_writes(type(pack)):
        type(pack).objects.filter(pk=pack.pk).update(
            status="ready", size=285649, sha256="a" * 64, file="packs/x.zip",
            produced_at=timezone.now())
    body = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Download ZIP" in body and "hx-get" not in body and "Ready" in body
    assert "279 KB" in body and "285649" not in body and "Error" not in body


def test_a_ready_pack_page_is_readable(world, client):
    pack = _pack(world, status="ready", size=285649, sha256="b" * 64, file="packs/x.zip",
                 produced_at=timezone.now())
    client.force_login(world["manager"])
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "/status/" not in page and "every 2s" not in page  # no polling
    assert "Download ZIP" in page
    assert "279 KB" in page and "285649" not in page
    assert ">Error<" not in page and "Error —" not in page


def test_a_failed_pack_shows_its_error_and_stops_polling(world, client):
    pack = _pack(world, status="failed", error="Storage full.")
    client.force_login(world["manager"])
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "/status/" not in page and "every 2s" not in page  # no polling
    assert "Storage full." in page and ">Error<" in page
    assert "Download ZIP" not in page


def test_the_status_partial_follows_scope(world, client):
    pack = _pack(world)
    client.force_login(world["foreign"])
    assert client.get(f"/certification/evidence-packs/{pack.pk}/status/").status_code in (
        403, 404)


def test_review_pages_name_people_consistently(world, client):
    manager = world["manager"]
    with actor_context(None, name="fixture"):
        review = f.review(world, world["org_a"], "Review")
        f.action(world, world["org_a"], review, "Earlier action", due_date=review.date)
    services.compile_pack(manager, review)
    client.force_login(manager)
    page = client.get(review.get_absolute_url()).content.decode()
    header = page.split('id="pack-h">', 1)[1].split("</h2>", 1)[0]
    assert f"by {manager}," in header and manager.email not in header
    summary = page.split('id="review-h"', 1)[1].split('id="fields-h"', 1)[0]
    assert "{'" not in summary and "[{" not in summary and "None" not in summary
    pdf_html = client.get(f"/certification/reviews/{review.pk}/review.pdf")
    assert pdf_html.status_code == 200


def test_review_pdf_and_inputs_use_names(world):
    from django.template.loader import render_to_string

    manager = world["manager"]
    with actor_context(None, name="fixture"):
        review = f.review(world, world["org_a"], "Review")
        f.action(world, world["org_a"], review, "Earlier action", due_date=review.date)
    review.attendees.set([manager])
    services.compile_pack(manager, review)
    rows = [r for s in review.snapshot["inputs"] if s["key"] == "previous_actions"
            for r in s.get("rows", [])]
    assert rows and all(manager.email not in r.get("detail", "") for r in rows)
    assert any(str(manager) in r.get("detail", "") for r in rows)
    html = render_to_string("certification/review_pdf.html", {
        "review": review, "snapshot": review.snapshot, "actions": review.actions.all(),
        "generated": timezone.now(), "user": manager, "today": timezone.localdate()})
    assert manager.email not in html and str(manager) in html
