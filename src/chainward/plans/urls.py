from django.urls import path

from chainward.core.register import get_register

from . import models, views

app_name = "plans"
urlpatterns = [
    path("security-plans/generate/<int:assessment_pk>/", views.generate, name="generate_plan"),
    path("security-plan-versions/<int:pk>/approve/", views.approve, name="approve_plan"),
    path("security-plan-versions/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
]
for model in (models.SecurityObjective, models.Measurement, models.SecurityPlan,
              models.SecurityPlanVersion):
    urlpatterns += get_register(model).get_urls()
