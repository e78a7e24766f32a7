from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Documented information: evidence now; controlled documents and files next."""

    name = "chainward.documents"
    label = "documents"
    verbose_name = "Documents and evidence"

    def ready(self):
        from . import dashboard, registers  # noqa: F401 - declares registers and cards
