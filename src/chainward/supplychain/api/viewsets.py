"""API of organisations (creation goes through `services.create_organisation`, superusers and
installation administrators only) and of legs (an end may be a partner's own facility)."""

from django.db import transaction
from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.response import Response

from chainward.core.api import RecordViewSet
from chainward.supplychain import services


class OrganisationViewSet(RecordViewSet):
    """Organisations — the tenants. An installation administrator creates one with its default
    risk matrix and an invitation to its first administrator (`administrator_email`)."""

    def get_serializer_context(self):
        if self.action == "create":
            # A new organisation belongs to no other: no `?organisation=` to resolve.
            context = super(RecordViewSet, self).get_serializer_context()
            context["organisation"] = None
            return context
        return super().get_serializer_context()

    def create(self, request, *args, **kwargs):
        from chainward.access.services import may_create_organisations

        if not may_create_organisations(request.user):
            raise exceptions.PermissionDenied(
                "Only an installation administrator may create organisations.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation, _, _ = services.create_organisation(
            request.user, administrator_email=data["administrator_email"],
            administrator_name=data.get("administrator_name", ""),
            accept_url=lambda secret: request.build_absolute_uri(
                reverse("access:invitation", args=[secret])),
            **{name: data[name] for name in services.ORGANISATION_FIELDS if name in data})
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)


class LegViewSet(RecordViewSet):
    """Legs — movements of goods between nodes. An end may be given as `from_partner` /
    `to_partner` instead of a site: the leg then ends at that partner's own facility, recorded
    on first use in the same transaction as the leg."""

    def _save(self, serializer, expected_version):
        pending = getattr(serializer, "pending_facilities", {})
        with transaction.atomic():
            for site_name, partner in pending.items():
                serializer.validated_data[site_name] = services.partner_facility(
                    self.request.user, partner)
            super()._save(serializer, expected_version)
