"""Incident workflows (ISO 28001 5.7, ISO 28000 10.2): required notifications, status
transitions, notification sent, the corrective action an investigation opens, and the loop back
to the security assessment.

Each is atomic, takes the actor explicitly, goes through `save_record` (so the ledger sees it
and the scope is re-checked) and writes a domain event for what is more than a field change.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chainward.core import services as records
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from .choices import (
    CONTACT_KINDS_FOR,
    INCIDENT_TRANSITIONS,
    LOOP_BACK_STATUSES,
    IncidentStatus,
)
from .models import (
    PLACE_FIELDS,
    Contact,
    Incident,
    Investigation,
    Notification,
    NotificationRule,
)

CAPA_DAYS = 30  # a corrective action opened from an investigation is due in 30 days


def _may(user, obj, action="change"):
    if not type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You may not {action} this {obj._meta.verbose_name}.")


# --- notifications ----------------------------------------------------------------------------
def incident_places(incident):
    """The sites an incident is at: its site and both ends of its leg (ids, in that order)."""
    return [p for p in (incident.site_id, incident.route_from_id, incident.route_to_id) if p]


def directory_contact(notification):
    """The contact of the directory that reaches the notification's recipient (ISO 28000 7.4):
    of a kind that answers for it (`CONTACT_KINDS_FOR`, in its order), the incident's site's
    before the organisation's own; None when the directory has none. An incident on a leg
    takes the organisation's: the police of either end are not those of a rest stop between."""
    kinds = CONTACT_KINDS_FOR.get(notification.recipient)
    if not kinds or not notification.incident_id:
        return None
    site_id = notification.incident.site_id
    found = Contact.objects.filter(
        Q(site__isnull=True) | Q(site_id=site_id),
        organisation_id=notification.organisation_id, archived=False, kind__in=kinds)

    def rank(contact):
        return contact.site_id is None, kinds.index(contact.kind), contact.name, contact.pk

    return min(found, key=rank, default=None)


def fill_contact(notification):
    """A new notification without a contact takes the directory's (every path: form, API,
    deadlines, demo); whoever records it sees whom to call and the number."""
    if notification.contact_id is None and notification._state.adding:
        notification.contact = directory_contact(notification)


def deadline_rules(organisation_id, incident_type):
    """The organisation's deadline per recipient for a type: a rule for the type wins over a
    rule for every type. {recipient: rule}."""
    rules = {}
    for rule in NotificationRule.objects.filter(
            organisation_id=organisation_id, archived=False).filter(
            Q(incident_type="") | Q(incident_type=incident_type)).order_by("incident_type"):
        if rule.recipient not in rules or rule.incident_type:
            rules[rule.recipient] = rule
    return rules


def due_at_for(incident, rule):
    """When the notification `rule` asks for is due: hours after the incident was discovered."""
    return _hours_after_discovery(incident, rule.within_hours)


def _hours_after_discovery(incident, hours):
    start = incident.discovered_at or incident.occurred_at or timezone.now()
    return start + datetime.timedelta(hours=hours)


def add_required_notifications(user, incident):
    """One notification per recipient the organisation's deadlines name for the incident's type
    (skipping recipients it already has). Run after every save of a new incident, from every
    path (`IncidentRegister.after_save`)."""
    have = set(incident.notifications.values_list("recipient", flat=True))
    created = []
    for recipient, rule in deadline_rules(incident.organisation_id,
                                          incident.incident_type).items():
        if recipient in have:
            continue
        notification = Notification(organisation_id=incident.organisation_id,
                                     incident=incident, recipient=recipient,
                                     due_at=due_at_for(incident, rule),
                                     deadline_hours=rule.within_hours)
        records.save_record(user, notification)
        created.append(notification)
    return created


def fill_due_date(notification):
    """A notification without a deadline takes the organisation's, when it has one (and
    remembers it came from the rule); a deadline set by hand is the person's and no longer
    follows the discovery time. Every path: form, API, import, demo (Notification.save)."""
    if not notification.incident_id:
        return
    if notification.due_at is None:
        rule = deadline_rules(notification.organisation_id,
                              notification.incident.incident_type).get(notification.recipient)
        if rule is not None:
            notification.due_at = due_at_for(notification.incident, rule)
            notification.deadline_hours = rule.within_hours
    elif notification.deadline_hours is not None and notification.due_at != \
            _hours_after_discovery(notification.incident, notification.deadline_hours):
        notification.deadline_hours = None


def move_deadlines(user, incident):
    """After the incident's discovery (or occurrence) time is corrected, the deadlines that
    came from the organisation's rules and are not met yet move with it (ledgered)."""
    moved = []
    for notification in incident.notifications.filter(
            archived=False, notified_at__isnull=True, deadline_hours__isnull=False):
        due = _hours_after_discovery(incident, notification.deadline_hours)
        if notification.due_at != due:
            notification.due_at = due
            moved.append(notification)
    if moved:
        records.bulk_update_records(user, moved, ["due_at"],
                                    reason=f"{incident.reference}: discovery time corrected")
    return moved


def record_notification(user, notification, *, reference_number="", notified_at=None,
                        expected_version=None):
    """The party was told: when (now unless given), by `user`, with their reference."""
    _may(user, notification)
    if notification.notified_at is not None:
        when = timezone.localtime(notification.notified_at)
        raise ValidationError({"notified_at": f"Already notified on {when:%Y-%m-%d %H:%M}."})
    notified_at = notified_at or timezone.now()
    if notified_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"notified_at": "A notification cannot be dated in the future."})
    with acting_as(user), transaction.atomic():
        notification.notified_at, notification.notified_by = notified_at, user
        if reference_number:
            notification.reference_number = reference_number
        records.save_record(user, notification, expected_version=expected_version)
        record_event("notify", obj=notification, details={
            "recipient": notification.recipient, "incident": notification.incident.reference,
            "late": bool(notification.due_at and notified_at > notification.due_at)})
    return notification


def overdue_notifications(queryset, now=None):
    """Notifications past their deadline and not sent (of incidents not archived)."""
    now = now or timezone.now()
    return queryset.filter(archived=False, notified_at__isnull=True, due_at__lt=now,
                           incident__archived=False)


# --- keeping the copied places in step ----------------------------------------------------------
def sync_places(user, incident):
    """After an incident moves (site or leg changed), its records follow it: their copied
    site and leg ends are the scope paths (ledgered, one entry per moved record)."""
    place = {field: getattr(incident, field) for field in PLACE_FIELDS}
    for model in (Notification, Investigation, _timeline_model()):
        stale = [row for row in model.objects.filter(incident=incident)
                 if any(getattr(row, f) != v for f, v in place.items())]
        for row in stale:
            for field, value in place.items():
                setattr(row, field, value)
        if stale:
            records.bulk_update_records(
                user, stale, list(PLACE_FIELDS),
                reason=f"{incident.reference} moved", touch=False)


def _timeline_model():
    from .models import TimelineEntry

    return TimelineEntry


# --- status -----------------------------------------------------------------------------------
def transition_incident(user, incident, to_status, *, on=None, expected_version=None):
    """reported → triaged → under investigation → closed, nothing else.

    Under investigation opens the investigation (once); closing needs its summary. Triaging
    and closing mark the ratings of the incident's site, leg or partner for re-assessment
    (ISO 28001 5.7). `on` dates a step taken earlier (records kept on paper first): never
    in the future, never before the incident occurred."""
    _may(user, incident)
    if incident.archived:
        raise ValidationError("Restore the incident before moving it on.")
    allowed = INCIDENT_TRANSITIONS.get(incident.status, ())
    if to_status not in allowed:
        label = IncidentStatus(to_status).label if to_status in IncidentStatus.values \
            else to_status
        raise ValidationError({"status": f"An incident that is "
                                         f"{incident.get_status_display().lower()} cannot "
                                         f"become {str(label).lower()}."})
    investigation = Investigation.objects.filter(incident=incident).first()  # one at most
    if investigation is not None and investigation.archived:
        raise ValidationError({"status": f"{investigation.reference}, this incident's "
                                         "investigation, is archived: restore it first (an "
                                         "incident has one investigation)."})
    if to_status == IncidentStatus.CLOSED:
        if investigation is None or not investigation.summary.strip():
            raise ValidationError({"status": "Write the investigation summary before closing "
                                             "the incident (ISO 28001 5.7)."})
    today = timezone.localdate()
    if on is not None:
        occurred = timezone.localtime(incident.occurred_at).date()
        if on > today or on < occurred:
            raise ValidationError({"status": f"Date the step between the day it occurred "
                                             f"({occurred:%Y-%m-%d}) and today."})
        today = on
    before = incident.status
    with acting_as(user), transaction.atomic():
        incident.status = to_status
        if to_status == IncidentStatus.TRIAGED:
            incident.triaged_on = today
        if to_status == IncidentStatus.CLOSED:
            incident.closed_on = today
        relations = {}
        marked = []
        if to_status in LOOP_BACK_STATUSES:
            marked = affected_ratings(incident)
            relations["affected_ratings"] = sorted(
                {r.pk for r in marked} | set(incident.affected_ratings.values_list(
                    "pk", flat=True)))
        records.save_record(user, incident, relations=relations,
                            expected_version=expected_version)
        if to_status == IncidentStatus.UNDER_INVESTIGATION and investigation is None:
            records.save_record(user, Investigation(
                organisation_id=incident.organisation_id, incident=incident, lead=user,
                started_on=today))
        if to_status == IncidentStatus.CLOSED and investigation.completed_on is None:
            investigation.completed_on = today
            records.save_record(user, investigation)
        unreviewed = mark_for_review(user, incident, marked)
        record_event("transition", obj=incident, details={
            "from": before, "to": to_status,
            "ratings_marked": [r.reference for r in marked],
            "ratings_unticked": unreviewed})
    return incident


# --- loop back (ISO 28001 5.7) ------------------------------------------------------------------
def affected_ratings(incident):
    """Ratings of current assessments at the incident's site, leg or partner — of the threat
    scenario it realised when one is named."""
    from chainward.risk.choices import AssessmentStatus
    from chainward.risk.models import Rating

    target = Q()
    for name in ("site_id", "leg_id", "partner_id"):
        value = getattr(incident, name)
        if value:
            target |= Q(**{name: value})
    if not target:
        return []
    ratings = Rating.objects.filter(
        target, organisation_id=incident.organisation_id, archived=False,
        assessment__archived=False,
        assessment__status__in=[AssessmentStatus.DRAFT, AssessmentStatus.IN_PROGRESS,
                                AssessmentStatus.COMPLETED])
    if incident.threat_scenario_id:
        ratings = ratings.filter(threat__scenario_id=incident.threat_scenario_id)
    return list(ratings.order_by("pk"))


def mark_for_review(user, incident, ratings):
    """Untick `reviewed` on the marked ratings of assessments still open, so the assessor sees
    them "to review"; a completed assessment stays as it was (a re-assessment starts from it
    with every rating to review, and its prompt names the incident). Returns the references
    unticked."""
    from chainward.risk.choices import AssessmentStatus
    from chainward.risk.models import Rating

    open_ids = [r.pk for r in ratings if r.reviewed and
                r.assessment.status != AssessmentStatus.COMPLETED]
    if not open_ids:
        return []
    queryset = Rating.objects.filter(pk__in=open_ids)
    references = list(queryset.values_list("reference", flat=True))
    records.update_records(user, queryset, reason=f"{incident.reference}: incident at this "
                           "target (ISO 28001 5.7 re-assessment)", reviewed=False)
    return references


def incidents_realising(user, rating, since):
    """Incidents `user` may see that occurred since `since` and realised `rating`: their
    investigation names it, or they realised its threat scenario at its site, leg or partner.
    What the likelihood suggestion counts (`risk.likelihood`): the assessment (ISO 28001 5.3)
    learns from what happened (ISO 28001 5.7, actions after a security incident)."""
    named = Q(investigations__realised_ratings=rating, investigations__archived=False)
    target = {name: getattr(rating, name) for name in ("site_id", "leg_id", "partner_id")
              if getattr(rating, name)}
    scenario = rating.threat.scenario_id if rating.threat_id else None
    if target and scenario:
        named |= Q(threat_scenario_id=scenario, **target)
    ids = Incident.objects.filter(named, organisation_id=rating.organisation_id,
                                  archived=False, occurred_at__gte=since).values("pk")
    return list(Incident.objects.restrict(user, "view").filter(pk__in=ids)
                .order_by("occurred_at", "pk"))


def incidents_for_plan_review(user, plan, since):
    """Incidents `user` may see, triaged or closed after `since` (a datetime: when the plan's
    latest version was generated) at a site, leg or partner the plan covers (ISO 28001 5.7:
    revisit the plan after an incident)."""
    from chainward.plans.review_triggers import covered_places

    sites, legs, partners = covered_places(plan)
    where = Q(site__in=sites) | Q(route_from__in=sites) | Q(route_to__in=sites) | \
        Q(leg__in=legs) | Q(partner__in=partners)
    day = timezone.localtime(since).date()
    after = Q(triaged_on__gt=day) | Q(closed_on__gt=day) | (
        (Q(triaged_on=day) | Q(closed_on=day)) & Q(updated_at__gt=since))
    return (Incident.objects.restrict(user, "view")
            .filter(where, after, organisation_id=plan.organisation_id, archived=False)
            .order_by("occurred_at", "pk"))


def incidents_since(user, organisation, since):
    """Incidents the user may see that were triaged or closed since `since` and touch ratings."""
    return (Incident.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False)
            .filter(Q(triaged_on__gte=since) | Q(closed_on__gte=since))
            .filter(affected_ratings__isnull=False).distinct())


# --- investigation → corrective action ----------------------------------------------------------
def _capa_site(user, incident, capa):
    """Where the corrective action belongs: the incident's site, else the end of its leg the
    person may act at (a leg incident is followed up at one of its sites)."""
    from chainward.core.scope import allows

    places = incident_places(incident)
    for site_id in places:
        capa.site_id = site_id
        if allows(user, "add", capa):
            return site_id
    return places[0] if places else None


def open_corrective_action(user, investigation, *, owner=None, due_date=None, title=""):
    """Open the corrective action of an investigation (once), with its root cause and the
    incident's site; the corrective-action register's rules apply (ISO 28000 10.2)."""
    from chainward.audits.choices import CapaSource
    from chainward.audits.models import CorrectiveAction

    _may(user, investigation)
    if investigation.corrective_action_id:
        raise ValidationError(f"{investigation.corrective_action} is already open for this "
                              "investigation.")
    incident = investigation.incident
    if not (investigation.summary.strip() or investigation.root_cause):
        raise ValidationError({"summary": "Write the summary or the root cause first: the "
                                          "corrective action starts from them."})
    with acting_as(user), transaction.atomic():
        capa = CorrectiveAction(
            organisation_id=investigation.organisation_id, source=CapaSource.INCIDENT,
            title=(title or f"Correct {incident.reference}: {incident.title}")[:200],
            description=investigation.summary,
            owner=owner or investigation.lead or user,
            due_date=due_date or timezone.localdate() + datetime.timedelta(days=CAPA_DAYS),
            root_cause=investigation.root_cause or {})
        capa.site_id = _capa_site(user, incident, capa)
        records.save_record(user, capa)
        investigation.corrective_action = capa
        records.save_record(user, investigation)
        record_event("open_corrective_action", obj=investigation,
                     details={"corrective_action": capa.reference})
    return capa


def plan_contacts(plan, content):
    """The authority and emergency contacts printed in a security plan's warning and
    communication section (ISO 28000 7.4, 8.6.3): the organisation's and those of the sites
    in the plan's scope as the reader sees it (`content` from `security_plan.content_for`).
    Taken from the directory when the plan is shown, so a changed number is never stale."""
    from django.db.models import Q

    from .models import Contact

    site_ids = [s["id"] for s in (content.get("scope") or {}).get("sites", [])]
    return list(Contact.objects.filter(organisation_id=plan.organisation_id, archived=False)
                .filter(Q(site__isnull=True) | Q(site__in=site_ids))
                .select_related("site").order_by("site__name", "kind", "name"))
