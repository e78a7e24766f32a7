"""Acknowledgements owed by me are visible (issue 13 item 10): on My work and on the home
page, until I acknowledge; a new approved version asks again; only documents I may see and
whose audience names me or a role I hold. Expected documents are the ones built here."""

import pytest

from chainward.access.models import Role
from chainward.core import services as records
from chainward.documents import services
from chainward.documents.models import Document
from chainward.ledger.context import actor_context


@pytest.fixture
def docs(world):
    users = world["users"]
    author, approver = users["security_manager__org"], users["top_management__org"]

    def document(title, doc_type, *, roles=(), people=(), sites=()):
        with actor_context(author):
            doc = Document(organisation=world["org_a"], title=title, doc_type=doc_type,
                           owner=author)
            records.save_record(author, doc)
            doc.acknowledgement_roles.set(Role.objects.filter(name__in=roles))
            doc.acknowledgement_users.set(people)
            doc.sites.set(sites)
        return doc

    def approve(doc, summary="first issue"):
        version = services.create_version(author, doc, change_summary=summary)
        services.submit_for_review(author, version)
        return services.approve_document_version(approver, version)

    policy = document("Supply-chain security policy", "policy",
                      roles=["Viewer", "Site security officer"])
    seals = document("Seal procedure", "procedure", people=[users["viewer__org"]])
    rotterdam = document("Rotterdam gate rules", "procedure",
                         roles=["Site security officer"], sites=[world["s2"]])
    draft_only = document("Draft rules", "procedure", roles=["Viewer"])
    services.create_version(author, draft_only, change_summary="draft")
    versions = {"policy": approve(policy), "seals": approve(seals),
                "rotterdam": approve(rotterdam)}
    return {"users": users, "policy_document": policy, "approve": approve, **versions}


def my_work(client, user):
    client.force_login(user)
    page = client.get("/audits/my-work/").content.decode()
    return page.split('id="acknowledgements"', 1)[1].split("</section>", 1)[0]


def test_owed_acknowledgements_on_my_work_and_the_home_page(client, docs):
    viewer = docs["users"]["viewer__org"]
    section = my_work(client, viewer)
    # The policy first, then the procedure that names the viewer; not the draft-only one.
    assert section.index("Supply-chain security policy v1") < section.index("Seal procedure v1")
    assert "Draft rules" not in section and "Rotterdam" not in section
    home = client.get("/").content.decode()
    card = home.split("To read and acknowledge", 1)[1][:300]
    assert ">2<" in card and "Supply-chain security policy" in card
    client.post(f"/documents/versions/{docs['policy'].pk}/acknowledge/")
    section = my_work(client, viewer)
    assert "Supply-chain security policy" not in section and "Seal procedure v1" in section
    # A new approved version of the policy asks again.
    docs["approve"](docs["policy_document"], "annual review")
    section = my_work(client, viewer)
    assert "Supply-chain security policy v2" in section


def test_only_documents_in_my_scope_and_audience(client, docs):
    # The site officer of S1 must read the policy, not the rules of S2 they cannot see.
    section = my_work(client, docs["users"]["site_security_officer__site"])
    assert "Supply-chain security policy v1" in section and "Rotterdam" not in section
    # The organisation-wide officer sees and owes both.
    section = my_work(client, docs["users"]["site_security_officer__org"])
    assert "Supply-chain security policy v1" in section and "Rotterdam gate rules v1" in section
    # The internal auditor is in no audience: nothing owed, no home card.
    auditor = docs["users"]["internal_auditor__org"]
    section = my_work(client, auditor)
    assert "Nothing is waiting for your acknowledgement." in section
    assert "To read and acknowledge" not in client.get("/").content.decode()
