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
