"""The ABC Logistics incidents demo (ISO 28001 5.7), loaded from `demo.yaml`: the contacts
directory, the notification deadlines, and a year of incidents with their notifications,
timelines, investigations, corrective actions and the re-assessment marks they leave.

Idempotent: when the first incident of the file exists (found by title) nothing is written.
Everything goes through the services — `save_record`, `record_notification`,
`transition_incident`, `open_corrective_action` — so the demo obeys the rules the pages and
the API obey (deadlines, the status order, the closing rule, scope).
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chainward.access.models import User
from chainward.core import yamlfiles
from chainward.core.scope import allows
from chainward.core.services import save_record
from chainward.supplychain.models import GoodsCategory, Leg, Partner, Site

from . import services
from .models import Contact, Incident, Notification, NotificationRule, TimelineEntry

DATA = Path(__file__).with_name("demo.yaml")
DOMAIN = "abc-logistics.example"
STEPS = ("triaged", "under_investigation", "closed")


def _person(local, fallback):
    return User.objects.filter(email=f"{local}@{DOMAIN}").first() or fallback if local \
        else fallback


class Places:
    """Resolves the file's site codes, legs ("A>B"), partner and goods names."""

    def __init__(self, organisation):
        self.owned = {"organisation": organisation, "archived": False}

    def site(self, code):
        return Site.objects.filter(code=code, **self.owned).first() if code else None

    def leg(self, key):
        if not key:
            return None
        origin, destination = key.split(">")
        return Leg.objects.filter(from_site__code=origin, to_site__code=destination,
                                  **self.owned).order_by("pk").first()

    def partner(self, name):
        return Partner.objects.filter(name=name, **self.owned).first() if name else None

    def goods(self, name):
        return GoodsCategory.objects.filter(name=name, **self.owned).first() if name else None


def _hours(start, hours):
    return start + datetime.timedelta(hours=float(hours))


def build_incidents_demo(organisation, admin):
    """Create the demo's contacts, deadlines and incidents (once); returns counts by kind."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    first = data["incidents"][0]["title"]
    if Incident.objects.filter(organisation=organisation, title=first).exists():
        return {"incidents": 0}
    places = Places(organisation)
    counts = {"contacts": 0, "notification deadlines": 0, "incidents": 0,
              "incident notifications": 0}
    for row in data["contacts"]:
        if Contact.objects.filter(organisation=organisation, name=row["name"]).exists():
            continue
        site = places.site(row.get("site"))
        if row.get("site") and site is None:
            continue
        contact = Contact(organisation=organisation, site=site, **{
            k: v for k, v in row.items() if k != "site"})
        contact.full_clean()
        save_record(admin, contact)
        counts["contacts"] += 1
    for row in data["deadlines"]:
        rule = NotificationRule(organisation=organisation, recipient=row["recipient"],
                                incident_type=row.get("type", ""),
                                within_hours=row["hours"], basis=row.get("basis", ""))
        rule.full_clean()
        save_record(admin, rule)
        counts["notification deadlines"] += 1
    for row in data["incidents"]:
        incident = _incident(organisation, admin, places, row)
        if incident is None:
            continue
        counts["incidents"] += 1
        counts["incident notifications"] += Notification.objects.filter(
            incident=incident).count()
    counts["plan exercises"] = sum(_exercise(organisation, admin, places, row) is not None
                                   for row in data.get("exercises") or [])
    return counts


def _exercise(organisation, admin, places, row):
    """One exercise of the organisation's security plan (ISO 28000 8.6), held and acted on
    when the file says so; None when there is no plan or the scenario is missing."""
    from chainward.library.models import CatalogEntry
    from chainward.plans.models import SecurityPlan

    from .exercises import services as exercises
    from .exercises.models import Exercise

    plan = SecurityPlan.objects.filter(organisation=organisation, archived=False) \
        .order_by("pk").first()
    if plan is None:
        return None
    scenario = CatalogEntry.objects.filter(kind="threat_scenario", ref_id=row["scenario"],
                                           retired=False).first() if row.get("scenario") \
        else None
    incident = Incident.objects.filter(organisation=organisation, title=row["incident"]) \
        .first() if row.get("incident") else None
    if scenario is None and incident is None:
        return None
    site = places.site(row.get("site"))
    if site is not None and not plan.sites.filter(pk=site.pk).exists():
        site = None  # the plan does not cover it: an exercise across the plan
    today = timezone.localdate()
    exercise = Exercise(organisation=organisation, plan=plan, title=row["title"],
                        exercise_type=row["type"], threat_scenario=scenario, incident=incident,
                        site=site, repeat_months=row.get("repeat_months"),
                        due_on=today - datetime.timedelta(days=row["due_days_ago"]))
    exercise.full_clean()
    save_record(admin, exercise)
    if row.get("held_days_ago") is not None:
        exercises.record_exercise(
            admin, exercise, held_on=today - datetime.timedelta(days=row["held_days_ago"]),
            participants=row["participants"], tested=row["tested"], result=row["result"],
            observations=row.get("observations", ""))
        for action in row.get("actions") or []:
            exercises.open_exercise_action(
                admin, exercise, title=action["title"], owner=_person(action.get("owner"),
                                                                      admin),
                due_date=today + datetime.timedelta(days=action["due_in_days"]))
    return exercise


def _incident(organisation, admin, places, row):
    """One incident of the file and everything that happened to it; None when its place is
    missing from the organisation."""
    site, leg = places.site(row.get("site")), places.leg(row.get("leg"))
    partner = places.partner(row.get("partner"))
    if (row.get("site") and site is None) or (row.get("leg") and leg is None):
        return None
    hour, minute = (int(part) for part in row["at"].split(":"))
    day = timezone.localdate() - datetime.timedelta(days=row["days_ago"])
    occurred = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    discovered = _hours(occurred, row.get("discovered_hours", 0))
    incident = Incident(
        organisation=organisation, title=row["title"], incident_type=row["type"],
        modus_operandi=row["modus_operandi"], modus_operandi_detail=row.get("detail", ""),
        description=row.get("detail", ""), occurred_at=occurred,
        discovered_at=discovered if discovered != occurred else None, site=site, leg=leg,
        partner=partner if row.get("partner") else None,
        location_type=row["location_type"], location=row.get("location", ""),
        country=row.get("country", ""), goods_category=places.goods(row.get("goods")),
        quantity=row.get("quantity", ""), loss_value=Decimal(row.get("loss", "0")),
        recovered_value=Decimal(row.get("recovered", "0")),
        seal_numbers=row.get("seals", ""), vehicles=row.get("vehicles", ""),
        people_involved=row.get("people", "unknown"), severity=row["severity"],
        threat_scenario=_scenario(row.get("scenario")))
    incident.full_clean()
    reporter = _person(row.get("reporter"), admin)
    if not allows(reporter, "add", incident):
        reporter = admin  # the demo's people changed: the administrator records it
    save_record(reporter, incident)  # adds the notifications the deadlines require
    for hours, text in row.get("timeline") or []:
        save_record(reporter, TimelineEntry(organisation=organisation, incident=incident,
                                            at=_hours(discovered, hours), description=text))
    for recipient, (hours, reference) in (row.get("notified") or {}).items():
        notification = incident.notifications.filter(recipient=recipient).first()
        if notification is None:
            notification = Notification(organisation=organisation, incident=incident,
                                        recipient=recipient)
            save_record(reporter, notification)
        services.record_notification(reporter, notification, reference_number=reference,
                                     notified_at=_hours(discovered, hours))
    steps = row.get("steps") or {}
    for step in STEPS:
        if step not in steps:
            continue
        if step == "closed":
            _investigate(reporter, incident, row.get("investigation") or {})
        days = steps[step]
        on = None if days is None else (discovered + datetime.timedelta(days=days)).date()
        services.transition_incident(reporter, incident, step, on=on)
    if incident.status == "under_investigation" and row.get("investigation"):
        _investigate(reporter, incident, row["investigation"])
    return incident


def _scenario(ref_id):
    """The threat-catalogue scenario of the file's `scenario` (None when not given)."""
    from chainward.library.models import CatalogEntry

    if not ref_id:
        return None
    return CatalogEntry.objects.filter(kind="threat_scenario", ref_id=ref_id,
                                       retired=False).first()


def _investigate(user, incident, data):
    """Fill the investigation opened by the status step and open its corrective action."""
    investigation = incident.investigations.get()
    if data.get("five_whys"):
        investigation.root_cause = {"method": "five_whys", "whys": [
            {"why": why, "answer": answer} for why, answer in data["five_whys"]]}
    elif data.get("causes"):
        investigation.root_cause = {"method": "cause_categories",
                                    "categories": dict(data["causes"])}
    investigation.summary = (data.get("summary") or "").strip()
    investigation.lessons_learned = data.get("lessons") or ""
    investigation.full_clean()
    save_record(user, investigation)
    capa = data.get("corrective_action")
    if capa and investigation.summary:
        owner = _person(capa.get("owner"), user)
        try:
            services.open_corrective_action(
                user, investigation, owner=owner, title=capa["title"],
                due_date=timezone.localdate() + datetime.timedelta(days=capa["due_in_days"]))
        except PermissionDenied:
            services.open_corrective_action(
                _person("m.weber", user), investigation, owner=owner, title=capa["title"],
                due_date=timezone.localdate() + datetime.timedelta(days=capa["due_in_days"]))
