"""API viewsets of the supply-chain registers: declarations only."""

from chainward.core.api import viewset_for
from chainward.supplychain import models

OrganisationViewSet = viewset_for(models.Organisation)
SiteViewSet = viewset_for(models.Site)
PartnerViewSet = viewset_for(models.Partner)
PartnerContactViewSet = viewset_for(models.PartnerContact)
ProgrammeStatusViewSet = viewset_for(models.ProgrammeStatus)
GoodsCategoryViewSet = viewset_for(models.GoodsCategory)
LegViewSet = viewset_for(models.Leg)
StatementOfApplicationViewSet = viewset_for(models.StatementOfApplication)
ExemptionViewSet = viewset_for(models.Exemption)
