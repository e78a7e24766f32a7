"""The global search: the registers' search fields, over what the user may see, bounded.

One query per register the user may view (the ids of its first HITS matches), one more for the
rows of a register that matches and, only when there are more, one capped count. No filter
form is built: the register's list filter (`?q=`) and this page read the same `search_fields`
from the register's filterset.
"""

from dataclasses import dataclass

from django.db.models import Q

from .pagination import PageRows
from .registry import all_registers

HITS = 10  # records shown per register
COUNT_CAP = 100  # a register with more matches shows "100+"
MAX_QUERY = 100  # characters of the query that are searched


@dataclass
class Result:
    """One register's matches: the first HITS records and how many there are (capped)."""

    register: object
    hits: list
    total: int
    capped: bool = False


def search_fields(register):
    """The ORM lookups the register's `?q=` searches."""
    return tuple(getattr(register.filterset_class, "search_fields", None) or ())


def search(user, organisation, query, only=None):
    """Matches of `query` in every register `user` may view within `organisation` (or in the
    one register whose label is `only`, e.g. "supplychain.partner")."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query or not organisation:
        return []
    results = []
    for register in searchable_registers(only):
        fields = search_fields(register)
        if not user.has_perm(f"{register.app_label}.view_{register.model_name}"):
            continue
        found = _matches(register, user, organisation, fields, query)
        # The ids of the matches first, the rows only where there are some (PageRows): most
        # registers match nothing, and a query of ids alone costs Django about half of one
        # with every column and join — most of the search's time (issue 11 item 3).
        rows = PageRows(found)[:HITS + 1]
        if not rows:
            continue
        hits = rows[:HITS]
        if len(rows) > HITS:
            total = found[:COUNT_CAP + 1].count()
            results.append(Result(register, hits, min(total, COUNT_CAP),
                                  capped=total > COUNT_CAP))
        else:
            results.append(Result(register, hits, len(hits)))
    return results


def searchable_registers(only=None):
    """The registers the search covers: all with search fields, or the one labelled `only`
    (none when `only` names no searchable register)."""
    registers = [r for r in all_registers() if search_fields(r)]
    if only:
        registers = [r for r in registers if r.label == only]
    return registers


def _matches(register, user, organisation, fields, query):
    """Unarchived records of `organisation` the user may view whose search fields contain
    `query`; a field across a to-many relation is a subquery, so no record is repeated."""
    model = register.model
    condition = Q()
    for field in fields:
        lookup = Q(**{f"{field}__icontains": query})
        if _crosses_many(model, field):
            lookup = Q(pk__in=model._base_manager.filter(lookup).values("pk"))
        condition |= lookup
    org_filter = {register.registration.organisation_path: organisation.pk}
    queryset = model.objects.restrict(user, "view").filter(condition, archived=False,
                                                           **org_filter)
    if register.select_related:
        queryset = queryset.select_related(*register.select_related)
    return queryset


def _crosses_many(model, path):
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False
