"""Supply-chain rules: exempt partners (ISO 28001 4.4) and partner reviews (ISO 28001 4.5).

One function answers each question, and every page, API field, filter, dashboard card and
other app asks it here:

- `exemption_in_force` / `in_force_q` / `exempt_partners` — is this exemption in force today,
  and which partners are exempt from the assessment (the risk app asks `exempt_partners`);
- `check_exemption` — may this exemption be recorded (the model's `clean` for forms, the API
  and imports; the exemption register's `after_save` for every `save_record`);
- `review_state` / `with_review_state` / `review_due_q` / `partners_due_for_review` — when is
  a partner's next review due: by the risk-based interval of partner assurance
  (`partners.assurance`, which extends the rule by criticality and programme written here,
  `review_interval_days`); these delegate to it so that there is one answer everywhere;
- `create_organisation` — a new organisation with its catalogues, default risk matrix and
  first administrator's invitation (the page, the API and `chainward init`);
- `partner_facility` — the node a leg reaches when it ends at a partner's own premises.
"""

import datetime
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from chainward.core.services import save_record
from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from . import choices
from .models import Exemption, Organisation, Partner, PartnerReview, ProgrammeStatus, Site


def _today(on):
    return on or timezone.localdate()


# --- exemptions (ISO 28001 4.4) ------------------------------------------------------------------
def _programme_name(status):
    return f"programme status {status.identifier or status.reference} ({status})"


def programme_problem(status, on=None):
    """Why a programme status is not valid on `on` (today), or "" when it is."""
    on = _today(on)
    if status.archived:
        return f"{_programme_name(status)} is archived"
    if status.valid_from and status.valid_from > on:
        return f"{_programme_name(status)} is valid only from {status.valid_from.isoformat()}"
    if status.valid_until and status.valid_until < on:
        return f"{_programme_name(status)} expired on {status.valid_until.isoformat()}"
    return ""


def exemption_lapse_reason(exemption, on=None):
    """Why the exemption is not in force on `on` (today), or "" while it is.

    An exemption holds only while the programme status it rests on is valid: the programme's
    validation is the reason the partner needs no declaration or assessment of its own.
    """
    on = _today(on)
    if exemption.archived:
        return "the exemption is archived"
    if exemption.valid_until and exemption.valid_until < on:
        return f"the exemption itself ran until {exemption.valid_until.isoformat()}"
    if exemption.programme_status_id is None:
        return "the exemption rests on no programme status"
    return programme_problem(exemption.programme_status, on)


def exemption_in_force(exemption, on=None):
    """Is this exemption in force on `on` (today)? The one answer used everywhere."""
    return exemption_lapse_reason(exemption, on) == ""


def in_force_q(on=None, prefix=""):
    """`exemption_in_force` as a filter on exemptions (`prefix` e.g. "exemptions__")."""
    on = _today(on)
    p = prefix
    return (Q(**{f"{p}archived": False})
            & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": on}))
            & Q(**{f"{p}programme_status__isnull": False,
                   f"{p}programme_status__archived": False})
            & (Q(**{f"{p}programme_status__valid_from__isnull": True})
               | Q(**{f"{p}programme_status__valid_from__lte": on}))
            & (Q(**{f"{p}programme_status__valid_until__isnull": True})
               | Q(**{f"{p}programme_status__valid_until__gte": on})))


def exempt_partners(statement, on=None):
    """Partners exempt from the assessment under `statement` on `on` (today).

    A partner whose exemption has lapsed is not among them: it is back in the assessment's
    scope and needs its declaration, review and ratings like any other partner.
    """
    exemptions = Exemption.objects.filter(in_force_q(on), statement=statement)
    return Partner.objects.filter(pk__in=exemptions.values("partner_id"))


def _link(exemption):
    return (exemption.partner_id, exemption.programme_status_id, exemption.basis)


def _relinked(exemption):
    """Whether the exemption is new or now rests on another partner, status or basis."""
    if exemption._state.adding or exemption.pk is None:
        return True
    loaded = getattr(exemption, "_loaded_link", None)
    if loaded is None:  # built, not loaded (the API's validation probe): ask the database
        loaded = Exemption._base_manager.filter(pk=exemption.pk).values_list(
            "partner_id", "programme_status_id", "basis").first()
    return loaded != _link(exemption)


def check_exemption(exemption, on=None, *, created=False):
    """Refuse an exemption that does not rest on a valid programme status of its partner.

    The programme status must belong to the partner and support the basis (a C-TPAT basis on
    a C-TPAT status; AEOC alone, a customs simplification, supports none). When the exemption
    is created, or moved to another partner, status or basis, there must be a status and it
    must be valid today (issue 13 item 10); an exemption whose status expires later, or one
    recorded before exemptions named their status, is not refused when it is edited: it shows
    as lapsed.
    """
    errors = {}
    status = exemption.programme_status if exemption.programme_status_id else None
    relinked = created or _relinked(exemption)
    if status is None:
        if relinked:  # one recorded before the link existed shows as lapsed until relinked
            errors["programme_status"] = (
                "Choose the programme status the exemption rests on (ISO 28001 4.4: a partner "
                "is exempt because a recognised programme validated it); record the partner's "
                "AEO, C-TPAT or other status under Programme statuses first.")
    elif exemption.partner_id and status.partner_id != exemption.partner_id:
        errors["programme_status"] = (f"{status} is not a programme status of "
                                      f"{exemption.partner}; choose one of that partner's.")
    else:
        allowed = choices.EXEMPTION_PROGRAMMES.get(exemption.basis, ())
        if exemption.basis and status.programme not in allowed:
            errors["basis"] = (
                f"{status.get_programme_display()} does not support an exemption on the basis "
                f"“{exemption.get_basis_display()}”; choose the basis the status proves.")
        if relinked:
            problem = programme_problem(status, on)
            if problem:
                errors["programme_status"] = (
                    f"The {problem}: an exemption cannot rest on it. Record the renewed "
                    "status first, or assess the partner instead of exempting it.")
    if errors:
        raise ValidationError(errors)


def exemption_saved(exemption, created):
    """The exemption register's `after_save`: the rule on every `save_record`, then remember
    what the saved exemption rests on."""
    check_exemption(exemption, created=created)
    exemption._loaded_link = _link(exemption)


# --- partner reviews (ISO 28001 4.5) -------------------------------------------------------------
def check_partner_review(review, on=None):
    """Refuse a review dated in the future: a review records what was done."""
    if review.reviewed_on and review.reviewed_on > _today(on):
        raise ValidationError({"reviewed_on": (
            "A review records what was done: the date is in the future. Record it once it "
            "has taken place.")})


MONTH_DAYS = {6: 182, 12: 365, 24: 730}
# Months between reviews by criticality, without / with a valid security programme status.
REVIEW_MONTHS = {
    choices.Criticality.CRITICAL: (6, 12),
    choices.Criticality.HIGH: (12, 24),
    choices.Criticality.MEDIUM: (24, 24),
    choices.Criticality.LOW: (24, 24),
}
REVIEWED_STATUSES = (choices.PartnerStatus.ONBOARDING, choices.PartnerStatus.ACTIVE)


def review_interval_days(partner, *, valid_programme, exempt):
    """Days between reviews of `partner`, or None when it needs none.

    ISO 28001 4.5 asks for reviews of the processes and facilities of partners that are not
    exempt, with an extent and frequency that follow from risk. Our rule:

    ============  ==================================  ==============================
    criticality   no valid security programme status  a valid security programme
    ============  ==================================  ==============================
    critical      6 months (182 days)                 12 months (365 days)
    high          12 months (365 days)                24 months (730 days)
    medium, low   24 months (730 days)                24 months (730 days)
    ============  ==================================  ==============================

    Why: criticality is the organisation's own judgement of the consequence if the partner
    fails (ISO 28001 4.5: frequency from risk). A valid security programme status (AEOS,
    C-TPAT, TAPA, ISO 28000/28001, MRA…; AEOC is customs-only and does not count) means an
    independent body checks the partner within its validity, so our own review can be spaced
    out — but for critical and high partners only halved in frequency, never dropped, because
    the programme does not look at the services bought from us. CTPAT asks for periodic
    reassessment of partners by risk (MSC 3.x, standards.md 4.1.2); annual reviews of the most
    critical partners are common practice, six months where nothing independent backs them.
    Exempt partners (4.4: an exemption in force) need no review; partners suspended or
    terminated carry no goods and need none until they are used again. A partner never
    reviewed is due at once.
    """
    if exempt or partner.status not in REVIEWED_STATUSES:
        return None
    months = REVIEW_MONTHS.get(partner.criticality, (24, 24))[1 if valid_programme else 0]
    return MONTH_DAYS[months]


@dataclass(frozen=True)
class ReviewState:
    """Where a partner stands with its ISO 28001 4.5 reviews on a given day."""

    required: bool
    interval_days: int | None
    last_reviewed: datetime.date | None
    due_on: datetime.date | None  # None: never reviewed (due at once) or not required
    due: bool
    valid_programme: bool
    exempt: bool

    @property
    def label(self):
        """"Review due", "Next review 2027-05-01" or "No review needed" — for pages."""
        if not self.required:
            return "No review needed (exempt)" if self.exempt else "No review needed"
        if self.due:
            return "Review due" if self.last_reviewed else "Review due (never reviewed)"
        return f"Next review {self.due_on.isoformat()}"


def _valid_programmes(on):
    return ProgrammeStatus.objects.filter(
        partner=OuterRef("pk"), archived=False, programme__in=choices.SECURITY_PROGRAMMES).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def with_review_basics(queryset, on=None):
    """Partners annotated with what the review rule reads of the supply chain (three
    subqueries, no per-row query): `review_last` (latest review date), `review_programme` (a
    valid security programme status), `review_exempt` (an exemption in force)."""
    on = _today(on)
    latest = PartnerReview.objects.filter(partner=OuterRef("pk"), archived=False).order_by(
        "-reviewed_on").values("reviewed_on")[:1]
    exemptions = Exemption.objects.filter(in_force_q(on), partner=OuterRef("pk"))
    return queryset.annotate(review_last=Subquery(latest),
                             review_programme=Exists(_valid_programmes(on)),
                             review_exempt=Exists(exemptions))


# The review interval is partner assurance's (ISO 28001 4.5: frequency from risk): the rule
# above, shortened by the partner's risk score. Partner assurance builds on this module, so it
# is asked when needed, not imported at the top.
def with_review_state(queryset, on=None):
    """Partners annotated with everything their review state needs, the next due date
    included (`partners.assurance.with_assurance`; a few subqueries, no per-row query)."""
    from chainward.partners.assurance import with_assurance

    return with_assurance(queryset, on)


def review_state(partner, on=None):
    """The partner's review interval, last review, next due date and whether it is due (from
    the annotations of `with_review_state` when present, else in one query)."""
    from chainward.partners.assurance import review_state_of

    return review_state_of(partner, on)


def review_due_q(on=None):
    """`review_state(...).due` as a filter on a `with_review_state` queryset."""
    from chainward.partners.assurance import review_due_q as due_q

    return due_q(on)


def partners_due_for_review(queryset, on=None):
    """The partners of `queryset` whose ISO 28001 4.5 review is due on `on` (today)."""
    return with_review_state(queryset, on).filter(review_due_q(on))


def record_partner_review(user, partner, *, reviewed_on, method, outcome, reviewer="",
                          findings=""):
    """Record a review of `partner` through the write path (ledgered, rules checked)."""
    review = PartnerReview(organisation=partner.organisation, partner=partner,
                           reviewed_on=reviewed_on, method=method, outcome=outcome,
                           reviewer=reviewer, findings=findings)
    review.full_clean(exclude=["reference"])
    return save_record(user, review)


# --- organisations (issue 13) ---------------------------------------------------------------
ORGANISATION_FIELDS = ("name", "legal_name", "country", "registration_number", "description")


def create_organisation(actor, *, administrator_email, administrator_name="", accept_url,
                        **fields):
    """Create an organisation ready to work in: the shipped catalogues loaded, its copy of the
    default risk matrix, and its first administrator invited (they accept; nothing says
    whether the address has an account). Returns `(organisation, invitation, sent)`.

    The one path of the organisation page, the API and `chainward init` (`actor` None: the
    command's own ledger actor). Only a superuser or an installation administrator may.
    """
    from chainward.access.invitations import invite_first_administrator
    from chainward.access.services import may_create_organisations
    from chainward.library.loader import ensure_shipped
    from chainward.risk.services import default_matrix

    if actor is not None and not may_create_organisations(actor):
        raise PermissionDenied("Only an installation administrator may create organisations.")
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {', '.join(sorted(unknown))}")
    errors = {}
    organisation = Organisation(**{k: (v or "").strip() if isinstance(v, str) else v
                                   for k, v in fields.items()})
    try:
        organisation.full_clean()
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    email = (administrator_email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["administrator_email"] = ["Give the e-mail address of the organisation's first "
                                         "administrator; they receive an invitation."]
    if errors:
        raise ValidationError(errors)
    with (acting_as(actor) if actor is not None else nullcontext()), transaction.atomic():
        ensure_shipped()
        organisation.created_by = organisation.updated_by = actor
        organisation.save()
        default_matrix(organisation)
        invitation, sent = invite_first_administrator(
            actor, organisation, email=email, full_name=administrator_name or "",
            accept_url=accept_url)
        append_entry("organisation_created", object_type="supplychain.organisation",
                     object_id=organisation.pk, object_repr=str(organisation),
                     organisation_id=organisation.pk,
                     after={"administrator_invited": invitation.email})
    return organisation, invitation, sent


# --- expired programmes (issue 13 item 10) --------------------------------------------------------
def _valid_status_q(on, prefix=""):
    p = prefix
    return (Q(**{f"{p}archived": False})
            & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": on}))
            & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": on})))


def lapsed_programmes(queryset, on=None):
    """The programme statuses of `queryset` that expired before `on` (today) and were not
    renewed: the partner holds no valid status of the same programme. A renewal recorded as a
    new status retires the old one's alarm; the expired record stays as history."""
    on = _today(on)
    renewed = ProgrammeStatus.objects.filter(
        _valid_status_q(on), partner=OuterRef("partner"), programme=OuterRef("programme"))
    return queryset.filter(archived=False, valid_until__lt=on).exclude(Exists(renewed))


def with_programme_state(queryset, on=None):
    """Partners annotated with `programme_expired`: a programme status lapsed unrenewed."""
    lapsed = lapsed_programmes(ProgrammeStatus.objects.filter(partner=OuterRef("pk")), on)
    return queryset.annotate(programme_expired=Exists(lapsed))


def partners_with_lapsed_programme(queryset, on=None):
    """The partners of `queryset` in use (onboarding or active) with a lapsed programme."""
    return with_programme_state(queryset, on).filter(programme_expired=True,
                                                     status__in=REVIEWED_STATUSES)


def partner_facility(actor, partner, *, create=True):
    """The node of `partner`'s own premises (issue 13 item 11): a leg may end (or start) at a
    customer's or supplier's facility without anyone inventing a site for it.

    It is the one site the partner operates (whatever its kind); when there is none it is
    recorded (named after the partner, in its country and city, of kind "partner facility",
    operated by it) through
    `save_record`, so only someone who may add sites organisation-wide creates it. With
    `create=False` nothing is written and None stands for "would be created". Refusals are
    `ValidationError`s that say what to do instead.
    """
    facilities = list(Site.objects.filter(
        organisation=partner.organisation_id, operator=partner, archived=False)
        .order_by("pk")[:2])
    if len(facilities) > 1:
        raise ValidationError(f"{partner} operates several facilities; choose the site itself.")
    if facilities:
        site = facilities[0]
        if not Site.objects.restrict(actor, "view").filter(pk=site.pk).exists():
            raise ValidationError(f"{partner}'s facility is outside your sites; choose one of "
                                  "your sites, or ask a security manager to record the leg.")
        return site
    site = Site(organisation=partner.organisation, name=partner.name[:200],
                kind=choices.SiteKind.PARTNER_FACILITY, country=partner.country,
                city=partner.city, operator=partner,
                description="The partner's own premises, recorded when a leg first ended "
                            "there.")
    from chainward.core.scope import allows

    if not allows(actor, "add", site):
        raise ValidationError(f"No facility of {partner} is recorded yet and you may not add "
                              "sites: choose a site, or ask a security manager to add it.")
    if not create:
        return None
    return save_record(actor, site)


def run_by_us_q(prefix=""):
    """Sites the organisation runs itself: no partner operates them and they are not public
    infrastructure or a partner's premises (`choices.NOT_RUN_BY_US`)."""
    return Q(**{f"{prefix}operator__isnull": True}) & ~Q(
        **{f"{prefix}kind__in": choices.NOT_RUN_BY_US})
