"""The competence matrix, the people and training lists (pages and API), the organisation
chart and the dashboard cost the same number of queries at 10 people × 10 requirements and at
1,000 people × 50 requirements (issue 16 acceptance)."""

import pytest

from chainward.core.models import ReferenceCounter
from chainward.ledger.context import actor_context
from chainward.people.models import (
    Appointment,
    CompetenceRequirement,
    Person,
    SecurityRole,
    TrainingRecord,
)
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def _bulk(model, org, prefix, rows):
    for row, ref in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)), strict=True):
        row.organisation, row.reference = org, ref
    return model.objects.bulk_create(rows)


def fill(world, people, requirements):
    """People at S1 and S2 holding a role (per site) that requires every requirement, each
    with a training record of every other requirement (a fixture written in bulk, said so);
    the small world through the ledgered path."""
    org = world["org_a"]
    sites = (world["s1"], world["s2"])
    if people <= 10:
        with actor_context(None, name="query budget"):
            needs = [f.requirement(org, f"Competence {j}", validity_months=12)
                     for j in range(requirements)]
            for site in sites:
                role = f.role(org, f"Officer {site.code}", site=site, positions=people)
                role.required_competences.add(*needs)
            for i in range(people):
                person = f.person(org, f"Person {i:04d}", site=sites[i % 2])
                f.appoint(SecurityRole.objects.get(name=f"Officer {sites[i % 2].code}"),
                          person)
                for j, need in enumerate(needs):
                    if (i + j) % 2:
                        f.training(person, need, completed_on=f.days(-50 * j))
        return
    with fixture_writes(CompetenceRequirement, Person, Appointment, TrainingRecord):
        have = CompetenceRequirement.objects.filter(organisation=org).count()
        needs = list(CompetenceRequirement.objects.filter(organisation=org)) + _bulk(
            CompetenceRequirement, org, "CMP",
            [CompetenceRequirement(name=f"Competence {j}", validity_months=12)
             for j in range(have, requirements)])
        roles = {r.site_id: r for r in SecurityRole.objects.filter(organisation=org)}
        for role in roles.values():
            role.required_competences.add(*needs)
        start = Person.objects.filter(organisation=org).count()
        created = _bulk(Person, org, "PER", [Person(full_name=f"Person {i:04d}",
                                                    site=sites[i % 2])
                                             for i in range(start, people)])
        _bulk(Appointment, org, "APP", [
            Appointment(role=roles[p.site_id], person=p, site_id=p.site_id,
                        since=f.days(-100)) for p in created])
        _bulk(TrainingRecord, org, "TRN", [
            TrainingRecord(person=p, requirement=need, site_id=p.site_id, course="c",
                           completed_on=f.days(-30 * (j % 14)),
                           expires_on=f.days(365 - 30 * (j % 14)))
            for i, p in enumerate(created) for j, need in enumerate(needs) if (i + j) % 2])


@pytest.mark.parametrize("persona", ["site_security_officer__site", "security_manager__org"])
def test_the_competence_matrix_costs_the_same_at_10x10_and_1000x50(client, world, persona):
    client.force_login(world["users"][persona])
    urls = ("/people/matrix/", "/people/matrix/?page=2", f"/people/matrix/?site={world['s1'].pk}",
            "/people/people/?per_page=100", "/api/people/people/?limit=1000",
            "/people/training/?per_page=100&validity=expired",
            "/api/people/training/?limit=1000", "/people/chart/", "/")
    fill(world, 10, 10)
    small = [count_queries(client, url) for url in urls]
    fill(world, 1000, 50)
    assert Person.objects.count() == 1000
    assert CompetenceRequirement.objects.count() == 50
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 x 10 {small}, at 1,000 x 50 {large}"
    page = client.get("/people/matrix/").content.decode()
    assert page.count('<th scope="row">') == 50  # a page of 50 people
