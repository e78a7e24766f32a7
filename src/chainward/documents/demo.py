"""Demo documents of ABC Logistics, loaded from `demo.yaml`: the controlled documents a mid-size
logistics company keeps, each taken through the review workflow of the document services.

Idempotent: documents are looked up by title; an existing one is left alone.
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.access.models import Role, User
from chainward.core import services as records
from chainward.core import yamlfiles
from chainward.supplychain.models import Site

from . import services
from .models import Document

DATA = Path(__file__).with_name("demo.yaml")


def _file(title, text):
    name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60] + ".txt"
    return SimpleUploadedFile(name, f"{title}\n\n{text}\n".encode())


def build_documents_demo(organisation, admin_user):
    """Create the demo documents; returns the number created."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    manager = User.objects.filter(email="m.weber@abc-logistics.example").first() or admin_user
    created = 0
    for spec in data["documents"]:
        title = spec["title"]
        if Document.objects.filter(organisation=organisation, title=title).exists():
            continue
        text = " ".join(spec["text"].split())
        document = Document(organisation=organisation, title=title, doc_type=spec["type"],
                            owner=manager, classification=spec["classification"],
                            review_months=spec["review_months"])
        records.save_record(manager, document)
        document.acknowledgement_roles.set(Role.objects.filter(
            name__in=spec.get("acknowledge", ())))
        if spec.get("sites"):
            document.sites.set(Site.objects.filter(organisation=organisation,
                                                   code__in=spec["sites"]))
        # Earlier versions approved (and superseded by the next approval), then the last one
        # left in review or as a draft when the data says so.
        approvals, then = spec["approved"], spec.get("then")
        approver = admin_user
        if spec.get("approved_by"):
            approver = User.objects.filter(
                email=f"{spec['approved_by']}@abc-logistics.example").first() or admin_user
        for number in range(1, approvals + (1 if then else 0) + 1):
            version = services.create_version(
                manager, document, change_summary="first issue" if number == 1 else
                "annual review", upload=_file(title, text))
            if number <= approvals:
                services.submit_for_review(manager, version)
                services.approve_document_version(approver, version)
            elif then == "in_review":
                services.submit_for_review(manager, version)
        created += 1
    # Some people have read the policy, others still have to.
    policy = Document.objects.filter(organisation=organisation,
                                     title="Supply-chain security policy").first()
    current = policy.current_version() if policy else None
    if current is not None and not current.acknowledgements.exists():
        for person in list(services.audience(policy))[:2]:
            services.acknowledge(person, current)
    return created
