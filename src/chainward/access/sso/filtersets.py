"""Filters of the single sign-on provider registers."""

from chainward.core.filtersets import RecordFilterSet

from .models import OidcProvider, SamlProvider


class ProviderFilterSet(RecordFilterSet):
    search_fields = ("name", "email_domains", "reference")

    def related_filters(self):
        return []  # roles are global, not organisation records


class OidcProviderFilterSet(ProviderFilterSet):
    class Meta:
        model = OidcProvider
        fields = ("q", "archived")


class SamlProviderFilterSet(ProviderFilterSet):
    class Meta:
        model = SamlProvider
        fields = ("q", "archived")
