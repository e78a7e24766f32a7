"""Evidence-pack sections of the context app: the context (issues with the climate decision,
interested parties; ISO 28000 4.1, 4.2.1) and the legal and other requirements register with
the last compliance evaluations (4.2.2, 9.1), as the person producing the pack may see them."""

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.querysets import visible

from .models import ComplianceEvaluation, ContextIssue, InterestedParty, Obligation


@pack_section("context", "Context and interested parties (ISO 28000 4.1, 4.2.1)", order=12)
def context(organisation, user, pack):
    issues = list(visible(ContextIssue, user, organisation).order_by("category", "title"))
    parties = list(visible(InterestedParty, user, organisation).order_by("kind", "name"))
    path = pack.render_pdf("context/context.pdf", "context/pack_context.html",
                           {"issues": issues, "parties": parties,
                            "organisation": organisation})
    climate = next((i for i in issues if i.category == "climate"), None)
    decision = climate.get_relevance_display().lower() if climate else "not recorded"
    return [PackEntry("Context issues and interested parties", path=path,
                      note=f"{len(issues)} issue(s), {len(parties)} party(ies); climate "
                           f"decision: {decision}")]


@pack_section("legal_register",
              "Legal and other requirements and compliance evaluation (ISO 28000 4.2.2, 9.1)",
              order=15)
def legal_register(organisation, user, pack):
    obligations = list(visible(Obligation, user, organisation).select_related(
        "owner", "interested_party").order_by("title", "pk"))
    evaluations = list(visible(ComplianceEvaluation, user, organisation).select_related(
        "obligation", "site", "evaluated_by", "corrective_action").order_by(
        "obligation__title", "-evaluated_on"))
    path = pack.render_pdf("context/legal-register.pdf", "context/pack_legal_register.html",
                           {"obligations": obligations, "evaluations": evaluations,
                            "organisation": organisation})
    due = sum(1 for o in obligations if o.is_due)
    return [PackEntry("Legal and other requirements register with compliance evaluations",
                      path=path, note=f"{len(obligations)} requirement(s), "
                                      f"{len(evaluations)} evaluation(s), {due} due")]
