"""The demo's certification story holds across registers (issue 12, "the demo, rebuilt as one
story"): ABC Logistics holds an active ISO 28000 certificate, so

* every ISO 28000 clause that requires documented information (catalogue flag M or R) and that
  the readiness review calls fully or largely implemented shows valid evidence — an auditor at
  the surveillance audit asks for exactly these records first;
* the incident procedure, the policy and the security plans an auditor samples are approved;
* the internal audits and the management review the certificate needs are done, and no
  internal-audit finding sits at a site the company does not run.

The clauses that require documented information are read from the shipped catalogue file (the
standard's wording, not the code under test); the company's own sites are written out by hand
from the supply-chain demo.
"""

import yaml
from django.utils import timezone

from chainward.library import loader

CATALOGUE = "iso28000-2022.yaml"
ISO28000 = "urn:chainward:framework:iso28000-2022"
# ABC Logistics runs these itself (supplychain demo: no operator); ports, airports, the border
# crossing and partner facilities are other operators'.
OWN_SITES = {"DEHAM-WH1", "DEDUI-XD1", "DEMUC-DC1", "NLVEN-DC1", "PLPOZ-WH1", "PLSTR-XD1"}


def documented_clauses():
    """{ref_id} of ISO 28000:2022 clauses whose documented-information flag is M or R."""
    document = yaml.safe_load((loader.CATALOG_DIR / CATALOGUE).read_text())
    framework = next(f for f in document["objects"]["frameworks"] if f["urn"] == ISO28000)
    return {r["ref_id"] for r in framework["requirements"]
            if r.get("assessable") and r.get("documented_information") in {"M", "R"}}


def documented_information_problems(organisation):
    """Implemented ISO 28000 clauses requiring documented information without valid evidence."""
    from chainward.compliance.models import RequirementStatus

    today = timezone.localdate()
    required = documented_clauses()
    problems, checked = [], 0
    rows = RequirementStatus.objects.filter(
        assessment__organisation=organisation, assessment__archived=False, archived=False,
        assessment__framework__urn=ISO28000, status__in=["fully", "largely"],
        requirement__ref_id__in=required).select_related("assessment", "requirement")
    for row in rows.prefetch_related("evidence"):
        checked += 1
        valid = [e for e in row.evidence.all()
                 if not e.archived and (e.valid_until is None or e.valid_until >= today)]
        if not valid:
            problems.append(f"{row.assessment.title} {row.requirement.ref_id} "
                            f"({row.get_status_display()}): no valid evidence of the "
                            "documented information the clause requires")
    return problems, checked


def test_every_implemented_clause_requiring_documented_information_shows_evidence(demo):
    problems, checked = documented_information_problems(demo)
    # 17 clauses of the catalogue carry M or R; the review rates every one of them.
    assert checked == len(documented_clauses()) >= 15
    assert problems == []


def test_the_records_an_auditor_samples_first_are_approved(demo):
    from chainward.documents.models import Document

    for title in ("Security incident reporting procedure", "Supply-chain security policy",
                  "Hamburg DC site security plan", "Conveyance inspection form (17-point)"):
        document = Document.objects.get(organisation=demo, title=title, archived=False)
        assert document.versions.filter(status="approved").exists(), title


def test_audits_and_review_behind_the_certificate_are_done_at_own_sites(demo):
    from chainward.audits.models import Audit, Finding
    from chainward.certification.models import Certificate, ManagementReview

    certificate = Certificate.objects.get(organisation=demo, status="active")
    assert set(certificate.sites.values_list("code", flat=True)) <= OWN_SITES
    assert Audit.objects.filter(organisation=demo, audit_type="internal",
                                status__in=["reported", "closed"]).count() >= 2
    assert ManagementReview.objects.filter(organisation=demo, status="held").exists()
    internal = Finding.objects.filter(organisation=demo, audit__audit_type="internal",
                                      site__isnull=False)
    assert internal.exists()
    assert set(internal.values_list("site__code", flat=True)) <= OWN_SITES


# The pre-2019 list the demo form once carried (auditor review, demo realism item 6); none of
# these is a point of the 2019 MSC tractor and trailer list.
PRE_2019_POINTS = ("engine", "air tanks", "drive shaft", "exhaust", "refrigeration unit")


def test_the_conveyance_inspection_form_is_the_current_17_point_list(demo):
    from chainward.documents.models import Document

    document = yaml.safe_load((loader.CATALOG_DIR / "ctpat-msc.yaml").read_text())
    checklist = next(c for c in document["objects"]["checklist_templates"]
                     if c["ref_id"] == "ctpat-tractor-trailer-17pt")
    groups = [item["group"] for item in checklist["items"]]
    assert (groups.count("tractor"), groups.count("trailer")) == (7, 10)

    form = Document.objects.get(organisation=demo, title="Conveyance inspection form (17-point)")
    version = form.current_version()
    assert version is not None and version.status == "approved"
    from django.core.files.storage import default_storage

    with default_storage.open(version.file, "rb") as stored:
        text = " ".join(stored.read().decode().split())
    tractor = text.split("Tractor:")[1].split("Trailer:")[0]
    trailer = text.split("Trailer:")[1].split("Containers:")[0]
    assert len([p for p in tractor.split(";") if p.strip(" .")]) == 7
    assert len([p for p in trailer.split(";") if p.strip(" .")]) == 10
    assert not [p for p in PRE_2019_POINTS if p in text.lower()]
