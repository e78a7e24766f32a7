"""The partner-assurance demo (issue 17 item 7) on the supply-chain demo's partners: a
template per partner type (two from the C-TPAT catalogues) and declarations in every state,
written through the services; a second run writes nothing."""

import pytest
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.partners import services
from chainward.partners.demo import build_partners_demo
from chainward.partners.models import FollowUpAction, QuestionnaireRequest
from chainward.supplychain import demo as supplychain_demo
from chainward.supplychain.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_has_declarations_in_every_state(world):
    with actor_context(None, name="chainward demo", reason="demo data"):
        for name in ("ctpat-msc-highway-carriers.yaml", "ctpat-msc-third-party-logistics.yaml"):
            loader.load(loader.CATALOG_DIR / name)
        organisation = supplychain_demo.ensure_organisation(supplychain_demo.Tally())
        admin, _ = supplychain_demo.ensure_admin()
        supplychain_demo.build_demo(organisation, admin)
        counts = build_partners_demo(organisation, admin)
        assert counts == {"questionnaire templates": 3, "partner questionnaires": 7}
        assert build_partners_demo(organisation, admin)["partner questionnaires"] == 0

    def state(name):
        return services.declaration_state(Partner.objects.get(organisation=organisation,
                                                              name=name))[1]

    assert state("Hanse Road Freight GmbH") == "valid"
    assert state("Oranje Trucking B.V.") == "due"
    assert state("EuroRail Cargo Connect GmbH") == "expired"
    assert FollowUpAction.objects.filter(
        request__partner__name="Wisła Transport Sp. z o.o.", status="open").count() == 1
    statuses = set(QuestionnaireRequest.objects.filter(organisation=organisation)
                   .values_list("status", flat=True))
    assert statuses == {"accepted", "signed", "sent"}
    overdue = QuestionnaireRequest.objects.get(partner__name="Elbe Container Terminal GmbH")
    assert overdue.deadline < timezone.localdate()
    labels = {label for _, label, _, _ in services.due_requests(
        QuestionnaireRequest.objects.filter(organisation=organisation))}
    assert {"answered — to review", "declaration expired — renew",
            "declaration expires — renew"} <= labels
    assert any(label.startswith("not answered") for label in labels)
