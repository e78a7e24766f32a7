"""Document-control workflows (ISO 28000 7.5.2–7.5.3): versions, review, approval, reading."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone

from chainward.access.models import RoleAssignment, User
from chainward.core import services as records
from chainward.core import versioning
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from .choices import DocumentType, VersionStatus
from .models import Acknowledgement, Document, DocumentVersion
from .text import extract_text


def store_evidence_file(evidence, upload, checked):
    """Store an upload `files.check_upload` accepted as `evidence`'s file, with its name, type,
    size and hash (inside the saving transaction: the form's and the API's `before_save`);
    the register's after_save ledgers the hash."""
    from chainward.core import files

    evidence.file = files.store(upload, checked, folder="evidence")
    evidence.filename, evidence.content_type = checked.safe_name, checked.content_type
    evidence.size, evidence.sha256 = checked.size, checked.sha256
    evidence.kind = "file"
    evidence._new_file = True


def create_version(user, document, *, change_summary="", upload=None):
    """A new draft version, optionally with a file checked by content and hashed."""
    if not Document.objects.restrict(user, "change").filter(pk=document.pk).exists():
        raise PermissionDenied("You may not add versions to this document.")
    checked = None
    if upload is not None:
        from chainward.core import files

        checked = files.check_upload(upload, refuse_unsafe_names=True)
    stored = None
    try:
        with acting_as(user), transaction.atomic():
            version = DocumentVersion(organisation=document.organisation, document=document,
                                      change_summary=change_summary, author=user)
            if checked is not None:
                stored = version.file = files.store(upload, checked, folder="documents")
                version.filename = checked.safe_name
                version.content_type = checked.content_type
                version.size, version.sha256 = checked.size, checked.sha256
                version.text = extract_text(upload, checked.kind)
            records.save_record(user, version)
            if checked is not None:
                record_event("file_stored", obj=version, details={
                    "sha256": checked.sha256, "size": checked.size, "name": checked.safe_name,
                    "storage": version.file})
    except BaseException:
        if stored:  # the record was rolled back: do not leave its file behind
            from django.core.files.storage import default_storage

            default_storage.delete(stored)
        raise
    return version


# Review and approval (ISO 28000 7.5.2) is the one workflow of core.versioning, shared with
# security plans: submit, approve (the previous approved version is superseded), return to the
# author with a comment, make obsolete.
submit_for_review = versioning.submit_version
approve_document_version = versioning.approve_version
return_document_version = versioning.return_version
make_obsolete = versioning.make_obsolete


def audience(document):
    """People who must read and acknowledge the document."""
    today = timezone.localdate()
    by_role = RoleAssignment.objects.filter(
        organisation_id=document.organisation_id, archived=False,
        role__in=document.acknowledgement_roles.all()).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)).values("user_id")
    return User.objects.filter(Q(pk__in=by_role) | Q(pk__in=document.acknowledgement_users.all()
                                                      .values("pk")), is_active=True).distinct()


def acknowledgements_owed(user, organisation, on=None):
    """The approved versions `user` must still read and acknowledge in `organisation`: those
    of documents naming them, or a role they hold today, in their audience (`audience`), that
    they may see and have not acknowledged (a new version asks again). Policy first."""
    on = on or timezone.localdate()
    held = RoleAssignment.objects.filter(
        organisation=organisation, user=user, archived=False).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)).values("role_id")
    mine = Document.objects.filter(organisation=organisation, archived=False).filter(
        Q(acknowledgement_users=user) | Q(acknowledgement_roles__in=held)).values("pk")
    done = Acknowledgement.objects.filter(user=user).values("version_id")
    return (DocumentVersion.objects.restrict(user, "view")
            .filter(organisation=organisation, status=VersionStatus.APPROVED,
                    document__in=mine)
            .exclude(pk__in=done).select_related("document")
            .order_by(Case(When(document__doc_type=DocumentType.POLICY, then=0), default=1),
                      "document__reference"))


def acknowledge(user, version):
    """Record that the user read and understood the approved version."""
    if version.status != VersionStatus.APPROVED:
        raise PermissionDenied("Only the approved version can be acknowledged.")
    if not DocumentVersion.objects.restrict(user, "view").filter(pk=version.pk).exists():
        raise PermissionDenied("You cannot see this document.")
    with acting_as(user), transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(version=version, user=user)
        if created:
            record_event("acknowledge", obj=version, details={"user": user.email})
    return ack


def holds_top_management(user, organisation, on=None):
    """Does `user` hold the Top management role in `organisation` (on `on`, today)? The
    security policy is established by top management (ISO 28000 5.2)."""
    from chainward.core.roles import TOP_MANAGEMENT

    on = on or timezone.localdate()
    return RoleAssignment.objects.filter(
        organisation=organisation, user=user, archived=False, role__name=TOP_MANAGEMENT).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)).exists()


def current_policy(organisation):
    """The approved security policy in force (ISO 28000 5.2), or None."""
    return (DocumentVersion.objects.filter(
        organisation=organisation, document__doc_type=DocumentType.POLICY,
        document__archived=False, status=VersionStatus.APPROVED)
        .select_related("document", "approver").order_by("-approved_at").first())


# Models whose app keeps their evidence itself: {label: (attach, read)}. A requirement status's
# evidence counts toward readiness, so the record page's "Attach" and evidence card go through
# the compliance app's one definition and write (`compliance.evidence`), not a generic link.
_keepers = {}


def keep_evidence(model, *, attach, read):
    """Let `model`'s app attach (`attach(user, holder, evidence)`) and list (`read(user,
    holder)`) the evidence of its records wherever a record page offers it."""
    _keepers[model._meta.label_lower] = (attach, read)


def attach_evidence_to(user, holder, evidence):
    """Let any record the user may change hold a piece of evidence (ledgered on the holder)."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Evidence, EvidenceLink

    model = type(holder)
    keeper = _keepers.get(model._meta.label_lower)
    if keeper is not None:
        return keeper[0](user, holder, evidence)
    if not model.objects.restrict(user, "change").filter(pk=holder.pk).exists():
        raise PermissionDenied(f"You may not change this {model._meta.verbose_name}.")
    organisation_id = getattr(holder, "organisation_id", None)
    if not Evidence.objects.restrict(user, "view").filter(
            pk=evidence.pk, organisation_id=organisation_id).exists():
        raise PermissionDenied("You cannot see that evidence.")
    with acting_as(user), transaction.atomic():
        link, created = EvidenceLink.objects.get_or_create(
            organisation_id=organisation_id, evidence=evidence,
            holder_type=ContentType.objects.get_for_model(holder), holder_id=holder.pk,
            defaults={"created_by": user})
        if created:
            from chainward.ledger.services import append_entry

            append_entry("attach_evidence", obj=holder, after={
                "evidence": evidence.reference, "title": evidence.title})
    return link


def evidence_of(user, holder):
    """Evidence the record holds that the user may see."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Evidence

    keeper = _keepers.get(type(holder)._meta.label_lower)
    if keeper is not None:
        return keeper[1](user, holder)
    return Evidence.objects.restrict(user, "view").filter(
        links__holder_type=ContentType.objects.get_for_model(holder),
        links__holder_id=holder.pk).order_by("title")
