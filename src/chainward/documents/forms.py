"""Forms of controlled documents."""

from django import forms

from chainward.core import files
from chainward.core.forms import RecordForm, style_widgets


class NewVersionForm(forms.Form):
    """Upload the file of a new draft version."""

    change_summary = forms.CharField(label="What changed", widget=forms.Textarea(attrs={
        "rows": 2}), required=False)
    file = forms.FileField(label="File", required=False, help_text=(
        "PDF, Word/Excel/PowerPoint, PNG/JPEG/GIF, text or CSV; checked by content."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class EvidenceForm(RecordForm):
    """Evidence of any kind; a file is checked by content before anything is stored."""

    upload = forms.FileField(label="File", required=False, help_text=(
        "For “Uploaded file”: PDF, Office, image, text or CSV; checked by content."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = None
        if "kind" in self.fields:  # the file right below the kind it belongs to
            names = list(self.fields)
            names.remove("upload")
            names.insert(names.index("kind") + 1, "upload")
            self.order_fields(names)
        style_widgets(self)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            # A file was given: if its content is refused, that reason is the error, not the
            # model's "Upload the file" (Evidence.clean), which is for no file at all.
            self.instance._upload_pending = True
            self.checked = files.check_upload(upload, refuse_unsafe_names=True)
        return upload

    def clean(self):
        cleaned = super().clean()
        # The refusal also heads the form, where the eye lands after posting (issue 13 item 12).
        for message in self.errors.get("upload", ()):
            self.add_error(None, message)
        return cleaned

    def before_save(self, actor):
        """Store the checked file and record its hash (inside the saving transaction)."""
        if self.checked is not None:
            from .services import store_evidence_file

            store_evidence_file(self.instance, self.cleaned_data["upload"], self.checked)
