"""The likelihood suggestion of a risk rating (ISO 28001 5.3), so that the assessment learns from
what happened (ISO 28001 5.7, actions after a security incident). Occurrences of the rating's
threat scenario at its target in the last 12 months set a floor under the likelihood; the
assessor rates at or above it, or says why not.

The rule (`floor_for`), on the matrix's likelihood scale of n ascending levels:

    occurrences in the last 12 months      likelihood at least
    0                                       no suggestion
    1                                       the middle level        (scale[n // 2])
    2 or more                               one above the middle    (scale[min(n // 2 + 1, n - 1)])

On the default 5-level scale that is 3 Possible ("once in 1-5 years": it happened this year) and
4 Likely ("about once a year": it happened more than once). The top level stays a judgement.

Occurrences come from the apps that record them (`occurrence_source`: security incidents), so
that risk does not depend on them; each source returns what the reader may see, so the
explanation never names a record its reader may not open.

The partner factor: a partner whose risk score under partner assurance is high raises the
floor of the ratings on the legs it carries (and of ratings of the partner itself) to the
middle level, a very high one to one above the middle — the same two steps as one and two
occurrences. The scores come from `partner_risk_source` (the partners app), for the partners
the reader may see; the higher of the two floors is the suggestion.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .levels import scale_name

WINDOW = datetime.timedelta(days=365)
RULE = ("one occurrence of the scenario at this target in the last 12 months → at least the "
        "middle of the likelihood scale; two or more → one level above the middle")

PARTNER_RULE = ("a partner with a high risk score → at least the middle of the likelihood "
                "scale; very high → one level above the middle")

# `func(user, rating, since) -> list of records` (each with `reference`, `occurred_at` and
# `get_absolute_url()`), registered by the apps that record occurrences.
_sources = []


def occurrence_source(func):
    """Register `func(user, rating, since)`: records realising the rating's scenario at its
    target since `since` (a datetime), as `user` may see them."""
    _sources.append(func)
    return func


# `func(user, rating) -> list of PartnerRisk`, registered by the partners app.
_partner_sources = []


def partner_risk_source(func):
    """Register `func(user, rating)`: the partners `user` may see whose risk score raises the
    rating's likelihood (the carrier of its leg, or its own partner), as `PartnerRisk`s."""
    _partner_sources.append(func)
    return func


@dataclass(frozen=True)
class PartnerRisk:
    """A partner whose risk score raises a rating's likelihood: 1 step to the middle of the
    scale (high), 2 to one above it (very high)."""

    partner: object  # with `name`, `reference` and `get_absolute_url()`
    score: int
    band: str
    steps: int
    role: str  # "carries the rated leg", "is the rated partner"

    def explanation(self, minimum_name):
        """One sentence: the partner, its score and the floor it sets (ISO 28001 4.5)."""
        return (f"{self.partner.name} ({self.partner.reference}), which {self.role}, has a "
                f"partner risk score of {self.score} ({self.band}) from its partner assurance "
                f"(ISO 28001 4.5) → at least {minimum_name}.")


@dataclass(frozen=True)
class LikelihoodSuggestion:
    """A floor under a rating's likelihood and why."""

    minimum: int  # a value of the matrix's likelihood scale
    minimum_name: str  # "3 (Possible)"
    occurrences: list = field(default_factory=list)
    since: datetime.date | None = None
    current: int | None = None
    # (PartnerRisk, the floor's name) of partners whose score raises the floor.
    partners: list = field(default_factory=list)
    incident_minimum_name: str = ""  # the incidents' floor, when the partners' is higher

    @property
    def below(self) -> bool:
        """The rating's likelihood is missing or lower than the suggestion."""
        return self.current is None or self.current < self.minimum

    @property
    def explanation(self) -> str:
        """The occurrences counted and the rule; then each partner whose score raises the
        floor, and the partner rule."""
        parts = []
        count = len(self.occurrences)
        if count:
            noun = "security incident" if count == 1 else "security incidents"
            refs = ", ".join(o.reference for o in self.occurrences)
            floor = self.incident_minimum_name or self.minimum_name
            parts.append(f"{count} {noun} realising this scenario at this target since "
                         f"{self.since:%Y-%m-%d} ({refs}) → likelihood at least {floor}. "
                         f"Rule: {RULE}.")
        if self.partners:
            parts += [risk.explanation(name) for risk, name in self.partners]
            parts.append(f"Partner rule: {PARTNER_RULE}.")
        return " ".join(parts)

    def as_dict(self) -> dict:
        """The suggestion as the API gives it."""
        return {"minimum": self.minimum, "minimum_name": self.minimum_name,
                "current": self.current, "below": self.below, "since": self.since,
                "explanation": self.explanation,
                "occurrences": [{"reference": o.reference, "url": o.get_absolute_url(),
                                 "occurred_at": o.occurred_at} for o in self.occurrences],
                "partners": [{"reference": r.partner.reference, "name": r.partner.name,
                              "url": r.partner.get_absolute_url(), "score": r.score,
                              "band": r.band, "minimum_name": name}
                             for r, name in self.partners]}


def floor_for(scale, count):
    """The likelihood value the rule sets for `count` occurrences on `scale` (None: none)."""
    values = [lv["value"] for lv in scale]
    if not count or not values:
        return None
    middle = len(values) // 2
    return values[middle] if count == 1 else values[min(middle + 1, len(values) - 1)]


def suggest_likelihood(user, rating, today=None):
    """The likelihood suggestion of `rating` as `user` sees it, or None when nothing that
    user may see happened and no partner they may see raises it. Called by the rating page,
    its form, the API and the demo."""
    if rating.pk is None or not rating.assessment_id:
        return None
    today = today or timezone.localdate()
    since = today - WINDOW
    start = datetime.datetime.combine(since, datetime.time.min,
                                      tzinfo=timezone.get_current_timezone())
    found = {}
    for source in _sources:
        for record in source(user, rating, start):
            found[(type(record), record.pk)] = record
    occurrences = sorted(found.values(), key=lambda o: (o.occurred_at, o.reference))
    scale = rating.assessment.matrix.likelihood_levels
    by_incidents = floor_for(scale, len(occurrences))
    partners = []
    for source in _partner_sources:
        for risk in source(user, rating):
            floor = floor_for(scale, risk.steps)
            if floor is not None:
                partners.append((risk, floor))
    floors = [f for _risk, f in partners] + ([by_incidents] if by_incidents is not None else [])
    if not floors:
        return None
    minimum = max(floors)
    incident_name = scale_name(scale, by_incidents) \
        if by_incidents is not None and by_incidents != minimum else ""
    return LikelihoodSuggestion(minimum=minimum, minimum_name=scale_name(scale, minimum),
                                occurrences=occurrences, since=since,
                                current=rating.likelihood,
                                partners=[(r, scale_name(scale, f)) for r, f in partners],
                                incident_minimum_name=incident_name)
