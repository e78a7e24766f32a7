"""The ABC Logistics compliance demo: evidence, an ISO 28000 gap analysis under way and a
finished CTPAT self-assessment.

`build_compliance_demo()` runs after the supply-chain demo (`chainward.supplychain.demo`). It
works through the ordinary services (`save_record`, `populate_statuses`, `set_status`,
`attach_evidence`) as the security manager, so every write lands in the ledger under that
person. Evidence and assessments are found by title: what exists already is left alone (the
assessor may have moved on since), so a second run writes nothing. Dates relative to today
are set when a record is created.

The story: ABC Logistics has strong day-to-day security where customs (AEO) and customers
(CTPAT, TAPA) demanded it, and is now building the ISO 28000 management system around it.
Context, leadership and policy are largely in place; planning and operation (clause 8 expects
controls to follow from documented risk assessments and security plans per site) are half
done; performance evaluation and improvement have barely started.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from chainward.access import roles
from chainward.access.models import User
from chainward.core import services as records
from chainward.documents.models import Evidence, EvidenceKind
from chainward.library.models import Framework
from chainward.supplychain import demo as supplychain_demo
from chainward.supplychain.models import Site, StatementOfApplication

from .choices import AssessmentStatus, ComplianceStatus
from .models import GapAssessment
from .services import attach_evidence, populate_statuses, set_status

ISO28000 = "urn:chainward:framework:iso28000-2022"
CTPAT = "urn:chainward:framework:ctpat-msc-importers"
DMS = "https://dms.abc-logistics.example/sms"

# key: (title, kind, link or None, description, valid until in days from today or None).
# Kind "record" points at the ISO 28001 statement of application of the supply-chain demo.
EVIDENCE = {
    "policy": ("Supply-chain security policy v3 (signed 2026-02)", EvidenceKind.LINK,
               f"{DMS}/policies/SMS-POL-01_v3_signed.pdf",
               "Signed by the managing director; annual review due every February.", 450),
    "seals": ("Seal control procedure SOP-SEC-04", EvidenceKind.LINK,
              f"{DMS}/procedures/SOP-SEC-04_seal_control.pdf",
              "ISO 17712 high-security seals: ordering, storage, issue log, VVTT check, "
              "discrepancy reporting. Version 2.3.", None),
    "risk_workshop": ("Risk assessment workshop minutes 2026-03", EvidenceKind.LINK,
                      f"{DMS}/risk/2026-03_risk_workshop_minutes.pdf",
                      "Workshop with site managers of Hamburg, Duisburg and Frankfurt: threat "
                      "scenarios, 5×5 ratings, first treatment ideas.", None),
    "training_2026": ("Training records security awareness 2026", EvidenceKind.LINK,
                      "https://lms.abc-logistics.example/reports/security-awareness-2026",
                      "LMS completion report; Polish sites still sign paper lists.", 120),
    "internal_audit": ("Internal audit report IA-2026-01", EvidenceKind.LINK,
                       f"{DMS}/audits/IA-2026-01_Hamburg_Billbrook.pdf",
                       "First internal SMS audit (Hamburg Billbrook): 2 major, 7 minor "
                       "findings.", None),
    "visitor_log": ("Visitor log Hamburg Billbrook gatehouse", EvidenceKind.NOTE, None,
                    "Bound visitor books at the gatehouse (ID checked, badge number, host, "
                    "times in and out); kept for 12 months in the security office, room "
                    "0.14.", None),
    "cctv": ("CCTV retention configuration", EvidenceKind.NOTE, None,
             "Video management system export of the retention settings (30 days at all "
             "warehouses, 90 days at the high-value cage); filed by IT security in ticket "
             "SEC-1187.", None),
    "context": ("Context and interested-party analysis 2026", EvidenceKind.LINK,
                f"{DMS}/context/2026_context_SWOT_PESTLE_interested_parties.xlsx",
                "SWOT and PESTLE from the January management workshop, including the climate "
                "question of Amd 1:2024, and the interested-party register.", None),
    "legal": ("Legal and customs requirements register", EvidenceKind.LINK,
              f"{DMS}/compliance/legal_register.xlsx",
              "Union Customs Code and AEO, ISPS, EU aviation security (regulated agent), "
              "excise (EMCS), GDPR for CCTV and screening; next compliance evaluation due.",
              35),
    "soa": ("ISO 28001 statement of application (Chainward record)", EvidenceKind.RECORD, None,
            "The portion of the supply chain in scope: sites, legs and partners.", None),
    "pentest": ("External penetration test report 2024", EvidenceKind.LINK,
                f"{DMS}/it-security/2024-09_pentest_report.pdf",
                "External test of the WMS, customs interface and VPN; valid for two years.",
                -70),
    "inspections": ("17-point conveyance inspection checklists", EvidenceKind.NOTE, None,
                    "Completed checklists are filed with the shipping documents of each "
                    "U.S.-bound load in the export office (Hamburg Billbrook) for two years.",
                    None),
    "partners": ("Business partner security screening file", EvidenceKind.LINK,
                 f"{DMS}/partners/screening_file.xlsx",
                 "Questionnaires, AEO/CTPAT status checks and visit reports per carrier and "
                 "terminal, with the corrective action log.", None),
    "cyber": ("Cybersecurity policy IT-POL-02", EvidenceKind.LINK,
              f"{DMS}/it-security/IT-POL-02_cybersecurity_policy.pdf",
              "Access control, MFA, remote access, BYOD, patching, backups, media disposal.",
              200),
    "training_2025": ("Training records security awareness 2025", EvidenceKind.LINK,
                      "https://lms.abc-logistics.example/reports/security-awareness-2025",
                      "LMS completion report incl. inspection and incident-reporting "
                      "modules.", None),
}

F, L, P = ComplianceStatus.FULLY, ComplianceStatus.LARGELY, ComplianceStatus.PARTIALLY
NI, NA = ComplianceStatus.NOT_IMPLEMENTED, ComplianceStatus.NOT_APPLICABLE
NOT_ASSESSED = ComplianceStatus.NOT_ASSESSED

ISO_ASSESSMENT = {
    "title": "ISO 28000:2022 gap analysis 2026",
    "status": AssessmentStatus.IN_PROGRESS,
    "start": lambda today: today - datetime.timedelta(weeks=6),
    "end": lambda today: None,
    "sites": (),
    "notes": "Gap analysis ahead of ISO 28000:2022 certification (stage 1 audit planned for "
             "Q2 2027). Day-to-day controls (seals, access, CCTV) exist at the main sites "
             "because AEO and our customers demand them; clause 8 expects them to follow from "
             "documented risk assessments and security plans per site, which is only partly "
             "done. Performance evaluation and improvement are mostly still to be built.",
}

# ref_id: (status, notes or justification, evidence keys). Unlisted rows stay not assessed.
ISO_STATUSES = {
    "4.1": (F, "Context analysis done in the January management workshop; climate question "
               "of Amd 1:2024 answered.", ("context",)),
    "4.2.1": (L, "Interested-party register exists; security requirements of key customers "
                 "(Atlantic Consumer Brands, MediCare) still to be added.", ("context",)),
    "4.2.2": (F, "", ("legal",)),
    "4.3": (F, "Scope follows the ISO 28001 statement of application; the Mladá Boleslav "
               "plant gate is outside it.", ("soa",)),
    "4.4": (L, "", ()),
    "5.1": (L, "Managing director chairs the quarterly security steering meeting; 2026 "
               "security budget approved.", ()),
    "5.2.1": (F, "", ("policy",)),
    "5.2.2": (L, "Published on the intranet and posted at the gatehouses; acknowledgements "
                 "missing from drivers of subcontracted carriers.", ("policy",)),
    "5.3": (F, "", ()),
    "6.1.1": (P, "", ()),
    "6.1.2": (L, "Method uses the default 5×5 matrix; the first workshop covered Hamburg, "
                 "Duisburg and Frankfurt only.", ("risk_workshop",)),
    "6.1.3": (P, "Treatments agreed in the workshop but not yet in an action plan with owners "
                 "and dates.", ("risk_workshop",)),
    "6.2.1": (P, "", ()),
    "6.2.2": (NI, "No KPIs yet. Proposal: seal discrepancies per 1,000 loads, audit findings "
                  "closed on time, awareness training completion.", ()),
    "6.3": (P, "", ()),
    "7.1": (L, "", ()),
    "7.2": (L, "Records complete for Hamburg and Munich; Polish sites tracked on paper.",
            ("training_2026",)),
    "7.3": (F, "", ("training_2026",)),
    "7.4": (L, "", ()),
    "7.5.1": (P, "No master list yet; documents spread over the DMS and site shared drives.",
              ()),
    "7.5.2": (F, "", ("seals",)),
    "7.5.3": (NI, "", ()),
    "8.1": (P, "Seal, visitor and CCTV procedures in place at the main sites; not yet written "
               "for the Stryków cross-dock.", ("seals", "visitor_log", "cctv")),
    "8.2": (P, "Supply-chain map kept in Chainward (sites, legs, partners); activity "
               "inventory per site missing.", ("soa",)),
    "8.3": (P, "", ("risk_workshop",)),
    "8.4": (P, "", ("cctv",)),
    "8.5.1": (P, "", ()),
    "8.5.2": (NI, "", ()),
    "8.5.3": (NI, "", ()),
    "8.6.1": (P, "Only Hamburg Billbrook has a site security plan (2021, outdated); the other "
                 "sites rely on the AEO security concept.", ()),
    "8.6.2": (P, "", ()),
    "8.6.3": (NI, "", ()),
    "8.6.4": (NI, "", ()),
    "8.6.5": (NA, "Recovery after a disruption is run by the group business continuity "
                  "programme (ISO 22301) outside this SMS; to be confirmed with the "
                  "certification body at stage 1.", ()),
    "9.1": (P, "Incident and seal-discrepancy figures collected monthly; not yet evaluated "
               "against objectives.", ()),
    "9.2.1": (P, "First internal audit covered Hamburg only; auditor independence still to be "
                 "documented.", ("internal_audit",)),
    "9.2.2": (NI, "Three-year audit programme planned for Q1 2027.", ()),
    "9.3.1": (NI, "", ()),
    "10.2": (P, "Corrective actions after the March seal incident (Stryków–Rudná) tracked by "
                "e-mail only.", ()),
}

CTPAT_ASSESSMENT = {
    "title": "C-TPAT MSC self-assessment 2025",
    "status": AssessmentStatus.DONE,
    "start": lambda today: datetime.date(today.year - 1, 9, 22),
    "end": lambda today: datetime.date(today.year - 1, 11, 14),
    "sites": ("DEHAM-WH1", "DEFRA-AIR", "NLVEN-DC1"),
    "notes": "Self-assessment against the CTPAT importer criteria, requested by Atlantic "
             "Consumer Brands Inc. (U.S. importer, CTPAT Tier 3) for the lanes carrying its "
             "U.S.-bound exports. As an EU logistics provider ABC Logistics cannot join CTPAT "
             "itself; the importer uses this assessment in its partner screening.",
}

# Every CTPAT criterion gets a status: fully unless listed here.
CTPAT_STATUSES = {
    **{ref: (L, "", ()) for ref in (
        "1.1", "1.2", "2.2", "3.7", "4.10", "4.11", "4.12", "5.6", "5.14", "7.4", "7.7",
        "7.28", "7.29", "7.30", "9.2", "9.5", "9.7", "9.9", "9.11", "9.12", "10.7", "10.8",
        "10.9", "11.2")},
    **{ref: (P, "", ()) for ref in ("3.9", "4.4", "5.8", "9.14", "12.4")},
    "2.4": (P, "Crisis plan exists for Hamburg only; no exercise yet.", ()),
    "3.5": (L, "Questionnaires returned by all carriers; visits outstanding for two Polish "
               "hauliers.", ("partners",)),
    "3.6": (L, "", ("partners",)),
    "4.3": (P, "Last external penetration test in September 2024; the follow-up test is "
               "budgeted but not yet commissioned.", ("pentest",)),
    "4.7": (L, "Quarterly access reviews in the WMS; the customs software is still reviewed "
               "once a year.", ("cyber",)),
    "4.13": (L, "", ()),
    "5.15": (P, "Carrier GPS portals available for Hanse Road Freight only.", ()),
    "5.16": (NA, "Applies to highway carriers approaching a U.S. land border; our U.S.-bound "
                 "cargo leaves the EU by sea (Hamburg, Rotterdam) and air (Frankfurt).", ()),
    "5.24": (NA, "Last-chance verification is done before a U.S. land-border crossing; none "
                 "of our lanes crosses one.", ()),
    "7.25": (P, "Whistle-blower channel covers compliance topics; security incidents not yet "
                "promoted on it.", ()),
    "9.15": (L, "Monthly footage reviews at Hamburg; ad hoc at the other sites.", ("cctv",)),
    "12.6": (P, "Given to finance and customs staff only.", ()),
    "12.7": (L, "", ("training_2025",)),
    "12.9": (L, "New video-system operators at Venlo not yet trained.", ()),
    "5.5": (L, "Checklists filed with the shipping documents; a sample of 40 loads found "
               "three incomplete.", ("inspections",)),
    "3.4": (F, "CTPAT and AEO status of carriers and terminals verified in the SVI portal and "
               "the EU AEO database.", ("partners",)),
    **{ref: (F, "", keys) for ref, keys in {
        "1.3": ("partners",), "3.1": ("partners",), "3.8": ("partners",),
        "4.1": ("cyber",), "4.2": ("cyber",), "4.6": ("cyber",), "4.8": ("cyber",),
        "4.9": ("cyber",), "5.2": ("inspections",), "5.3": ("inspections",),
        "5.4": ("inspections",), "5.7": ("inspections",),
        "6.1": ("seals",), "6.2": ("seals",), "6.6": ("seals",), "6.7": ("seals",),
        "7.5": ("seals",), "7.24": ("visitor_log", "training_2025"),
        "7.10": ("training_2025",), "9.13": ("cctv",), "9.16": ("cctv",),
        "10.2": ("visitor_log",), "12.1": ("training_2025",), "12.2": ("inspections",),
        "12.8": ("training_2025",), "12.10": ("training_2025",)}.items()},
}
CTPAT_DEFAULT = F


def _days(offset):
    return None if offset is None else timezone.localdate() + datetime.timedelta(days=offset)


def acting_user(admin_user):
    """The demo's security manager (the assessor), or the administrator without one."""
    email = next(f"{local}@abc-logistics.example" for local, _, role, _ in supplychain_demo.PEOPLE
                 if role == roles.SECURITY_MANAGER)
    return User.objects.filter(email=email, is_active=True).first() or admin_user


def _evidence(org, user, tally):
    statement = StatementOfApplication._base_manager.filter(
        organisation=org, title=supplychain_demo.SOA["title"]).first()
    found = {}
    for key, (title, kind, link, description, valid_days) in EVIDENCE.items():
        evidence = Evidence._base_manager.filter(organisation=org, title=title).first()
        if evidence is None:
            if kind == EvidenceKind.RECORD and statement is None:
                continue
            evidence = Evidence(organisation=org, title=title, kind=kind, link=link or "",
                                description=description, valid_until=_days(valid_days))
            if kind == EvidenceKind.RECORD:
                evidence.record_type = ContentType.objects.get_for_model(statement)
                evidence.record_id = statement.pk
            evidence.full_clean(exclude=["reference"])
            records.save_record(user, evidence)
            tally.count("created")
        found[key] = evidence
    return found


def _assessment(org, user, spec, framework_urn, plan, default, evidence, tally):
    """Create the assessment with its statuses, or leave an existing one untouched."""
    if GapAssessment._base_manager.filter(organisation=org, title=spec["title"]).exists():
        return
    framework = Framework.objects.get(urn=framework_urn)
    today = timezone.localdate()
    sites = list(Site.objects.filter(organisation=org, code__in=spec["sites"]))
    assessment = GapAssessment(
        organisation=org, title=spec["title"], framework=framework, all_sites=not sites,
        assessor=user, start_date=spec["start"](today), end_date=spec["end"](today),
        status=spec["status"], notes=spec["notes"])
    assessment.full_clean(exclude=["reference"])

    def prepare(user, assessment, created):
        assessment.sites.set(sites)
        populate_statuses(user, assessment)

    records.save_record(user, assessment, after_save=prepare)
    tally.count("created")
    rows = {row.requirement.ref_id: row
            for row in assessment.statuses.select_related("requirement")}
    tally.created += len(rows)
    unknown = sorted(set(plan) - set(rows))
    if unknown:
        raise ValueError(f"{spec['title']}: no assessable requirement {', '.join(unknown)} in "
                         f"{framework_urn}; update the demo plan.")
    for ref_id, row in rows.items():
        status, text, keys = plan.get(ref_id, (default, "", ()))
        if status == NOT_ASSESSED and not text:
            continue
        justification, notes = (text, "") if status == NA else ("", text)
        set_status(user, row, status=status, justification=justification, notes=notes)
        for key in keys:
            if key in evidence:
                attach_evidence(user, row, evidence[key])


def build_compliance_demo(organisation, admin_user):
    """Evidence, the ISO 28000 gap analysis and the CTPAT self-assessment of the demo.

    Returns `(counts, tally)` like `chainward.supplychain.demo.build_demo`.
    """
    tally = supplychain_demo.Tally()
    user = acting_user(admin_user)
    evidence = _evidence(organisation, user, tally)
    _assessment(organisation, user, ISO_ASSESSMENT, ISO28000, ISO_STATUSES, NOT_ASSESSED,
                evidence, tally)
    _assessment(organisation, user, CTPAT_ASSESSMENT, CTPAT, CTPAT_STATUSES, CTPAT_DEFAULT,
                evidence, tally)
    titles = [ISO_ASSESSMENT["title"], CTPAT_ASSESSMENT["title"]]
    counts = {
        "gap assessments": GapAssessment.objects.filter(organisation=organisation,
                                                        title__in=titles).count(),
        "evidence": len(evidence),
    }
    return counts, tally
