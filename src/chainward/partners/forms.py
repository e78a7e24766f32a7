"""Forms of the partner link (built from the template's questions) and of the review; they
only translate to the services."""

from django import forms

from chainward.core.forms import RecordForm

from .choices import AnswerType

YES_NO = (("yes", "Yes"), ("no", "No"))


class AnswersForm(forms.Form):
    """One group of fields per question: the answer, a comment and, where asked, evidence."""

    def __init__(self, questions, answers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            a = answers.get(q.pk)
            if q.answer_type == AnswerType.YES_NO:
                initial = None if a is None or a.value_yes is None else (
                    "yes" if a.value_yes else "no")
                self.fields[f"q{q.pk}"] = forms.ChoiceField(
                    label=q.text, choices=YES_NO, required=False, initial=initial,
                    widget=forms.RadioSelect)
            elif q.answer_type == AnswerType.DATE:
                self.fields[f"q{q.pk}"] = forms.DateField(
                    label=q.text, required=False, initial=a.value_date if a else None,
                    widget=forms.DateInput(attrs={"type": "date"}))
            else:
                self.fields[f"q{q.pk}"] = forms.CharField(
                    label=q.text, required=False, initial=a.value_text if a else "",
                    widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"c{q.pk}"] = forms.CharField(
                label="Comment", required=False, initial=a.comment if a else "",
                widget=forms.Textarea(attrs={"rows": 1}))
            if q.evidence_required or q.evidence_hint:
                self.fields[f"e{q.pk}"] = forms.FileField(label="Evidence", required=False)

    def rows(self):
        """(question, answer field, comment field, evidence field or None) per question."""
        for q in self.questions:
            yield (q, self[f"q{q.pk}"], self[f"c{q.pk}"],
                   self[f"e{q.pk}"] if f"e{q.pk}" in self.fields else None)

    def values(self):
        """{question_id: {yes, text, date, comment}} for `services.save_answers`."""
        out = {}
        for q in self.questions:
            raw = self.cleaned_data.get(f"q{q.pk}")
            out[q.pk] = {"yes": {"yes": True, "no": False}.get(raw)
                         if q.answer_type == AnswerType.YES_NO else None,
                         "text": raw if q.answer_type == AnswerType.TEXT else "",
                         "date": raw if q.answer_type == AnswerType.DATE else None,
                         "comment": self.cleaned_data.get(f"c{q.pk}", "")}
        return out

    def uploads(self):
        return {q.pk: self.cleaned_data[f"e{q.pk}"] for q in self.questions
                if self.cleaned_data.get(f"e{q.pk}")}


class SignForm(forms.Form):
    name = forms.CharField(label="Your full name", max_length=150, required=False)
    role = forms.CharField(label="Your role in the company", max_length=150, required=False)
    confirmed = forms.BooleanField(label="I sign the declaration above", required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("accept", "Accept"), ("return", "Return")),
                                 widget=forms.RadioSelect)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    answer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    corrective_owner = forms.IntegerField(required=False)


class RequestForm(RecordForm):
    """The questionnaire request's form: after saving, it says when the template asks less of
    the partner than its risk score calls for (`assurance.depth_advice`; advice, not a refusal)."""

    def clean(self):
        cleaned = super().clean()
        from .assurance import depth_advice

        self.notice = depth_advice(cleaned.get("partner"), cleaned.get("template"))
        return cleaned
