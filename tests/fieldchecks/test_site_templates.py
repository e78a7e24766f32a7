"""The site checklists of the catalogue (catalogs/site-checks.yaml) become check templates like
the C-TPAT ones: the TAPA-style patrol with its sections and its non-critical points, the
lighting check and the key audit opening corrective actions; and the demo's schedule, visitor
log and key log (fieldchecks/demo.yaml) are loaded through the services."""

from pathlib import Path

from chainward.core import yamlfiles
from chainward.fieldchecks import demo, services
from chainward.fieldchecks.choices import DueState
from chainward.fieldchecks.models import CheckSchedule, CheckTemplate, KeyIssue, VisitorLogEntry
from chainward.fieldchecks.schedules import completion
from chainward.library import loader
from chainward.library.models import CatalogEntry

from .test_checks import fixture

SITE_CHECKS = Path(loader.__file__).parent.parent / "catalogs" / "site-checks.yaml"
CTPAT = SITE_CHECKS.with_name("ctpat-msc.yaml")


def test_the_catalogue_offers_every_inspection_and_site_checklist(client, world):
    fixture(loader.load, CTPAT)
    fixture(loader.load, SITE_CHECKS)
    client.force_login(world["users"]["security_manager__org"])
    rows = client.get("/fieldchecks/catalogue/").context["rows"]
    offered = {entry.ref_id: points for entry, _, points in rows}
    assert offered == {"ctpat-container-7pt": 7, "ctpat-reefer-8pt": 8,
                       "ctpat-tractor-trailer-17pt": 17, "ctpat-seal-vvtt": 4,
                       "site-patrol": 12, "site-lighting": 6, "site-key-audit": 6}


def test_the_site_patrol_keeps_its_sections_and_non_critical_points(world):
    fixture(loader.load, SITE_CHECKS)
    manager = world["users"]["security_manager__org"]
    patrol = services.import_catalogue_template(
        manager, world["org_a"], CatalogEntry.objects.get(ref_id="site-patrol"))
    assert patrol.kind == "site" and patrol.on_critical_failure == "incident"
    items = list(patrol.items.order_by("order"))
    assert [i.section for i in items].count("Perimeter") == 4
    assert {i.section for i in items} == {"Perimeter", "Buildings", "Yard"}
    assert {i.catalogue_ref for i in items if not i.critical} == {
        "perimeter_lighting", "cctv_view", "key_cabinet"}
    lighting = services.import_catalogue_template(
        manager, world["org_a"], CatalogEntry.objects.get(ref_id="site-lighting"))
    assert lighting.on_critical_failure == "corrective_action"


def test_a_template_needing_the_drivers_signature_is_built_in_the_form(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/fieldchecks/templates/add/", {
        "name": "Bobtail tractor check", "kind": "conveyance", "on_critical_failure": "incident",
        "incident_type": "other", "driver_signature_required": "on", "active": "on"})
    assert response.status_code == 302
    assert CheckTemplate.objects.get(name="Bobtail tractor check").driver_signature_required


def _demo_data():
    return yamlfiles.safe_load(demo.DATA.read_text(encoding="utf-8"))


def test_the_demo_weekly_cctv_schedule_shows_its_missed_week(world):
    """The demo's CCTV template and tests, its schedules and its gatehouse logs, at the test
    world's S1 standing in for Stryków (people fall back to the administrator)."""
    data = _demo_data()
    admin = world["users"]["administrator__org"]
    org = world["org_a"]
    sites = {"PLSTR-XD1": world["s1"], "DEDUI-XD1": world["s2"]}
    templates = demo._templates(org, admin, data["templates"])
    demo._cctv(org, admin, sites, templates["Weekly CCTV test"], data["cctv"])
    # The 17-point template is not copied here (no catalogue loaded): its rows are skipped.
    assert demo.build_schedules(org, admin, sites, data["schedules"]) == 1
    schedule = CheckSchedule.objects.get()
    assert schedule.frequency_text == "every week" and schedule.state() == DueState.DUE
    result = completion(admin, org, start=schedule.starts_on, end=schedule.next_due)
    assert [(row["due"], row["on_time"]) for row in result.sites] == [(4, 3)]
    counts = demo.build_gate_logs(org, admin, sites, data["gatehouse"])
    assert counts == {"visitor log entries": 5, "key issues": 4}
    assert list(VisitorLogEntry.objects.filter(time_out__isnull=True).values_list(
        "name", flat=True)) == ["Lukas Schmidt"]
    assert VisitorLogEntry.objects.filter(id_checked=False).count() == 1
    assert list(KeyIssue.objects.filter(returned_at__isnull=True).values_list(
        "key_id", flat=True)) == ["D-0007"]
    assert all(k.issued_by == admin for k in KeyIssue.objects.all())
