"""Every risk page renders over the demo data, without inline styles or scripts (strict CSP)."""

import re

from chainward.risk.models import (
    AssessmentMember,
    Countermeasure,
    ExistingMeasure,
    Rating,
    RiskAcceptance,
    RiskMatrix,
    SecurityAssessment,
    ThreatApplicability,
)

from .test_demo import build, run

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=")


def test_risk_pages_render_without_inline_code(client, db):
    organisation, admin = build(db)
    run(organisation, admin)
    client.force_login(admin)
    urls = ["/risk/heatmap/", "/supplychain/map/", "/"]
    for model in (RiskMatrix, SecurityAssessment, AssessmentMember, ExistingMeasure,
                  ThreatApplicability, Rating, Countermeasure, RiskAcceptance):
        obj = model.objects.filter(organisation=organisation).first()
        base = obj.get_absolute_url()
        urls += [base, f"{base}edit/", base.rsplit("/", 2)[0] + "/",
                 base.rsplit("/", 2)[0] + "/add/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: editing a completed record
        if response.status_code == 200:
            assert not INLINE.search(response.content.decode()), url
    # The demo's completed assessment cannot be edited: a clear refusal, not a 500.
    assessment = SecurityAssessment.objects.get(organisation=organisation)
    response = client.post(f"{assessment.get_absolute_url()}edit/", {
        "title": "Changed", "matrix": assessment.matrix_id, "assessor": admin.pk,
        "classification": "restricted", "version": assessment.version})
    assert response.status_code == 400
    assert "cannot be edited" in response.content.decode()
    rating = Rating.objects.filter(organisation=organisation, threat__scenario__isnull=False,
                                   decision="treat").first()
    page = client.get(rating.get_absolute_url()).content.decode()
    assert "Suggested countermeasures" in page and 'id="residual-level"' in page
