from django.urls import path

from chainward.core.registry import get_register

from . import models, views

app_name = "partners"
urlpatterns = [
    path("q/<str:token>/", views.link, name="link"),
    path("q/<str:token>/sign/", views.sign, name="sign"),
    path("questionnaire-requests/<int:pk>/review/", views.review, name="review"),
    path("questionnaire-requests/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("questionnaire-requests/<int:pk>/resend/", views.resend, name="resend"),
    path("answers/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("questionnaire-templates/from-catalogue/", views.from_catalogue,
         name="from_catalogue"),
]
for model in (models.QuestionnaireTemplate, models.Question, models.QuestionnaireRequest,
              models.Answer, models.FollowUpAction):
    urlpatterns += get_register(model).get_urls()
