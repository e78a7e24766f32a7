"""Risk acceptance rules hold on every path that can write one (issue 10, findings 2, 3, 7).

The same attempt goes through the UI (create and edit), the API (create and PATCH) and the
service; a refused attempt writes nothing (same row, same version, no ledger entry). Risk
acceptances cannot be imported at all (checked here too).

Rules, as decided (see `risk/services.py`, acceptance section):
* independence: the assessor of the rating's assessment never accepts its risk (finding 2);
* "accepted by" and "accepted on" are set once, by the service, when the acceptance is made;
  the rating never changes either. Afterwards only the acceptor may amend their own words
  (justification, conditions); anyone holding `change` may bring the expiry forward; nobody
  extends it (that is a renewal: a new acceptance); an expired or archived one is closed
  (finding 3);
* authority: the matrix names who accepts each level; High and Critical (default matrix) need
  the Top management role over the rating; an Administrator is not top management (finding 7).
"""

import datetime
import itertools
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chainward.access.models import Role, RoleAssignment, User
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk import services
from chainward.risk.models import MATRIX_FIELDS, RiskAcceptance, RiskMatrix, SecurityAssessment

from .support import load_catalogues, rating, threat

TODAY = datetime.date.today
_numbers = itertools.count(1)


@pytest.fixture
def catalogues(db):
    load_catalogues()


@pytest.fixture
def people(world):
    users = world["users"]
    return {"manager": users["security_manager__org"], "top": users["top_management__org"],
            "admin": users["administrator__org"], "contributor": users["contributor__org"]}


def manager_with_top_management_at_s1(world):
    """A Security manager of the whole organisation who holds Top management over site S1
    only (the world has no such persona): the authority must cover the rating's site."""
    with actor_context(None, name="acceptance tests"):
        user = User.objects.create_user("top.s1@a.example", None, full_name="Top S1")
        RoleAssignment.objects.create(organisation=world["org_a"], user=user, all_sites=True,
                                      role=Role.objects.get(name="Security manager"))
        assignment = RoleAssignment.objects.create(
            organisation=world["org_a"], user=user, all_sites=False,
            role=Role.objects.get(name="Top management"))
        assignment.sites.add(world["s1"])
    return user


def in_days(days):
    return TODAY() + datetime.timedelta(days=days)


def strict_matrix(organisation):
    """The default matrix with the appetite lowered to Low: Medium (authority: Security
    manager) then needs a formal acceptance."""
    existing = RiskMatrix.objects.filter(organisation=organisation, name="Strict").first()
    if existing:
        return existing
    default = services.default_matrix(organisation)
    fields = {f: getattr(default, f) for f in MATRIX_FIELDS}
    fields["acceptance_level"] = "low"
    return RiskMatrix.objects.create(organisation=organisation, name="Strict", **fields)


def above_appetite(world, assessor, level="critical", site="s1"):
    """A rating above the appetite at `level` ("critical" on the default matrix, "medium" on the
    strict one), at site S1 or S2, in an assessment led by `assessor`."""
    organisation = world["org_a"]
    with actor_context(None, name="acceptance tests"):
        matrix = strict_matrix(organisation) if level == "medium" else \
            services.default_matrix(organisation)
        assessment = SecurityAssessment.objects.create(
            organisation=organisation, title=f"Assessment {next(_numbers)}", matrix=matrix,
            assessor=assessor)
        assessment.sites.set([world[site]])
    likelihood, consequences = {"critical": (5, {"legal": 5}), "medium": (2, {"legal": 3})}[level]
    made = rating(assessment, threat(assessment), site=world[site], likelihood=likelihood,
                  consequences=consequences, decision="accept", owner=assessor)
    assert made.residual_level == level and made.above_appetite
    return made


def accepted(rating_, by, days=90, **extra):
    """An acceptance written directly (fixture data, independent of the code under test)."""
    with actor_context(None, name="acceptance tests"):
        return RiskAcceptance.objects.create(
            organisation=rating_.organisation, rating=rating_, accepted_by=by,
            justification="Original justification", conditions="Original conditions",
            valid_until=in_days(days), **extra)


def state(acceptance):
    """Everything a refused attempt must leave as it was, including the ledger."""
    row = RiskAcceptance.objects.get(pk=acceptance.pk)
    entries = LedgerEntry.objects.filter(object_type="risk.riskacceptance",
                                         object_id=str(acceptance.pk)).count()
    return (row.version, row.rating_id, row.accepted_by_id, row.accepted_on, row.justification,
            row.conditions, row.valid_until, row.archived, entries)


def form(acceptance, **changes):
    data = {"rating": acceptance.rating_id, "justification": acceptance.justification,
            "conditions": acceptance.conditions,
            "valid_until": acceptance.valid_until.isoformat(), "version": acceptance.version}
    data.update(changes)
    return data


def ui_edit(client, user, acceptance, **changes):
    client.force_login(user)
    return client.post(f"/risk/acceptances/{acceptance.pk}/edit/", form(acceptance, **changes))


def ui_add(client, user, rating_, days=60):
    client.force_login(user)
    return client.post("/risk/acceptances/add/", {
        "rating": rating_.pk, "justification": "Accepted in the UI",
        "valid_until": in_days(days).isoformat()})


def api_patch(client, user, acceptance, **changes):
    client.force_login(user)
    return client.patch(f"/api/risk/acceptances/{acceptance.pk}/",
                        data=json.dumps({**changes, "version": acceptance.version}),
                        content_type="application/json")


def api_add(client, user, rating_, days=60):
    client.force_login(user)
    return client.post("/api/risk/acceptances/", data=json.dumps({
        "rating": rating_.pk, "justification": "Accepted through the API",
        "valid_until": in_days(days).isoformat()}), content_type="application/json")


def text(response):
    return response.content.decode()


def field_errors(response):
    """The API's field errors (problem details keep them under "errors")."""
    body = response.json()
    return body.get("errors", body)


# --- finding 2: independence of the acceptor, on every path ----------------------------------
def test_patch_cannot_move_an_acceptance_onto_a_rating_the_patcher_assessed(
        client, world, catalogues, people):
    manager = people["manager"]
    theirs = above_appetite(world, people["contributor"], "medium")
    acceptance = accepted(theirs, manager)
    own = above_appetite(world, manager, "medium")
    before = state(acceptance)
    response = api_patch(client, manager, acceptance, rating=own.pk)
    assert response.status_code == 400, text(response)
    assert "rating" in field_errors(response)
    assert state(acceptance) == before


def test_ui_edit_cannot_move_an_acceptance_onto_another_rating(client, world, catalogues,
                                                               people):
    manager = people["manager"]
    acceptance = accepted(above_appetite(world, people["contributor"], "medium"), manager)
    own = above_appetite(world, manager, "medium")
    before = state(acceptance)
    response = ui_edit(client, manager, acceptance, rating=own.pk)
    assert response.status_code in (400, 403), text(response)[:500]
    assert state(acceptance) == before


def test_service_refuses_to_move_an_acceptance_onto_another_rating(world, catalogues, people):
    manager = people["manager"]
    acceptance = accepted(above_appetite(world, people["contributor"], "medium"), manager)
    own = above_appetite(world, manager, "medium")
    other = above_appetite(world, people["contributor"], "medium")
    before = state(acceptance)
    for target in (own, other):
        with pytest.raises(ValidationError) as refused:
            services.change_acceptance(manager, RiskAcceptance.objects.get(pk=acceptance.pk),
                                       rating=target, expected_version=acceptance.version)
        assert "rating" in refused.value.message_dict
    assert state(acceptance) == before


def test_assessor_cannot_accept_their_own_assessments_risk_on_any_path(client, world,
                                                                       catalogues, people):
    manager = people["manager"]
    own = above_appetite(world, manager, "medium")
    with pytest.raises(PermissionDenied, match="assessor"):
        services.accept_risk(manager, own, justification="Mine", valid_until=in_days(30))
    response = ui_add(client, manager, own)
    assert response.status_code == 403 and "assessor" in text(response)
    response = api_add(client, manager, own)
    assert response.status_code == 403 and "assessor" in text(response), text(response)
    assert not RiskAcceptance.objects.filter(rating=own).exists()


def test_acceptor_cannot_become_the_assessor_of_the_accepted_risk(client, world, catalogues,
                                                                  people):
    manager, contributor = people["manager"], people["contributor"]
    risk = above_appetite(world, contributor, "medium")
    accepted(risk, manager)
    assessment = risk.assessment
    client.force_login(people["admin"])
    response = client.patch(f"/api/risk/assessments/{assessment.pk}/", data=json.dumps(
        {"assessor": manager.pk, "version": assessment.version}),
        content_type="application/json")
    assert response.status_code == 400 and "assessor" in field_errors(response), text(response)
    assessment.refresh_from_db()
    assert assessment.assessor == contributor


def test_acceptances_cannot_be_imported(client, world, catalogues, people):
    client.force_login(people["admin"])
    assert client.get("/risk/acceptances/import/").status_code == 403
    assert client.post("/risk/acceptances/import/", {}).status_code == 403


def test_a_non_assessor_accepts_through_the_api_as_themselves(client, world, catalogues,
                                                              people):
    manager = people["manager"]
    risk = above_appetite(world, people["contributor"], "medium")
    response = api_add(client, manager, risk)
    assert response.status_code == 201, text(response)
    made = RiskAcceptance.objects.get(rating=risk)
    assert made.accepted_by == manager and made.accepted_on == timezone.localdate()
    assert response.json()["accepted_by"] == manager.pk


# --- finding 3: "accepted by" is evidence, set once ------------------------------------------
def test_ui_edit_by_someone_else_cannot_rewrite_the_acceptors_words(client, world, catalogues,
                                                                    people):
    acceptance = accepted(above_appetite(world, people["contributor"]), people["top"])
    before = state(acceptance)
    response = ui_edit(client, people["manager"], acceptance, justification="Rewritten")
    assert response.status_code == 403, text(response)[:500]
    assert "Only" in text(response)
    assert state(acceptance) == before


def test_ui_edit_bringing_the_expiry_forward_keeps_who_accepted_and_when(client, world,
                                                                         catalogues, people):
    acceptance = accepted(above_appetite(world, people["contributor"]), people["top"],
                          accepted_on=in_days(-10))
    response = ui_edit(client, people["manager"], acceptance,
                       valid_until=in_days(20).isoformat())
    assert response.status_code == 302, text(response)[:2000]
    acceptance.refresh_from_db()
    assert acceptance.accepted_by == people["top"]
    assert acceptance.accepted_on == in_days(-10)
    assert acceptance.valid_until == in_days(20)
    assert acceptance.updated_by == people["manager"]


def test_api_patch_by_someone_else_cannot_rewrite_the_acceptors_words(client, world,
                                                                      catalogues, people):
    acceptance = accepted(above_appetite(world, people["contributor"]), people["top"])
    before = state(acceptance)
    for field in ("justification", "conditions"):
        response = api_patch(client, people["manager"], acceptance, **{field: "Rewritten"})
        assert response.status_code == 403, text(response)
    assert state(acceptance) == before


def test_accepted_by_and_accepted_on_cannot_be_set_through_the_api(client, world, catalogues,
                                                                   people):
    acceptance = accepted(above_appetite(world, people["contributor"]), people["top"])
    response = api_patch(client, people["top"], acceptance, accepted_by=people["manager"].pk,
                         accepted_on="2020-01-01")
    assert response.status_code in (200, 400), text(response)
    acceptance.refresh_from_db()
    assert acceptance.accepted_by == people["top"]
    assert acceptance.accepted_on == timezone.localdate()


def test_an_acceptance_is_never_extended_on_any_path(client, world, catalogues, people):
    acceptance = accepted(above_appetite(world, people["contributor"]), people["top"], days=40)
    before = state(acceptance)
    later = in_days(400)
    response = api_patch(client, people["top"], acceptance, valid_until=later.isoformat())
    assert response.status_code == 400 and "valid_until" in field_errors(response)
    response = ui_edit(client, people["top"], acceptance, valid_until=later.isoformat())
    assert response.status_code == 400 and "renew" in text(response).lower()
    with pytest.raises(ValidationError):
        services.change_acceptance(people["top"], RiskAcceptance.objects.get(pk=acceptance.pk),
                                   valid_until=later)
    assert state(acceptance) == before


def test_the_acceptor_may_amend_their_own_words_on_every_path(client, world, catalogues,
                                                              people):
    top = people["top"]
    acceptance = accepted(above_appetite(world, people["contributor"]), top)
    response = ui_edit(client, top, acceptance, justification="Amended in the UI")
    assert response.status_code == 302, text(response)[:2000]
    acceptance.refresh_from_db()
    response = api_patch(client, top, acceptance, conditions="Amended through the API")
    assert response.status_code == 200, text(response)
    acceptance.refresh_from_db()
    services.change_acceptance(top, acceptance, justification="Amended by the service",
                               expected_version=acceptance.version)
    acceptance.refresh_from_db()
    assert (acceptance.justification, acceptance.conditions) == (
        "Amended by the service", "Amended through the API")
    assert acceptance.accepted_by == top and acceptance.version == 4
    actors = set(LedgerEntry.objects.filter(
        object_type="risk.riskacceptance", object_id=str(acceptance.pk),
        action="update").values_list("actor_name", flat=True))
    assert actors == {top.email}


def test_an_expired_acceptance_is_a_closed_record(client, world, catalogues, people):
    top = people["top"]
    acceptance = accepted(above_appetite(world, people["contributor"]), top, days=-1)
    before = state(acceptance)
    response = api_patch(client, top, acceptance, justification="Too late")
    assert response.status_code == 400, text(response)
    response = ui_edit(client, top, acceptance, justification="Too late")
    assert response.status_code == 400
    assert state(acceptance) == before


# --- finding 7: acceptance authority per matrix level -----------------------------------------
@pytest.mark.parametrize("who", ["manager", "admin"])
def test_top_management_levels_are_refused_to_anyone_else_on_every_path(
        client, world, catalogues, people, who):
    user = people[who]
    risk = above_appetite(world, people["contributor"], "critical")
    with pytest.raises(PermissionDenied, match="Top management"):
        services.accept_risk(user, risk, justification="Not mine to accept",
                             valid_until=in_days(30))
    response = ui_add(client, user, risk)
    assert response.status_code == 403 and "Top management" in text(response)
    response = api_add(client, user, risk)
    assert response.status_code == 403 and "Top management" in text(response), text(response)
    assert not RiskAcceptance.objects.filter(rating=risk).exists()


def test_top_management_accepts_critical_risks_on_every_path(client, world, catalogues,
                                                            people):
    top = people["top"]
    by_service, by_ui, by_api = (above_appetite(world, people["contributor"], "critical")
                                 for _ in range(3))
    services.accept_risk(top, by_service, justification="Board decision",
                         valid_until=in_days(30))
    assert ui_add(client, top, by_ui).status_code == 302
    response = api_add(client, top, by_api)
    assert response.status_code == 201, text(response)
    for risk in (by_service, by_ui, by_api):
        assert RiskAcceptance.objects.get(rating=risk).accepted_by == top


def test_top_management_cannot_accept_their_own_assessments_risk(world, catalogues, people):
    top = people["top"]
    risk = above_appetite(world, top, "critical")
    with pytest.raises(PermissionDenied, match="assessor"):
        services.accept_risk(top, risk, justification="Mine", valid_until=in_days(30))
    assert not RiskAcceptance.objects.exists()


def test_top_management_over_some_sites_accepts_only_there(world, catalogues, people):
    top_site = manager_with_top_management_at_s1(world)
    away = above_appetite(world, people["contributor"], "critical", site="s2")
    with pytest.raises(PermissionDenied, match="Top management"):
        services.accept_risk(top_site, away, justification="Not my site",
                             valid_until=in_days(30))
    home = above_appetite(world, people["contributor"], "critical", site="s1")
    made = services.accept_risk(top_site, home, justification="My site",
                                valid_until=in_days(30))
    assert made.accepted_by == top_site
    assert not RiskAcceptance.objects.filter(rating=away).exists()


def test_security_manager_levels_are_accepted_by_the_manager_and_top_management(
        world, catalogues, people):
    for who in ("manager", "top"):
        risk = above_appetite(world, people["contributor"], "medium")
        made = services.accept_risk(people[who], risk, justification="Within our authority",
                                    valid_until=in_days(30))
        assert made.accepted_by == people[who]


def test_amending_needs_the_authority_the_acceptance_was_made_with(world, catalogues, people):
    # A manager's acceptance of a critical risk (made before the rule) cannot be re-affirmed
    # by that manager: amending their words needs the level's authority too.
    manager = people["manager"]
    acceptance = accepted(above_appetite(world, people["contributor"]), manager)
    before = state(acceptance)
    with pytest.raises(PermissionDenied, match="Top management"):
        services.change_acceptance(manager, acceptance, justification="Re-affirmed")
    assert state(acceptance) == before


def test_matrix_page_names_who_accepts_each_level(client, world, catalogues, people):
    with actor_context(None, name="acceptance tests"):
        matrix = services.default_matrix(world["org_a"])
    client.force_login(people["manager"])
    page = text(client.get(matrix.get_absolute_url()))
    authority = page.split('id="acceptance-authority"')[1].split("</table>")[0]
    rows = {cells[0]: cells[1] for cells in (
        [c.split(">", 1)[1].split("<")[0].strip() for c in row.split("<td")[1:3]]
        for row in authority.split("<tr")[1:]) if len(cells) == 2}
    assert rows == {"Low": "Risk owner", "Medium": "Security manager",
                    "High": "Top management", "Critical": "Top management"}
    assert "top_management" not in page
