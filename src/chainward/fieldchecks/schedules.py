"""Check schedules (issue 15 item 4; ISO 28000 8.1 operational control, 9.1 monitoring): what
must be checked where and how often, when it is next due, and how many due checks were done on
time.

The clock is rolling: a check is next due one period after the last completed run of its
template at its site (never before the schedule's first due date), so a late check moves the
next one with it. A due date that passes with no run is a missed check; the next one is due one
period after the missed date. "Every outbound trailer" has no calendar: each departure is its
own run, so it is never due or overdue and has no completion rate.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register
from chainward.incidents.exercises.services import add_months

from .choices import DueState, FrequencyUnit, RunStatus
from .models import USER, CheckRun, CheckTemplate, _own

DUE_SOON_DAYS = 3  # "due" from this many days before the due date


class CheckSchedule(PrimaryModel):
    """ISO 28000 8.1, 9.1 — one recurring check: which template, at which site, how often
    (every N days, weeks or months, or every outbound trailer)."""

    reference_prefix = "CKS"

    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT,
                                 related_name="schedules", verbose_name="template")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="check_schedules", verbose_name="site")
    unit = models.CharField("how often", max_length=12, choices=FrequencyUnit,
                            default=FrequencyUnit.WEEKS)
    every = models.PositiveSmallIntegerField(
        "every", default=1, validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="How many days, weeks or months from one check to the next, e.g. 3 "
                  "with months for a quarterly key audit.")
    starts_on = models.DateField("first due on", default=timezone.localdate)
    responsible = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="responsible",
                                    help_text="Leave empty when the site's officers share it.")
    active = models.BooleanField("in force", default=True)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("site", "template", "pk")
        verbose_name = "check schedule"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "template", "site"),
                                    name="fieldchecks_schedule_once",
                                    violation_error_message="This template is already "
                                    "scheduled at this site; change that schedule."),
        ]

    def __str__(self):
        return f"{self.template} at {self.site} — {self.frequency_text}"

    def clean(self):
        super().clean()
        errors = {}
        for name in ("template", "site"):
            _own(self, name, errors)
        if self.unit == FrequencyUnit.PER_TRAILER and self.every not in (None, 1):
            errors["every"] = "Every outbound trailer has no interval; leave it at 1."
        if errors:
            raise ValidationError(errors)

    @property
    def calendar(self) -> bool:
        """Whether the schedule has due dates (everything but "every outbound trailer")."""
        return self.unit != FrequencyUnit.PER_TRAILER

    @property
    def frequency_text(self) -> str:
        """"every week", "every 3 months", "every outbound trailer"."""
        if not self.calendar:
            return "every outbound trailer"
        unit = {"days": "day", "weeks": "week", "months": "month"}[self.unit]
        return f"every {unit}" if self.every == 1 else f"every {self.every} {unit}s"

    def after(self, day):
        """The date one period after `day`."""
        if self.unit == FrequencyUnit.MONTHS:
            return add_months(day, self.every)
        days = self.every * (7 if self.unit == FrequencyUnit.WEEKS else 1)
        return day + datetime.timedelta(days=days)

    @property
    def last_done_on(self) -> datetime.date | None:
        """The local date of the last completed run of the template at the site (annotated by
        `with_last_done`; queried when it is not)."""
        if not hasattr(self, "last_done_at"):
            self.last_done_at = last_runs(CheckSchedule.objects.filter(pk=self.pk)).get(
                self.pk)
        return timezone.localdate(self.last_done_at) if self.last_done_at else None

    @property
    def next_due(self) -> datetime.date | None:
        """When the next check is due: one period after the last completed run, never before
        the first due date; None without a calendar."""
        if not self.calendar or self.starts_on is None:
            return None
        last = self.last_done_on
        return max(self.starts_on, self.after(last)) if last else self.starts_on

    def state(self, today=None):
        """Overdue, due (within DUE_SOON_DAYS), planned, per trailer or not in force."""
        if not self.active or self.archived:
            return DueState.INACTIVE
        if not self.calendar:
            return DueState.EVENT
        today = today or timezone.localdate()
        due = self.next_due
        if due < today:
            return DueState.OVERDUE
        if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return DueState.DUE
        return DueState.PLANNED

    @property
    def due_state(self) -> str:
        """The state's label (the list column and the API's `due_state`)."""
        return self.state().label


def _completed_runs():
    return CheckRun.objects.filter(status=RunStatus.COMPLETED, archived=False)


def with_last_done(queryset):
    """Schedules annotated with `last_done_at`, the time of the last completed run of their
    template at their site (one subquery, so a list costs the same at any length)."""
    last = _completed_runs().filter(template=OuterRef("template"), site=OuterRef("site")) \
        .order_by("-performed_at").values("performed_at")[:1]
    return queryset.annotate(last_done_at=Subquery(last))


def last_runs(queryset):
    """{schedule id: time of its last completed run or None}."""
    return dict(with_last_done(queryset).values_list("pk", "last_done_at"))


@dataclass
class Occurrence:
    """One due date of a schedule and the run date that met it (None: missed)."""

    due: datetime.date
    done_on: datetime.date | None

    @property
    def on_time(self):
        return self.done_on is not None


def occurrences(schedule, run_dates, *, start, end, last_before=None):
    """The due dates of `schedule` from `start` to `end` and whether each was met.

    `run_dates`: local dates of the completed runs within the window (any order);
    `last_before`: the date of the last completed run before `start`. A due date is met by a
    run on or before it (and after the previous one); one that passes unmet is missed, and a
    later run restarts the clock from its own date. A check due on `end` and not yet done is
    not counted: it can still be done that day."""
    if not schedule.calendar:
        return []
    due = schedule.starts_on
    if last_before is not None:
        due = max(due, schedule.after(last_before))
    runs = sorted(d for d in run_dates if d >= start)
    found, index = [], 0
    while due <= end:
        met = None
        while index < len(runs) and runs[index] <= due:
            met, index = runs[index], index + 1
        if met is not None:
            if due >= start:
                found.append(Occurrence(due, met))
            # A period after the run, and never the same due date twice (a run made more
            # than a period early meets only the date it was made for).
            due = max(schedule.after(met), due + datetime.timedelta(days=1))
            continue
        if due == end:
            break
        if due >= start:
            found.append(Occurrence(due, None))
        following = schedule.after(due)
        if index < len(runs) and runs[index] < following:  # late: the clock restarts there
            due, index = schedule.after(runs[index]), index + 1
        else:
            due = following
    return found


@dataclass
class Completion:
    """Checks due and done on time over a window: per schedule and per site."""

    start: datetime.date
    end: datetime.date
    schedules: list = field(default_factory=list)  # {"schedule", "occurrences", "on_time"}
    sites: list = field(default_factory=list)  # {"site", "due", "on_time", "rate"}

    @property
    def due(self):
        return sum(row["due"] for row in self.sites)

    @property
    def on_time(self):
        return sum(row["on_time"] for row in self.sites)

    @property
    def rate(self):
        return rate(self.on_time, self.due)


def rate(on_time, due):
    """Percentage of due checks done on time, one decimal; None when nothing was due."""
    if not due:
        return None
    return (Decimal(on_time * 100) / Decimal(due)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def completion(user, organisation, *, start, end, sites=None, schedule_ids=None):
    """The completion of the calendar schedules in force that `user` may see (optionally at
    `sites`, or only `schedule_ids`), from `start` to `end` — three queries whatever the number
    of schedules or runs (ISO 28000 9.1: the monitoring figure of recurring control tests)."""
    only = {}
    if sites is not None:
        only["site__in"] = sites
    if schedule_ids is not None:
        only["pk__in"] = schedule_ids
    schedules = list(CheckSchedule.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, active=True).exclude(
        unit=FrequencyUnit.PER_TRAILER).filter(**only)
        .select_related("site", "template").order_by("site__name", "template__name", "pk"))
    result = Completion(start, end)
    if not schedules:
        return result
    runs = CheckRun.objects.restrict(user, "view").filter(
        organisation=organisation, status=RunStatus.COMPLETED, archived=False,
        template_id__in={s.template_id for s in schedules},
        site_id__in={s.site_id for s in schedules})
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    before = {(r["template_id"], r["site_id"]): timezone.localdate(r["last"]) for r in
              runs.filter(performed_at__lt=since).values("template_id", "site_id")
              .annotate(last=Max("performed_at")).order_by()}
    within = {}
    for template_id, site_id, at in runs.filter(performed_at__gte=since).values_list(
            "template_id", "site_id", "performed_at"):
        day = timezone.localdate(at)
        if day <= end:
            within.setdefault((template_id, site_id), []).append(day)
    per_site = {}
    for schedule in schedules:
        key = (schedule.template_id, schedule.site_id)
        found = occurrences(schedule, within.get(key, []), start=start, end=end,
                            last_before=before.get(key))
        on_time = sum(1 for o in found if o.on_time)
        result.schedules.append({"schedule": schedule, "occurrences": found,
                                 "on_time": on_time})
        row = per_site.setdefault(schedule.site_id, {"site": schedule.site, "due": 0,
                                                     "on_time": 0, "schedules": 0})
        row["due"] += len(found)
        row["on_time"] += on_time
        row["schedules"] += 1
    for row in per_site.values():
        row["rate"] = rate(row["on_time"], row["due"])
    result.sites = list(per_site.values())
    return result


def due_schedules(user, organisation, *, action="view", today=None, responsible=None):
    """Active calendar schedules `user` may `action` that are overdue or due soon, overdue
    first and by due date: [(schedule, state)]."""
    today = today or timezone.localdate()
    queryset = CheckSchedule.objects.restrict(user, action).filter(
        organisation=organisation, archived=False, active=True).exclude(
        unit=FrequencyUnit.PER_TRAILER)
    if responsible is not None:
        queryset = queryset.filter(models.Q(responsible=responsible) |
                                   models.Q(responsible__isnull=True))
    rows = [(s, s.state(today)) for s in with_last_done(
        queryset.select_related("site", "template"))]
    rows = [(s, state) for s, state in rows if state in (DueState.OVERDUE, DueState.DUE)]
    return sorted(rows, key=lambda row: (row[1] != DueState.OVERDUE, row[0].next_due,
                                         row[0].pk))


# A schedule is a record of its site, kept like the site's check runs (core.roles.SITE_RECORD).
register(CheckSchedule, site_paths=("site_id",), roles=roles.SITE_RECORD)
