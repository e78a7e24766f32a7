from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "compliance"
urlpatterns = [
    path("assessments/<int:pk>/work/", views.workspace, name="workspace"),
    path("assessments/<int:pk>/missing/", views.missing, name="missing"),
    path("assessments/<int:pk>/baseline/", views.start_baseline, name="baseline"),
    path("assessments/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("statuses/<int:pk>/set/", views.set_status, name="set_status"),
    path("statuses/<int:pk>/reuse/<int:evidence_pk>/", views.reuse_evidence, name="reuse"),
    path("statuses/<int:pk>/link/", views.add_link, name="add_link"),
    path("statuses/<int:pk>/evidence/", views.evidence_dialog, name="evidence"),
    path("statuses/<int:pk>/evidence/options/<str:kind>/", views.evidence_options,
         name="evidence_options"),
    path("statuses/<int:pk>/register/<str:key>/", views.attach_register,
         name="attach_register"),
]
urlpatterns += get_register(models.GapAssessment).get_urls()
urlpatterns += get_register(models.RequirementStatus).get_urls()
