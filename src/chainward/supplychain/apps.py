from django.apps import AppConfig


class SupplychainConfig(AppConfig):
    """The supply-chain register: organisation, sites, partners, legs, goods, scope."""

    name = "chainward.supplychain"
    label = "supplychain"
    verbose_name = "Supply chain"

    def ready(self):
        from . import dashboard, registers  # noqa: F401 - declares the registers and cards
