"""Forms of the supply-chain pages beyond the generic registers."""

from django import forms

from chainward.core.forms import style_widgets

from .models import Organisation
from .services import ORGANISATION_FIELDS


class OrganisationCreateForm(forms.ModelForm):
    """A new organisation and the address of its first administrator; the rules live in
    `services.create_organisation`, which this form only feeds."""

    administrator_email = forms.EmailField(
        label="First administrator's e-mail",
        help_text="They receive an invitation to join as Administrator and choose their own "
                  "password; nobody is added without accepting it.")
    administrator_name = forms.CharField(label="First administrator's name", required=False,
                                         max_length=150)

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
