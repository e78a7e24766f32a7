"""Issue 17 item 1: questionnaire templates built in the UI from the catalogues (the C-TPAT
criteria of one entity type) and from the shipped declarations (ISO 28001 4.2, the EU AEO
business partner's security declaration). The expected questions are written out here by hand
from what a reader of the declarations file sees, not read from it."""

import pytest

from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.partners import services
from chainward.partners.models import QuestionnaireTemplate

from . import factories as f

pytestmark = pytest.mark.django_db

PAGE = "/partners/questionnaire-templates/from-catalogue/"


def _questions(template):
    return [(q.section, q.answer_type, q.evidence_required, q.follow_up_on_no)
            for q in template.questions.order_by("order")]


def test_the_template_list_offers_the_builder_to_those_who_may_add(world, client):
    client.force_login(world["users"]["security_manager__org"])
    listing = client.get("/partners/questionnaire-templates/").content.decode()
    assert f'href="{PAGE}"' in listing
    page = client.get(PAGE).content.decode()
    assert "Business partner security declaration (ISO 28001 4.2)" in page
    assert "Security declaration of an AEO&#x27;s business partner (EU AEO)" in page
    client.force_login(world["users"]["site_security_officer__org"])
    assert f'href="{PAGE}"' not in client.get("/partners/questionnaire-templates/").content \
        .decode()
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"declaration": "iso28001-4.2"}).status_code == 403
    assert not QuestionnaireTemplate.objects.exists()


def test_the_iso_28001_declaration_is_built_in_the_ui(world, client):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post(PAGE, {"declaration": "iso28001-4.2", "partner_kind": "carrier"})
    template = QuestionnaireTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    assert (template.kind, template.partner_kind, template.organisation) == (
        "declaration", "carrier", world["org_a"])
    assert template.source.startswith("ISO 28001:2007 4.2")
    assert "you may verify these measures" in template.declaration_text
    assert _questions(template) == [
        ("Security management", "yes_no", True, True),
        ("Security management", "yes_no", True, False),
        ("Premises", "yes_no", False, True),
        ("Personnel", "yes_no", False, True),
        ("Cargo and conveyances", "yes_no", False, True),
        ("Information", "yes_no", False, True),
        ("Subcontracting", "yes_no", False, True),
        ("Incidents", "yes_no", False, True),
        ("Incidents", "text", False, False)]
    assert template.questions.get(order=2).evidence_hint == "Certificate"


def test_the_eu_aeo_declaration_is_built_in_the_ui_and_can_be_sent(world, client):
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    client.post(PAGE, {"declaration": "eu-aeo-security-declaration", "partner_kind": "nonsense"})
    template = QuestionnaireTemplate.objects.get()
    assert (template.kind, template.partner_kind) == ("declaration", "")
    assert _questions(template) == [
        ("Status", "yes_no", True, False), ("Premises", "yes_no", False, True),
        ("Goods", "yes_no", False, True), ("Personnel", "yes_no", False, True),
        ("Business partners", "yes_no", False, True)]
    assert "needs_check" in template.source
    with actor_context(None, name="fixture"):
        contact = f.contact(world["carrier_a"], email="security@nordic.example")
    req = services.send_request(manager, partner=world["carrier_a"], contact=contact,
                                template=template, deadline=f.days(14))
    assert req.status == "sent" and req.token_sha256


def test_a_catalogue_framework_is_built_in_the_ui(world, client):
    with actor_context(None, name="catalogue load"):
        loader.load(loader.CATALOG_DIR / "ctpat-msc-third-party-logistics.yaml")
    from chainward.library.models import Framework

    framework = Framework.objects.get(urn="urn:chainward:framework:ctpat-msc-third-party-"
                                          "logistics")
    client.force_login(world["users"]["security_manager__org"])
    client.post(PAGE, {"framework": framework.pk, "partner_kind": "3pl"})
    template = QuestionnaireTemplate.objects.get()
    assert (template.kind, template.partner_kind, template.source) == (
        "questionnaire", "3pl", framework.urn)
    assert template.questions.count() > 20
    assert all(q.follow_up_on_no for q in template.questions.all())


def test_an_unknown_declaration_gives_a_message_not_an_error(world, client):
    client.force_login(world["users"]["security_manager__org"])
    page = client.post(PAGE, {"declaration": "no-such-thing"}, follow=True)
    assert page.status_code == 200
    assert "Choose one of the declarations listed." in page.content.decode()
    assert not QuestionnaireTemplate.objects.exists()
