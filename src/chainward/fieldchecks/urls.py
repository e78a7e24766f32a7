from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "fieldchecks"
urlpatterns = [
    path("runs/<int:pk>/answers/", views.run_answers, name="run_answers"),
    path("answers/<int:pk>/photo/", views.answer_photo, name="answer_photo"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("seals/<int:pk>/event/", views.seal_event, name="seal_event"),
    path("seals/verify/", views.verify_arrival, name="verify_arrival"),
    path("seals/reconciliation/", views.reconciliation, name="reconciliation"),
]
for model in (models.CheckTemplate, models.CheckItem, models.CheckRun, models.CheckAnswer,
              models.SealBatch, models.Seal, models.SealEvent):
    urlpatterns += get_register(model).get_urls()
