from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Django app configuration for chainward.access."""

    name = "chainward.access"
    label = "access"
