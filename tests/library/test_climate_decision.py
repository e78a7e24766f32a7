"""The climate-change decision of ISO 28000:2022/Amd 1:2024 has a structured place (issue 12):
the catalogue marks the amendment on 4.1 and 4.2, and the context register records the 4.1
decision as an issue of category "climate" with its answer (relevant or not) and its reasons,
refused without reasons — and, when relevant, without what follows from it — through the page
and the API alike (one rule, in the model's clean)."""

import json

import pytest

from chainward.context.models import ContextIssue


def issue_form(**changes):
    data = {"title": "Climate change (Amd 1:2024 decision)", "origin": "external",
            "category": "climate", "description": "Storm surges in the port area.",
            "effect": "risk", "relevance": "relevant",
            "rationale": "Two flood warnings closed the port roads last winter.",
            "consequences": "Flooding added to the site security plan.",
            "decided_on": "2026-01-15", "review_date": "2027-01-15"}
    data.update(changes)
    return data


@pytest.fixture
def manager(client, world):
    client.force_login(world["users"]["security_manager__org"])
    return world["users"]["security_manager__org"]


def post_page(client, data):
    return client.post("/context/issues/add/", data)


def post_api(client, data):
    return client.post("/api/context/issues/", data=json.dumps(data),
                       content_type="application/json")


@pytest.mark.parametrize("post", [post_page, post_api], ids=["page", "api"])
def test_a_climate_decision_with_its_reasons_is_recorded(client, manager, post):
    response = post(client, issue_form())
    assert response.status_code in (201, 302), response.content.decode()[:2000]
    issue = ContextIssue.objects.get()
    assert (issue.category, issue.relevance) == ("climate", "relevant")
    assert issue.rationale.startswith("Two flood warnings")


@pytest.mark.parametrize("post", [post_page, post_api], ids=["page", "api"])
@pytest.mark.parametrize("changes,field,says", [
    ({"rationale": "  "}, "rationale", "why climate change is or is not relevant"),
    ({"relevance": "not_relevant", "rationale": "", "consequences": ""}, "rationale",
     "why climate change is or is not relevant"),  # not relevant is a decision too
    ({"consequences": ""}, "consequences", "what follows from it"),  # relevant: and then?
])
def test_a_climate_decision_without_its_reasons_is_refused(client, manager, post, changes,
                                                           field, says):
    response = post(client, issue_form(**changes))
    if post is post_api:
        assert response.status_code == 400, response.content
        assert says in json.dumps(response.json())
        assert field in json.dumps(response.json())
    else:  # the form comes back with the field's error (400 or 200: the layout's choice)
        assert response.status_code in (200, 400)
        assert says in response.content.decode()
    assert not ContextIssue.objects.exists()


@pytest.mark.parametrize("post", [post_page, post_api], ids=["page", "api"])
def test_not_relevant_needs_reasons_but_no_consequences(client, manager, post):
    response = post(client, issue_form(relevance="not_relevant", consequences="",
                                       rationale="No site is in a flood or heat risk area."))
    assert response.status_code in (201, 302), response.content.decode()[:2000]
    assert ContextIssue.objects.get().relevance == "not_relevant"


def test_other_issues_need_no_climate_reasons(client, manager):
    response = post_page(client, issue_form(category="political", rationale="",
                                            consequences=""))
    assert response.status_code == 302, response.content.decode()[:2000]
