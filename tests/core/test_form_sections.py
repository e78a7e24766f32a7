"""Long register forms in titled sections (issue 13 item 12): `Register.form_sections` renders
fieldsets in the declared order, two columns on wide screens (Bootstrap's grid, so the DOM —
and the keyboard — goes row by row), and the sectioned form still posts. A register without
sections keeps its one list. The expected orders are written here by hand."""

import re

import pytest
from django import forms

from chainward.core.register import FormSection, declaration_problems, form_layout
from chainward.core.registry import get_register
from chainward.supplychain.models import GoodsCategory, Leg, Site

FORM = re.compile(r'<form method="post" novalidate class="[^"]*"[^>]*>(.*?)</form>', re.S)


def form_html(page):
    """The record form of an edit page (the prerequisites' little forms come before it)."""
    found = [f for f in FORM.findall(page) if 'type="submit">Save<' in f]
    assert len(found) == 1, "one record form expected"
    return found[0]


def legends(html):
    return re.findall(r'<legend class="h6 form-section-title">([^<]+)</legend>', html)


def field_order(html):
    """Names of the visible inputs, selects and text areas, in document (= tab) order."""
    names = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bname="([^"]+)"',
                       html)
    return [n for n in names if n != "csrfmiddlewaretoken"]


def test_the_site_form_shows_its_sections_in_order_and_still_posts(client, world):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/sites/add/").content.decode()
    html = form_html(page)
    assert legends(html) == ["Site", "Address and position", "Goods and description"]
    assert html.count("<fieldset") == 3
    assert field_order(html) == [
        "name", "code", "kind", "operator", "security_level",
        "address", "city", "postcode", "country", "latitude", "longitude",
        "goods_categories", "description"]
    # Keyboard order is the document's: nothing reorders it.
    assert "tabindex" not in html
    # Two columns from md up for single fields; text areas and multi-pickers take the row.
    assert re.search(r'<div class="col-12 col-md-6">\s*<div class="[^"]*">\s*<label '
                     r'class="form-label" for="id_name">', html)
    assert re.search(r'<div class="col-12">\s*<div class="[^"]*">\s*<label class="form-label" '
                     r'for="id_description">', html)
    response = client.post("/supplychain/sites/add/", {
        "name": "Bremen cross-dock", "code": "S9", "kind": "warehouse", "country": "DE",
        "security_level": "baseline"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Site.objects.filter(organisation=world["org_a"], code="S9").exists()


def test_an_invalid_sectioned_form_keeps_the_errors_beside_their_fields(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/supplychain/sites/add/", {"code": "S9"})
    assert response.status_code == 400
    html = form_html(response.content.decode())
    assert legends(html) == ["Site", "Address and position", "Goods and description"]
    name_part = html.split('for="id_name"', 1)[1].split("</fieldset>", 1)[0]
    assert "invalid-feedback" in name_part


def test_the_leg_form_puts_each_ends_partner_beside_its_site(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/supplychain/legs/add/").content.decode())
    assert legends(html) == ["Ends", "Transport", "Security en route"]
    assert field_order(html) == [
        "from_site", "from_partner", "to_site", "to_partner",
        "mode", "carrier", "transit_hours", "frequency", "goods_categories",
        "points_of_rest", "custody_handoffs", "description"]
    response = client.post("/supplychain/legs/add/", {
        "from_site": world["s1"].pk, "to_site": world["s2"].pk, "mode": "road"})
    assert response.status_code == 302
    assert Leg.objects.filter(organisation=world["org_a"]).count() == 1


def test_the_incident_form_is_sectioned(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/incidents/incidents/add/").content.decode())
    assert legends(html) == ["What happened", "When", "Where", "Goods and loss",
                             "Shipment, vehicles and people"]
    order = field_order(html)
    assert order[:8] == ["title", "incident_type", "modus_operandi", "modus_operandi_detail",
                         "severity", "classification", "threat_scenario", "description"]
    assert order[8:10] == ["occurred_at", "discovered_at"]


def test_the_corrective_action_form_pairs_each_why_with_its_because(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/audits/corrective-actions/add/").content.decode())
    assert legends(html) == ["The action", "Containment", "Root cause"]
    order = field_order(html)
    root = order[order.index("rc_method"):]
    assert root[1:5] == ["why_1", "answer_1", "why_2", "answer_2"]
    assert root[-1].startswith("cause_")


def test_the_investigation_form_is_sectioned(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/incidents/investigations/add/").content.decode())
    assert legends(html) == ["The investigation", "Root cause", "What failed and what follows"]
    order = field_order(html)
    assert order[order.index("why_1") + 1] == "answer_1"


def test_the_check_run_form_is_sectioned(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/fieldchecks/runs/add/").content.decode())
    assert legends(html) == ["What is checked", "Who, when and where", "Notes"]


@pytest.mark.parametrize("url, titles, order", [
    ("/audits/audits/add/",
     ["The audit", "What is audited", "Audit team", "Dates", "Results"],
     ["programme", "title", "audit_type", "scope", "criteria", "sites", "partner",
      "requirements", "responsible_persons", "lead_auditor", "team", "planned_start",
      "planned_end", "actual_start", "actual_end", "summary", "conclusion"]),
    ("/plans/objectives/add/",
     ["Objective", "Measure", "Plan and review"],
     ["title", "description", "owner", "sites", "kpi_name", "unit", "incident_measure",
      "direction", "baseline", "target", "due_date", "planned_actions", "resources",
      "review_frequency"]),
    ("/documents/documents/add/",
     ["Document", "Control", "Who acknowledges it"],
     ["title", "doc_type", "owner", "sites", "description", "classification",
      "review_months", "retention_years", "acknowledgement_roles", "acknowledgement_users"]),
])
def test_the_audit_objective_and_document_forms_are_sectioned(client, world, url, titles,
                                                              order):
    client.force_login(world["users"]["security_manager__org"])
    response = client.get(url)
    assert response.status_code == 200, url
    html = form_html(response.content.decode())
    assert legends(html) == titles
    assert field_order(html) == order


def test_a_register_without_sections_keeps_its_single_list(client, world):
    client.force_login(world["users"]["security_manager__org"])
    html = form_html(client.get("/supplychain/goods/add/").content.decode())
    assert "<fieldset" not in html
    assert field_order(html) == ["name", "description", "value_class", "theft_attractiveness",
                                 "dangerous_goods", "un_numbers"]
    response = client.post("/supplychain/goods/add/", {"name": "Tobacco",
                                                       "value_class": "high",
                                                       "theft_attractiveness": 4})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GoodsCategory.objects.filter(organisation=world["org_a"], name="Tobacco").exists()


class Sample(forms.Form):
    title = forms.CharField()
    owner = forms.CharField()
    consequence_life = forms.IntegerField()
    consequence_legal = forms.IntegerField()
    notes = forms.CharField(widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput)


def test_layout_takes_wildcards_once_and_puts_unnamed_fields_last():
    layout = form_layout(Sample(), (("Rated", ("title", "consequence_*")),
                                    ("Owner", ("owner", "title"))))
    assert [(s.title, [f.name for f in s.fields]) for s in layout] == [
        ("Rated", ["title", "consequence_life", "consequence_legal"]),
        ("Owner", ["owner"]),
        ("Other details", ["notes"])]  # the hidden field is rendered apart
    assert all(isinstance(s, FormSection) for s in layout)


def drifted(base, **attrs):
    return type("Drifted" + type(base).__name__, (type(base),), attrs)()


@pytest.mark.parametrize("sections, problem", [
    ((("Site", ("name", "code", "kind", "address", "city", "postcode", "country", "latitude",
                "longitude", "operator", "goods_categories", "security_level",
                "description", "colour")),),
     "DriftedSiteRegister.form_sections: colour is not a field of the form"),
    ((("Site", ("name", "code", "kind")),
      ("Rest", ("code", "address", "city", "postcode", "country", "latitude", "longitude",
                "operator", "goods_categories", "security_level", "description"))),
     "DriftedSiteRegister.form_sections: code in more than one section"),
    ((("Site", ("name", "code", "kind")),),
     "DriftedSiteRegister.form_sections: address, city, postcode, country, latitude, "
     "longitude, operator, goods_categories, security_level, description in no section"),
])
def test_sections_that_drift_from_the_form_are_reported(sections, problem):
    register = drifted(get_register(Site), form_sections=sections)
    assert declaration_problems(register) == [problem]


LONG_FORM = 10  # visible fields; above this a form is read in titled sections


def test_every_long_register_form_is_in_sections(world):
    """No register can ship a long form as one undivided list (issue 13 item 12): each form with
    more than LONG_FORM visible fields, as an administrator sees it, declares its sections."""
    from chainward.core.registry import all_registers

    user, organisation = world["users"]["administrator__org"], world["org_a"]
    undivided = {}
    for register in all_registers():
        form = register.get_form_class()(instance=register.model(), user=user,
                                         organisation=organisation)
        visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
        if len(visible) > LONG_FORM and not register.form_sections:
            undivided[register.label] = len(visible)
    assert undivided == {}
