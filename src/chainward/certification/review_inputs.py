"""Inputs of the management-review pack (ISO 28000 9.3.2), contributed by the apps.

A review input is a function `func(organisation, user) -> dict` registered with
`@review_input(key, title, order)`. `services.compile_pack` runs every registered input for the
organisation *as the compiling user sees it* (use `Model.objects.restrict(user, "view")`) and
stores the results in the review's snapshot; the snapshot is never recomputed.

The dict must be JSON-serialisable (dates as ISO strings) and may hold:

    {
        "figures": [{"key": "open", "label": "Open actions", "value": 3}, ...],
        "rows": [{"text": "MRA-0002 Replace the fence", "detail": "due 2026-10-01",
                  "url": "/certification/review-actions/2/"}, ...],   # at most ~25
        "url": "/certification/review-actions/?status=open",          # the full list
        "note": "free text shown under the figures",
        "lists": [{"key": "open", "title": "Open corrective actions", "rows": [...],
                   "total": 31, "more": True, "empty": "None open."}, ...],
    }

A figure may carry a "unit" shown after its value ("%" for readiness). `lists` name the
records behind the figures (by reference) in titled groups; `inputs_builtin.listing` builds
one from a queryset with a fixed number of queries.

Another app adds one in its own module, imported from its `AppConfig.ready()`:

    # chainward/risk/review_inputs.py
    from chainward.certification.review_inputs import review_input

    @review_input("risks", "Interested-party requirements and risks", order=30)
    def risks(organisation, user):
        visible = Risk.objects.restrict(user, "view").filter(organisation=organisation,
                                                             archived=False)
        return {"figures": [{"key": "high", "label": "High risks",
                             "value": visible.filter(level="high").count()}]}

Keys listed in `EXPECTED` (the ISO 28000 9.3.2 topics other apps will cover) appear in the
pack as "Not yet available in this installation" until an input with that key is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewInput:
    key: str
    title: str
    order: int
    func: Callable


_inputs: dict[str, ReviewInput] = {}

# ISO 28000 9.3.2 inputs the certification app does not compute itself (key -> title, order).
EXPECTED = {
    "risks": ("Interested-party requirements, risks and opportunities", 30),
    "audits": ("Audit results", 50),
    "nonconformities": ("Nonconformities and corrective actions", 52),
    "incidents": ("Security incidents", 55),
    "improvement": ("Opportunities for improvement", 90),
}


def review_input(key, title, order=100):
    """Register `func(organisation, user) -> dict` as the review input `key`.

    Registering the same key again replaces the earlier function (a reload, or an app taking
    over a topic).
    """
    def decorate(func):
        _inputs[key] = ReviewInput(key, title, order, func)
        return func
    return decorate


def registered_inputs():
    """Every registered input, in order."""
    return sorted(_inputs.values(), key=lambda i: (i.order, i.key))


def placeholders():
    """Expected ISO 28000 9.3.2 topics nobody has contributed yet: [(key, title, order)]."""
    return [(key, title, order) for key, (title, order) in EXPECTED.items()
            if key not in _inputs]
