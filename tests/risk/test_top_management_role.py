"""The built-in Top management role (issue 10, finding 7) holds exactly the rights specified.

The expected rights are written here by hand from the specification, not read from the
`register()` rows the code enforces: a wrong row fails this test.
"""

from chainward.access.models import Role
from chainward.core.registry import registrations

TOP_MANAGEMENT = "Top management"
DEFAULT = {"view", "export"}
SPECIFIED = {
    "access.roleassignment": {"view"},
    "risk.riskacceptance": {"view", "add", "change", "export", "accept"},
    "risk.rating": {"view", "export", "accept"},
    "documents.document": {"view", "export", "approve"},
    "documents.documentversion": {"view", "export", "approve"},
    "plans.securityplan": {"view", "export", "approve"},
    "plans.securityplanversion": {"view", "export", "approve"},
    "certification.managementreview": {"view", "change", "export"},
    "certification.reviewaction": {"view", "add", "change", "export"},
    "certification.evidencepack": {"view"},
    # Issue 16: top management assigns responsibilities and authorities (ISO 28000 5.3) and
    # approves planned changes (6.3) with the security manager.
    "people.appointment": {"view", "add", "change", "export"},
    "context.plannedchange": {"view", "export", "approve"},
    # Issue 18: how people sign in (identity providers, their client secrets and certificates)
    # is the Administrators' configuration alone.
    "sso.oidcprovider": set(),
    "sso.samlprovider": set(),
}


def test_top_management_is_a_builtin_role(db):
    role = Role.objects.get(name=TOP_MANAGEMENT)
    assert role.builtin and "top management" in role.description.lower()


def test_top_management_holds_exactly_the_specified_rights(db):
    grants = Role.objects.get(name=TOP_MANAGEMENT).get_grants()
    labels = {reg.label for reg in registrations()}
    assert set(SPECIFIED) <= labels, set(SPECIFIED) - labels
    wrong = {}
    for label in labels:
        held = {g.split(":", 1)[1] for g in grants if g.split(":", 1)[0] == label}
        if held != SPECIFIED.get(label, DEFAULT):
            wrong[label] = sorted(held)
    assert not wrong, wrong
