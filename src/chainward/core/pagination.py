"""API pages: `limit`/`offset`, at most MAX_LIMIT rows a page, bad values answered 400.

Decision (issue 10, finding 16 and issue 11's `?limit=5000` at 2.4 s): a `limit` above
MAX_LIMIT is reduced to MAX_LIMIT rather than refused — the answer's `next` link carries on
from there, so a client asking for "everything" still gets it page by page; a `limit` or
`offset` that is not a whole number, is negative (or a zero limit), or lies beyond 64 bits is
refused with 400 naming the parameter, on every database.
"""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination

from .bounds import INT_MAX, id_or_none

MAX_LIMIT = 500


class RecordPagination(LimitOffsetPagination):
    """Limit/offset pagination with a maximum page size and validated parameters."""

    max_limit = MAX_LIMIT

    @property
    def default_limit(self):
        return settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)

    def _whole(self, request, name, minimum):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        value = id_or_none(raw)
        if value is None or value < minimum or value > INT_MAX:
            raise exceptions.ValidationError(
                {name: [f"Give a whole number from {minimum} to {INT_MAX}."]})
        return value

    def get_limit(self, request):
        limit = self._whole(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self._whole(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            name = parameter["name"]
            if name == self.limit_query_param:
                parameter["description"] = (
                    f"Rows per page, {self.default_limit} by default; at most {MAX_LIMIT} "
                    f"(a larger value is reduced to {MAX_LIMIT}).")
                parameter["schema"].update(minimum=1, maximum=INT_MAX, format="int64")
            elif name == self.offset_query_param:
                parameter["schema"].update(minimum=0, maximum=INT_MAX, format="int64")
        return parameters
