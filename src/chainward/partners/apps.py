from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partner assurance without accounts (ISO 28001 4.2, 4.5; C-TPAT 3.x; AEO): questionnaire
    templates, requests by one-time link, signed answers, review and follow-up."""

    name = "chainward.partners"
    label = "partners"
    verbose_name = "Partner assurance"

    def ready(self):
        # Registers (and the partner page's panel), My work / digest section.
        from . import dashboard, registers  # noqa: F401
