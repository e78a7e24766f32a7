from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Security objectives (ISO 28000 6.2) and security plans (ISO 28001 5.4, ISO 28000 8.6)."""

    name = "chainward.plans"
    label = "plans"
    verbose_name = "Objectives and plans"

    def ready(self):
        from . import (  # noqa: F401 - registers and pack sections
            pack_sections,
            path_steps,  # noqa: F401 - steps of the path to certification
            registers,
        )
