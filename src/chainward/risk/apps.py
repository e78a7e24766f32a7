from django.apps import AppConfig


class RiskConfig(AppConfig):
    """ISO 28001 security assessment: matrices, ratings, countermeasures, risk acceptance."""

    name = "chainward.risk"
    label = "risk"
    verbose_name = "Security risk"

    def ready(self):
        # Registers, dashboard cards, the review input and the evidence-pack section.
        from . import (  # noqa: F401
            dashboard,
            integrations,
            path_steps,  # noqa: F401 - steps of the path to certification
            registers,
        )
