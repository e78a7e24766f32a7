"""Forms of people and access; they only translate the rules of `access.services`."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError

from chainward.core.forms import RecordForm, scope_choices, style_widgets
from chainward.core.lookups import register_lookup_url, use_lookups

from .models import Invitation
from .services import validate_scope


def _check_scope(form, cleaned):
    """Show the scope rule on the sites field before anything is written."""
    try:
        validate_scope(cleaned.get("all_sites"), cleaned.get("sites"))
    except ValidationError as error:
        form.add_error("sites", error.message_dict["sites"])


class RoleAssignmentForm(RecordForm):
    """Change the role, scope or end date of someone's assignment (people join by invitation)."""

    def clean(self):
        cleaned = super().clean()
        _check_scope(self, cleaned)
        return cleaned


class InvitationForm(forms.ModelForm):
    """Invite an e-mail address to a role; nothing tells whether the address has an account."""

    class Meta:
        model = Invitation
        fields = ("email", "full_name", "role", "all_sites", "sites", "valid_until")
        help_texts = {"email": "They receive a link to accept; nobody is added without it."}

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.organisation = user, organisation
        if user is not None and organisation is not None:
            scope_choices(self, user, organisation)
        # Sites are picked by type-ahead from the people register's own lookup (same field,
        # same scope): the page never lists every site (issue 11).
        use_lookups(self, lambda name: register_lookup_url("access.roleassignment", name))
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        _check_scope(self, cleaned)
        return cleaned


class AcceptWithPasswordForm(forms.Form):
    """An existing account holder who is not signed in proves it with their password."""

    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={
                                   "autocomplete": "current-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class NewAccountForm(forms.Form):
    """A new person chooses their name and password (Django's password validators apply)."""

    full_name = forms.CharField(label="Full name", max_length=150)
    new_password1 = forms.CharField(
        label="Password", strip=False, help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label="Password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", "The two passwords differ.")
        return cleaned
