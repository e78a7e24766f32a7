from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Policy, security objectives (ISO 28000 6.2) and, later, security plans."""

    name = "chainward.plans"
    label = "plans"
    verbose_name = "Objectives and plans"

    def ready(self):
        from . import registers  # noqa: F401 - declares the registers
