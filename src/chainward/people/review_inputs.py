"""What the people app feeds into the management-review pack (ISO 28000 9.3.2: adequacy of
resources, with 5.3 and 7.2): the competence matrix in figures — required competences met,
expiring, expired and missing — the training behind the gaps, and the security roles vacant or
whose appointment ends soon, as the compiling person may see them. Screening is never in it."""

from django.urls import reverse

from chainward.certification.inputs_builtin import ROWS, figure
from chainward.certification.review_inputs import review_input
from chainward.core.querysets import visible

from . import services
from .choices import Standing
from .models import Person


@review_input("competence", "Competence, training and security roles (ISO 28000 5.3, 7.2)", 45)
def competence(organisation, user):
    people = list(
        services.current_people(visible(Person, user, organisation)).order_by("full_name", "pk")
    )
    rows = services.cells_for(user, people, services.requirements_of(organisation))
    counts = dict.fromkeys(Standing, 0)
    gaps = []
    for row in rows:
        for requirement, state, expires, required in row.cells:
            if not required:
                continue
            counts[Standing(state)] += 1
            if state in (Standing.EXPIRED, Standing.MISSING, Standing.EXPIRING):
                gaps.append((state, row.person, requirement, expires))
    order = {Standing.EXPIRED: 0, Standing.MISSING: 1, Standing.EXPIRING: 2}
    gaps.sort(key=lambda g: (order[g[0]], g[1].full_name, g[2].name))
    roles = services.roles_due(user, organisation)
    required = sum(counts.values())
    return {
        "figures": [
            figure("people", "People in the competence matrix", len(people)),
            figure("required", "Required competences (people × requirements)", required),
            figure("met", "Met", counts[Standing.MET]),
            figure("expiring", "Expiring", counts[Standing.EXPIRING]),
            figure("expired", "Expired", counts[Standing.EXPIRED]),
            figure("missing", "Missing", counts[Standing.MISSING]),
            figure(
                "met_rate",
                "Required competences met or expiring",
                round(100 * (counts[Standing.MET] + counts[Standing.EXPIRING]) / required)
                if required
                else "—",
                "%" if required else "",
            ),
            figure("roles_due", "Security roles vacant or ending soon", len(roles)),
        ],
        "rows": [
            {
                "text": f"{person.full_name} — {requirement.name}",
                "url": reverse("people:competence_matrix"),
                "detail": Standing(state).label.lower()
                + (f", {expires:%Y-%m-%d}" if expires else ""),
            }
            for state, person, requirement, expires in gaps[:ROWS]
        ]
        + [
            {"text": f"{role.reference} {role.name}", "url": role.get_absolute_url(), "detail": why}
            for role, why in roles[:ROWS]
        ],
        "url": reverse("people:competence_matrix"),
        "note": "The competence matrix today: required competences of the people holding a "
        "security role (ISO 28000 7.2); the organisation chart lists every role and "
        "its holders (5.3).",
    }
