from django.urls import path

from chainward.core.registry import get_register

from . import models, offline, views

app_name = "fieldchecks"
urlpatterns = [
    path("runs/<int:pk>/answers/", views.run_answers, name="run_answers"),
    path("answers/<int:pk>/photo/", views.answer_photo, name="answer_photo"),
    path("runs/<int:pk>/signature/<str:role>/", views.run_signature, name="run_signature"),
    path("schedules/completion/", views.completion, name="completion"),
    path("visitors/<int:pk>/sign-out/", views.visitor_sign_out, name="visitor_sign_out"),
    path("keys/<int:pk>/returned/", views.key_returned, name="key_returned"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("offline/", offline.offline_checks, name="offline_checks"),
    path("offline/<int:pk>/", offline.offline_run, name="offline_run"),
    path("seals/<int:pk>/event/", views.seal_event, name="seal_event"),
    path("seals/verify/", views.verify_arrival, name="verify_arrival"),
    path("seals/reconciliation/", views.reconciliation, name="reconciliation"),
]
for model in (models.CheckTemplate, models.CheckItem, models.CheckRun, models.CheckAnswer,
              models.SealBatch, models.Seal, models.SealEvent, models.CheckSchedule,
              models.VisitorLogEntry, models.KeyIssue):
    urlpatterns += get_register(model).get_urls()
