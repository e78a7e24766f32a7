"""The path to certification (issue 13 item 2) on the demo: its known gaps, and the same queries
for an empty organisation as for the demo (tests/core/test_certification_path.py has the
hand-built states)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.access.models import User
from chainward.core.path import steps_for
from tests.core.test_certification_path import new_organisation


def test_the_demo_shows_its_known_gaps(demo):
    """The demo's story (issue 12): certified about ten months ago, surveillance 1 due; three
    partner reviews due on purpose (supplychain demo); the statement, the signed policy, three
    objectives and this year's management review exist."""
    manager = User.objects.get(email="m.weber@abc-logistics.example")
    steps = {s.key: s for s in steps_for(manager, demo)}
    assert steps["sms"].done and steps["management_review"].done
    # The demo's plan is approved (plans/demo.py): planning has nothing missing.
    assert steps["planning"].done
    assert steps["planning"].progress.exists == ["1 approved security plan."]
    assert steps["certification"].done
    assert any("Nordcert GmbH" in line for line in steps["certification"].progress.exists)
    assert "3 partner reviews due (ISO 28001 4.5)." in steps["monitoring"].progress.missing
    # The sites ABC runs itself (supplychain/demo.py SITES: warehouses, cross-docks and
    # distribution centres without an operator) less those of its two officers (PEOPLE:
    # Hamburg Billbrook, Poznań, Stryków); ports, airports, the border crossing and partners'
    # premises are not ABC's to staff.
    assert ("No site security officer for Duisburg cross-dock, Munich distribution centre, "
            "Venlo European distribution centre." in steps["resources"].progress.missing)
    assert any("by Helena Brandt" in line for line in steps["sms"].progress.exists)
    assert "No completed security assessment." not in steps["risk_assessment"].progress.missing
    # A site officer of the Hamburg sites does not see who holds which role.
    officer = User.objects.get(email="j.petersen@abc-logistics.example")
    states = {s.key: s.state for s in steps_for(officer, demo)}
    assert states["resources"] == "outside_role"


def test_the_path_costs_the_same_queries_for_an_empty_organisation_and_the_demo(demo):
    organisation, manager = new_organisation("Empty Haulage")
    demo_manager = User.objects.get(email="m.weber@abc-logistics.example")
    with CaptureQueriesContext(connection) as empty:
        steps_for(manager, organisation)
    with CaptureQueriesContext(connection) as full:
        steps_for(demo_manager, demo)
    assert len(empty.captured_queries) == len(full.captured_queries), (
        len(empty.captured_queries), len(full.captured_queries))
