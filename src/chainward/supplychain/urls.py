from django.urls import path

from chainward.core.register import get_register

from . import models, views

app_name = "supplychain"

urlpatterns = [path("map/", views.supply_chain_map, name="map")]
for model in (models.Organisation, models.Site, models.Partner, models.PartnerContact,
              models.ProgrammeStatus, models.GoodsCategory, models.Leg,
              models.StatementOfApplication, models.Exemption):
    urlpatterns += get_register(model).get_urls()
