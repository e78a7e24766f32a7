from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/import/", views.framework_import, name="framework_import"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
]
