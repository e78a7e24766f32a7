from django.urls import path

from chainward.core.register import get_register

from . import models, views

app_name = "access"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
urlpatterns += get_register(models.RoleAssignment).get_urls()
