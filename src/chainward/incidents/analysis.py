"""Incident analysis (issue 14 item 5): incidents by month, type and place, and value lost, as
the person may see them — aggregated in the database (a fixed number of queries whatever the
number of incidents) and drawn as SVG bars on the server (no script)."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from chainward.core.querysets import visible

from .choices import IncidentType
from .models import Incident

BAR_WIDTH = 300  # px of the longest bar
MONTHS = 12


def _bars(rows):
    """[(label, count)] -> [{label, count, width, y}] scaled to the longest bar."""
    top = max((count for _, count in rows), default=0) or 1
    return [{"label": label, "count": count, "width": round(BAR_WIDTH * count / top, 1),
             "y": 22 * index} for index, (label, count) in enumerate(rows)]


def _month_starts(today):
    first = today.replace(day=1)
    starts = []
    for _ in range(MONTHS):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def incident_analysis(user, organisation, today=None):
    """Counts of the last twelve months by month, and by type, site and value lost."""
    today = today or timezone.localdate()
    starts = _month_starts(today)
    since = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time.min))
    recent = visible(Incident, user, organisation).filter(occurred_at__gte=since)
    per_month = {row["month"].date() if hasattr(row["month"], "date") else row["month"]:
                 row["n"] for row in recent.annotate(month=TruncMonth("occurred_at"))
                 .values("month").annotate(n=Count("pk")).order_by()}
    months = [(f"{start:%Y-%m}", per_month.get(start, 0)) for start in starts]
    by_type = [(str(IncidentType(row["incident_type"]).label), row["n"]) for row in
               recent.values("incident_type").annotate(n=Count("pk")).order_by("-n",
                                                                               "incident_type")]
    by_site = [(row["site__name"] or "No site (leg, partner or location)", row["n"])
               for row in recent.values("site__name").annotate(n=Count("pk"))
               .order_by("-n", "site__name")]
    losses = list(recent.exclude(loss_value__isnull=True).values("currency").annotate(
        lost=Sum("loss_value"),
        recovered=Coalesce(Sum("recovered_value"), Value(Decimal(0)), output_field=DecimalField()),
        n=Count("pk")).annotate(net=F("lost") - F("recovered")).order_by("currency"))
    return {"since": starts[0], "total": sum(n for _, n in months),
            "months": _bars(months), "types": _bars(by_type), "sites": _bars(by_site),
            "losses": losses}
