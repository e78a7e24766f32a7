"""Generated role × scope tests for documents and their versions (tests/support/matrix.py)."""

from django.test import TestCase

from chainward.documents.models import Document, DocumentVersion
from chainward.documents.registers import DocumentRegister, DocumentVersionRegister
from tests.support.matrix import RegisterCase, matrix_tests


def document_at(world, placement, title):
    org, site = RegisterCase.where(world, placement)
    owner = world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
    document = Document.objects.create(organisation=org, title=title, doc_type="procedure",
                                       owner=owner)
    document.sites.set([site])
    return document


class DocumentCase(RegisterCase):
    register = DocumentRegister
    change_field = ("title", "Procedure changed")
    marker_field = "title"
    create_has_refs = True  # the owner is a person of organisation A

    def make(self, world, placement):
        return document_at(world, placement, f"Procedure {placement}")

    def create_data(self, world):
        return {"title": "Key control procedure", "doc_type": "procedure",
                "owner": world["users"]["security_manager__org"].pk,
                "classification": "internal", "review_months": 12, "retention_years": 3}


class DocumentVersionCase(RegisterCase):
    register = DocumentVersionRegister
    change_field = ("change_summary", "")
    marker_field = "document"
    search_field = "document.title"

    def change_value(self, placement):
        return f"summary {placement}"

    def make(self, world, placement):
        document = document_at(world, placement, f"Versioned {placement}")
        return DocumentVersion.objects.create(organisation=document.organisation,
                                              document=document, author=document.owner,
                                              change_summary=f"draft {placement}")


@matrix_tests(DocumentCase)
class TestDocumentMatrix(TestCase):
    pass


@matrix_tests(DocumentVersionCase)
class TestDocumentVersionMatrix(TestCase):
    pass
