"""The ABC Logistics field checks demo tells the story of demo.yaml: a month of 17-point
inspections at the two cross-docks with one failed point that became an incident, weekly CCTV
tests at Stryków (one week missed, one failure that opened a corrective action), and the
Poznań seal register with one number mismatch at the Stryków gate that became an incident."""

import datetime

from django.utils import timezone

from chainward.access.models import User
from chainward.fieldchecks.models import CheckRun, CheckTemplate, Seal


def test_a_month_of_17_point_inspections_at_the_cross_docks(demo):
    runs = CheckRun.objects.filter(organisation=demo,
                                   template__catalogue_urn__endswith="tractor-trailer-17pt")
    month_ago = timezone.now() - datetime.timedelta(days=31)
    assert runs.count() == 20 and not runs.filter(performed_at__lt=month_ago).exists()
    assert set(runs.values_list("site__code", flat=True)) == {"PLSTR-XD1", "DEDUI-XD1"}
    assert all(run.answers.count() == 17 for run in runs)
    failed = runs.get(result="critical")
    assert failed.site.code == "DEDUI-XD1"
    assert failed.incident.status == "triaged" and failed.incident.site == failed.site
    assert "welding" in failed.incident.description
    assert not failed.incident.notifications.filter(notified_at__isnull=True).exists()


def test_weekly_cctv_tests_with_one_week_missed_and_one_corrective_action(demo):
    runs = CheckRun.objects.filter(organisation=demo, template__name="Weekly CCTV test")
    weeks = sorted((timezone.localdate() - timezone.localtime(r.performed_at).date()).days // 7
                   for r in runs)
    assert weeks == [1, 2, 4]
    assert sorted(runs.values_list("result", flat=True)) == ["critical", "failed", "passed"]
    capa = runs.get(result="critical").corrective_action
    assert capa.source == "inspection" and capa.site.code == "PLSTR-XD1"
    assert capa.owner == User.objects.get(email="a.nowak@abc-logistics.example")


def test_the_poznan_seal_register_and_its_one_mismatch(demo):
    seals = Seal.objects.filter(organisation=demo)
    assert seals.count() == 40 and set(seals.values_list("site__code", flat=True)) == {
        "PLPOZ-WH1"}
    mismatch = seals.get(status="discrepancy")
    event = mismatch.events.get(kind="verified")
    assert event.site.code == "PLSTR-XD1" and event.number_read == "PL2400171"
    incident = event.incident
    assert incident.incident_type == "seal_tampering" and incident.site.code == "PLSTR-XD1"
    assert incident.leg.from_site.code == "PLPOZ-WH1"
    assert not incident.notifications.filter(notified_at__isnull=True).exists()
    assert seals.filter(status="lost").count() == 1
    assert seals.filter(status="destroyed").count() == 1
    assert seals.filter(status="in_stock").count() == 40 - 14 - 2
    assert CheckTemplate.objects.filter(organisation=demo).count() == 4
