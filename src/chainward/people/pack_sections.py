"""Evidence-pack section of the people app: security roles and who holds them (ISO 28000 5.3)
and the competence matrix with the training records behind it (7.2), as the person producing
the pack may see them."""

from django.utils import timezone

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.querysets import visible

from . import services
from .models import (
    Appointment,
    AwarenessCampaign,
    Person,
    SecurityRole,
    TrainingRecord,
)


@pack_section("competence", "Roles, competence and training (ISO 28000 5.3, 7.2)", order=35)
def competence(organisation, user, pack):
    roles = list(visible(SecurityRole, user, organisation).select_related("site").order_by(
        "site__name", "name"))
    holders = {}
    for appointment in services.current_appointments(
            visible(Appointment, user, organisation)).select_related("person"):
        holders.setdefault(appointment.role_id, []).append(appointment)
    people = list(services.current_people(visible(Person, user, organisation))
                  .select_related("site").order_by("full_name", "pk"))
    requirements = services.requirements_of(organisation)
    rows = services.cells_for(user, people, requirements)
    training = list(visible(TrainingRecord, user, organisation).select_related(
        "person", "requirement").order_by("person__full_name", "-completed_on"))
    path = pack.render_pdf("people/competence.pdf", "people/pack_competence.html", {
        "roles": [(r, holders.get(r.pk, [])) for r in roles], "rows": rows,
        "requirements": requirements, "training": training, "organisation": organisation})
    gaps = sum(1 for row in rows for _, state, _, required in row.cells
               if required and state in ("expired", "missing"))
    return [PackEntry("Security roles, competence matrix and training records", path=path,
                      note=f"{len(roles)} role(s), {len(people)} people, {len(training)} "
                           f"training record(s), {gaps} required competence(s) expired or "
                           "missing")]


@pack_section("awareness", "Awareness campaigns (ISO 28000 7.3)", order=36)
def awareness(organisation, user, pack):
    campaigns = list(visible(AwarenessCampaign, user, organisation).order_by("-due_on", "pk"))
    progress = services.campaign_progress(campaigns)
    path = pack.render_pdf("people/awareness.pdf", "people/pack_awareness.html", {
        "progress": progress, "organisation": organisation})
    rates = ", ".join(f"{p.campaign.reference} {p.rate} %" for p in progress
                      if p.rate is not None)
    return [PackEntry("Awareness campaigns and completion per site", path=path,
                      note=f"{len(campaigns)} campaign(s)" + (f": {rates}" if rates else ""))]


@pack_section("screening", "Personnel screening (C-TPAT, AEO 6.12)", order=37, restricted=True)
def screening(organisation, user, pack):
    """Figures only, and only in a pack produced by someone who may see screening records
    (the security manager, top management): for everybody else the section is empty."""
    if not services.may_see_screening(user, organisation):
        return []
    today = timezone.localdate()
    due = services.screening_due(user, organisation, today)
    sensitive = set(services.current_appointments(visible(Appointment, user, organisation)
                                                  .filter(role__screening_required=True))
                    .values_list("person_id", flat=True))
    due_ids = {person.pk for person, _, _ in due}
    context = {"organisation": organisation, "sensitive": len(sensitive),
               "screened": len(sensitive - due_ids), "due": len(due),
               "past_retention": len(services.screening_past_retention(user, organisation,
                                                                       today))}
    path = pack.render_pdf("people/screening.pdf", "people/pack_screening.html", context,
                           restricted=True)
    return [PackEntry("Personnel screening: figures", path=path, restricted=True,
                      note=f"{context['sensitive']} people in roles that require screening, "
                           f"{context['due']} due")]
