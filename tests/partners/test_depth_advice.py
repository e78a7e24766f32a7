"""Issue 17 item 4: the questionnaire depth a partner's risk score calls for is said wherever a
request is sent — after the form saves, in the API's answer, on the request's page — when the
template asks less (advice, not a refusal: the request is sent either way).

The expected scores are added up by hand from the weights in `partners.assurance`: criticality
medium 15 / critical 40, no programme 0 / a lapsed one +10, no questionnaire answered +15 /
the latest returned +25; bands from 25 medium (a questionnaire), 50 high (a questionnaire with
evidence), 75 very high (the same and a site visit or audit).
"""

import html

import pytest

from chainward.ledger.context import actor_context
from chainward.partners.assurance import depth_advice, template_depth
from chainward.partners.models import QuestionnaireRequest
from chainward.supplychain.models import ProgrammeStatus

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates(world):
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        declaration = f.template(org, "Carrier declaration", kind="declaration")
        questionnaire = f.template(org, "Carrier questionnaire")
        evidenced = f.template(org, "Carrier questionnaire with evidence")
        f.question(evidenced, "Do you log every seal number?", evidence_required=True,
                   answer_type="yes_no", order=9)
        contact = f.contact(world["carrier_a"], email="sec@nordic.example")
        critical = f.partner(org, "Critical Haulage", criticality="critical", status="active")
        critical_contact = f.contact(critical, email="sec@critical.example")
    return {"declaration": declaration, "questionnaire": questionnaire,
            "evidenced": evidenced, "contact": contact, "critical": critical,
            "critical_contact": critical_contact}


def test_how_deep_a_template_asks(templates):
    assert [template_depth(templates[k]) for k in ("declaration", "questionnaire",
                                                   "evidenced")] == [0, 1, 2]


def test_the_advice_follows_the_score(world, templates):
    medium = world["carrier_a"]  # medium, never asked: 15 + 15 = 30, medium
    assert depth_advice(medium, templates["declaration"]) == (
        "Nordic Trucking's risk score is 30 (medium): it calls for a security questionnaire; "
        "“Carrier declaration” asks for a signed security declaration.")
    assert depth_advice(medium, templates["questionnaire"]) == ""
    critical = templates["critical"]  # 40 + 15 = 55, high
    assert depth_advice(critical, templates["questionnaire"]) == (
        "Critical Haulage's risk score is 55 (high): it calls for a security questionnaire "
        "with evidence; “Carrier questionnaire” asks for a security questionnaire.")
    assert depth_advice(critical, templates["evidenced"]) == ""


def test_a_very_high_score_asks_for_a_site_visit_too(world, templates):
    critical = templates["critical"]
    with actor_context(None, name="fixture"):
        ProgrammeStatus.objects.create(organisation=world["org_a"], partner=critical,
                                       programme="aeo_s", identifier="DEAEOS-1",
                                       valid_until=f.days(-10))
        f.request(world["org_a"], "Returned", partner_obj=critical,
                  template_obj=templates["questionnaire"], status="returned")
    # 40 + 10 (lapsed programme) + 25 (returned) = 75, very high.
    assert depth_advice(critical, templates["evidenced"]) == (
        "Critical Haulage's risk score is 75 (very high): it also calls for a site visit or "
        "audit; record it as a partner review.")
    assert depth_advice(critical, templates["declaration"]).endswith(
        "it calls for a security questionnaire with evidence and a site visit or audit; "
        "“Carrier declaration” asks for a signed security declaration.")


def test_the_form_says_it_after_saving_and_the_page_keeps_it(world, client, templates,
                                                            run_on_commit):
    client.force_login(world["users"]["security_manager__org"])
    with run_on_commit():
        response = client.post("/partners/questionnaire-requests/add/", {
            "partner": world["carrier_a"].pk, "contact": templates["contact"].pk,
            "template": templates["declaration"].pk, "deadline": f.days(10).isoformat(),
            "message": ""}, follow=True)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    expected = "it calls for a security questionnaire; “Carrier declaration” asks for a " \
               "signed security declaration."
    assert expected in page
    sent = QuestionnaireRequest.objects.get(template=templates["declaration"])
    assert sent.status == "sent"  # advice, not a refusal
    again = html.unescape(client.get(sent.get_absolute_url()).content.decode())
    assert 'id="qr-depth"' in again and expected in again


def test_the_api_gives_the_same_advice_on_one_request_and_null_in_lists(world, client,
                                                                       templates, run_on_commit):
    client.force_login(world["users"]["security_manager__org"])
    with run_on_commit():
        created = client.post("/api/partners/questionnaire-requests/", {
            "partner": templates["critical"].pk, "contact": templates["critical_contact"].pk,
            "template": templates["questionnaire"].pk, "deadline": f.days(10).isoformat()},
            content_type="application/json")
    assert created.status_code == 201, created.content
    advice = depth_advice(templates["critical"], templates["questionnaire"])
    assert advice and created.json()["depth_advice"] == advice
    one = client.get(f"/api/partners/questionnaire-requests/{created.json()['id']}/").json()
    assert one["depth_advice"] == advice
    listed = client.get("/api/partners/questionnaire-requests/").json()["results"]
    assert listed and all(row["depth_advice"] is None for row in listed)
    with run_on_commit():
        enough = client.post("/api/partners/questionnaire-requests/", {
            "partner": templates["critical"].pk, "contact": templates["critical_contact"].pk,
            "template": templates["evidenced"].pk, "deadline": f.days(10).isoformat()},
            content_type="application/json")
    assert enough.status_code == 201 and enough.json()["depth_advice"] == ""
