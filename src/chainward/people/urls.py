from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "people"
urlpatterns = [
    path("matrix/", views.competence_matrix, name="competence_matrix"),
    path("chart/", views.organisation_chart, name="organisation_chart"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
]
for model in (models.Person, models.SecurityRole, models.Appointment,
              models.CompetenceRequirement, models.TrainingCourse, models.TrainingSession,
              models.SessionAttendance, models.TrainingRecord, models.ScreeningRecord,
              models.ConductAcknowledgement, models.AwarenessCampaign):
    urlpatterns += get_register(model).get_urls()
