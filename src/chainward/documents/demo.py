"""Demo documents of ABC Logistics: the controlled documents a mid-size logistics company keeps.

Idempotent: documents are looked up by title; an existing one is left alone.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.access.models import Role, User
from chainward.core import services as records
from chainward.supplychain.models import Site

from . import services
from .models import Document

# (title, type, classification, review months, versions to approve, state of the last one,
#  text of the file, roles that must acknowledge)
DOCUMENTS = (
    ("Supply-chain security policy", "policy", "internal", 12, 2, "approved",
     "ABC Logistics commits to protect goods, people and information along its supply chain, "
     "to meet ISO 28000 and customs programme requirements (AEO, C-TPAT) and to improve "
     "continually. Signed by the managing director.", ("Viewer", "Site security officer")),
    ("Security risk assessment methodology", "procedure", "internal", 24, 1, "approved",
     "Method for ISO 28001 security assessments: scope, threat scenarios, 5x5 likelihood and "
     "consequence scales, acceptance criteria and re-assessment triggers.", ()),
    ("Seal control procedure SOP-SEC-04", "procedure", "internal", 12, 2, "approved",
     "ISO 17712 high-security seals: stock control, issue log, VVTT verification at every "
     "hand-off, discrepancy reporting within one hour.", ("Site security officer",)),
    ("Access control procedure SOP-SEC-02", "procedure", "internal", 12, 1, "in_review",
     "Badges, visitor registration, escorting, key control and restricted-area access at "
     "every ABC site.", ()),
    ("Conveyance inspection form (17-point)", "form", "internal", 24, 1, "approved",
     "Tractor and trailer 17-point inspection: bumper, engine, tyres, floor, fuel tanks, "
     "cab, air tanks, drive shafts, fifth wheel, outside walls, front wall, ceiling, doors, "
     "refrigeration unit, exhaust, undercarriage, seal verification.", ()),
    ("Security incident reporting procedure", "procedure", "internal", 12, 0, "draft",
     "How staff report theft, tampering, suspicious activity and cyber incidents, and who "
     "informs customs and the police.", ()),
    ("Hamburg DC site security plan", "plan", "restricted", 12, 1, "approved",
     "Guard tours every two hours; gate 3 closed 22:00-06:00; CCTV coverage of docks 1-14; "
     "high-value cage under dual control.", ()),
)


def _file(title, text):
    name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60] + ".txt"
    return SimpleUploadedFile(name, f"{title}\n\n{text}\n".encode())


def build_documents_demo(organisation, admin_user):
    """Create the demo documents; returns the number created."""
    manager = User.objects.filter(email="m.weber@abc-logistics.example").first() or admin_user
    created = 0
    for title, doc_type, classification, review, approvals, last, text, ack_roles in DOCUMENTS:
        if Document.objects.filter(organisation=organisation, title=title).exists():
            continue
        document = Document(organisation=organisation, title=title, doc_type=doc_type,
                            owner=manager, classification=classification,
                            review_months=review)
        records.save_record(manager, document)
        document.acknowledgement_roles.set(Role.objects.filter(name__in=ack_roles))
        if "Hamburg" in title:
            document.sites.set(Site.objects.filter(organisation=organisation,
                                                   code__startswith="DEHAM"))
        # Earlier versions approved (and superseded by the next approval) …
        for number in range(1, approvals + (0 if last == "approved" else 1) + 1):
            version = services.create_version(
                manager, document, change_summary="first issue" if number == 1 else
                "annual review", upload=_file(title, text))
            if number <= approvals:
                services.submit_for_review(manager, version)
                services.approve_document_version(admin_user, version)
            elif last == "in_review":
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
