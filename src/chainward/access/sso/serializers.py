"""The OpenID Connect provider over the API: the client secret is written, never read back
(stored sealed and apart from the record by the register's after_save, as from the form)."""

from rest_framework import serializers

from chainward.core.api import RecordSerializer


class OidcProviderSerializer(RecordSerializer):
    # No docstring: the OpenAPI description stays the base one.
    client_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        style={"input_type": "password"},
        help_text="As the provider issued it; required when creating. Never returned; leave "
        "it out to keep the stored one.",
    )

    def validate(self, attrs):
        # Not a field of the record: handed to the register's after_save by before_save.
        self._new_client_secret = attrs.pop("client_secret", "")
        return super().validate(attrs)

    def before_save(self, user, instance):
        """Hand the new secret (if any) to the register's after_save, in the same transaction."""
        instance._new_client_secret = getattr(self, "_new_client_secret", "")
