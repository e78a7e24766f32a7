"""Serializer overrides of the documents API: evidence takes its file as `upload`."""

from rest_framework import serializers

from chainward.core import files
from chainward.core.api import RecordSerializer


class EvidenceSerializer(RecordSerializer):
    """Evidence over the API; a file is sent as `upload` (multipart) and checked by content
    exactly as in the form: a refused file is a 400 naming the reason under `upload`."""

    upload = serializers.FileField(
        write_only=True, required=False,
        help_text="For kind “file”: PDF, Office, image, text or CSV, sent as multipart form "
                  "data; checked by content before anything is stored.")

    def validate_upload(self, upload):
        if upload:
            # UploadRefused is a ValidationError: DRF reports its message under `upload`, and
            # validate() (the model's "Upload the file") never runs for a refused file.
            self._checked = files.check_upload(upload, refuse_unsafe_names=True)
        return upload

    def validate(self, attrs):
        if attrs.get("upload"):
            # A file was given and accepted: the model's "Upload the file" does not apply.
            attrs["_upload_pending"] = True
        return super().validate(attrs)

    def before_save(self, user, evidence):
        """Store the checked upload as `evidence`'s file (`core.api`, inside save_record's
        transaction)."""
        upload = self.validated_data.get("upload")
        checked = getattr(self, "_checked", None)
        if upload and checked is not None:
            from chainward.documents.services import store_evidence_file

            store_evidence_file(evidence, upload, checked)
