from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "sso"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
    path("saml/<int:pk>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("saml/<int:pk>/acs/", views.saml_acs, name="saml_acs"),
    *get_register(models.OidcProvider).get_urls(),
    *get_register(models.SamlProvider).get_urls(),
]
