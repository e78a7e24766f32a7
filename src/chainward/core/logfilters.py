"""Logging filters wired in `settings.LOGGING`."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (403) is logged as its one warning line, without the traceback Django
    attaches (issue 13 item 12): refusals are expected answers — a role, a scope, a record's
    state — and a traceback for each would bury the real errors in the log."""

    def filter(self, record):
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
