"""Steps of the path to certification (chainward.core.path) that the certification app keeps:
establish the SMS (statement of application, policy, objectives — the records of three apps
the certification app already reads for the review pack), resources (who is appointed), the
management review and the certification audit. Each runs a fixed number of queries."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from chainward.core import roles
from chainward.core.path import Progress, path_step, plural
from chainward.core.querysets import visible

from .choices import ActionStatus, CertificateStatus, PackStatus, ReviewStatus
from .models import Certificate, CycleMilestone, EvidencePack, ManagementReview, ReviewAction

YEAR = datetime.timedelta(days=365)
ISO28000 = "urn:chainward:framework:iso28000-2022"


@path_step("sms", needs="supplychain.view_statementofapplication")
def establish_sms(user, organisation, today):
    """A current statement of application, an approved policy, security objectives."""
    from chainward.documents.choices import DocumentType, VersionStatus
    from chainward.documents.models import DocumentVersion
    from chainward.plans.models import SecurityObjective
    from chainward.supplychain.choices import SoAStatus
    from chainward.supplychain.models import StatementOfApplication

    statement = visible(StatementOfApplication, user, organisation).filter(
        status=SoAStatus.CURRENT).order_by("-effective_date").first()
    policy = DocumentVersion.objects.restrict(user, "view").filter(
        organisation=organisation, document__doc_type=DocumentType.POLICY,
        document__archived=False, status=VersionStatus.APPROVED).select_related(
        "document", "approver").order_by("-approved_at").first()
    objectives = visible(SecurityObjective, user, organisation).count()
    progress = Progress()
    steps = []
    if statement:
        progress.exists.append(f"Statement of application {statement.reference} "
                               f"“{statement.title}”, current.")
    else:
        progress.missing.append("No current statement of application (scope, ISO 28001 4.1).")
        steps.append(("Write the statement of application",
                      reverse("supplychain:statementofapplication_add")))
    if policy:
        progress.exists.append(f"Security policy {policy.document.reference} v{policy.number}, "
                               f"approved {policy.approved_at:%Y-%m-%d} by "
                               f"{policy.approver or 'unknown'}.")
    else:
        progress.missing.append("No approved security policy (ISO 28000 5.2).")
        steps.append(("Write the security policy",
                      reverse("documents:document_add") + "?doc_type=policy"))
    if objectives:
        progress.exists.append(f"{plural(objectives, 'security objective')}.")
    else:
        progress.missing.append("No security objectives (ISO 28000 6.2).")
        steps.append(("Set the security objectives",
                      reverse("plans:securityobjective_add")))
    progress.next_label, progress.next_url = steps[0] if steps else (
        "Open the statement of application", statement.get_absolute_url())
    return progress


@path_step("resources", needs="access.view_roleassignment")
def resources(user, organisation, today):
    """Top management, a security manager, internal auditors and an officer for every site
    the organisation runs itself (ISO 28000 5.3 roles, 7.1 resources, 9.2 auditors)."""
    from chainward.access.models import RoleAssignment
    from chainward.supplychain.models import Site
    from chainward.supplychain.services import run_by_us_q

    current = RoleAssignment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    held = dict(current.values_list("role__name").annotate(n=Count("pk")).order_by())
    wide_officers = current.filter(role__name=roles.SITE_SECURITY_OFFICER,
                                   all_sites=True).count()
    # (An assignment without sites adds no NULL: NOT IN with a NULL would hide every site.)
    covered = current.filter(role__name=roles.SITE_SECURITY_OFFICER,
                             sites__isnull=False).values("sites")
    uncovered = list(visible(Site, user, organisation).filter(run_by_us_q()).exclude(
        pk__in=covered).order_by("name").values_list("name", flat=True)[:6])
    progress = Progress()
    wanted = ((roles.TOP_MANAGEMENT, "No top management appointed (ISO 28000 5.1)."),
              (roles.SECURITY_MANAGER, "No security manager appointed (ISO 28000 5.3)."),
              (roles.INTERNAL_AUDITOR, "No internal auditor appointed (ISO 28000 9.2)."))
    for role, missing in wanted:
        if held.get(role):
            progress.exists.append(f"{role}: {plural(held[role], 'person', 'people')}.")
        else:
            progress.missing.append(missing)
    if held.get(roles.SITE_SECURITY_OFFICER):
        progress.exists.append(f"{roles.SITE_SECURITY_OFFICER}: "
                               f"{plural(held[roles.SITE_SECURITY_OFFICER], 'person', 'people')}.")
    if uncovered and not wide_officers:
        shown = ", ".join(uncovered[:5]) + (" …" if len(uncovered) > 5 else "")
        progress.missing.append(f"No site security officer for {shown}.")
    progress.next_label = "Appoint people (role assignments)" if progress.missing else \
        "See who holds which role"
    progress.next_url = reverse("access:roleassignment_add") if progress.missing else \
        reverse("access:roleassignment_list")
    return progress


@path_step("management_review", needs="certification.view_managementreview")
def management_review(user, organisation, today):
    """A management review held in the last twelve months; its actions on time."""
    last = visible(ManagementReview, user, organisation).filter(
        status__in=[ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED]).order_by("-date").first()
    planned = visible(ManagementReview, user, organisation).filter(
        status__in=[ReviewStatus.PLANNED, ReviewStatus.PACK_COMPILED],
        date__gte=today).order_by("date").first()
    overdue = visible(ReviewAction, user, organisation).filter(
        review__archived=False, status=ActionStatus.OPEN, due_date__lt=today).count()
    progress = Progress()
    if last is not None:
        progress.exists.append(f"{last.reference} {last.title}, held {last.date:%Y-%m-%d}.")
    if last is None or last.date < today - YEAR:
        progress.missing.append("No management review held in the last 12 months.")
    if planned is not None:
        progress.exists.append(f"{planned.reference} planned for {planned.date:%Y-%m-%d}.")
    if overdue:
        progress.missing.append(f"{plural(overdue, 'review action')} overdue.")
    if planned is not None:
        progress.next_label, progress.next_url = ("Prepare the planned review",
                                                  planned.get_absolute_url())
    elif last is None or last.date < today - YEAR:
        progress.next_label = "Plan the management review"
        progress.next_url = reverse("certification:managementreview_add")
    elif overdue:
        progress.next_label = "See the overdue review actions"
        progress.next_url = reverse("certification:reviewaction_list") + "?overdue=true"
    else:
        progress.next_label, progress.next_url = "Open the last review", last.get_absolute_url()
    return progress


@path_step("certification", needs="certification.view_certificate")
def certification_audit(user, organisation, today):
    """The certificate and its cycle when there is one; the evidence pack for the auditor.

    Nothing is invented: without a certificate the step says so and offers the evidence pack,
    which needs neither a certificate nor a certification body (issue 13 item 8)."""
    from chainward.library.models import Framework

    certificate = visible(Certificate, user, organisation).exclude(
        status__in=[CertificateStatus.WITHDRAWN, CertificateStatus.EXPIRED]).select_related(
        "body", "framework").order_by("-issued_on", "-pk").first()
    pending = visible(CycleMilestone, user, organisation).filter(
        done_on__isnull=True, certificate__archived=False).order_by("due_date")
    next_milestone = pending.select_related("certificate").first()
    overdue = pending.filter(due_date__lt=today).count()
    pack = EvidencePack.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, status=PackStatus.READY).order_by(
        "-produced_at").first()
    framework = Framework.objects.filter(urn=ISO28000).first()
    progress = Progress()
    if certificate is None:
        progress.missing.append("No certification audit recorded yet: once a certification "
                                "body is engaged, record it with its certificate and cycle.")
    else:
        state = certificate.get_status_display().lower()
        progress.exists.append(
            f"Certificate {certificate.number} ({certificate.framework}) by {certificate.body}, "
            f"{state}" + (f", expires {certificate.expires_on:%Y-%m-%d}"
                          if certificate.expires_on else "") + ".")
        if certificate.expires_on and certificate.expires_on < today:
            progress.missing.append(f"Certificate {certificate.number} expired on "
                                    f"{certificate.expires_on:%Y-%m-%d}.")
    if next_milestone is not None:
        progress.exists.append(f"Next: {next_milestone.get_kind_display()} due "
                               f"{next_milestone.due_date:%Y-%m-%d}.")
    if overdue:
        progress.missing.append(f"{plural(overdue, 'certification milestone')} overdue.")
    if pack is not None:
        progress.exists.append(f"Evidence pack {pack.reference} produced "
                               f"{pack.produced_at:%Y-%m-%d}.")
    if user.has_perm("certification.pack_evidencepack"):
        progress.next_label = "Produce the evidence pack for the auditor"
        progress.next_url = reverse("certification:pack_request") + (
            f"?framework={framework.pk}" if framework else "")
    elif certificate is not None:
        progress.next_label, progress.next_url = ("Open the certificate",
                                                  certificate.get_absolute_url())
    else:
        progress.next_label = "See the certification bodies"
        progress.next_url = reverse("certification:certificationbody_list")
    return progress
