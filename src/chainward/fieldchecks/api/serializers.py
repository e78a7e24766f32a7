"""Workflow request bodies of the field checks API; the fields of each record are declared
once on its register (`registers.py`)."""

from rest_framework import serializers

from chainward.core.bounds import INT_MAX
from chainward.fieldchecks.choices import Outcome, SealEventKind, SignatureRole


class AnswerRequestSerializer(serializers.Serializer):
    """POST body of one answer (JSON, or multipart with a photo)."""

    item = serializers.IntegerField(help_text="The id of an item of the run's template.")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False,
                                      allow_blank=True, default="")
    number = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                      allow_null=True, default=None)
    text = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=500)
    choice = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=500)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class CompleteRequestSerializer(serializers.Serializer):
    """POST body of "complete the run"."""

    version = serializers.IntegerField(required=False)


class SealEventRequestSerializer(serializers.Serializer):
    """POST body of the next step of a seal's life."""

    kind = serializers.ChoiceField(choices=SealEventKind.choices)
    site = serializers.IntegerField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    issued_to = serializers.IntegerField(required=False, allow_null=True, default=None)
    leg = serializers.IntegerField(required=False, allow_null=True, default=None)
    container_number = serializers.CharField(required=False, allow_blank=True, default="",
                                             max_length=60)
    shipment_reference = serializers.CharField(required=False, allow_blank=True, default="",
                                               max_length=100)
    number_read = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=30)
    view_ok = serializers.BooleanField(required=False, allow_null=True, default=None)
    tug_ok = serializers.BooleanField(required=False, allow_null=True, default=None)
    twist_ok = serializers.BooleanField(required=False, allow_null=True, default=None)
    intact = serializers.BooleanField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VerifyArrivalRequestSerializer(serializers.Serializer):
    """POST body of a gate verification: the seal is found by its container."""

    site = serializers.IntegerField(help_text="The arrival site.")
    container_number = serializers.CharField(max_length=60)
    number_read = serializers.CharField(max_length=30)
    view_ok = serializers.BooleanField()
    tug_ok = serializers.BooleanField()
    twist_ok = serializers.BooleanField()
    intact = serializers.BooleanField()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SignRequestSerializer(serializers.Serializer):
    """POST body of a signature: the typed name and the drawn image — multipart with an
    `image` PNG file, or JSON with `image_data`, a `data:image/png;base64,…` URL."""

    role = serializers.ChoiceField(choices=SignatureRole.choices)
    name = serializers.CharField(max_length=200)
    image = serializers.FileField(required=False, allow_null=True, default=None)
    image_data = serializers.CharField(required=False, allow_blank=True, default="")


class GateTimeRequestSerializer(serializers.Serializer):
    """POST body of "sign out" / "returned": the time (now when left out)."""

    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MeasureObjectiveRequestSerializer(serializers.Serializer):
    """POST body of "record the check completion rate as an objective's measurement"."""

    objective = serializers.IntegerField(min_value=1, max_value=INT_MAX,
                                         help_text="The id of a security objective.")
    measured_on = serializers.DateField(required=False, allow_null=True, default=None)


class SyncAnswerSerializer(serializers.Serializer):
    """One answer of an offline run; its photo is the multipart file `photo-<item>`."""

    item = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False,
                                      allow_blank=True, default="")
    number = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                      allow_null=True, default=None)
    text = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=500)
    choice = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=500)


class SyncRunRequestSerializer(serializers.Serializer):
    """POST body of a run recorded offline (multipart): the run's fields, `answers` as JSON,
    the photos as `photo-<item id>` files, the signatures as `<role>_name` and a
    `<role>_image` PNG file (or `<role>_image_data`, a PNG data URL)."""

    client_uuid = serializers.UUIDField(help_text="The id the phone gave the run.")
    template = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    template_revision = serializers.CharField(
        max_length=64, help_text="The template's revision on the page the run was recorded "
                                 "with (a different one is a conflict).")
    site = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    recorded_by = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, required=False, allow_null=True, default=None,
        help_text="The id of the person signed in when the phone saved the run: a run saved "
                  "by someone else is a conflict, never sent in the sender's name.")
    leg = serializers.IntegerField(min_value=1, max_value=INT_MAX, required=False,
                                   allow_null=True, default=None)
    shipment_reference = serializers.CharField(required=False, allow_blank=True, default="",
                                               max_length=100)
    vehicle_registration = serializers.CharField(required=False, allow_blank=True,
                                                 default="", max_length=60)
    container_number = serializers.CharField(required=False, allow_blank=True, default="",
                                             max_length=60)
    seal_numbers = serializers.CharField(required=False, allow_blank=True, default="",
                                         max_length=300)
    performed_at = serializers.DateTimeField()
    location_consent = serializers.BooleanField(required=False, default=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                        allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                         allow_null=True, default=None)
    location_accuracy = serializers.DecimalField(max_digits=8, decimal_places=1,
                                                 required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    answers = serializers.JSONField(binary=True, help_text="[{\"item\": 7, \"outcome\": "
                                                           "\"fail\", \"note\": \"…\"}, …]")
    inspector_name = serializers.CharField(required=False, allow_blank=True, default="",
                                           max_length=200)
    inspector_image = serializers.FileField(required=False, allow_null=True, default=None)
    inspector_image_data = serializers.CharField(required=False, allow_blank=True, default="")
    driver_name = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=200)
    driver_image = serializers.FileField(required=False, allow_null=True, default=None)
    driver_image_data = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_answers(self, value):
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError("Send the answers as a JSON list, one per item.")
        body = SyncAnswerSerializer(data=value, many=True)
        body.is_valid(raise_exception=True)
        return body.validated_data
