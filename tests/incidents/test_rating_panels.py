"""ISO 28001 5.7, issue 14 item 4: a rating's page shows the incidents that realised it (through
their investigations) and those that marked it for re-assessment, and only the incidents its
reader may see."""

from chainward.ledger.context import actor_context

from . import factories as f
from .test_loop_back import assessed  # noqa: F401 - a fixture


def _panel(page, title):
    """The HTML of one related panel (a `<section aria-label="title">`)."""
    start = page.index(f'<section class="card mb-3" aria-label="{title}">')
    return page[start:page.index("</section>", start)]


def link(incident):
    return f'href="{incident.get_absolute_url()}"'


def test_a_rating_page_lists_the_incidents_that_realised_it_within_the_readers_scope(
        client, world, assessed):  # noqa: F811
    org, rating = world["org_a"], assessed["at_s1"]
    with actor_context(None, name="fixture"):
        at_s1 = f.incident(org, "Curtain slashed at the Hamburg yard", site=world["s1"])
        f.investigation(at_s1).realised_ratings.add(rating)
        at_s2 = f.incident(org, "Seal cut found at the Bremen dock", site=world["s2"])
        f.investigation(at_s2).realised_ratings.add(rating)
        marked = f.incident(org, "Fence breach at the Hamburg yard", site=world["s1"])
        marked.affected_ratings.add(rating)
        unrelated = f.incident(org, "Pallet missing at the Hamburg yard", site=world["s1"])

    client.force_login(world["users"]["security_manager__org"])
    page = client.get(rating.get_absolute_url()).content.decode()
    realised = _panel(page, "Incidents that realised this risk")
    assert link(at_s1) in realised and link(at_s2) in realised
    assert link(marked) not in realised and link(unrelated) not in page
    assert link(marked) in _panel(page, "Incidents that marked it for re-assessment")

    # The site officer of S1 reads the rating and the S1 incidents, not the one at S2.
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.get(rating.get_absolute_url())
    assert response.status_code == 200
    realised = _panel(response.content.decode(), "Incidents that realised this risk")
    assert link(at_s1) in realised and link(at_s2) not in realised
