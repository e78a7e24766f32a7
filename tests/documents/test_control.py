"""Document control: review and approval by someone else, frozen versions, scope, master list."""

import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from chainward.access.models import Role
from chainward.core import services as records
from chainward.documents import services
from chainward.documents.models import Document, DocumentVersion, FrozenVersion
from chainward.ledger.context import actor_context


@pytest.fixture
def people(world):
    users = world["users"]
    return {"author": users["security_manager__org"], "approver": users["administrator__org"],
            "officer": users["site_security_officer__site"], "viewer": users["viewer__org"]}


def make_document(world, owner, *, title="Seal control procedure", doc_type="procedure",
                  sites=(), classification="internal"):
    with actor_context(owner):
        document = Document(organisation=world["org_a"], title=title, doc_type=doc_type,
                            owner=owner, classification=classification)
        records.save_record(owner, document)
        document.sites.set(sites)
    return document


def approved_version(document, author, approver, summary="first issue"):
    version = services.create_version(author, document, change_summary=summary)
    services.submit_for_review(author, version)
    return services.approve_document_version(approver, version)


def test_the_author_cannot_approve_their_own_version(client, world, people):
    document = make_document(world, people["author"])
    version = services.create_version(people["author"], document, change_summary="v1")
    services.submit_for_review(people["author"], version)
    client.force_login(people["author"])
    response = client.post(f"/documents/versions/{version.pk}/approve/", follow=True)
    assert "The author cannot approve their own version" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "in_review"
    client.force_login(people["approver"])
    client.post(f"/documents/versions/{version.pk}/approve/")
    version.refresh_from_db()
    assert (version.status, version.approver) == ("approved", people["approver"])


def test_an_approved_version_shows_its_history(client, world, people):
    """The approval event names the document by reference in a field called `document`; the
    History panel shows it as text instead of looking it up as an id (it used to answer 500)."""
    document = make_document(world, people["author"])
    version = approved_version(document, people["author"], people["approver"])
    client.force_login(people["approver"])
    response = client.get(f"/documents/versions/{version.pk}/")
    assert response.status_code == 200
    assert document.reference in response.content.decode()


def test_approving_a_new_version_supersedes_the_old_one(world, people):
    document = make_document(world, people["author"])
    first = approved_version(document, people["author"], people["approver"])
    second = approved_version(document, people["author"], people["approver"], "annual review")
    first.refresh_from_db()
    assert (first.status, second.status, second.number) == ("superseded", "approved", 2)
    assert document.current_version() == second


def test_an_approved_version_cannot_change_through_ui_api_or_service(client, world, people):
    document = make_document(world, people["author"])
    version = approved_version(document, people["author"], people["approver"])
    client.force_login(people["approver"])
    response = client.post(f"/documents/versions/{version.pk}/edit/", {
        "change_summary": "rewritten", "version": version.version})
    assert response.status_code == 403
    assert "cannot be changed" in response.content.decode()
    response = client.patch(f"/api/documents/versions/{version.pk}/", json.dumps(
        {"change_summary": "rewritten", "version": version.version}),
        content_type="application/json")
    assert response.status_code == 403 and "cannot be changed" in response.json()["detail"]
    version.change_summary = "rewritten"
    with pytest.raises(FrozenVersion, match="start a new version instead"):
        records.save_record(people["approver"], version)
    version.refresh_from_db()
    assert version.change_summary == "first issue"


def test_a_document_outside_the_users_sites_is_invisible_everywhere(client, world, people):
    hidden = make_document(world, people["author"], title="Rotterdam gate procedure",
                           sites=[world["s2"]])
    visible = make_document(world, people["author"], title="Company-wide seal policy")
    version = approved_version(hidden, people["author"], people["approver"])
    client.force_login(people["officer"])  # Site security officer limited to S1
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(version.get_absolute_url()).status_code == 404
    assert client.get(f"/documents/versions/{version.pk}/download/").status_code == 404
    assert client.get(visible.get_absolute_url()).status_code == 200
    for url in ("/documents/documents/", "/documents/master-list/",
                "/search/?q=procedure", "/documents/documents/?q=Rotterdam"):
        assert "Rotterdam gate procedure" not in client.get(url).content.decode(), url
    export = client.get("/documents/documents/", {"export": "csv"}).getvalue().decode()
    assert "Rotterdam gate" not in export
    assert client.get("/api/documents/documents/").json()["count"] == 1


def test_master_list_export_matches_the_register(admin_client, world, people):
    first = make_document(world, people["author"])
    approved_version(first, people["author"], people["approver"])
    make_document(world, people["author"], title="Draft-only form", doc_type="form")
    page = admin_client.get("/documents/master-list/").content.decode()
    workbook = load_workbook(io.BytesIO(admin_client.get(
        "/documents/master-list/", {"export": "xlsx"}).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [d.reference for d in Document.objects.filter(
        organisation=world["org_a"]).order_by("reference")]
    assert rows[1][5] == "1" and rows[2][5] == "—"
    for row in rows[1:]:
        assert row[0] in page
    pdf = admin_client.get("/documents/master-list/", {"export": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_acknowledgements_reset_with_a_new_version(client, world, people):
    document = make_document(world, people["author"], title="Security policy",
                             doc_type="policy")
    with actor_context(people["author"]):
        document.acknowledgement_roles.set([Role.objects.get(name="Viewer")])
    first = approved_version(document, people["author"], people["approver"])
    client.force_login(people["viewer"])
    client.post(f"/documents/versions/{first.pk}/acknowledge/")
    page = client.get(document.get_absolute_url()).content.decode()
    assert f"{people['viewer'].email} ✓" in page
    approved_version(document, people["author"], people["approver"], "2027 update")
    page = client.get(document.get_absolute_url()).content.decode()
    assert f"{people['viewer'].email} — outstanding" in page


def test_dashboard_shows_whether_a_signed_policy_exists(admin_client, world, people):
    page = admin_client.get("/").content.decode()
    assert "Security policy" in page and "missing" in page
    policy = make_document(world, people["author"], title="Supply-chain security policy",
                           doc_type="policy")
    # Approved by the administrator, who is not top management: credited by name, not
    # called signed (ISO 28000 5.2: top management establishes the policy).
    approved_version(policy, people["author"], people["approver"])
    page = admin_client.get("/").content.decode()
    assert "current" in page and "Supply-chain security policy v1, signed" not in page
    assert (f"Supply-chain security policy v1, approved {timezone.localdate():%Y-%m-%d} by "
            f"{people['approver'].full_name}; not signed by top management") in page
    # The next version signed by top management credits the person who signed it.
    top = world["users"]["top_management__org"]
    approved_version(policy, people["author"], top, "2027 update")
    page = admin_client.get("/").content.decode()
    assert (f"Supply-chain security policy v2, signed {timezone.localdate():%Y-%m-%d} by "
            f"{top.full_name}") in page
    assert people["approver"].full_name not in page.split("Security policy", 1)[1][:400]


def test_versions_are_numbered_per_document(world, people):
    document = make_document(world, people["author"])
    numbers = [services.create_version(people["author"], document).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert DocumentVersion.objects.filter(document=document).count() == 3
