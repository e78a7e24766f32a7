from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "supplychain"

urlpatterns = [
    path("map/", views.supply_chain_map, name="map"),
    # Before the register's own add route: a new organisation goes through
    # services.create_organisation (default matrix, first administrator's invitation).
    path("organisations/add/", views.organisation_add, name="organisation_add"),
]
for model in (models.Organisation, models.Site, models.Partner, models.PartnerContact,
              models.ProgrammeStatus, models.GoodsCategory, models.Leg,
              models.StatementOfApplication, models.Exemption, models.PartnerReview):
    urlpatterns += get_register(model).get_urls()
