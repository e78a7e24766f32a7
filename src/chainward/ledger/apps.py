from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """The tamper-evident ledger."""

    name = "chainward.ledger"
    label = "ledger"

    def ready(self):
        from django.contrib.auth import signals as auth_signals

        from . import events, signals

        signals.connect()
        auth_signals.user_logged_in.connect(events.on_login, dispatch_uid="ledger:login")
        auth_signals.user_logged_out.connect(events.on_logout, dispatch_uid="ledger:logout")
