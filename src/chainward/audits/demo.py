"""The ABC Logistics audits demo (ISO 28000 9.2, 10.2).

The internal audit programme of the first certification year (from the certification decision,
`supplychain.demo.CERTIFIED_MONTHS_AGO`, to surveillance audit 1) over ISO 28000:2022 and every
demo site; two completed internal audits at the company's own sites (Hamburg Billbrook: closed,
Poznań and Stryków: reported) with checklists and findings — one major, two minor
nonconformities, observations, opportunities for improvement and a good practice — and one
audit of the Duisburg cross-dock and the Munich distribution centre planned in two weeks.
Partner-operated sites (the port terminal, the airports) are not audited internally: findings
there are the partner's, raised in partner reviews. Corrective actions stand in every state: open
(overdue), containment, root cause analysed (five whys), actions planned, actions done awaiting
verification, closed after an effective verification, and one reopened after an ineffective
one.

Independence holds: Sophie de Vries (internal auditor, no site role) leads; the site officers
audit only each other's sites. Records are found by title; an existing audit or corrective
action is left alone, so a second run writes nothing.
"""

import datetime

from django.utils import timezone

from chainward.access.models import User
from chainward.certification.services import add_months
from chainward.core import services as records
from chainward.library.models import Framework, Requirement
from chainward.supplychain.demo import CERTIFIED_MONTHS_AGO, OWN_SITES
from chainward.supplychain.models import Site

from . import services
from .choices import AuditStatus, CapaStatus
from .models import Audit, AuditProgramme, CorrectiveAction, CorrectiveActionStep, Finding

ISO28000 = "urn:chainward:framework:iso28000-2022"
DOMAIN = "abc-logistics.example"
MANAGER, AUDITOR = f"m.weber@{DOMAIN}", f"s.devries@{DOMAIN}"
HAMBURG_OFFICER, POLAND_OFFICER = f"j.petersen@{DOMAIN}", f"a.nowak@{DOMAIN}"

HAMBURG = {
    "title": "Internal audit Hamburg Billbrook — ISO 28000 clauses 4 to 8",
    "sites": ("DEHAM-WH1",), "clauses": ("4", "5", "6", "7", "8"),
    "team": POLAND_OFFICER, "responsible": HAMBURG_OFFICER, "days_ago": 150,
    "scope": "Context, leadership, planning, support and operation at the Billbrook "
             "warehouse: gate and seal control, visitor management, CCTV.",
    "summary": "Two days on site, 14 interviews, 40 records sampled (gate logs, seal register, "
               "training records, CCTV maintenance).",
    "conclusion": "The SMS is implemented and largely effective; one major nonconformity in "
                  "seal control at gate 2.",
    "close": True,
    "results": {"8.1": "nonconforming", "7.5": "observation", "7.2": "conforming"},
    "findings": [
        ("major", "8.1", "DEHAM-WH1", "Seal numbers were not verified against the shipping "
         "documents for 6 of 20 sampled outbound trailers (gate 2, night shift)."),
        ("minor", "7.5", "DEHAM-WH1", "Visitor log pages for 3 days in April are missing; "
         "procedure SOP-SEC-02 requires them to be kept for one year."),
        ("observation", "7.3", "DEHAM-WH1", "New temporary staff could not name how to report "
         "a suspicious vehicle, although the briefing sheet covers it."),
        ("ofi", "6.2", None, "The cargo-theft KPI could be broken down by lane to target the "
         "actions better."),
        ("good_practice", "8.2", "DEHAM-WH1", "The control room's daily CCTV health check with "
         "a signed log is thorough and consistently done."),
    ],
}
POLAND = {
    "title": "Internal audit Poznań and Stryków — ISO 28000 clauses 7 to 10",
    "sites": ("PLPOZ-WH1", "PLSTR-XD1"), "clauses": ("7", "8", "9", "10"),
    "team": HAMBURG_OFFICER, "responsible": POLAND_OFFICER, "days_ago": 60,
    "scope": "Support, operation, performance evaluation and improvement at the Polish "
             "warehouse and cross-dock.",
    "summary": "Two days on site, 9 interviews, 25 records sampled.",
    "conclusion": "Conforming except for training records; corrective action plan accepted.",
    "close": False,
    "results": {"7.2": "nonconforming", "9.1": "observation"},
    "findings": [
        ("minor", "7.2", "PLPOZ-WH1", "Security-awareness training records of 11 of 30 sampled "
         "employees are paper lists without dates."),
        ("observation", "9.1", "PLSTR-XD1", "Seal-verification figures are compiled by hand "
         "from paper, which delays the monthly KPI."),
        ("ofi", "10.2", None, "Lessons from the Hamburg seal finding could be shared with the "
         "Polish sites."),
    ],
}
PLANNED = {
    "title": "Internal audit Duisburg and Munich — ISO 28000 (whole standard)",
    "sites": ("DEDUI-XD1", "DEMUC-DC1"), "clauses": (), "team": None, "responsible": None,
    "scope": "All clauses at the Duisburg cross-dock and the Munich distribution centre.",
}
# Corrective actions not coming from this year's audits: title -> fields and target state.
OTHER_CAPAS = {
    "Perimeter fence breach at Duisburg cross-dock": {
        "source": "incident", "site": "DEDUI-XD1", "owner": MANAGER, "due": -5,
        "state": CapaStatus.OPEN,
        "description": "Fence cut near the rail siding found on patrol; no cargo missing."},
    "CCTV outage at the Munich distribution centre": {
        "source": "inspection", "site": "DEMUC-DC1", "owner": MANAGER, "due": 20,
        "state": CapaStatus.CONTAINMENT,
        "containment": "Guard posted at dock doors 4–6 until the cameras are back."},
    "Customer complaint: seal number mismatch on Venlo shipment": {
        "source": "complaint", "site": "NLVEN-DC1", "owner": MANAGER, "due": 35,
        "state": CapaStatus.ROOT_CAUSE_ANALYSED,
        "containment": "Shipment quarantined and inspected with the customer; intact.",
        "root_cause": {"method": "five_whys", "whys": [
            {"why": "Why did the seal number differ?",
             "answer": "The clerk typed the number from the booking, not from the seal."},
            {"why": "Why from the booking?",
             "answer": "The yard app pre-fills the expected number."},
            {"why": "Why does it pre-fill?",
             "answer": "A 2024 change request to save time at the gate."},
            {"why": "Why was the risk not seen?",
             "answer": "The change was not assessed for security impact."},
            {"why": "Why not assessed?",
             "answer": "IT changes are outside the ISO 28000 6.3 change procedure."}]}},
    "Previous management review: security-awareness training completion off track": {
        "source": "management_review", "site": None, "owner": MANAGER, "due": 60,
        "description": "Raised at last year's management review, before Chainward was "
                       "introduced; carried over so that this year's review sees its status.",
        "state": CapaStatus.ACTIONS_PLANNED,
        "containment": "Line managers briefed on the overdue list.",
        "root_cause": {"method": "cause_categories", "categories": {
            "people": "Seasonal staff start before the induction slot.",
            "process": "Staffing agencies are not bound to the training step."}},
        "steps": [("Add the training step to the staffing-agency contracts", 30, False),
                  ("Move the Polish sites from paper to the LMS", 45, False)]},
}


def build_audits_demo(organisation, admin):
    """Create (or reuse) the demo's audit records; return {label: count} for the summary."""
    framework = Framework.objects.filter(urn=ISO28000).first()
    people = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
    manager = people.get(MANAGER, admin)
    auditor = people.get(AUDITOR, admin)
    sites = {s.code: s for s in Site.objects.filter(organisation=organisation)}
    today = timezone.localdate()
    programme = _programme(organisation, auditor, framework, sites, today)
    for spec in (HAMBURG, POLAND):
        if not Audit.objects.filter(organisation=organisation, title=spec["title"]).exists():
            _completed_audit(organisation, programme, spec, framework, sites, people, auditor,
                             manager, today)
    if not Audit.objects.filter(organisation=organisation, title=PLANNED["title"]).exists():
        _audit(organisation, programme, PLANNED, framework, sites, people, auditor,
               start=today + datetime.timedelta(days=14))
    for title, spec in OTHER_CAPAS.items():
        if not CorrectiveAction.objects.filter(organisation=organisation, title=title).exists():
            _other_capa(organisation, title, spec, sites, people, manager, today)
    audits = Audit.objects.filter(organisation=organisation, programme=programme)
    return {
        "audits": audits.count(),
        "findings": Finding.objects.filter(audit__in=audits).count(),
        "corrective actions": CorrectiveAction.objects.filter(
            organisation=organisation).count(),
    }


def _programme(organisation, auditor, framework, sites, today):
    # The first certification year: from the decision to surveillance audit 1.
    start = add_months(today, -CERTIFIED_MONTHS_AGO)
    end = add_months(start, 12) - datetime.timedelta(days=1)
    title = f"Internal audit programme, certification year {start:%Y-%m} to {end:%Y-%m}"
    programme = AuditProgramme.objects.filter(organisation=organisation, title=title).first()
    if programme is not None:
        return programme
    programme = records.save_record(auditor, AuditProgramme(
        organisation=organisation, title=title, period_start=start, period_end=end,
        objectives="Every ISO 28000:2022 clause and every own site at least once in the "
                   "three-year cycle; high-security sites every year; auditors never audit "
                   "their own sites or processes (ISO 28000 9.2)."))
    if framework is not None:
        programme.frameworks.set([framework])
    programme.sites.set([site for code, site in sites.items() if code in OWN_SITES])
    return programme


def _audit(organisation, programme, spec, framework, sites, people, auditor, *, start):
    audit = records.save_record(auditor, Audit(
        organisation=organisation, programme=programme, title=spec["title"],
        audit_type="internal", scope=spec["scope"], lead_auditor=auditor,
        planned_start=start, planned_end=start + datetime.timedelta(days=1)))
    audit.sites.set([sites[c] for c in spec["sites"] if c in sites])
    if spec["team"] in people:
        audit.team.set([people[spec["team"]]])
    if spec["responsible"] in people:
        audit.responsible_persons.set([people[spec["responsible"]]])
    if framework is not None:
        audit.criteria.set([framework])
        if spec["clauses"]:
            audit.requirements.set(Requirement.objects.filter(
                framework=framework, depth=2, parent__ref_id__in=spec["clauses"],
                retired=False))
    services.assert_independent(audit)
    return audit


def _completed_audit(organisation, programme, spec, framework, sites, people, auditor,
                     manager, today):
    start = today - datetime.timedelta(days=spec["days_ago"])
    audit = _audit(organisation, programme, spec, framework, sites, people, auditor,
                   start=start)
    services.transition_audit(auditor, audit, AuditStatus.IN_PROGRESS)
    audit.actual_start = start
    services.generate_checklist(auditor, audit)
    by_ref = {}
    for item in audit.checklist.select_related("requirement"):
        ref = item.requirement.ref_id if item.requirement else ""
        by_ref[ref] = item
        services.set_checklist_result(auditor, item, result=spec["results"].get(
            ref, "conforming"), notes="", samples="See audit report.")
    for grade, ref, site_code, statement in spec["findings"]:
        records.save_record(auditor, Finding(
            organisation=organisation, audit=audit, grade=grade, statement=statement,
            requirement=by_ref[ref].requirement if ref in by_ref else None,
            site=sites.get(site_code), checklist_item=by_ref.get(ref)))
    audit.summary, audit.conclusion = spec["summary"], spec["conclusion"]
    audit.actual_end = start + datetime.timedelta(days=1)
    audit.refresh_from_db(fields=["version"])
    services.transition_audit(auditor, audit, AuditStatus.REPORTED)
    if spec["close"]:
        services.transition_audit(auditor, audit, AuditStatus.CLOSED)
    _finding_capas(audit, people, auditor, manager, today)


def _finding_capas(audit, people, auditor, manager, today):
    """Take the opened corrective actions of an audit's nonconformities to their demo state."""
    hamburg, poland = people.get(HAMBURG_OFFICER, manager), people.get(POLAND_OFFICER, manager)
    for capa in CorrectiveAction.objects.filter(finding__audit=audit).select_related(
            "finding", "site"):
        grade = capa.finding.grade
        if grade == "major":  # reopened after an ineffective verification
            _progress(capa, manager, hamburg, today, state=CapaStatus.ACTIONS_DONE,
                      containment="100 % seal verification by the shift supervisor at gate 2.",
                      steps=[("Retrain night-shift gate staff on VVTT seal checks", -20, True),
                             ("Block gate-out in the yard app until the seal is scanned", -10,
                              True)])
            services.verify_corrective_action(
                auditor, capa, effective=False,
                notes="Follow-up sample of 20 containers: 2 still not verified on the night "
                      "shift; the app block is not active at gate 3.")
            _step(capa, manager, hamburg, "Activate the yard-app block at gate 3 as well", 21)
        elif capa.site and capa.site.code.startswith("DEHAM"):  # closed, verified effective
            _progress(capa, manager, hamburg, today, state=CapaStatus.ACTIONS_DONE,
                      containment="Missing visitor pages reconstructed from the badge system.",
                      steps=[("Switch the visitor log to the electronic badge system", -15,
                              True)])
            services.verify_corrective_action(
                auditor, capa, effective=True,
                notes="Electronic visitor log complete for 8 weeks; sample of 30 visits "
                      "traceable.")
        else:  # actions done, awaiting verification
            _progress(capa, manager, poland, today, state=CapaStatus.ACTIONS_DONE,
                      containment="Undated lists collected and dated with the trainers.",
                      steps=[("Record all training in the LMS with date and trainer", -5,
                              True)])


def _progress(capa, actor, owner, today, *, state, containment="", root_cause=None,
              steps=(), due=None):
    """Fill in and advance a corrective action to `state` through the services."""
    order = [CapaStatus.OPEN, CapaStatus.CONTAINMENT, CapaStatus.ROOT_CAUSE_ANALYSED,
             CapaStatus.ACTIONS_PLANNED, CapaStatus.ACTIONS_DONE]
    reach = order.index(state)
    capa.owner = owner
    if reach >= 1:
        capa.containment_action = containment or capa.containment_action
    if reach >= 2:
        capa.root_cause = root_cause or {"method": "five_whys", "whys": [
            {"why": "Why did it happen?", "answer": "The procedure step was not enforced."},
            {"why": "Why not enforced?", "answer": "No system check backs the procedure."}]}
    if due is not None:
        capa.due_date = today + datetime.timedelta(days=due)
    records.save_record(actor, capa)
    if state == CapaStatus.OPEN:
        return capa
    for description, offset, done in steps:
        _step(capa, actor, owner, description, offset, done=done and state in (
            CapaStatus.ACTIONS_DONE,), today=today)
    for target in order[1:reach + 1]:
        services.advance_corrective_action(actor, capa, target)
    return capa


def _step(capa, actor, owner, description, offset, *, done=False, today=None):
    today = today or timezone.localdate()
    due = today + datetime.timedelta(days=offset)
    return records.save_record(actor, CorrectiveActionStep(
        organisation=capa.organisation, corrective_action=capa, description=description,
        owner=owner, due_date=due, done_on=min(due, today) if done else None))


def _other_capa(organisation, title, spec, sites, people, manager, today):
    capa = records.save_record(manager, CorrectiveAction(
        organisation=organisation, source=spec["source"], title=title,
        description=spec.get("description", ""), site=sites.get(spec["site"]),
        owner=people.get(spec["owner"], manager),
        due_date=today + datetime.timedelta(days=spec["due"])))
    _progress(capa, manager, capa.owner, today, state=spec["state"],
              containment=spec.get("containment", ""), root_cause=spec.get("root_cause"),
              steps=spec.get("steps", ()))
