"""What the plans app gives the auditor's evidence pack: the security plans (ISO 28000 8.6,
ISO 28001 5.4), each as the PDF its producer may see, watermarked (restricted)."""

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.versioning import OPEN

from .choices import PlanStatus
from .models import SecurityPlanVersion
from .security_plan import content_for


@pack_section("security_plan", "Security plan", order=65, restricted=True)
def security_plans(organisation, user, pack):
    """The approved version of every plan the producer may read (the latest version being
    written or reviewed when none is approved yet, marked as such)."""
    from .views import render_version_pdf

    versions = (SecurityPlanVersion.objects.restrict(user, "view")
                .filter(organisation=organisation, archived=False, plan__archived=False,
                        status__in=(PlanStatus.APPROVED, *OPEN))
                .select_related("plan", "approver", "author").order_by("plan_id", "-number"))
    chosen = {}
    for version in versions:
        current = chosen.get(version.plan_id)
        if current is None or (current.status != PlanStatus.APPROVED
                               and version.status == PlanStatus.APPROVED):
            chosen[version.plan_id] = version
    entries = []
    for version in chosen.values():
        content = content_for(user, version)
        body = render_version_pdf(user, version, for_everyone=not content["partial"])
        path = pack.add_pdf(f"plans/{version.plan.reference}-v{version.number}.pdf", body,
                            restricted=True)
        state = (f"approved {version.approved_at:%Y-%m-%d} by {version.approver.email}"
                 if version.status == PlanStatus.APPROVED else
                 f"{version.get_status_display().lower()}, not yet approved")
        note = f"version {version.number}, {state}; {len(content['ratings'])} ratings, " \
               f"{len(content['countermeasures'])} countermeasures"
        if content["partial"]:
            note += " (only the sites you may see)"
        entries.append(PackEntry(f"{version.plan.reference} {version.plan.title}", path=path,
                                 note=note, restricted=True))
    return entries
