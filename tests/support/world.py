"""A small world for tests: two organisations, in-scope and out-of-scope sites, and personas.

Organisation A has sites S1 (in scope for site-limited personas) and S2 (out of their scope);
organisation B is "another organisation" whose records must stay invisible (404) to A's people.
"""

from dataclasses import dataclass

from chainward.access.models import Role, RoleAssignment, User
from chainward.core import roles
from chainward.ledger.context import actor_context
from chainward.supplychain.models import GoodsCategory, Organisation, Partner, Site

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Persona:
    """A user holding one built-in role over the whole organisation or only site S1."""

    role: str
    scope: str  # "org" (whole organisation) or "site" (S1 only)

    @property
    def key(self):
        return f"{self.role.lower().replace(' ', '_')}__{self.scope}"

    @property
    def email(self):
        return f"{self.key}@a.example"


# Roles only ever held over the whole organisation: Top management directs the whole system
# (ISO 28000 5.1), so it has no site-limited persona. The persona appears as soon as the role
# is one of the built-in roles.
ORGANISATION_WIDE_ROLES = {"Top management"}
PERSONAS = [Persona(role, scope) for role in roles.BUILTIN_ROLES for scope in ("org", "site")
            if scope == "org" or role not in ORGANISATION_WIDE_ROLES]


def build_world():
    """Create both organisations, their sites, personas and the foreign administrator."""
    world = {}
    with actor_context(None, name="test world"):
        org_a = Organisation.objects.create(name="ABC Logistics", country="DE")
        org_b = Organisation.objects.create(name="Other Freight", country="FR")
        s1 = Site.objects.create(organisation=org_a, name="Hamburg warehouse", code="S1",
                                 kind="warehouse", country="DE", latitude=53.55, longitude=9.99)
        s2 = Site.objects.create(organisation=org_a, name="Rotterdam terminal", code="S2",
                                 kind="terminal", country="NL", latitude=51.95, longitude=4.14)
        s3 = Site.objects.create(organisation=org_b, name="Lyon depot", code="S3",
                                 kind="warehouse", country="FR", latitude=45.76, longitude=4.84)
        carrier_a = Partner.objects.create(organisation=org_a, name="Nordic Trucking",
                                           kind="carrier", country="DK")
        carrier_b = Partner.objects.create(organisation=org_b, name="Rhone Haulage",
                                           kind="carrier", country="FR")
        goods_a = GoodsCategory.objects.create(organisation=org_a, name="Electronics",
                                               value_class="high", theft_attractiveness=5)
        goods_b = GoodsCategory.objects.create(organisation=org_b, name="Wine",
                                               value_class="medium")
        users = {}
        for persona in PERSONAS:
            user = User.objects.create_user(persona.email, PASSWORD, full_name=persona.key)
            assignment = RoleAssignment.objects.create(
                organisation=org_a, user=user, role=Role.objects.get(name=persona.role),
                all_sites=persona.scope == "org",
                valid_until=_in_days(30) if persona.role == roles.EXTERNAL_AUDITOR else None)
            if persona.scope == "site":
                assignment.sites.add(s1)
            users[persona.key] = user
        foreign = User.objects.create_user("admin@b.example", PASSWORD, full_name="B admin")
        RoleAssignment.objects.create(organisation=org_b, user=foreign,
                                      role=Role.objects.get(name=roles.ADMINISTRATOR))
    world.update(org_a=org_a, org_b=org_b, s1=s1, s2=s2, s3=s3, carrier_a=carrier_a,
                 carrier_b=carrier_b, goods_a=goods_a, goods_b=goods_b, users=users,
                 foreign=foreign)
    return world


def _in_days(days):
    import datetime

    return datetime.date.today() + datetime.timedelta(days=days)
