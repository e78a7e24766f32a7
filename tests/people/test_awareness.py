"""Awareness campaigns (ISO 28000 7.3; issue 16 item 3): the audience is the current holders
of the campaign's roles at its sites; a person counts once their account acknowledged the
material's approved version through the documents' read-and-understood mechanism (the same
`documents.services.acknowledge` the document page calls); a new version asks again;
completion is given per site; My work lists what I still owe. Figures worked out by hand."""

import pytest

from chainward.core import services as records
from chainward.documents import services as documents
from chainward.documents.models import Document
from chainward.ledger.context import actor_context
from chainward.people import services

from . import factories as f


@pytest.fixture
def setup(world):
    """Seal briefing for gate controllers at S1 and S2: three at S1 (two with an account),
    two at S2 (one with an account), one clerk at S1 outside the audience, one controller who
    left. The material goes through the documents' workflow."""
    org, users = world["org_a"], world["users"]
    author, approver = users["security_manager__org"], users["top_management__org"]
    with actor_context(author):
        doc = Document(organisation=org, title="Seal tampering signs", doc_type="procedure",
                       owner=author)
        records.save_record(author, doc)
    version = documents.create_version(author, doc, change_summary="first issue")
    documents.submit_for_review(author, version)
    documents.approve_document_version(approver, version)
    with actor_context(None, name="fixture"):
        gate1 = f.role(org, "Gate controller S1", site=world["s1"])
        gate2 = f.role(org, "Gate controller S2", site=world["s2"])
        clerk = f.role(org, "Clerk", site=world["s1"])
        people = {
            "a": f.person(org, "Anna", site=world["s1"], user=users["contributor__site"]),
            "b": f.person(org, "Bernd", site=world["s1"], user=users["viewer__site"]),
            "c": f.person(org, "Carl", site=world["s1"]),
            "d": f.person(org, "Dora", site=world["s2"], user=users["viewer__org"]),
            "e": f.person(org, "Emil", site=world["s2"]),
            "x": f.person(org, "Xaver", site=world["s1"], user=users["contributor__org"]),
            "gone": f.person(org, "Gone", site=world["s1"], left_on=f.days(-5)),
        }
        for key in "abc":
            f.appoint(gate1, people[key])
        for key in "de":
            f.appoint(gate2, people[key])
        f.appoint(clerk, people["x"])
        f.appoint(gate1, people["gone"], since=f.days(-300))
        campaign = f.campaign(org, "Seal awareness 2026", material=doc,
                              roles=[gate1, gate2])
    return {"doc": doc, "version": version, "campaign": campaign, "users": users,
            "author": author, "approver": approver}


def figures(campaign):
    [progress] = services.campaign_progress([campaign])
    return progress.rate, [(s.name, s.audience, s.acknowledged, s.no_account)
                           for s in progress.sites]


def test_completion_per_site_counts_document_acknowledgements(setup):
    users = setup["users"]
    assert figures(setup["campaign"]) == (0, [("Hamburg warehouse", 3, 0, 1),
                                              ("Rotterdam terminal", 2, 0, 1)])
    documents.acknowledge(users["contributor__site"], setup["version"])   # Anna, S1
    documents.acknowledge(users["viewer__org"], setup["version"])         # Dora, S2
    documents.acknowledge(users["contributor__org"], setup["version"])    # Xaver: not audience
    assert figures(setup["campaign"]) == (40, [("Hamburg warehouse", 3, 1, 1),
                                               ("Rotterdam terminal", 2, 1, 1)])


def test_sites_narrow_the_audience(setup, world):
    with actor_context(None, name="fixture"):
        setup["campaign"].sites.set([world["s2"]])
    documents.acknowledge(setup["users"]["viewer__org"], setup["version"])
    assert figures(setup["campaign"]) == (50, [("Rotterdam terminal", 2, 1, 1)])


def test_a_new_approved_version_asks_again(setup):
    users = setup["users"]
    documents.acknowledge(users["contributor__site"], setup["version"])
    assert figures(setup["campaign"])[0] == 20
    second = documents.create_version(setup["author"], setup["doc"], change_summary="update")
    documents.submit_for_review(setup["author"], second)
    documents.approve_document_version(setup["approver"], second)
    assert figures(setup["campaign"])[0] == 0


def test_my_work_lists_the_campaign_until_i_acknowledge_on_its_page(client, setup):
    anna = setup["users"]["contributor__site"]
    client.force_login(anna)
    assert "Seal awareness 2026" in client.get("/audits/my-work/").content.decode()
    page = client.get(setup["campaign"].get_absolute_url()).content.decode()
    assert "I have read and understood it" in page
    response = client.post(f"/documents/versions/{setup['version'].pk}/acknowledge/")
    assert response.status_code == 302
    assert "Seal awareness 2026" not in client.get("/audits/my-work/").content.decode()
    page = client.get(setup["campaign"].get_absolute_url()).content.decode()
    assert "I have read and understood it" not in page and "20 %" in page


def test_somebody_outside_the_audience_owes_nothing(client, setup):
    client.force_login(setup["users"]["contributor__org"])  # Xaver, a clerk
    assert "Seal awareness 2026" not in client.get("/audits/my-work/").content.decode()


def test_the_campaign_page_shows_the_figures_per_site(client, setup):
    documents.acknowledge(setup["users"]["viewer__org"], setup["version"])
    client.force_login(setup["users"]["security_manager__org"])
    page = client.get(setup["campaign"].get_absolute_url()).content.decode()
    table = page.split("Acknowledgements per site", 1)[1].split("</table>", 1)[0]
    assert "Hamburg warehouse" in table and "Rotterdam terminal" in table and "50 %" in table
    home = client.get("/").content.decode()
    assert "Awareness campaigns" in home and "Seal awareness 2026: 20 %" in home
