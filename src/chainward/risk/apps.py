from django.apps import AppConfig


class RiskConfig(AppConfig):
    """ISO 28001 security assessment: matrices, ratings, countermeasures, risk acceptance."""

    name = "chainward.risk"
    label = "risk"
    verbose_name = "Security risk"

    def ready(self):
        from . import registers  # noqa: F401 - declares the registers
