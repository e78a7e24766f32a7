from django.urls import path

from chainward.core.registry import get_register
from chainward.core.versioning_views import review_urls

from . import models, views

app_name = "plans"
urlpatterns = [
    path("security-plans/generate/<int:assessment_pk>/", views.generate, name="generate_plan"),
    path("security-plan-versions/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
]
# Submit, approve, return: the review steps shared with controlled documents.
urlpatterns += review_urls("security-plan-versions", models.SecurityPlanVersion)
for model in (models.SecurityObjective, models.Measurement, models.SecurityPlan,
              models.SecurityPlanVersion):
    urlpatterns += get_register(model).get_urls()
