from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "context"
urlpatterns = [
    path("changes/<int:pk>/transition/", views.change_transition, name="change_transition"),
]
for model in (models.Obligation, models.ComplianceEvaluation, models.ContextIssue,
              models.InterestedParty, models.PlannedChange):
    urlpatterns += get_register(model).get_urls()
