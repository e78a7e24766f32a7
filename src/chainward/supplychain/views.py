"""Supply-chain pages beyond the generic registers: the network map."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django_countries import countries

from chainward.core.forms import style_widgets

from . import choices, models
from . import map as network
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
    from chainward.risk.heatmap import map_colours, map_legend

    risk = request.GET.get("colour") != "mode" and user.has_perm("risk.view_rating")
    site_colours, leg_colours = map_colours(user, org) if risk else ({}, {})
    nodes, edges, height = network.layout(sites, legs, leg_colours)
    context = {
        "form": form, "height": height,
        "svg_legs": network.svg_legs(edges), "svg_nodes": network.svg_nodes(
            nodes, labels=len(nodes) <= 60, site_colours=site_colours),
        "legend": [
            (label, network.MODE_COLOURS[value]) for value, label in choices.Mode.choices],
        "risk_legend": map_legend(org) if site_colours or leg_colours else [],
        "site_count": len(sites), "leg_count": len(edges),
    }
    template = "supplychain/map.html"
    if request.htmx and request.htmx.target == "map":
        template += "#map"
    return render(request, template, context)
