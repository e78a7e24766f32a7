from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """One notification service for the whole product: in-app notifications, immediate mail
    where it matters, the daily digest of what falls due, preferences and unsubscribing."""

    name = "chainward.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # My work / digest sections of the apps whose due dates had only a dashboard card.
        from . import due  # noqa: F401
