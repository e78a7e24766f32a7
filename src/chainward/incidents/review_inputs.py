"""What the incidents app feeds into the management-review pack (ISO 28000 9.3.2): security
incidents since the last review — counts, value lost, open investigations, overdue
notifications — as the compiling person may see them."""

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from chainward.certification.inputs_builtin import ROWS, changes_since, figure
from chainward.certification.review_inputs import review_input
from chainward.core.querysets import visible

from .choices import OPEN_STATUSES, IncidentStatus
from .models import Incident, Investigation, Notification
from .services import overdue_notifications


@review_input("incidents", "Security incidents", 55)
def incidents(organisation, user):
    since = changes_since(organisation, user)
    recent = visible(Incident, user, organisation).filter(occurred_at__date__gte=since)
    losses = {row["currency"]: row["lost"] - (row["recovered"] or Decimal(0))
              for row in recent.exclude(loss_value__isnull=True).values("currency")
              .annotate(lost=Sum("loss_value"), recovered=Sum("recovered_value"))
              .order_by("currency")}
    investigations = visible(Investigation, user, organisation).filter(
        completed_on__isnull=True, incident__status__in=OPEN_STATUSES)
    late = overdue_notifications(visible(Notification, user, organisation))
    return {
        "figures": [
            figure("incidents", "Incidents", recent.count()),
            figure("open", "Not closed", recent.filter(status__in=OPEN_STATUSES).count()),
            figure("closed", "Closed", recent.filter(status=IncidentStatus.CLOSED).count()),
            figure("value_lost", "Net value lost", "; ".join(
                f"{amount:,.2f} {currency}" for currency, amount in losses.items()) or "0"),
            figure("open_investigations", "Open investigations", investigations.count()),
            figure("overdue_notifications", "Overdue notifications", late.count()),
            figure("ratings_marked", "Risk ratings marked for re-assessment",
                   recent.filter(affected_ratings__isnull=False)
                   .values("affected_ratings").distinct().count()),
        ],
        "rows": [{"text": f"{i.reference} {i.title}", "url": i.get_absolute_url(),
                  "detail": f"{i.get_incident_type_display()}, "
                            f"{timezone.localtime(i.occurred_at):%Y-%m-%d}, "
                            f"{i.get_status_display().lower()}"}
                 for i in recent.order_by("-occurred_at")[:ROWS]],
        "url": reverse("incidents:incident_list"),
        "note": f"Incidents that occurred since {since:%Y-%m-%d} (the last management review "
                "held, or twelve months back when there was none).",
    }
