"""Review of document versions (ISO 28000 7.5.2 review and approval for suitability): a reviewer
approves a version in review or returns it to its author with a comment; approved versions
never change and cannot be returned. Every path that can write is tried: service, UI, API and
import.

Who reviews is written here by hand from the role descriptions (tests/support/role_matrix.csv,
"approve" on documents.documentversion): Administrator, Top management and Security manager
may approve — and therefore return — versions; nobody reviews their own version.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chainward.core import services as records
from chainward.documents import services
from chainward.documents.models import DocumentVersion, FrozenVersion
from chainward.ledger.models import LedgerEntry
from tests.documents.test_control import make_document

REVIEWERS = ("administrator__org", "top_management__org", "security_manager__org")
NOT_REVIEWERS = ("contributor__org", "internal_auditor__org", "viewer__org",
                 "site_security_officer__site", "external_auditor__org")
COMMENT = "Section 4 still names the old seal supplier; update it and the seal log form."
PROBLEM = "application/problem+json"


@pytest.fixture
def people(world):
    users = world["users"]
    # The author is a contributor, so the security manager can review the version too.
    return {"author": users["contributor__org"], "reviewer": users["administrator__org"],
            "manager": users["security_manager__org"]}


@pytest.fixture
def document(world, people):
    return make_document(world, people["manager"])


def in_review(document, author, summary="first issue"):
    version = services.create_version(author, document, change_summary=summary)
    return services.submit_for_review(author, version)


def approved(document, people, summary="first issue"):
    version = in_review(document, people["author"], summary)
    return services.approve_document_version(people["reviewer"], version)


def fresh(version):
    return DocumentVersion.objects.get(pk=version.pk)


def api_return(client, version, body):
    return client.post(f"/api/documents/versions/{version.pk}/return/", json.dumps(body),
                       content_type="application/json")


# --- service ------------------------------------------------------------------------------------
def test_a_returned_version_goes_back_to_its_author_with_the_comment(world, people, document):
    version = in_review(document, people["author"])
    services.return_document_version(people["reviewer"], version, comment=COMMENT)
    stored = fresh(version)
    assert (stored.status, stored.return_comment, stored.returned_by, stored.author) == (
        "returned", COMMENT, people["reviewer"], people["author"])
    assert stored.returned_at is not None and stored.approver is None
    # Ledgered through the normal write path (an update of the record by the reviewer) and as
    # a review event that carries the comment.
    entries = LedgerEntry.objects.filter(object_type="documents.documentversion",
                                         object_id=str(version.pk)).order_by("seq")
    update = entries.filter(action="update").last()
    assert (update.actor_id, update.before["status"], update.after["status"]) == (
        people["reviewer"].pk, "in_review", "returned")
    event = entries.get(action="return")
    assert event.actor_id == people["reviewer"].pk and event.after["comment"] == COMMENT


def test_the_author_revises_a_returned_version_and_submits_it_again(world, people, document):
    version = in_review(document, people["author"])
    services.return_document_version(people["reviewer"], version, comment=COMMENT)
    version = fresh(version)
    version.change_summary = "first issue; seal supplier updated"
    records.save_record(people["author"], version)
    services.submit_for_review(people["author"], version)
    services.approve_document_version(people["reviewer"], fresh(version))
    stored = fresh(version)
    assert (stored.status, stored.change_summary) == (
        "approved", "first issue; seal supplier updated")


def test_a_version_in_review_cannot_be_edited_until_it_is_returned(world, people, document):
    version = in_review(document, people["author"])
    version.change_summary = "slipped in during review"
    with pytest.raises(FrozenVersion, match="in review"):
        records.save_record(people["author"], version)
    assert fresh(version).change_summary == "first issue"


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_returning_needs_a_comment_for_the_author(world, people, document, comment):
    version = in_review(document, people["author"])
    with pytest.raises(ValidationError) as refused:
        services.return_document_version(people["reviewer"], version, comment=comment)
    assert "comment" in refused.value.message_dict
    assert fresh(version).status == "in_review"


@pytest.mark.parametrize("key", REVIEWERS)
def test_reviewers_may_return_a_version(world, people, document, key):
    version = in_review(document, people["author"])
    services.return_document_version(world["users"][key], version, comment=COMMENT)
    assert fresh(version).status == "returned"


@pytest.mark.parametrize("key", NOT_REVIEWERS)
def test_people_who_may_not_approve_may_not_return(world, people, document, key):
    version = in_review(document, people["author"])
    with pytest.raises(PermissionDenied):
        services.return_document_version(world["users"][key], version, comment=COMMENT)
    assert fresh(version).status == "in_review"


def test_the_author_cannot_return_their_own_version(world, people, document):
    version = in_review(document, people["manager"])
    with pytest.raises(PermissionDenied, match="author"):
        services.return_document_version(people["manager"], version, comment=COMMENT)
    assert fresh(version).status == "in_review"


def test_only_a_version_in_review_can_be_returned(world, people, document):
    draft = services.create_version(people["author"], document)
    with pytest.raises(PermissionDenied, match="in review"):
        services.return_document_version(people["reviewer"], draft, comment=COMMENT)
    assert fresh(draft).status == "draft"


def test_an_approved_version_cannot_be_returned_or_changed(world, people, document):
    version = approved(document, people)
    with pytest.raises(PermissionDenied):
        services.return_document_version(people["manager"], version, comment=COMMENT)
    # Nor by forging the review fields through the write path.
    version = fresh(version)
    version.status, version.return_comment = "returned", COMMENT
    with pytest.raises(FrozenVersion):
        records.save_record(people["reviewer"], version)
    version = fresh(version)
    version.approver = people["manager"]
    with pytest.raises(FrozenVersion):
        records.save_record(people["reviewer"], version)
    stored = fresh(version)
    assert (stored.status, stored.return_comment, stored.approver) == (
        "approved", "", people["reviewer"])


@pytest.mark.parametrize("key", REVIEWERS)
def test_reviewers_may_approve_a_version_in_review(world, people, document, key):
    version = in_review(document, people["author"])
    services.approve_document_version(world["users"][key], version)
    assert (fresh(version).status, fresh(version).approver) == ("approved", world["users"][key])


@pytest.mark.parametrize("key", NOT_REVIEWERS)
def test_people_without_the_approve_right_may_not_approve(world, people, document, key):
    version = in_review(document, people["author"])
    with pytest.raises(PermissionDenied):
        services.approve_document_version(world["users"][key], version)
    assert fresh(version).status == "in_review"


def test_a_returned_version_cannot_be_approved_before_it_is_resubmitted(world, people,
                                                                        document):
    version = in_review(document, people["author"])
    services.return_document_version(people["reviewer"], version, comment=COMMENT)
    with pytest.raises(PermissionDenied, match="in review"):
        services.approve_document_version(people["manager"], fresh(version))
    assert fresh(version).status == "returned"


# --- UI -----------------------------------------------------------------------------------------
def test_the_version_page_offers_return_with_a_labelled_comment_box(client, world, people,
                                                                   document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    page = client.get(version.get_absolute_url()).content.decode()
    action = f'action="/documents/versions/{version.pk}/return/"'
    assert action in page
    assert '<label class="form-label" for="return-comment">' in page
    assert 'id="return-comment"' in page and "required" in page
    # The author sees no return form on their own version.
    client.force_login(people["author"])
    assert action not in client.get(version.get_absolute_url()).content.decode()


def test_returning_through_the_page_shows_the_comment_to_the_author(client, world, people,
                                                                   document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    response = client.post(f"/documents/versions/{version.pk}/return/", {"comment": COMMENT})
    assert response.status_code == 302
    assert fresh(version).status == "returned"
    client.force_login(people["author"])
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Returned" in page and COMMENT in page and people["reviewer"].email in page
    # The author may edit it again and resubmit it.
    assert f'action="/documents/versions/{version.pk}/submit/"' in page


def test_returning_through_the_page_without_a_comment_is_refused(client, world, people,
                                                                document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    response = client.post(f"/documents/versions/{version.pk}/return/", {"comment": " "},
                           follow=True)
    assert "A returned version needs a comment" in response.content.decode()
    assert fresh(version).status == "in_review"


def test_an_approved_version_cannot_be_returned_through_the_page(client, world, people,
                                                                document):
    version = approved(document, people)
    client.force_login(people["manager"])
    page = client.get(version.get_absolute_url()).content.decode()
    assert f"/documents/versions/{version.pk}/return/" not in page
    response = client.post(f"/documents/versions/{version.pk}/return/", {"comment": COMMENT},
                           follow=True)
    assert "Only a version in review can be returned" in response.content.decode()
    assert fresh(version).status == "approved"


def test_a_version_in_review_cannot_be_edited_through_the_page(client, world, people,
                                                              document):
    version = in_review(document, people["author"])
    client.force_login(people["author"])
    response = client.post(f"/documents/versions/{version.pk}/edit/", {
        "change_summary": "rewritten in review", "version": version.version})
    assert response.status_code == 403
    assert fresh(version).change_summary == "first issue"


# --- API ----------------------------------------------------------------------------------------
def test_the_api_returns_a_version_with_the_comment(client, world, people, document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    response = api_return(client, version, {"comment": COMMENT, "version": fresh(version).version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["return_comment"], body["returned_by"]) == (
        "returned", COMMENT, people["reviewer"].pk)
    assert fresh(version).status == "returned"


def test_the_api_refuses_a_return_without_a_comment(client, world, people, document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    response = api_return(client, version, {"comment": ""})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "comment" in response.json()["errors"]
    assert fresh(version).status == "in_review"


def test_the_api_refuses_a_return_by_the_author_or_a_non_reviewer(client, world, people,
                                                                  document):
    version = in_review(document, people["manager"])
    for user in (people["manager"], world["users"]["internal_auditor__org"]):
        client.force_login(user)
        response = api_return(client, version, {"comment": COMMENT})
        assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert fresh(version).status == "in_review"


def test_the_api_refuses_to_return_an_approved_version(client, world, people, document):
    version = approved(document, people)
    client.force_login(people["manager"])
    response = api_return(client, version, {"comment": COMMENT})
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert "in review" in response.json()["detail"]
    assert fresh(version).status == "approved"


def test_the_api_refuses_a_stale_return(client, world, people, document):
    version = in_review(document, people["author"])
    client.force_login(people["reviewer"])
    response = api_return(client, version, {"comment": COMMENT,
                                            "version": fresh(version).version - 1})
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert fresh(version).status == "in_review"


def test_the_api_submits_and_approves_with_the_same_rules(client, world, people, document):
    # The security manager may approve, but not a version they wrote.
    version = services.create_version(people["manager"], document, change_summary="v1")
    client.force_login(people["manager"])
    response = client.post(f"/api/documents/versions/{version.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    response = client.post(f"/api/documents/versions/{version.pk}/approve/")
    assert response.status_code == 403 and "author cannot approve" in response.json()["detail"]
    client.force_login(world["users"]["internal_auditor__org"])
    assert client.post(f"/api/documents/versions/{version.pk}/approve/").status_code == 403
    client.force_login(world["users"]["top_management__org"])
    response = client.post(f"/api/documents/versions/{version.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_the_api_cannot_change_a_version_in_review(client, world, people, document):
    version = in_review(document, people["author"])
    client.force_login(people["manager"])
    response = client.patch(f"/api/documents/versions/{version.pk}/", json.dumps(
        {"change_summary": "rewritten", "version": fresh(version).version}),
        content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert fresh(version).change_summary == "first issue"


def test_a_version_outside_the_readers_sites_is_not_found_by_the_review_api(
        client, world, people):
    hidden = make_document(world, people["manager"], title="Rotterdam gate procedure",
                           sites=[world["s2"]])
    version = in_review(hidden, people["manager"])
    client.force_login(world["users"]["site_security_officer__site"])
    assert api_return(client, version, {"comment": COMMENT}).status_code == 404
    assert fresh(version).status == "in_review"


# --- import -------------------------------------------------------------------------------------
def test_versions_cannot_be_imported_so_no_import_reaches_an_approved_one(client, world, people,
                                                                         document):
    version = approved(document, people)
    client.force_login(people["reviewer"])
    upload = ("versions.csv", f"reference,change_summary,status\n{version.reference},"
                              "rewritten,returned\n".encode())
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/documents/versions/import/",
                           {"file": SimpleUploadedFile(*upload, content_type="text/csv")})
    assert response.status_code == 403
    stored = fresh(version)
    assert (stored.status, stored.change_summary) == ("approved", "first issue")


def test_an_archived_version_is_not_reviewed(world, people, document):
    version = in_review(document, people["author"])
    records.set_archived(people["manager"], version, True)
    with pytest.raises(PermissionDenied, match="archived"):
        services.approve_document_version(people["reviewer"], fresh(version))
    assert fresh(version).status == "in_review"


def test_the_page_makes_the_approved_version_obsolete(client, world, people, document):
    version = approved(document, people)
    client.force_login(people["manager"])
    page = client.get(version.get_absolute_url()).content.decode()
    assert f'action="/documents/versions/{version.pk}/withdraw/"' in page
    client.post(f"/documents/versions/{version.pk}/withdraw/", {"version": fresh(version).version})
    assert fresh(version).status == "obsolete"
    assert document.current_version() is None
