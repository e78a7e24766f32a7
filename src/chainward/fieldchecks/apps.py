from django.apps import AppConfig


class FieldChecksConfig(AppConfig):
    """Field checks: conveyance, container and seal inspections and the seal register
    (C-TPAT MSC, ISO 17712; ISO 28000 8.1, 9.1)."""

    name = "chainward.fieldchecks"
    label = "fieldchecks"
    verbose_name = "Field checks"

    def ready(self):
        # Registers, and the dashboard card and My work section of scheduled checks.
        from . import dashboard, registers  # noqa: F401
