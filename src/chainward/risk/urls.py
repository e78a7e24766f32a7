from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "risk"
urlpatterns = [
    path("heatmap/", views.heat_map_page, name="heatmap"),
    path("matrices/default/", views.default_matrix_page, name="default_matrix"),
    path("assessments/<int:pk>/start/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/complete/", views.assessment_complete,
         name="assessment_complete"),
    path("assessments/<int:pk>/reassess/", views.assessment_reassess,
         name="assessment_reassess"),
    path("register/<int:pk>/suggestion/", views.rating_suggestion, name="rating_suggestion"),
]
for _model in (models.RiskMatrix, models.SecurityAssessment, models.AssessmentMember,
               models.Process, models.ExistingMeasure, models.ThreatApplicability,
               models.NotCredible, models.Rating, models.Countermeasure,
               models.RiskAcceptance):
    urlpatterns += get_register(_model).get_urls()
