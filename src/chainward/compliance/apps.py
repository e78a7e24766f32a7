from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Gap assessments against the library's frameworks, readiness toward certification."""

    name = "chainward.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self):
        from chainward.documents.services import keep_evidence

        from . import (
            evidence,
            path_steps,  # noqa: F401 - steps of the path to certification
            registers,  # noqa: F401 - declares the registers
            services,
        )
        from .models import RequirementStatus

        # The record page's "Attach" and evidence card: the one write and definition.
        keep_evidence(RequirementStatus, attach=services.attach_evidence,
                      read=evidence.status_evidence)
