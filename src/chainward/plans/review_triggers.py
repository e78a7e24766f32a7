"""Why a security plan is due for review (ISO 28001 5.7, ISO 28000 8.6): the triggers its
"monitoring and review" section names, checked against the records.

The plan is due when, since its latest version was generated (the snapshot the plan shows):

* its approved version is more than 12 months old (annual review);
* a threat-level change was recorded on the organisation's risk matrix;
* whatever the registered triggers report — security incidents triaged or closed at a site,
  leg or partner the plan covers (`chainward.incidents`, registered with
  `plan_review_trigger` so that plans does not depend on incidents).

Computed when asked (page, API), never stored: a new version clears the triggers that came
before it, and each reader sees only the triggers of records they may see.
"""

import datetime

from django.utils import timezone

from .choices import PlanStatus

ANNUAL = datetime.timedelta(days=365)
# `func(user, plan, since) -> [lines]`, `since` the datetime the latest version was generated.
_triggers = []


def plan_review_trigger(func):
    """Register `func(user, plan, since) -> list of readable lines`."""
    _triggers.append(func)
    return func


def review_baseline(plan):
    """(the latest version or None, the datetime the triggers are counted from)."""
    latest = plan.versions.filter(archived=False).order_by("-number").first()
    since = (latest.generated_at if latest and latest.generated_at else plan.created_at)
    return latest, since


def covered_places(plan):
    """(site ids, leg ids, partner ids) the plan covers: its sites, and the legs and partners of
    its assessment's scope and ratings."""
    from chainward.risk.models import Rating

    assessment = plan.assessment
    rated = Rating.objects.filter(assessment=assessment, archived=False)
    legs = set(assessment.legs.values_list("pk", flat=True)) | set(
        rated.filter(leg__isnull=False).values_list("leg_id", flat=True))
    partners = set(assessment.partners.values_list("pk", flat=True)) | set(
        rated.filter(partner__isnull=False).values_list("partner_id", flat=True))
    return set(plan.sites.values_list("pk", flat=True)), legs, partners


def review_triggers(user, plan, today=None):
    """Why `plan` is due for review, as readable lines for `user` (empty: not due)."""
    from chainward.risk.models import RiskMatrix

    today = today or timezone.localdate()
    latest, since = review_baseline(plan)
    lines = []
    current = plan.versions.filter(status=PlanStatus.APPROVED, archived=False).first()
    if current is not None and current.approved_at and \
            timezone.localtime(current.approved_at).date() + ANNUAL < today:
        lines.append(f"Annual review due: v{current.number} was approved on "
                     f"{timezone.localtime(current.approved_at):%Y-%m-%d}.")
    changed = (RiskMatrix.objects.filter(organisation_id=plan.organisation_id, archived=False,
                                         threat_level_changed_on__gt=since.date())
               .order_by("-threat_level_changed_on").first())
    if changed is not None:
        lines.append(f"Threat level changed on {changed.threat_level_changed_on:%Y-%m-%d}"
                     f"{': ' + changed.threat_level_note if changed.threat_level_note else ''}.")
    for trigger in _triggers:
        lines.extend(trigger(user, plan, since))
    return lines


def review_state(user, plan):
    """The plan's review triggers with their baseline, as the page and the API show them."""
    latest, since = review_baseline(plan)
    triggers = review_triggers(user, plan)
    return {"due": bool(triggers), "triggers": triggers,
            "since": timezone.localtime(since).date(),
            "baseline": f"v{latest.number}" if latest else "the plan's creation"}
