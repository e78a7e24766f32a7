"""Forms of the field checks pages: one answer per item on the run page (no JSON anywhere),
a seal event, a gate verification. They only collect input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model

from chainward.core.forms import style_widgets
from chainward.core.lookups import register_lookup_url, use_lookups
from chainward.supplychain.models import Leg, Site

from .choices import SEAL_TRANSITIONS, AnswerType, Outcome, SealEventKind, SignatureRole
from .models import lines

YES_NO = (("", "—"), ("yes", "Yes"), ("no", "No"))
RUN_FORM = "fieldchecks.checkrun"  # its site, leg and inspector lookups serve these forms too


def yes_no(value):
    """"yes"/"no" of a form as True/False; None when not answered."""
    return {"yes": True, "no": False}.get(value)


class AnswerForm(forms.Form):
    """The answer to one item; its fields are named after the item so that one page holds the
    whole check (`prefix` = item id)."""

    outcome = forms.ChoiceField(label="Outcome", required=False, widget=forms.RadioSelect)
    number = forms.DecimalField(label="Value", required=False, max_digits=12,
                                decimal_places=2)
    text = forms.CharField(label="Answer", required=False, max_length=500)
    choice = forms.ChoiceField(label="Choice", required=False)
    note = forms.CharField(label="Note", required=False, max_length=500)
    photo = forms.ImageField(label="Photo", required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, item, answer=None, **kwargs):
        kwargs.setdefault("prefix", f"i{item.pk}")
        if answer is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {"outcome": answer.outcome, "number": answer.number,
                                 "text": answer.text, "choice": answer.choice,
                                 "note": answer.note}
        super().__init__(*args, **kwargs)
        self.item = item
        kind = item.answer_type
        outcomes = [(Outcome.PASS, "Pass"), (Outcome.FAIL, "Fail"), (Outcome.NA, "N/A")]
        if kind == AnswerType.PASS_FAIL:
            self.fields["outcome"].choices = outcomes
        elif kind in (AnswerType.NUMBER, AnswerType.TEXT):
            self.fields["outcome"].choices = [(Outcome.NA, "Not applicable")]
        else:
            del self.fields["outcome"]
        if kind != AnswerType.NUMBER:
            del self.fields["number"]
        if kind != AnswerType.TEXT:
            del self.fields["text"]
        if kind == AnswerType.CHOICE:
            self.fields["choice"].choices = [("", "—")] + [(o, o) for o in lines(item.options)]
        else:
            del self.fields["choice"]
        if kind != AnswerType.PHOTO and not item.photo_required:
            self.fields["photo"].label = "Photo (optional)"
        style_widgets(self)
        if "outcome" in self.fields:
            self.fields["outcome"].widget.attrs["class"] = "form-check-input"

    def answer_data(self):
        """The keyword arguments of `services.set_answer` (call after is_valid)."""
        data = self.cleaned_data
        return {"outcome": data.get("outcome") or "", "number": data.get("number"),
                "text": data.get("text") or "", "choice": data.get("choice") or "",
                "note": data.get("note") or "", "photo": data.get("photo")}

    def has_input(self):
        """Whether anything was entered for this item (untouched items are left alone)."""
        data = self.answer_data()
        return any(v not in (None, "") for v in data.values())


class SignatureForm(forms.Form):
    """A signature on the run page: the typed name and the drawing of the signature pad
    (static chainward/signature.js writes the canvas as a PNG data URL into `drawing`); a PNG
    file does instead where scripts do not run."""

    name = forms.CharField(label="Name", required=False, max_length=200)
    drawing = forms.CharField(required=False, widget=forms.HiddenInput(
        attrs={"data-signature-data": ""}))
    image = forms.FileField(label="Or attach the signature (PNG)", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png"}))

    def __init__(self, *args, role, **kwargs):
        kwargs.setdefault("prefix", f"sig-{role}")
        super().__init__(*args, **kwargs)
        self.role = role
        self.label = SignatureRole(role).label
        style_widgets(self)

    def has_input(self):
        """Whether anything was signed (an untouched pad is left alone)."""
        data = self.cleaned_data
        return bool(data.get("drawing") or data.get("image"))

    def image_file(self):
        """The signature as an uploaded PNG (the drawing decoded, or the attached file)."""
        from .services import signature_from_data_url

        data = self.cleaned_data
        return data["image"] or signature_from_data_url(data["drawing"])


class GateTimeForm(forms.Form):
    """"Sign out" / "Returned" at the gate: now, or the time from a paper log."""

    at = forms.DateTimeField(label="At", required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             help_text="Leave empty for now.")


class SealEventForm(forms.Form):
    """The next step of a seal's life, from its page."""

    kind = forms.ChoiceField(label="What happened")
    site = forms.ModelChoiceField(label="Where", queryset=Site.objects.none(), required=False,
                                  help_text="Leave empty for the site that holds the seal.")
    at = forms.DateTimeField(label="When", required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             help_text="Leave empty for now.")
    issued_to = forms.ModelChoiceField(label="Issued to", required=False,
                                       queryset=get_user_model().objects.none())
    container_number = forms.CharField(label="Trailer or container number", required=False,
                                       max_length=60)
    shipment_reference = forms.CharField(label="Shipment reference", required=False,
                                         max_length=100)
    leg = forms.ModelChoiceField(label="Leg it leaves on", queryset=Leg.objects.none(),
                                 required=False)
    number_read = forms.CharField(label="Number read on the seal", required=False,
                                  max_length=30)
    view_ok = forms.ChoiceField(label="View: seal and locking mechanism fine", choices=YES_NO,
                                required=False)
    tug_ok = forms.ChoiceField(label="Tug: seal holds", choices=YES_NO, required=False)
    twist_ok = forms.ChoiceField(label="Twist and turn: nothing loose", choices=YES_NO,
                                 required=False)
    intact = forms.ChoiceField(label="Seal intact", choices=YES_NO, required=False)
    reason = forms.CharField(label="Notes / reason", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, seal, user, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.seal = seal
        self.fields["kind"].choices = [(k, SealEventKind(k).label) for k in
                                       SEAL_TRANSITIONS.get(seal.status, {})]
        scope_related(self, user, organisation)
        style_widgets(self)

    def event_data(self):
        """The keyword arguments of `services.record_seal_event` (call after is_valid)."""
        data = dict(self.cleaned_data)
        for name in ("view_ok", "tug_ok", "twist_ok", "intact"):
            data[name] = yes_no(data.get(name))
        data.pop("kind", None)
        return data


class VerifyArrivalForm(forms.Form):
    """A seal checked at the gate of the arrival site (View, Verify, Tug, Twist)."""

    site = forms.ModelChoiceField(label="Arrival site", queryset=Site.objects.none())
    container_number = forms.CharField(label="Trailer or container number", max_length=60)
    number_read = forms.CharField(label="Number read on the seal", max_length=30)
    view_ok = forms.ChoiceField(label="View: seal and locking mechanism fine", choices=YES_NO)
    tug_ok = forms.ChoiceField(label="Tug: seal holds", choices=YES_NO)
    twist_ok = forms.ChoiceField(label="Twist and turn: nothing loose", choices=YES_NO)
    intact = forms.ChoiceField(label="Seal intact", choices=YES_NO)
    reason = forms.CharField(label="Notes", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        scope_related(self, user, organisation)
        style_widgets(self)

    def verify_data(self):
        data = dict(self.cleaned_data)
        for name in ("view_ok", "tug_ok", "twist_ok", "intact"):
            data[name] = yes_no(data[name])
        return data


def scope_related(form, user, organisation):
    """Sites and legs the person may see, people of the organisation — picked by type-ahead
    (the check run form's lookups), never listed in full."""
    org = getattr(organisation, "pk", None)
    if "site" in form.fields:
        form.fields["site"].queryset = Site.objects.restrict(user, "view").filter(
            organisation_id=org, archived=False)
    if "leg" in form.fields:
        form.fields["leg"].queryset = Leg.objects.restrict(user, "view").filter(
            organisation_id=org, archived=False)
    if "issued_to" in form.fields:
        form.fields["issued_to"].queryset = get_user_model().objects.filter(
            role_assignments__organisation_id=org, role_assignments__archived=False,
            is_active=True).distinct()
    names = {"site": "site", "leg": "leg", "issued_to": "inspector"}
    use_lookups(form, lambda name: register_lookup_url(RUN_FORM, names[name])
                if name in names else None)
