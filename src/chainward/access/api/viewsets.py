"""API of people and roles: the generic register API, with the last-administrator rule as 409."""

from chainward.access.services import LastAdministrator
from chainward.core.api import ConflictError, RecordViewSet


class RoleAssignmentViewSet(RecordViewSet):
    """Role assignments — created by invitation in the UI; read, changed and archived here."""

    def handle_exception(self, exc):
        if isinstance(exc, LastAdministrator):
            exc = ConflictError({"detail": exc.messages[0], "code": "last_administrator"})
        return super().handle_exception(exc)
