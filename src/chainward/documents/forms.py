"""Forms of controlled documents."""

from django import forms

from chainward.core.forms import style_widgets


class NewVersionForm(forms.Form):
    """Upload the file of a new draft version."""

    change_summary = forms.CharField(label="What changed", widget=forms.Textarea(attrs={
        "rows": 2}), required=False)
    file = forms.FileField(label="File", required=False, help_text=(
        "PDF, Word/Excel/PowerPoint, PNG/JPEG/GIF, text or CSV; checked by content."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
