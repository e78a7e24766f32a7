"""An auditor without the required competence is warned about on the audit (issue 16
acceptance; ISO 28000 9.2, 7.2): the competences the internal-auditor roles require, read from
each assigned auditor's training records — valid: no warning; expired or missing: warned; no
staff record at all: warned. Only readers who may see training records get the warning."""

import pytest

from chainward.ledger.context import actor_context
from chainward.people import services
from tests.audits import factories as audits

from . import factories as f


@pytest.fixture
def audit(world):
    org, users = world["org_a"], world["users"]
    with actor_context(None, name="fixture"):
        course = f.requirement(org, "ISO 28000 internal auditor course", validity_months=36)
        role = f.role(org, "Internal auditor", kind="internal_auditor")
        role.required_competences.add(course)
        valid = f.person(org, "Ines Valid", user=users["internal_auditor__org"])
        f.training(valid, course, completed_on=f.days(-100))
        lapsed = f.person(org, "Lars Lapsed", user=users["contributor__org"])
        f.training(lapsed, course, completed_on=f.days(-1200))  # expired 36 months on
        obj = audits.audit(org, "Audit of the gate", sites=[world["s1"]],
                           lead_auditor=users["internal_auditor__org"])
        obj.team.set([users["contributor__org"], users["viewer__org"]])
    return obj


def test_the_gaps_of_each_assigned_auditor(world, audit):
    users = world["users"]
    gaps = dict(services.auditor_competence_gaps(
        users["security_manager__org"], world["org_a"],
        [audit.lead_auditor, *audit.team.all()]))
    assert gaps == {
        users["contributor__org"]: "lacks ISO 28000 internal auditor course (expired)",
        users["viewer__org"]: "no staff record shows their auditor competence"}


def test_the_audit_page_warns(client, world, audit):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(audit.get_absolute_url()).content.decode()
    warning = page.split('id="auditor-competence"', 1)[1].split("</div>", 1)[0]
    assert "lacks ISO 28000 internal auditor course (expired)" in warning
    assert "no staff record" in warning
    assert str(world["users"]["internal_auditor__org"]) not in warning


def test_no_warning_once_the_auditor_is_trained(client, world, audit):
    with actor_context(None, name="fixture"):
        audit.team.set([world["users"]["internal_auditor__org"]])
    client.force_login(world["users"]["security_manager__org"])
    assert 'id="auditor-competence"' not in client.get(audit.get_absolute_url()).content.decode()


def test_a_reader_who_may_not_see_training_gets_no_warning(client, world, audit):
    client.force_login(world["users"]["viewer__org"])
    response = client.get(audit.get_absolute_url())
    assert response.status_code == 200
    assert 'id="auditor-competence"' not in response.content.decode()


def test_assigning_an_auditor_through_the_form_warns_at_once(client, world, audit):
    """The warning comes with the assignment: the audit form saves and the page it opens
    names the lapsed auditor just added (ISO 28000 9.2 with 7.2)."""
    from chainward.audits.registers import AuditRegister
    from tests.support.matrix import form_data

    users = world["users"]
    with actor_context(None, name="fixture"):
        audit.team.set([])
    client.force_login(users["security_manager__org"])
    assert 'id="auditor-competence"' not in client.get(audit.get_absolute_url()).content.decode()
    audit.refresh_from_db()
    data = form_data(audit, AuditRegister.form_fields, team=[users["contributor__org"].pk])
    response = client.post(f"{audit.get_absolute_url()}edit/", data, follow=True)
    assert response.redirect_chain, response.content.decode()[:3000]
    page = response.content.decode()
    warning = page.split('id="auditor-competence"', 1)[1].split("</div>", 1)[0]
    assert "lacks ISO 28000 internal auditor course (expired)" in warning
