"""Small builders of partner-assurance records (written as a fixture actor, no mail)."""

import datetime

from django.utils import timezone

from chainward.partners.models import (
    Answer,
    FollowUpAction,
    Question,
    QuestionnaireRequest,
    QuestionnaireTemplate,
)
from chainward.supplychain.models import Partner, PartnerContact


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def template(org, name="Carrier questionnaire", questions=2, **extra):
    extra.setdefault("declaration_text", "We declare our answers true.")
    obj = QuestionnaireTemplate.objects.create(organisation=org, name=name, **extra)
    for n in range(questions):
        question(obj, f"Question {n + 1} of {name}?", order=n + 1)
    return obj


def question(parent, text="Do you seal every trailer?", **extra):
    extra.setdefault("section", "Conveyance security")
    return Question.objects.create(organisation=parent.organisation, template=parent,
                                   text=text, **extra)


def partner(org, name="Baltic Haulage", **extra):
    extra.setdefault("kind", "carrier")
    extra.setdefault("country", "PL")
    return Partner.objects.create(organisation=org, name=name, **extra)


def contact(parent, name="Ola Nowak", email="ola@baltic.example", **extra):
    return PartnerContact.objects.create(organisation=parent.organisation, partner=parent,
                                         name=name, email=email, **extra)


def request(org, name="Request", *, partner_obj=None, template_obj=None, **extra):
    partner_obj = partner_obj or partner(org, f"Partner of {name}")
    template_obj = template_obj or template(org, f"Template of {name}")
    extra.setdefault("deadline", days(14))
    return QuestionnaireRequest.objects.create(
        organisation=org, partner=partner_obj, contact=contact(partner_obj),
        template=template_obj, message=name, **extra)


def answer(parent, question_obj=None, **extra):
    question_obj = question_obj or parent.template.questions.first()
    return Answer.objects.create(organisation=parent.organisation, request=parent,
                                 question=question_obj, **extra)


def follow_up(parent, description="Seal log to be kept", **extra):
    extra.setdefault("due_date", days(30))
    return FollowUpAction.objects.create(organisation=parent.organisation, request=parent,
                                         description=description, **extra)
