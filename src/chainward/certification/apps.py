from django.apps import AppConfig


class CertificationConfig(AppConfig):
    """Management review (ISO 28000 9.3), the certification cycle and the auditor's evidence
    pack."""

    name = "chainward.certification"
    label = "certification"
    verbose_name = "Review and certification"

    def ready(self):
        from . import (  # noqa: F401 - registers, cards, review inputs, pack sections, task
            dashboard,
            evidence_pack,
            inputs_builtin,
            pack_builtin,
            path_steps,
            registers,
        )
