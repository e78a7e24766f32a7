"""ISO 28001 5.7, issue 14 item 4: a rating's likelihood suggestion counts the incidents of the
last 12 months that realised it — named by an investigation, or of its threat scenario at its
site, leg or partner — and says which and by what rule; on the page, in the form, in the API,
within the reader's scope.

Expected floors, written by hand from the rule on the default 5-level scale (1 Rare, 2 Unlikely,
3 Possible, 4 Likely, 5 Almost certain): one incident → 3 (Possible), two or more → 4 (Likely).
"""

from chainward.ledger.context import actor_context
from chainward.risk.likelihood import floor_for, suggest_likelihood
from tests.risk import support as risk

from . import factories as f
from .test_loop_back import assessed  # noqa: F401 - a fixture

FIVE = [{"value": v, "name": n} for v, n in enumerate(
    ("Rare", "Unlikely", "Possible", "Likely", "Almost certain"), start=1)]


def test_the_rule_on_scales_of_several_sizes():
    assert [floor_for(FIVE, n) for n in (0, 1, 2, 3, 9)] == [None, 3, 4, 4, 4]
    three = [{"value": v} for v in (1, 2, 3)]
    assert [floor_for(three, n) for n in (0, 1, 2)] == [None, 2, 3]
    four = [{"value": v} for v in (10, 20, 30, 40)]
    assert [floor_for(four, n) for n in (1, 2)] == [30, 40]


def _incidents(world, rating):
    """Two incidents that count for `rating` (TS-01 at S1), and four that do not."""
    org, s1, s2 = world["org_a"], world["s1"], world["s2"]
    theft = risk.scenario("TS-01")
    with actor_context(None, name="fixture"):
        scenario_here = f.incident(org, "Trailer stolen from the Hamburg yard", site=s1,
                                   threat_scenario=theft, occurred_at=f.ago(30))
        named = f.incident(org, "Seal cut at the Bremen dock", site=s2, occurred_at=f.ago(60))
        f.investigation(named).realised_ratings.add(rating)
        f.incident(org, "Trailer stolen at Bremen", site=s2, threat_scenario=theft)
        f.incident(org, "Pilferage at the Hamburg yard", site=s1,
                   threat_scenario=risk.scenario("TS-02"))
        f.incident(org, "Fence cut at the Hamburg yard", site=s1)  # no scenario, not named
        f.incident(org, "Trailer stolen last year", site=s1, threat_scenario=theft,
                   occurred_at=f.ago(400))
    return scenario_here, named


def test_the_suggestion_counts_the_incidents_that_realised_the_rating(world, assessed):  # noqa: F811
    rating = assessed["at_s1"]  # TS-01 at S1, likelihood 3
    manager = world["users"]["security_manager__org"]
    assert suggest_likelihood(manager, rating) is None
    with actor_context(None, name="fixture"):
        first = f.incident(world["org_a"], "Trailer stolen from the Hamburg yard",
                           site=world["s1"], threat_scenario=risk.scenario("TS-01"))
    suggestion = suggest_likelihood(manager, rating)
    assert (suggestion.minimum, suggestion.minimum_name) == (3, "3 (Possible)")
    assert suggestion.occurrences == [first] and not suggestion.below
    assert suggestion.explanation.startswith(
        f"1 security incident realising this scenario at this target since "
        f"{suggestion.since:%Y-%m-%d} ({first.reference}) → likelihood at least 3 (Possible).")


def test_two_incidents_raise_the_floor_and_the_reader_sees_only_their_own(world, assessed):  # noqa: F811
    rating = assessed["at_s1"]
    here, named = _incidents(world, rating)
    suggestion = suggest_likelihood(world["users"]["security_manager__org"], rating)
    assert suggestion.occurrences == [named, here]  # oldest first
    assert (suggestion.minimum_name, suggestion.below) == ("4 (Likely)", True)
    assert "2 security incidents" in suggestion.explanation
    assert f"({named.reference}, {here.reference})" in suggestion.explanation
    # The officer of S1 does not see the S2 incident: one incident, and it is not named.
    officer = suggest_likelihood(world["users"]["site_security_officer__site"], rating)
    assert officer.occurrences == [here] and officer.minimum == 3
    assert named.reference not in officer.explanation
    # Viewers may not see incidents at all: no suggestion.
    assert suggest_likelihood(world["users"]["viewer__org"], rating) is None


def test_the_page_and_the_form_explain_the_suggestion(client, world, assessed):  # noqa: F811
    rating = assessed["draft_s1"]  # the open re-assessment: TS-01 at S1, likelihood 3
    client.force_login(world["users"]["security_manager__org"])
    # Without incidents the page and the form say nothing of a suggestion.
    assert 'id="likelihood-suggestion"' not in client.get(
        rating.get_absolute_url()).content.decode()
    assert "Suggested:" not in client.get(f"{rating.get_absolute_url()}edit/").content.decode()
    here, named = _incidents(world, rating)
    page = client.get(rating.get_absolute_url()).content.decode()
    start = page.index('id="likelihood-suggestion"')
    panel = page[start:page.index("</dd>", start)]
    assert "At least <strong>4 (Likely)</strong>" in panel and "rated below" in panel
    assert f'href="{here.get_absolute_url()}"' in panel
    assert f'href="{named.get_absolute_url()}"' in panel
    assert "Rule: one occurrence of the scenario" in panel
    form = client.get(f"{rating.get_absolute_url()}edit/").content.decode()
    assert "Suggested: 2 security incidents realising this scenario" in form


def test_the_api_gives_the_same_suggestion_within_scope(client, world, assessed):  # noqa: F811
    rating = assessed["at_s1"]
    here, named = _incidents(world, rating)
    url = f"/api/risk/register/{rating.pk}/likelihood-suggestion/"
    client.force_login(world["users"]["security_manager__org"])
    body = client.get(url).json()
    assert (body["minimum"], body["minimum_name"], body["current"], body["below"]) == (
        4, "4 (Likely)", 3, True)
    assert [o["reference"] for o in body["occurrences"]] == [named.reference, here.reference]
    assert body["explanation"] == suggest_likelihood(
        world["users"]["security_manager__org"], rating).explanation
    client.force_login(world["users"]["site_security_officer__site"])
    body = client.get(url).json()
    assert [o["reference"] for o in body["occurrences"]] == [here.reference]
    assert body["minimum"] == 3
    body = client.get(f"/api/risk/register/{assessed['at_s2'].pk}/likelihood-suggestion/")
    assert body.status_code == 404  # S2's rating is out of the officer's scope
