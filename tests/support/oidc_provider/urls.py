from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import RefusingAuthorizationView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="provider_login.html")),
    path("o/authorize/", RefusingAuthorizationView.as_view(), name="authorize"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
