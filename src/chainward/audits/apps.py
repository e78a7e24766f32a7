from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Audit programme, audits and checklists, findings and corrective action (ISO 28000 9.2,
    10)."""

    name = "chainward.audits"
    label = "audits"
    verbose_name = "Audits and corrective action"

    def ready(self):
        from django.db.models.signals import post_save

        # Registers, dashboard cards, evidence-pack sections and management-review inputs.
        from . import (  # noqa: F401
            dashboard,
            pack_sections,
            path_steps,  # noqa: F401 - steps of the path to certification
            registers,
            review_inputs,
        )
        from .models import Finding

        post_save.connect(_finding_saved, sender=Finding, dispatch_uid="audits:finding_capa")


def _finding_saved(sender, instance, raw=False, **kwargs):
    """A saved major/minor nonconformity opens its corrective action (once), whatever saved it."""
    if raw:
        return
    from .services import open_corrective_action_for

    open_corrective_action_for(instance)
