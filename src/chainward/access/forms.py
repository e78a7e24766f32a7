"""The administrator's form for giving someone a role."""

import secrets

from django import forms
from django.contrib.auth.password_validation import validate_password

from chainward.core.forms import RecordForm, require_sites_or_whole_organisation

from .models import User


class RoleAssignmentForm(RecordForm):
    """Assign a role by e-mail; an unknown e-mail gets an account with a one-time password."""

    email = forms.EmailField(label="E-mail", help_text="An account is created if none exists.")
    full_name = forms.CharField(label="Full name", max_length=150, required=False)

    field_order = ("email", "full_name", "role", "all_sites", "sites", "valid_until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = ""
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            self.fields["full_name"].initial = self.instance.user.full_name
            self.fields["full_name"].disabled = True

    def clean(self):
        cleaned = super().clean()
        require_sites_or_whole_organisation(
            self, cleaned, "Choose the sites, or tick “whole organisation”.")
        return cleaned

    def before_save(self, actor):
        """Link the assignment to the person, creating their account when needed."""
        if self.instance.pk:
            return
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            validate_password(password)
            user = User.objects.create_user(email, password,
                                            full_name=self.cleaned_data.get("full_name", ""))
            self.notice = (f"Created the account {email} with the one-time password {password} "
                           "— pass it on securely; it is not shown again.")
        self.instance.user = user
