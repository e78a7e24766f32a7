"""The assessment's scope decides what is rated (ISO 28001 5.3 with 4.4, issue 12).

* A rating or a "not credible here" judgement of a target outside its assessment's scope is
  refused with a field error naming the target — through the form, the API, an import and
  `save_record` itself (`risk.scope.check_in_scope`, one rule).
* A partner exempt under ISO 28001 4.4 is not rated; when its exemption lapses (its programme
  status expired) it is back in the scope of the assessments of the same statement whose legs
  or sites depend on it: completion names its pairs, and ratings of it are accepted.

The fixture, written out by hand: assessment "Scoped" of organisation A at site S1 only, under
statement "SoA", with the leg S1 → S2 carried by Nordic Trucking. Nordic Trucking is exempt on
an AEOS valid for another 30 days; "Baltic Feeder" is exempt on a status that lapses too but
carries none of the assessment's legs and operates none of its sites. "Listed Broker" is listed
on the assessment. S2 (the leg's other end) is not an assessed site.
"""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chainward.core.services import save_record
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.risk import scope, services
from chainward.risk.models import NotCredible, Rating
from chainward.supplychain.models import (
    Exemption,
    Partner,
    ProgrammeStatus,
    StatementOfApplication,
)

from .support import assessment_at, leg, load_catalogues, process, threat

TODAY = timezone.localdate()
OUTSIDE = "is not in the scope of assessment"


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def scoped(world):
    load_catalogues()
    org = world["org_a"]
    with actor_context(None, name="t"):
        statement = StatementOfApplication.objects.create(organisation=org, title="SoA",
                                                          coverage="EU road legs")
        feeder = Partner.objects.create(organisation=org, name="Baltic Feeder",
                                        kind="carrier", country="DE")
        broker = Partner.objects.create(organisation=org, name="Listed Broker",
                                        kind="customs_broker", country="DE")
        aeos = ProgrammeStatus.objects.create(
            organisation=org, partner=world["carrier_a"], programme="aeo_s",
            identifier="DEAEOS9", valid_from=days(-500), valid_until=days(30))
        feeder_aeos = ProgrammeStatus.objects.create(
            organisation=org, partner=feeder, programme="aeo_s", identifier="DEAEOS8",
            valid_from=days(-500), valid_until=days(30))
        exemption = Exemption.objects.create(
            organisation=org, statement=statement, partner=world["carrier_a"],
            programme_status=aeos, basis="aeo", certificate="DEAEOS9")
        Exemption.objects.create(organisation=org, statement=statement, partner=feeder,
                                 programme_status=feeder_aeos, basis="aeo",
                                 certificate="DEAEOS8")
    route = leg(world, world["s1"], world["s2"])  # carried by Nordic Trucking
    assessment = assessment_at(world, "in", "Scoped")
    with actor_context(None, name="t"):
        assessment.statement = statement
        assessment.save()
    assessment.legs.set([route])
    assessment.partners.set([broker])
    return {"assessment": assessment, "leg": route, "aeos": aeos, "feeder": feeder,
            "feeder_aeos": feeder_aeos, "exemption": exemption, "broker": broker,
            "manager": world["users"]["security_manager__org"],
            "ts01": threat(assessment, "TS-01"), "ts22": threat(assessment, "TS-22")}


def expire(*statuses):
    """The programme statuses ran out yesterday (a past day's state, written directly)."""
    with actor_context(None, name="t"):
        for status in statuses:
            status.valid_until = days(-1)
            status.save()


def partner_pairs(assessment):
    return [target.name for _, kind, target in services.uncovered_pairs(assessment)
            if kind == "partner"]


def partner_rating(s, partner):
    return Rating(organisation=s["assessment"].organisation, assessment=s["assessment"],
                  threat=s["ts22"], partner=partner, likelihood=2,
                  consequences={"legal": 3}, decision="acceptable", owner=s["manager"])


# --- a lapsed exemption brings the partner back --------------------------------------------------
def test_an_exempt_partner_is_out_of_scope_until_its_exemption_lapses(world, scoped):
    s, carrier = scoped, world["carrier_a"]
    # TS-22 (money laundering) affects partners: only the listed broker is a pair while the
    # carrier's exemption holds.
    assert partner_pairs(s["assessment"]) == ["Listed Broker"]
    assert list(scope.lapsed_exemptions(s["assessment"])) == []
    with pytest.raises(ValidationError) as refused:
        save_record(s["manager"], partner_rating(s, carrier))
    message = refused.value.message_dict["partner"][0]
    assert f"partner Nordic Trucking {OUTSIDE} {s['assessment'].reference}" in message
    assert f"it is exempt ({s['exemption'].reference}, ISO 28001 4.4)" in message

    # The AEOS expired yesterday: the exemption lapsed and the carrier, whose leg is assessed,
    # is back in scope; Baltic Feeder's lapsed too, but nothing assessed depends on it.
    expire(s["aeos"], s["feeder_aeos"])
    assert partner_pairs(s["assessment"]) == ["Listed Broker", "Nordic Trucking"]
    assert [e.partner.name for e in scope.lapsed_exemptions(s["assessment"])] == [
        "Nordic Trucking"]
    problems = " ".join(services.completion_problems(s["assessment"]))
    assert "@ partner Nordic Trucking: neither rated nor marked not credible." in problems
    assert "Baltic Feeder" not in problems
    rated = save_record(s["manager"], partner_rating(s, carrier))
    assert rated.partner == carrier
    assert partner_pairs(s["assessment"]) == ["Listed Broker"]
    with pytest.raises(ValidationError, match=f"partner Baltic Feeder {OUTSIDE}"):
        save_record(s["manager"], partner_rating(s, s["feeder"]))


def test_an_exemption_archived_or_past_its_own_date_also_brings_the_partner_back(world,
                                                                                 scoped):
    s = scoped
    with actor_context(None, name="t"):
        s["exemption"].valid_until = days(-2)
        s["exemption"].save()
    assert "Nordic Trucking" in partner_pairs(s["assessment"])
    with actor_context(None, name="t"):
        s["exemption"].valid_until = None
        s["exemption"].save()
    assert "Nordic Trucking" not in partner_pairs(s["assessment"])
    with actor_context(None, name="t"):
        s["exemption"].archived = True
        s["exemption"].save()
    assert "Nordic Trucking" in partner_pairs(s["assessment"])


def test_only_exemptions_of_the_assessments_statement_count(world, scoped):
    s = scoped
    expire(s["aeos"])
    with actor_context(None, name="t"):
        s["assessment"].statement = None
        s["assessment"].save()
    assert partner_pairs(s["assessment"]) == ["Listed Broker"]


def test_a_site_operator_whose_exemption_lapses_comes_back(world, scoped):
    s = scoped
    with actor_context(None, name="t"):
        world["s1"].operator = s["feeder"]
        world["s1"].save()
    assert "Baltic Feeder" not in partner_pairs(s["assessment"])
    expire(s["feeder_aeos"])
    assert "Baltic Feeder" in partner_pairs(s["assessment"])


def test_the_assessment_page_and_its_pack_name_the_partner_back_in_scope(client, world, scoped):
    from pypdf import PdfReader

    from chainward.certification.evidence_pack import PackWriter
    from chainward.certification.pack_builtin import scope as pack_scope
    from chainward.risk.integrations import assessment_pack_context

    s = scoped
    client.force_login(s["manager"])
    page = client.get(s["assessment"].get_absolute_url()).content.decode()
    assert 'id="scope-lapsed"' not in page
    expire(s["aeos"])
    page = client.get(s["assessment"].get_absolute_url()).content.decode()
    section = page.split('id="scope-lapsed"')[1].split("</p>")[0]
    assert "Nordic Trucking" in section and s["exemption"].reference in section
    assert f"expired on {days(-1).isoformat()}" in section
    context = assessment_pack_context(s["assessment"], s["manager"])
    assert [p.name for p in context["partners"]] == ["Listed Broker", "Nordic Trucking"]
    assert [e.partner.name for e in context["lapsed"]] == ["Nordic Trucking"]
    # The evidence pack's scope section shows each exemption's standing.
    pack = PackWriter(world["users"]["administrator__org"], "EP-T")
    [entry] = pack_scope(world["org_a"], world["users"]["administrator__org"], pack)
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(pack.close()))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        archive.read(entry.path))).pages)
    text = " ".join(text.split())
    assert "Lapsed: programme status DEAEOS9" in text
    assert "Nordic Trucking" in text and "Baltic Feeder" in text and "In force" in text


# --- outside the scope: refused on every path ----------------------------------------------------
def rating_form(s, **target):
    return {"assessment": s["assessment"].pk, "threat": s["ts01"].pk, "likelihood": 2,
            "consequence_economic": "2", "decision": "acceptable", "owner": s["manager"].pk,
            "reviewed": "on", **target}


def test_the_form_refuses_a_site_outside_the_scope_and_accepts_one_inside(client, world,
                                                                          scoped):
    s = scoped
    client.force_login(s["manager"])
    response = client.post("/risk/register/add/", rating_form(s, site=world["s2"].pk))
    assert response.status_code == 400
    form = response.context["form"]
    assert f"site S2 {OUTSIDE} {s['assessment'].reference}" in form.errors["site"][0]
    assert not Rating.objects.exists()
    response = client.post("/risk/register/add/", rating_form(s, site=world["s1"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Rating.objects.get().site == world["s1"]


def test_the_api_refuses_a_target_outside_the_scope_with_a_field_error(client, world, scoped):
    s = scoped
    client.force_login(s["manager"])
    other_leg = leg(world, world["s2"], world["s1"])
    for field, value in (("site", world["s2"].pk), ("leg", other_leg.pk),
                         ("partner", world["carrier_a"].pk)):
        response = client.post("/api/risk/register/", data=json.dumps({
            "assessment": s["assessment"].pk, "threat": s["ts01"].pk, field: value,
            "likelihood": 2, "consequences": {"economic": 2}}),
            content_type="application/json")
        assert response.status_code == 400, (field, response.content)
        assert OUTSIDE in " ".join(response.json()["errors"][field]), response.json()
    assert not Rating.objects.exists()
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": s["assessment"].pk, "threat": s["ts01"].pk, "leg": s["leg"].pk,
        "likelihood": 2, "consequences": {"economic": 2}}), content_type="application/json")
    assert response.status_code == 201, response.content
    # Moving the rating to a target outside the scope (PATCH) is refused too.
    rated = Rating.objects.get()
    response = client.patch(f"/api/risk/register/{rated.pk}/", data=json.dumps({
        "leg": None, "site": world["s2"].pk, "version": rated.version}),
        content_type="application/json")
    assert response.status_code == 400 and "site" in response.json()["errors"]
    rated.refresh_from_db()
    assert rated.leg == s["leg"] and rated.site is None


def test_an_import_names_the_row_and_column_outside_the_scope(admin_client, world, scoped,
                                                              run_on_commit):
    s = scoped
    a, t = s["assessment"].reference, s["ts01"].reference

    def upload(rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["assessment", "threat", "site", "likelihood"])
        writer.writerows(rows)
        return SimpleUploadedFile("ratings.csv", buffer.getvalue().encode(),
                                  content_type="text/csv")

    response = admin_client.post("/risk/register/import/", {"file": upload([
        [a, t, "S1", 2], [a, t, "S2", 2]])})
    preview = response.context["preview"]
    assert not preview.ok
    (row, column, message), = preview.errors
    assert (row, column) == (3, "site") and f"site S2 {OUTSIDE}" in message
    response = admin_client.post("/risk/register/import/", {"file": upload([[a, t, "S1", 2]])})
    preview = response.context["preview"]
    assert preview.ok, preview.errors
    with run_on_commit():
        admin_client.post("/risk/register/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    assert list(Rating.objects.values_list("site__code", flat=True)) == ["S1"]


def test_save_record_refuses_it_whatever_the_caller(world, scoped):
    s = scoped
    tms_s2 = process(world["org_a"], "S2 gate app", s["manager"], sites=[world["s2"]])
    ts17 = threat(s["assessment"], "TS-17")
    for target in ({"site": world["s2"]}, {"process": tms_s2}):
        with pytest.raises(ValidationError) as refused:
            save_record(s["manager"], Rating(
                organisation=world["org_a"], assessment=s["assessment"],
                threat=ts17 if "process" in target else s["ts01"], likelihood=2,
                consequences={"economic": 2}, **target))
        [(field, [message])] = refused.value.message_dict.items()
        assert field == next(iter(target)) and OUTSIDE in message
    assert not Rating.objects.exists()


def test_a_judgement_outside_the_scope_is_refused_on_every_path(client, world, scoped):
    s = scoped
    client.force_login(s["manager"])
    form = {"assessment": s["assessment"].pk, "threat": s["ts01"].pk, "site": world["s2"].pk,
            "reason": "S2 stores empty containers only."}
    response = client.post("/risk/not-credible/add/", form)
    assert response.status_code == 400 and OUTSIDE in response.content.decode()
    response = client.post("/api/risk/not-credible/", data=json.dumps(form),
                           content_type="application/json")
    assert response.status_code == 400 and OUTSIDE in " ".join(
        response.json()["errors"]["site"])
    with pytest.raises(ValidationError, match=OUTSIDE):
        save_record(s["manager"], NotCredible(
            organisation=world["org_a"], assessment=s["assessment"], threat=s["ts01"],
            site=world["s2"], reason="S2 stores empty containers only."))
    assert not NotCredible.objects.exists()
    response = client.post("/risk/not-credible/add/", {**form, "site": world["s1"].pk})
    assert response.status_code == 302
    assert NotCredible.objects.get().site == world["s1"]


def test_an_archived_site_leaves_the_scope(world, scoped):
    s = scoped
    with actor_context(None, name="t"):
        world["s1"].archived = True
        world["s1"].save()
    with pytest.raises(ValidationError, match=r"site S1 is not in the scope .* \(it is archived\)"):
        save_record(s["manager"], Rating(
            organisation=world["org_a"], assessment=s["assessment"], threat=s["ts01"],
            site=world["s1"], likelihood=2, consequences={"economic": 2}))
