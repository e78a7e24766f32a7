from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Gap assessments against the library's frameworks, readiness toward certification."""

    name = "chainward.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self):
        from . import (
            path_steps,  # noqa: F401 - steps of the path to certification
            registers,  # noqa: F401 - declares the registers
        )
