import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from . import choices, models


def by_id(field_name):
    """A hidden filter by related id (the "All …" links of related panels)."""
    return django_filters.NumberFilter(field_name=field_name, widget=forms.HiddenInput)


class QuestionnaireTemplateFilterSet(RecordFilterSet):
    search_fields = ("name", "description", "reference")
    kind = django_filters.MultipleChoiceFilter(choices=choices.TemplateKind)
    status = django_filters.MultipleChoiceFilter(choices=choices.TemplateStatus)

    class Meta:
        model = models.QuestionnaireTemplate
        fields = ("q", "kind", "status", "archived")


class QuestionFilterSet(RecordFilterSet):
    search_fields = ("text", "section", "reference")
    template = by_id("template")
    answer_type = django_filters.MultipleChoiceFilter(choices=choices.AnswerType)

    class Meta:
        model = models.Question
        fields = ("q", "template", "answer_type", "archived")


class QuestionnaireRequestFilterSet(RecordFilterSet):
    search_fields = ("reference", "partner__name", "contact__name", "template__name")
    status = django_filters.MultipleChoiceFilter(choices=choices.RequestStatus)
    partner = by_id("partner")
    template = by_id("template")

    class Meta:
        model = models.QuestionnaireRequest
        fields = ("q", "status", "partner", "template", "archived")


class AnswerFilterSet(RecordFilterSet):
    search_fields = ("reference", "question__text", "value_text", "comment")
    request = by_id("request")
    needs_follow_up = django_filters.BooleanFilter()

    class Meta:
        model = models.Answer
        fields = ("q", "request", "needs_follow_up", "archived")


class FollowUpActionFilterSet(RecordFilterSet):
    search_fields = ("reference", "description", "request__partner__name")
    status = django_filters.MultipleChoiceFilter(choices=choices.FollowUpStatus)
    request = by_id("request")

    class Meta:
        model = models.FollowUpAction
        fields = ("q", "status", "request", "archived")
