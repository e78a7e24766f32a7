"""Evidence-pack section of the people app: security roles and who holds them (ISO 28000 5.3)
and the competence matrix with the training records behind it (7.2), as the person producing
the pack may see them."""

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.querysets import visible

from . import services
from .models import Appointment, Person, SecurityRole, TrainingRecord


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
