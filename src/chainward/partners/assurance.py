"""Risk-based partner assurance (ISO 28001 4.5): how often and how deeply a non-exempt partner
is checked follows from a partner risk score, and the score says why.

The score adds one contribution per factor (points written in the tables below):

    factor                 finding                                         points
    criticality            low / medium / high / critical                  5 / 15 / 30 / 40
    security programme     valid (AEOS, C-TPAT, TAPA…) / none / expired     -15 / 0 / +10
    questionnaire          accepted, nothing flagged                        0
                           accepted, k answers flagged for follow-up        +5 each, at most +20
                           returned (not accepted)                          +25
                           none answered and accepted yet                   +15
    declaration            the accepted declaration has expired             +10
    incidents              each security incident at the partner in the     +15 each, at most +30
                           last 12 months (its own, or on a leg it carries)

The sum is kept within 0-100 and read in bands: 0-24 low, 25-49 medium, 50-74 high, 75-100 very
high. The band sets the review interval (24, 12, 6, 3 months) — never longer than the
supply-chain rule by criticality and programme (`supplychain.services.review_interval_days`),
which this extends — and the questionnaire depth (a signed declaration, a questionnaire, a
questionnaire with evidence, and a site visit on top).

Why these weights: criticality is the organisation's own judgement of the consequence, so it
weighs most; a valid security programme means an independent body checks the partner, an
expired one that it stopped being checked; what the partner answered — and whether it was
accepted — is the direct evidence; incidents show the controls failing in practice.

Incidents are counted across the whole organisation (a partner's risk is the organisation's
judgement of the partner, the same for every reader); the explanation gives their number only
and never names an incident.

`assess` is pure; `with_assurance` annotates a partner queryset with everything it needs (a few
subqueries, no query per row) and with the score, the interval and the next review date computed
by the database from the same tables (`score_expression`, `interval_expression`), so that a list
can be filtered by "review due" without reading every partner; `assurance_of` reads those
annotations (or loads them for one partner in one query). This is the one definition of when a
partner's review is due: the supply-chain register's column, filter, API fields and dashboard
card, the security plan's path and My work all ask it (`supplychain.services.review_state`,
`review_due_q` and `partners_due_for_review` delegate here). The database's answer and `assess`
are held equal over every combination of the factors (tests/partners/test_assurance_sql.py).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import Exact, In, LessThan
from django.utils import timezone

from chainward.supplychain import choices as sc
from chainward.supplychain.models import Partner
from chainward.supplychain.services import (
    MONTH_DAYS as BASE_MONTH_DAYS,
)
from chainward.supplychain.services import (
    REVIEW_MONTHS,
    REVIEWED_STATUSES,
    ReviewState,
    review_interval_days,
    with_programme_state,
    with_review_basics,
)

from .choices import RequestStatus

CRITICALITY_POINTS = {sc.Criticality.LOW: 5, sc.Criticality.MEDIUM: 15,
                      sc.Criticality.HIGH: 30, sc.Criticality.CRITICAL: 40}
PROGRAMME_POINTS = {"valid": -15, "none": 0, "expired": 10}
QUESTIONNAIRE_NONE, QUESTIONNAIRE_RETURNED = 15, 25
FLAGGED_POINTS, FLAGGED_CAP = 5, 20
DECLARATION_EXPIRED_POINTS = 10
INCIDENT_POINTS, INCIDENT_CAP = 15, 30
INCIDENT_WINDOW = datetime.timedelta(days=365)

# (lowest score, band, review months, questionnaire depth); the bands are BAND_WIDTH wide
# (`interval_expression` relies on it, and a test holds it).
BAND_WIDTH = 25
BANDS = (
    (75, "very high", 3, "Security questionnaire with evidence, and a site visit or audit"),
    (50, "high", 6, "Security questionnaire with evidence for every “yes”"),
    (25, "medium", 12, "Security questionnaire"),
    (0, "low", 24, "Signed security declaration"),
)
MONTH_DAYS = {3: 91, 6: 182, 12: 365, 24: 730}
# How far a band raises the likelihood of ratings on the partner's legs (`risk.likelihood`):
# high → the middle of the scale, very high → one level above it.
LIKELIHOOD_STEPS = {"low": 0, "medium": 0, "high": 1, "very high": 2}


@dataclass(frozen=True)
class Inputs:
    """What the score is computed from, for one partner on one day."""

    criticality: str
    status: str
    exempt: bool
    valid_programme: bool
    expired_programme: bool
    questionnaire: str  # "accepted", "returned" or "none" (the latest reviewed answers)
    flagged: int  # answers flagged for follow-up in the latest accepted answers
    declaration_expired: bool
    incidents: int  # in the last 12 months
    last_reviewed: datetime.date | None = None


@dataclass(frozen=True)
class Factor:
    """One line of the explanation: what was found and what it adds to the score."""

    name: str
    finding: str
    points: int

    def as_dict(self):
        """The factor as the API gives it."""
        return {"factor": self.name, "finding": self.finding, "points": self.points}


@dataclass(frozen=True)
class Assurance:
    """A partner's risk score with its explanation, review interval and questionnaire depth."""

    exempt: bool
    in_use: bool
    score: int | None = None
    band: str = ""
    factors: list = field(default_factory=list)
    interval_days: int | None = None
    base_interval_days: int | None = None
    depth: str = ""
    last_reviewed: datetime.date | None = None
    due_on: datetime.date | None = None
    declaration_expired: bool = False

    @property
    def likelihood_steps(self):
        """0, 1 or 2: how far the band raises the likelihood suggestion of its legs."""
        return 0 if self.score is None else LIKELIHOOD_STEPS[self.band]

    @property
    def declaration_label(self):
        """"expired" when the partner's accepted declaration has expired, else ""."""
        return "expired" if self.declaration_expired else ""

    @property
    def score_label(self):
        """"62 (high)", or why there is no score — for lists."""
        if self.exempt:
            return "exempt"
        return f"{self.score} ({self.band})"

    @property
    def interval_reason(self):
        """Why the review interval is what it is (one sentence)."""
        if self.exempt:
            return "Exempt while its programme status is valid (ISO 28001 4.4): no review."
        if not self.in_use:
            return "Not in use (suspended or terminated): no review until it is used again."
        if self.interval_days < self.base_interval_days:
            return (f"Every {self.interval_days} days for a {self.band} risk score, shorter than "
                    f"the {self.base_interval_days} days by criticality and programme alone.")
        return (f"Every {self.interval_days} days by criticality and programme (a {self.band} "
                f"risk score does not shorten it).")

    def as_dict(self):
        """The assurance as the API gives it."""
        return {"exempt": self.exempt, "score": self.score, "band": self.band or None,
                "factors": [f.as_dict() for f in self.factors],
                "review_interval_days": self.interval_days, "next_review_due_on": self.due_on,
                "questionnaire_depth": self.depth or None,
                "declaration_expired": self.declaration_expired,
                "interval_reason": self.interval_reason}


def _plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def factors(inputs):
    """The score's factors for `inputs`, each with its finding and points."""
    criticality = sc.Criticality(inputs.criticality)
    found = [Factor("criticality", f"rated {criticality.label.lower()}",
                    CRITICALITY_POINTS[criticality])]
    if inputs.valid_programme:
        found.append(Factor("security programme", "a valid security programme status",
                            PROGRAMME_POINTS["valid"]))
    elif inputs.expired_programme:
        found.append(Factor("security programme", "its security programme status expired",
                            PROGRAMME_POINTS["expired"]))
    else:
        found.append(Factor("security programme", "no security programme status",
                            PROGRAMME_POINTS["none"]))
    if inputs.questionnaire == "returned":
        found.append(Factor("questionnaire", "the latest answers were returned, not accepted",
                            QUESTIONNAIRE_RETURNED))
    elif inputs.questionnaire == "accepted":
        found.append(Factor(
            "questionnaire", f"accepted, {_plural(inputs.flagged, 'answer')} flagged for "
            f"follow-up", min(inputs.flagged * FLAGGED_POINTS, FLAGGED_CAP)))
    else:
        found.append(Factor("questionnaire", "no questionnaire answered and accepted yet",
                            QUESTIONNAIRE_NONE))
    if inputs.declaration_expired:
        found.append(Factor("declaration", "the accepted declaration has expired",
                            DECLARATION_EXPIRED_POINTS))
    found.append(Factor("incidents", f"{_plural(inputs.incidents, 'security incident')} in "
                                     "the last 12 months",
                        min(inputs.incidents * INCIDENT_POINTS, INCIDENT_CAP)))
    return found


def band_of(score):
    """(band, review months, questionnaire depth) of a score."""
    for lowest, band, months, depth in BANDS:
        if score >= lowest:
            return band, months, depth
    raise ValueError(score)


class _PartnerLike:
    """What `review_interval_days` reads of a partner."""

    def __init__(self, criticality, status):
        self.criticality, self.status = criticality, status


def assess(inputs):
    """The partner's assurance from `inputs` (pure: no query)."""
    in_use = inputs.status in REVIEWED_STATUSES
    if inputs.exempt:
        return Assurance(exempt=True, in_use=in_use, last_reviewed=inputs.last_reviewed,
                         declaration_expired=inputs.declaration_expired)
    found = factors(inputs)
    score = max(0, min(100, sum(f.points for f in found)))
    band, months, depth = band_of(score)
    base = review_interval_days(_PartnerLike(inputs.criticality, inputs.status),
                                valid_programme=inputs.valid_programme, exempt=False)
    interval = min(base, MONTH_DAYS[months]) if base is not None else None
    due_on = inputs.last_reviewed + datetime.timedelta(days=interval) \
        if interval is not None and inputs.last_reviewed else None
    return Assurance(exempt=False, in_use=in_use, score=score, band=band, factors=found,
                     interval_days=interval, base_interval_days=base, depth=depth,
                     last_reviewed=inputs.last_reviewed, due_on=due_on,
                     declaration_expired=inputs.declaration_expired)


# --- the loader ---------------------------------------------------------------------------------
def _count(queryset):
    """COUNT(*) of `queryset` (filtered with OuterRef) as a subquery expression."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _reviewed_requests():
    from .models import QuestionnaireRequest

    return QuestionnaireRequest.objects.filter(
        partner=OuterRef("pk"), archived=False,
        status__in=(RequestStatus.ACCEPTED, RequestStatus.RETURNED))


def with_assurance(queryset, on=None):
    """Partners annotated with what `assurance_of` reads: the review state and programme
    state of the supply-chain register (added unless present), the latest reviewed
    questionnaire's status and flagged answers, the latest declaration's expiry and the
    incidents of the last 12 months — and, as aliases the database computes from those when a
    filter asks, `assurance_score`, `assurance_interval` (days between reviews, null when none
    is needed) and `review_due_by` (for `review_due_q`)."""
    from chainward.incidents.models import Incident

    from .models import Answer, QuestionnaireRequest

    on = on or timezone.localdate()
    annotations = queryset.query.annotations
    if "assurance_interval" in annotations:
        return queryset
    if "review_exempt" not in annotations:
        queryset = with_review_basics(queryset, on)
    if "programme_expired" not in annotations:
        queryset = with_programme_state(queryset, on)
    latest = _reviewed_requests().order_by("-reviewed_at", "-pk")
    accepted = QuestionnaireRequest.objects.filter(
        partner=OuterRef("pk"), archived=False, status=RequestStatus.ACCEPTED)
    # Nested one level deeper (inside the answers' count): the partner is the outer's outer.
    latest_accepted = QuestionnaireRequest.objects.filter(
        partner=OuterRef(OuterRef("pk")), archived=False, status=RequestStatus.ACCEPTED
    ).order_by("-reviewed_at", "-pk").values("pk")[:1]
    since = datetime.datetime.combine(on - INCIDENT_WINDOW, datetime.time.min,
                                      tzinfo=timezone.get_current_timezone())
    recent = Incident.objects.filter(archived=False, occurred_at__gte=since)
    # The partner's own incidents, and those on a leg it carries that name no (other) partner
    # of theirs twice: two counts, each on an index (an OR of the two read every incident
    # once per partner).
    own = recent.filter(partner=OuterRef("pk"))
    carried = recent.filter(leg__carrier=OuterRef("pk")).exclude(partner=OuterRef("pk"))
    queryset = queryset.annotate(
        assurance_result=Subquery(latest.values("status")[:1]),
        assurance_flagged=_count(Answer.objects.filter(
            request=Subquery(latest_accepted), needs_follow_up=True, archived=False)),
        assurance_valid_until=Subquery(accepted.order_by("-valid_until").values(
            "valid_until")[:1]),
        assurance_incidents=_count(own) + _count(carried))
    # Aliases, not columns: a page reads the inputs above and `assess` computes the rest; the
    # database computes these only where a filter asks (each is written out where it is used).
    queryset = queryset.alias(assurance_score=score_expression(on))
    queryset = queryset.alias(assurance_interval=interval_expression())
    return queryset.alias(review_due_by=AddDays(
        Coalesce(F("review_last"), Value(NEVER_REVIEWED)),
        Coalesce(F("assurance_interval"), Value(NO_REVIEW_DAYS))))


# --- the same rule as SQL -------------------------------------------------------------------------
# `assess` reads the annotations in Python for a page that shows a partner; a list filtered by
# "review due" (100,000 partners) asks the database. Both read the tables above.
FIELDS = {"criticality": "criticality", "status": "status", "exempt": "review_exempt",
          "valid_programme": "review_programme", "expired_programme": "programme_expired",
          "questionnaire": "assurance_result", "flagged": "assurance_flagged",
          "valid_until": "assurance_valid_until", "incidents": "assurance_incidents"}


def _inputs(inputs):
    """The expressions the SQL rule reads: the annotations of `with_assurance`, or (a test)
    other expressions under the same names."""
    return {name: F(field) for name, field in FIELDS.items()} | (inputs or {})


def _mapped(expression, mapping, default):
    """CASE expression WHEN key THEN value ... ELSE default END, for a dict of constants."""
    return Case(*(When(Exact(expression, Value(key)), then=Value(value))
                  for key, value in mapping.items()),
                default=Value(default), output_field=IntegerField())


def score_expression(on, inputs=None):
    """The partner risk score of `assess`, as the database computes it (0-100)."""
    x = _inputs(inputs)
    programme = Case(When(Exact(x["valid_programme"], Value(True)),
                          then=Value(PROGRAMME_POINTS["valid"])),
                     When(Exact(x["expired_programme"], Value(True)),
                          then=Value(PROGRAMME_POINTS["expired"])),
                     default=Value(PROGRAMME_POINTS["none"]), output_field=IntegerField())
    questionnaire = SimpleCase(x["questionnaire"], (
        (Value(RequestStatus.RETURNED), Value(QUESTIONNAIRE_RETURNED)),
        (Value(RequestStatus.ACCEPTED), Least(Coalesce(x["flagged"], Value(0))
                                             * Value(FLAGGED_POINTS), Value(FLAGGED_CAP)))),
        default=Value(QUESTIONNAIRE_NONE))
    declaration = Case(When(LessThan(x["valid_until"], Value(on)),
                            then=Value(DECLARATION_EXPIRED_POINTS)),
                       default=Value(0), output_field=IntegerField())
    incidents = Least(Coalesce(x["incidents"], Value(0)) * Value(INCIDENT_POINTS),
                      Value(INCIDENT_CAP))
    total = (_mapped(x["criticality"], CRITICALITY_POINTS, 0) + programme + questionnaire
             + declaration + incidents)
    return Greatest(Value(0), Least(Value(100), total), output_field=IntegerField())


class SimpleCase(Func):
    """CASE operand WHEN key THEN value ... ELSE default END: the operand (a subquery, the
    score) is read once, where a searched CASE would read it in every WHEN."""

    output_field = IntegerField()

    def __init__(self, operand, whens, default):
        super().__init__(operand, *(e for pair in whens for e in pair), default)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, found = compiler.compile(expression)
            parts.append(sql)
            params.extend(found)
        operand, *pairs, default = parts
        whens = " ".join(f"WHEN {pairs[i]} THEN {pairs[i + 1]}" for i in range(0, len(pairs), 2))
        return f"CASE {operand} {whens} ELSE {default} END", params


def _band_days(score):
    """Days between reviews of a score's band: CASE score / 25 WHEN 0 THEN ... (integer
    division on both databases; 100 / 25 = 4 is the top band too)."""
    bands = {lowest // BAND_WIDTH: MONTH_DAYS[months] for lowest, _, months, _ in BANDS}
    top = max(bands)
    return SimpleCase(score / Value(BAND_WIDTH),
                      [(Value(index), Value(days)) for index, days in sorted(bands.items())
                       if index != top], default=Value(bands[top]))


def interval_expression(inputs=None):
    """Days between reviews as `assess` sets them (null: exempt or not in use): the shorter of
    the supply-chain rule by criticality and programme and the interval of the score's band."""
    x = _inputs(inputs)
    score = x.get("score", F("assurance_score"))
    base = Case(*(When(Exact(x["criticality"], Value(criticality)), then=Case(
        When(Exact(x["valid_programme"], Value(True)), then=Value(BASE_MONTH_DAYS[with_])),
        default=Value(BASE_MONTH_DAYS[without]), output_field=IntegerField()))
        for criticality, (without, with_) in REVIEW_MONTHS.items()),
        default=Value(BASE_MONTH_DAYS[24]), output_field=IntegerField())
    return Case(When(Exact(x["exempt"], Value(True)), then=Value(None)),
                When(In(x["status"], list(REVIEWED_STATUSES)),
                     then=Least(base, _band_days(score))),
                default=Value(None), output_field=IntegerField())


class AddDays(Func):
    """date + days on SQLite and PostgreSQL (null when either is null)."""

    output_field = DateField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)",
                           arg_joiner=" + ", **extra)


# `review_due_by` reads the interval once: a partner never reviewed counts from a day long
# past (so it is due at once), a partner that needs no review (exempt, not in use) adds more
# days than any calendar reaches before the year 4000 (so it never is).
NEVER_REVIEWED = datetime.date(1900, 1, 1)
NO_REVIEW_DAYS = 1_000_000


def review_due_q(on=None):
    """The partners of a `with_assurance` queryset whose review is due on `on` (today): in use,
    not exempt, and never reviewed or past their risk-based interval."""
    on = on or timezone.localdate()
    return Q(review_due_by__lte=on)


def partners_due_for_review(queryset, on=None):
    """The partners of `queryset` whose ISO 28001 4.5 review is due on `on` (today)."""
    return with_assurance(queryset, on).filter(review_due_q(on))


def inputs_of(partner, on=None):
    """The `Inputs` of an annotated partner (`with_assurance`)."""
    on = on or timezone.localdate()
    valid_until = partner.assurance_valid_until
    result = partner.assurance_result
    return Inputs(
        criticality=partner.criticality, status=partner.status,
        exempt=bool(partner.review_exempt), valid_programme=bool(partner.review_programme),
        expired_programme=bool(partner.programme_expired),
        questionnaire=result if result in (RequestStatus.ACCEPTED, RequestStatus.RETURNED)
        else "none",
        flagged=partner.assurance_flagged or 0,
        declaration_expired=valid_until is not None and valid_until < on,
        incidents=partner.assurance_incidents or 0, last_reviewed=partner.review_last)


def _loaded(partner, on):
    """`partner` with the annotations of `with_assurance` (itself when it has them for today)."""
    if hasattr(partner, "assurance_incidents") and on is None:
        return partner
    return with_assurance(Partner._base_manager.filter(pk=partner.pk), on).get()


def assurance_of(partner, on=None):
    """The partner's `Assurance` today: from its annotations (`with_assurance`, no query) or,
    for a partner loaded without them, in one query. Kept on the instance."""
    cached = partner.__dict__.get("_assurance")
    if cached is not None and on is None:
        return cached
    result = assess(inputs_of(_loaded(partner, on), on))
    if on is None:
        partner.__dict__["_assurance"] = result
    return result


def review_state_of(partner, on=None):
    """The partner's `supplychain.services.ReviewState` on `on` (today), by its risk-based
    interval (`assess`)."""
    loaded = _loaded(partner, on)
    inputs = inputs_of(loaded, on)
    found = assess(inputs)
    today = on or timezone.localdate()
    if found.exempt or found.interval_days is None:
        return ReviewState(False, None, inputs.last_reviewed, None, False,
                           inputs.valid_programme, found.exempt)
    return ReviewState(True, found.interval_days, inputs.last_reviewed, found.due_on,
                       found.due_on is None or found.due_on <= today, inputs.valid_programme,
                       False)


# --- questionnaire depth (item 4): what a request asks, against what the score calls for ------
# The depth a band calls for, as a level: 0 a signed declaration, 1 a questionnaire, 2 a
# questionnaire with evidence, 3 the same and a site visit (no template asks a site visit: a
# partner review with the method "site visit" records it).
DEPTH_LEVELS = {"low": 0, "medium": 1, "high": 2, "very high": 3}
TEMPLATE_DEPTHS = ("a signed security declaration", "a security questionnaire",
                   "a security questionnaire with evidence")


def template_depth(template):
    """0, 1 or 2: how deep a request with `template` looks (a declaration; a questionnaire;
    a questionnaire asking evidence for at least one answer)."""
    from .choices import TemplateKind

    if template.kind == TemplateKind.DECLARATION:
        return 0
    asks_evidence = template.questions.filter(archived=False, evidence_required=True).exists()
    return 2 if asks_evidence else 1


def depth_advice(partner, template):
    """A sentence when `template` asks less of `partner` than its risk score calls for (ISO
    28001 4.5: the extent of the check follows from risk), else "". Advice, not a refusal: the
    security manager may have reasons (a site visit booked, evidence held already)."""
    if partner is None or template is None:
        return ""
    found = assurance_of(partner)
    if found.exempt or not found.in_use:
        return ""
    needed, asked = DEPTH_LEVELS[found.band], template_depth(template)
    score = f"{partner}'s risk score is {found.score} ({found.band})"
    if asked >= min(needed, 2):
        return "" if needed < 3 else (f"{score}: it also calls for a site visit or audit; "
                                      "record it as a partner review.")
    wanted = TEMPLATE_DEPTHS[min(needed, 2)] + (" and a site visit or audit" if needed == 3
                                                 else "")
    return f"{score}: it calls for {wanted}; “{template}” asks for {TEMPLATE_DEPTHS[asked]}."


def expired_declaration_partner_ids(user, organisation=None, on=None):
    """Ids of the partners `user` may see (of `organisation`, when given) whose latest accepted
    declaration has expired — one query (for the supply-chain map)."""
    from .models import QuestionnaireRequest

    on = on or timezone.localdate()
    latest = QuestionnaireRequest.objects.filter(
        partner=OuterRef("pk"), archived=False, status=RequestStatus.ACCEPTED).order_by(
        "-valid_until").values("valid_until")[:1]
    partners = Partner.objects.restrict(user, "view").filter(archived=False)
    if organisation is not None:
        partners = partners.filter(organisation=organisation)
    return set(partners.annotate(declaration_until=Subquery(latest))
               .filter(declaration_until__lt=on).values_list("pk", flat=True))


def rating_partner_risks(user, rating):
    """The likelihood source of `risk.likelihood`: the partners `user` may see that a rating
    targets or whose leg it rates (the carrier), with their assurance, when their band raises
    the likelihood."""
    from chainward.risk.likelihood import PartnerRisk

    where = Q()
    if rating.partner_id:
        where |= Q(pk=rating.partner_id)
    if rating.leg_id:
        where |= Q(carried_legs=rating.leg_id)
    if not where:
        return []
    partners = with_assurance(Partner.objects.restrict(user, "view").filter(
        where, organisation_id=rating.organisation_id, archived=False).distinct())
    risks = []
    for partner in partners.order_by("name", "pk"):
        assurance = assurance_of(partner)
        if assurance.likelihood_steps:
            role = "is the rated partner" if partner.pk == rating.partner_id \
                else "carries the rated leg"
            risks.append(PartnerRisk(partner=partner, score=assurance.score,
                                     band=assurance.band, steps=assurance.likelihood_steps,
                                     role=role))
    return risks
