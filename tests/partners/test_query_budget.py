"""Partner-assurance lists and the API cost the same number of queries at 10 and 250 rows; a
request's page, the partner's page and the partner's link page cost the same at 5 and at 60
questions answered."""

import pytest

from chainward.core.registry import get_register
from chainward.ledger.context import actor_context
from chainward.partners import models
from tests.core.test_query_budget import count_queries

from . import factories as f


def _base(world):
    org = world["org_a"]
    template = f.template(org, "Budget template", questions=0)
    partner = world["carrier_a"]
    contact = f.contact(partner)
    req = models.QuestionnaireRequest.objects.create(
        organisation=org, partner=partner, contact=contact, template=template,
        deadline=f.days(10), message="base")
    return {"template": template, "partner": partner, "contact": contact, "request": req}


ROWS = {
    "partners.questionnairetemplate": lambda b, i: f.template(b["template"].organisation,
                                                              f"T {i}", questions=0),
    "partners.question": lambda b, i: f.question(b["template"], f"Q {i}?", order=i),
    "partners.questionnairerequest": lambda b, i: models.QuestionnaireRequest.objects.create(
        organisation=b["template"].organisation, partner=b["partner"], contact=b["contact"],
        template=b["template"], deadline=f.days(10), message=f"R {i}"),
    "partners.answer": lambda b, i: f.answer(b["request"], f.question(b["template"], f"A {i}?",
                                                                      order=i), value_yes=True),
    "partners.followupaction": lambda b, i: f.follow_up(b["request"], f"F {i}"),
}


def _fill(model, world, base, label, upto):
    with actor_context(None, name="query budget"):
        for i in range(model.objects.filter(organisation=world["org_a"]).count(), upto):
            ROWS[label](base, i)


@pytest.mark.parametrize("label", list(ROWS))
def test_list_and_api_cost_the_same_at_10_and_250_rows(client, world, label):
    with actor_context(None, name="query budget"):
        base = _base(world)
    register = get_register(label)
    client.force_login(world["users"]["security_manager__org"])
    urls = (f"{register.list_url}?per_page=100",
            f"/api/{register.app_label}/{register.url_prefix}/?limit=250")
    _fill(register.model, world, base, label, 10)
    small = [count_queries(client, url) for url in urls]
    _fill(register.model, world, base, label, 250)
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 rows {small}, at 250 rows {large}"


def test_request_partner_and_link_pages_cost_the_same_at_5_and_60_answers(client, world):
    from chainward.partners import links

    with actor_context(None, name="query budget"):
        base = _base(world)
        req = base["request"]
        token = links.new_token()
        req.token_sha256 = links.token_hash(token)
        req.save()
    client.force_login(world["users"]["security_manager__org"])

    def fill(n):
        with actor_context(None, name="query budget"):
            for i in range(base["template"].questions.count(), n):
                q = f.question(base["template"], f"Q {i}?", order=i, evidence_hint="doc")
                f.answer(req, q, value_yes=bool(i % 2), needs_follow_up=not i % 2)
            for i in range(req.follow_ups.count(), n // 5):
                f.follow_up(req, f"F {i}")

    partner_link = f"/partners/q/{token}/"
    anonymous = client.__class__(REMOTE_ADDR="198.51.100.99")

    def measure():
        counts = [count_queries(client, url) for url in (req.get_absolute_url(),
                                                         base["partner"].get_absolute_url())]
        return counts + [count_queries(anonymous, partner_link),
                         count_queries(anonymous, partner_link + "sign/")]

    fill(5)
    measure()  # the first visit binds the link to this browser (and warms caches)
    small = measure()
    fill(60)
    large = measure()
    assert large == small, f"queries at 5 answers {small}, at 60 answers {large}"
