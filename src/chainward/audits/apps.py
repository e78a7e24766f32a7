from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Audit programme, audits and checklists, findings and corrective action (ISO 28000 9.2,
    10)."""

    name = "chainward.audits"
    label = "audits"
    verbose_name = "Audits and corrective action"

    def ready(self):
        from . import registers  # noqa: F401 - declares the registers
