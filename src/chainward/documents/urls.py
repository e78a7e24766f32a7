from django.urls import path

from chainward.core.registry import get_register
from chainward.core.versioning_views import review_urls

from . import models, views

app_name = "documents"
urlpatterns = [
    path("master-list/", views.master_list, name="master_list"),
    path("documents/<int:pk>/new-version/", views.new_version, name="new_version"),
    path("versions/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("versions/<int:pk>/download/", views.download, name="download"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("attach/<str:app_label>/<str:model_name>/<int:pk>/", views.attach, name="attach"),
]
# Submit, approve, return, withdraw: the review steps shared with security plans.
urlpatterns += review_urls("versions", models.DocumentVersion)
for model in (models.Evidence, models.Document, models.DocumentVersion):
    urlpatterns += get_register(model).get_urls()
