"""The anonymised incident export, in the shape an industry incident-sharing scheme accepts
(TAPA IIS-like): when, which country and region, what kind of place, how, which goods, the
value band. No names (people, partners, sites, customers), no exact address or coordinates,
no references, seals or registrations, no free text — only values from fixed lists, and the
goods category's name unless it names a partner, site or person of the organisation."""

import csv
import io
import re

from django.utils import timezone

from .choices import IncidentType, LocationType

COLUMNS = ("row", "incident_date", "country", "region", "location_type", "incident_category",
           "modus_operandi", "goods_category", "goods_value_class", "value_band", "currency",
           "recovered", "severity")
# Coarse regions of the sharing schemes; everything not listed is EMEA.
AMER = frozenset("US CA MX BR AR CL CO PE VE EC BO PY UY CR PA GT HN SV NI DO CU JM PR".split())
APAC = frozenset("CN JP KR IN AU NZ SG MY TH VN ID PH HK TW PK BD LK KH MM MN NP".split())
BANDS = ((10_000, "under 10,000"), (50_000, "10,000–49,999"), (100_000, "50,000–99,999"),
         (250_000, "100,000–249,999"), (1_000_000, "250,000–999,999"))


def region_of(country_code):
    """EMEA, AMER or APAC (empty when the country is unknown)."""
    if not country_code:
        return ""
    return "AMER" if country_code in AMER else "APAC" if country_code in APAC else "EMEA"


def value_band(value):
    """The loss value's band (no exact figure)."""
    if value is None:
        return "unknown"
    if value <= 0:
        return "no loss"
    for limit, label in BANDS:
        if value < limit:
            return label
    return "1,000,000 or more"


def country_of(incident):
    """Where it happened: the incident's own country, else its site's, leg start's, partner's."""
    for place in (incident, incident.site, incident.route_from, incident.partner):
        code = getattr(getattr(place, "country", None), "code", None) if place else None
        if code:
            return code
    return ""


NOT_SHARED = "not shared (names a partner, site or person)"


def _names_of(organisation_ids):
    """The names the export must never carry, of the organisations exported: partners (their
    customers and carriers), their contacts, sites (name, code, city), the people on staff and
    the users given roles. A fixed number of queries."""
    from chainward.access.models import User
    from chainward.people.models import Person
    from chainward.supplychain.models import Partner, PartnerContact, Site

    where = {"organisation_id__in": organisation_ids}
    names = set(Partner.objects.filter(**where).values_list("name", flat=True))
    names |= set(PartnerContact.objects.filter(**where).values_list("name", flat=True))
    names |= set(Person.objects.filter(**where).values_list("full_name", flat=True))
    for site in Site.objects.filter(**where).values("name", "code", "city"):
        names |= set(site.values())
    names |= set(User.objects.filter(role_assignments__organisation_id__in=organisation_ids)
                 .values_list("full_name", flat=True))
    return {n.strip().casefold() for n in names if n and len(n.strip()) > 2}


def shared_goods_name(name, names):
    """The goods category's name, unless it names a partner, site or person (`names`, as
    words: 'Electronics for Nordic Trucking' is not shared, 'Spirits' is)."""
    folded = name.casefold()
    if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", folded) for n in names):
        return NOT_SHARED
    return name


def anonymised_rows(queryset):
    """One dict per incident, oldest first; one query whatever the number of incidents (and
    a fixed few for the names a goods category must not carry)."""
    incidents = list(queryset.select_related("site", "route_from", "partner", "goods_category")
                     .order_by("occurred_at", "pk"))
    # The goods category is the organisation's own words: checked against its names once
    # per category, not per row.
    names = _names_of({i.organisation_id for i in incidents}) if incidents else set()
    goods_names = {}
    rows = []
    for number, incident in enumerate(incidents, 1):
        country = country_of(incident)
        goods = incident.goods_category
        if goods is not None and goods.pk not in goods_names:
            goods_names[goods.pk] = shared_goods_name(goods.name, names)
        rows.append({
            "row": number,
            "incident_date": timezone.localtime(incident.occurred_at).date().isoformat(),
            "country": country,
            "region": region_of(country),
            "location_type": str(LocationType(incident.location_type).label),
            "incident_category": str(IncidentType(incident.incident_type).label),
            "modus_operandi": str(incident.modus_operandi_label),
            "goods_category": goods_names[goods.pk] if goods else "",
            "goods_value_class": goods.get_value_class_display() if goods else "",
            "value_band": value_band(incident.loss_value),
            "currency": incident.currency if incident.loss_value else "",
            "recovered": "yes" if incident.recovered_value else "no",
            "severity": incident.severity,
        })
    return rows


def anonymised_csv(rows):
    """The rows as CSV text (UTF-8 with a byte-order mark for spreadsheets)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()
