from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Django app configuration for chainward.jobs."""

    name = "chainward.jobs"
    label = "jobs"
