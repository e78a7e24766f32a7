"""One definition of "partner review due" (issue 17 item 4, ISO 28001 4.5): the database's
score and interval (`score_expression`, `interval_expression`, used to filter lists, count the
dashboard card and fill My work) equal `assess` (the explained rule, tested against sums done by
hand in test_assurance.py) for every combination of the factors; and the supply-chain register's
column, filter, API fields and card, the security plan's path and My work agree on real records.
"""

import datetime
import itertools

import pytest
from django.db.models import DateField, F, Value
from django.utils import timezone

from chainward.partners.assurance import (
    BAND_WIDTH,
    BANDS,
    FIELDS,
    Inputs,
    assess,
    interval_expression,
    score_expression,
)
from chainward.supplychain import services
from chainward.supplychain.models import Organisation, Partner, PartnerReview
from tests.support.bulk import fixture_writes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PROGRAMMES = [(False, False), (True, False), (False, True), (True, True)]  # (valid, expired)
QUESTIONNAIRES = [("none", 0), ("returned", 0)] + [("accepted", n) for n in range(6)]
DECLARATIONS = [None, TODAY + datetime.timedelta(days=30), TODAY - datetime.timedelta(days=1)]


def database_answer(org, inputs, valid_until):
    """(score, interval) as the database computes them for `inputs` given as literals."""
    given = {"criticality": Value(inputs.criticality), "status": Value(inputs.status),
             "exempt": Value(inputs.exempt), "valid_programme": Value(inputs.valid_programme),
             "expired_programme": Value(inputs.expired_programme),
             "questionnaire": Value(inputs.questionnaire), "flagged": Value(inputs.flagged),
             "valid_until": Value(valid_until, output_field=DateField()),
             "incidents": Value(inputs.incidents)}
    assert set(given) == set(FIELDS)
    row = Organisation.objects.filter(pk=org.pk).annotate(
        score=score_expression(TODAY, given)).annotate(
        interval=interval_expression({**given, "score": F("score")})).values(
        "score", "interval").get()
    return row["score"], row["interval"]


def test_the_bands_are_as_wide_as_the_database_rule_assumes():
    assert [lowest for lowest, *_ in BANDS] == [3 * BAND_WIDTH, 2 * BAND_WIDTH, BAND_WIDTH, 0]


def test_the_database_scores_every_combination_of_factors_as_assess_does():
    org = Organisation.objects.create(name="Grid Co")
    compared = 0
    for criticality, (valid, expired), (questionnaire, flagged), valid_until, incidents in \
            itertools.product(("low", "medium", "high", "critical"), PROGRAMMES,
                              QUESTIONNAIRES, DECLARATIONS, range(4)):
        inputs = Inputs(criticality=criticality, status="active", exempt=False,
                        valid_programme=valid, expired_programme=expired,
                        questionnaire=questionnaire, flagged=flagged,
                        declaration_expired=valid_until is not None and valid_until < TODAY,
                        incidents=incidents)
        expected = assess(inputs)
        assert database_answer(org, inputs, valid_until) == (
            expected.score, expected.interval_days), inputs
        compared += 1
    assert compared == 4 * 4 * 8 * 3 * 4


@pytest.mark.parametrize("status", ["onboarding", "active", "suspended", "terminated"])
@pytest.mark.parametrize("exempt", [False, True])
def test_no_interval_for_an_exempt_partner_or_one_not_in_use(status, exempt):
    org = Organisation.objects.create(name="Grid Co")
    inputs = Inputs(criticality="critical", status=status, exempt=exempt, valid_programme=False,
                    expired_programme=False, questionnaire="returned", flagged=0,
                    declaration_expired=False, incidents=2)
    expected = assess(inputs).interval_days
    assert database_answer(org, inputs, None)[1] == expected
    assert (expected is None) == (exempt or status in ("suspended", "terminated"))


# --- every reader agrees on real records --------------------------------------------------------
@pytest.fixture
def partners(world):
    """Medium partners reviewed 400 days ago: due by the risk-based interval (12 months for a
    medium score: 15 criticality + 15 no questionnaire = 30) though the rule by criticality and
    programme alone gives 730 days; one reviewed 100 days ago (not due); one never reviewed."""
    org = world["org_a"]
    made = {}
    with fixture_writes():
        for name, ago, status in (("Reviewed 400 days ago", 400, "active"),
                                  ("Reviewed 100 days ago", 100, "active"),
                                  ("Never reviewed", None, "active"),
                                  # Not in use: never due, reviewed or not.
                                  ("Suspended, reviewed 1000 days ago", 1000, "suspended"),
                                  ("Suspended, never reviewed", None, "suspended")):
            partner = Partner.objects.create(organisation=org, name=name, kind="carrier",
                                             country="DE", criticality="medium",
                                             status=status)
            if ago is not None:
                PartnerReview.objects.create(
                    organisation=org, partner=partner, method="questionnaire",
                    outcome="satisfactory",
                    reviewed_on=TODAY - datetime.timedelta(days=ago))
            made[name] = partner
    return world, made


def test_the_register_filter_card_api_and_my_work_agree(admin_client, partners):
    world, made = partners
    due_names = {"Reviewed 400 days ago", "Never reviewed"}
    state = services.review_state(made["Reviewed 400 days ago"])
    assert (state.interval_days, state.due_on, state.due) == (
        365, TODAY - datetime.timedelta(days=35), True)
    assert services.review_state(made["Reviewed 100 days ago"]).due is False

    queryset = Partner.objects.filter(organisation=world["org_a"], pk__in=[
        p.pk for p in made.values()])
    assert set(services.partners_due_for_review(queryset).values_list("name", flat=True)) \
        == due_names

    listed = admin_client.get("/supplychain/partners/?review_due=true&q=review")
    assert listed.status_code == 200
    page = listed.content.decode()
    assert "Reviewed 400 days ago" in page and "Never reviewed" in page
    assert "Reviewed 100 days ago" not in page

    api = admin_client.get("/api/supplychain/partners/?review_due=true&q=review").json()
    rows = {row["name"]: row for row in api["results"]}
    assert set(rows) == due_names
    assert (rows["Reviewed 400 days ago"]["review_interval_days"],
            rows["Reviewed 400 days ago"]["review_due_on"],
            rows["Reviewed 400 days ago"]["assurance"]["next_review_due_on"]) == (
        365, (TODAY - datetime.timedelta(days=35)).isoformat(),
        (TODAY - datetime.timedelta(days=35)).isoformat())

    page = admin_client.get("/audits/my-work/").content.decode()
    work = page.split('id="partner-reviews"', 1)[1].split("</section>", 1)[0]
    for name in due_names:
        assert name in work
    assert "Reviewed 100 days ago" not in work
