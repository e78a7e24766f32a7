from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Security objectives (ISO 28000 6.2) and security plans (ISO 28001 5.4, ISO 28000 8.6)."""

    name = "chainward.plans"
    label = "plans"
    verbose_name = "Objectives and plans"

    def ready(self):
        from . import pack_sections, registers  # noqa: F401 - registers and pack sections
