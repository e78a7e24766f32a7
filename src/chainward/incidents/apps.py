from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """Security incidents, notifications, investigations and the contacts directory
    (ISO 28001 5.7, ISO 28000 7.4, 8.6, 10.2)."""

    name = "chainward.incidents"
    label = "incidents"
    verbose_name = "Security incidents"

    def ready(self):
        # Registers, dashboard cards and My work, the management-review input and the
        # re-assessment trigger of the security assessment; the same for exercises (ISO 28000
        # 8.6), with their evidence-pack section.
        from . import dashboard, registers, review_inputs  # noqa: F401
        from .exercises import dashboard as exercise_dashboard  # noqa: F401
        from .exercises import packs  # noqa: F401
        from .exercises import registers as exercise_registers  # noqa: F401
