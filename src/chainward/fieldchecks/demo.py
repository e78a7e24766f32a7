"""The ABC Logistics field checks demo, loaded from `demo.yaml`: check templates from the
catalogues and one of its own, a month of 17-point inspections at the cross-docks (one failed
critical point that became an incident), weekly CCTV tests at Stryków (one missed, one failure
that opened a corrective action) and their schedule, the Poznań seal register (stock, shuttle
trips to Stryków verified at the gate, one number mismatch that became an incident, a lost and
a destroyed seal), and the Stryków gatehouse's visitor log and key and badge log.

Idempotent, part by part: the runs and seals when the organisation has no seal receipt, the
schedules when it has none, the gatehouse logs when its visitor log is empty. Everything goes
through the services (`import_catalogue_template`, `save_record`, `set_answer`,
`complete_run`, `receive_seals` via the register, `record_seal_event`, `sign_out_visitor`,
`return_key`, and the incidents' `record_notification` and `transition_incident`), so the demo
obeys the rules the pages and the API obey.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.core import yamlfiles
from chainward.core.services import save_record
from chainward.incidents import services as incidents
from chainward.supplychain.models import Leg, Site

from . import services
from .models import (
    CheckItem,
    CheckRun,
    CheckSchedule,
    CheckTemplate,
    KeyIssue,
    Seal,
    SealBatch,
    VisitorLogEntry,
)

DATA = Path(__file__).with_name("demo.yaml")
DOMAIN = "abc-logistics.example"


def _person(local, fallback):
    return User.objects.filter(email=f"{local}@{DOMAIN}").first() or fallback


def _at(days_ago, hhmm):
    hour, minute = (int(part) for part in hhmm.split(":"))
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _leg(organisation, key):
    origin, destination = key.split(">")
    return Leg.objects.filter(organisation=organisation, archived=False,
                              from_site__code=origin, to_site__code=destination).first()


def build_fieldchecks_demo(organisation, admin):
    """Create the demo's templates, runs, seal register, schedules and gatehouse logs (each
    part once); returns counts by kind."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    sites = {s.code: s for s in Site.objects.filter(organisation=organisation, archived=False)}
    counts = {}
    if not SealBatch.objects.filter(organisation=organisation).exists():
        manager = _person("m.weber", admin)
        templates = _templates(organisation, manager, data["templates"])
        runs = _inspections(organisation, admin, sites, templates, data["inspections"])
        runs += _cctv(organisation, admin, sites, templates["Weekly CCTV test"], data["cctv"])
        seals = _seals(organisation, admin, sites, data["seals"])
        counts.update({"check templates": len(templates), "check runs": runs,
                       "seals": seals})
    if not CheckSchedule.objects.filter(organisation=organisation).exists():
        counts["check schedules"] = build_schedules(organisation, admin, sites,
                                                    data["schedules"])
    if not VisitorLogEntry.objects.filter(organisation=organisation).exists():
        counts.update(build_gate_logs(organisation, admin, sites, data["gatehouse"]))
    return counts or {"check runs": 0}


def _templates(organisation, manager, data):
    templates = {}
    for entry in services.catalogue_templates().filter(ref_id__in=data["catalogue"]):
        templates[entry.ref_id] = services.import_catalogue_template(manager, organisation,
                                                                     entry)
    for row in data["own"]:
        template = CheckTemplate(organisation=organisation, name=row["name"], kind=row["kind"],
                                 description=row.get("description", "").strip(),
                                 on_critical_failure=row["on_critical_failure"])
        template.full_clean()
        save_record(manager, template)
        for order, point in enumerate(row["items"], start=1):
            item = CheckItem(organisation=organisation, template=template, order=order * 10,
                             section=point.get("section", ""), text=point["text"],
                             answer_type=point.get("answer_type", "pass_fail"),
                             options="\n".join(point.get("options") or []),
                             failing_options="\n".join(point.get("failing") or []),
                             min_value=point.get("min_value"),
                             critical=point.get("critical", False))
            item.full_clean()
            save_record(manager, item)
        templates[template.name] = template
    return templates


def _run(organisation, user, template, site, performed_at, **fields):
    run = CheckRun(organisation=organisation, template=template, site=site, inspector=user,
                   performed_at=performed_at, **fields)
    run.full_clean()
    return save_record(user, run)


def _follow_up(user, incident, notified, triaged_days):
    """The incident a check opened, told and triaged as the incidents demo does."""
    discovered = incident.discovered_at or incident.occurred_at
    for recipient, hours in (notified or {}).items():
        notification = incident.notifications.filter(recipient=recipient).first()
        if notification is not None:
            incidents.record_notification(
                user, notification,
                notified_at=discovered + datetime.timedelta(hours=hours))
    if triaged_days is not None:
        incidents.transition_incident(
            user, incident, "triaged",
            on=(discovered + datetime.timedelta(days=triaged_days)).date())


def _inspections(organisation, admin, sites, templates, data):
    template = templates.get(data["template"])
    if template is None:
        return 0
    points = {i.catalogue_ref: i for i in template.items.filter(archived=False)}
    failures = {(f["site"], f["days_ago"]): f for f in data.get("failures") or []}
    count = 0
    for code, place in data["sites"].items():
        site = sites.get(code)
        if site is None:
            continue
        user = _person(place["inspector"], admin)
        leg = _leg(organisation, place["leg"]) if place.get("leg") else None
        for days_ago in range(data["days"], 0, -data["every_days"]):
            failure = failures.get((code, days_ago))
            run = _run(organisation, user, template, site, _at(days_ago, place["at"]), leg=leg,
                       vehicle_registration=f"{place['plates']}{4000 + days_ago * 7}",
                       container_number=f"TRL-{code[:2]}{days_ago:02d}{count:03d}",
                       shipment_reference=f"SHP-{code[:2]}-{days_ago:02d}{count:02d}",
                       notes=place.get("note", ""))
            for ref, item in points.items():
                if failure and ref == failure["point"]:
                    services.set_answer(user, run, item, outcome="fail",
                                        note=failure["note"])
                else:
                    services.set_answer(user, run, item, outcome="pass")
            services.complete_run(user, run)
            if run.incident_id:
                _follow_up(user, run.incident, failure.get("notified"),
                           failure.get("triaged_days"))
            count += 1
    return count


def _cctv(organisation, admin, sites, template, data):
    site = sites.get(data["site"])
    if site is None:
        return 0
    user = _person(data["inspector"], admin)
    items = list(template.items.filter(archived=False).order_by("order"))
    recording, kept, picture, housings = items
    for weeks_ago in data["weeks_ago"]:
        answer = data["answers"][weeks_ago]
        run = _run(organisation, user, template, site, _at(weeks_ago * 7, data["at"]),
                   notes=answer.get("note", ""))
        services.set_answer(user, run, recording, outcome="pass")
        services.set_answer(user, run, kept, number=answer["days_kept"],
                            note=answer.get("note", "") if answer["days_kept"] < 30 else "")
        services.set_answer(user, run, picture, choice=answer["picture"],
                            note=answer.get("note", "") if answer["picture"] != "Usable"
                            else "")
        services.set_answer(user, run, housings, outcome="pass")
        services.complete_run(user, run)
    return len(data["weeks_ago"])


def _seals(organisation, admin, sites, data):
    site = sites.get(data["site"])
    leg = _leg(organisation, data["leg"])
    if site is None or leg is None:
        return 0
    user = _person(data["officer"], admin)
    receipt = data["receipt"]
    batch = SealBatch(organisation=organisation, site=site, prefix=receipt["prefix"],
                      first_number=receipt["first"], last_number=receipt["last"],
                      digits=receipt["digits"], seal_class=receipt["seal_class"],
                      seal_type=receipt["seal_type"], manufacturer=receipt["manufacturer"],
                      certificate=receipt["certificate"],
                      received_on=timezone.localdate() - datetime.timedelta(
                          days=receipt["days_ago"]))
    batch.full_clean()
    save_record(user, batch)  # puts the range in stock (SealBatchRegister.after_save)
    seals = list(Seal.objects.filter(batch=batch).order_by("number"))
    mismatch = data["mismatch"]
    for index, days_ago in enumerate(data["trips_days_ago"]):
        seal = seals[index]
        services.record_seal_event(user, seal, "issued", issued_to=user,
                                   at=_at(days_ago, "05:30"))
        services.record_seal_event(
            user, seal, "affixed", at=_at(days_ago, "06:05"), leg=leg,
            container_number=f"PO-{4711 + index}", shipment_reference=f"POZ-STR-{days_ago:02d}")
        found = mismatch["found"] if days_ago == mismatch["days_ago"] else seal.number
        event = services.record_seal_event(
            user, seal, "verified", site=leg.to_site, at=_at(days_ago, "09:20"),
            number_read=found, view_ok=True, tug_ok=True, twist_ok=True, intact=True,
            reason=mismatch["note"] if found != seal.number else "")
        if event.incident_id:
            _follow_up(user, event.incident, mismatch.get("notified"),
                       mismatch.get("triaged_days"))
        elif days_ago > 2:
            services.record_seal_event(user, seal, "removed", site=leg.to_site,
                                       at=_at(days_ago, "10:00"),
                                       reason="Removed at unloading by the dock lead.")
    for kind in ("lost", "destroyed"):
        step = data[kind]
        services.record_seal_event(user, seals[step["seal_offset"]], kind,
                                   at=_at(step["days_ago"], "12:00"), reason=step["reason"])
    return len(seals)


def _template(organisation, key):
    """An own template by name, or one copied from the catalogue by its checklist id."""
    found = CheckTemplate.objects.filter(organisation=organisation, archived=False)
    return found.filter(name=key).first() or found.filter(
        catalogue_urn=f"urn:chainward:checklist:{key}").first()


def build_schedules(organisation, admin, sites, rows):
    """The schedules of `rows` (template, site, how often, first due `starts_days_ago`)."""
    count = 0
    for row in rows:
        site, template = sites.get(row["site"]), _template(organisation, row["template"])
        if site is None or template is None:
            continue
        user = _person(row["responsible"], admin) if row.get("responsible") else admin
        schedule = CheckSchedule(
            organisation=organisation, template=template, site=site, unit=row["unit"],
            every=row.get("every", 1), responsible=user if row.get("responsible") else None,
            starts_on=timezone.localdate() - datetime.timedelta(
                days=row.get("starts_days_ago", 0)), notes=row.get("notes", ""))
        schedule.full_clean()
        save_record(user, schedule)
        count += 1
    return count


def _when(row, key):
    """`days_ago` at the local time `key`, or `hours_ago` before now (today's entries, which
    must not lie in the future whenever the demo is built)."""
    if "hours_ago" in row:
        return timezone.now() - datetime.timedelta(hours=row["hours_ago"])
    return _at(row["days_ago"], row[key])


def build_gate_logs(organisation, admin, sites, data):
    """A gatehouse's visitor log and key and badge log: entries written as the officer at the
    gate, signed out and returned through the services."""
    site = sites.get(data["site"])
    if site is None:
        return {}
    user = _person(data["officer"], admin)
    for row in data["visitors"]:
        entry = VisitorLogEntry(
            organisation=organisation, site=site, kind=row["kind"], name=row["name"],
            company=row.get("company", ""), vehicle_registration=row.get("vehicle", ""),
            id_checked=bool(row.get("id_type")), id_type=row.get("id_type", ""),
            escorted_by=row.get("escorted_by", ""), purpose=row.get("purpose", ""),
            time_in=_when(row, "in"), notes=row.get("note", ""))
        entry.full_clean()
        save_record(user, entry)
        if row.get("out"):
            services.sign_out_visitor(user, entry, at=_at(row["days_ago"], row["out"]))
    for row in data["keys"]:
        issue = KeyIssue(organisation=organisation, site=site, kind=row["kind"],
                         key_id=row["key_id"], issued_to=row["issued_to"],
                         issued_at=_when(row, "at"), notes=row.get("note", ""))
        issue.full_clean()
        save_record(user, issue)
        if row.get("returned"):
            back = row.get("returned_days_ago", row["days_ago"])
            services.return_key(user, issue, at=_at(back, row["returned"]))
    return {"visitor log entries": len(data["visitors"]), "key issues": len(data["keys"])}
