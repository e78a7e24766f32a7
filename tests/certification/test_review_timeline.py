"""A management review happens in a possible order: its pack is compiled on or before the
meeting day, the meeting is recorded as held on or after that day and never before the pack
existed, and a held review's date cannot be moved into the future. Enforced in the services
(the UI and the API go through them) and in the model (edit form, API)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chainward.certification import services
from chainward.certification.models import ManagementReview
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

from . import factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(db):
    world = build_world()
    world["manager"] = world["users"]["security_manager__org"]
    return world


def _review(world, title, date):
    with actor_context(None, name="fixture"):
        review = f.review(world, world["org_a"], title)
    with fixture_writes(ManagementReview):
        ManagementReview.objects.filter(pk=review.pk).update(date=date)
    review.refresh_from_db()
    return review


def test_compiling_for_a_past_meeting_is_refused(world):
    today = timezone.localdate()
    review = _review(world, "Last week", today - 7 * DAY)
    with pytest.raises(PermissionDenied, match="is past"):
        services.compile_pack(world["manager"], review)
    review.refresh_from_db()
    assert review.status == "planned" and not review.snapshot and review.compiled_at is None
    # Postponed: once the date is moved, the pack can be compiled.
    review.date = today + 3 * DAY
    services.compile_pack(world["manager"], review)
    assert review.status == "compiled"


def test_compiling_on_the_meeting_day_or_before_is_allowed(world):
    today = timezone.localdate()
    for title, date in (("Today", today), ("Next month", today + 30 * DAY)):
        review = services.compile_pack(world["manager"], _review(world, title, date))
        assert review.status == "compiled"
        assert timezone.localdate(review.compiled_at) <= review.date


def test_a_held_review_is_never_compiled_again(world):
    review = services.compile_pack(world["manager"],
                                   _review(world, "Held", timezone.localdate()))
    services.mark_held(world["manager"], review)
    with pytest.raises(PermissionDenied, match="was held"):
        services.compile_pack(world["manager"], review)


def test_holding_a_future_meeting_is_refused(world):
    today = timezone.localdate()
    review = services.compile_pack(world["manager"], _review(world, "Soon", today + 2 * DAY))
    with pytest.raises(PermissionDenied, match="is in the future"):
        services.mark_held(world["manager"], review)
    review.refresh_from_db()
    assert review.status == "compiled"


def test_holding_a_meeting_dated_before_its_pack_is_refused(world):
    today = timezone.localdate()
    review = services.compile_pack(world["manager"], _review(world, "Backdated", today))
    with fixture_writes(ManagementReview):
        ManagementReview.objects.filter(pk=review.pk).update(date=today - 2 * DAY)
    review.refresh_from_db()
    with pytest.raises(PermissionDenied, match="before the pack was compiled"):
        services.mark_held(world["manager"], review)
    review.refresh_from_db()
    assert review.status == "compiled"


def test_a_held_review_date_stays_possible(world):
    today = timezone.localdate()
    review = services.compile_pack(world["manager"], _review(world, "Held", today))
    services.mark_held(world["manager"], review)
    review.date = today + 5 * DAY
    with pytest.raises(ValidationError) as raised:
        review.full_clean()
    assert "future" in raised.value.message_dict["date"][0]
    review.date = today - 5 * DAY
    with pytest.raises(ValidationError) as raised:
        review.full_clean()
    assert "compiled on" in raised.value.message_dict["date"][0]
    review.date = today
    review.full_clean()


def test_ui_and_api_refuse_impossible_dates(world, client):
    today = timezone.localdate()
    past = _review(world, "Past", today - 3 * DAY)
    client.force_login(world["manager"])
    page = client.get(past.get_absolute_url()).content.decode()
    assert "Compile the review pack" not in page and 'id="compile-note"' in page
    response = client.post(f"/certification/reviews/{past.pk}/compile/", follow=True)
    assert "is past" in response.content.decode()
    past.refresh_from_db()
    assert past.status == "planned"

    future = services.compile_pack(world["manager"], _review(world, "Future", today + 4 * DAY))
    page = client.get(future.get_absolute_url()).content.decode()
    assert "Record as held" not in page and 'id="held-note"' in page
    response = client.post(f"/certification/reviews/{future.pk}/held/", follow=True)
    assert "is in the future" in response.content.decode()
    future.refresh_from_db()
    assert future.status == "compiled"

    held = services.compile_pack(world["manager"], _review(world, "Held", today))
    services.mark_held(world["manager"], held)
    response = client.patch(f"/api/certification/reviews/{held.pk}/",
                            {"date": (today + 9 * DAY).isoformat()},
                            content_type="application/json")
    assert response.status_code == 400 and "date" in response.json()["errors"]
    held.refresh_from_db()
    assert held.date == today
