"""ISO 28001 4.4 exemptions hold only while the partner's programme status is valid.

An exempt partner needs no security declaration or assessment of its own because a recognised
programme (AEO, C-TPAT, an MRA programme…) has validated it. When that status expires the
exemption lapses: it shows as lapsed (list, filter, detail, API) and the partner is back in the
assessment's scope (`supplychain.services.exempt_partners`). Creating an exemption on an
expired or missing programme status is refused (issue 13 item 10) — tested through the form,
the API, an import and `save_record` itself.
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
from chainward.supplychain import services
from chainward.supplychain.models import (
    Exemption,
    Partner,
    ProgrammeStatus,
    StatementOfApplication,
)

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def chain(world):
    """A statement, a partner with a valid AEOS, an expired C-TPAT and an AEOC, and a second
    partner, all in organisation A."""
    org = world["org_a"]
    with actor_context(None, name="test"):
        statement = StatementOfApplication.objects.create(organisation=org, title="SoA",
                                                          coverage="EU road legs")
        partner = world["carrier_a"]
        other = Partner.objects.create(organisation=org, name="Second Carrier", kind="carrier",
                                       country="DE")
        aeos = ProgrammeStatus.objects.create(organisation=org, partner=partner,
                                              programme="aeo_s", identifier="DEAEOS1",
                                              valid_from=days(-900))
        ctpat = ProgrammeStatus.objects.create(organisation=org, partner=partner,
                                               programme="ctpat", identifier="SVI-OLD",
                                               level="Certified", valid_from=days(-800),
                                               valid_until=days(-1))
        aeoc = ProgrammeStatus.objects.create(organisation=org, partner=partner,
                                              programme="aeo_c", identifier="DEAEOC1")
        others = ProgrammeStatus.objects.create(organisation=org, partner=other,
                                                programme="aeo_s", identifier="DEAEOS2")
    return {"statement": statement, "partner": partner, "other": other, "aeos": aeos,
            "ctpat": ctpat, "aeoc": aeoc, "others": others, "org": org,
            "manager": world["users"]["security_manager__org"]}


def make(chain, programme, basis="aeo", partner=None, **fields):
    """An exemption written around the rule (the state a past day left behind)."""
    with actor_context(None, name="test"):
        return Exemption.objects.create(
            organisation=chain["org"], statement=chain["statement"],
            partner=partner or chain["partner"], programme_status=programme, basis=basis,
            certificate=getattr(programme, "identifier", ""), **fields)


# --- is this exemption in force today? -----------------------------------------------------------
def test_an_exemption_is_in_force_only_while_its_programme_status_is_valid(chain):
    exemption = make(chain, chain["aeos"])
    assert services.exemption_in_force(exemption) is True
    assert services.exemption_lapse_reason(exemption) == ""
    # The AEOS is withdrawn in 40 days: from day 41 the exemption has lapsed.
    with actor_context(None, name="test"):
        chain["aeos"].valid_until = days(40)
        chain["aeos"].save()
    exemption.refresh_from_db()
    assert services.exemption_in_force(exemption, on=days(40)) is True
    assert services.exemption_in_force(exemption, on=days(41)) is False
    assert services.exemption_lapse_reason(exemption, on=days(41)) == (
        f"programme status DEAEOS1 ({chain['partner']} — AEOS (security and safety "
        f"authorisation)) expired on {days(40).isoformat()}")


@pytest.mark.parametrize("case, in_force, reason", [
    ("valid", True, ""),
    ("programme expired", False, "expired on"),
    ("programme archived", False, "is archived"),
    ("programme not yet valid", False, "valid only from"),
    ("no programme status", False, "rests on no programme status"),
    ("exemption past its own date", False, "exemption itself ran until"),
    ("exemption archived", False, "exemption is archived"),
])
def test_each_reason_for_a_lapse_is_named_and_the_database_filter_agrees(chain, case, in_force,
                                                                          reason):
    programme = {"programme expired": chain["ctpat"],
                 "no programme status": None}.get(case, chain["aeos"])
    basis = "ctpat" if programme is chain["ctpat"] else "aeo"
    exemption = make(chain, programme, basis,
                     valid_until=days(-3) if case == "exemption past its own date" else None)
    with actor_context(None, name="test"):
        if case == "programme archived":
            chain["aeos"].archived = True
            chain["aeos"].save()
        if case == "programme not yet valid":
            chain["aeos"].valid_from = days(5)
            chain["aeos"].save()
        if case == "exemption archived":
            exemption.archived = True
            exemption.save()
    exemption = Exemption.objects.select_related("programme_status").get(pk=exemption.pk)
    assert services.exemption_in_force(exemption) is in_force
    assert reason in services.exemption_lapse_reason(exemption)
    # Two-sided: the query finds the exemption exactly when the function says it is in force.
    found = Exemption.objects.filter(services.in_force_q()).filter(pk=exemption.pk).exists()
    assert found is in_force


def test_a_partner_whose_programme_expires_comes_back_into_scope(chain):
    make(chain, chain["aeos"])
    make(chain, chain["others"], partner=chain["other"])
    statement = chain["statement"]
    assert set(services.exempt_partners(statement)) == {chain["partner"], chain["other"]}
    with actor_context(None, name="test"):
        chain["others"].valid_until = days(10)
        chain["others"].save()
    assert set(services.exempt_partners(statement, on=days(10))) == {chain["partner"],
                                                                    chain["other"]}
    assert set(services.exempt_partners(statement, on=days(11))) == {chain["partner"]}
    # Exemptions of another statement do not count for this one.
    with actor_context(None, name="test"):
        other_statement = StatementOfApplication.objects.create(
            organisation=chain["org"], title="Old SoA", coverage="x")
    assert list(services.exempt_partners(other_statement)) == []


# --- creating an exemption on an expired or missing status is refused ---------------------------
def form(chain, programme, basis="aeo"):
    return {"statement": chain["statement"].pk, "partner": chain["partner"].pk,
            "programme_status": programme.pk if programme else "", "basis": basis,
            "certificate": "X-1", "evidence": "Checked in the EU AEO database."}


@pytest.mark.parametrize("case, message", [
    ("expired", "expired on"),
    ("missing", "Choose the programme status"),
    ("other partner", "is not a programme status of"),
    ("wrong basis", "does not support an exemption on the basis"),
])
def test_the_form_refuses_an_exemption_without_a_valid_programme_status(admin_client, chain,
                                                                        case, message):
    programme, basis = {"expired": (chain["ctpat"], "ctpat"), "missing": (None, "aeo"),
                        "other partner": (chain["others"], "aeo"),
                        "wrong basis": (chain["aeoc"], "aeo")}[case]
    response = admin_client.post("/supplychain/exemptions/add/", form(chain, programme, basis))
    assert response.status_code == 400
    errors = response.context["form"].errors
    field = "basis" if case == "wrong basis" else "programme_status"
    assert message in " ".join(errors[field])
    assert not Exemption.objects.exists()


def test_the_form_accepts_one_on_a_valid_status(admin_client, chain):
    response = admin_client.post("/supplychain/exemptions/add/", form(chain, chain["aeos"]))
    assert response.status_code == 302
    exemption = Exemption.objects.get()
    assert exemption.programme_status == chain["aeos"] and exemption.in_force


def test_the_api_refuses_an_expired_or_missing_status(admin_client, chain):
    for programme, basis, field in ((chain["ctpat"], "ctpat", "programme_status"),
                                    (None, "aeo", "programme_status")):
        data = {**form(chain, programme, basis), "programme_status": getattr(programme, "pk",
                                                                              None)}
        response = admin_client.post("/api/supplychain/exemptions/", json.dumps(data),
                                     content_type="application/json")
        assert response.status_code == 400, response.content
        assert field in response.json()["errors"]
    assert not Exemption.objects.exists()
    data = {**form(chain, chain["aeos"]), "programme_status": chain["aeos"].pk}
    response = admin_client.post("/api/supplychain/exemptions/", json.dumps(data),
                                 content_type="application/json")
    assert response.status_code == 201
    assert response.json()["in_force"] is True and response.json()["lapse_reason"] == ""


def csv_upload(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["statement", "partner", "programme_status", "basis", "certificate"])
    writer.writerows(rows)
    return SimpleUploadedFile("exemptions.csv", buffer.getvalue().encode(),
                              content_type="text/csv")


def test_an_import_names_the_row_resting_on_an_expired_status(admin_client, chain,
                                                              run_on_commit):
    statement, partner = chain["statement"].reference, chain["partner"].name
    response = admin_client.post("/supplychain/exemptions/import/", {"file": csv_upload([
        [statement, partner, chain["ctpat"].reference, "ctpat", "SVI-OLD"]])})
    assert response.status_code == 400
    (row, column, message), = response.context["preview"].errors
    assert (row, column) == (2, "programme_status") and "expired on" in message
    response = admin_client.post("/supplychain/exemptions/import/", {"file": csv_upload([
        [statement, partner, chain["aeos"].reference, "aeo", "DEAEOS1"]])})
    preview = response.context["preview"]
    assert preview.ok
    with run_on_commit():
        admin_client.post("/supplychain/exemptions/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    assert Exemption.objects.get().programme_status == chain["aeos"]


def test_save_record_itself_refuses_it(chain):
    # A service or job that skips the form still meets the rule in the register's after_save.
    exemption = Exemption(organisation=chain["org"], statement=chain["statement"],
                          partner=chain["partner"], programme_status=chain["ctpat"],
                          basis="ctpat")
    with pytest.raises(ValidationError) as refused:
        save_record(chain["manager"], exemption)
    assert "programme_status" in refused.value.message_dict
    assert not Exemption.objects.exists()


def test_a_lapsed_exemption_can_still_be_edited_and_renewed(admin_client, chain):
    exemption = make(chain, chain["ctpat"], "ctpat")  # its programme expired yesterday
    response = admin_client.post(f"/supplychain/exemptions/{exemption.pk}/edit/", {
        **form(chain, chain["ctpat"], "ctpat"), "evidence": "Renewal requested from CBP.",
        "version": exemption.version})
    assert response.status_code == 302
    exemption.refresh_from_db()
    assert exemption.evidence == "Renewal requested from CBP." and not exemption.in_force
    # Re-linking it to an expired status is refused; to a valid one it is back in force.
    with actor_context(None, name="test"):
        older = ProgrammeStatus.objects.create(organisation=chain["org"],
                                               partner=chain["partner"], programme="ctpat",
                                               identifier="SVI-OLDER", valid_until=days(-30))
        renewed = ProgrammeStatus.objects.create(organisation=chain["org"],
                                                 partner=chain["partner"], programme="ctpat",
                                                 identifier="SVI-NEW", valid_until=days(700))
    response = admin_client.post(f"/supplychain/exemptions/{exemption.pk}/edit/", {
        **form(chain, older, "ctpat"), "version": exemption.version})
    assert response.status_code == 400
    response = admin_client.post(f"/supplychain/exemptions/{exemption.pk}/edit/", {
        **form(chain, renewed, "ctpat"), "version": exemption.version})
    assert response.status_code == 302
    exemption.refresh_from_db()
    assert exemption.in_force


# --- a lapsed exemption shows as lapsed everywhere -----------------------------------------------
def test_lapsed_exemptions_show_in_the_list_filter_detail_and_api(admin_client, chain):
    valid = make(chain, chain["aeos"])
    with actor_context(None, name="test"):
        third = Partner.objects.create(organisation=chain["org"], name="Third Carrier",
                                       kind="carrier", country="PL")
        expired = ProgrammeStatus.objects.create(organisation=chain["org"], partner=third,
                                                 programme="ctpat", identifier="SVI-3",
                                                 valid_until=days(-2))
    lapsed = make(chain, expired, "ctpat", partner=third)
    page = admin_client.get("/supplychain/exemptions/").content.decode()
    assert "In force" in page and "Lapsed: programme status SVI-3" in page
    only_lapsed = admin_client.get("/supplychain/exemptions/?in_force=false")
    listed = list(only_lapsed.context["page"].object_list)
    assert listed == [lapsed]
    in_force = admin_client.get("/supplychain/exemptions/?in_force=true")
    assert list(in_force.context["page"].object_list) == [valid]
    detail = admin_client.get(f"/supplychain/exemptions/{lapsed.pk}/").content.decode()
    assert "Lapsed" in detail and f"expired on {days(-2).isoformat()}" in detail
    assert "back in the scope" in detail
    api = admin_client.get(f"/api/supplychain/exemptions/{lapsed.pk}/").json()
    assert api["in_force"] is False and "expired on" in api["lapse_reason"]
    listing = admin_client.get("/api/supplychain/exemptions/?in_force=false").json()
    assert [row["id"] for row in listing["results"]] == [lapsed.pk]


def test_an_exemption_recorded_before_the_link_can_be_edited_and_shows_as_lapsed(admin_client,
                                                                                 chain):
    legacy = make(chain, None)
    response = admin_client.post(f"/supplychain/exemptions/{legacy.pk}/edit/", {
        **form(chain, None), "evidence": "Status to be linked.", "version": legacy.version})
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert legacy.lapse_reason == "the exemption rests on no programme status"
    # Changing what it rests on (here the basis) needs a valid status.
    response = admin_client.post(f"/supplychain/exemptions/{legacy.pk}/edit/", {
        **form(chain, None, "mra"), "version": legacy.version})
    assert response.status_code == 400
    assert "Choose the programme status" in " ".join(
        response.context["form"].errors["programme_status"])
