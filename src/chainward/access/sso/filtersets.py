"""Filters of the single sign-on provider register."""

from chainward.core.filtersets import RecordFilterSet

from .models import OidcProvider


class OidcProviderFilterSet(RecordFilterSet):
    search_fields = ("name", "email_domains", "reference")

    class Meta:
        model = OidcProvider
        fields = ("q", "archived")

    def related_filters(self):
        return []  # roles are global, not organisation records
