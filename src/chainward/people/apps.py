from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Security roles and appointments, competence requirements and training records
    (ISO 28000 5.3, 7.2)."""

    name = "chainward.people"
    label = "people"
    verbose_name = "People and competence"

    def ready(self):
        # Registers, dashboard cards and My work, evidence-pack sections, the review input.
        from . import (  # noqa: F401
            dashboard,
            evidence_offers,
            pack_sections,
            registers,
            review_inputs,
        )
