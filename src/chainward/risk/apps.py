from django.apps import AppConfig


class RiskConfig(AppConfig):
    """ISO 28001 security assessment: matrices, ratings, countermeasures, risk acceptance."""

    name = "chainward.risk"
    label = "risk"
    verbose_name = "Security risk"

    def ready(self):
        from . import (  # noqa: F401 - registers, cards, API action, review input, pack section
            dashboard,
            integrations,
            registers,
            views,
        )
