from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """Standards as data: catalogue libraries, frameworks, requirements and mappings."""

    name = "chainward.library"
    label = "library"
    verbose_name = "Library"
