from django.urls import path

from chainward.core.registry import get_register

from . import models, views
from .exercises import views as exercise_views

app_name = "incidents"
urlpatterns = [
    path("incidents/<int:pk>/transition/", views.incident_transition,
         name="incident_transition"),
    path("notifications/<int:pk>/sent/", views.notification_sent, name="notification_sent"),
    path("investigations/<int:pk>/corrective-action/", views.open_corrective_action,
         name="open_corrective_action"),
    path("exercises/<int:pk>/corrective-action/", exercise_views.open_action,
         name="exercise_action"),
    path("objectives/<int:pk>/measure/", views.measure_objective, name="measure_objective"),
    path("analysis/", views.analysis, name="analysis"),
    path("anonymised.<str:fmt>", views.anonymised_export, name="anonymised_export"),
]
for model in (models.Incident, models.Notification, models.Investigation,
              models.TimelineEntry, models.Contact, models.NotificationRule,
              models.Exercise):
    urlpatterns += get_register(model).get_urls()
