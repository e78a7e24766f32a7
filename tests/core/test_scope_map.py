"""The scope map a user's role assignments fold into, written out by hand: custom and built-in
roles, site-limited and organisation-wide assignments, and what does not count (expired,
archived, an archived organisation). Every signed-in request computes it once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.access.models import Role, RoleAssignment, User
from chainward.core import roles
from chainward.core.registry import builtin_grants, registration
from chainward.core.scope import forget, scope_map
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Organisation, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    with actor_context(None, name="test"):
        org_a = Organisation.objects.create(name="A", country="DE")
        org_b = Organisation.objects.create(name="B", country="FR")
        gone = Organisation.objects.create(name="Gone", country="FR")
        s1 = Site.objects.create(organisation=org_a, name="S1", kind="warehouse", country="DE")
        s2 = Site.objects.create(organisation=org_a, name="S2", kind="warehouse", country="DE")
        s3 = Site.objects.create(organisation=org_b, name="S3", kind="warehouse", country="FR")
        gone.archived = True
        gone.save()
        user = User.objects.create_user("someone@a.example", "pw-Chainward-2028!")
        gate = Role.objects.create(name="Gate clerk", builtin=False,
                                   grants=["supplychain.site:view", "supplychain.leg:change"])
        viewer = Role.objects.get(name=roles.VIEWER)
    return locals()


def _assign(user, organisation, role, sites=(), **fields):
    with actor_context(None, name="test"):
        assignment = RoleAssignment.objects.create(
            organisation=organisation, user=user, role=role, all_sites=not sites, **fields)
        if sites:
            assignment.sites.set(sites)
    forget(user)
    return assignment


def test_custom_role_at_two_sites(setting):
    user, org_a = setting["user"], setting["org_a"]
    _assign(user, org_a, setting["gate"], sites=[setting["s1"], setting["s2"]])
    both = frozenset({setting["s1"].pk, setting["s2"].pk})
    assert scope_map(user) == {"supplychain.site:view": {org_a.pk: both},
                               "supplychain.leg:change": {org_a.pk: both}}


def test_site_limited_and_organisation_wide_fold_into_the_wider(setting):
    user, org_a, org_b = setting["user"], setting["org_a"], setting["org_b"]
    _assign(user, org_a, setting["gate"], sites=[setting["s1"]])
    _assign(user, org_a, setting["gate"], sites=[setting["s2"]])
    _assign(user, org_b, setting["gate"], sites=[setting["s3"]])
    _assign(user, org_a, setting["viewer"])  # the whole of A
    result = scope_map(user)
    # Viewer reads sites in the whole of A: the wider grant wins; B stays at S3.
    assert result["supplychain.site:view"] == {org_a.pk: None,
                                               org_b.pk: frozenset({setting["s3"].pk})}
    # Only the custom role changes legs: S1 and S2 together in A, S3 in B.
    assert result["supplychain.leg:change"] == {
        org_a.pk: frozenset({setting["s1"].pk, setting["s2"].pk}),
        org_b.pk: frozenset({setting["s3"].pk})}
    # Viewer's grants are exactly the role matrix's views for it.
    assert result["supplychain.partner:view"] == {org_a.pk: None}
    assert "supplychain.partner:change" not in result


def test_what_does_not_count(setting):
    user, org_a = setting["user"], setting["org_a"]
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    _assign(user, org_a, setting["gate"], valid_until=yesterday)
    archived = _assign(user, org_a, setting["viewer"])
    with actor_context(None, name="test"):
        archived.archived = True
        archived.save()
    _assign(user, setting["gone"], setting["viewer"])
    forget(user)
    assert scope_map(user) == {}


def test_built_in_grants_follow_the_role_matrix():
    reg = registration("supplychain.partner")
    viewer = builtin_grants(roles.VIEWER)
    assert "supplychain.partner:view" in viewer
    assert "supplychain.partner:change" not in viewer
    assert {a for a in reg.actions if f"supplychain.partner:{a}" in
            builtin_grants(roles.ADMINISTRATOR)} == set(reg.actions)
    assert Role.objects.get(name=roles.VIEWER).get_grants() == set(viewer)


def test_queries(setting):
    """One query for organisation-wide assignments, one more when some are site-limited; the
    map is kept on the user object for the rest of the request."""
    user, org_a = setting["user"], setting["org_a"]
    _assign(user, org_a, setting["viewer"])
    with CaptureQueriesContext(connection) as queries:
        scope_map(user)
        scope_map(user)
    assert len(queries) == 1
    _assign(user, org_a, setting["gate"], sites=[setting["s1"]])
    with CaptureQueriesContext(connection) as queries:
        scope_map(user)
    assert len(queries) == 2


def test_people_whose_assignments_fold_alike_share_one_read_only_map(setting):
    """The fold is computed once per distinct set of assignments and shared (read-only) by the
    requests of everyone who holds them; a different site or role gives a different map."""
    from chainward.core.scope import organisations_of

    user, org_a = setting["user"], setting["org_a"]
    other = User.objects.create_user("other@a.example", "pw-Chainward-2028!")
    _assign(user, org_a, setting["gate"], sites=[setting["s1"]])
    _assign(other, org_a, setting["gate"], sites=[setting["s1"]])
    assert scope_map(user) is scope_map(other)
    with pytest.raises(TypeError):
        scope_map(user)["supplychain.site:view"] = {}
    with pytest.raises(TypeError):
        scope_map(user)["supplychain.site:view"][org_a.pk] = None
    # Another site: another map, and the first is unchanged.
    third = User.objects.create_user("third@a.example", "pw-Chainward-2028!")
    _assign(third, org_a, setting["gate"], sites=[setting["s2"]])
    assert scope_map(third)["supplychain.site:view"] == {org_a.pk: frozenset({setting["s2"].pk})}
    assert scope_map(user)["supplychain.site:view"] == {org_a.pk: frozenset({setting["s1"].pk})}
    # A second assignment changes the person's own map on the next request only.
    _assign(other, setting["org_b"], setting["viewer"])
    assert scope_map(other) is not scope_map(user)
    assert organisations_of(other) == {org_a.pk, setting["org_b"].pk}
    assert organisations_of(user) == {org_a.pk}
