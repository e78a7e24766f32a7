from django.apps import AppConfig


class ContextConfig(AppConfig):
    """The context of the security management system: legal and other requirements with their
    compliance evaluation, internal and external issues (with the climate decision), interested
    parties and planned changes (ISO 28000 4.1, 4.2, 6.1, 6.3, 9.1)."""

    name = "chainward.context"
    label = "context"
    verbose_name = "Context and obligations"

    def ready(self):
        # Registers, dashboard cards and My work, evidence-pack sections, review inputs.
        from . import (  # noqa: F401
            dashboard,
            evidence_offers,
            pack_sections,
            registers,
            review_inputs,
        )
