"""The ABC Logistics context demo (ISO 28000 4.1, 4.2, 6.3, 9.1), loaded from `demo.yaml`:
interested parties, the legal and other requirements register with its compliance
evaluations, the context issues with the climate decision, and two planned changes.

Idempotent: when the first obligation of the file exists (found by title) nothing is written.
Everything goes through the services — `save_record`, `record_evaluation`,
`transition_change` — so the schedule and the change steps obey the rules the pages and the
API obey.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.core import yamlfiles
from chainward.core.services import save_record
from chainward.documents.models import Document
from chainward.supplychain.models import Site

from . import services
from .models import ContextIssue, InterestedParty, Obligation, PlannedChange

DATA = Path(__file__).with_name("demo.yaml")
DOMAIN = "abc-logistics.example"


def _day(days_ago):
    return timezone.localdate() - datetime.timedelta(days=int(days_ago))


def _person(local, fallback):
    return (User.objects.filter(email=f"{local}@{DOMAIN}").first() if local else None) or \
        fallback


def _sites(organisation, codes):
    return list(Site.objects.filter(organisation=organisation, code__in=codes or ()))


def _save(admin, obj, relations=None):
    obj.full_clean()
    save_record(admin, obj, relations=relations)
    return obj


def build_context_demo(organisation, admin):
    """Create the demo's parties, obligations with evaluations, issues and changes (once);
    returns counts by kind."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    if Obligation.objects.filter(organisation=organisation,
                                 title=data["obligations"][0]["title"]).exists():
        return {"legal requirements": 0}
    manager = _person("m.weber", admin)
    owned = {"organisation": organisation}
    parties = {}
    for row in data["parties"]:
        parties[row["name"]] = _save(admin, InterestedParty(
            **owned, name=row["name"], kind=row["kind"], needs=row["needs"],
            becomes_obligation=row.get("obligation", False),
            how_monitored=row.get("monitored", ""), review_date=_day(-35)))
    counts = {"interested parties": len(parties), "legal requirements": 0,
              "compliance evaluations": 0, "context issues": 0, "planned changes": 0}
    for row in data["obligations"]:
        changed = row.get("changed")
        obligation = Obligation(
            **owned, title=row["title"], kind=row["kind"], source=row["source"],
            article=row.get("article", ""), authority=row.get("authority", ""),
            jurisdiction=row.get("jurisdiction", ""),
            interested_party=parties.get(row.get("party")), summary=row["summary"],
            processes=row.get("processes", ""), owner=manager,
            how_we_comply=row.get("comply", ""),
            evaluation_interval_months=row.get("interval", 12),
            law_changed_on=_day(changed[0]) if changed else None,
            change_note=changed[1] if changed else "")
        documents = list(Document.objects.filter(organisation=organisation,
                                                  title__in=row.get("documents", ())))
        _save(admin, obligation, relations={"sites": _sites(organisation, row.get("sites")),
                                            "documents": documents})
        counts["legal requirements"] += 1
        for days_ago, result, site, evidence, actions in row.get("evaluated", ()):
            services.record_evaluation(
                admin, obligation, evaluated_on=_day(days_ago), evaluated_by=manager,
                result=result, evidence=evidence, actions=actions,
                site=Site.objects.filter(code=site, **owned).first() if site else None)
            counts["compliance evaluations"] += 1
    for row in data["issues"]:
        _save(admin, ContextIssue(
            **owned, title=row["title"], origin=row["origin"], category=row["category"],
            description=row["description"], effect=row["effect"],
            effect_description=row.get("effect_description", ""),
            relevance=row.get("relevance", "relevant"), rationale=row.get("rationale", ""),
            consequences=row.get("consequences", ""), source=row.get("source", ""),
            decided_on=_day(row["decided_days_ago"]), review_date=_day(-row["review_in_days"])),
            relations={"sites": _sites(organisation, row.get("sites"))})
        counts["context issues"] += 1
    for row in data["changes"]:
        change = _save(admin, PlannedChange(
            **owned, title=row["title"], kind=row["kind"],
            site=Site.objects.filter(code=row.get("site"), **owned).first(),
            reason=row["reason"], security_implications=row["implications"],
            to_review=row.get("to_review", ""), owner=_person(row.get("owner"), manager),
            planned_for=_day(-row["planned_in_days"])))
        for step, days_ago in row.get("steps", ()):
            services.transition_change(manager, change, step, on=_day(days_ago),
                                       review=row.get("review", ""))
        counts["planned changes"] += 1
    return counts
