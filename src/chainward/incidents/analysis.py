"""Incident analysis (issue 14 item 5): incidents by month, type, site, leg, partner and value
lost, as the person may see them — aggregated in the database (a fixed number of queries
whatever the number of incidents) and drawn as SVG bars on the server (no script)."""

import datetime
from decimal import Decimal

from django.db.models import Case, CharField, Count, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from chainward.core.querysets import visible

from .anonymised import BANDS
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


def _value_bands(queryset):
    """[(band, count)] of the loss values in the anonymised export's bands (one query), in
    ascending order; incidents without a loss value are left out."""
    order = ["no loss", *(label for _, label in BANDS), "1,000,000 or more"]
    whens = [When(loss_value__lte=0, then=Value(order[0]))]
    whens += [When(loss_value__lt=limit, then=Value(label)) for limit, label in BANDS]
    counted = dict(queryset.exclude(loss_value__isnull=True).annotate(band=Case(
        *whens, default=Value(order[-1]), output_field=CharField()))
        .values("band").annotate(n=Count("pk")).order_by().values_list("band", "n"))
    return [(band, counted[band]) for band in order if band in counted]


def incident_analysis(user, organisation, today=None):
    """Counts of the last twelve months by month, and by type, site, leg, partner and value
    lost."""
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
    by_leg = [(f"{row['leg__reference']} {row['leg__from_site__name']} → "
               f"{row['leg__to_site__name']}", row["n"])
              for row in recent.filter(leg__isnull=False)
              .values("leg__reference", "leg__from_site__name", "leg__to_site__name")
              .annotate(n=Count("pk")).order_by("-n", "leg__reference")]
    by_partner = [(row["partner__name"], row["n"]) for row in
                  recent.filter(partner__isnull=False).values("partner__name")
                  .annotate(n=Count("pk")).order_by("-n", "partner__name")]
    losses = list(recent.exclude(loss_value__isnull=True).values("currency").annotate(
        lost=Sum("loss_value"),
        recovered=Coalesce(Sum("recovered_value"), Value(Decimal(0)), output_field=DecimalField()),
        n=Count("pk")).annotate(net=F("lost") - F("recovered")).order_by("currency"))
    return {"since": starts[0], "total": sum(n for _, n in months),
            "months": _bars(months), "types": _bars(by_type), "sites": _bars(by_site),
            "legs": _bars(by_leg), "partners": _bars(by_partner),
            "values": _bars(_value_bands(recent)), "losses": losses}
