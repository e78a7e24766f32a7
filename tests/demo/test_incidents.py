"""The ABC Logistics incidents demo, and the anonymised (TAPA IIS-like) export tested on it:
no personal data, no names of sites, partners or people, no exact address or coordinates."""

import csv
import datetime
import io
import json
import re

import pytest
from django.utils import timezone

from chainward.access.models import User
from chainward.audits.models import CorrectiveAction
from chainward.fieldchecks.services import incidents_opened
from chainward.incidents.anonymised import COLUMNS, value_band
from chainward.incidents.models import Contact, Incident, Notification
from chainward.risk.dashboard import reassessment_prompts
from chainward.supplychain.models import Leg, Partner, PartnerContact, Site


def _user(local):
    return User.objects.get(email=f"{local}@abc-logistics.example")


def test_the_demo_has_a_year_of_incidents_through_the_workflow(demo):
    # The field checks demo (issue 15) opens two of its own; the incidents demo has six.
    incidents = Incident.objects.filter(organisation=demo).exclude(
        pk__in=incidents_opened(demo))
    assert incidents.count() == 6
    assert set(incidents.values_list("status", flat=True)) == {
        "closed", "under_investigation", "triaged"}
    # The five the issue lists, each with its notifications, an investigation, a corrective
    # action and the resulting re-assessment (ISO 28001 5.7); the stowaway's is still open.
    listed = {"pilferage": "closed", "seal_tampering": "closed", "fictitious_pickup": "closed",
              "stowaways": "under_investigation", "cyber": "closed"}
    assert dict(incidents.filter(incident_type__in=listed)
                .values_list("incident_type", "status")) == listed
    for incident in incidents.filter(incident_type__in=listed):
        investigation = incident.investigations.get()
        assert investigation.summary and investigation.root_cause, incident
        assert investigation.corrective_action.source == "incident"
        assert incident.notifications.exists(), incident
        assert incident.notifications.filter(notified_at__isnull=True).count() == 0
        assert incident.affected_ratings.exists(), incident
    # Where the issue puts them: the pilferage at a rest stop on a leg, the seal discrepancy
    # at a cross-dock, the pickup attempt at a gate of ours, the stowaway at the border, the
    # cyber incident in the IT systems; all within the last year.
    by_type = {i.incident_type: i for i in incidents.select_related("site")}
    assert by_type["pilferage"].leg_id and \
        by_type["pilferage"].location_type == "parking_unsecured"
    assert by_type["seal_tampering"].site.kind == "cross_dock"
    assert by_type["fictitious_pickup"].site and "gate" in by_type["fictitious_pickup"].title
    assert by_type["stowaways"].location_type == "border"
    assert by_type["cyber"].location_type == "it_systems"
    year_ago = timezone.now() - datetime.timedelta(days=366)
    assert all(year_ago < i.occurred_at <= timezone.now() for i in incidents)
    closed = incidents.filter(status="closed")
    assert closed.count() == 4
    for incident in closed:
        assert incident.closed_on <= incident.closed_on.today()
        assert incident.investigations.get().completed_on == incident.closed_on
    assert CorrectiveAction.objects.filter(organisation=demo,
                                           investigations__isnull=False).count() == 5
    # The notifications name whom to call, from the directory (the incident's site first).
    pickup = incidents.get(incident_type="fictitious_pickup")
    assert pickup.notifications.get(recipient="police").contact.name == \
        "Polizeikommissariat 42 (Billbrook)"
    # The most recent incident waits for its police report: overdue on the dashboard.
    late = Notification.objects.filter(organisation=demo, notified_at__isnull=True)
    assert any(n.is_overdue for n in late)
    assert Contact.objects.filter(organisation=demo).count() >= 8
    # Poznań's fence incident, triaged today, prompts the re-assessment.
    fence = incidents.get(title__startswith="Fence cut")
    assert fence.affected_ratings.exists()
    assert any(fence.reference in p for p in reassessment_prompts(_user("m.weber"), demo))


def test_the_demo_review_pack_has_the_incidents(demo):
    from chainward.certification.models import ManagementReview

    review = ManagementReview.objects.filter(organisation=demo).order_by("-date").first()
    [section] = [s for s in review.snapshot["inputs"] if s["key"] == "incidents"]
    assert section["available"] and {f["key"] for f in section["figures"]} >= {
        "incidents", "value_lost", "open_investigations", "overdue_notifications"}


def test_a_site_officer_sees_only_their_sites_incidents(client, demo):
    officer = _user("j.petersen")  # Hamburg
    client.force_login(officer)
    rows = client.get("/api/incidents/incidents/", {"limit": 100}).json()["results"]
    hamburg = {s.pk for s in Site.objects.filter(organisation=demo, code__startswith="DEHAM")}
    assert rows and all({r["site"], *_leg_ends(r["leg"])} & hamburg for r in rows)
    assert len(rows) < Incident.objects.filter(organisation=demo).count()


def _leg_ends(leg_id):
    if leg_id is None:
        return set()
    leg = Leg.objects.get(pk=leg_id)
    return {leg.from_site_id, leg.to_site_id}


def _forbidden_words(org):
    """Every name and exact place the export must not contain."""
    words = set()
    for site in Site.objects.filter(organisation=org):
        words |= {site.name, site.code, site.address, site.city, site.postcode,
                  str(site.latitude), str(site.longitude)}
    for partner in Partner.objects.filter(organisation=org):
        words |= {partner.name, partner.city}
    for person in PartnerContact.objects.filter(organisation=org):
        words |= {person.name, person.phone, person.email}
    for user in User.objects.filter(role_assignments__organisation=org):
        words |= {user.email, user.full_name, user.email.split("@")[0]}
    for incident in Incident.objects.filter(organisation=org):
        words |= {incident.title, incident.reference, incident.location, incident.seal_numbers,
                  incident.vehicles, incident.shipment_references, incident.description,
                  incident.quantity, str(incident.loss_value)}
        words |= {n.reference_number for n in incident.notifications.all()}
    for contact in Contact.objects.filter(organisation=org):
        words |= {contact.name, contact.person, contact.phone, contact.email}
    return {w for w in words if w and w not in {"None", "0.00"} and len(w) > 3}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_anonymised_export_has_no_names_and_no_exact_places(client, demo, fmt):
    client.force_login(_user("m.weber"))
    assert f'href="/incidents/anonymised.{fmt}"' in client.get("/").content.decode()
    response = client.get(f"/incidents/anonymised.{fmt}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert tuple(rows[0]) == COLUMNS
    else:
        rows = json.loads(text)["incidents"]
        assert tuple(rows[0]) == COLUMNS
    assert len(rows) == Incident.objects.filter(organisation=demo).count()
    leaked = sorted(w for w in _forbidden_words(demo) if w in text)
    assert leaked == []
    # No coordinates or e-mail addresses of any kind, no exact loss figures.
    assert not re.search(r"\d+\.\d{4,}", text)
    assert "@" not in text
    pilferage = next(r for r in rows if r["incident_category"] == "Cargo theft — pilferage")
    assert pilferage["country"] == "DE" and pilferage["region"] == "EMEA"
    assert pilferage["value_band"] == "under 10,000" and pilferage["goods_category"] == "Spirits"
    assert {r["location_type"] for r in rows} >= {"Unsecured parking / rest stop",
                                                  "Border crossing"}


def test_the_anonymised_export_keeps_the_scope_and_needs_the_export_grant(client, demo):
    client.force_login(_user("j.petersen"))
    rows = json.loads(client.get("/incidents/anonymised.json").content)["incidents"]
    assert 0 < len(rows) < Incident.objects.filter(organisation=demo).count()
    viewer = User.objects.filter(role_assignments__organisation=demo,
                                 role_assignments__role__name="Viewer").first()
    if viewer is not None:
        client.force_login(viewer)
        assert client.get("/incidents/anonymised.csv").status_code == 403


@pytest.mark.parametrize("value, band", [(None, "unknown"), (0, "no loss"),
                                         (9999.99, "under 10,000"), (10000, "10,000–49,999"),
                                         (999999, "250,000–999,999"),
                                         (1000000, "1,000,000 or more")])
def test_value_bands(value, band):
    assert value_band(value) == band


def test_the_demo_has_two_exercises_one_held_with_its_action_one_overdue(client, demo):
    from chainward.incidents.models import Exercise

    planned = Exercise.objects.filter(organisation=demo, follows__isnull=True)
    assert planned.count() == 2
    held = planned.get(held_on__isnull=False)
    late = planned.get(held_on__isnull=True)
    assert held.exercise_type == "tabletop" and held.result == "partly_met"
    assert held.threat_scenario.ref_id == "TS-03" and held.observations
    [action] = held.corrective_actions.all()
    assert action.title.startswith("Dispatch card") and action.owner == _user("m.weber")
    # It repeats yearly: the next one is planned, a year after it was held.
    follow_up = Exercise.objects.get(follows=held)
    assert follow_up.held_on is None and follow_up.due_on > held.held_on.replace(
        year=held.held_on.year + 1, day=1)
    assert late.is_overdue and late.incident.title.startswith("Seal number mismatch")
    client.force_login(_user("m.weber"))
    home = client.get("/").content.decode()
    assert "Plan exercises overdue" in home and late.reference in home
    page = client.get(held.plan.get_absolute_url()).content.decode()
    assert f"{held.held_on:%Y-%m-%d} — <a href=\"{held.get_absolute_url()}\"" in page


def test_the_plan_prints_the_contacts_its_reader_may_see(client, demo):
    import io as _io

    from pypdf import PdfReader

    from chainward.plans.models import SecurityPlanVersion

    version = SecurityPlanVersion.objects.filter(organisation=demo).order_by("-number").first()
    client.force_login(_user("m.weber"))
    page = client.get(version.get_absolute_url()).content.decode()
    # Printed in the plan's warning and communication section (ISO 28000 8.6.3), before the
    # next section begins.
    warning = page.index("5. Warning and communication")
    assert warning < page.index('id="plan-contacts"') < page.index("6. Recovery")
    contacts = page[page.index('id="plan-contacts"'):page.index("6. Recovery")]
    # The organisation's insurer and the Hamburg police, each with their number.
    assert "Hanseatic Cargo Insurance AG" in contacts and "+49 40 000 471" in contacts
    assert "Polizeikommissariat 42 (Billbrook)" in contacts and "+49 40 4286-54210" in contacts
    # A PDF rendered now (the demo's approved version keeps the PDF cached when it was
    # approved, before the incidents demo wrote the directory).
    from chainward.plans.views import render_version_pdf

    pdf = render_version_pdf(_user("m.weber"), version, for_everyone=False)
    text = " ".join(p.extract_text() for p in PdfReader(_io.BytesIO(pdf)).pages)
    listed = text[text.index("Authority and emergency contacts"):text.index("6. Recovery")]
    assert text.index("5. Warning and communication") < \
        text.index("Authority and emergency contacts")
    assert "Polizeikommissariat 42 (Billbrook)" in listed and "+49 40 000 471" in listed
    # A Hamburg officer's copy (their sites only) holds no Polish site's contact.
    client.force_login(_user("j.petersen"))
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Polizeikommissariat 42" in page and "Komisariat Policji" not in page


def test_the_demo_ratings_suggest_a_likelihood_from_their_incidents(client, demo):
    """ISO 28001 5.7: the fictitious pickup at Hamburg (TS-04, 130 days ago) sets a floor of
    3 (Possible) under the Hamburg TS-04 rating; the demo rated it 3 (risk/demo.yaml)."""
    from chainward.risk.likelihood import suggest_likelihood
    from chainward.risk.models import Rating

    pickup = Incident.objects.get(organisation=demo, title__startswith="Fictitious pickup")
    rating = Rating.objects.filter(organisation=demo, archived=False, site__code="DEHAM-WH1",
                                   threat__scenario__ref_id="TS-04").order_by("pk").first()
    manager = _user("m.weber")
    suggestion = suggest_likelihood(manager, rating)
    assert suggestion.occurrences == [pickup]
    assert (suggestion.minimum_name, suggestion.current, suggestion.below) == (
        "3 (Possible)", 3, False)
    client.force_login(manager)
    body = client.get(f"/api/risk/register/{rating.pk}/likelihood-suggestion/").json()
    assert [o["reference"] for o in body["occurrences"]] == [pickup.reference]
    assert pickup.reference in client.get(rating.get_absolute_url()).content.decode()
    # The scenario narrows the ratings the incident marked to that scenario's.
    assert set(pickup.affected_ratings.values_list("threat__scenario__ref_id", flat=True)) \
        == {"TS-04"}


def test_the_demo_plan_is_due_for_review_after_the_fence_incident(client, demo):
    """Poznań's fence cut, triaged today after the plan's version was generated, marks the
    security plan for review; the older incidents are in the version already."""
    from chainward.plans.models import SecurityPlan
    from chainward.plans.review_triggers import review_triggers

    fence = Incident.objects.get(organisation=demo, title__startswith="Fence cut")
    plan = SecurityPlan.objects.filter(organisation=demo, archived=False).order_by("pk").first()
    [line] = [t for t in review_triggers(_user("m.weber"), plan) if "incident" in t]
    assert fence.reference in line
    others = Incident.objects.filter(organisation=demo).exclude(pk=fence.pk).exclude(
        pk__in=incidents_opened(demo))  # the field checks' own incidents may be recent
    assert not any(i.reference in line for i in others)
    client.force_login(_user("m.weber"))
    state = client.get(f"/api/plans/security-plans/{plan.pk}/review-triggers/").json()
    assert state["due"] and line in state["triggers"]


def test_the_overdue_exercise_reaches_the_review_pack_and_the_evidence_pack(client, demo):
    """Item 7 on the demo: the exercise left overdue is in the management-review pack the
    demo compiled, in the next one compiled through the API, and marked OVERDUE in the
    evidence pack's exercise programme (the pack section as registered)."""
    import datetime as _datetime

    from pypdf import PdfReader

    from chainward.certification import pack as pack_registry
    from chainward.certification.models import ManagementReview
    from chainward.incidents.models import Exercise
    from chainward.ledger.context import actor_context
    from tests.demo.support import pack_section

    late = Exercise.objects.get(organisation=demo, follows__isnull=True, held_on__isnull=True)
    manager = _user("m.weber")

    def section(snapshot, key):
        [found] = [s for s in snapshot["inputs"] if s["key"] == key]
        return found, {fig["key"]: fig["value"] for fig in found["figures"]}

    demo_review = ManagementReview.objects.filter(organisation=demo).order_by("-date").first()
    exercises, figures = section(demo_review.snapshot, "exercises")
    assert exercises["available"] and figures["overdue"] == 1
    assert any(row["text"].startswith(late.reference) for row in exercises["rows"])
    with actor_context(None, name="fixture"):
        review = ManagementReview.objects.create(
            organisation=demo, title="Next management review", chair=manager,
            date=_datetime.date.today() + _datetime.timedelta(days=14))
    client.force_login(manager)
    response = client.post(f"/api/certification/reviews/{review.pk}/compile/", data="{}",
                           content_type="application/json")
    assert response.status_code == 200, response.content
    snapshot = response.json()["snapshot"]
    exercises, figures = section(snapshot, "exercises")
    assert figures["overdue"] == 1 and any(
        row["text"].startswith(late.reference) for row in exercises["rows"])
    incidents, figures = section(snapshot, "incidents")
    unsent = [n for n in Notification.objects.filter(organisation=demo, archived=False,
                                                     incident__archived=False)
              if n.is_overdue]
    assert incidents["available"] and figures["overdue_notifications"] == len(unsent) >= 1
    # The evidence pack: the registered section writes the programme with the late one.
    [registered] = [s for s in pack_registry.registered_sections() if s.key == "exercises"]
    [entry], archive = pack_section(registered.func, demo, manager)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        archive.read(entry.path))).pages)
    row = text[text.index(late.reference):][:400]
    assert "OVERDUE" in row and "1 overdue" in entry.note
