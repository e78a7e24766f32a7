"""List pages of the UI and the API; API pages: `limit`/`offset`, at most MAX_LIMIT rows a
page, bad values answered 400.

Decision (issue 10, finding 16 and issue 11's `?limit=5000` at 2.4 s): a `limit` above
MAX_LIMIT is reduced to MAX_LIMIT rather than refused — the answer's `next` link carries on
from there, so a client asking for "everything" still gets it page by page; a `limit` or
`offset` that is not a whole number, is negative (or a zero limit), or lies beyond 64 bits is
refused with 400 naming the parameter, on every database.

Large exports page with `?cursor=` instead (issue 11 item 2): pages in id order, `next` and
`previous` links that stay correct while rows are added, no count and no offset to skip —
each page costs the same however deep it lies.

Both the UI's and the API's pages fetch their rows in two steps (`page_rows`, issue 11 item 4):
the sort carries only the ids, and only the page's rows get their joins and annotations.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, LimitOffsetPagination

from .bounds import INT_MAX, id_or_none

MAX_LIMIT = 500

# The ordering fields that already make a row's place unique.
_BY_ID = {"pk", "-pk", "id", "-id"}


def page_rows(object_list):
    """What a paginator should slice: a queryset of records as `PageRows`, anything else (a
    list, a `values()` queryset, a union) as it is."""
    if isinstance(object_list, QuerySet) and object_list._iterable_class is ModelIterable \
            and not object_list.query.combinator:
        return PageRows(object_list)
    return object_list


class PageRows:
    """A queryset paged as a "deferred join": a page's ids first, then those rows in that order.

    SQLite reads and sorts every row it selects, with every column and join, before it keeps a
    page: the first 25 of 50,000 legs in their sites' order cost 130 ms, page 1,000 of 50,000
    partners with their review state 300 ms (issue 11 item 4; 30 and 40 ms by ids). The page's
    rows then get their joins, annotations and prefetches for themselves only. The id ends the
    ordering, so rows that sort alike keep their place from one page to the next. The count,
    filters and scope are the queryset's own."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        """Rows in all pages."""
        return self.queryset.count()

    def __getitem__(self, window):
        ids = list(self._ids()[window])
        if not ids:
            return []
        rows = {row.pk: row for row in self.queryset.order_by().filter(pk__in=ids)}
        # A row changed out of the filter between the two queries is left out, not an error.
        return [rows[pk] for pk in ids if pk in rows]

    def _ids(self):
        query = self.queryset.query
        ordering = list(query.order_by or (query.get_meta().ordering
                                           if query.default_ordering else ()))
        if not _BY_ID.intersection(o for o in ordering if isinstance(o, str)):
            ordering.append("pk")
        return self.queryset.order_by(*ordering).prefetch_related(None) \
            .values_list("pk", flat=True)


class RecordCursorPagination(CursorPagination):
    """Pages in id order from an opaque cursor; `limit` rows a page (at most MAX_LIMIT)."""

    ordering = "pk"
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT


class RecordPagination(LimitOffsetPagination):
    """Limit/offset pagination with a maximum page size and validated parameters; `?cursor=`
    switches to cursor pages."""

    max_limit = MAX_LIMIT
    cursor_query_param = "cursor"
    _cursor = None

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(page_rows(queryset), request, view)
        for name in ("offset", "ordering"):
            if request.query_params.get(name):
                raise exceptions.ValidationError({name: [
                    "Cursor pages follow the record id; leave out offset and ordering."]})
        limit = self._whole(request, self.limit_query_param, 1)
        self._cursor = RecordCursorPagination()
        self._cursor.page_size = min(limit or self.default_limit, MAX_LIMIT)
        return self._cursor.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._cursor is not None:
            return self._cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = [name for name in schema.get("required", ()) if name != "count"]
        schema["properties"]["count"]["description"] = "Rows in all pages (not on cursor pages)."
        return schema

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
        parameters.append({
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Cursor pages for large exports: send it empty for the first page, "
                           "then follow `next`. Rows in id order, no count; not with offset "
                           "or ordering.",
            "schema": {"type": "string"}})
        return parameters
