"""The ABC Logistics audits demo (ISO 28000 9.2, 10.2), loaded from `demo.yaml`: the internal
audit programme of the first certification year, two completed internal audits at the
company's own sites with checklists, findings and the corrective actions they opened, one audit
planned, and corrective actions from other sources in every state.

Everything goes through the services — `save_record` (the audit register re-checks auditor
independence on the saved team and sites), `transition_audit`, `generate_checklist`,
`set_checklist_result`, `advance_corrective_action`, `verify_corrective_action` — so the demo
obeys the rules the pages and the API obey. Records are found by title; an existing audit or
corrective action is left alone, so a second run writes nothing.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.certification.services import add_months
from chainward.core import services as records
from chainward.core import yamlfiles
from chainward.library.models import Framework, Requirement
from chainward.supplychain.demo import CERTIFIED_MONTHS_AGO, DOMAIN, OWN_SITES
from chainward.supplychain.models import Site

from . import services
from .choices import AuditStatus, CapaStatus
from .models import Audit, AuditProgramme, CorrectiveAction, CorrectiveActionStep, Finding

DATA = Path(__file__).with_name("demo.yaml")
ISO28000 = "urn:chainward:framework:iso28000-2022"
ORDER = [CapaStatus.OPEN, CapaStatus.CONTAINMENT, CapaStatus.ROOT_CAUSE_ANALYSED,
         CapaStatus.ACTIONS_PLANNED, CapaStatus.ACTIONS_DONE]


class Demo:
    """The data file and what it names in the organisation (people, sites, the framework)."""

    def __init__(self, organisation, admin):
        self.data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
        self.organisation, self.today = organisation, timezone.localdate()
        self.people = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
        self.manager = self.person(self.data["manager"], admin)
        self.auditor = self.person(self.data["lead_auditor"], admin)
        self.sites = {s.code: s for s in Site.objects.filter(organisation=organisation)}
        self.framework = Framework.objects.filter(urn=ISO28000).first()

    def person(self, local, fallback=None):
        return self.people.get(f"{local}@{DOMAIN}", fallback) if local else fallback

    def days(self, offset):
        return self.today + datetime.timedelta(days=offset)


def build_audits_demo(organisation, admin):
    """Create (or reuse) the demo's audit records; return {label: count} for the summary."""
    demo = Demo(organisation, admin)
    programme = _programme(demo)
    for spec in demo.data["audits"]:
        if Audit.objects.filter(organisation=organisation, title=spec["title"]).exists():
            continue
        if "starts_in_days" in spec:
            _audit(demo, programme, spec, start=demo.days(spec["starts_in_days"]))
        else:
            _completed_audit(demo, programme, spec)
    for spec in demo.data["other_corrective_actions"]:
        if not CorrectiveAction.objects.filter(organisation=organisation,
                                               title=spec["title"]).exists():
            _other_capa(demo, spec)
    audits = Audit.objects.filter(organisation=organisation, programme=programme)
    return {
        "audits": audits.count(),
        "findings": Finding.objects.filter(audit__in=audits).count(),
        "corrective actions": CorrectiveAction.objects.filter(
            organisation=organisation).count(),
    }


def _programme(demo):
    # The first certification year: from the decision to surveillance audit 1.
    start = add_months(demo.today, -CERTIFIED_MONTHS_AGO)
    end = add_months(start, 12) - datetime.timedelta(days=1)
    title = f"Internal audit programme, certification year {start:%Y-%m} to {end:%Y-%m}"
    programme = AuditProgramme.objects.filter(organisation=demo.organisation, title=title).first()
    if programme is not None:
        return programme
    return records.save_record(demo.auditor, AuditProgramme(
        organisation=demo.organisation, title=title, period_start=start, period_end=end,
        objectives=demo.data["programme"]["objectives"]), relations={
        "frameworks": [demo.framework] if demo.framework else [],
        "sites": [site for code, site in demo.sites.items() if code in OWN_SITES]})


def _audit(demo, programme, spec, *, start):
    relations = {"sites": [demo.sites[c] for c in spec["sites"] if c in demo.sites],
                 "team": [p for p in [demo.person(spec.get("team"))] if p],
                 "responsible_persons": [p for p in [demo.person(spec.get("responsible"))] if p]}
    if demo.framework is not None:
        relations["criteria"] = [demo.framework]
        if spec["clauses"]:
            relations["requirements"] = Requirement.objects.filter(
                framework=demo.framework, depth=2, parent__ref_id__in=spec["clauses"],
                retired=False)
    # The register's after_save checks independence on the saved team and sites.
    return records.save_record(demo.auditor, Audit(
        organisation=demo.organisation, programme=programme, title=spec["title"],
        audit_type="internal", scope=spec["scope"], lead_auditor=demo.auditor,
        planned_start=start, planned_end=start + datetime.timedelta(days=1)),
        relations=relations)


def _completed_audit(demo, programme, spec):
    auditor, start = demo.auditor, demo.days(-spec["days_ago"])
    audit = _audit(demo, programme, spec, start=start)
    services.transition_audit(auditor, audit, AuditStatus.IN_PROGRESS)
    audit.actual_start = start
    services.generate_checklist(auditor, audit)
    by_ref = {}
    for item in audit.checklist.select_related("requirement"):
        ref = item.requirement.ref_id if item.requirement else ""
        by_ref[ref] = item
        services.set_checklist_result(auditor, item, result=spec["results"].get(
            ref, "conforming"), notes="", samples="See audit report.")
    for finding in spec["findings"]:
        ref = finding["clause"]
        records.save_record(auditor, Finding(
            organisation=demo.organisation, audit=audit, grade=finding["grade"],
            statement=finding["statement"],
            requirement=by_ref[ref].requirement if ref in by_ref else None,
            site=demo.sites.get(finding.get("site")), checklist_item=by_ref.get(ref)))
    audit.summary, audit.conclusion = spec["summary"], spec["conclusion"]
    audit.actual_end = start + datetime.timedelta(days=1)
    audit.refresh_from_db(fields=["version"])
    services.transition_audit(auditor, audit, AuditStatus.REPORTED)
    if spec["close"]:
        services.transition_audit(auditor, audit, AuditStatus.CLOSED)
    # A nonconformity opened its corrective action: take each to its state in the file.
    stories = {f["statement"]: f["corrective_action"] for f in spec["findings"]
               if "corrective_action" in f}
    for capa in CorrectiveAction.objects.filter(finding__audit=audit).select_related(
            "finding", "site"):
        story = stories[capa.finding.statement]
        owner = demo.person(story["owner"], demo.manager)
        _progress(demo, capa, owner, state=CapaStatus.ACTIONS_DONE,
                  containment=story["containment"], steps=story["steps"])
        if "verification" in story:
            services.verify_corrective_action(auditor, capa, **story["verification"])
        if "then" in story:
            _step(demo, capa, owner, *story["then"])


def _progress(demo, capa, owner, *, state, containment="", root_cause=None, steps=()):
    """Fill in and advance a corrective action to `state` through the services."""
    reach = ORDER.index(state)
    capa.owner = owner
    if reach >= 1:
        capa.containment_action = containment or capa.containment_action
    if reach >= 2:
        capa.root_cause = root_cause or demo.data["default_root_cause"]
    records.save_record(demo.manager, capa)
    if state == CapaStatus.OPEN:
        return capa
    for description, offset in steps:
        _step(demo, capa, owner, description, offset, done=state == CapaStatus.ACTIONS_DONE)
    for target in ORDER[1:reach + 1]:
        services.advance_corrective_action(demo.manager, capa, target)
    return capa


def _step(demo, capa, owner, description, offset, *, done=False):
    due = demo.days(offset)
    return records.save_record(demo.manager, CorrectiveActionStep(
        organisation=capa.organisation, corrective_action=capa, description=description,
        owner=owner, due_date=due, done_on=min(due, demo.today) if done else None))


def _other_capa(demo, spec):
    capa = records.save_record(demo.manager, CorrectiveAction(
        organisation=demo.organisation, source=spec["source"], title=spec["title"],
        description=spec.get("description", ""), site=demo.sites.get(spec["site"]),
        owner=demo.person(spec.get("owner"), demo.manager), due_date=demo.days(spec["due"])))
    _progress(demo, capa, capa.owner, state=spec["state"],
              containment=spec.get("containment", ""), root_cause=spec.get("root_cause"),
              steps=spec.get("steps", ()))
