"""How records read on their pages: related panels do not repeat the record they hang on, and
structured values (JSON) read as text, never as Python literals — on pages, exports and in the
history."""

import datetime
import re

from chainward.core.columns import as_text
from chainward.ledger.context import actor_context
from chainward.plans.models import Measurement, SecurityObjective


def test_structured_values_read_as_text():
    assert as_text({"life": 4, "economic_loss": 3}) == "life: 4; economic loss: 3"
    assert as_text({"method": "five_whys", "whys": [{"why": "Gate open?", "answer": "No check"},
                                                    {"why": "No check?", "answer": "No rule"}]}) \
        == "method: five_whys; whys: why: Gate open?, answer: No check | why: No check?, " \
           "answer: No rule"
    assert as_text([1, 2]) == "1, 2"
    assert as_text({}) == ""


def test_related_panel_leaves_out_the_parent_column_and_links_each_row(client, world):
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="display test"):
        objective = SecurityObjective.objects.create(
            organisation=world["org_a"], title="Seal discrepancies below 1 %", owner=manager,
            kpi_name="Seal discrepancies", target=1, due_date=datetime.date(2027, 6, 30),
            planned_actions="Train drivers")
        measurement = Measurement.objects.create(
            organisation=world["org_a"], objective=objective,
            measured_on=datetime.date(2026, 10, 31), value=2, note="October audit")
    client.force_login(manager)
    page = client.get(objective.get_absolute_url()).content.decode()
    panel = page[page.index('aria-label="Measurements"'):]
    panel = panel[:panel.index("</section>")]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', panel)
    assert headers and "Objective" not in headers, headers
    assert f'href="{measurement.get_absolute_url()}"' in panel


def test_yes_no_filters_offer_any_yes_no(client, world):
    client.force_login(world["users"]["administrator__org"])
    page = client.get("/documents/evidence/").content.decode()
    expired = page[page.index('name="expired"'):]
    expired = expired[:expired.index("</select>")]
    assert ">Any<" in expired and ">Yes<" in expired and ">No<" in expired
    assert "Unknown" not in expired
