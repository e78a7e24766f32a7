"""The audits API warns of an auditor without the required competence as the audit page does
(issue 16; ISO 28000 9.2, 7.2): `competence_warnings` on create, PATCH, read and list, from
the one rule `people.services.auditor_competence_gaps`. A warning, not a refusal: the write
succeeds. The expected wording is written here by hand."""

import json

import pytest

from chainward.audits.models import Audit
from chainward.ledger.context import actor_context
from tests.people import factories as people

from . import factories as f

EXPIRED = "lacks ISO 28000 internal auditor course (expired)"
NO_RECORD = "no staff record shows their auditor competence"


@pytest.fixture
def trained(world):
    """The internal-auditor role requires the course: the org auditor holds it (valid), the
    contributor's lapsed; the viewer has no staff record."""
    org, users = world["org_a"], world["users"]
    with actor_context(None, name="fixture"):
        course = people.requirement(org, "ISO 28000 internal auditor course",
                                    validity_months=36)
        role = people.role(org, "Internal auditor", kind="internal_auditor")
        role.required_competences.add(course)
        valid = people.person(org, "Ines Valid", user=users["internal_auditor__org"])
        people.training(valid, course, completed_on=people.days(-100))
        lapsed = people.person(org, "Lars Lapsed", user=users["contributor__org"])
        people.training(lapsed, course, completed_on=people.days(-1200))
    return users


@pytest.fixture
def api(client, world):
    client.force_login(world["users"]["security_manager__org"])
    return client


def body(world, **overrides):
    data = {"title": "Hamburg gate audit", "audit_type": "internal",
            "planned_start": f.days(5).isoformat(), "planned_end": f.days(6).isoformat(),
            "sites": [world["s1"].pk]}
    data.update(overrides)
    return json.dumps(data)


def warnings(response):
    return {(w["auditor"], w["reason"]) for w in response.json()["competence_warnings"]}


def test_create_with_a_lapsed_auditor_succeeds_and_warns(api, world, trained):
    response = api.post("/api/audits/audits/", data=body(
        world, lead_auditor=trained["internal_auditor__org"].pk,
        team=[trained["contributor__org"].pk, trained["viewer__org"].pk]),
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert warnings(response) == {(trained["contributor__org"].pk, EXPIRED),
                                  (trained["viewer__org"].pk, NO_RECORD)}
    assert Audit.objects.get(pk=response.json()["id"]).team.count() == 2


def test_create_with_a_competent_auditor_has_no_warning(api, world, trained):
    response = api.post("/api/audits/audits/", data=body(
        world, lead_auditor=trained["internal_auditor__org"].pk),
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["competence_warnings"] == []


def test_patch_adding_a_lapsed_auditor_succeeds_and_warns(api, world, trained):
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Gate audit", sites=[world["s1"]],
                        lead_auditor=trained["internal_auditor__org"])
    url = f"/api/audits/audits/{audit.pk}/"
    assert api.get(url).json()["competence_warnings"] == []
    response = api.patch(url, data=json.dumps(
        {"team": [trained["contributor__org"].pk], "version": audit.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert warnings(response) == {(trained["contributor__org"].pk, EXPIRED)}
    assert list(audit.team.all()) == [trained["contributor__org"]]
    # Read again, and in the list: the same warning.
    assert warnings(api.get(url)) == {(trained["contributor__org"].pk, EXPIRED)}
    listed = {row["id"]: row for row in api.get("/api/audits/audits/").json()["results"]}
    assert [(w["auditor"], w["reason"]) for w in listed[audit.pk]["competence_warnings"]] == [
        (trained["contributor__org"].pk, EXPIRED)]


def test_patch_replacing_the_lapsed_auditor_clears_the_warning(api, world, trained):
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Gate audit", sites=[world["s1"]],
                        lead_auditor=trained["contributor__org"])
    url = f"/api/audits/audits/{audit.pk}/"
    assert warnings(api.get(url)) == {(trained["contributor__org"].pk, EXPIRED)}
    response = api.patch(url, data=json.dumps(
        {"lead_auditor": trained["internal_auditor__org"].pk, "version": audit.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["competence_warnings"] == []


def test_the_list_warns_per_audit(api, world, trained):
    with actor_context(None, name="fixture"):
        fine = f.audit(world["org_a"], "Fine audit", sites=[world["s1"]],
                       lead_auditor=trained["internal_auditor__org"])
        lapsed = f.audit(world["org_a"], "Lapsed audit", sites=[world["s2"]],
                         lead_auditor=trained["internal_auditor__org"])
        lapsed.team.set([trained["contributor__org"], trained["internal_auditor__org"]])
        unknown = f.audit(world["org_a"], "Unknown audit", sites=[world["s2"]],
                          lead_auditor=trained["viewer__org"])
    rows = {row["id"]: [(w["auditor"], w["reason"]) for w in row["competence_warnings"]]
            for row in api.get("/api/audits/audits/?limit=50").json()["results"]}
    assert rows[fine.pk] == []
    assert rows[lapsed.pk] == [(trained["contributor__org"].pk, EXPIRED)]
    assert rows[unknown.pk] == [(trained["viewer__org"].pk, NO_RECORD)]


def test_a_reader_who_may_not_see_training_gets_no_warning(client, world, trained):
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Gate audit", sites=[world["s1"]],
                        lead_auditor=trained["contributor__org"])
    client.force_login(trained["viewer__org"])
    response = client.get(f"/api/audits/audits/{audit.pk}/")
    assert response.status_code == 200
    assert response.json()["competence_warnings"] == []


def test_the_page_and_the_api_word_the_warning_alike(api, world, trained):
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Gate audit", sites=[world["s1"]],
                        lead_auditor=trained["internal_auditor__org"])
        audit.team.set([trained["contributor__org"], trained["viewer__org"]])
    page = api.get(audit.get_absolute_url()).content.decode()
    box = page.split('id="auditor-competence"', 1)[1].split("</ul>", 1)[0]
    on_page = [item.split("</li>", 1)[0] for item in box.split("<li>")[1:]]
    in_api = [w["text"] for w in api.get(f"/api/audits/audits/{audit.pk}/").json()[
        "competence_warnings"]]
    assert on_page == in_api
    assert in_api == [f"{trained['contributor__org']} {EXPIRED}",
                      f"{trained['viewer__org']} {NO_RECORD}"]


def test_the_list_costs_the_same_at_3_and_40_warned_audits(api, world, trained):
    """The warnings of a page are read once for the page, not once per audit."""
    from tests.core.test_query_budget import count_queries

    def add(upto):
        with actor_context(None, name="query budget"):
            for i in range(Audit.objects.count(), upto):
                audit = f.audit(world["org_a"], f"Audit {i}", sites=[world["s2"]],
                                lead_auditor=trained["internal_auditor__org"])
                audit.team.set([trained["contributor__org"], trained["viewer__org"]][:i % 3])

    url = "/api/audits/audits/?limit=100"
    add(3)
    small = count_queries(api, url)
    add(40)
    rows = api.get(url).json()["results"]
    assert len(rows) == 40 and sum(len(row["competence_warnings"]) for row in rows) == 39
    assert count_queries(api, url) == small
