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
        style_widgets(self)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.checked = files.check_upload(upload, refuse_unsafe_names=True)
            self.instance._upload_pending = True
        return upload

    def before_save(self, actor):
        """Store the checked file and record its hash (inside the saving transaction)."""
        if self.checked is None:
            return
        upload = self.cleaned_data["upload"]
        evidence = self.instance
        evidence.file = files.store(upload, self.checked, folder="evidence")
        evidence.filename, evidence.content_type = self.checked.safe_name, \
            self.checked.content_type
        evidence.size, evidence.sha256 = self.checked.size, self.checked.sha256
        evidence.kind = "file"
        evidence._new_file = True
