"""Supply-chain pages beyond the generic registers: the network map, a new organisation."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django_countries import countries

from chainward.core.forms import style_widgets

from . import choices, geography, models, services
from . import map as network
from .forms import OrganisationCreateForm
from .registers import LegRegister, SiteRegister


class MapFilterForm(forms.Form):
    """Filters of the map: transport mode, country, partner, and the box it is zoomed to."""

    mode = forms.ChoiceField(choices=[("", "All modes"), *choices.Mode.choices], required=False)
    country = forms.ChoiceField(choices=[("", "All countries"), *countries], required=False)
    partner = forms.CharField(required=False, max_length=100, label="Partner",
                              help_text="Carrier or operator name contains…")
    bbox = forms.CharField(required=False, max_length=100, label="Zoom to box",
                           help_text="west,south,east,north in degrees, e.g. 8.5,53.0,10.5,54.0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["bbox"].widget.attrs["placeholder"] = "west,south,east,north"

    def clean_bbox(self):
        """(west, south, east, north) as Decimals, or None for the whole map."""
        text = self.cleaned_data["bbox"].strip()
        if not text:
            return None
        try:
            box = [Decimal(part.strip()) for part in text.split(",")]
        except InvalidOperation:
            box = []
        if len(box) != 4 or not all(value.is_finite() for value in box):
            raise ValidationError("Give four numbers in degrees separated by commas: "
                                  "west,south,east,north, e.g. 8.5,53.0,10.5,54.0.")
        west, south, east, north = box
        if not (-180 <= west < east <= 180):
            raise ValidationError("West and east must be longitudes from -180 to 180, west "
                                  "smaller than east (a box cannot cross the 180th meridian).")
        if not (-90 <= south < north <= 90):
            raise ValidationError("South and north must be latitudes from -90 to 90, south "
                                  "smaller than north.")
        return west, south, east, north


@login_required
def supply_chain_map(request):
    """The chain as a network: every node and leg in scope, each linking to its record; an
    overview of regions when that would be too much to draw (issue 11, `network.overview`)."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    user, org = request.user, request.organisation
    sites = SiteRegister().scoped(user, org).filter(archived=False).only(
        "id", "name", "code", "kind", "country", "city", "latitude", "longitude",
        "security_level", "operator_id")
    legs = LegRegister().scoped(user, org).filter(archived=False).select_related(None).only(
        "id", "reference", "from_site_id", "to_site_id", "mode", "carrier_id")
    form = MapFilterForm(request.GET or None)
    box = inside = None
    if form.is_valid():
        data = form.cleaned_data
        if data["mode"]:
            legs = legs.filter(mode=data["mode"])
        if data["country"]:
            sites = sites.filter(country=data["country"])
        if data["partner"]:
            partners = models.Partner.objects.restrict(user, "view").filter(
                organisation=org, name__icontains=data["partner"]).values("pk")
            legs = legs.filter(carrier__in=partners)
            touched = set(legs.values_list("from_site_id", flat=True)) | set(
                legs.values_list("to_site_id", flat=True))
            sites = sites.filter(Q(pk__in=touched) | Q(operator__in=partners))
        if data["mode"]:
            touched = set(legs.values_list("from_site_id", flat=True)) | set(
                legs.values_list("to_site_id", flat=True))
            sites = sites.filter(pk__in=touched)
        box = data["bbox"]
        if box:
            west, south, east, north = box
            sites = sites.filter(longitude__gte=west, longitude__lte=east,
                                 latitude__gte=south, latitude__lte=north)
            inside = sites.values("pk")
            legs = legs.filter(Q(from_site__in=inside) | Q(to_site__in=inside))
    # Risk colouring: the highest residual level per site and leg, from the ratings this
    # user may see (chainward.risk); legs without a rating keep their mode colour.
    from chainward.incidents.map_markers import counts as incident_counts
    from chainward.incidents.map_markers import incident_markers
    from chainward.risk.heatmap import map_colours, map_legend

    risk = request.GET.get("colour") != "mode" and user.has_perm("risk.view_rating")
    site_colours, leg_colours = map_colours(user, org) if risk else ({}, {})
    # Partners whose security programme expired unrenewed (issue 13 item 10): the sites they
    # operate get a red ring, the legs they carry are dashed, and they are listed below.
    lapsed = services.partners_with_lapsed_programme(
        models.Partner.objects.restrict(user, "view").filter(organisation=org, archived=False))
    lapsed_ids = set(lapsed.values_list("pk", flat=True))
    # ... and those whose security declaration expired unrenewed (issue 17 item 3), the same way.
    from chainward.partners.assurance import expired_declaration_partner_ids

    undeclared = expired_declaration_partner_ids(user, org)
    flagged = {pk: " and ".join(what for what, found in (
        ("programme expired", pk in lapsed_ids), ("declaration expired", pk in undeclared))
        if found) for pk in lapsed_ids | undeclared}
    # Legs with incidents the reader may see keep their own line (and marker) when parallel
    # legs are bundled (issue 13 item 13).
    seen_incidents = incident_counts(user, org) if user.has_perm(
        "incidents.view_incident") else {}
    single = frozenset(pk for kind, pk in seen_incidents if kind == "leg")
    # Sites and legs as plain rows first (unordered: the legs' order joins both sites): 2,000
    # sites and 50,000 legs as model instances cost seconds when the overview draws only their
    # counts (issue 11).
    points = list(sites.order_by().values_list("pk", "name", "city", "country", "latitude",
                                               "longitude", named=True))
    # Over MAX_SITES the overview is drawn whatever the legs: their ends and mode suffice.
    columns = ("from_site_id", "to_site_id", "mode")
    if len(points) <= network.MAX_SITES:
        columns += ("pk", "carrier_id")
    rows = list(legs.order_by().values_list(*columns))
    site_ids = {s.pk for s in points}
    placed = [s for s in points if s.latitude is not None and s.longitude is not None]
    project = network.fit(placed) if placed else None
    context = {
        "form": form, "lapsed_count": len(lapsed_ids),
        "lapsed_partners": list(models.Partner.objects.filter(pk__in=lapsed_ids).order_by(
            "name").only("id", "name")[:20]) if lapsed_ids else [],
        "undeclared_count": len(undeclared),
        "undeclared_partners": list(models.Partner.objects.filter(pk__in=undeclared).order_by(
            "name").only("id", "name")[:20]) if undeclared else [],
        "svg_countries": geography.outlines_svg(project) if placed else "",
        "legend": [
            (label, network.MODE_COLOURS[value]) for value, label in choices.Mode.choices],
        "site_count": len(points), "zoomed": bool(box),
        # Zoomed: the legs with one end in the box and the other out of it (not drawn).
        "leaving_count": sum((row[0] in site_ids) != (row[1] in site_ids) for row in rows)
        if box else 0,
    }
    if box:
        rest = request.GET.copy()
        rest.pop("bbox", None)
        context["whole_map"] = "?" + rest.urlencode()
    if network.needs_overview(points, rows, leg_colours, flagged=flagged, single=single):
        # Regions of sites and one line per pair of regions, each a link zoomed to it and
        # keeping the other filters; a site alone in its region keeps its colour and marker.
        result = network.overview(points, rows, project)
        lines, regions = network.svg_overview(result, filters=request.GET.dict())
        nodes = result.nodes({site.pk: site for site in sites.filter(pk__in=result.alone)}
                             if result.alone else {})
        context.update({
            "overview": result, "height": result.height, "svg_legs": lines,
            "svg_regions": regions,
            "svg_nodes": network.svg_nodes(nodes, labels=len(result.regions) <= 60,
                                           site_colours=site_colours, flagged=flagged),
            "risk_legend": map_legend(org) if any(
                n.site.pk in site_colours for n in nodes) else [],
            "leg_count": result.leg_count, "line_count": len(result.links),
            "overview_widths": [(n, network.link_width(n)) for n in (1, 10, 100, 1000)],
            "mixed_colour": network.MIXED_COLOUR,
            "svg_incidents": incident_markers(user, org, nodes, [], found=seen_incidents),
        })
    else:
        # Zoomed: only the legs drawn, not those leading out of the box.
        sites = list(sites)
        legs = list(legs.filter(from_site__in=inside, to_site__in=inside) if box else legs)
        nodes, edges, height = network.layout(sites, legs, leg_colours, flagged=flagged,
                                              single=single)
        context.update({
            "height": height,
            "svg_legs": network.svg_legs(edges, names={s.pk: s.name for s in sites},
                                         flagged=flagged),
            "svg_nodes": network.svg_nodes(
                nodes, labels=len(nodes) <= 60, site_colours=site_colours, flagged=flagged),
            "risk_legend": map_legend(org) if site_colours or leg_colours else [],
            "leg_count": sum(e.count for e in edges), "line_count": len(edges),
            # Incidents of the last twelve months the reader may see, by site and leg (issue 14).
            "svg_incidents": incident_markers(user, org, nodes, edges, found=seen_incidents),
        })
    template = "supplychain/map.html"
    if request.htmx and request.htmx.target == "map":
        template += "#map"
    return render(request, template, context)


@login_required
def organisation_add(request):
    """Create an organisation (superusers and installation administrators): one call to
    `services.create_organisation`, whose refusals become field errors."""
    from chainward.access.services import may_create_organisations
    from chainward.core.scope import SESSION_KEY
    from chainward.core.views import add_service_errors

    if not may_create_organisations(request.user):
        raise PermissionDenied("Only an installation administrator may create organisations.")
    form = OrganisationCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                organisation, invitation, sent = services.create_organisation(
                    request.user, administrator_email=data["administrator_email"],
                    administrator_name=data["administrator_name"],
                    accept_url=lambda secret: request.build_absolute_uri(
                        reverse("access:invitation", args=[secret])),
                    **{name: data[name] for name in services.ORGANISATION_FIELDS})
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, f"Created {organisation} with the default risk "
                                          f"matrix. Invitation sent to {invitation.email}: they "
                                          "become its administrator when they accept it.")
                if not sent:
                    messages.warning(request, "The e-mail could not be sent; check the mail "
                                              "settings.")
                if request.user.is_superuser:
                    request.session[SESSION_KEY] = organisation.pk
                    return redirect(organisation.get_absolute_url())
                return redirect("supplychain:organisation_add")
        status = 400
    return render(request, "supplychain/organisation_add.html", {"form": form},
                  status=status)
