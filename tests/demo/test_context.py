"""The ABC Logistics demo's people and context (issue 16 item 9), built by `chainward demo`:
figures read from the data files by hand (15 requirements, 14 evaluations, 2 short of
compliant; NIS2 due after the change in the law; the climate decision relevant), the
competence matrix showing the expired night-shift seal briefing, and a second run writing
nothing."""

import datetime
import io

from django.core.management import call_command

from chainward.context.models import ComplianceEvaluation, ContextIssue, Obligation, PlannedChange
from chainward.people.models import Appointment, Person, TrainingRecord


def test_the_demo_legal_register_and_context(demo):
    assert Obligation.objects.filter(organisation=demo).count() == 15
    evaluations = ComplianceEvaluation.objects.filter(organisation=demo)
    assert evaluations.count() == 14
    assert sorted(evaluations.exclude(result="compliant").values_list(
        "obligation__title", flat=True)) == [
        "Cargo insurance security conditions", "Duty to notify the customs authority of "
        "significant changes", "Security of network and information systems (NIS2)",
        "Security provisions for dangerous goods (ADR 1.10)"]
    due = set(Obligation.objects.filter(organisation=demo).filter(
        next_evaluation_due__lte=datetime.date.today())
        .values_list("title", flat=True))
    # NIS2: the law changed 45 days ago, after the last evaluation 200 days ago; the code of
    # conduct was never evaluated
    assert due == {"Security of network and information systems (NIS2)",
                   "Code of conduct and security awareness commitment"}
    climate = ContextIssue.objects.get(organisation=demo, category="climate")
    assert climate.relevance == "relevant" and "Flooding" in climate.effect_description
    assert dict(PlannedChange.objects.filter(organisation=demo).values_list(
        "title", "status")) == {
        "New warehouse management system at Hamburg Billbrook": "approved",
        "Second shift model at the Stryków cross-dock": "reviewed"}


def test_the_demo_people_and_their_training(demo, client):
    assert Person.objects.filter(organisation=demo).count() == 11
    assert Appointment.objects.filter(organisation=demo).count() == 14
    expired = {(t.person.full_name, t.requirement.name) for t in TrainingRecord.objects.filter(
        organisation=demo) if t.is_expired}
    # 420 days ago with 12 months' validity; 395 days ago with 12 months'
    assert expired == {("Lukas Becker", "Seal procedure and VVTT"),
                       ("Agnieszka Nowak", "C-TPAT security awareness"),
                       ("Katarzyna Wiśniewska", "C-TPAT security awareness")}
    client.force_login(Person.objects.get(full_name="Markus Weber").user)
    page = client.get("/people/matrix/").content.decode()
    assert page.count('data-state="expired"') == 3
    # Ole Hansen has no C-TPAT awareness yet; Stefan Krüger's air cargo training is valid
    assert 'data-state="missing"' in page
    chart = client.get("/people/chart/").content.decode()
    assert "Gate and seal controller Poznań" in chart


def test_a_second_demo_run_writes_nothing_new(demo):
    before = (Obligation.objects.count(), TrainingRecord.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Obligation.objects.count(), TrainingRecord.objects.count()) == before


def test_the_management_review_inputs_show_compliance_and_the_climate_decision(demo):
    from chainward.certification.services import compile_inputs

    manager = Person.objects.get(full_name="Markus Weber").user
    sections = {s["key"]: s for s in compile_inputs(demo, manager)}
    legal = {f["key"]: f["value"] for f in sections["legal_compliance"]["figures"]}
    assert "error" not in sections["legal_compliance"]
    assert legal["requirements"] == 15
    assert legal["due"] == 2  # NIS2 and the code of conduct (see above)
    context = {f["key"]: f["value"] for f in sections["context_issues"]["figures"]}
    assert context["climate"] == "Relevant"
