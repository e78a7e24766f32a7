from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Django app configuration for chainward.core."""

    name = "chainward.core"
    label = "core"
