"""The provider form: the client secret is written, never shown (kept apart from the record,
sealed)."""

from django import forms

from chainward.core.forms import RecordForm


class OidcProviderForm(RecordForm):
    """Configure the organisation's OpenID Connect provider; every rule is in
    sso.services.check_provider (run on save, shown on the fields)."""

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="As the provider issued it. Never shown again; leave empty to keep the "
        "stored one.",
    )

    def clean(self):
        cleaned = super().clean()
        # Checked (sso.services.check_client_secret) and stored sealed by the register's
        # after_save, in the same transaction as the record — as for the API.
        self.instance._new_client_secret = cleaned.get("client_secret") or ""
        return cleaned
