"""Supply-chain pages beyond the generic registers: the network map, a new organisation."""

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
    """Filters of the map: transport mode, country, partner."""

    mode = forms.ChoiceField(choices=[("", "All modes"), *choices.Mode.choices], required=False)
    country = forms.ChoiceField(choices=[("", "All countries"), *countries], required=False)
    partner = forms.CharField(required=False, max_length=100, label="Partner",
                              help_text="Carrier or operator name contains…")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


@login_required
def supply_chain_map(request):
    """The chain as a network: every node and leg in scope, each linking to its record."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    user, org = request.user, request.organisation
    sites = SiteRegister().scoped(user, org).filter(archived=False).only(
        "id", "name", "code", "kind", "country", "city", "latitude", "longitude",
        "security_level", "operator_id")
    legs = LegRegister().scoped(user, org).filter(archived=False).select_related(None).only(
        "id", "reference", "from_site_id", "to_site_id", "mode", "carrier_id")
    form = MapFilterForm(request.GET or None)
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
    sites, legs = list(sites), list(legs)
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
    placed = [s for s in sites if s.latitude is not None and s.longitude is not None]
    nodes, edges, height = network.layout(sites, legs, leg_colours, flagged=flagged,
                                          single=single)
    context = {
        "form": form, "height": height, "lapsed_count": len(lapsed_ids),
        "lapsed_partners": list(lapsed.order_by("name").only("id", "name")[:20]),
        "undeclared_count": len(undeclared),
        "undeclared_partners": list(models.Partner.objects.filter(pk__in=undeclared).order_by(
            "name").only("id", "name")[:20]) if undeclared else [],
        "svg_legs": network.svg_legs(edges, names={s.pk: s.name for s in sites},
                                     flagged=flagged),
        "svg_countries": geography.outlines_svg(network.fit(placed)) if placed else "",
        "svg_nodes": network.svg_nodes(
            nodes, labels=len(nodes) <= 60, site_colours=site_colours, flagged=flagged),
        "legend": [
            (label, network.MODE_COLOURS[value]) for value, label in choices.Mode.choices],
        "risk_legend": map_legend(org) if site_colours or leg_colours else [],
        "site_count": len(sites), "leg_count": sum(e.count for e in edges),
        "line_count": len(edges),
        # Incidents of the last twelve months the reader may see, by site and leg (issue 14).
        "svg_incidents": incident_markers(user, org, nodes, edges, found=seen_incidents),
    }
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
