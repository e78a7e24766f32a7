from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "certification"
urlpatterns = [
    path("reviews/<int:pk>/compile/", views.compile_review_pack, name="review_compile"),
    path("reviews/<int:pk>/held/", views.hold_review, name="review_held"),
    path("reviews/<int:pk>/approve/", views.approve_minutes, name="review_approve"),
    path("reviews/<int:pk>/review.pdf", views.review_pdf, name="review_pdf"),
    path("certificates/<int:pk>/plan/", views.plan_certificate_cycle, name="plan_cycle"),
    path("evidence-packs/new/", views.request_pack, name="pack_request"),
    path("evidence-packs/<int:pk>/status/", views.pack_status, name="pack_status"),
    path("evidence-packs/<int:pk>/download/", views.download_pack, name="pack_download"),
]
for model in (models.ManagementReview, models.ReviewAction, models.CertificationBody,
              models.Certificate, models.CycleMilestone, models.EvidencePack):
    urlpatterns += get_register(model).get_urls()
