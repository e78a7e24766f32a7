"""People read names, not codes: the rating, matrix and assessment pages show consequences,
levels and scales by the matrix's names (the API keeps the raw values), and "Accept this
residual risk" is offered only while the risk has no valid acceptance — a second acceptance is
refused until the renewal window of the current one (its last 30 days)."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chainward.access.models import User
from chainward.risk import services
from chainward.risk.models import RENEWAL_WINDOW, Rating, RiskAcceptance, RiskMatrix
from tests.support.bulk import fixture_writes

# The demo's High/Critical acceptances are top management's (matrix acceptance authority): the
# person who accepts and renews them here is the managing director.
MANAGER = "h.brandt@abc-logistics.example"
RAW = re.compile(r"\{'|\{&#x27;|\[\{|&quot;ref_id|'ref_id'|\{&quot;")


@pytest.fixture
def manager(demo, client):
    user = User.objects.get(email=MANAGER)
    client.force_login(user)
    return user


def accepted_rating(organisation):
    today = timezone.localdate()
    acceptance = RiskAcceptance.objects.filter(
        organisation=organisation, archived=False,
        valid_until__gt=today + RENEWAL_WINDOW).select_related("rating").order_by("pk").first()
    return acceptance.rating, acceptance


def test_no_accept_button_while_an_acceptance_is_valid(client, demo, manager):
    rating, acceptance = accepted_rating(demo)
    page = client.get(rating.get_absolute_url()).content.decode()
    assert "Accept this residual risk" not in page and "Renew this acceptance" not in page
    current = page.split('id="current-acceptance"')[1].split("</dd>")[0]
    assert acceptance.reference in current and str(manager) in current
    assert f"valid until {acceptance.valid_until:%Y-%m-%d}" in current
    # The service refuses a second acceptance with a clear message.
    with pytest.raises(ValidationError, match=f"already accepted: {acceptance.reference}"):
        services.accept_risk(manager, rating, justification="again",
                             valid_until=acceptance.valid_until + datetime.timedelta(days=90))
    # And so does the form.
    response = client.post("/risk/acceptances/add/", {
        "rating": rating.pk, "justification": "again", "conditions": "",
        "valid_until": f"{acceptance.valid_until + datetime.timedelta(days=90):%Y-%m-%d}"})
    assert response.status_code == 400 and "already accepted" in response.content.decode()
    assert RiskAcceptance.objects.filter(rating=rating).count() == 1


def test_renewal_in_the_last_month_and_after_expiry(client, demo, manager):
    rating, acceptance = accepted_rating(demo)
    today = timezone.localdate()
    with fixture_writes(RiskAcceptance):
        RiskAcceptance.objects.filter(pk=acceptance.pk).update(
            valid_until=today + datetime.timedelta(days=10))
    page = client.get(rating.get_absolute_url()).content.decode()
    assert "Renew this acceptance" in page
    renewed = services.accept_risk(manager, rating, justification="Renewed after review",
                                   valid_until=today + datetime.timedelta(days=365))
    page = client.get(rating.get_absolute_url()).content.decode()
    assert renewed.reference in page.split('id="current-acceptance"')[1].split("</dd>")[0]
    assert "Renew this acceptance" not in page and "Accept this residual risk" not in page
    # Once every acceptance has lapsed, the risk is offered for acceptance again.
    with fixture_writes(RiskAcceptance):
        RiskAcceptance.objects.filter(rating=rating).update(
            valid_until=today - datetime.timedelta(days=1))
    page = client.get(rating.get_absolute_url()).content.decode()
    assert "Accept this residual risk" in page and "not accepted" in page


def test_rating_page_shows_names_and_the_api_raw_values(client, demo, manager):
    rating = Rating.objects.filter(organisation=demo, archived=False).exclude(
        consequences={}).select_related("assessment__matrix").order_by("-inherent_rank").first()
    matrix = rating.assessment.matrix
    page = client.get(rating.get_absolute_url()).content.decode()
    assert not RAW.search(page)
    names = {c["ref_id"]: c["name"] for c in matrix.consequence_categories}
    scale = {lv["value"]: lv["name"] for lv in matrix.consequence_levels}
    consequences = page.split('id="consequences">')[1].split("</dd>")[0]
    for ref_id, value in rating.consequences.items():
        assert f"{names[ref_id]}: {value} ({scale[value]})" in consequences
    inherent = matrix.level_info(rating.inherent_level)["name"]
    assert f'id="inherent-level">{inherent}<' in page
    # No field shows a level code or a bare number without its name.
    codes = "|".join(re.escape(lv["ref_id"]) for lv in matrix.risk_levels)
    assert not re.search(rf'text-break">\s*({codes})\s*</dd>', page)
    for label in ("Inherent level</dt><dd class=\"col-sm-8 text-break", "Consequence per "
                  "category</dt><dd class=\"col-sm-8 text-break"):
        assert label not in page
    api = client.get(f"/api/risk/register/{rating.pk}/").json()
    assert api["consequences"] == rating.consequences
    assert api["inherent_level"] == rating.inherent_level
    assert api["residual_level"] == rating.residual_level


def test_matrix_and_assessment_pages_show_no_raw_data(client, demo, manager):
    matrix = RiskMatrix.objects.get(organisation=demo)
    page = client.get(matrix.get_absolute_url()).content.decode()
    assert not RAW.search(page)
    acceptance = matrix.level_info(matrix.acceptance_level)["name"]
    assert acceptance in page.split('id="acceptance-level"')[1].split("</p>")[0]
    assert not re.search(rf'text-break">\s*{re.escape(matrix.acceptance_level)}\s*</dd>', page)
    for level in (*matrix.likelihood_levels, *matrix.consequence_levels,
                  *matrix.consequence_categories):
        assert level["name"] in page
    assessment = matrix.assessments.get()
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert not RAW.search(page)
    assert client.get(f"/api/risk/matrices/{matrix.pk}/").json()["grid"] == matrix.grid
