from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "sso"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
    *get_register(models.OidcProvider).get_urls(),
]
