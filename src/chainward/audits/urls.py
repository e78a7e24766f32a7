from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "audits"
urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("programmes/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("audits/<int:pk>/transition/", views.audit_transition, name="audit_transition"),
    path("audits/<int:pk>/generate-checklist/", views.generate_checklist,
         name="generate_checklist"),
    path("audits/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("checklist-items/<int:pk>/set/", views.checklist_set, name="checklist_set"),
    path("corrective-actions/<int:pk>/transition/", views.capa_transition,
         name="capa_transition"),
    path("corrective-actions/<int:pk>/verify/", views.capa_verify, name="capa_verify"),
]
for model in (models.AuditProgramme, models.Audit, models.ChecklistItem, models.Finding,
              models.CorrectiveAction, models.CorrectiveActionStep):
    urlpatterns += get_register(model).get_urls()
