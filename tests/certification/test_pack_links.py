"""Evidence packs are reachable from where people look for them (issue 13 item 8): a
framework's gap assessment (its page and its "missing for certification" page) and the
certification step of the home page — and producing one needs no certificate and no
certification body (nothing is invented)."""

import pytest

from chainward.certification.models import Certificate, CertificationBody, EvidencePack
from chainward.compliance.models import GapAssessment
from chainward.ledger.context import actor_context
from tests.support.library import tiny_framework
from tests.support.world import build_world


@pytest.mark.django_db
def test_pack_links_from_the_gap_assessment_and_no_certificate_needed(client,
                                                                      run_on_commit):
    world = build_world()
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        framework = tiny_framework("pack")
        gap = GapAssessment.objects.create(organisation=org, title="Gap analysis",
                                           framework=framework)
    link = f'href="/certification/evidence-packs/new/?framework={framework.pk}"'
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    for url in (gap.get_absolute_url(), f"/compliance/assessments/{gap.pk}/missing/"):
        page = client.get(url).content.decode()
        assert link in page and "Evidence pack for the auditor" in page, url
    # The request page opens with the assessment's framework chosen.
    page = client.get(f"/certification/evidence-packs/new/?framework={framework.pk}")
    assert f'<option value="{framework.pk}" selected>' in page.content.decode()
    assert not Certificate.objects.exists() and not CertificationBody.objects.exists()
    with run_on_commit():
        response = client.post("/certification/evidence-packs/new/",
                               {"framework": framework.pk})
    assert response.status_code == 302
    pack = EvidencePack.objects.get(organisation=org)
    assert pack.framework == framework and pack.status == "ready"
    assert not Certificate.objects.exists() and not CertificationBody.objects.exists()
    # A viewer (who may not produce packs) gets no link.
    client.force_login(world["users"]["viewer__org"])
    response = client.get(gap.get_absolute_url())
    assert response.status_code == 200
    assert "Evidence pack for the auditor" not in response.content.decode()


@pytest.mark.django_db
def test_the_evidence_pack_list_offers_to_produce_one_to_those_who_may(client):
    """Certification → Evidence packs is where people look for packs: the list offers the
    request page (packs are made by a job, not an add form), and only to those who may."""
    world = build_world()
    button = 'href="/certification/evidence-packs/new/">Produce an evidence pack</a>'
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/certification/evidence-packs/")
    assert page.status_code == 200 and button in page.content.decode()
    # Top management sees the packs but does not produce them (tests/support/role_matrix.csv).
    top = world["users"]["top_management__org"]
    assert top.has_perm("certification.view_evidencepack")
    assert not top.has_perm("certification.pack_evidencepack")
    client.force_login(top)
    page = client.get("/certification/evidence-packs/")
    assert page.status_code == 200 and "Produce an evidence pack" not in page.content.decode()
